"""Feed bytes to items (briefings/feeds.py) and HTML bodies to paragraphs (briefings/htmltext.py),
on the fixture feeds of tests/feeds/ and generated markup."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from feedserver import many_items_feed
from hypothesis import given, settings
from hypothesis import strategies as st

from briefings.feeds import FeedError, document_key, item_date, item_document, parse_feed
from briefings.htmltext import html_paragraphs
from briefings.pipeline import analyze_document

FEEDS = Path(__file__).resolve().parent / "feeds"
FETCHED = datetime(2026, 4, 15, 3, 0, tzinfo=UTC)  # 11:00 in Shanghai
BASE = "http://127.0.0.1:8080/feeds/"


def parse(name: str, **kw):
    return parse_feed((FEEDS / name).read_bytes(), url=BASE + name, fetched=FETCHED, **kw)


# ---- formats ---------------------------------------------------------------------------------


def test_rsshub_zjrb_feed_gives_one_item_per_article_with_paragraphs():
    feed = parse("zjrb.xml")
    assert feed.kind == "rss20"
    assert feed.title == "浙江日报"
    assert [it.title for it in feed.items][:2] == [
        "开化：一季度规上工业增加值增长13.2%",
        "缙云：小县城跑出工业加速度",
    ]
    first = feed.items[0]
    assert first.link == "https://zjrb.zjol.com.cn/html/2026-04/15/content_3301001.htm"
    assert first.ident == first.link
    assert first.date == "2026-04-15"
    paragraphs = first.text.split("\n\n")
    assert len(paragraphs) == 4
    assert paragraphs[0].startswith("本报讯")  # the full-width indent is gone, the text is not
    assert "规上工业增加值同比增长13.2%" in paragraphs[0]
    assert "<" not in first.text
    assert "img" not in first.text


def test_atom_feed_resolves_relative_links_and_reads_updated_in_shanghai_time():
    feed = parse("gov_atom.xml")
    assert feed.kind == "atom10"
    kecheng, longyou = feed.items
    # xml:base="https://tjj.quzhou.example/col/" + href="art/2026/4/15/kecheng.html"
    assert kecheng.link == "https://tjj.quzhou.example/col/art/2026/4/15/kecheng.html"
    assert kecheng.title == "柯城区一季度经济运行情况"  # type="html" title, tags dropped
    # 2026-04-14T16:30Z is 00:30 on the 15th in Shanghai: the paper's date.
    assert kecheng.date == "2026-04-15"
    assert kecheng.author == "衢州市统计局"
    assert longyou.text.split("\n\n") == [
        "一季度，龙游县实现社会消费品零售总额52.7亿元，同比增长6.4%。",
        "其中，网络零售额14.2亿元，同比增长12.9%。",
    ]


def test_json_feed_is_read_as_plain_json_with_relative_urls_resolved():
    feed = parse("county.json")
    assert feed.kind == "json1.1"
    anji, tongxiang = feed.items
    assert anji.link == "http://127.0.0.1:8080/news/2026/0415/anji.html"
    assert anji.text.startswith("记者从安吉县获悉")
    assert tongxiang.ident == "20260415002"  # a numeric id is kept as text
    assert tongxiang.text.split("\n\n")[1] == "其中出口额241.5亿元，同比增长11.2%。"
    assert {anji.date, tongxiang.date} == {"2026-04-15"}


def test_feedparser_alone_does_not_read_json_feed():
    """Why JSON Feed has its own reader: feedparser finds no entries in it."""
    import feedparser

    parsed = feedparser.parse((FEEDS / "county.json").read_bytes())
    assert parsed.entries == []


def test_gbk_feed_declared_in_its_xml_prolog_reads_as_chinese():
    feed = parse("gbk_rss.xml", content_type="application/rss+xml")
    yiwu, yongkang = feed.items
    assert yiwu.title == "义乌小商品出口一季度增长17.3%"
    assert "镕金、珺瑶" in yiwu.text  # characters GBK has and GB2312 lacks
    assert yiwu.date == "2026-04-15"  # "2026-04-15 06:30:00" without a zone: Shanghai time
    assert yongkang.date == "2026-04-15"


def test_rss_091_and_rss_10_are_read():
    rss091 = (
        b'<?xml version="1.0"?><rss version="0.91"><channel><title>t</title><item>'
        b"<title>\xe4\xb8\x80</title><link>http://ex.com/1</link><description>d</description>"
        b"</item></channel></rss>"
    )
    rss10 = (
        b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
        b' xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        b'<channel rdf:about="http://ex.com/"><title>t</title><link>http://ex.com/</link>'
        b'</channel><item rdf:about="http://ex.com/1"><title>one</title><link>http://ex.com/1'
        b"</link><dc:date>2026-04-14T20:00:00Z</dc:date><description>d</description></item>"
        b"</rdf:RDF>"
    )
    old = parse_feed(rss091, url="http://ex.com/feed", fetched=FETCHED)
    assert old.kind.startswith("rss09")
    assert old.items[0].title == "一"
    new = parse_feed(rss10, url="http://ex.com/feed", fetched=FETCHED)
    assert new.kind == "rss10"
    assert new.items[0].date == "2026-04-15"


def test_items_without_title_or_date_are_kept_and_empty_ones_skipped():
    feed = parse("notitle.xml")
    untitled, undated = feed.items
    assert untitled.title == ""
    assert untitled.text.startswith("德清县地理信息产业")
    assert not undated.dated
    assert undated.date == "2026-04-15"  # the fetch date, in Shanghai
    assert (feed.total, feed.undated, feed.empty) == (3, 1, 1)


def test_a_feed_with_ten_thousand_items_is_capped():
    feed = parse_feed(many_items_feed(), url="http://ex.com/many", fetched=FETCHED, max_items=200)
    assert len(feed.items) == 200
    assert feed.total == 10_000
    assert feed.capped


# ---- refusals --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "content_type", "reason"),
    [
        ((FEEDS / "page.html").read_bytes(), "text/html", "not a feed: an HTML page"),
        ((FEEDS / "malformed.xml").read_bytes(), "application/rss+xml", "malformed XML"),
        (b"", "", "empty response"),
        (b"   \n", "", "empty response"),
        (b'{"title": "x"}', "application/json", "without a JSON Feed version"),
        (b'{"version": "https://jsonfeed.org/version/1.1"', "", "malformed JSON"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "image/png", "not a feed"),
        (b"just some text", "text/plain", "not a feed"),
        (
            (FEEDS / "gbk_rss.xml").read_bytes().replace(b'"GBK"', b'"UTF-8"'),
            "application/rss+xml",
            "bad encoding",
        ),
    ],
)
def test_what_is_not_a_readable_feed_is_refused_with_a_reason(data, content_type, reason):
    with pytest.raises(FeedError, match=reason):
        parse_feed(data, url="http://ex.com/x", content_type=content_type, fetched=FETCHED)


def test_undefined_html_entities_in_xml_are_only_a_warning():
    data = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item>'
        b"<title>a&nbsp;b</title><link>http://ex.com/1</link><description>x</description>"
        b"</item></channel></rss>"
    )
    feed = parse_feed(data, url="http://ex.com/f", fetched=FETCHED)
    assert feed.items[0].title == "a b"
    assert any("undefined entity" in w for w in feed.warnings)


# ---- dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Wed, 15 Apr 2026 00:00:00 GMT", "2026-04-15"),  # RSSHub: the paper's date at UTC 0:00
        ("Tue, 14 Apr 2026 16:00:00 GMT", "2026-04-15"),  # the same at Shanghai midnight
        ("Tue, 14 Apr 2026 15:59:00 +0000", "2026-04-14"),
        ("2026-04-14T23:30:00+08:00", "2026-04-14"),
        ("2026-04-15", "2026-04-15"),
        ("2026-04-15 06:30:00", "2026-04-15"),
    ],
)
def test_item_dates_are_in_the_papers_time_zone(raw, expected):
    from zoneinfo import ZoneInfo

    assert item_date([raw], [], FETCHED, ZoneInfo("Asia/Shanghai")) == (expected, True)


@pytest.mark.parametrize("raw", ["", "yesterday", "1970-01-01T00:00:00Z", "2031-01-01"])
def test_missing_or_absurd_dates_fall_back_to_the_fetch_date(raw):
    from zoneinfo import ZoneInfo

    assert item_date([raw], [], FETCHED, ZoneInfo("Asia/Shanghai")) == ("2026-04-15", False)


# ---- into the pipeline -----------------------------------------------------------------------


def test_a_feed_item_goes_through_the_same_analysis_as_a_page():
    item = parse("zjrb.xml").items[0]
    doc = item_document(item, source="浙江日报", key=document_key(item, "浙江日报"))
    (unit,) = analyze_document(doc)
    assert unit.unit.title == item.title
    assert "开化" in {m.region.short for m in unit.regions}
    assert any(f.text == "13.2%" and f.region == "开化" for f in unit.figures)


def test_document_key_is_the_link_else_the_guid_else_the_title():
    items = parse("zjrb.xml").items + parse("notitle.xml").items
    assert document_key(items[0], "浙江日报") == items[0].link
    data = json.loads((FEEDS / "county.json").read_text("utf-8"))
    for item in data["items"]:
        item.pop("url")
    feed = parse_feed(json.dumps(data).encode(), url="http://ex.com/f.json", fetched=FETCHED)
    assert document_key(feed.items[0], "x") == "guid:county-2026-0415-anji"


# ---- HTML bodies -----------------------------------------------------------------------------


def test_html_paragraphs_follow_blocks_and_line_breaks_not_inline_tags():
    markup = (
        "<div><p>　　本报讯 <strong>缙云</strong>县&nbsp;增长<em>19.7%</em></p>第二段<br>第三段"
        "<script>alert(1)</script><style>p{}</style><table><tr><td>甲</td><td>乙</td></tr>"
        "</table><!-- 注释 --></div>"
    )
    assert html_paragraphs(markup) == ["本报讯 缙云县 增长19.7%", "第二段", "第三段", "甲", "乙"]


def test_a_line_break_in_the_source_between_chinese_characters_adds_no_space():
    assert html_paragraphs("<p>规上工业\n增加值增长</p><p>GDP\ngrowth</p>") == [
        "规上工业增加值增长",
        "GDP growth",
    ]


def test_deeply_nested_markup_does_not_exhaust_the_stack():
    assert html_paragraphs("<div>" * 20_000 + "深" + "</div>" * 20_000) == ["深"]


def test_broken_markup_and_entities_read_as_a_browser_would():
    assert html_paragraphs("<p>1 &lt; 2 &amp;&amp; 3 > 2<p>unclosed <b>bold") == [
        "1 < 2 && 3 > 2",
        "unclosed bold",
    ]


_TAGS = st.sampled_from(["p", "div", "span", "b", "br", "li", "script", "a", "td", "img"])
_TEXT = st.text(alphabet=st.sampled_from(list("缙云县增长19.7%，。 \n<>&;\"'")), max_size=12)


@st.composite
def markup(draw) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 12))):
        tag = draw(_TAGS)
        parts.append(f"<{tag}>{draw(_TEXT)}</{tag}>" if draw(st.booleans()) else draw(_TEXT))
    return "".join(parts)


@settings(max_examples=200, deadline=None)
@given(markup())
def test_html_paragraphs_never_fail_and_leave_no_tags_or_empty_paragraphs(html):
    out = html_paragraphs(html)
    for paragraph in out:
        assert paragraph == paragraph.strip()
        assert paragraph
        assert "<script>" not in paragraph
        assert "\n" not in paragraph


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_parse_or_are_refused_with_a_feed_error(data):
    try:
        feed = parse_feed(data, url="http://ex.com/f", fetched=FETCHED)
    except FeedError as exc:
        message = str(exc)
        assert "(" in message  # a reason in Chinese and English, never a bare exception
    else:
        assert all(it.text for it in feed.items)


def test_items_sharing_one_link_are_keyed_by_their_guids():
    data = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        + "".join(
            f"<item><title>通知{i}</title><link>https://gov.example/</link><guid>n{i}</guid>"
            f"<description>第{i}号通知。</description></item>"
            for i in range(2)
        )
        + "</channel></rss>"
    ).encode()
    a, b = parse_feed(data, url="https://gov.example/rss", fetched=FETCHED).items
    assert a.shared_link
    assert b.shared_link
    assert document_key(a, "x") != document_key(b, "x")
