"""Collections, series of items, columns and signatures (issue #8, second round): the rules that
decide whether a header inside an article is one of its sections or the next article. The
pages are synthetic, written for these tests in tests/pages/; the rules are measured on the
dev set by bench/eval_pages.py (docs/parsing.md, bench/RESULTS.md)."""

from __future__ import annotations

import pytest

from briefings.bylines import names_only, parse_people
from briefings.headlines import is_standing_head, title_fields
from briefings.linking import link_parts
from briefings.models import Unit
from briefings.parsing import parse_article, parse_page
from briefings.typography import _is_headline_like, is_unfinished, starts_mid_sentence
from tests.test_page_structure import page, titled

NEW_PAGES = [
    "told_and_signed.txt",
    "series_and_packages.txt",
    "briefs_letters_documents.txt",
    "features_and_pictures.txt",
]


@pytest.fixture(scope="module")
def told() -> list[Unit]:
    return page("told_and_signed.txt").units


@pytest.fixture(scope="module")
def series() -> list[Unit]:
    return page("series_and_packages.txt").units


@pytest.fixture(scope="module")
def briefs() -> list[Unit]:
    return page("briefs_letters_documents.txt").units


@pytest.fixture(scope="module")
def features() -> list[Unit]:
    return page("features_and_pictures.txt").units


def titles(units: list[Unit]) -> list[str]:
    return [u.title for u in units if u.title]


# --- signatures ----------------------------------------------------------------------------------


def test_teller_and_reporter_lines_sign_the_item_above_and_are_never_titles(told) -> None:
    unit = told[0]
    assert unit.subheads == ["茶园再扩二十亩", "学会新技术，蜂蜜卖得远", "民宿开起来，邻居一起干"]
    assert unit.notes[:2] == ["丽水市松阳县新兴镇茶农王大山讲述", "本报记者  李  明整理"]
    assert [p.name for p in unit.byline] == ["李明", "赵亮", "孙雷"]
    assert all("讲述" not in t for t in titles(told))


def test_a_documents_issuer_and_date_sign_it(briefs) -> None:
    unit = titled(briefs, "省政府印发《浙江省农村供水管理办法》")
    assert unit.notes == ["浙江省人民政府", "2020年2月28日"]
    assert "萧山举办春季招聘会" in titles(briefs)


def test_a_letter_signed_with_place_and_name_is_closed_by_that_line(briefs) -> None:
    column = titled(briefs, "建议")
    assert column.subheads == ["让公交线路多开一些", "楼道灯坏了要及时修"]
    assert column.notes == ["浙江丽水市  王  平", "浙江嘉兴市  陈晓东"]


# --- names under a headline ----------------------------------------------------------------------


def test_a_name_under_a_headline_is_its_writers_byline(told) -> None:
    column = titled(told, "同心守护家园（大家谈）")
    assert column.subheads == ["小区里多了志愿者", "菜市场干净了", "公交站有了候车亭"]
    assert [p.name for p in column.byline] == ["王明山", "张红", "赵婉清"]


@pytest.mark.parametrize(
    ("text", "names"),
    [("王明钦", ["王明钦"]), ("张  红", ["张红"]), ("程 焕 曾 坤", ["程焕", "曾坤"]),
     ("预告", None), ("加大支持 做好服务", None), ("人才估价 轻松融资", None)],
)  # fmt: skip
def test_names_only_takes_short_names_and_a_lone_two_character_word_is_no_name(
    text: str, names: list[str] | None
) -> None:
    people = names_only(text)
    assert (None if people is None else [p.name for p in people.people]) == names


def test_four_character_words_under_a_marker_are_a_subhead_not_names() -> None:
    assert parse_people("■加大支持 做好服务") is None
    assert parse_people("■ 本报记者 郑亚丽 夏丹") is not None


def test_a_short_column_name_above_a_headline_is_no_debris() -> None:
    text = (
        "图片报道\n\n市民在公园里赏花。\n\n新华社发\n\n"
        "来论\n\n用好网上新闻发布会\n\n郑少忠\n\n发布会搬到网上，信息更及时。\n"
    )
    unit = parse_page(text)[-1]
    assert (unit.kicker, unit.title) == ("来论", "用好网上新闻发布会")
    assert [p.name for p in unit.byline] == ["郑少忠"]


# --- collections and series ----------------------------------------------------------------------


def test_collection_items_continue_after_each_authors_note(told) -> None:
    column = titled(told, "同心守护家园（大家谈）")
    assert column.notes == [
        "（作者为杭州市上城区居民）",
        "（作者为宁波市海曙区退休教师）",
        "（作者为台州市黄岩区村民）",
    ]


def test_after_one_line_subheads_a_lead_in_over_a_title_is_the_next_article(told) -> None:
    unit = titled(told, "白茶小镇迎来新游客")
    assert unit.kicker == "安吉推进美丽乡村建设"
    assert len(told) == 3


