"""Page and article parsing: the sample page against a hand-written expectation, one test per
typographic rule (on the sample or on the synthetic pages in tests/pages/), and properties."""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from briefings.bylines import parse_people
from briefings.models import Document, Person, Unit
from briefings.parsing import (
    PageParse,
    iter_text_fields,
    parse_article,
    parse_document,
    parse_page,
    parse_page_full,
)
from briefings.reading import decode_bytes
from briefings.typography import starts_mid_sentence

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample_page_2026-04-15.txt"
EXPECTED = ROOT / "tests" / "expected" / "sample_page_units.json"
PAGES = ROOT / "tests" / "pages"


@pytest.fixture(scope="module")
def sample_text() -> str:
    return SAMPLE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def sample(sample_text: str) -> PageParse:
    return parse_page_full(sample_text)


def page(name: str) -> PageParse:
    return parse_page_full((PAGES / name).read_text(encoding="utf-8"))


def all_paragraphs(units: list[Unit]) -> list[str]:
    return [p for u in units for p in u.paragraphs]


def by_title(units: list[Unit], title: str) -> Unit:
    matches = [u for u in units if u.title == title]
    assert len(matches) == 1, [u.title for u in units]
    return matches[0]


def people(unit: Unit) -> list[tuple[str, str]]:
    return [(p.name, p.role) for p in unit.byline]


# --- the sample page against the hand-written expectation ---------------------------------------


def test_sample_page_matches_expected_units(sample: PageParse) -> None:
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    assert sample.section == expected["section"]
    assert [list(d) for d in sample.dropped] == expected["dropped"]
    got = [
        {
            "kind": u.kind,
            "section": u.section,
            "kicker": u.kicker,
            "title": u.title,
            "subtitle": u.subtitle,
            "byline": [[p.name, p.role] for p in u.byline],
            "dateline": u.dateline,
            "subheads": u.subheads,
            "continued_from": u.continued_from,
            "continued_to": u.continued_to,
            "first10": u.paragraphs[0][:10] if u.paragraphs else "",
            "paragraphs": len(u.paragraphs),
            "lines": [u.line_start, u.line_end],
            "part_of": u.part_of,
        }
        for u in sample.units
    ]
    assert got == expected["units"]


def test_sample_page_parses_in_a_few_milliseconds(sample_text: str) -> None:
    parse_page(sample_text)  # warm the regex cache
    runs = []
    for _ in range(5):
        t0 = time.perf_counter()
        parse_page(sample_text)
        runs.append(time.perf_counter() - t0)
    assert sorted(runs)[2] < 0.05


# --- column breaks ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("余杭围绕一流创", "新生态,正把"),
        ("省级以上改革327项,获", "改革突破奖数量位居全省第一。"),
        ("第一个发言的", "地方是山区海岛县缙云。"),
        ("挖掘思想内", "核,尝试创新表达"),
    ],
)
def test_column_break_rejoins_split_word(sample: PageParse, before: str, after: str) -> None:
    paragraphs = all_paragraphs(sample.units)
    joined = [p for p in paragraphs if before + after in p]
    assert len(joined) == 1
    assert not any(p.startswith(after) for p in paragraphs)


def test_column_break_rejoins_across_a_line_wrap_and_a_blank_line() -> None:
    units = page("jump_and_fragments.txt").units
    paragraphs = all_paragraphs(units)
    assert any("新能源汽车零部件、特种纸等特色产业集群。" in p for p in paragraphs)
    assert any("拥有自己的“科创飞地”和“产业飞地”。" in p for p in paragraphs)


def test_paragraph_ending_with_full_stop_is_never_glued(sample: PageParse) -> None:
    paragraphs = all_paragraphs(sample.units)
    assert "4月14日上午,省委召开县(市、区)委书记工作交流会。" in paragraphs
    assert any(p.startswith("记者在会场注意到") for p in paragraphs)


def test_headline_is_not_glued_to_the_body_under_it() -> None:
    units = page("hard_cases.txt").units
    first = units[0]
    assert first.subheads == ["算力基础设施加快布局"]
    assert first.paragraphs[1].startswith("数据显示")


def test_cut_paragraph_is_not_glued_to_the_next_headline() -> None:
    units = page("hard_cases.txt").units
    assert units[0].paragraphs[-1] == "在杭州,一批算力中心陆续投运,为人工智能企业提供充足"
    assert units[1].title == "春风拂两岸 花开满乡村"


