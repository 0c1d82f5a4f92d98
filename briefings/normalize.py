"""Text normalisation for matching: NFKC, folded spaces, traditional → simplified.

Users always see the original text; these functions make the copy that is matched against.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import zhconv.zhconv as _zhconv_impl

_SPACES = re.compile(r"[ \t\u00a0\u3000\u2000-\u200b\ufeff]+")


def fold_spaces(text: str) -> str:
    """Collapse runs of blanks (including the ideographic space) to one ASCII space."""
    return _SPACES.sub(" ", text).strip()


@lru_cache(maxsize=1)
def zhconv_tables() -> dict:
    """zhconv's conversion tables, loaded once by explicit path.

    zhconv's lazy loader leaves its dictionary file open (a ResourceWarning, an error under
    pytest); loading by path closes it, and every later ``zhconv.convert`` reuses the tables.
    """
    _zhconv_impl.loaddict(str(Path(_zhconv_impl.__file__).with_name("zhcdict.json")))
    return _zhconv_impl.zhcdicts


@lru_cache(maxsize=1)
def char_table() -> dict[int, str]:
    """A one-to-one character map: full-width ASCII → ASCII, traditional → simplified.

    Only single-character mappings, so the folded copy keeps the original's offsets (matches
    found in it point into the original text), and ``str.translate`` runs it in C: about
    20x faster than zhconv's phrase-level conversion over a whole page.
    """
    tables = zhconv_tables()
    table = {c: tables["zh2Hans"][c] for c in tables["TRADONLY"] if c in tables["zh2Hans"]}
    out = {ord(k): v for k, v in table.items() if len(k) == 1 and len(v) == 1}
    out.update({cp: chr(cp - 0xFEE0) for cp in range(0xFF01, 0xFF5F)})
    out[0x3000] = " "
    return out


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def _char_class(codes: set[int]) -> re.Pattern[str]:
    """Runs of the given BMP code points, as a class of ranges (sre tests it with one lookup)."""
    ranges: list[tuple[int, int]] = []
    for cp in sorted(codes):
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1] = (ranges[-1][0], cp)
        else:
            ranges.append((cp, cp))
    body = "".join(
        re.escape(chr(a)) + ("-" + re.escape(chr(b)) if b > a else "") for a, b in ranges
    )
    return re.compile(f"[{body}]+")


# Blocks with no character NFKC changes or composes (tested), skipped to keep start-up short:
# CJK Extension A and Unified Ideographs, Yi, Hangul syllables, surrogates, private use.
_STABLE_BLOCKS = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xA000, 0xA48F), (0xAC00, 0xD7A3))
_STABLE_BLOCKS += ((0xD800, 0xDFFF), (0xE000, 0xF8FF))


@lru_cache(maxsize=1)
def _unstable() -> re.Pattern[str]:
    """Runs of BMP characters NFKC may change or join to a neighbour.

    Every other character is a starter that NFKC keeps and that nothing before it composes with,
    so NFKC(a + b) == NFKC(a) + NFKC(b) whenever b starts with one (UAX #15, "boundary before").
    A class of BMP code points only: sre can test those in one lookup, astral ones are rare.
    """
    codes: set[int] = set(range(0x1161, 0x1176)) | set(range(0x11A8, 0x11C3))  # Hangul V, T
    starts = [0] + [b + 1 for _, b in _STABLE_BLOCKS]
    ends = [a for a, _ in _STABLE_BLOCKS] + [0x10000]
    for cp in itertools.chain.from_iterable(map(range, starts, ends)):
        ch = chr(cp)
        if unicodedata.combining(ch) or unicodedata.normalize("NFKC", ch) != ch:
            codes.add(cp)
        parts = unicodedata.decomposition(ch).split()
        if len(parts) == 2 and not parts[0].startswith("<"):
            codes.add(int(parts[1], 16))  # may compose with the character before it
    return _char_class(codes)


@lru_cache(maxsize=1)
def _foldable() -> re.Pattern[str]:
    """Runs of BMP characters that ``fold_chars`` maps (traditional, full-width)."""
    return _char_class({cp for cp in char_table() if cp < 0x10000})


def nfkc(text: str) -> str:
    """NFKC (full-width ASCII → ASCII, compatibility forms), normalising only what can change.

    A page of simplified Chinese has a handful of such characters (…, full-width punctuation);
    NFKC over all of it costs more than segmenting it.
    """
    if unicodedata.is_normalized("NFKC", text):
        return text
    if _ASTRAL.search(text):
        return unicodedata.normalize("NFKC", text)
    parts: list[str] = []
    pos = 0
    for m in _unstable().finditer(text):
        # The stable character just before the run may compose with it (e + U+0301 → é).
        start = max(m.start() - 1, pos)
        parts.append(text[pos:start])
        parts.append(unicodedata.normalize("NFKC", text[start : m.end()]))
        pos = m.end()
    parts.append(text[pos:])
    return "".join(parts)


def fold_chars(text: str) -> str:
    """The length-preserving normal form: full-width → ASCII, traditional → simplified."""
    if _foldable().search(text) or _ASTRAL.search(text):
        return text.translate(char_table())
    return text


def for_matching(text: str) -> str:
    """The normalised copy used for lookups: NFKC, simplified, spaces folded, lower-case Latin."""
    return fold_spaces(fold_chars(nfkc(text))).lower()
