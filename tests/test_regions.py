"""The gazetteer, look-up of user input, and region recognition in running news text."""

from __future__ import annotations

import importlib.util
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefings.errors import AmbiguousRegion, UnknownRegion
from briefings.regions import (
    GAZETTEER,
    Gazetteer,
    find_mentions,
    load_gazetteer,
    match_key,
    names_of,
    parse_gazetteer,
)

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample_page_2026-04-15.txt"


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return load_gazetteer()


@pytest.fixture(scope="module")
def page() -> str:
    return SAMPLE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def build_script():
    spec = importlib.util.spec_from_file_location(
        "build_gazetteer", ROOT / "scripts" / "build_gazetteer.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_gazetteer"] = module
    spec.loader.exec_module(module)
    return module


def counts(text: str) -> dict[str, int]:
    """adcode → mention count."""
    return {m.region.adcode: m.count for m in find_mentions(text)}


def shorts(text: str) -> dict[str, int]:
    return {m.region.short: m.count for m in find_mentions(text)}


# --- the gazetteer ---------------------------------------------------------------------------


def test_zhejiang_has_exactly_its_90_county_level_units(gaz):
    counties = gaz.zhejiang_counties()
    assert len(counties) == 90
    assert len({r.adcode for r in counties}) == 90
    assert Counter(r.city for r in counties)["杭州市"] == 13


def test_economic_development_zones_are_not_counties(gaz):
    assert gaz.by_adcode("330371") is None  # 温州经济技术开发区
    assert not [r for r in gaz.regions if "开发区" in r.name]


def test_every_county_has_its_parent_city_and_province(gaz):
    provinces = {r.name for r in gaz.regions if r.level == "province"}
    for county in (r for r in gaz.regions if r.level == "county"):
        parent = gaz.by_adcode(county.parent)
        assert parent is not None, county
        assert county.province in provinces
        assert parent.level in ("city", "province")
        if parent.level == "city":
            assert county.city == parent.name
    for county in gaz.zhejiang_counties():
        assert gaz.by_adcode(county.parent).level == "city"
        assert county.province == "浙江省"


def test_adcodes_are_unique_and_six_digits(gaz):
    codes = [r.adcode for r in gaz.regions]
    assert len(codes) == len(set(codes))
    assert all(len(c) == 6 and c.isdigit() for c in codes)


def test_municipality_districts_hang_off_the_municipality(gaz):
    putuo = gaz.by_adcode("310107")
    assert (putuo.name, putuo.parent, putuo.city) == ("普陀区", "310000", "上海市")
    assert putuo.display == "上海市普陀区"
    assert gaz.by_adcode("310000").level == "province"
    assert not [r for r in gaz.regions if r.level == "city" and r.name == "上海市"]


def test_gazetteer_header_records_its_source():
    header = [ln for ln in GAZETTEER.read_text(encoding="utf-8").splitlines() if ln.startswith("#")]
    text = "\n".join(header)
    assert "jionlp 1.5.31" in text
    assert "Apache-2.0" in text
    assert "sha256(china_location.txt): " in text


def test_gazetteer_loads_fast():
    text = GAZETTEER.read_text(encoding="utf-8")
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        Gazetteer(parse_gazetteer(text))
        timings.append(time.perf_counter() - start)
    assert min(timings) < 0.1


def test_load_gazetteer_is_cached(gaz):
    assert load_gazetteer() is gaz
    assert load_gazetteer(GAZETTEER) is gaz


# --- the build script ------------------------------------------------------------------------

LOCATION_EXCERPT = "\r\n".join(
    [
        "上海市\t310000\t上海",
        "\t上海市\t310000\t上海",
        "\t\t普陀区\t310107\t普陀",
        "\t\t\t长征镇",
        "浙江省\t330000\t浙江",
        "\t温州市\t330300\t温州",
        "\t\t温州经济技术开发区\t330371\t经开区",
        "\t\t龙港市\t330383\t龙港",
        "\t丽水市\t331100\t丽水",
        "\t\t景宁畲族自治县\t331127\t景宁",
        "湖北省\t420000\t湖北",
        "\t省直辖行政区划\t429000\t省直辖",
        "\t\t仙桃市\t429004\t仙桃",
        "新疆维吾尔自治区\t650000\t新疆",
        "\t克孜勒苏柯尔克孜自治州\t653000\t克州/克孜勒苏",
    ]
)