# --- headlines, kickers, noise ------------------------------------------------------------------


def test_kicker_and_two_deck_couplet_title(sample: PageParse) -> None:
    first = sample.units[0]
    assert first.kicker.endswith("——")
    assert first.title == "大块头求稳重质 后来者精准选路"
    assert first.subtitle == ""


@pytest.mark.parametrize(
    ("title", "subtitle"),
    [
        ("绍兴推出全流程科技成果转化保障机制", "保贷联动,守护科创星星之火"),
        ("上城区发布全球服务商计划", "企业出海有了靠谱合伙人"),
    ],
)
def test_one_line_headline_with_unequal_decks_is_title_and_subtitle(
    sample: PageParse, title: str, subtitle: str
) -> None:
    assert by_title(sample.units, title).subtitle == subtitle


def test_couplet_headline_with_equal_halves_stays_one_title() -> None:
    units = page("hard_cases.txt").units
    assert units[1].title == "春风拂两岸 花开满乡村"
    assert units[1].subtitle == ""


def test_headline_split_across_two_lines_is_joined() -> None:
    units = page("two_bylines.txt").units
    assert units[0].title == "浙江民营企业加快布局海外市场"


def test_dash_line_under_a_headline_is_its_subtitle_kept_as_printed() -> None:
    unit = by_title(page("two_bylines.txt").units, "打造数字贸易新高地")
    assert unit.subtitle == "——杭州跨境电商综试区十年观察"


def test_stray_ocr_line_never_becomes_title_or_body(sample: PageParse) -> None:
    assert (9, "清金樾") in sample.dropped
    for unit in sample.units:
        assert all("清金樾" not in text for text in iter_text_fields(unit))


def test_short_stray_line_between_headline_and_byline_is_dropped() -> None:
    parsed = page("hard_cases.txt")
    assert (22, "王博") in parsed.dropped
    assert by_title(parsed.units, "稻田变身“共富田”").byline == [Person("郑好", "本报记者")]


def test_section_line_on_top_is_the_section_of_every_unit(sample: PageParse) -> None:
    assert {u.section for u in sample.units} == {"要闻"}


def test_page_without_section_line_has_empty_section() -> None:
    parsed = page("two_bylines.txt")
    assert parsed.section == ""
    assert [u.kind for u in parsed.units] == ["article", "article"]


def test_masthead_lines_give_section_and_page_label_and_are_dropped() -> None:
    parsed = page("xinhua_datelines.txt")
    assert (parsed.section, parsed.page_label) == ("国内", "5")
    assert [no for no, _ in parsed.dropped] == [1, 2, 18]  # date, edition, 责任编辑
    assert parsed.units[0].title == "国内首条跨海高铁联调联试启动"


# --- subheads -----------------------------------------------------------------------------------


def test_short_lines_inside_an_article_are_subheads(sample: PageParse) -> None:
    first = sample.units[0]
    assert first.subheads == ["“超级强县”押注未来", "“国家级”招牌擦更亮", "苔花也学牡丹开"]
    assert not any(s in p for s in first.subheads for p in first.paragraphs)


def test_title_after_an_unrelated_fragment_starts_a_new_article(sample: PageParse) -> None:
    film = by_title(sample.units, "为中国电影注入更多新的可能")
    assert film.kind == "article"
    assert sample.units[sample.units.index(film) - 1].kind == "fragment"


# --- bylines and datelines ----------------------------------------------------------------------


def test_byline_names_take_the_role_printed_before_them(sample: PageParse) -> None:
    assert people(sample.units[0]) == [
        ("郑亚丽", "本报记者"),
        ("夏丹", "本报记者"),
        ("刘磊", "通讯员"),
    ]


def test_byline_with_full_width_spaces() -> None:
    assert people(page("two_bylines.txt").units[0]) == [
        ("王明", "本报记者"),
        ("李华", "本报记者"),
        ("陈静", "通讯员"),
    ]


