"""Composing and rendering the daily briefing from article bundles built from the sample page."""

from __future__ import annotations

import dataclasses
import random
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.edition_html import render_empty, render_html
from bot.telegram_html import is_balanced, visible_len, visible_text
from briefings.digest import (
    DigestPrefs,
    compose_edition,
    edition_numbers_verified,
    near_duplicate_groups,
    render_text,
)
from briefings.models import ArticleBundle, ArticleRegion, Figure, StoredArticle, TopicScore
from briefings.numbers import number_tokens, parse_number

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample_page_2026-04-15.txt"
DATE = "2026-04-15"
NAMES = {
    "330110": "余杭",
    "330122": "桐庐",
    "330206": "北仑",
    "330212": "鄞州",
    "330282": "慈溪",
    "330603": "柯桥",
    "330782": "义乌",
    "330802": "柯城",
    "331122": "缙云",
    "330102": "上城",
    "330903": "普陀",
    "330600": "绍兴",
    "330000": "浙江",
}
CODES = {name: code for code, name in NAMES.items()}


# Lines of the sample page that stop at a column break, mid-word (the page parser rejoins them).
_COLUMN_BREAKS = ("余杭围绕一流创", "省级以上改革327项,获", "第一个发言的", "挖掘思想内")


def _page_paragraphs() -> list[str]:
    """Non-empty lines of the sample page with column breaks rejoined, as the parser gives them."""
    lines = [ln.strip() for ln in SAMPLE.read_text(encoding="utf-8").splitlines() if ln.strip()]
    out: list[str] = []
    for ln in lines:
        if out and out[-1].endswith(_COLUMN_BREAKS):
            out[-1] += ln
        else:
            out.append(ln)
    return out


PARAGRAPHS = _page_paragraphs()


def body_between(first: str, last: str) -> str:
    start = next(i for i, p in enumerate(PARAGRAPHS) if p.startswith(first))
    end = next(i for i, p in enumerate(PARAGRAPHS) if i >= start and p.endswith(last))
    return "\n".join(PARAGRAPHS[start : end + 1])


def sentence_with(body: str, text: str) -> str:
    """The sentence of ``body`` holding ``text`` (what the figure extractor records)."""
    i = body.index(text)
    start = max(body.rfind(c, 0, i) for c in "。！？\n") + 1
    ends = [j for j in (body.find(c, i) for c in "。！？\n") if j >= 0]
    end = min(ends) + 1 if ends else len(body)
    while end < len(body) and body[end] in "”’":
        end += 1
    return body[start:end].strip()


def fig(body: str, text: str, indicator: str, region: str, *rest) -> Figure:
    """A figure as the extractor records it: ``rest`` is unit, value and optionally period."""
    unit, value, period = (*rest, "")[:3]
    return Figure(
        indicator=indicator,
        value=value,
        unit=unit,
        text=text,
        period=period,
        region=region,
        adcode=CODES.get(region, ""),
        sentence=sentence_with(body, text),
        confident=True,
    )


def article(aid, title, body, topics, *, kind="article", page="1", dateline="") -> StoredArticle:
    return StoredArticle(
        id=aid,
        date=DATE,
        source="浙江日报",
        page=page,
        kind=kind,
        title=title,
        subtitle="",
        kicker="",
        section="要闻",
        dateline=dateline,
        body=body,
        url="",
        topics=tuple(TopicScore(k, v) for k, v in topics.items()),
    )


def regions(*pairs: tuple[str, int]) -> tuple[ArticleRegion, ...]:
    return tuple(ArticleRegion(CODES[n], n, c) for n, c in pairs)