def test_build_keeps_administrative_units_only(build_script):
    rows = {r.adcode: r for r in build_script.parse_locations(LOCATION_EXCERPT)}
    assert "330371" not in rows  # economic zone
    assert "429000" not in rows  # placeholder
    assert sorted(r.level for r in rows.values()).count("city") == 3
    assert (rows["310107"].parent, rows["310107"].city) == ("310000", "上海市")
    assert (rows["429004"].parent, rows["429004"].city) == ("420000", "")
    assert rows["330383"].parent == "330300"
    assert "景宁县" in rows["331127"].aliases
    assert rows["653000"].short == "克州"
    assert "克孜勒苏" in rows["653000"].aliases


def test_build_pinyin_fixes_place_readings(build_script):
    assert build_script.place_pinyin("莲都") == "liandu"
    assert build_script.place_pinyin("长兴") == "changxing"
    assert build_script.place_pinyin("缙云") == "jinyun"


def test_build_userdict_leaves_out_short_names_from_elsewhere(build_script):
    rows = build_script.parse_locations(LOCATION_EXCERPT)
    words = build_script.userdict_words(rows)
    assert {"景宁", "景宁县", "龙港", "温州", "普陀区"} <= set(words)
    assert "普陀" not in words  # Shanghai's 普陀 is not a Zhejiang county
    assert "仙桃" not in words


def test_userdict_file_makes_county_names_single_tokens():
    from briefings import segment

    assert segment.cut("柯桥区和鄞州区的企业") == ["柯桥区", "和", "鄞州区", "的", "企业"]
    assert "新能源" in segment.cut("奥立安新能源科技")


# --- lookup of user input --------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    ["缙云", "缙云县", "丽水缙云", "丽水市缙云县", "浙江省丽水市缙云县", "縉雲", "縉雲縣",
     "缙云市", "jinyun", "JinYun", "jin yun", "ｊｉｎｙｕｎ", "Jinyun County", "331122", " 缙云 "],
)  # fmt: skip
def test_lookup_accepts_every_way_of_writing_a_county(gaz, query):
    assert gaz.lookup(query).adcode == "331122"


def test_lookup_finds_cities(gaz):
    hangzhou = gaz.lookup("杭州")
    assert (hangzhou.name, hangzhou.level) == ("杭州市", "city")
    assert gaz.lookup("hangzhou") == hangzhou


def test_lookup_prefers_the_zhejiang_unit_and_lists_the_others(gaz):
    putuo = gaz.lookup("普陀")
    assert putuo.adcode == "330903"
    assert [r.adcode for r in gaz.alternatives(putuo)] == ["310107"]
    assert gaz.lookup("上海普陀").adcode == "310107"
    assert gaz.lookup("象山").adcode == "330225"


def test_lookup_prefers_the_city_over_its_namesake_county(gaz):
    assert gaz.lookup("吉安").level == "city"


def test_lookup_raises_ambiguous_when_no_unit_wins(gaz):
    with pytest.raises(AmbiguousRegion) as err:
        gaz.lookup("朝阳")
    codes = {r.adcode for r in err.value.candidates}
    assert {"110105", "211300"} <= codes


def test_lookup_suggests_close_names_for_unknown_input(gaz):
    with pytest.raises(UnknownRegion) as err:
        gaz.lookup("缙去")
    assert err.value.suggestions[0].adcode == "331122"
    with pytest.raises(UnknownRegion) as err:
        gaz.lookup("jinyu")
    assert "331122" in [r.adcode for r in err.value.suggestions]
    assert len(err.value.suggestions) <= 5
    with pytest.raises(UnknownRegion):
        gaz.lookup("999999")
    with pytest.raises(UnknownRegion):
        gaz.lookup("   ")


# --- recognition in running text -------------------------------------------------------------


def test_sample_page_county_counts(page):
    found = shorts(page)
    expected = {"缙云": 9, "上城": 9, "义乌": 7, "柯城": 6, "慈溪": 6, "桐庐": 6, "柯桥": 4,
                "余杭": 3, "鄞州": 2, "嘉善": 2, "北仑": 1, "乐清": 1}  # fmt: skip
    assert {k: found.get(k) for k in expected} == expected


def test_sample_page_shared_names_resolve_to_zhejiang(page):
    found = counts(page)
    assert found["330903"] == 4  # 舟山市普陀区, 普陀体育馆, 落户普陀, 共享联盟·普陀
    assert found["330225"] == 1  # 横店、象山两大影视基地
    assert "330211" not in found  # 镇海炼化
    assert "330106" not in found  # 杭州西湖的暖风


def test_mentions_are_sorted_by_count_then_first_position(page):
    mentions = find_mentions(page)
    keys = [(-m.count, m.spans[0][0]) for m in mentions]
    assert keys == sorted(keys)
    assert all(m.count == len(m.spans) for m in mentions)
    assert {m.region.level for m in mentions} == {"county", "city"}