def test_dateline_is_stripped_and_its_reporters_become_the_byline(sample: PageParse) -> None:
    shaoxing = by_title(sample.units, "绍兴推出全流程科技成果转化保障机制")
    assert shaoxing.dateline == "本报讯"
    assert people(shaoxing) == [("阮帅", "记者"), ("金汉青", "记者")]
    assert shaoxing.paragraphs[0].startswith("“已经拿到科创保险单")
    shangcheng = by_title(sample.units, "上城区发布全球服务商计划")
    assert shangcheng.dateline == "本报杭州4月14日讯"
    assert shangcheng.paragraphs[0].startswith("钱塘江畔,高能级服务业再添新引擎。")


def test_news_agency_datelines_with_and_without_reporters() -> None:
    units = page("xinhua_datelines.txt").units
    assert units[0].dateline == "新华社宁波4月15日电"
    assert people(units[0]) == [("张伟", "记者"), ("刘洋", "记者")]
    assert units[0].paragraphs[0].startswith("记者从中国国家铁路集团")
    assert units[1].dateline == "新华社北京4月15日电"
    assert units[1].byline == []
    assert units[1].paragraphs[0].startswith("国家税务总局15日发布")


def test_parenthesised_byline_after_the_body_closes_the_article() -> None:
    units = page("jump_and_fragments.txt").units
    assert people(units[1]) == [("赵六", "记者")]
    assert units[2].title == "种业振兴的浙江答卷"
    assert units[2].kind == "article"


@pytest.mark.parametrize(
    "text",
    ["记者在会场注意到:现场发言的10个县", "一手抓 一手硬", "大块头求稳重质 后来者精准选路", "王博"],
)
def test_body_and_headline_text_never_parses_as_a_byline(text: str) -> None:
    assert parse_people(text) is None


# --- fragments, captions, continuations ---------------------------------------------------------


@pytest.mark.parametrize(("start", "count"), [("睛”,周边的风浪", 3), ("20天。设备停机", 3)])
def test_block_starting_mid_sentence_is_a_fragment_with_what_follows(
    sample: PageParse, start: str, count: int
) -> None:
    unit = next(u for u in sample.units if u.paragraphs and u.paragraphs[0].startswith(start))
    assert (unit.kind, unit.title, len(unit.paragraphs)) == ("fragment", "", count)


def test_page_starting_with_a_sentence_tail_opens_with_a_fragment() -> None:
    units = page("jump_and_fragments.txt").units
    assert units[0].kind == "fragment"
    assert len(units[0].paragraphs) == 2


@pytest.mark.parametrize(
    "text", ["睛”,周边的风浪", "20天。设备停机每一分钟都意味着巨额经济损失。", ",而且还在增长。"]
)
def test_sentence_tails_are_recognised(text: str) -> None:
    assert starts_mid_sentence(text)


@pytest.mark.parametrize(
    "text", ["“已经拿到科创保险单,不用再为研发资金犯愁了!”近日,", "4月14日上午,省委召开会议。"]
)
def test_sentence_starts_are_not_tails(text: str) -> None:
    assert not starts_mid_sentence(text)


def test_photo_credit_line_makes_the_paragraph_above_a_caption(sample: PageParse) -> None:
    caption = next(u for u in sample.units if u.kind == "caption")
    assert caption.paragraphs[0].startswith("4月14日,学体联")
    assert len(caption.paragraphs) == 1
    assert people(caption) == [("黄宇璐", "本报记者"), ("王祖达", "共享联盟·普陀")]
    shangcheng = by_title(sample.units, "上城区发布全球服务商计划")
    assert shangcheng.line_end == 143  # the caption was taken out of the article above it
    assert not any("篮球" in p for p in shangcheng.paragraphs)


def test_credit_at_the_end_of_a_caption_line_makes_a_caption() -> None:
    caption = page("xinhua_datelines.txt").units[2]
    assert caption.kind == "caption"
    assert caption.paragraphs == [
        "4月15日,游客在杭州西湖景区赏花。春日里,西湖边的郁金香竞相绽放,吸引众多游客前来观赏。"
    ]
    assert people(caption) == [("黄宗治", "新华社记者")]


def test_continuation_mark_starts_a_continuation_and_keeps_its_text(sample: PageParse) -> None:
    cont = next(u for u in sample.units if u.kind == "continuation")
    assert cont.continued_from == "第一版"
    assert cont.paragraphs[0].startswith("绍兴人谢晋是助推思想解放")
    assert cont.subheads == ["打好“电影+”组合拳"]


