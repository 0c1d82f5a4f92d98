"""The analysis shortcuts give exactly what the plain definitions give.

Each shortcut skips work the plain form would do (looking tail words up instead of searching
for them, a look-ahead guard in front of patterns that cannot skip ahead by themselves, not
scanning sentences that hold no number with a unit, folding a unit once for every stage, the
full-text columns made ahead of the write); these tests hold them to the plain form on the
sample page and on generated text built from the characters and words the patterns care about.
bench/analysis_fingerprint.py holds the whole pipeline to its earlier output on the dev set.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import zhconv
from hypothesis import given, settings
from hypothesis import strategies as st

from briefings import figure_words as W
from briefings import figures as F
from briefings import indicators as I
from briefings import search, segment
from briefings.models import Unit
from briefings.normalize import fold_chars, zhconv_tables
from briefings.numbers import parse_quantity, quantity_value
from briefings.pipeline import analyze_document, analyze_unit, bounded_units
from briefings.reading import documents_from_bytes, read_documents
from briefings.regions import _Matcher, find_mentions, match_key
from briefings.sentences import split_sentences
from briefings.store import Store, fts_texts
from briefings.topics import score_topics

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample_page_2026-04-15.txt"
SAMPLE_TEXT = SAMPLE.read_text(encoding="utf-8")
zhconv_tables()  # load zhconv's tables by path first: its own loader leaves the file open
TRADITIONAL = zhconv.convert(SAMPLE_TEXT, "zh-tw")
LINES = [ln for ln in (SAMPLE_TEXT + "\n" + TRADITIONAL).split("\n") if ln.strip()]


def _texts(pieces: list[str], max_size: int = 16) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(pieces), max_size=max_size).map("".join)


# --- tail words: a suffix looked up instead of a $-anchored alternation -----------------------

TAIL_PIECES = [
    *(w for w in I._TAIL_FORMS if len(w) <= 3),
    *"人户亩年日月周平公成造行作认因以较更最极尤所国专特固私稀具发到表传通抵送直雷高赶签合条",
    *"预制节规誓附临邻亲靠产值增速收入规上工业",
    "占全省", "总量", "的", "\n", "，", I.MASK,
]  # fmt: skip


@settings(max_examples=600, deadline=None)
@given(_texts(TAIL_PIECES, 10))
def test_tail_word_lookup_equals_the_tail_pattern(piece: str) -> None:
    m = W.TAIL.search(piece, max(0, len(piece) - I._TAIL_REACH))
    assert I._tail_word(piece) == ((m.start(), m.group()) if m else None)


def test_every_tail_word_after_every_character_it_may_or_may_not_follow() -> None:
    before = {"", "x", "人均", "的"} | {ch for b in I._TAIL_FORMS.values() for f in b for ch in f}
    for form in I._TAIL_FORMS:
        assert W.TAIL.fullmatch(form), form
        for prefix in before:
            piece = prefix + form
            m = W.TAIL.search(piece, max(0, len(piece) - I._TAIL_REACH))
            assert I._tail_word(piece) == ((m.start(), m.group()) if m else None), piece


def test_tail_words_beyond_literals_are_refused() -> None:
    with pytest.raises(ValueError, match="beyond literals"):
        I._word_forms("[增减]长")
    with pytest.raises(ValueError, match="beyond literals"):
        I._word_forms("增长+")


# --- guards: a look-ahead at the characters a match can start with -------------------------------

GUARDED = {
    "split": (W.SPLIT, "|".join(W.SPLIT_WORDS)),
    "province": (W.PROVINCE_SCOPE, "(?<![占比较于过])(?:全省|我省|本省|省内)"),
    "national": (W.NATIONAL_SCOPE, W.NATIONAL_SCOPE.pattern.split("(?:", 1)[1][:-1]),
    "target": (F._TARGET, F._TARGET.pattern.split("(?:", 1)[1][:-1]),
}
GUARD_PIECES = sorted({ch for _, plain in GUARDED.values() for ch in plain if ord(ch) > 0x2000})
GUARD_PIECES += ["的", "，", "有限", "在线", "以上", "计划", "”计划", "浙中国"]


def test_guarded_patterns_are_the_plain_ones_behind_a_guard() -> None:
    for name, (pattern, plain) in GUARDED.items():
        assert pattern.pattern.endswith(f"(?:{plain})"), name


@settings(max_examples=600, deadline=None)
@given(_texts(GUARD_PIECES, 14))
def test_guarded_patterns_find_what_the_plain_ones_find(text: str) -> None:
    for pattern, plain in GUARDED.values():
        expected = [m.span() for m in re.finditer(plain, text)]
        assert [m.span() for m in pattern.finditer(text)] == expected


def test_guarded_patterns_on_every_line_of_the_sample_page() -> None:
    for line in LINES:
        folded = fold_chars(line)
        for pattern, plain in GUARDED.values():
            assert [m.span() for m in pattern.finditer(folded)] == [
                m.span() for m in re.finditer(plain, folded)
            ]


@pytest.mark.parametrize("pattern", ["[ab]c", "a?b", "(?:a|b)?c", "\\dx", ".x", "a|"])
def test_a_guard_is_refused_where_the_first_characters_cannot_be_told(pattern: str) -> None:
    with pytest.raises(ValueError, match=r"cannot tell|optional group"):
        W.guarded(pattern)


# --- periods ----------------------------------------------------------------------------------

PERIOD_PLAIN = re.compile(F._PERIOD.pattern.split(")", 1)[1])
PERIOD_PIECES = [
    *"截至止今去明前本当第上下全年近这多过连目迄如“”十四五六一二两三七八九〇零○",
    *"0123456789月日号季度半来以底末初期间旬中个些几余内里续", "，", "。", "增长",
]  # fmt: skip


@settings(max_examples=600, deadline=None)
@given(_texts(PERIOD_PIECES, 14))
def test_period_guard_finds_what_the_plain_pattern_finds(text: str) -> None:
    assert [m.span() for m in F._PERIOD.finditer(text)] == [
        m.span() for m in PERIOD_PLAIN.finditer(text)
    ]


def test_period_guard_on_every_line_of_the_sample_page() -> None:
    for line in LINES:
        folded = fold_chars(line)
        assert [m.span() for m in F._PERIOD.finditer(folded)] == [
            m.span() for m in PERIOD_PLAIN.finditer(folded)
        ]


# --- sentences without a number and unit are not scanned ---------------------------------------

FIGURE_PIECES = [
    *"近超逾约上百千万亿十两一二三四五六七八九零〇第前数几:-—~至到.,%成多余来分之",
    *"0123456789０１２", "百分之", "个百分点", "亿元", "万人", "家", "个", "人次", "年", "月",
    "季度", "以上", "左右", "千克", "千米", "公里", "增长", "达", "，", "。", "企业", "级",
]  # fmt: skip


@settings(max_examples=800, deadline=None)
@given(_texts(FIGURE_PIECES, 16))
def test_a_sentence_with_figures_always_holds_a_number_with_a_unit(text: str) -> None:
    if F._scan(text):
        assert F._MAYBE_FIGURE.search(text)


def test_sentences_of_the_sample_page_with_figures_are_all_scanned() -> None:
    for line in LINES:
        folded = fold_chars(line)
        for s, e in split_sentences(folded):
            if F._scan(folded[s:e].strip()):
                assert F._MAYBE_FIGURE.search(folded, s, e)


ORG_PIECES = ["中国", "集团", "公司", "有限", "股份", "中粮", "电信", "，", "a", "累计", "供应"]


@settings(max_examples=400, deadline=None)
@given(_texts(ORG_PIECES, 10), st.integers(0, 12), st.integers(0, 30))
def test_organisation_precheck_equals_the_pattern(text: str, start: int, end: int) -> None:
    assert F._names_org(text, start, end) == bool(W.NAMED_ORG.search(text, start, end))


# --- one folded copy for every stage ----------------------------------------------------------


@pytest.fixture(scope="module")
def units() -> list[Unit]:
    docs = read_documents(SAMPLE)
    docs += documents_from_bytes(TRADITIONAL.encode("utf-8"), SAMPLE)
    return [u for d in docs for u in bounded_units(d)[0]]


def test_stages_given_the_folded_copy_find_what_they_find_on_their_own(units) -> None:
    for unit in units:
        folded = fold_chars(unit.body)
        assert find_mentions(unit.body, provinces=True, folded=match_key(unit.body)) == (
            find_mentions(unit.body, provinces=True)
        )
        paragraphs = [fold_chars(p) for p in unit.paragraphs]
        assert F.extract_figures(unit.paragraphs, folded=paragraphs) == F.extract_figures(
            unit.paragraphs
        )
        au = analyze_unit(unit)
        assert score_topics(unit, au.regions, au.figures, folded_body=folded) == score_topics(
            unit, au.regions, au.figures
        )


# --- the full-text columns ---------------------------------------------------------------------

TOKEN_PIECES = ["增长", "19.7%", "_", "a_b", "GDP", "，", "。", " ", "\n", "3.5", "——", "《", "x"]


@settings(max_examples=300, deadline=None)
@given(_texts(TOKEN_PIECES, 12))
def test_index_text_equals_its_plain_definition(text: str) -> None:
    tokens = segment.cut_for_search(search.for_matching(text))
    plain = re.sub(r"[^\w]+", " ", " ".join(tokens)).strip()
    assert search.index_text(text) == plain


def test_columns_made_ahead_are_stored_as_the_store_makes_them(tmp_path) -> None:
    (doc,) = read_documents(SAMPLE)
    units = analyze_document(doc)
    rows = []
    for name, kwargs in (("a", {}), ("b", {"fts": fts_texts(units)})):
        with Store.open(tmp_path / f"{name}.db") as store:
            store.save_document(doc, units, **kwargs)
            rows.append(
                store.conn.execute("SELECT rowid, title, body FROM articles_fts").fetchall()
            )
    assert rows[0] == rows[1] != []


@settings(max_examples=500, deadline=None)
@given(_texts(FIGURE_PIECES, 8) | st.text(max_size=12))
def test_quantity_value_is_the_value_parse_quantity_gives(text: str) -> None:
    q = parse_quantity(text)
    assert quantity_value(text) == (q.value if q else None)


def test_names_resolved_once_per_name_match_resolving_each_hit(monkeypatch) -> None:
    found = [find_mentions(line, provinces=True) for line in LINES]
    monkeypatch.setattr(_Matcher, "_context_free", _resolve_every_time)
    assert [find_mentions(line, provinces=True) for line in LINES] == found


def _resolve_every_time(self, hit):
    options = [(r, self._standing(hit, r, full)) for r, full in hit.entries]
    return options, self._without_context(options)