def test_items_set_alike_under_a_feature_headline_are_its_sections(series) -> None:
    unit = titled(series, "奋战在防汛一线（基层干部新风貌）")
    assert unit.subheads == [
        "临安区水利局干部赵一帆——", "“大堤在，我就在”",
        "建德市寿昌镇党委委员孙晓梅——", "“先把老人接出来”",
        "淳安县应急管理局干部吴大海——", "“物资要送到最前面”",
    ]  # fmt: skip
    assert [p.name for p in unit.byline] == ["钱晓东", "周敏", "郑浩"]


def test_time_and_place_lines_under_an_items_byline_are_its_text(series) -> None:
    unit = series[0]
    assert "时间：6月12日8时" in unit.paragraphs
    assert "地点：杭州临安区青山湖大堤" in unit.paragraphs
    assert not any(t.startswith(("时间", "地点")) for t in titles(series))


def test_a_lead_in_telling_what_happened_is_not_set_like_items_naming_who(series) -> None:
    unit = titled(series, "某能源集团驰援受灾地区")
    assert unit.kicker == "捐赠五千万元，设立防汛救灾基金——"


def test_a_standing_head_begins_an_article_and_its_items_follow_it(series) -> None:
    unit = titled(series, "代表之声·聚焦乡村振兴")
    assert unit.subheads == [
        "全国人大代表张远山：", "“乡村要留得住年轻人”",
        "全国人大代表李秋云：", "“农产品要卖出好价钱”",
    ]  # fmt: skip
    assert titled(series, "讲好乡村振兴故事（履职故事）").kicker == "全国人大代表陈海波——"
    assert is_standing_head("解码·显著优势")
    assert not is_standing_head("聚焦乡村振兴")


# --- dated reports -------------------------------------------------------------------------------


def test_a_lead_in_and_title_inside_a_dated_report_head_the_next_article(briefs) -> None:
    unit = titled(briefs, "湖州种粮大户忙备耕")
    assert unit.kicker == "打好春耕第一仗"
    assert titled(briefs, "萧山举办春季招聘会").subheads == []


def test_a_short_plain_headline_inside_a_dated_report_heads_the_next_article(briefs) -> None:
    assert titled(briefs, "再接再厉 稳住就业").paragraphs[0].startswith("就业是最大的民生")
    assert titled(briefs, "绍兴发放百万元消费券").subheads == []


def test_quotation_alone_inside_a_dated_report_heads_the_next_article() -> None:
    text = (
        "全国交警保春运平安\n\n"
        "本报北京2月2日讯  （记者高原）春运以来，全国道路交通安全形势平稳。\n\n"
        "各地交警加强巡逻，及时处置交通事故。\n\n“此刻，我们也是战士！”\n\n"
        "坐上高铁的那一刻，医生小李给家人发了一条短信。\n"
    )
    assert [u.title for u in parse_page(text)] == ["全国交警保春运平安", "“此刻，我们也是战士！”"]


def test_a_long_deck_between_headline_and_dateline_is_the_subtitle() -> None:
    deck = "部署做好春季农业生产，要求抓好粮食生产；听取防汛准备情况汇报，部署确保安全度汛"
    text = f"省政府召开常务会议\n\n{deck}\n\n本报杭州3月2日讯  省政府3月2日召开常务会议。\n"
    (unit,) = parse_page(text)
    assert (unit.title, unit.subtitle) == ("省政府召开常务会议", deck)
    assert unit.dateline == "本报杭州3月2日讯"
    assert title_fields(["省政府召开常务会议", deck]) == ("", "省政府召开常务会议", deck)


# --- features: leads, sections, documents --------------------------------------------------------


def test_a_features_one_line_headings_before_its_closing_note_are_its_sections(features) -> None:
    unit = features[0]
    assert unit.subheads == ["一条走了二十年的山路", "夜里的瞭望台"]
    assert unit.notes == ["（吴晓明  周丽参与采写）"]


def test_the_first_heading_after_a_short_lead_is_a_section_not_counting_the_core_box(
    features,
) -> None:
    unit = titled(features, "城市书房，温暖一座城（文化观察）")
    assert unit.subheads == ["夜读的年轻人"]
    assert unit.paragraphs[0] == "核心阅读"


def test_the_document_an_article_announces_is_its_text(briefs) -> None:
    unit = titled(briefs, "省政府印发《浙江省农村供水管理办法》")
    assert unit.subheads == ["浙江省农村供水管理办法", "第一章  总  则", "第二章  工程建设"]
    assert "（2020年2月28日省政府第三十次常务会议审议通过）" in unit.paragraphs
    assert "浙江省农村供水管理办法" not in titles(briefs)


# --- pictures ------------------------------------------------------------------------------------


def test_an_agencys_photo_credit_closes_a_picture_item(features) -> None:
    item = titled(features, "图片报道")
    assert item.notes == ["新华社发"]
    assert len(item.paragraphs) == 1


def test_a_drawings_credit_closes_a_drawing_item(features) -> None:
    item = titled(features, "漫画里的春天")
    assert item.notes == ["张  三图  李  四文"]
    assert len(features) == 4