def test_jump_headline_above_a_continuation_mark_is_its_title() -> None:
    cont = page("jump_and_fragments.txt").units[1]
    assert (cont.kind, cont.title, cont.continued_from) == (
        "continuation",
        "山海协作结出硕果",
        "第1版",
    )
    assert cont.subheads == ["飞地经济再提速"]


@pytest.mark.parametrize(
    ("name", "title", "page_to"),
    [
        ("two_bylines.txt", "打造数字贸易新高地", "第3版"),
        ("jump_and_fragments.txt", "种业振兴的浙江答卷", "第4版"),
    ],
)
def test_continued_to_mark_is_extracted_from_the_last_paragraph(
    name: str, title: str, page_to: str
) -> None:
    unit = by_title(page(name).units, title)
    assert unit.continued_to == page_to
    assert not any("转" in p[-8:] for p in unit.paragraphs)


# --- linking ------------------------------------------------------------------------------------


def test_scattered_film_section_is_linked_to_the_continuation(sample: PageParse) -> None:
    film = by_title(sample.units, "为中国电影注入更多新的可能")
    host = sample.units[film.part_of] if film.part_of is not None else None
    assert host is not None
    assert host.kind == "continuation"


def test_unrelated_units_are_not_linked(sample: PageParse) -> None:
    linked = [k for k, u in enumerate(sample.units) if u.part_of is not None]
    assert len(linked) == 1


def test_no_link_when_two_units_could_host_the_part(sample_text: str) -> None:
    # The film continuation printed twice: 电影 is then a keyword of three units, so nothing links.
    lines = sample_text.split("\n")
    continuation = "\n".join(lines[150:171])
    units = parse_page(sample_text + "\n\n" + continuation)
    assert [u.kind for u in units].count("continuation") == 2
    assert all(u.part_of is None for u in units)


# --- line endings and spacing -------------------------------------------------------------------


def test_windows_line_endings_parse_like_unix(sample_text: str) -> None:
    crlf = decode_bytes(sample_text.replace("\n", "\r\n").encode("utf-8"))
    assert parse_page(crlf) == parse_page(sample_text)


def test_leading_and_trailing_spaces_do_not_change_units(sample_text: str) -> None:
    padded = "\n".join(f" \u3000{ln}  " if ln else ln for ln in sample_text.split("\n"))
    assert parse_page(padded) == parse_page(sample_text)


# --- single articles and documents --------------------------------------------------------------

ARTICLE = """县域经济跑出加速度 一季度GDP增长6.1%

■ 本报记者 郑亚丽

本报杭州4月14日讯 今年一季度,全省县域经济稳中有进,增速高于全国平均水平。

产业升级

多个县(市、区)规上工业增加值增速超过10%,新兴产业成为增长主引擎,智能装备、
新材料等产业集群加快成形。
"""


def test_single_article_title_byline_dateline_and_subheads() -> None:
    [unit] = parse_article(ARTICLE)
    assert (unit.kind, unit.title, unit.subtitle) == (
        "article",
        "县域经济跑出加速度",
        "一季度GDP增长6.1%",
    )
    assert people(unit) == [("郑亚丽", "本报记者")]
    assert unit.dateline == "本报杭州4月14日讯"
    assert unit.subheads == ["产业升级"]
    assert unit.paragraphs[0] == "今年一季度,全省县域经济稳中有进,增速高于全国平均水平。"
    assert unit.paragraphs[1].endswith("智能装备、新材料等产业集群加快成形。")
    assert (unit.line_start, unit.line_end) == (1, 10)


def test_given_title_is_used_and_a_repeated_first_line_is_not_body() -> None:
    body = "县域经济跑出加速度\n\n今年一季度,全省县域经济稳中有进。"
    [unit] = parse_article(body, title="县域经济跑出加速度")
    assert unit.title == "县域经济跑出加速度"
    assert unit.paragraphs == ["今年一季度,全省县域经济稳中有进。"]


def test_article_without_headline_has_no_invented_title() -> None:
    [unit] = parse_article("今年一季度,全省县域经济稳中有进。\n\n多个县规上工业增速超过10%。")
    assert unit.title == ""
    assert len(unit.paragraphs) == 2