def county_bundle() -> ArticleBundle:
    body = body_between("4月14日上午", "唯创新者强。")
    figures = (
        fig(body, "19.7%", "规上工业增加值增速", "柯城", "%", 19.7, "前两个月"),
        fig(body, "10.4%", "工业增加值增速", "鄞州", "%", 10.4, "前两个月"),
        fig(body, "13.1%", "规上工业增加值", "义乌", "%", 13.1, "前两个月"),
        fig(body, "43.3%", "制造业投资", "义乌", "%", 43.3, "前两个月"),
        fig(body, "8000亿元", "外贸进出口", "义乌", "元", 8e11, "2025年"),
        fig(body, "525亿元", "规上工业总产值", "缙云", "元", 5.25e10),
        fig(body, "超千亿元", "营收", "慈溪", "元", 1e11),
        fig(body, "2000多家", "整机企业", "慈溪", "家", 2000),
        fig(body, "18亿元", "融资规模", "余杭", "元", 1.8e9),
        fig(body, "262人", "领军人才", "柯桥", "人", 262),
    )
    a = article(101, "大块头求稳重质 后来者精准选路", body, {"county": 0.92, "finance": 0.3})
    rs = regions(("缙云", 9), ("义乌", 7), ("柯城", 6), ("慈溪", 6), ("柯桥", 4), ("余杭", 3))
    return ArticleBundle(a, rs, figures)


def film_bundle() -> ArticleBundle:
    body = body_between("到现在,浙江已形成", "培育新的消费增长点。")
    body += "\n" + body_between("群众消费数据也很可观", "实现城市数字影院全覆盖。")
    figures = (
        fig(body, "近4000家", "影视制作机构", "浙江", "家", 4000),
        fig(body, "超1.2亿元", "电影消费券", "浙江", "元", 1.2e8, "2022年以来"),
        fig(body, "近900家", "影院", "浙江", "家", 900),
        fig(body, "近6000块", "银幕总数", "浙江", "块", 6000),
    )
    a = article(102, "为中国电影注入更多新的可能", body, {"film": 0.95})
    return ArticleBundle(a, regions(("浙江", 5)), figures)


def finance_bundle(aid: int = 103, title: str | None = None, body: str | None = None):
    body = body or body_between("本报讯(记者 阮帅", "等专项产品。")
    figures = (
        (fig(body, "11家", "概念验证和中试综合平台", "绍兴", "家", 11),) if "11家" in body else ()
    )
    a = article(
        aid,
        title or "绍兴推出全流程科技成果转化保障机制 保贷联动,守护科创星星之火",
        body,
        {"finance": 0.9, "county": 0.2},
        dateline="本报讯",
    )
    return ArticleBundle(a, regions(("绍兴", 6)), figures)


def shangcheng_bundle() -> ArticleBundle:
    body = body_between("本报杭州4月14日讯", "助力企业扬帆远航。")
    a = article(104, "上城区发布全球服务商计划 企业出海有了靠谱合伙人", body, {"county": 0.6})
    return ArticleBundle(a, regions(("上城", 7)), ())


def tonglu_bundle() -> ArticleBundle:
    body = body_between("睛”,周边的风浪", "全路径布局等场景。")
    figures = (fig(body, "超百个订单", "订单", "桐庐", "个", 100),)
    a = article(105, "", body, {"county": 0.55}, kind="fragment")
    return ArticleBundle(a, regions(("桐庐", 6)), figures)


def sports_bundle() -> ArticleBundle:
    body = body_between("4月14日,学体联", "连续三年落户普陀。")
    a = article(106, "", body, {"other": 1.0}, kind="caption")
    return ArticleBundle(a, regions(("普陀", 2)), ())


def sample_bundles() -> list[ArticleBundle]:
    return [
        county_bundle(),
        film_bundle(),
        finance_bundle(),
        shangcheng_bundle(),
        tonglu_bundle(),
        sports_bundle(),
    ]


def compose(prefs: DigestPrefs | None = None, bundles=None):
    return compose_edition(
        DATE,
        sample_bundles() if bundles is None else bundles,
        prefs or DigestPrefs(),
        region_names=NAMES,
    )


def items_of(edition, key):
    return next((s.items for s in edition.sections if s.key == key), [])


# --- sections and ranking -----------------------------------------------------------------


