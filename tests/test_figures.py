"""extract_figures and split_sentences on real sentences of the sample page, plus properties."""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from placefinder import locator

from briefings.figures import extract_figures, shown_text
from briefings.models import Figure
from briefings.numbers import parse_number
from briefings.sentences import split_sentences

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample_page_2026-04-15.txt"

# A stand-in for briefings.regions.find_mentions: names → adcodes, matched with str.find.
REGIONS = {
    "缙云": "331122", "上城": "330102", "义乌": "330782", "柯城": "330802", "慈溪": "330282",
    "桐庐": "330122", "柯桥": "330603", "余杭": "330110", "鄞州": "330212", "嘉善": "330421",
    "北仑": "330206", "乐清": "330382", "绍兴": "330600", "普陀": "330903", "象山": "330225",
    "杭州": "330100", "浙江": "330000",
}  # fmt: skip


fake_locate = locator(REGIONS)


@pytest.fixture(scope="module")
def paragraphs() -> list[str]:
    return [p for p in SAMPLE.read_text(encoding="utf-8").splitlines() if p.strip()]


@pytest.fixture(scope="module")
def page_figures(paragraphs: list[str]) -> list[Figure]:
    return extract_figures(paragraphs, fake_locate)


def paragraph_with(paragraphs: Sequence[str], needle: str) -> str:
    matches = [p for p in paragraphs if needle in p]
    assert len(matches) == 1, needle
    return matches[0]


def figures_of(paragraphs: Sequence[str], needle: str, **kwargs) -> list[Figure]:
    return extract_figures([paragraph_with(paragraphs, needle)], fake_locate, **kwargs)


def only(figures: Sequence[Figure], text: str) -> Figure:
    matches = [f for f in figures if f.text == text]
    assert len(matches) == 1, (text, [f.text for f in figures])
    return matches[0]


# --- what counts as a figure ------------------------------------------------------------------


def test_two_growth_rates_in_one_sentence_share_region_and_period(paragraphs: list[str]) -> None:
    figs = figures_of(paragraphs, "制造业投资猛增43.3%")
    assert [(f.indicator, f.value, f.unit, f.region, f.adcode, f.period) for f in figs] == [
        ("规上工业增加值增速", 13.1, "%", "义乌", "330782", "前两个月"),
        ("制造业投资增速", 43.3, "%", "义乌", "330782", "前两个月"),
    ]
    para = paragraph_with(paragraphs, "制造业投资猛增43.3%")
    assert {f.sentence for f in figs} == {para}


def test_default_region_applies_when_the_paragraph_names_none(paragraphs: list[str]) -> None:
    fig = only(figures_of(paragraphs, "增速高达19.7%", default_region=("柯城", "330802")), "19.7%")
    assert (fig.region, fig.adcode, fig.indicator, fig.value, fig.unit, fig.period) == (
        "柯城", "330802", "规上工业增加值增速", 19.7, "%", "前两个月",
    )  # fmt: skip
    assert fig.qualifier == "达"


def test_paragraph_without_region_or_default_leaves_region_empty(paragraphs: list[str]) -> None:
    fig = only(figures_of(paragraphs, "增速高达19.7%"), "19.7%")
    assert (fig.region, fig.adcode) == ("", "")


@pytest.mark.parametrize(
    ("needle", "text", "expected"),
    [
        # 家电是慈溪最厚实的家底——…: the topic before 是 is the subject of the list after ——.
        ("超千亿元营收", "超千亿元", ("家电营收", 1e11, "元", "超", "家电")),
        ("2000多家整机企业", "2000多家", ("家电整机企业", 2000, "家", "多", "家电")),
        ("上万家配套厂", "上万家", ("家电配套厂", 10_000, "家", "超", "家电")),
    ],
)
def test_indicator_after_the_number_names_what_is_counted(
    paragraphs: list[str], needle: str, text: str, expected: tuple[str, float, str, str, str]
) -> None:
    fig = only(figures_of(paragraphs, needle), text)
    assert (fig.indicator, fig.value, fig.unit, fig.qualifier, fig.subject) == expected