def test_web_export_metadata_lines_are_neither_title_nor_body() -> None:
    text = (
        "浙江出台新政支持民营企业\n来源：浙江日报\u30002026-04-15 08:30\n作者：张三\n\n"
        "本报讯 近日,省政府出台若干措施,支持民营企业发展壮大。\n（责任编辑：李四）\n"
    )
    [unit] = parse_article(text)
    assert unit.title == "浙江出台新政支持民营企业"
    assert unit.dateline == "本报讯"
    assert unit.paragraphs == ["近日,省政府出台若干措施,支持民营企业发展壮大。"]


def test_parse_document_dispatches_on_kind(sample_text: str) -> None:
    as_page = Document(kind="page", text=sample_text, source="浙江日报", date="2026-04-15")
    assert len(parse_document(as_page)) == 8
    record = Document(
        kind="jsonl",
        text="今年一季度,全省县域经济稳中有进。",
        source="浙江日报",
        date="2026-04-15",
        title="县域经济跑出加速度",
        author="郑亚丽 夏丹",
    )
    [unit] = parse_document(record)
    assert unit.title == "县域经济跑出加速度"
    assert [p.name for p in unit.byline] == ["郑亚丽", "夏丹"]


# --- properties ---------------------------------------------------------------------------------

_MARK_WORDS = re.compile(
    r"紧接|上接|下转|转至|转第|接|续|转|文摄|摄影|摄|供图|制图|绘图|绘|图|视频"
)


def _han(text: str) -> Counter[str]:
    return Counter(re.findall(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]", text))


def _output_han(parsed: PageParse) -> Counter[str]:
    out = _han(parsed.section) + _han("".join(t for _, t in parsed.dropped))
    for unit in parsed.units:
        out += _han("".join(iter_text_fields(unit)))
    return out


def _check_page(text: str) -> None:
    parsed = parse_page_full(text)
    n_lines = len(text.split("\n"))
    last_end = 0
    for k, unit in enumerate(parsed.units):
        assert unit.line_start >= 1
        assert unit.line_start <= unit.line_end <= n_lines
        assert unit.line_start > last_end, "units overlap or are out of order"
        last_end = unit.line_end
        if unit.part_of is not None:
            assert unit.part_of != k
            assert 0 <= unit.part_of < len(parsed.units)
            assert parsed.units[unit.part_of].part_of is None
    missing = _han(_MARK_WORDS.sub("", text)) - _output_han(parsed)
    assert not missing, f"characters lost: {missing}"


_han_text = st.text(
    alphabet=st.sampled_from("浙江工业大县发展经济企业电影记者本报讯通讯员版第一二三的是了在和"),
    min_size=1,
    max_size=60,
)
_punct = st.sampled_from(["。", ",", "、", "”", "“", "!", "?", "——", "", ":", "……"])
_sentence = st.builds(lambda a, p, b: a + p + b, _han_text, _punct, st.text(max_size=20))
_line = st.one_of(
    _sentence,
    _han_text,
    st.builds(lambda n: f"■ 本报记者 {n} 通讯员 刘磊", st.sampled_from(["郑亚丽", "夏丹", "王"])),
    st.builds(lambda s: f"本报讯(记者 阮帅 金汉青){s}", _sentence),
    st.builds(lambda s: f"新华社北京4月14日电 {s}", _sentence),
    st.builds(lambda s: f"(紧接第一版){s}", _sentence),
    st.builds(lambda s: f"{s}(下转第3版)", _sentence),
    st.just("本报记者 黄宇璐 共享联盟·普陀 王祖达 文摄"),
    st.builds(lambda s: f"{s}——", _han_text),
    st.just("责任编辑：王五"),
    st.just("2026年4月15日 星期三"),
    st.text(max_size=30),
)
_page = st.lists(
    st.tuples(_line, st.sampled_from(["\n", "\n\n", "\n\n\n", "\r\n"])), max_size=30
).map(lambda parts: "".join(line + sep for line, sep in parts))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_page)
def test_parse_page_never_raises_and_never_loses_a_body_character(text: str) -> None:
    _check_page(text.replace("\r\n", "\n").replace("\r", "\n"))


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_sample_lines_shuffled_never_lose_characters(sample_text: str, data: st.DataObject) -> None:
    lines = [ln for ln in sample_text.split("\n") if ln.strip()]
    picked = data.draw(st.lists(st.sampled_from(lines), max_size=40))
    _check_page("\n\n".join(picked))


