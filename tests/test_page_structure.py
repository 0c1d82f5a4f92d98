"""Page structure rules learnt from unseen pages (issue #8): kickers, titles and subtitles,
sub-heads, notes, photo items, columns of briefs and collections. The pages are synthetic,
written for these tests in tests/pages/; the rules are measured on the dev set by
bench/eval_pages.py (docs/parsing.md, bench/RESULTS.md)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefings.bylines import parse_people
from briefings.headlines import title_fields
from briefings.models import Unit
from briefings.parsing import PageParse, iter_text_fields, parse_page, parse_page_full
from briefings.typography import _is_headline_like, is_unfinished, starts_mid_sentence
from tests.test_parsing import _page as _random_page

PAGES = Path(__file__).resolve().parent / "pages"


def page(name: str) -> PageParse:
    return parse_page_full((PAGES / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def feature() -> list[Unit]:
    return page("feature_and_briefs.txt").units


@pytest.fixture(scope="module")
def collections() -> list[Unit]:
    return page("collections.txt").units


def titled(units: list[Unit], title: str) -> Unit:
    found = [u for u in units if u.title == title]
    assert len(found) == 1, [u.title for u in units]
    return found[0]


# --- kicker, title, subtitle ----------------------------------------------------------------------


def test_line_ending_in_a_dash_is_the_kicker_of_the_tagged_title_under_it(feature) -> None:
    unit = feature[0]
    assert unit.kicker == "山区县打通农产品上行通道，丽水——"
    assert unit.title == "云上农品走出大山（县域观察）"
    assert unit.subtitle == ""


def test_column_tag_stays_part_of_the_title_and_a_dash_line_under_it_is_the_subtitle(
    feature,
) -> None:
    unit = titled(feature, "激活县域消费的新引擎（经济时评）")
    assert unit.subtitle == "——访省商务厅有关负责人"


def test_a_deck_giving_the_figures_so_far_is_the_subtitle(feature) -> None:
    unit = titled(feature, "全省一季度新设市场主体增长一成")
    assert unit.kicker == ""
    assert unit.subtitle == "截至3月底，全省新设市场主体超过三十万户"


def test_a_leader_attending_is_the_subtitle(collections) -> None:
    unit = titled(collections, "宁波召开文旅发展大会")
    assert unit.subtitle == "李明出席并讲话"


def test_a_comma_set_kicker_above_a_tagged_title_is_its_kicker(collections) -> None:
    unit = titled(collections, "松阳老屋变客栈（乡村振兴在行动）")
    assert unit.kicker == "地处浙西南山区，守着好山好水，搞活文旅促增收"


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["自然资源部发布去年耕地保护督察结果", "全国违法违规占用耕地逾百万亩"],
         ("自然资源部发布去年耕地保护督察结果", "全国违法违规占用耕地逾百万亩", "")),
        (["旅游过大年 渐成新风尚（经济聚焦）", "产品供给更丰富，热门目的地预订火爆"],
         ("", "旅游过大年 渐成新风尚（经济聚焦）", "产品供给更丰富，热门目的地预订火爆")),
        (["人才估价 轻松融资（经济聚焦）"], ("", "人才估价 轻松融资（经济聚焦）", "")),
        (["新疆 258万户老乡住上抗震房"], ("", "新疆 258万户老乡住上抗震房", "")),
        (["绍兴推出全流程科技成果转化保障机制 保贷联动,守护科创星星之火"],
         ("", "绍兴推出全流程科技成果转化保障机制", "保贷联动,守护科创星星之火")),
        (["引题一行", "主标题一行在这里", "副标题一行在这里写"],
         ("引题一行", "主标题一行在这里", "副标题一行在这里写")),
        (["讲话", "（2020年1月17日，内比都）"], ("", "讲话", "（2020年1月17日，内比都）")),
    ],
)  # fmt: skip
def test_title_fields_of_header_lines(lines: list[str], expected: tuple[str, str, str]) -> None:
    assert title_fields(lines) == expected


_header_line = st.text(
    alphabet=st.sampled_from("县域经济发展电影（）—— ，、“”浙江观察访12"), min_size=1, max_size=24
)


@given(st.lists(_header_line, min_size=1, max_size=4))
def test_title_fields_never_lose_a_character(lines: list[str]) -> None:
    kicker, title, subtitle = title_fields(lines)
    printed = Counter("".join("".join(t.split()) for t in lines))
    assert Counter("".join((kicker + title + subtitle).split())) == printed


# --- the body's furniture -------------------------------------------------------------------------


def test_core_reading_label_is_the_first_paragraph_never_a_title(feature) -> None:
    unit = feature[0]
    assert unit.paragraphs[0] == "核心阅读"
    assert all("核心阅读" not in u.title + u.subtitle for u in feature)


def test_photo_credit_ends_the_article_and_is_kept_as_printed(feature) -> None:
    unit = feature[0]
    assert unit.notes == ["张  强摄（影像中国）"]
    assert unit.paragraphs[-1].startswith("如今，丽水的区域公用品牌")
    assert titled(feature, "春到茶园").notes == ["李  华摄（影像中国）"]


def test_author_note_ends_the_article_and_never_heads_the_next(feature) -> None:
    unit = titled(feature, "激活县域消费的新引擎（经济时评）")
    assert unit.notes == ["（作者为浙江省社会科学院研究员）"]
    assert all("作者" not in u.kicker + u.title for u in feature)


def test_headline_over_one_paragraph_and_a_photo_credit_is_a_titled_photo_item(feature) -> None:
    item = titled(feature, "春到茶园")
    assert item.kind == "caption"
    assert [p.name for p in item.byline] == ["李华"]
    assert len(item.paragraphs) == 1


def test_figures_set_large_and_the_lines_explaining_them_are_body_text(collections) -> None:
    unit = titled(collections, "宁波召开文旅发展大会")
    assert "3.2万家" in unit.paragraphs
    assert "全省新增市场主体中的文旅企业数量" in unit.paragraphs
    assert all(u.title not in ("3.2万家", "4.5%") for u in collections)


def test_writer_credit_in_parentheses_closes_the_article_as_its_byline(collections) -> None:
    unit = titled(collections, "松阳老屋变客栈（乡村振兴在行动）")
    assert [(p.name, p.role) for p in unit.byline] == [("吴丹", "本报记者")]


# --- sub-heads, items and columns ---------------------------------------------------------------


def test_comma_set_subheads_that_continue_the_article_stay_in_it(feature) -> None:
    unit = feature[0]
    assert unit.subheads == ["物流补短板，山货下山更快了", "品牌强质量，农产品卖出好价钱"]
    assert [u.title for u in feature].count("物流补短板，山货下山更快了") == 0


def test_column_of_briefs_is_one_article_named_by_the_column(feature) -> None:
    column = titled(feature, "快讯")
    assert column.subheads == ["台州新开通两条海上客运航线", "湖州启动春季植树活动"]
    assert column.paragraphs[0].startswith("本报电")
    assert [p.name for p in column.byline] == ["陈明"]
    assert column.notes == ["（陈  明）", "（王芳）"]


def test_items_introduced_by_an_editors_note_are_subheads(collections) -> None:
    unit = collections[0]
    assert unit.title == "新职业里的年轻人（青春故事）"
    assert unit.kicker == "直播带货员、社区团购团长、乡村民宿管家……"
    assert unit.subheads[:2] == ["直播带货员——", "“我把家乡的好东西卖到全国”"]
    assert len(unit.subheads) == 6
    assert sum(1 for u in collections if u.title) == 3


def test_short_lead_in_naming_an_item_the_kicker_listed_is_a_subhead() -> None:
    text = (
        "数据标注员、智能客服训练师……\n\n我的工作在线上\n\n"
        "越来越多的年轻人选择在线上工作。\n\n"
        "数据标注员——\n\n“我教会机器认识世界”\n\n小王每天给上千张图片标注类别。\n\n"
        "智能客服训练师——\n\n“让客服更懂顾客”\n\n小李每天整理顾客的常见问题。\n"
    )
    (unit,) = parse_page(text)
    assert unit.subheads == [
        "数据标注员——",
        "“我教会机器认识世界”",
        "智能客服训练师——",
        "“让客服更懂顾客”",
    ]


def test_a_quoted_line_inside_an_article_is_a_subhead(collections) -> None:
    unit = titled(collections, "松阳老屋变客栈（乡村振兴在行动）")
    assert unit.subheads == ["“老屋有了新用处”"]


# --- a reporter's note (记者手记) goes with the report it comments on --------------------------

_REPORT = (
    "山城茶园春茶开采\n\n"
    "本报丽水3月2日电  （记者张三）山城县茶园日前开采春茶，茶农采下的头茬嫩芽当天送进茶厂。"
    "今年山城县春茶种植面积扩大到三万亩，茶厂新上了两条加工线，茶农采茶后就近卖鲜叶。\n\n"
    "县农业农村局介绍，全县茶园今年推广统防统治，春茶品质和产量预计好于往年。\n\n"
    "（本报记者  张三）\n\n"
)


def test_reporters_note_sharing_the_reports_names_stays_in_it_after_its_closing_byline() -> None:
    text = _REPORT + (
        "茶农的笑脸（记者手记）\n\n"
        "在山城县茶园，茶农采下头茬嫩芽，送进茶厂的新加工线。春茶开采，茶农说今年的鲜叶卖得快，"
        "茶园统防统治让春茶品质好于往年。\n"
    )
    (unit,) = parse_page(text)
    assert unit.title == "山城茶园春茶开采"
    assert unit.subheads == ["茶农的笑脸（记者手记）"]


def test_reporters_note_on_another_story_is_a_piece_of_its_own_even_before_a_closing() -> None:
    text = _REPORT.replace("（本报记者  张三）\n\n", "") + (
        "保持耐心和信心（记者手记）\n\n"
        "截至当地时间周五上午，海港市的医院已接诊数百名发热病人，市长呼吁市民减少外出，"
        "超市的货架一度被抢购一空，但多数居民表现平静。\n"
    )
    report, note = parse_page(text)
    assert report.title == "山城茶园春茶开采"
    assert report.subheads == []
    assert note.title == "保持耐心和信心（记者手记）"
    assert note.paragraphs[0].startswith("截至当地时间周五上午")


# --- body sentences never become headlines (issue #14) ------------------------------------------


def test_a_line_continued_by_a_colon_is_rejoined_and_never_a_title(feature) -> None:
    unit = titled(feature, "全省一季度新设市场主体增长一成")
    assert unit.paragraphs[-1].startswith("嘉兴港区2023年夏天，港口集装箱吞吐量：首次突破")
    assert all("嘉兴港区" not in u.title for u in feature)


@pytest.mark.parametrize(
    "text",
    [
        "“很多贫困群众成为旅游公司的员工，月平均",  # a quotation opened and not closed
        "在杭州,一批算力中心陆续投运,为人工智能企业提供充足",  # clauses cut by a column break
        "记者从省商务厅获悉，一季度全省的",  # a comma and a dangling function word
    ],
)
def test_body_sentences_cut_by_a_column_break_are_not_headlines(text: str) -> None:
    assert is_unfinished(text)
    assert not _is_headline_like(text)


def test_no_title_on_the_test_pages_starts_mid_sentence() -> None:
    for path in PAGES.glob("*.txt"):
        for unit in parse_page(path.read_text(encoding="utf-8")):
            for field in (unit.kicker, unit.title, unit.subtitle):
                assert not (field and starts_mid_sentence(field)), (path.name, field)


@pytest.mark.parametrize(
    ("text", "tail"),
    [("20天。设备停机…", True), ("了。他说…", True), ("控尘。落实工地扬尘防控", False),
     ("电话响了。他赶紧接起来。", False)],
)  # fmt: skip
def test_a_short_first_sentence_is_a_tail_only_with_a_digit_or_a_single_character(
    text: str, tail: bool
) -> None:
    assert starts_mid_sentence(text) is tail


def test_long_title_with_a_long_column_tag_is_still_a_headline() -> None:
    assert _is_headline_like(
        "群众烦心事，就是要紧事（守初心 担使命 找差距 抓落实·深入开展主题教育·整改落实）"
    )


# --- bylines and credits ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "names", "credit"),
    [
        ("孟德龙摄（人民视觉）", ["孟德龙"], "摄"),
        ("王  正摄（影像中国）", ["王正"], "摄"),
        ("新华社记者 刘 潺摄", ["刘潺"], "摄"),
        ("方  敏  雷  宁摄影报道", ["方敏", "雷宁"], "摄影报道"),
        ("本报记者 程 焕整理", ["程焕"], ""),
        ("（陈 佳 吕珍瑜）", ["陈佳", "吕珍瑜"], ""),
    ],
)
def test_credits_and_bylines_with_spaced_names(text: str, names: list[str], credit: str) -> None:
    people = parse_people(text)
    assert people is not None
    assert [p.name for p in people.people] == names
    assert people.credit == credit


@pytest.mark.parametrize("text", ["（据新华社电）", "（本报电）", "数据整理", "■延伸阅读"])
def test_sources_and_labels_are_not_people(text: str) -> None:
    assert parse_people(text) is None or text.startswith("■")


# --- nothing lost, traditional characters ---------------------------------------------------------


ALL_PAGES = sorted(p.name for p in PAGES.glob("*.txt"))
# Pages without continuation marks: a mark's words (上接, 下转) are read into continued_from/to.
WHOLE_PAGES = [n for n in ALL_PAGES if n not in ("jump_and_fragments.txt", "two_bylines.txt")]


@pytest.mark.parametrize("name", WHOLE_PAGES)
def test_every_han_character_of_the_page_is_kept(name: str) -> None:
    text = (PAGES / name).read_text(encoding="utf-8")
    parsed = parse_page_full(text)
    out = Counter(parsed.section + "".join(t for _, t in parsed.dropped))
    for unit in parsed.units:
        out += Counter("".join(iter_text_fields(unit)))
        out += Counter("".join(p.name for p in unit.byline))

    def han(s: str) -> Counter[str]:
        return Counter(c for c in s if "\u4e00" <= c <= "\u9fff")

    assert not han(text) - han("".join(out.elements()))


@pytest.mark.parametrize("name", ALL_PAGES)
def test_traditional_pages_parse_like_their_simplified_originals(name: str) -> None:
    import zhconv

    from briefings.normalize import zhconv_tables

    zhconv_tables()
    text = (PAGES / name).read_text(encoding="utf-8")

    def shape(u: Unit) -> tuple:
        return (u.kind, bool(u.kicker), bool(u.title), bool(u.subtitle), len(u.paragraphs),
                len(u.subheads), len(u.notes), len(u.byline))  # fmt: skip

    for variant in ("zh-tw", "zh-hk"):
        converted = parse_page(zhconv.convert(text, variant))
        assert [shape(u) for u in converted] == [shape(u) for u in parse_page(text)], variant


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_random_page)
def test_no_title_kicker_or_subtitle_ever_starts_mid_sentence(text: str) -> None:
    for unit in parse_page(text.replace("\r\n", "\n").replace("\r", "\n")):
        for field in (unit.kicker, unit.title, unit.subtitle):
            assert not (field and starts_mid_sentence(field)), field