def test_orders_belong_to_the_company_the_paragraph_names_and_are_not_confident(
    paragraphs: list[str],
) -> None:
    # The company is named two sentences earlier: a good guess, not enough to show on its own.
    fig = only(figures_of(paragraphs, "超百个订单"), "超百个")
    assert fig.indicator.endswith("订单")
    assert fig.subject.endswith("有限公司")
    assert not fig.confident


@pytest.mark.parametrize(
    ("needle", "text", "expected"),
    [
        ("银幕总数近6000块", "近900家", ("影院", 900, "家", "近")),
        ("银幕总数近6000块", "近6000块", ("银幕总数", 6000, "块", "近")),
        ("影视制作机构近4000家", "近4000家", ("影视制作机构", 4000, "家", "近")),
        ("电影消费券超1.2亿元", "超1.2亿元", ("电影消费券", 1.2e8, "元", "超")),
        ("电影消费券超1.2亿元", "约17亿元", ("消费", 1.7e9, "元", "约")),
        ("34.6亿元的票房", "34.6亿元", ("《热辣滚烫》票房", 3.46e9, "元", "")),
        ("突破525亿元", "525亿元", ("规上工业总产值", 5.25e10, "元", "超")),
        ("领军人才262人", "262人", ("省级以上领军人才", 262, "人", "")),
        ("中试综合平台11家", "11家", ("概念验证和中试综合平台", 11, "家", "")),
        ("信贷资金各100万元", "各100万元", ("保险保障和信贷资金", 1e6, "元", "")),
        ("融资规模达18亿元", "18亿元", ("融资规模", 1.8e9, "元", "达")),
        ("首次突破8000亿元", "8000亿元", ("外贸进出口", 8e11, "元", "超")),
        ("出口占近九成", "近九成", ("出口占比", 90, "%", "近")),
        ("检验周期压缩60%以上", "60%以上", ("检验周期降幅", 60, "%", "超")),
    ],
)
def test_indicator_before_the_number_is_the_clause_subject(
    paragraphs: list[str], needle: str, text: str, expected: tuple[str, float, str, str]
) -> None:
    indicator, value, unit, qualifier = expected
    fig = only(figures_of(paragraphs, needle), text)
    assert (fig.indicator, fig.unit, fig.qualifier) == (indicator, unit, qualifier)
    assert fig.value == pytest.approx(value)


def test_period_is_carried_from_the_clause_before(paragraphs: list[str]) -> None:
    figs = figures_of(paragraphs, "电影消费券超1.2亿元")
    assert {f.period for f in figs} == {"2022年以来"}


def test_period_is_carried_from_an_earlier_sentence_of_the_paragraph(
    paragraphs: list[str],
) -> None:
    fig = only(figures_of(paragraphs, "出口占近九成"), "近九成")
    assert (fig.period, fig.region) == ("2025年", "义乌")


def test_region_falls_back_to_a_mention_after_the_figure(paragraphs: list[str]) -> None:
    # 'GDP同样跨过3000亿元的鄞州,前两个月工业增加值增速达10.4%': 鄞州 follows both figures.
    figs = figures_of(paragraphs, "GDP同样跨过3000亿元的鄞州")
    assert [(f.text, f.indicator, f.region, f.period) for f in figs] == [
        ("3000亿元", "GDP", "鄞州", ""),
        ("10.4%", "工业增加值增速", "鄞州", "前两个月"),
    ]


def test_a_statement_shared_by_listed_places_goes_to_each(paragraphs: list[str]) -> None:
    # 余杭、北仑、慈溪等GDP超3000亿元的“超级强县”: each of the three, said once.
    figs = [f for f in figures_of(paragraphs, "GDP超3000亿元") if f.text == "超3000亿元"]
    assert [(f.region, f.indicator, f.role) for f in figs] == [
        ("余杭", "GDP", "shared"),
        ("北仑", "GDP", "shared"),
        ("慈溪", "GDP", "shared"),
    ]


def test_region_is_carried_from_the_previous_paragraph_before_the_default(
    paragraphs: list[str],
) -> None:
    pair = [
        paragraph_with(paragraphs, "柯城成功“转身”"),
        paragraph_with(paragraphs, "增速高达19.7%"),
    ]
    figs = extract_figures(pair, fake_locate, default_region=("缙云", "331122"))
    assert [(f.text, f.region, f.adcode) for f in figs] == [("19.7%", "柯城", "330802")]