def test_idiom_containing_a_county_name_is_not_a_mention():
    assert counts("刚好是全省90个县(市、区)的半壁江山。") == {}


def test_model_county_and_county_list_are_not_mentions():
    text = "省委召开县(市、区)委书记工作交流会。全国首个AI+水上智慧出行示范县。"
    assert counts(text) == {}


def test_river_is_not_the_district_named_after_it():
    assert counts("钱塘江畔,高能级服务业再添新引擎。") == {}
    assert counts("钱塘区发布新政。") == {"330114": 1}


def test_west_lake_is_not_the_district():
    for text in ("1981年5月23日,杭州西湖的暖风裹着胶片的气息", "从西子湖畔发出。", "西湖的暖风"):
        assert "330106" not in counts(text), text
    assert counts("西湖区今年GDP增长") == {"330106": 1}


def test_company_named_after_a_district_is_not_a_mention():
    assert counts("如今迅速落地镇海炼化") == {}
    assert counts("镇海区今年工业增长") == {"330211": 1}


@pytest.mark.parametrize(
    ("text", "adcode"),
    [
        ("舟山渔场丰收,普陀渔民出海", "330903"),
        ("上海的普陀也有很多工厂", "310107"),
        ("宁波的江北区发布", "330205"),
        ("重庆江北机场扩建,江北的企业", "500105"),
        ("宁波象山影视城", "330225"),
        ("桂林的象山景区人气旺", "450304"),
        ("杭州的西湖区", "330106"),
        ("南昌的西湖区", "360103"),
    ],
)
def test_shared_short_names_are_resolved_by_context(text, adcode):
    assert adcode in counts(text)


@pytest.mark.parametrize(("text", "adcode"), [("普陀发布新政", "330903"), ("江北的企业", "330205")])
def test_shared_short_names_default_to_zhejiang_without_context(text, adcode):
    assert counts(text) == {adcode: 1}


def test_qualified_place_outside_zhejiang_keeps_its_province():
    mentions = find_mentions("以深圳南山区为代表的县域头部地区")
    assert [(m.region.adcode, m.region.province) for m in mentions] == [("440305", "广东省")]
    assert counts("上海普陀区") == {"310107": 1}


def test_short_name_from_another_province_needs_a_qualifier():
    assert counts("寿比南山") == {}
    assert counts("深圳南山") == {"440305": 1}


def test_qualified_mention_resolves_the_county_and_not_the_qualifier():
    assert counts("东南赛区在舟山市普陀区火热开赛") == {"330903": 1}
    assert counts("省委书记为衢州市柯城地委县政府颁奖") == {"330802": 1}
    assert counts("浙江省丽水市缙云县") == {"331122": 1}


def test_suffix_and_short_forms_count_as_one_region():
    text = "柯桥则给出了另一种答案。柯桥区主要负责人的发言里有答案。"
    mentions = find_mentions(text)
    assert [(m.region.adcode, m.count) for m in mentions] == [("330603", 2)]
    assert [text[a:b] for a, b in mentions[0].spans] == ["柯桥", "柯桥区"]


def test_dateline_names_the_city():
    assert counts("本报杭州4月14日讯(记者 张梦月 通讯员 褚陈静)") == {"330100": 1}


def test_person_named_after_a_place_is_not_a_mention():
    assert counts("王江山表示,今年订单增长。") == {}
    assert counts("江山市今年订单增长。") == {"330881": 1}


def test_place_names_that_are_everyday_words_need_support():
    assert counts("路桥建设加速推进") == {}
    assert counts("在天台上晾衣服") == {}
    assert "331004" in counts("台州的路桥发展很快")
    assert counts("台州天台") == {"331023": 1}


def test_city_names_that_are_everyday_words_need_a_qualifier():
    assert counts("朝阳产业蓬勃发展,白银价格上涨") == {}
    assert counts("辽宁朝阳") == {"211300": 1}


def test_spans_point_into_traditional_and_full_width_text():
    text = "縉雲縣的產業,ＡＩ帶動"
    mentions = find_mentions(text)
    assert [(m.region.adcode, [text[a:b] for a, b in m.spans]) for m in mentions] == [
        ("331122", ["縉雲縣"])
    ]
    text = "“…”缙云……义乌"
    assert {text[a:b] for m in find_mentions(text) for a, b in m.spans} == {"缙云", "义乌"}


