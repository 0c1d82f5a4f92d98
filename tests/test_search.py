"""Query building for FTS5: terms, quoting, safety against any input, and snippets."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefings.models import AnalyzedUnit, Document, Unit
from briefings.search import (
    ELLIPSIS,
    MAX_TERMS,
    build_match,
    index_text,
    query_terms,
    quote_term,
    snippet,
)
from briefings.store import Store

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample_page_2026-04-15.txt"
SAMPLE_LINES = [ln.strip() for ln in SAMPLE.read_text(encoding="utf-8").splitlines() if ln.strip()]

# Strings that are FTS5 syntax, or that have broken naive query builders.
HOSTILE = [
    '"',
    '""',
    'a"b',
    "缙云 OR 义乌",
    "NOT 缙云",
    "缙云 NEAR 义乌",
    "NEAR(缙云 义乌, 2)",
    "title:缙云",
    "-title:缙云",
    "{title body}:缙云",
    "缙云*",
    "^缙云",
    "(缙云",
    "缙云)",
    "[缙云]",
    "缙云 AND",
    "AND OR NOT",
    "+",
    "'",
    "\\",
    "%_",
    "\x00",
    "\u200b",
    "\ufeff",
    "\U0001f600\U0001f1e8\U0001f1f3",
    "ｔｉｔｌｅ：缙云",
    "缙" * 10_000,
    "a b " * 5_000,
]


@pytest.fixture(scope="module")
def fts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """A store holding the sample page, one paragraph per article."""
    path = tmp_path_factory.mktemp("search") / "search.db"
    with Store.open(path) as store:
        doc = Document(
            kind="page", text="\n".join(SAMPLE_LINES), source="浙江日报", date="2026-04-15"
        )
        units = [AnalyzedUnit(Unit(kind="fragment", paragraphs=[p])) for p in SAMPLE_LINES]
        store.save_document(doc, units)
        yield store


def test_words_of_a_query_are_normalised_and_segmented() -> None:
    assert query_terms("知识产权证券化") == ["知识产权", "证券化"]
    assert query_terms("縉雲　ＧＤＰ") == ["缙云", "gdp"]
    assert query_terms("人工智能 义乌 人工智能") == ["人工智能", "义乌"]


def test_operators_and_punctuation_are_dropped_or_quoted() -> None:
    assert query_terms("“缙云”，（义乌）!") == ["缙云", "义乌"]
    assert build_match("缙云 OR 义乌*") == '"缙云" AND "or" AND "义乌"'
    assert build_match('a"b') is not None
    assert quote_term('say "hi"') == '"say ""hi"""'


@pytest.mark.parametrize("query", ["", "  ", '"', "*^", "()", "——", "🙂", "\x00\x07"])
def test_nothing_searchable_gives_no_expression(query: str) -> None:
    assert build_match(query) is None


def test_long_queries_are_cut_to_a_few_terms() -> None:
    text = " ".join(SAMPLE_LINES)
    assert 0 < len(query_terms(text)) <= MAX_TERMS


def test_index_text_keeps_long_words_and_their_parts() -> None:
    tokens = index_text("知识产权证券化产品，縉雲").split()
    assert {"知识产权", "知识", "产权", "证券化", "缙云"} <= set(tokens)
    assert "，" not in tokens


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_never_break_fts(fts: Store, query: str) -> None:
    result = fts.search(query)
    assert result.total >= 0
    assert len(result.items) <= 10


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=200))
def test_any_query_text_is_safe(fts: Store, query: str) -> None:
    match = build_match(query)
    if match is not None:
        # The expression alone must be valid FTS5, on a plain connection too.
        conn = sqlite3.connect(":memory:")
        conn.execute("CREATE VIRTUAL TABLE t USING fts5(title, body)")
        conn.execute("SELECT rowid FROM t WHERE t MATCH ?", (match,)).fetchall()
        conn.close()
    result = fts.search(query)
    assert result.total >= len(result.items)
    for hit in result.items:
        assert hit.snippet


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.sampled_from(SAMPLE_LINES), st.data())
def test_a_word_of_an_article_finds_that_article(fts: Store, paragraph: str, data) -> None:
    words = [w for w in query_terms(paragraph) if len(w) >= 2]
    if not words:
        return
    word = data.draw(st.sampled_from(words))
    found = fts.search(word, limit=100)
    assert any(paragraph in h.article.body for h in found.items) or found.total_capped


@given(st.text(min_size=1, max_size=400), st.text(min_size=1, max_size=5))
def test_snippet_is_a_piece_of_the_flattened_text(text: str, term: str) -> None:
    flat = " ".join(text.split())
    piece = snippet(text, [term])
    assert piece.removeprefix(ELLIPSIS).removesuffix(ELLIPSIS) in flat
    assert len(piece) <= 102


def test_snippet_centres_on_the_earliest_term() -> None:
    body = "".join(SAMPLE_LINES[20:40])
    piece = snippet(body, ["保贷联动", "缙云"])
    first = min(i for i in (body.find("保贷联动"), body.find("缙云")) if i >= 0)
    assert body[first : first + 2] in piece
    assert piece.startswith(ELLIPSIS) == (first > 30)


def test_snippet_falls_back_to_the_opening_then_the_title() -> None:
    assert snippet("第一句。第二句。", ["缙云"]) == "第一句。第二句。"
    assert snippet("", ["缙云"], title="标题") == "标题"


def test_snippet_finds_terms_in_traditional_or_full_width_text() -> None:
    body = "前言" * 40 + "縉雲縣ＧＤＰ增長"
    piece = snippet(body, ["缙云"])
    assert piece.startswith(ELLIPSIS)
    assert "縉雲縣ＧＤＰ" in piece
    assert "ＧＤＰ" in snippet(body, ["gdp"])