def test_a_city_named_in_the_previous_paragraph_is_not_carried(paragraphs: list[str]) -> None:
    # 杭州西湖的暖风 sets a scene; the next paragraph's box office of 《热辣滚烫》 is not 杭州's.
    pair = [
        paragraph_with(paragraphs, "杭州西湖的暖风"),
        paragraph_with(paragraphs, "34.6亿元的票房"),
    ]
    figs = extract_figures(pair, fake_locate)
    assert [(f.text, f.region) for f in figs] == [("34.6亿元", "")]


def test_province_wide_clause_is_not_attributed_to_a_county(paragraphs: list[str]) -> None:
    # 拥有横店、象山两大影视基地…,全省共有影视制作机构近4000家,影视文化上市公司26家: 象山 comes
    # first, but 全省 is the subject of both figures.
    figs = figures_of(paragraphs, "影视制作机构近4000家", default_region=("象山", "330225"))
    assert [(f.text, f.region, f.adcode) for f in figs] == [("近4000家", "", ""), ("26家", "", "")]


def test_comparison_with_the_province_keeps_the_county() -> None:
    figs = extract_figures(["慈溪家电产值占全省的30%。"], fake_locate)
    assert [(f.indicator, f.region) for f in figs] == [("家电产值占全省比重", "慈溪")]


def test_region_is_carried_into_a_sentence_that_names_none(paragraphs: list[str]) -> None:
    fig = only(figures_of(paragraphs, "超百个订单"), "超百个")
    assert (fig.region, fig.period) == ("桐庐", "截至目前")


def test_tight_qualifier_is_part_of_the_text_and_verbal_one_is_not(paragraphs: list[str]) -> None:
    figs = figures_of(paragraphs, "首次突破8000亿元")
    texts = [f.text for f in figs]
    assert "8000亿元" in texts
    assert "突破8000亿元" not in texts
    assert only(figures_of(paragraphs, "超千亿元营收"), "超千亿元").qualifier == "超"


# --- what does not ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "needle",
    [
        "4月14日上午",  # dates
        "1981年5月23日",  # full date, a year, 第一声, 首届
        "72:56",  # sports score, 连续三年
        "B区“9610”模式",  # codes
        "3000亿级的县域",  # class label
        "一件小事",
        "两年前,作为",  # a duration
        "连续30个月实现两位数增长",  # durations and 两位数
        "本报杭州4月14日讯",  # dateline and 14日
        "12大类60小类",  # categories of a list, not amounts
    ],
)
def test_paragraphs_without_economic_figures_give_none(paragraphs: list[str], needle: str) -> None:
    assert figures_of(paragraphs, needle) == []


def test_small_counts_and_ranks_are_skipped_next_to_real_counts(paragraphs: list[str]) -> None:
    # 一个县城 and 全国第一 open the paragraph that reports 111 and 327 reforms.
    figs = figures_of(paragraphs, "一个县城,如何干到全国第一")
    assert [(f.indicator, f.text) for f in figs] == [
        ("国家级改革", "111项"),
        ("省级以上改革", "327项"),
    ]


def test_ordinals_and_award_numbers_are_skipped_but_box_office_is_kept(
    paragraphs: list[str],
) -> None:
    # 第十七届, 第37届, “五个一工程”, 2024年 and 首位 sit next to 34.6亿元的票房.
    figs = figures_of(paragraphs, "第十七届精神文明建设")
    assert [f.text for f in figs] == ["34.6亿元"]