@settings(max_examples=80, deadline=None)
@given(st.data())
def test_any_column_break_inside_a_long_paragraph_is_rejoined(
    sample: PageParse, data: st.DataObject
) -> None:
    paragraphs = [p for p in all_paragraphs(sample.units) if len(p) > 80 and p.endswith("。")]
    paragraph = data.draw(st.sampled_from(paragraphs))
    cut = data.draw(st.integers(min_value=45, max_value=len(paragraph) - 2))
    head, tail = paragraph[:cut], paragraph[cut:]
    assume(not re.search(r"[。！？!?…；;”’」』）)》】]$", head))  # a break after 。 is a real end
    text = f"引言段落到此结束。\n\n{head}\n\n{tail}\n"
    assert paragraph in all_paragraphs(parse_page(text))


MASTHEAD_PAGE = """A2 综合新闻
2026年6月3日 星期三 责任编辑：李华

宁波前4个月外贸进出口增长9.6%

本报讯（记者 周涛）记者昨日从宁波海关获悉，今年前4个月，宁波外贸进出口总值4860.3亿元，同比增长9.6%。

象山县推进海洋经济高质量发展

■ 本报通讯员 吴凡 记者 张帆

近日，象山县召开海洋经济发展大会，去年象山海洋经济增加值达到286亿元。
"""


def test_letter_page_label_and_dated_staff_line_are_masthead_not_headline():
    parsed = parse_page_full(MASTHEAD_PAGE)
    assert parsed.page_label == "A2"
    assert parsed.section == "综合新闻"
    assert [u.title for u in parsed.units] == [
        "宁波前4个月外贸进出口增长9.6%",
        "象山县推进海洋经济高质量发展",
    ]


def test_a_lone_character_cut_by_a_column_break_rejoins_its_paragraph():
    page = (
        "新华社北京6月9日电（记者 王明）国家统计局9日发布数据，居民消费价格同比上涨0.3%。\n\n"
        "城市上涨0.3%，农村上涨0.2%。我们的经济\n\n发\n\n展的新动能不断积聚。\n"
    )
    (unit,) = parse_page(page)
    assert unit.paragraphs[-1] == "城市上涨0.3%，农村上涨0.2%。我们的经济发展的新动能不断积聚。"


def test_a_lone_character_before_body_text_starts_that_text():
    page = "湖州绿色金融再添新工具\n\n本报讯 湖州发布融资评价标准。\n\n发\n\n展的新动能不断积聚。\n"
    units = parse_page(page)
    assert units[-1].paragraphs[-1] == "发展的新动能不断积聚。"


def test_two_plain_headline_lines_are_kicker_and_title_but_a_wrapped_one_stays_whole():
    # The lead-in above a headline is far more common than a subtitle under it (107 against 16
    # on the dev set's January pages), so two plain lines read as kicker + title.
    decks = "长三角科创金融改革试验区建设提速\n湖州绿色金融再添新工具\n\n本报讯 湖州发布标准。\n"
    (unit,) = parse_page(decks)
    assert (unit.kicker, unit.title, unit.subtitle) == (
        "长三角科创金融改革试验区建设提速",
        "湖州绿色金融再添新工具",
        "",
    )
    wrapped = "浙江民营企业加快布局\n海外市场\n\n本报讯 民营企业出口增长。\n"
    (unit,) = parse_page(wrapped)
    assert (unit.title, unit.subtitle) == ("浙江民营企业加快布局海外市场", "")


def test_a_page_in_traditional_characters_parses_like_its_simplified_original(
    sample_text: str,
) -> None:
    import zhconv

    from briefings.normalize import zhconv_tables

    zhconv_tables()  # zhconv's own loader leaves its file open
    simplified = parse_page(sample_text)
    traditional = parse_page(zhconv.convert(sample_text, "zh-tw"))

    def shape(u: Unit) -> tuple:
        return (u.kind, len(u.paragraphs), len(u.byline), bool(u.dateline), len(u.subheads))

    assert [shape(u) for u in traditional] == [shape(u) for u in simplified]
    finance = next(u for u in traditional if u.dateline)
    assert finance.dateline == "本報訊"
    assert [p.name for p in finance.byline] == ["阮帥", "金漢青"]
    assert traditional[-1].continued_from == "第一版"
