"""What a figure line says it measures: a threshold word is never the indicator, and a national
total says it is national. Sentences written for these tests, not taken from a page."""

from __future__ import annotations

from placefinder import locator

from briefings.figure_lines import figure_line
from briefings.figures import extract_figures

PLACES = {"北仑": "330206", "海宁": "330481", "杭州": "330100", "义乌": "330782"}


locate = locator(PLACES)


def figure(paragraphs: list[str], text: str):
    (found,) = [f for f in extract_figures(paragraphs, locate) if f.text == text]
    return found


# --- a threshold crossed ----------------------------------------------------------------------


def test_a_threshold_takes_the_indicator_stated_before_for_the_same_place() -> None:
    paragraphs = [
        "会上,北仑、海宁等GDP超2000亿元的县域经济体格外受关注。",
        "去年刚跨过2000亿元大关的北仑,把“稳”字放在首位。",
    ]
    crossed = figure(paragraphs, "2000亿元")
    assert crossed.region == "北仑"
    assert crossed.indicator == "GDP"
    assert crossed.period == "去年"  # the period stays the period, not part of the indicator
    assert crossed.confident
    assert figure_line(crossed).plain() == "北仑 · 去年GDP 跨过2000亿元"


def test_a_threshold_without_an_earlier_statement_is_shown_as_its_sentence() -> None:
    paragraphs = ["今年刚站上500亿元新台阶的义乌,正加快布局数字贸易。"]
    (only,) = extract_figures(paragraphs, locate)
    assert not only.confident
    line = figure_line(only)
    assert line.excerpt
    assert "新台阶的义乌" in line.plain()


def test_a_threshold_does_not_borrow_another_amount_or_another_place() -> None:
    paragraphs = [
        "北仑GDP超2000亿元,海宁GDP超1000亿元。",
        "刚迈过1000亿元门槛的义乌,也在加快追赶。",  # same amount, another place
        "刚迈过3000亿元关口的北仑,还要再上层楼。",  # same place, another amount
    ]
    for text in ("1000亿元", "3000亿元"):
        f = [f for f in extract_figures(paragraphs, locate) if f.text == text][-1]
        assert not f.confident, f


# --- a national total ---------------------------------------------------------------------------


def test_a_national_total_says_it_is_national() -> None:
    sentence = "在全国120条院线中,已有80条落地杭州。"
    national = figure([sentence], "120条")
    assert national.region == ""
    assert national.indicator == "全国院线"
    assert figure_line(national).plain() == "全国院线 120条"
    local = figure([sentence], "80条")
    assert local.region == "杭州"
    assert not local.indicator.startswith("全国")


def test_the_national_word_carries_to_the_later_figures_of_its_sentence() -> None:
    sentence = "2025年,我国新设外资企业超过4万家,实际使用外资增长5.8%。"
    firms, growth = extract_figures([sentence], locate)
    assert firms.indicator == "我国新设外资企业"
    assert growth.indicator.startswith("我国")


def test_the_nation_owned_or_given_to_is_no_national_total() -> None:
    owned = figure(["在生产端,蒙牛全国41个生产基地加班加点保障供应。"], "41个")
    assert not owned.indicator.startswith("全国")
    given = figure(["旅日侨界为我国受疫情影响的地区募集善款1132.5万元。"], "1132.5万元")
    assert not given.indicator.startswith("我国")
    named = figure(["全国“扫黄打非”办举报中心共受理线索27万余件,关闭网站3.5万个。"], "3.5万个")
    assert not named.indicator.startswith("全国")
