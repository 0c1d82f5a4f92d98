"""Text normalisation for matching: NFKC, folded spaces, traditional → simplified.

Users always see the original text; these functions make the copy that is matched against.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import zhconv
import zhconv.zhconv as _zhconv_impl

_SPACES = re.compile(r"[ \t\u00a0\u3000\u2000-\u200b\ufeff]+")


def nfkc(text: str) -> str:
    """NFKC folds full-width ASCII (１９．７％ → 19.7%) and compatibility forms."""
    return unicodedata.normalize("NFKC", text)


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


def to_simplified(text: str) -> str:
    """Traditional → simplified Chinese (縉雲 → 缙云); other text passes through."""
    zhconv_tables()
    return zhconv.convert(text, "zh-cn")


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


def fold_chars(text: str) -> str:
    """The length-preserving normal form: full-width → ASCII, traditional → simplified."""
    return text.translate(char_table())


def for_matching(text: str) -> str:
    """The normalised copy used for lookups: NFKC, simplified, spaces folded, lower-case Latin."""
    return fold_spaces(fold_chars(nfkc(text))).lower()