def test_ranks_and_single_digit_counts_are_skipped_next_to_real_counts(
    paragraphs: list[str],
) -> None:
    # 前三 is a rank and 5条本土院线 a small count; 51条, 35条 (of those 51 院线), 近900家 and
    # 近6000块 are figures.
    figs = figures_of(paragraphs, "浙江电影票房近年来稳居全国前三")
    assert [(f.text, f.indicator) for f in figs] == [
        ("51条", "全国院线"), ("35条", "院线"), ("近900家", "影院"), ("近6000块", "银幕总数"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    "sentence",
    [
        "拨打12345热线反映问题。",
        "全市建成5G基站。",
        "前10名企业名单公布。",
        "全区数十亿元资金涌入。",
        "预计增长5%-10%。",
        "一是优化营商环境;二是扩大开放。",
        "(1)推进产业升级。",
        "打造千家万户的幸福生活。",
        "引育估值亿元以上人才项目。",
        "这一模式已推广到两三个县。",
    ],
)
def test_codes_ranks_ranges_vague_amounts_and_numbering_are_not_figures(sentence: str) -> None:
    assert extract_figures([sentence]) == []


def test_list_numbering_does_not_hide_the_figure_in_the_item() -> None:
    figs = extract_figures(["一是新增规上企业120家;二是新建项目3个。"])
    assert [(f.indicator, f.text) for f in figs] == [("规上企业", "120家")]


# --- dedupe -----------------------------------------------------------------------------------


def test_a_sentence_printed_twice_gives_its_figures_once(paragraphs: list[str]) -> None:
    para = paragraph_with(paragraphs, "制造业投资猛增43.3%")
    assert extract_figures([para, para], fake_locate) == extract_figures([para], fake_locate)


def test_equal_texts_at_different_positions_are_both_kept() -> None:
    figs = extract_figures(["保险保障资金100万元,信贷资金100万元。"])
    assert [(f.indicator, f.text) for f in figs] == [
        ("保险保障资金", "100万元"),
        ("信贷资金", "100万元"),
    ]


# --- whole page and properties ----------------------------------------------------------------


def test_every_page_figure_is_verbatim_and_parses_back(
    paragraphs: list[str], page_figures: list[Figure]
) -> None:
    assert len(page_figures) >= 30
    for f in page_figures:
        assert f.text in f.sentence
        assert any(f.sentence in p for p in paragraphs)
        assert parse_number(f.text) == f.value
        assert f.indicator
        assert (f.region == "") == (f.adcode == "")


def test_full_width_text_gives_the_same_figures_as_ascii(paragraphs: list[str]) -> None:
    para = paragraph_with(paragraphs, "制造业投资猛增43.3%")
    wide = para.translate(str.maketrans("0123456789.%,", "０１２３４５６７８９．％，"))
    ascii_figs = extract_figures([para], fake_locate)
    wide_figs = extract_figures([wide], fake_locate)
    assert [(f.indicator, f.value, f.unit) for f in wide_figs] == [
        (f.indicator, f.value, f.unit) for f in ascii_figs
    ]
    assert all(f.text in wide for f in wide_figs)


SOUP = st.text(
    alphabet=(
        "零一二两三四五六七八九十百千万亿点0123456789.,%:-年月日个家元块人成多余超近约上第前"
        "义乌柯城规上工业增加值增速达增长占比订单营收。！？；，、“”…  \n"
    ),
    max_size=120,
)


@settings(max_examples=300)
@given(st.lists(SOUP, max_size=4), st.none() | st.just(("柯城", "330802")))
def test_extraction_never_raises_and_every_figure_is_verbatim(
    paras: list[str], default: tuple[str, str] | None
) -> None:
    for f in extract_figures(paras, fake_locate, default_region=default):
        assert f.text in f.sentence
        assert any(f.sentence in p for p in paras)
        assert parse_number(f.text) == f.value


@given(st.lists(st.text(), max_size=3))
def test_extraction_never_raises_on_arbitrary_text(paras: list[str]) -> None:
    for f in extract_figures(paras, fake_locate):
        assert f.text in f.sentence


# --- sentences --------------------------------------------------------------------------------


def test_closing_quote_stays_with_its_sentence(paragraphs: list[str]) -> None:
    para = paragraph_with(paragraphs, "不用再为研发资金犯愁了")
    first, second = (para[s:e] for s, e in split_sentences(para)[:2])
    assert first.endswith("“已经拿到科创保险单,不用再为研发资金犯愁了!”")
    assert second.startswith("近日,")


def test_ellipsis_ends_a_sentence_before_and_after_nfkc() -> None:
    text = "先驱……如今被称为三大奖之一。"
    for variant in (text, unicodedata.normalize("NFKC", text)):
        parts = [variant[s:e] for s, e in split_sentences(variant)]
        assert len(parts) == 2
        assert parts[0].startswith("先驱")


def test_decimal_points_and_commas_do_not_end_sentences() -> None:
    text = "增长13.1%,制造业投资猛增43.3%;出口占近九成。"
    parts = [text[s:e] for s, e in split_sentences(text)]
    assert parts == ["增长13.1%,制造业投资猛增43.3%;", "出口占近九成。"]


@given(st.text())
def test_sentence_spans_tile_the_paragraph(text: str) -> None:
    spans = split_sentences(text)
    assert "".join(text[s:e] for s, e in spans) == text
    assert all(s < e for s, e in spans)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(spans))