def test_default_prefs_give_county_film_finance_sections_in_order():
    ed = compose()
    assert [s.key for s in ed.sections] == ["county", "film", "finance"]
    assert [s.title for s in ed.sections] == ["县域亮点", "影视产业", "科创金融"]
    assert not ed.empty
    assert 106 not in ed.article_ids  # the sports caption is "other" news


def test_county_highlights_are_figure_lines_with_region_period_and_verbatim_figure():
    lines = [it.text for it in items_of(compose(), "county")]
    assert "柯城 · 前两个月规上工业增加值增速 19.7%" in lines
    assert "慈溪 · 营收 超千亿元" in lines


def test_county_section_spreads_over_counties_before_repeating_one():
    county = items_of(compose(bundles=[county_bundle()]), "county")
    assert len(county) == 8
    per_region: dict[str, int] = {}
    for it in county:
        per_region[it.region] = per_region.get(it.region, 0) + 1
    # seven counties have figures: each shows once, and only then does one show twice
    assert set(per_region) == {"柯城", "鄞州", "义乌", "缙云", "慈溪", "余杭", "柯桥"}
    assert sorted(per_region.values()) == [1, 1, 1, 1, 1, 1, 2]
    assert per_region["义乌"] <= 2  # three figures about 义乌, never all shown


def test_followed_county_comes_first():
    unfollowed = items_of(compose(), "county")
    assert unfollowed[0].region != "桐庐"
    followed = items_of(compose(DigestPrefs(follows=(CODES["桐庐"],))), "county")
    assert followed[0].region == "桐庐"
    assert "followed 桐庐" in followed[0].why
    assert followed[0].text == "桐庐 · 超百个订单"


def test_following_a_city_lifts_its_counties():
    county = items_of(compose(DigestPrefs(follows=("330700",))), "county")  # 金华市
    assert county[0].region == "义乌"
    assert all(it.region == "义乌" for it in county[:2])


def test_scores_are_explained_and_sorted():
    for section in compose().sections:
        scores = [it.score for it in section.items]
        assert scores == sorted(scores, reverse=True)
        for it in section.items:
            assert it.why
            assert f"topic {0:.2f}"[:6] in it.why  # every score names the topic part


def test_topic_filtering_keeps_only_wanted_sections():
    ed = compose(DigestPrefs(topics=frozenset({"film"})))
    assert [s.key for s in ed.sections] == ["film"]
    assert ed.article_ids == [102]


def test_other_news_only_when_wanted():
    assert 106 not in compose().article_ids
    ed = compose(DigestPrefs(topics=frozenset({"county", "other"})))
    assert [s.key for s in ed.sections] == ["county", "other"]
    assert [it.article_id for it in items_of(ed, "other")] == [106]


def test_switched_off_topic_does_not_fall_into_other():
    ed = compose(DigestPrefs(topics=frozenset({"other"})))
    assert ed.article_ids == [106]


def test_sentence_items_skip_datelines_and_quote_only_leads():
    finance = items_of(compose(), "finance")
    assert len(finance) == 1
    text = finance[0].text
    assert not text.startswith(("本报", "“"))
    assert text in finance_bundle().article.body
    (shangcheng,) = items_of(compose(bundles=[shangcheng_bundle()]), "county")
    assert shangcheng.text.startswith("钱塘江畔")
    assert "lead sentence" in shangcheng.why


def test_film_item_prefers_a_sentence_with_statistics():
    (film,) = items_of(compose(), "film")
    assert any(f.text in film.text for f in film_bundle().figures)
    assert film.numbers


# --- novelty ------------------------------------------------------------------------------


def test_recently_sent_articles_are_dropped():
    ed = compose(DigestPrefs(recently_sent=frozenset({101, 102})))
    assert 101 not in ed.article_ids
    assert 102 not in ed.article_ids
    assert [s.key for s in ed.sections] == ["county", "finance"]


