"""Comparable indicators: which extracted figures are which statistic (and which stay plain),
read from real sentences through the figure extractor, and what their periods say."""

from __future__ import annotations

from datetime import date

import pytest

from briefings.comparable import (
    INDICATORS,
    canonical_indicator,
    canonical_key,
    indicator_for_key,
    indicator_named,
    lookup,
)
from briefings.figure_periods import read_period
from briefings.figures import extract_figures
from briefings.models import Figure
from briefings.regions import find_mentions, load_gazetteer


def _locate(sentence: str):
    out = []
    for m in find_mentions(sentence):
        out.extend((s, e, m.region.short, m.region.adcode) for s, e in m.spans)
    return out


def figures_of(text: str) -> list[Figure]:
    load_gazetteer()
    return extract_figures([text], _locate)


def keys_of(text: str) -> list[tuple[str, str, str]]:
    """(region, text, key) of every figure of ``text`` that maps to a comparable indicator."""
    return [(f.region, f.text, k) for f in figures_of(text) if (k := canonical_key(f))]


def test_sample_page_shared_gdp_statement_gives_each_county_gdp() -> None:
    found = keys_of("现场发言中,余杭、北仑、慈溪等GDP超3000亿元的“超级强县”格外引人注目。")
    assert found == [
        ("余杭", "超3000亿元", "gdp"),
        ("北仑", "超3000亿元", "gdp"),
        ("慈溪", "超3000亿元", "gdp"),
    ]


def test_sample_page_yinzhou_gdp_and_its_industrial_growth_stay_apart_from_guishang() -> None:
    found = keys_of("GDP同样跨过3000亿元的鄞州,前两个月工业增加值增速达10.4%。")
    assert found == [("鄞州", "3000亿元", "gdp"), ("鄞州", "10.4%", "ind_va_growth")]


def test_sample_page_kecheng_guishang_growth() -> None:
    text = "前两个月,柯城规上工业增加值增速达19.7%,居全省第一。"
    assert keys_of(text) == [("柯城", "19.7%", "iva_growth")]


def test_a_goal_keeps_its_indicator_with_role_goal() -> None:
    text = "“力争全年人工智能核心产业营收突破1500亿元”,余杭区主要负责人说。"
    (f,) = [f for f in figures_of(text) if canonical_key(f)]
    assert f.role == "goal"
    assert canonical_key(f) == "rev:人工智能核心产业"


@pytest.mark.parametrize(
    ("sentence", "key"),
    [
        ("2025年,嘉善县实现地区生产总值1020亿元。", "gdp"),
        ("一季度,桐庐县社会消费品零售总额增长6.2%。", "retail_growth"),
        ("去年,乐清市出口额达1200亿元。", "exports"),
        ("今年前两个月,临海市外贸进出口总额增长12.5%。", "trade_growth"),
        ("2025年,诸暨市一般公共预算收入85亿元。", "budget"),
        ("去年,长兴县R&D经费投入强度达3.6%。", "rd_share"),
        ("一季度,东阳市固定资产投资增长8.8%。", "fai_growth"),
    ],
)
def test_sentences_map_to_their_indicator(sentence: str, key: str) -> None:
    assert [k for _, _, k in keys_of(sentence)] == [key]


@pytest.mark.parametrize(
    "sentence",
    [
        "2025年,义乌市人均GDP达15万元。",  # per head, not the county's GDP
        "2022年以来,义乌累计出口超3万亿元。",  # a sum over years is no year's flow
        "去年,海木新材料公司销售额达500万元。",  # a firm's, not a place's
        "柯城光电产业园营收超50亿元。",  # a park, not an industry
        "去年GDP增幅提高0.5个百分点。",  # a change of a rate, in points
    ],
)
def test_figures_that_stay_plain(sentence: str) -> None:
    assert keys_of(sentence) == []


def test_an_industry_named_by_its_subject_maps_to_that_industrys_revenue() -> None:
    assert indicator_named("家电营收", "家电").key == "rev:家电"
    assert indicator_named("光电行业产值").key == "output:光电行业"
    assert indicator_named("家电营收增速", "家电").key == "rev:家电:growth"
    assert indicator_named("某某公司营收") is None
    assert indicator_named("家电营收", "海尔公司") is None


def test_unit_role_confidence_and_period_gate_the_mapping() -> None:
    ok = ("GDP", "", "元", "2025年", "current", True)
    assert canonical_indicator(*ok) == "gdp"
    assert canonical_indicator("GDP", "", "美元", "2025年", "current", True) == ""
    assert canonical_indicator("GDP", "", "元", "2025年", "from", True) == ""
    assert canonical_indicator("GDP", "", "元", "2025年", "each", True) == ""
    assert canonical_indicator("GDP", "", "元", "2025年", "current", False) == ""
    assert canonical_indicator("GDP", "", "元", "目前", "current", True) == ""
    assert canonical_indicator("GDP目标", "", "元", "", "goal", True) == "gdp"
    assert canonical_indicator("GDP目标", "", "元", "", "current", True) == ""
    assert canonical_indicator("GDP增速", "", "%", "一季度", "current", True) == "gdp_growth"
    assert canonical_indicator("GDP增速", "", "百分点", "一季度", "current", True) == ""


@pytest.mark.parametrize(
    ("typed", "key"),
    [("GDP", "gdp"), ("gdp", "gdp"), ("ＧＤＰ", "gdp"), ("地区生产总值", "gdp"),
     ("规上工业增加值增速", "iva_growth"), ("规模以上工业增加值增速", "iva_growth"),
     ("出口", "exports"), ("社零", "retail"), ("家电营收", "rev:家电"),
     ("iva_growth", "iva_growth"),
     ("地区生产总值（GDP）", "gdp"), ("經濟增速", "gdp_growth")],
)  # fmt: skip
def test_what_users_type_finds_the_indicator(typed: str, key: str) -> None:
    found = lookup(typed)
    assert found is not None
    assert found.key == key


def test_every_key_reads_back_to_its_indicator() -> None:
    for key, ind in INDICATORS.items():
        assert indicator_for_key(key) == ind
    assert lookup("天气预报") is None
    assert lookup("") is None


@pytest.mark.parametrize(
    ("period", "span", "label", "end"),
    [
        ("前两个月", "part", "2026年1-2月", date(2026, 2, 28)),
        ("一季度", "part", "2026年1-3月", date(2026, 3, 31)),
        ("2025年", "year", "2025年", date(2025, 12, 31)),
        ("去年", "year", "2025年", date(2025, 12, 31)),
        ("", "none", "", None),
        ("截至目前", "point", "截至目前", date(2026, 4, 15)),
        ("2022年以来", "since", "2022年以来", date(2026, 4, 15)),
        ("今年以来", "part", "2026年以来", date(2026, 4, 15)),
        ("2030年", "other", "2030年", None),
    ],
)
def test_periods_read_against_the_publication_date(
    period: str, span: str, label: str, end: date | None
) -> None:
    p = read_period(period, "2026-04-15")
    assert (p.span, p.label, p.end) == (span, label, end)


def test_first_months_printed_early_in_a_year_are_last_years() -> None:
    assert read_period("前两个月", "2026-02-10").label == "2025年1-2月"
