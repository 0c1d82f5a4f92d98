"""What a figure measures, whose it is and where, on short sentences of the kinds newspapers
print (from–to changes, lists, shared statements, sources, scopes), plus properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from placefinder import locator

from briefings.figures import extract_figures
from briefings.models import Figure
from briefings.numbers import parse_number

# Places of the sentences below, as the pipeline's locator gives them (provinces included).
PLACES = {
    "缙云": "331122", "义乌": "330782", "慈溪": "330282", "余杭": "330110", "北仑": "330206",
    "绍兴": "330600", "浙江": "330000", "云南": "530000", "南宁": "450100", "江西": "360000",
    "湖南": "430000", "甘孜州": "513300", "阿坝州": "513200", "木里藏族自治县": "513422",
    "四川": "510000", "杭州": "330100", "武汉": "420100",
}  # fmt: skip
SHORT = {"甘孜州": "甘孜", "阿坝州": "阿坝", "木里藏族自治县": "木里"}


locate = locator(PLACES, SHORT)


def parent(codes) -> tuple[str, str] | None:
    return ("四川", "510000") if all(c.startswith("51") for c in codes) else None


def figures(sentence: str, **kwargs) -> list[Figure]:
    return extract_figures([sentence], locate, parent=parent, **kwargs)


def table(sentence: str, **kwargs) -> list[tuple[str, str, str, str]]:
    return [(f.text, f.indicator, f.role, f.region) for f in figures(sentence, **kwargs)]


# --- from–to changes -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "公司销售额从1200万元跃升到5600万元。",
            [("1200万元", "公司销售额", "from", ""), ("5600万元", "公司销售额", "current", "")],
        ),
        (
            "经过改革，审批环节由19个减少到14个。",
            [("19个", "审批环节", "from", ""), ("14个", "审批环节", "current", "")],
        ),
        (
            "数字经济占比由1.8%上升到15.2%。",
            [("1.8%", "数字经济占比", "from", ""), ("15.2%", "数字经济占比", "current", "")],
        ),
        (
            # The old value may carry its own period; the conversions in brackets are not figures.
            "交易规模已从2011年的130亿澳元（约合634.1亿元人民币）增长到430亿澳元（约合2097.5亿元"
            "人民币）。",
            [("130亿澳元", "交易规模", "from", ""), ("430亿澳元", "交易规模", "current", "")],
        ),
    ],
)
def test_a_from_to_change_gives_the_new_value_and_keeps_the_old_one_as_its_baseline(
    sentence, expected
):
    assert table(sentence) == expected


def test_every_step_but_the_last_of_a_chain_of_changes_is_old():
    rows = table("中国占世界经济比重从1978年的1.8%跃升至2012年的11.4%，再到2019年的15.9%。")
    assert [(text, role) for text, _, role, _ in rows] == [
        ("1.8%", "from"),
        ("11.4%", "from"),
        ("15.9%", "current"),
    ]


def test_a_comparison_baseline_is_an_old_value():
    rows = table("2019年英国国内生产总值增速为1.4%，较2018年1.3%的增速略有回升。")
    assert [(text, role) for text, _, role, _ in rows] == [("1.4%", "current"), ("1.3%", "from")]


def test_an_old_value_is_never_confident():
    assert [
        f.confident for f in figures("公司销售额从1200万元跃升到5600万元。") if f.role == "from"
    ] == [False]


# --- lists, shares, each -------------------------------------------------------------------------


def test_each_value_of_a_respectively_list_measures_its_item():
    rows = table("通信器材、化妆品类商品分别增长8.5%、12.6%。")
    assert [(text, ind) for text, ind, _, _ in rows] == [
        ("8.5%", "通信器材商品增速"),
        ("12.6%", "化妆品类商品增速"),
    ]


def test_each_place_of_a_respectively_list_gets_its_value():
    rows = table("中部地区外资稳步增长，其中，江西、湖南分别增长了10.3%和43.8%。")
    assert [(text, region) for text, _, _, region in rows] == [("10.3%", "江西"), ("43.8%", "湖南")]
    assert all("外资" in ind for _, ind, _, _ in rows)


def test_a_list_of_shares_names_each_share_by_its_own_noun():
    rows = table("全市拥有65%的规上企业和50.3%的高新技术企业。")
    assert [(text, ind) for text, ind, _, _ in rows] == [
        ("65%", "规上企业"),
        ("50.3%", "高新技术企业"),
    ]


def test_a_statement_shared_by_several_places_goes_to_each_of_them():
    rows = table("余杭、北仑、慈溪等GDP超3000亿元的“超级强县”格外引人注目。")
    assert rows == [
        ("超3000亿元", "GDP", "shared", "余杭"),
        ("超3000亿元", "GDP", "shared", "北仑"),
        ("超3000亿元", "GDP", "shared", "慈溪"),
    ]


def test_a_total_over_listed_places_belongs_to_the_region_holding_them():
    rows = table("四川藏区包含甘孜州、阿坝州和凉山彝族自治州木里藏族自治县32个贫困县。")
    assert rows == [("32个", "贫困县", "current", "四川")]


def test_each_keeps_its_marker_in_the_text_and_says_so_in_the_role():
    (fig,) = figures("联合金融机构为企业提供保险保障和信贷资金各100万元。")
    assert (fig.text, fig.value, fig.role) == ("各100万元", 1e6, "each")
    assert parse_number(fig.text) == fig.value


# --- whose figure --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "text", "indicator", "subject"),
    [
        (
            "《热辣滚烫》以34.6亿元的票房成绩获内地票房冠军。",
            "34.6亿元",
            "《热辣滚烫》票房",
            "《热辣滚烫》",
        ),
        ("缙云把它们做成了总产值超100亿元的“土特产”。", "超100亿元", "土特产总产值", "土特产"),
        (
            "家电是慈溪最厚实的家底——超千亿元营收、2000多家整机企业。",
            "超千亿元",
            "家电营收",
            "家电",
        ),
        (
            "规模以上互联网和相关服务企业完成业务收入12061亿元。",
            "12061亿元",
            "规模以上互联网和相关服务企业业务收入",
            "规模以上互联网和相关服务企业",
        ),
    ],
)
def test_the_indicator_names_whose_figure_it_is(sentence, text, indicator, subject):
    fig = next(f for f in figures(sentence) if f.text == text)
    assert (fig.indicator, fig.subject) == (indicator, subject)


def test_a_films_box_office_is_not_the_provinces():
    (fig,) = figures(
        "浙江出品电影《热辣滚烫》以34.6亿元的票房成绩获内地票房冠军。",
        province=("浙江", "330000"),
    )
    assert (fig.region, fig.subject) == ("", "《热辣滚烫》")


def test_sales_without_a_subject_belong_to_the_company_the_paragraph_names():
    (fig,) = extract_figures(["2011年成立海木新材料公司。第一年销售额即达500万元。"])
    assert fig.indicator == "海木新材料公司销售额"
    assert not fig.confident  # the company is named in another sentence


# --- where ---------------------------------------------------------------------------------------


def test_the_source_of_a_statistic_is_not_its_region():
    (fig,) = figures("据南宁海关统计，今年1—2月云南外贸进出口总额达320亿元。")
    assert (fig.region, fig.adcode) == ("云南", "530000")


def test_a_national_total_is_not_the_provinces_and_its_share_is():
    rows = table("在全国51条院线中,已有35条落地浙江。", province=("浙江", "330000"))
    assert rows == [("51条", "全国院线", "current", ""), ("35条", "院线", "current", "浙江")]


def test_a_province_wide_clause_belongs_to_the_province():
    (fig,) = figures("全省共有影视制作机构近4000家。", province=("浙江", "330000"))
    assert (fig.region, fig.adcode) == ("浙江", "330000")


def test_a_national_statement_does_not_inherit_the_articles_place():
    (fig,) = figures("我国居民医保人均财政补助标准新增30元。", default_region=("缙云", "331122"))
    assert fig.region == ""


def test_a_named_group_does_not_inherit_a_place_from_another_sentence():
    figs = extract_figures(
        ["武汉雷神山医院已建成。截至目前，中粮集团累计供应消毒酒精12550吨，覆盖湖北等地。"],
        locate,
    )
    assert [(f.text, f.region) for f in figs] == [("12550吨", "")]


def test_where_goods_were_sent_is_not_whose_figure_it_is():
    (fig,) = figures("截至2月18日，公司已发往武汉10多万套防护服。")
    assert fig.region == ""


# --- not economic data ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "搭载“天鹊”80吨液氧甲烷发动机的火箭首飞成功。",  # a product's class
        "打通农产品进城的最初一公里。",  # an idiom
        "景区海拔1200米，距县城30公里。",  # altitude and distance
        "累计发现各类问题204个，已整改198个。",  # governance counts
        "意大利累计有229人确认感染新冠病毒，其中6人死亡。",  # patients
        "K984次旅客列车马上就要驶来。",  # a train number
        "他总结出《2万吨精准操纵法》。",  # a title
        "或规上工业总产值1000亿元以上，这样的县才能被认定为工业大县。",  # a criterion
        "合同外资1亿美元以上的大项目增长较快。",  # a class label
        "黄河下游引黄流量达409立方米每秒。",  # a physical rate
    ],
)
def test_numbers_that_are_not_economic_data_are_not_figures(sentence):
    assert figures(sentence) == []


@pytest.mark.parametrize(
    "sentence",
    [
        "社区党委书记带领12名网格员逐户排查。",
        "“我家每年低保金有8748元。”",
        "春运期间长途客运班车客座率不得超过50%。",
    ],
)
def test_anecdotes_rules_and_small_groups_of_people_are_never_confident(sentence):
    assert not any(f.confident for f in figures(sentence))


def test_a_plain_county_statistic_is_confident():
    (fig,) = figures("义乌前两个月规上工业增加值仍增长13.1%。")
    assert (fig.indicator, fig.region, fig.confident) == ("规上工业增加值增速", "义乌", True)


def test_goals_are_goals_and_the_next_quotation_is_a_result():
    rows = table("“力争全年人工智能核心产业营收突破1500亿元”“已集聚人工智能领域优质企业超100家”。")
    assert [(text, role) for text, _, role, _ in rows] == [
        ("1500亿元", "goal"),
        ("超100家", "current"),
    ]


def test_a_forecast_framed_by_an_earlier_clause_is_a_goal():
    rows = table("非洲开发银行发布报告预计，2020年埃及经济增长率为5.8%，2021年为6%。")
    assert [(text, role) for text, _, role, _ in rows] == [("5.8%", "goal"), ("6%", "goal")]


# --- properties ----------------------------------------------------------------------------------

WORDS = st.sampled_from(
    [
        "从", "由", "增长到", "降至", "分别", "各", "、", "和", "的", "，", "。", "（约合", "）",
        "全省", "全国", "据", "统计", "缙云", "浙江", "余杭、北仑、慈溪等", "《片名》", "公司",
        "销售额", "营收", "增速", "占比", "1200万元", "5600万元", "19.7%", "3个", "120家",
        "2019年", "武汉至黄石段", "由4.5米", "提高至5.0米",
        "超千亿元", "近九成", "各100万元", "2025年", "力争", "过去，", "现在，", "每公斤",
    ]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(WORDS, max_size=18).map("".join), st.booleans())
def test_every_figure_is_verbatim_parses_back_and_has_a_known_role(text, with_default):
    default = ("缙云", "331122") if with_default else None
    for f in extract_figures([text], locate, default, province=("浙江", "330000"), parent=parent):
        assert f.text in f.sentence
        assert f.sentence in text
        assert parse_number(f.text) == f.value
        assert f.role in ("current", "from", "goal", "each", "shared")
        assert (f.region == "") == (f.adcode == "")
        assert not (f.confident and f.role == "from")
        assert f.subject in f.indicator
        assert "\x00" not in f.indicator