def test_near_duplicate_with_ocr_noise_is_merged_keeping_the_richest():
    original = finance_bundle()
    noisy_body = original.article.body.replace("绍兴市科技局", "绍兴市科技屆", 1).replace(
        "概念验证", "概念验正", 1
    )
    reprint = dataclasses.replace(
        finance_bundle(203, "保贷联动守护科创之火", noisy_body), figures=()
    )
    ed = compose(bundles=[*sample_bundles(), reprint])
    assert 103 in ed.article_ids
    assert 203 not in ed.article_ids
    assert ed.merged == {103: (203,)}


def test_same_title_is_merged_even_with_a_different_body():
    other = finance_bundle(204, body=body_between("本报杭州4月14日讯", "助力企业扬帆远航。"))
    groups = near_duplicate_groups([finance_bundle(), other, film_bundle()])
    assert sorted(map(sorted, groups)) == [[0, 1], [2]]


def test_distinct_articles_are_not_merged():
    groups = near_duplicate_groups(sample_bundles())
    assert all(len(g) == 1 for g in groups)


def test_reprints_are_found_among_many_articles_sharing_boilerplate_sentences():
    rng = random.Random(7)
    pool = [s for p in PARAGRAPHS for s in re.findall(r"[^。！？]+[。！？]", p) if len(s) > 12]
    bundles = []
    for i in range(300):  # every sentence recurs in dozens of articles
        body = "".join(rng.sample(pool, 10))
        bundles.append(ArticleBundle(article(i, f"稿件{i}", body, {"other": 1.0})))
    reprints = {}
    for i in (5, 77, 150):
        noisy = bundles[i].article.body.replace("。", ".", 1)  # OCR turned one 。 into .
        reprints[1000 + i] = i
        bundles.append(ArticleBundle(article(1000 + i, f"转载{i}", noisy, {"other": 1.0})))
    groups = [sorted(bundles[j].article.id for j in g) for g in near_duplicate_groups(bundles)]
    assert sorted(g for g in groups if len(g) > 1) == [[i, r] for r, i in sorted(reprints.items())]


def test_a_reprint_of_an_article_already_sent_is_dropped_too():
    reprint = finance_bundle(205, "另一个标题", finance_bundle().article.body + "\n(完)")
    ed = compose(DigestPrefs(recently_sent=frozenset({103})), [*sample_bundles(), reprint])
    assert 205 not in ed.article_ids
    assert 103 not in ed.article_ids


# --- empty editions -----------------------------------------------------------------------


def test_date_without_articles_is_empty_with_a_note_offering_the_latest_issue():
    ed = compose_edition("2026-04-16", sample_bundles())
    assert ed.empty
    assert ed.sections == []
    note = render_empty("2026-04-16", DATE)
    assert "2026年4月16日" in note
    assert "2026年4月15日" in note
    assert "/today" in note
    assert is_balanced(note)
    assert render_html(ed) == [render_empty("2026-04-16", None)]


def test_everything_already_sent_gives_a_personalised_note():
    ed = compose(DigestPrefs(recently_sent=frozenset(range(100, 110))))
    assert ed.empty
    assert ed.available == 6
    (msg,) = render_html(ed)
    assert "都已推送给你" in msg
    assert "不在你选择的栏目" not in msg  # one reason, the true one


def test_nothing_in_the_chats_sections_says_so_and_offers_topics():
    ed = compose(DigestPrefs(topics=frozenset({"film"}), follows=()))
    if not ed.empty:  # the sample has film articles: ask for a section it lacks instead
        ed = compose(DigestPrefs(topics=frozenset()))
    assert ed.empty
    (msg,) = render_html(ed)
    assert "没有你选择的栏目" in msg
    assert "/topics" in msg
    assert "推送" not in msg


