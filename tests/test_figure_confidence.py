"""Which figures may stand alone as a figure line (``region · indicator · value``).

Each class of figure that is true in its sentence but misleads without it is shown as its
sentence instead: it is still extracted, only not confident. Every test pairs a made-up sentence
of the class with one of the same shape that is a plain statistic of the place, so each can fail
both ways.
"""

from __future__ import annotations

import pytest
from placefinder import locator

from briefings.figures import extract_figures
from briefings.models import Figure

REGIONS = {
    "缙云": "331122", "柯城": "330802", "义乌": "330782", "慈溪": "330282", "桐庐": "330122",
    "柯桥": "330603", "余杭": "330110", "象山": "330225", "普陀": "330903", "乐清": "330382",
    "杭州": "330100", "浙江": "330000",
}  # fmt: skip
locate = locator(REGIONS)
ZHEJIANG = ("浙江", "330000")


def figure(sentence: str, text: str, province: tuple[str, str] | None = ZHEJIANG) -> Figure:
    """The one figure of ``sentence`` printed as ``text``."""
    found = [f for f in extract_figures([sentence], locate, province=province) if f.text == text]
    assert len(found) == 1, [(f.text, f.indicator) for f in extract_figures([sentence], locate)]
    return found[0]


@pytest.mark.parametrize(
    ("doubtful", "plain", "text"),
    [
        # An organisation's own figure, filed under the county it stands in.
        (
            "柯城华越纺织股份公司今年员工到岗率达到95%。",
            "柯城今年规上企业员工到岗率达到95%。",
            "95%",
        ),
        ("余杭一家电商企业今年订单增长了30%。", "余杭电商企业今年订单增长了30%。", "30%"),
        # A gift: who gave what to whom.
        ("义乌市民去年向灾区捐款1500万元。", "义乌去年社会消费品零售额1500万元。", "1500万元"),
        # A share of a set, what the share is said after the number.
        ("桐庐1200家民宿中约30%为精品民宿。", "桐庐精品民宿占比约30%。", "约30%"),
        # People in hundreds: the staff of one firm; a statistic of jobs runs to thousands.
        ("柯桥一家纺织厂的600名工人昨天返岗。", "柯桥今年新增就业岗位3.5万个。", None),
        # The size of one building, plot or stretch of road.
        ("象山新建的游客中心建筑面积1.2万平方米。", "象山今年新建商品房建筑面积12万平方米。", None),
        ("救护车5分钟就通过了余杭拥堵的4公里路段。", "余杭今年新建农村公路120公里。", None),
        ("缙云20亩试验田收获了3万斤茭白。", "缙云今年茭白产量达到3万吨。", None),
        # A village's figure filed under its county.
        (
            "缙云壶镇镇前路村去年村集体收入达到80万元。",
            "缙云去年农村居民人均可支配收入达到80万元。",
            "80万元",
        ),
        # A foreign figure whose line would not say which country.
        ("日本去年的GDP增长0.7%。", "我国去年GDP增长0.7%。", "0.7%"),
        # An example of one item, not the place's figure.
        ("比如,乐清一家电器企业的订单增长了30%。", "乐清电器行业订单增长了30%。", "30%"),
        # A count cannot measure an amount: 21家 counts banks, not a balance.
        ("杭州21家银行绿色信贷余额超过1万亿元。", "杭州有银行网点2100家。", None),
        # An amount per year is a rate; without its 年 the line misleads.
        ("普陀新增海水淡化能力12万吨/年。", "普陀新增海水淡化能力12万吨。", "12万吨"),
        ("普陀海水淡化工程规模达到12万吨/日。", "普陀海水淡化工程规模达到12万吨。", "12万吨"),
    ],
)
def test_doubtful_figure_is_shown_as_its_sentence(
    doubtful: str, plain: str, text: str | None
) -> None:
    bad = extract_figures([doubtful], locate, province=ZHEJIANG)
    good = extract_figures([plain], locate, province=ZHEJIANG)
    if text is not None:
        bad = [f for f in bad if f.text == text]
        good = [f for f in good if f.text == text]
    assert bad, "the doubtful figure is still extracted (shown as its sentence)"
    assert not any(f.confident for f in bad)
    assert good
    assert all(f.confident for f in good)


def test_village_figure_is_doubtful_but_a_whole_county_scope_is_not() -> None:
    assert not figure("村里近百户农民种上了大棚蔬菜。", "近百户").confident
    assert figure("缙云全县建档立卡贫困户减少至320户。", "320户").confident


def test_change_measured_on_a_doubtful_figure_is_doubtful_too() -> None:
    doubtful = "缙云壶镇镇前路村去年村集体收入达到80万元,同比增长20%。"
    plain = "缙云去年农村居民人均可支配收入达到3.1万元,同比增长9%。"
    assert not figure(doubtful, "20%").confident
    assert figure(plain, "9%").confident


def test_change_of_a_forecast_is_not_shown_as_a_result() -> None:
    sentence = "今年,义乌旅客发送量预计达到790万人次,比去年增加约8.4%。"
    assert figure(sentence, "790万人次").role == "goal"
    assert not figure(sentence, "约8.4%").confident


def test_share_named_only_by_its_whole_is_doubtful() -> None:
    sentence = "义乌去年减税降费超过50亿元,占财政收入的比重超过2%。"
    assert not figure(sentence, "2%").confident


def test_share_of_the_nation_keeps_the_whole_in_its_indicator() -> None:
    f = figure("慈溪家电出口额达到500亿元,占全国的12%。", "12%")
    assert (f.indicator, f.region, f.confident) == ("家电出口额占全国比重", "慈溪", True)


def test_change_amount_says_it_is_a_change() -> None:
    f = figure("余杭制造业贷款较年初增加78亿元。", "78亿元")
    assert f.indicator == "制造业贷款增加"
    f = figure("余杭网贷机构借贷余额较年初减少12亿元。", "12亿元")
    assert f.indicator.endswith("减少")


def test_province_scope_of_an_unknown_province_is_no_region() -> None:
    sentence = "全省已召开网络招聘会80场,发布岗位12万个。"
    assert figure(sentence, "12万个").confident
    unknown = figure(sentence, "12万个", province=None)
    assert (unknown.region, unknown.confident) == ("", False)


@pytest.mark.parametrize(
    "sentence",
    [
        "执法人员查缴假冒化肥120吨,另有包装设备50台。",  # seized, not produced
        "第十二条  机关专职工作人员的配备,一般占机关工作人员总数的1%至2%。",  # a rule
        "缙云选派机关干部到企业,帮助1200家企业复工。",  # political work
    ],
)
def test_enforcement_rules_and_political_work_are_never_lines(sentence: str) -> None:
    assert not any(f.confident for f in extract_figures([sentence], locate, province=ZHEJIANG))


def test_a_compound_after_an_approximate_number_is_not_its_qualifier() -> None:
    f = figure("柯城联系协调10多家上下游企业。", "10多家")
    assert f.qualifier == "多"