def test_goal_figures_say_they_are_goals():
    (goal,) = extract_figures(["力争全年人工智能核心产业营收突破1500亿元。"])
    assert goal.indicator.endswith("目标")
    assert goal.text == "1500亿元"
    (done,) = extract_figures(["去年人工智能核心产业营收突破1500亿元,力争今年再上台阶。"])
    assert not done.indicator.endswith("目标")


def test_a_goal_in_one_quotation_does_not_spill_into_the_next():
    sentence = "“力争全年人工智能核心产业营收突破1500亿元”“已集聚人工智能领域优质企业超100家”。"
    goal, result = extract_figures([sentence])
    assert goal.indicator.endswith("目标")
    assert not result.indicator.endswith("目标")


@pytest.mark.parametrize(
    ("sentence", "shown"),
    [
        ("规上工业总产值突破525亿元,五年再造了一个缙云工业。", "突破525亿元"),
        ("前两个月规上工业增加值增速高达19.7%。", "高达19.7%"),
        ("全省共有影院近900家。", "近900家"),
        ("义乌前两个月规上工业增加值仍增长13.1%。", "13.1%"),
    ],
)
def test_shown_text_keeps_the_printed_qualifier_word(sentence, shown):
    (figure,) = extract_figures([sentence])
    assert shown_text(figure) == shown
    assert shown in sentence


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "今年一季度,嘉兴实现地区生产总值1680.5亿元,同比增长6.8%。",
            [("地区生产总值", "1680.5亿元"), ("地区生产总值增速", "6.8%")],
        ),
        (
            "全市社会消费品零售总额520亿元,增长5.1%;进出口总额310亿元,下降2.3%。",
            [
                ("社会消费品零售总额", "520亿元"),
                ("社会消费品零售总额增速", "5.1%"),
                ("进出口总额", "310亿元"),
                ("进出口总额降幅", "2.3%"),
            ],
        ),
    ],
)
def test_a_bare_change_belongs_to_the_amount_before_it(sentence, expected):
    figures = extract_figures([sentence])
    assert [(f.indicator, f.text) for f in figures] == expected


def test_goal_cue_words_do_not_stay_in_the_indicator():
    (figure,) = extract_figures(["预计全年GDP有望突破8000亿元。"])
    assert figure.indicator == "GDP目标"


def test_traditional_and_full_width_text_is_read_and_shown_as_printed():
    sentence = "今年1至4月，義烏市實現出口總額１８５２億元，同比增長21.5%。"
    amount, growth = extract_figures([sentence])
    assert (amount.indicator, amount.text, amount.value) == ("出口总额", "１８５２億元", 1.852e11)
    assert (growth.indicator, growth.text) == ("出口总额增速", "21.5%")
    assert amount.sentence == sentence


@pytest.mark.parametrize(
    ("sentence", "indicator"),
    [
        ("出口占全省比重提升至12.3%。", "出口占全省比重"),
        ("研发投入占GDP比重提高到3.2%。", "研发投入占GDP比重"),
    ],
)
def test_a_verb_with_a_destination_is_not_part_of_the_indicator(sentence, indicator):
    (figure,) = extract_figures([sentence])
    assert figure.indicator == indicator


def test_a_bare_share_belongs_to_the_amount_before_it():
    figures = extract_figures(["从贸易方式看，一般贸易进出口3680亿元，占比75.7%。"])
    assert [(f.indicator, f.text) for f in figures] == [
        ("一般贸易进出口", "3680亿元"),
        ("一般贸易进出口占比", "75.7%"),
    ]