# --- numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "prefs",
    [
        DigestPrefs(),
        DigestPrefs(topics=frozenset({"county", "film", "finance", "other"})),
        DigestPrefs(follows=("330122", "330802")),
    ],
)
def test_every_number_shown_appears_in_its_source(prefs):
    bundles = sample_bundles()
    ed = compose(prefs, bundles)
    assert edition_numbers_verified(ed, bundles) == []
    shown = [n for s in ed.sections for it in s.items for n in it.numbers]
    assert {"19.7%", "千亿", "525亿"} <= set(shown)
    for s in ed.sections:
        for it in s.items:
            source = it.sentence if it.kind == "figure" else it.text
            assert source in next(b for b in bundles if b.article.id == it.article_id).article.body
            for n in it.numbers:
                assert n in source


def test_verifier_catches_an_altered_number():
    bundles = sample_bundles()
    ed = compose(DigestPrefs(), bundles)
    county = ed.sections[0].items
    i = next(i for i, it in enumerate(county) if "19.7%" in it.text)
    county[i] = dataclasses.replace(county[i], text=county[i].text.replace("19.7", "19.8"))
    problems = edition_numbers_verified(ed, bundles)
    assert any("19.8%" in p for p in problems)


def test_verifier_checks_the_figure_apart_from_the_tokens():
    """The second, independent half: the figure a line shows must be verbatim in its sentence
    and its value what its text reads. A figure whose stored value was corrupted after the
    edition was composed is caught though every token is still printed."""
    bundles = sample_bundles()
    ed = compose(DigestPrefs(), bundles)
    assert edition_numbers_verified(ed, bundles) == []
    county = next(b for b in bundles if b.article.id == 101)
    wrong = tuple(
        dataclasses.replace(f, value=20.7) if f.text == "19.7%" else f for f in county.figures
    )
    altered = [dataclasses.replace(b, figures=wrong) if b is county else b for b in bundles]
    problems = edition_numbers_verified(ed, altered)
    assert any("is not what '19.7%' reads" in p for p in problems)


def test_a_figure_whose_value_does_not_read_back_is_no_figure_line():
    b = county_bundle()
    bad = dataclasses.replace(b.figures[0], value=1.0)  # 19.7% read as 1.0: shown as its words
    ed = compose(bundles=[dataclasses.replace(b, figures=(bad, *b.figures[1:]))])
    texts = [it.text for it in items_of(ed, "county")]
    assert not any("19.7%" in t and t.startswith("柯城 ·") for t in texts)
    assert edition_numbers_verified(ed, [b]) == []


def test_figure_line_drops_a_period_that_is_not_in_the_sentence():
    b = county_bundle()
    bad = dataclasses.replace(b.figures[0], period="前三个月")  # 三 alone is not a number
    worse = dataclasses.replace(b.figures[1], period="前10个月")
    ed = compose(bundles=[dataclasses.replace(b, figures=(bad, worse))])
    texts = [it.text for it in items_of(ed, "county")]
    assert "柯城 · 前三个月规上工业增加值增速 19.7%" in texts
    assert "鄞州 · 工业增加值增速 10.4%" in texts
    assert edition_numbers_verified(ed, [b]) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("前两个月规上工业增加值增速高达19.7%", ["19.7%"]),
        ("超千亿元营收、2000多家整机企业、上万家配套厂", ["千亿", "2000", "万"]),
        ("拓展十二大领域,出口占近九成", ["十二", "九成"]),
        ("一个县城,两年前", []),
        ("融资规模达18亿元,4,000人", ["18亿", "4,000"]),
    ],
)
def test_number_tokens(text, expected):
    assert number_tokens(text) == expected


# --- rendering ----------------------------------------------------------------------------


def test_render_html_has_header_sections_and_deep_links():
    (msg,) = render_html(compose(), bot_username="zj_brief_bot")
    assert msg.startswith("<b>浙江经济早报 · 2026年4月15日</b>")
    assert "<b>【县域亮点】</b>" in msg
    assert "https://t.me/zj_brief_bot?start=article_101" in msg
    assert "<b>柯城</b> · 前两个月规上工业增加值增速 19.7%" in msg
    assert "浙江日报 · 4月15日 · 第1版" in msg
    assert is_balanced(msg)


def test_render_html_without_username_names_the_command():
    (msg,) = render_html(compose())
    assert "/article 102" in msg
    assert "t.me" not in msg


