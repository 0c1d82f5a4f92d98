"""Full-text search over segmented Chinese: index text, FTS5 MATCH expressions, snippets.

SQLite's ``unicode61`` tokenizer cannot split Chinese into words, so both sides are segmented with
jieba: articles with ``cut_for_search`` (long words plus their sub-words) at ingest, queries with
precise ``cut``. Query tokens are ANDed as quoted strings: a phrase over ``cut_for_search`` tokens
finds nothing (field notes §6b), and quoting makes every user string inert (no operators, columns,
prefixes or syntax errors).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from briefings import segment
from briefings.models import StoredArticle
from briefings.normalize import char_table, fold_spaces, for_matching

# An AND chain deeper than this costs time and buys nothing: real queries have a handful of words.
MAX_TERMS = 16
# Characters of query text looked at; a pasted article is not a search query.
MAX_QUERY_CHARS = 256
SNIPPET_BEFORE = 30
SNIPPET_AFTER = 70
ELLIPSIS = "…"


@dataclass(frozen=True)
class SearchHit:
    """One result: the stored article and a short excerpt around the first matched term."""

    article: StoredArticle
    snippet: str


@dataclass(frozen=True)
class SearchPage:
    """One page of results, newest first. ``total`` is capped; ``total_capped`` means "or more"."""

    query: str
    items: list[SearchHit]
    total: int
    total_capped: bool
    terms: tuple[str, ...] = ()  # normalised search terms, for highlighting

    @property
    def total_label(self) -> str:
        """The count as shown to users: 37, or 1000+ when the count was capped."""
        return f"{self.total}+" if self.total_capped else str(self.total)


def _searchable(token: str) -> bool:
    # unicode61 keeps letters and numbers and treats everything else as a separator.
    return any(ch.isalnum() for ch in token)


# Punctuation and blanks between tokens: unicode61 would skip them anyway; dropping them in
# one regex pass over the joined text keeps the stored column small without a per-token loop.
_NOT_INDEXED = re.compile(r"[^\w]+")
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


def _nfkc(text: str) -> str:
    """``normalize.nfkc``, normalising only the stretches that can change.

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


def _matching_form(text: str) -> str:
    """``normalize.for_matching``, skipping whole-text passes where they would change nothing."""
    text = _nfkc(text)
    if _foldable().search(text) or _ASTRAL.search(text):
        text = text.translate(char_table())
    return fold_spaces(text).lower()


def index_text(text: str) -> str:
    """Text as stored in the FTS table: normalised, search-mode tokens joined by spaces."""
    tokens = segment.cut_for_search(_matching_form(text))
    return _NOT_INDEXED.sub(" ", " ".join(tokens)).strip()


def query_chunks(query: str) -> list[list[str]]:
    """The words of each whitespace-separated chunk of a query: NFKC, simplified, lower-case,
    jieba precise mode; distinct across the query, at most MAX_TERMS in all.

    Tokens with nothing searchable (punctuation, emoji, operators such as ``*`` or ``^``) are
    dropped, so no FTS5 syntax survives.
    """
    # Control and format characters become blanks (also the ideographic space, which the
    # normaliser would fold anyway); none of them can reach the FTS5 parser.
    cleaned = "".join(ch if ch.isprintable() else " " for ch in query[:MAX_QUERY_CHARS])
    text = for_matching(cleaned)
    seen: set[str] = set()
    chunks: list[list[str]] = []
    for chunk in text.split():
        words: list[str] = []
        for raw in segment.cut(chunk):
            tok = "".join(ch for ch in raw if ch.isalnum() or ch in ".-_'")
            if _searchable(tok) and tok not in seen:
                seen.add(tok)
                words.append(tok)
            if len(seen) == MAX_TERMS:
                break
        if words:
            chunks.append(words)
        if len(seen) == MAX_TERMS:
            break
    return chunks


def query_terms(query: str) -> list[str]:
    """The distinct words of a query, in order (see ``query_chunks``).

    Whitespace the user typed always separates terms (``人工智能 义乌``).
    """
    return [w for words in query_chunks(query) for w in words]


def quote_term(term: str) -> str:
    """An FTS5 string: double quotes around, inner quotes doubled, so nothing inside is syntax."""
    return '"' + term.replace('"', '""') + '"'


def match_for(terms: Sequence[str]) -> str | None:
    """FTS5 MATCH expression requiring every term, or None for no terms."""
    return " AND ".join(quote_term(t) for t in terms) if terms else None


def build_match(query: str) -> str | None:
    """FTS5 MATCH expression for a user query, or None if nothing searchable is left.

    Every chunk must match. A chunk that jieba splits into several words out of context
    (大县 → 大 县) may have been indexed as one word in context (工业大县 → 工业 大县), so it
    matches either as that one word or as all of its words (知识产权证券化 → 知识产权 证券化).
    """
    groups = []
    for words in query_chunks(query):
        expr = match_for(words)
        if len(words) > 1:
            expr = f"({quote_term(''.join(words))} OR ({expr}))"
        groups.append(expr)
    return " AND ".join(groups) if groups else None


def _positions(haystack: str, terms: Sequence[str]) -> list[int]:
    return [i for i in (haystack.find(t) for t in terms) if i >= 0]


def snippet(text: str, terms: Sequence[str], *, title: str = "") -> str:
    """About a hundred characters of ``text`` around the earliest matched term, on one line.

    Terms are looked up in the text as printed first (cheap, and right for simplified text); only
    if none is there, in its normalised copy (full-width letters, traditional characters), which
    is used when it has the same length so that offsets still point into the original.
    With no term found (a title-only hit) the opening lines are shown instead.
    """
    flat = " ".join(text.split())
    if not flat:
        return " ".join(title.split())
    hits = _positions(flat.lower(), terms)
    if not hits:
        norm = for_matching(flat)
        if len(norm) == len(flat):
            hits = _positions(norm, terms)
    if not hits:
        start = 0
        end = SNIPPET_BEFORE + SNIPPET_AFTER
    else:
        first = min(hits)
        start = max(0, first - SNIPPET_BEFORE)
        end = first + SNIPPET_AFTER
    out = flat[start:end]
    if start > 0:
        out = ELLIPSIS + out
    if end < len(flat):
        out += ELLIPSIS
    return out
