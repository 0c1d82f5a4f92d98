"""The text toolkit: one sentence rule, one number tokenizer, one set of marks, datelines and
qualifier words, used alike by the figures, the digest and bot/'s message splitting."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.telegram_html import split_plain
from briefings.digest import _sentences
from briefings.figures import extract_figures, shown_text
from briefings.marks import CLOSERS, END_MARKS, HAN_CHAR, is_han
from briefings.models import Figure, StoredArticle
from briefings.numbers import (
    CN_NUMERAL_CHARS,
    number_tokens,
    numeral_value,
    parse_number,
    qualifier_before,
    split_qualifier,
)
from briefings.sentences import (
    clauses,
    ends_sentence,
    ends_statement,
    sentences,
    split_sentences,
    split_statements,
)
from briefings.typography import lead_marks_end

# Text made of the characters sentence rules care about, so that examples hit them often.
MARKS = END_MARKS + CLOSERS + "“‘「『（(\"'.，,、：:\n \u3000"
SOUP = st.text(alphabet=st.sampled_from([*MARKS, *"增长了数据浙江ab1"]), max_size=60)


def stored(body: str) -> StoredArticle:
    return StoredArticle(
        id=1, date="2026-04-15", source="浙江日报", page="1", kind="article", title="题",
        subtitle="", kicker="", section="", dateline="", body=body, url="", topics=(),
    )  # fmt: skip


def tiles(text: str, spans: list[tuple[int, int]]) -> bool:
    return (
        "".join(text[s:e] for s, e in spans) == text
        and all(s < e for s, e in spans)
        and all(a[1] == b[0] for a, b in itertools.pairwise(spans))
        and (not spans or (spans[0][0] == 0 and spans[-1][1] == len(text)))
    )


# --- sentences ------------------------------------------------------------------------------


@given(st.one_of(SOUP, st.text(max_size=80)))
def test_sentences_and_statements_tile_any_text_exactly(text: str) -> None:
    assert tiles(text, split_sentences(text))
    assert tiles(text, split_statements(text))
    assert "".join(clauses(text)) == text


@given(SOUP)
def test_every_statement_is_whole_sentences(text: str) -> None:
    sentence_ends = {e for _, e in split_sentences(text)}
    assert all(e in sentence_ends for _, e in split_statements(text))


@given(SOUP)
def test_statements_are_the_sentences_up_to_a_full_stop_or_a_line(text: str) -> None:
    expected, start = [], 0
    for s, e in split_sentences(text):
        if "\n" in text[s:e] or ends_statement(text[s:e]):
            expected.append((start, e))
            start = e
    if start < len(text):
        expected.append((start, len(text)))
    assert split_statements(text) == expected


@given(SOUP)
def test_a_sentence_ends_only_at_its_end(text: str) -> None:
    spans = split_sentences(text)
    for s, e in spans[:-1]:
        piece = text[s:e]
        assert ends_sentence(piece) or piece.endswith("\n")


def test_semicolons_and_ellipses_end_sentences_but_not_statements() -> None:
    first = "干线港口货物吞吐量31.6亿吨；完成集装箱吞吐量1940万TEU。"
    text = first + "知名选手、顶级赛事……跆拳道成为名片。"
    assert sentences(text) == [
        "干线港口货物吞吐量31.6亿吨；",
        "完成集装箱吞吐量1940万TEU。",
        "知名选手、顶级赛事……",
        "跆拳道成为名片。",
    ]
    statements = [text[s:e] for s, e in split_statements(text)]
    assert statements == [
        "干线港口货物吞吐量31.6亿吨；完成集装箱吞吐量1940万TEU。",
        "知名选手、顶级赛事……跆拳道成为名片。",
    ]
    assert ends_sentence("吞吐量31.6亿吨；")
    assert not ends_statement("吞吐量31.6亿吨；")


@pytest.mark.parametrize(
    "text",
    ["他说：“好。”", "（完）。）", "《读书》。》", "“犯愁了!”", "问题解决了？」", '他说:"好。"'],
)
def test_closers_stay_with_the_sentence_they_close(text: str) -> None:
    assert sentences(text + "下一句。") == [text, "下一句。"]


def test_a_figure_sentence_is_never_cut_by_a_digest_item() -> None:
    body = "全市生产总值增长6.8%；出口增长12.3%。慈溪的家电营收超千亿元。"
    items = [s.text for s in _sentences(stored(body))]
    assert items == ["全市生产总值增长6.8%；出口增长12.3%。", "慈溪的家电营收超千亿元。"]
    figures = extract_figures([body])
    assert {f.sentence for f in figures} >= {"全市生产总值增长6.8%；", "慈溪的家电营收超千亿元。"}
    for f in figures:  # each figure's sentence lies whole inside one item
        assert any(f.sentence in item for item in items)
    sentence_ends = {e for _, e in split_sentences(body)}
    for s in _sentences(stored(body)):
        assert s.start + len(s.text) in sentence_ends


def test_telegram_splitting_cuts_at_the_same_sentence_ends() -> None:
    text = "第一句很长很长很长；第二句也很长很长。第三句……第四句！"
    chunks = split_plain(text, limit=12)
    assert "".join(chunks) == text
    ends = {e for _, e in split_sentences(text)}
    cut = 0
    for c in chunks[:-1]:
        cut += len(c)
        assert cut in ends


# --- datelines and continuation marks ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rest"),
    [
        ("本报杭州4月14日讯(记者 王华)4月14日上午,省委召开会议。", "4月14日上午"),
        ("本報杭州4月14日訊（記者 王華）省委召開會議。", "省委召開會議"),
        ("新华社北京4月14日电 国家统计局发布数据。", "国家统计局"),
        ("(紧接第一版)如今被称为三大奖之一。", "如今"),
        ("（緊接第一版）如今被稱為三大獎之一。", "如今"),
        ("记者近日从国家电网了解到,用电量增长。", "记者近日"),
    ],
)
def test_datelines_and_continuation_marks_are_stripped_in_both_scripts(text, rest):
    assert text[lead_marks_end(text) :].lstrip().startswith(rest)


def test_the_digest_strips_a_traditional_dateline_from_the_lead() -> None:
    body = "本報杭州4月14日訊（記者 王華）省委召開縣委書記工作交流會，各地交流經驗。"
    (lead,) = _sentences(stored(body))
    assert lead.text.startswith("省委召開")
    assert body[lead.start :].startswith(lead.text)


# --- number tokens ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("二〇二五年是收官之年", ["二〇二五"]),
        ("二○二五年是收官之年", ["二○二五"]),
        ("壹佰贰拾元整", ["壹佰贰拾"]),
        ("壹贰叁", ["壹贰叁"]),
        ("大陆18个国家,收拾行装", ["18"]),
        ("一个县城,两年前,一成不变", []),
        ("“十四五”规划,两三个人", []),
        ("增速高达19.7%,出口占近九成,4,000人,18亿元", ["19.7%", "九成", "4,000", "18亿"]),
        ("超千亿元营收、上万家配套厂、十二大领域、一点五倍", ["千亿", "万", "十二", "一点五"]),
    ],
)
def test_number_tokens(text: str, tokens: list[str]) -> None:
    assert number_tokens(text) == tokens


NUMERALS = st.text(alphabet=st.sampled_from(CN_NUMERAL_CHARS), min_size=1, max_size=12)
FILLER = st.text(alphabet=st.sampled_from(list("的年元个浙江 ,")), min_size=1, max_size=3)


@settings(max_examples=300)
@given(st.lists(st.tuples(NUMERALS, FILLER), max_size=6))
def test_number_tokens_agree_with_numbers_on_random_numeral_strings(parts) -> None:
    """A run of Chinese numerals is a token exactly when numbers.py reads all of it as one
    number (and it is not a lone digit, which is grammar); it parses to that value."""
    text = "".join(n + f for n, f in parts)
    expected = []
    for run, _ in parts:
        value = numeral_value(run)
        lone = len(run) == 1 and run not in "十百千万亿"
        if value is not None and not lone:
            expected.append(run)
            assert parse_number(run) == pytest.approx(float(value))
    assert number_tokens(text) == expected


@pytest.mark.parametrize(("run", "value"), [("十九点七", 19.7), ("一点五", 1.5), ("三点", None)])
def test_decimal_numerals_are_one_token(run: str, value: float | None) -> None:
    tokens = number_tokens(run + "个")
    assert tokens == ([run] if value is not None else [])
    if value is not None:
        assert parse_number(tokens[0]) == pytest.approx(value)


@given(st.text(max_size=80))
def test_every_token_is_printed_and_parses(text: str) -> None:
    for token in number_tokens(text):
        assert token in text
        assert parse_number(token) is not None


def test_a_long_run_of_one_numeral_is_no_number() -> None:
    """4,000 × 一 (OCR debris) is longer than any numeral the figure scan reads. The old pattern
    retried such a run from every character (quadratic: 50 ms at 4,000); bench/bench_digest.py
    times the run against ordinary numerals of the same length."""
    assert number_tokens("一" * 4000) == []
    assert number_tokens("一" * 4000 + "增长19.7%") == ["19.7%"]


# --- marks and qualifier words ---------------------------------------------------------------


@given(st.characters())
def test_one_han_range(ch: str) -> None:
    assert is_han(ch) == bool(HAN_CHAR.fullmatch(ch))


@pytest.mark.parametrize(
    ("clause", "word"),
    [("规上工业总产值突破", "突破"), ("经济发达", ""), ("抵达", ""), ("将近", "将近"),
     ("仍高达", "高达"), ("不足", "不足"), ("线上", ""), ("增长", "")],
)  # fmt: skip
def test_qualifier_words_before_a_number(clause: str, word: str) -> None:
    assert qualifier_before(clause) == word


def test_a_bound_is_shown_without_its_qualifier_word() -> None:
    assert split_qualifier("超3000亿元") == ("超", "3000亿元")
    assert split_qualifier("3000亿元") == ("", "3000亿元")


def test_the_shown_text_takes_a_qualifier_word_but_not_the_end_of_another_word() -> None:
    reached = Figure("货物", 1850.0, "吨", "1850吨", qualifier="达", sentence="货物抵达1850吨。")
    assert shown_text(reached) == "1850吨"
    high = Figure("增速", 19.7, "%", "19.7%", qualifier="达", sentence="增速高达19.7%。")
    assert shown_text(high) == "高达19.7%"