def test_render_text_is_plain():
    text = render_text(compose())
    assert "<" not in text
    assert "【影视产业】" in text
    assert "柯城 · 前两个月规上工业增加值增速 19.7%" in text


def test_titles_and_text_from_articles_are_escaped():
    b = film_bundle()
    evil = dataclasses.replace(
        b,
        article=dataclasses.replace(
            b.article, title="<script>alert(1)</script> 影视 & 电影", id=999
        ),
    )
    (msg,) = render_html(compose(bundles=[evil]), bot_username="bot")
    assert "<script>" not in msg
    assert "&lt;script&gt;alert(1)&lt;/script&gt; 影视 &amp; 电影" in msg
    assert is_balanced(msg)
    assert "<script>alert(1)</script> 影视 & 电影" in visible_text(msg)


def test_split_editions_keep_items_whole_and_within_the_limit():
    ed = compose(DigestPrefs(topics=frozenset({"county", "film", "finance", "other"})))
    messages = render_html(ed, bot_username="bot", limit=400)
    assert len(messages) > 1
    for msg in messages:
        assert visible_len(msg) <= 400
        assert is_balanced(msg)
    joined = "\n".join(visible_text(m) for m in messages)
    for s in ed.sections:
        assert any(f"【{s.title}】" in visible_text(m) for m in messages)
        for it in s.items:
            assert any(it.text in visible_text(m) for m in messages)
    assert joined.count("【") == len(ed.sections)
    # a heading never ends a message alone
    assert not any(visible_text(m).rstrip().endswith("】") for m in messages)


# --- properties ---------------------------------------------------------------------------

SENTENCES = [s for p in PARAGRAPHS for s in re.findall(r"[^。！？]+[。！？]", p) if len(s) > 12]
_texts = st.lists(
    st.sampled_from([*"浙江<>&\"'😀 ab1.%", "👩‍💻", "</b>", "&amp;", "<script>"]), max_size=12
).map("".join)


@st.composite
def bundles_strategy(draw):
    n = draw(st.integers(0, 12))
    out = []
    for i in range(n):
        sents = draw(st.lists(st.sampled_from(SENTENCES), min_size=1, max_size=8))
        body = "".join(sents)
        figures = []
        for s in sents:
            nums = number_tokens(s)
            if nums and draw(st.booleans()):
                region = draw(st.sampled_from(sorted(set(CODES) - {"浙江", "绍兴"})))
                text = nums[0]
                figures.append(
                    Figure(
                        "指标", parse_number(text), "元", text, region=region,
                        adcode=CODES[region], sentence=s, confident=True,
                    )
                )
        topics = {
            k: draw(st.floats(0, 1))
            for k in draw(st.sets(st.sampled_from(["county", "film", "finance", "other"])))
        }
        title = draw(_texts)
        a = dataclasses.replace(article(1000 + i, title, body, topics), source=draw(_texts))
        rs = tuple(
            ArticleRegion(CODES[r], r, 1)
            for r in draw(st.sets(st.sampled_from(sorted(CODES)), max_size=3))
        )
        out.append(ArticleBundle(a, rs, tuple(figures)))
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    bundles=bundles_strategy(),
    topics=st.sets(st.sampled_from(["county", "film", "finance", "other"])),
    limit=st.integers(120, 4096),
    username=st.sampled_from([None, "bot", "a_b"]),
)
def test_any_edition_renders_balanced_messages_within_the_limit(bundles, topics, limit, username):
    ed = compose_edition(DATE, bundles, DigestPrefs(topics=frozenset(topics)))
    assert edition_numbers_verified(ed, bundles) == []
    ids = [it.article_id for s in ed.sections for it in s.items if it.kind == "sentences"]
    assert len(ids) == len(set(ids))  # no article told twice
    for msg in render_html(ed, bot_username=username, limit=limit):
        assert is_balanced(msg)
        assert 0 < visible_len(msg) <= limit
        assert visible_text(msg).strip()