# --- columns of briefs ---------------------------------------------------------------------------


def test_a_columns_briefs_are_closed_alike_and_a_brief_may_hold_a_cut_line(briefs) -> None:
    column = titled(briefs, "微阅读")
    assert column.subheads[0] == "法国推出电动汽车购车补贴"
    assert column.subheads[-1] == "德国开通首条氢能源列车线路"
    assert column.notes == ["（据新华社巴黎电  记者林晓）", "（据新华社柏林电  记者王博）"]
    # closed by the paper's own dateline, not a reprint's source: an article of its own
    assert titled(briefs, "荷兰花农迎来春季销售旺季").notes == ["（本报阿姆斯特丹电）"]


# --- lines that are body text, never headlines ---------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "英国交通大臣表示，政府制定了总额15亿英镑（1英镑约合1",  # a bracket opened, not closed
        "乌克兰总统日前表示，乌政府计划投入1000多亿",  # reported speech: 表示，
        "南宁市第四人民医院作为市级定点收治医院，广",  # a one-character last clause
        "2月2日傍晚，湖南省汉寿县沧港镇北拐村一个",  # when it happened, then a comma
        "目前，沈阳、大连、鞍山等地法院都已开通",
    ],
)
def test_lines_with_body_grammar_are_cut_text_not_headlines(text: str) -> None:
    assert is_unfinished(text)
    assert not _is_headline_like(text)


@pytest.mark.parametrize(
    "text",
    ["今年，他们不打“菜头仗”了吗？", "2月起阶段性减征职工医保费", "和时间赛跑，为救治尽力",
     "看，无人机！", "全国人大代表谢德体：“脱贫后又返贫”要防止"],
)  # fmt: skip
def test_headlines_with_a_colon_a_question_or_an_inner_date_stay_headlines(text: str) -> None:
    assert not is_unfinished(text)
    assert _is_headline_like(text)


def test_a_number_cut_by_a_column_break_is_rejoined() -> None:
    text = (
        "农技服务上网\n\n打开农技推广平台，里面活跃着3\n\n"
        "7万名农技推广人员，为农户提供远程问诊。\n\n农户足不出户就能请专家看病虫害。\n"
    )
    (unit,) = parse_page(text)
    rejoined = "打开农技推广平台，里面活跃着37万名农技推广人员，为农户提供远程问诊。"
    assert unit.paragraphs[0] == rejoined


def test_a_long_clause_line_under_a_headline_is_the_texts_first_line() -> None:
    text = (
        "稳居全球第二大外资流入国\n\n去年全年我国实际利用外资9415亿元、增长5.8%，新设外资\n\n"
        "企业超过4万家，保持第二大外资流入国地位。\n"
    )
    (unit,) = parse_page(text)
    assert unit.title == "稳居全球第二大外资流入国"
    assert unit.paragraphs[0].startswith("去年全年我国实际利用外资9415亿元、增长5.8%，新设外资企业")


@pytest.mark.parametrize(
    ("text", "tail"),
    [("是的。你说得对。", False), ("电话响了。他赶紧接起来。", False),
     ("上！深夜里他冲进病房。", False), ("道。从合作社拉出来的一车菜…", True), ("了。他说…", True)],
)  # fmt: skip
def test_a_short_whole_sentence_is_no_tail_but_a_single_character_is(text: str, tail: bool) -> None:
    assert starts_mid_sentence(text) is tail


# --- linking -------------------------------------------------------------------------------------


def test_a_titled_article_is_never_merged_into_another_article() -> None:
    film = "电影产业发展迅速，电影院线不断扩张，电影票房持续增长，电影消费成为热点。"
    a = Unit(kind="article", title="影视基地迎来旺季", paragraphs=[film] * 3, dateline="x")
    b = Unit(kind="article", title="电影票房创新高", paragraphs=[film] * 3)
    units = [a, b]
    link_parts(units)
    assert b.part_of is None
    cont = Unit(kind="continuation", continued_from="第一版", paragraphs=[film] * 3)
    units = [b, cont]
    link_parts(units)
    assert b.part_of == 1


# --- notes ---------------------------------------------------------------------------------------


def test_a_single_articles_notes_and_credits_are_kept_apart_from_its_text() -> None:
    (unit,) = parse_article(
        "山里的春天\n\n春天来了，山里的桃花开了。\n\n村民们忙着春耕。\n\n（作者为浙江作家协会会员）\n\n"
        "李  华摄（影像中国）\n"
    )
    assert unit.paragraphs == ["春天来了，山里的桃花开了。", "村民们忙着春耕。"]
    assert unit.notes == ["（作者为浙江作家协会会员）", "李  华摄（影像中国）"]


@pytest.mark.parametrize("name", NEW_PAGES)
def test_no_note_is_ever_a_paragraph(name: str) -> None:
    for unit in page(name).units:
        assert not set(unit.notes) & set(unit.paragraphs)
