"""Full-text search over segmented Chinese: index text, FTS5 MATCH expressions, snippets.

SQLite's ``unicode61`` tokenizer cannot split Chinese into words, so both sides are segmented with
jieba: articles with ``cut_for_search`` (long words plus their sub-words) at ingest, queries with
precise ``cut``. Query tokens are ANDed as quoted strings: a phrase over ``cut_for_search`` tokens
finds nothing (field notes §6b), and quoting makes every user string inert (no operators, columns,
prefixes or syntax errors).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from briefings import segment
from briefings.models import StoredArticle
from briefings.normalize import for_matching

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


# Punctuation and blanks between tokens: unicode61 would skip them anyway, and dropping them
# keeps the stored column small. The stored text is the word-character runs of the tokens
# joined by single spaces (the same as replacing every non-word run of the joined tokens by one
# space); most tokens are one run already (str.isalnum is the regex's \w without "_").
_WORD = re.compile(r"\w+")


def index_text(text: str) -> str:
    """Text as stored in the FTS table: normalised, search-mode tokens joined by spaces."""
    words: list[str] = []
    for token in segment.cut_for_search(for_matching(text)):
        if token.isalnum():
            words.append(token)
        else:
            words.extend(_WORD.findall(token))
    return " ".join(words)


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
    """FTS5 MATCH expression for a user query, or None if nothing searchable is left."""
    return match_for_chunks(query_chunks(query))


def match_for_chunks(chunks: Sequence[Sequence[str]]) -> str | None:
    """Every chunk must match. A chunk that jieba splits into several words out of context
    (大县 → 大 县) may have been indexed as one word in context (工业大县 → 工业 大县), so it
    matches either as that one word or as all of its words (知识产权证券化 → 知识产权 证券化).
    """
    groups = []
    for words in chunks:
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