def test_whole_page_is_fast_after_warm_up(page):
    find_mentions(page)
    timings = []
    for _ in range(5):
        start = time.perf_counter()
        find_mentions(page)
        timings.append(time.perf_counter() - start)
    assert statistics.median(timings) < 0.02


_NAMES = sorted({n for r in load_gazetteer().zhejiang_counties() for n in names_of(r)})
_FILLERS = [*"的和县区市、()江山王\n …", "炼化", "半壁", "湖畔", "表示", "舟山", "上海", "重庆"]
_FILLERS += ["宁波", "深圳", "南山", "普陀", "西湖"]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(st.sampled_from(_NAMES), st.sampled_from(_FILLERS), st.text(max_size=4)),
        max_size=30,
    ).map("".join)
)
def test_spans_always_cover_a_name_of_their_region(text):
    mentions = find_mentions(text)
    seen: set[tuple[int, int]] = set()
    for m in mentions:
        assert m.count == len(m.spans)
        allowed = {match_key(n) for n in names_of(m.region)}
        for a, b in m.spans:
            assert 0 <= a < b <= len(text)
            assert match_key(text[a:b]) in allowed
            assert (a, b) not in seen
            seen.add((a, b))


# --- false hits and misses, as classes ---------------------------------------------------------


def test_a_qualified_name_jieba_keeps_in_one_token_is_found():
    assert counts("上海市浦东新区一家证券公司员工张高说") == {"310115": 1}


def test_autonomous_prefectures_are_found_by_their_zhou_form():
    assert counts("四川藏区包含甘孜州、阿坝州") == {"513300": 1, "513200": 1}


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("瑞安·克罗克表示", "330381"),  # a transliterated personal name
        ("众议院议长保罗·瑞安说", "330381"),
        ("常金华说,今年的订单比去年多", "330700"),  # surname + given name + speech
        ("他在渔乐山庄吃饭", "511100"),  # a place name inside an unknown word
        ("首出庶物,万国咸宁。", "421200"),  # a classical phrase
        ("香港长沙湾的一家商店", "430100"),  # two names overlapping: neither
        ("香港长沙湾的一家商店", "511111"),
        ("宁德城区的道路", "371402"),  # 宁德 + 城区, not 宁 + 德城区
        ("位于吕梁山深处的村子", "141100"),  # a mountain
        ("锦江两岸灯火通明", "510104"),  # a river
        ("环杭州湾现代纺织服装集群", "330100"),  # a bay
    ],
)
def test_look_alikes_of_place_names_are_not_mentions(text, absent):
    assert absent not in counts(text)


def test_a_village_named_like_a_county_is_that_village_all_through_the_text():
    assert "330225" not in counts("泰国北部的象山村种咖啡。象山咖啡成为泰国最著名的咖啡产品。")


def test_an_organisations_local_branch_keeps_its_place():
    assert counts("本报记者 黄宇璐 共享联盟·普陀 王祖达") == {"330903": 1}


def test_the_city_before_a_common_area_noun_is_found():
    assert counts("宁德城区的道路") == {"350900": 1}


def test_provinces_are_returned_only_when_asked_for():
    text = "湖南省建档立卡农村贫困劳动力255.2万人。"
    assert find_mentions(text) == []
    assert [m.region.adcode for m in find_mentions(text, provinces=True)] == ["430000"]


def test_the_common_parent_of_listed_places_is_the_smallest_region_holding_them(gaz):
    from briefings.regions import common_parent

    assert common_parent(gaz, ["513300", "513200", "513422"]).name == "四川省"
    assert common_parent(gaz, ["330782", "330783"]).name == "金华市"
    assert common_parent(gaz, ["330782", "510104"]) is None


# --- names that are everyday words, regions of the country, names of people ----------------------
# Each text pairs a look-alike with a true mention of a place, so the test fails both ways.


def test_an_everyday_word_named_like_a_county_needs_that_county_named_nearby():
    far = "山东省惠民县的西瓜合作社开始育苗。" + "各地春耕有序推进。" * 30
    found = counts(far + "湖南慈利县274家惠民供销网点为农户供应肥料。")
    assert found == {"371621": 1, "430821": 1}  # the far 惠民 is 'benefiting the people'
    near = counts("山东省滨州市惠民县皂户李镇举办庙会，直播销售惠民泥塑。")
    assert near == {"371621": 2}  # 滨州市 only qualifies 惠民县


def test_an_everyday_word_is_not_its_place_even_next_to_its_prefecture():
    assert counts("甘南州的村子兴办养殖合作产业。") == {"623000": 1}
    assert counts("甘南州合作市的牧民") == {"623001": 1}


def test_a_peach_orchard_or_an_adjective_is_not_a_city():
    assert counts("安徽当涂县的老吴正在桃园里给桃树剪枝。") == {"340521": 1}
    filler = "各地春耕有序推进。" * 30
    assert counts("它素洁、典雅、清远。" + filler + "广东清远市的花农说。") == {"441800": 1}


def test_a_place_name_after_a_surname_and_before_speech_is_a_person():
    assert counts("政法委书记庄长兴说。浙江长兴县的企业复工。") == {"330522": 1}


def test_a_place_name_opening_a_transliterated_name_is_a_person():
    text = "人口统计学家安吉涅斯卡·菲海尔表示。湖州安吉的电站开工。"
    assert counts(text) == {"330523": 1}


def test_names_listed_with_regions_of_the_country_are_regions_too():
    assert counts("西南地区东部、江汉、江南、华南等地有中到大雨。") == {}
    assert counts("新四军转战苏北、淮北、淮南等地。") == {}
    assert counts("武汉市江汉、江岸、硚口等区加强管控。") == {
        "420103": 1,
        "420102": 1,
        "420104": 1,
    }


def test_a_mountain_slope_is_not_a_district():
    assert counts("新疆天山北麓等地有大雾。乌鲁木齐市天山区的学校停课。") == {"650102": 1}


def test_a_name_shared_with_zhejiang_is_not_zhejiangs_next_to_another_provinces_places():
    assert counts("南京的江北新区建设加快。") == {"320100": 1}
    assert counts("武汉市协和江北医院的医生") == {"420100": 1}
    assert counts("宁波江北的企业") == {"330205": 1}
    assert counts("江北的企业") == {"330205": 1}  # no other place near: Zhejiang's


def test_a_province_before_a_county_is_not_read_across_the_seam():
    # 浙江安吉 holds 江安 (a county of Sichuan) across 浙江 | 安吉; 长沙湾 is still neither.
    assert counts("位于浙江安吉的电站") == {"330523": 1}
    assert counts("香港长沙湾的一家商店") == {}


# --- the place a figure's pointing word (该区, 全县) or scope word (全省) stands for ------------


def _figure_regions(title: str, paragraphs: list[str]) -> dict[str, str]:
    from briefings.models import Unit
    from briefings.pipeline import analyze_unit

    unit = Unit(kind="article", title=title, paragraphs=paragraphs)
    return {f.text: f.region for f in analyze_unit(unit).figures}


def test_gaiqu_after_a_zone_of_a_city_is_not_that_citys_figure():
    found = _figure_regions(
        "河南南阳党员投入基层防控",
        [
            "南阳市号召全市党员下沉基层。",
            "在南阳市城乡一体化示范区，党员设立服务岗。仅2月13日，该区就向城区居民供应蔬菜16880斤。",
            "南阳市西峡县组织企业复工。该县向城区居民供应蔬菜3000斤。",
        ],
    )
    assert found == {"16880斤": "", "3000斤": "西峡"}


def test_quanqu_is_not_a_banner_of_an_autonomous_region():
    found = _figure_regions(
        "内蒙古乌兰牧骑",
        [
            "苏尼特右旗乌兰牧骑成立于1957年。",
            "如今全区发展专业乌兰牧骑共75支3000多人。",
            "苏尼特右旗的牧民说，今年全旗接待游客12万人次。",
        ],
    )
    assert found == {"75支": "", "3000多人": "", "12万人次": "苏右旗"}


def test_a_province_written_before_quansheng_is_the_scope_not_the_pages_province():
    found = _figure_regions(
        "湖北规上工业企业复工",
        [
            "湖北省各地企业陆续复工。",
            "截至2月底，全省规上工业企业复工率达到85%。",
            "福建全省规上工业企业复工率达到92%。",
        ],
    )
    assert found == {"85%": "湖北", "92%": "福建"}


def test_a_unit_of_stories_from_several_places_lends_none_of_them_to_its_figures():
    stories = [
        "安徽当涂县的桃农老吴种桃多年。当涂的桃花村游人如织。",
        "合肥的小伙子回乡创业。广东惠城的工厂复工。",
        "河北张家口市沽源县的护林员巡山。",
        "老刘是村里的建档立卡贫困户。",
        "他说，担任生态护林员，年收入4200元。",
    ]
    assert _figure_regions("一步一脚印", stories) == {"4200元": ""}
    one_place = ["安徽当涂县的桃农老吴种桃多年。当涂的桃花村游人如织。", *stories[-2:]]
    assert _figure_regions("一步一脚印", one_place) == {"4200元": "当涂"}
