"""Polling feed sources into a real SQLite store, against the local feed server
(tests/feedserver.py): conditional requests, deduplication across restarts, sources and papers,
and every kind of bad source next to a good one."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from feedserver import LAST_MODIFIED, FeedServer

from briefings import sources
from briefings.errors import BriefingError, InvalidArgument
from briefings.fetching import FeedSettings
from briefings.pipeline import ingest_paths
from briefings.polling import Poller, PollReport
from briefings.store import Store

FEEDS = Path(__file__).resolve().parent / "feeds"
PAGE = FEEDS / "page_2026-04-15.txt"
DAY = "2026-04-15"
START = datetime(2026, 4, 15, 3, 0, tzinfo=UTC)  # 11:00 in Shanghai
JINYUN_TITLE = "缙云：小县城跑出工业加速度"


class Clock:
    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store.open(tmp_path / "feeds.db")
    yield s
    s.close()


@pytest.fixture
def feed_settings(tmp_path: Path) -> FeedSettings:
    return FeedSettings(
        timeout=1.0,
        total_timeout=1.5,
        max_bytes=4 * 1024 * 1024,  # the 10,000-item feed is 1.6 MB
        max_items=300,
        interval=1800.0,
        max_backoff=4 * 1800.0,
        sources_file=tmp_path / "absent.toml",
    )


async def poll(store: Store, settings: FeedSettings, clock=None, **kw) -> PollReport:
    poller = Poller(store, settings, clock=clock or Clock())
    try:
        return await poller.poll(**kw)
    finally:
        poller.close()


def add(store: Store, url: str, **kw) -> sources.Source:
    return sources.add_source(store.conn, url, **kw)[0]


def count(store: Store, sql: str, *args) -> int:
    return store.conn.execute(sql, args).fetchone()[0]


def titled(store: Store, title: str) -> list[tuple[int, str, str]]:
    return store.conn.execute(
        "SELECT a.id, d.kind, a.url FROM articles a JOIN documents d ON d.id = a.document_id "
        "WHERE ? IN (a.title, a.subtitle)",  # the page parser makes it the subtitle
        (title,),
    ).fetchall()


# ---- conditional and incremental -------------------------------------------------------------


async def test_second_fetch_sends_conditional_headers_gets_304_and_adds_nothing(
    store, feed_server: FeedServer, feed_settings
):
    source = add(store, feed_server.url("feeds/zjrb.xml"), source="浙江日报")
    first = await poll(store, feed_settings)
    assert first.total("added") == 4
    assert count(store, "SELECT count(*) FROM articles") == 4
    etag = feed_server.hits("/feeds/zjrb.xml")[0]
    assert "If-None-Match" not in etag

    second = await poll(store, feed_settings, due_only=False)
    (result,) = second.results
    assert result.not_modified
    headers = feed_server.hits("/feeds/zjrb.xml")[1]
    stored = sources.get_source(store.conn, source.id)
    assert headers["If-None-Match"] == stored.etag != ""
    assert headers["If-Modified-Since"] == LAST_MODIFIED
    assert count(store, "SELECT count(*) FROM documents") == 4
    assert "304" in stored.last_status
    assert stored.items == 4


async def test_requests_name_the_project_in_their_user_agent(store, feed_server, feed_settings):
    add(store, feed_server.url("feeds/zjrb.xml"))
    await poll(store, feed_settings)
    assert "briefing-bot" in feed_server.hits("/feeds/zjrb.xml")[0]["User-Agent"]


async def test_dedup_holds_across_a_restart_when_the_server_ignores_conditions(
    tmp_path, feed_server, feed_settings
):
    path = tmp_path / "restart.db"
    with Store.open(path) as first_store:
        add(first_store, feed_server.url("plain/zjrb.xml"))
        assert (await poll(first_store, feed_settings)).total("added") == 4
    with Store.open(path) as again:  # a new process on the same file
        report = await poll(again, feed_settings, due_only=False)
        assert report.results[0].ok
        assert report.total("added") == report.total("replaced") == 0
        assert "未变 4" in report.results[0].status
        assert count(again, "SELECT count(*) FROM articles") == 4
    assert len(feed_server.hits("/plain/zjrb.xml")) == 2


async def test_the_same_items_from_two_sources_are_stored_once(store, feed_server, feed_settings):
    add(store, feed_server.url("feeds/zjrb.xml"), source="浙江日报")
    add(store, feed_server.url("plain/zjrb.xml"), source="浙江日报")
    report = await poll(store, feed_settings)
    assert report.total("added") == 4
    assert report.total("duplicates") == 4
    assert count(store, "SELECT count(*) FROM articles") == 4


def _one_item_feed(title: str, body_html: str, link: str = "https://ex.example/a/1.html") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>测试报</title>'
        f"<item><title>{title}</title><link>{link}</link>"
        f"<description><![CDATA[{body_html}]]></description>"
        "<pubDate>Wed, 15 Apr 2026 00:00:00 GMT</pubDate></item></channel></rss>"
    ).encode()


async def test_an_item_whose_body_changed_replaces_the_earlier_version(
    store, feed_server, feed_settings
):
    url = feed_server.set(
        "corrected", _one_item_feed("常山胡柚产值增长", "<p>常山县胡柚产业产值达到15.2亿元。</p>")
    )
    add(store, url)
    await poll(store, feed_settings)
    feed_server.set(
        "corrected", _one_item_feed("常山胡柚产值增长", "<p>常山县胡柚产业产值达到16.8亿元。</p>")
    )
    report = await poll(store, feed_settings, due_only=False)
    assert report.total("replaced") == 1
    assert count(store, "SELECT count(*) FROM articles") == 1
    assert store.search("16.8亿元").total == 1
    (figure,) = store.conn.execute("SELECT text FROM figures").fetchall()
    assert figure[0] == "16.8亿元"
    assert count(store, "SELECT versions FROM documents") == 2


# ---- the same article from a page and a feed -------------------------------------------------


async def test_a_richer_feed_copy_replaces_the_same_article_from_a_page(
    store, feed_server, feed_settings
):
    ingest_paths(store, [PAGE])
    ((_, kind, _),) = titled(store, JINYUN_TITLE)
    assert kind == "page"
    add(store, feed_server.url("feeds/zjrb.xml"), source="浙江日报")
    report = await poll(store, feed_settings)
    assert report.total("superseded") == 1
    ((_, kind, url),) = titled(store, JINYUN_TITLE)
    assert kind == "feed"
    assert url.endswith("content_3301002.htm")
    assert len(titled(store, "临安推进农村电商提质")) == 1  # the page's other article stays


async def test_a_page_arriving_after_the_feed_still_ends_as_one_copy(
    store, feed_server, feed_settings
):
    add(store, feed_server.url("feeds/zjrb.xml"), source="浙江日报")
    await poll(store, feed_settings)
    ingest_paths(store, [PAGE])
    assert len(titled(store, JINYUN_TITLE)) == 2
    report = await poll(store, feed_settings, due_only=False)  # a 304, then the merge
    assert report.results[0].not_modified
    ((_, kind, _),) = titled(store, JINYUN_TITLE)
    assert kind == "feed"


async def test_a_richer_page_copy_is_kept_and_gains_the_feeds_link(
    store, feed_server, feed_settings
):
    ingest_paths(store, [PAGE])
    summary = "<p>今年一季度，临安区农村电商销售额达到36.5亿元，同比增长14.8%。</p>"
    url = feed_server.set(
        "summary", _one_item_feed("临安推进农村电商提质", summary, "https://ex.example/linan.html")
    )
    add(store, url)
    report = await poll(store, feed_settings)
    assert report.total("duplicates") == 1
    assert report.total("added") == 0
    ((_, kind, link),) = titled(store, "临安推进农村电商提质")
    assert (kind, link) == ("page", "https://ex.example/linan.html")


def _fts_consistent(store: Store) -> None:
    """Every article has its full-text row and no row is left without its article."""
    store.conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")
    articles = [r[0] for r in store.conn.execute("SELECT id FROM articles ORDER BY id")]
    rows = [r[0] for r in store.conn.execute("SELECT rowid FROM articles_fts ORDER BY rowid")]
    assert rows == articles


async def test_two_copies_in_one_fetch_leave_one_article_and_one_index_row(
    store, feed_server, feed_settings
):
    short = "<p>今年一季度，临安区农村电商销售额达到36.5亿元，同比增长14.8%。</p>"
    longer = short + "<p>全区已建成村级电商服务站120个，带动就业超过5000人。</p>"
    one, two = (
        _one_item_feed("临安推进农村电商提质", body, f"https://ex.example/{k}.html")
        for k, body in enumerate((short, longer))
    )
    feed = one.replace(
        b"</channel>", two[two.index(b"<item>") : two.index(b"</channel>")] + b"</channel>"
    )
    add(store, feed_server.set("twice", feed))
    report = await poll(store, feed_settings)
    assert report.total("added") == 2
    assert report.total("superseded") == 1
    ((_, _, link),) = titled(store, "临安推进农村电商提质")
    assert link == "https://ex.example/1.html"  # the richer copy
    assert store.search("电商服务站").total == 1
    assert store.search("农村电商").total == 1
    _fts_consistent(store)


# ---- bad sources -----------------------------------------------------------------------------

FAULTS = {
    "status/404": "HTTP 404",
    "status/500": "HTTP 500",
    "loop": "redirect loop",
    "huge": "response over 4 MB",
    "huge-declared": "response over 4 MB",
    "slow": "timeout",
    "feeds/page.html": "not a feed: an HTML page",
    "feeds/malformed.xml": "malformed XML",
    "bad-encoding": "bad encoding",
}


async def test_bad_sources_never_hurt_good_ones(store, feed_server, feed_settings, caplog):
    good = add(store, feed_server.url("feeds/zjrb.xml"))
    bad = {path: add(store, feed_server.url(path)) for path in FAULTS}
    many = add(store, feed_server.url("many"))
    closed = add(store, "http://127.0.0.1:9/feed")  # nothing listens there
    report = await poll(store, feed_settings)

    assert {r.source.id for r in report.failed} == {s.id for s in bad.values()} | {closed.id}
    for path, reason in FAULTS.items():
        row = sources.get_source(store.conn, bad[path].id)
        assert reason in row.last_status, path
        assert row.failures == 1
        assert row.etag == ""
        assert path in caplog.text  # and the log names the source
    assert "cannot connect" in sources.get_source(store.conn, closed.id).last_status
    assert "Traceback" not in caplog.text
    # The good source was read in full; the 10,000-item feed up to the cap, and says so.
    assert sources.get_source(store.conn, good.id).items == 4
    capped = sources.get_source(store.conn, many.id)
    assert capped.failures == 0
    assert "只读前 300 条, 共 10000 条" in capped.last_status
    assert count(store, "SELECT count(*) FROM articles") == 4 + 300
    assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    _fts_consistent(store)


async def test_a_failed_write_leaves_no_item_and_no_etag_behind(
    store, feed_server, feed_settings, monkeypatch
):
    source = add(store, feed_server.url("feeds/zjrb.xml"))
    real = Store.save_document
    calls = []

    def failing(self, doc, units):
        calls.append(doc.title)
        if len(calls) == 3:
            raise sqlite3.OperationalError("disk I/O error")
        return real(self, doc, units)

    monkeypatch.setattr(Store, "save_document", failing)
    report = await poll(store, feed_settings)
    assert not report.results[0].ok
    assert "internal error" in report.results[0].status
    row = sources.get_source(store.conn, source.id)
    assert (row.etag, row.items) == ("", 0)
    assert count(store, "SELECT count(*) FROM documents") == 0
    assert count(store, "SELECT count(*) FROM feed_items") == 0

    monkeypatch.setattr(Store, "save_document", real)
    again = await poll(store, feed_settings, due_only=False)
    assert "If-None-Match" not in feed_server.hits("/feeds/zjrb.xml")[1]
    assert again.total("added") == 4


async def test_an_item_that_cannot_be_stored_is_left_out_alone(
    store, feed_server, feed_settings, monkeypatch
):
    add(store, feed_server.url("feeds/zjrb.xml"))
    real = Store.save_document

    def picky(self, doc, units, **kwargs):
        if "象山" in doc.title:
            raise BriefingError("这篇存不下")
        return real(self, doc, units, **kwargs)

    monkeypatch.setattr(Store, "save_document", picky)
    report = await poll(store, feed_settings)
    (result,) = report.results
    assert result.ok
    assert result.written.added == 3
    assert "1 条无法保存" in result.status
    assert count(store, "SELECT count(*) FROM articles") == 3


async def test_a_failing_source_backs_off_exponentially_up_to_a_cap_and_recovers(
    store, feed_server, feed_settings
):
    clock = Clock()
    source = add(store, feed_server.url("dyn/flaky"))  # 404 until set
    waits = []
    for _ in range(4):
        report = await poll(store, feed_settings, clock)
        assert [r.ok for r in report.results] == [False]
        row = sources.get_source(store.conn, source.id)
        waits.append(datetime.fromisoformat(row.next_poll) - clock.now)
        clock.now = datetime.fromisoformat(row.next_poll)
    half_hour = timedelta(minutes=30)
    assert waits == [half_hour, 2 * half_hour, 4 * half_hour, 4 * half_hour]
    assert sources.get_source(store.conn, source.id).failures == 4

    feed_server.set("flaky", _one_item_feed("岱山远洋渔业", "<p>岱山县远洋渔业产量增长8.5%。</p>"))
    report = await poll(store, feed_settings, clock)
    row = sources.get_source(store.conn, source.id)
    assert report.results[0].ok
    assert row.failures == 0
    assert datetime.fromisoformat(row.next_poll) - clock.now == half_hour


async def test_a_source_is_polled_at_most_once_per_interval(store, feed_server, feed_settings):
    clock = Clock()
    add(store, feed_server.url("feeds/zjrb.xml"))
    await poll(store, feed_settings, clock)
    clock.advance(minutes=10)
    assert (await poll(store, feed_settings, clock)).results == []
    clock.advance(minutes=20)
    assert len((await poll(store, feed_settings, clock)).results) == 1
    assert len(feed_server.hits("/feeds/zjrb.xml")) == 2


async def test_one_request_at_a_time_per_host(store, feed_server, feed_settings):
    for name in ("zjrb.xml", "gov_atom.xml", "county.json", "gbk_rss.xml", "notitle.xml"):
        add(store, feed_server.url(f"feeds/{name}"))
        add(store, feed_server.url(f"plain/{name}"))
    report = await poll(store, replace(feed_settings, concurrency=8))
    assert len(report.results) == 10
    assert all(r.ok for r in report.results)
    assert feed_server.max_in_flight == 1


async def test_every_format_is_stored_with_its_source_name_and_link(
    store, feed_server, feed_settings
):
    add(store, feed_server.url("feeds/gov_atom.xml"))
    add(store, feed_server.url("feeds/county.json"), source="县域经济观察")
    add(store, feed_server.url("feeds/gbk_rss.xml"), source="金华日报")
    untitled = add(store, feed_server.url("feeds/notitle.xml"))
    report = await poll(store, feed_settings)
    assert report.total("added") == 8
    status = sources.get_source(store.conn, untitled.id).last_status
    assert "1 条无日期" in status
    assert "跳过 1 条无标题无正文" in status
    assert store.search("德清县").total == 1  # the item without a title
    hit = store.search("义乌 小商品").items[0].article
    assert (hit.source, hit.date) == ("金华日报", DAY)
    assert hit.url == "http://www.jhnews.example/jhrb/2026-04/15/content_88001.htm"
    atom = store.search("柯城 地区生产总值").items[0].article
    assert atom.source == "衢州市统计局 · 统计信息"  # no --source: the feed's own title
    assert atom.url == "https://tjj.quzhou.example/col/art/2026/4/15/kecheng.html"


# ---- the sources table -----------------------------------------------------------------------


def test_sources_are_added_listed_disabled_removed_and_brought_back(store):
    conn = store.conn
    s, added = sources.add_source(conn, "http://localhost:1200/zjol/paper/zjrb", name="浙江日报")
    assert added
    assert sources.add_source(conn, s.url)[1] is False
    assert sources.find_source(conn, f"#{s.id}") == s
    assert sources.find_source(conn, s.url) == s
    assert not sources.set_enabled(conn, str(s.id), False).enabled
    assert sources.due_sources(conn, START) == []
    sources.remove_source(conn, s.url)
    assert sources.list_sources(conn) == []
    with pytest.raises(InvalidArgument):
        sources.find_source(conn, str(s.id))
    back, added = sources.add_source(conn, s.url)
    assert added
    assert back.id == s.id
    assert back.enabled


@pytest.mark.parametrize(
    "url", ["", "ftp://x.example/feed", "javascript:alert(1)", "http://", "http://a b/", "x" * 3000]
)
def test_only_http_urls_can_be_added(store, url):
    with pytest.raises(InvalidArgument):
        sources.add_source(store.conn, url)


def test_sources_toml_seeds_new_urls_only_and_reports_bad_entries(store, tmp_path):
    toml = tmp_path / "sources.toml"
    toml.write_text(
        '[[source]]\nurl = "http://localhost:1200/zjol/paper/zjrb"\nsource = "浙江日报"\n\n'
        '[[source]]\nurl = "http://localhost:1200/zjol/paper/qjwb"\nname = "钱江晚报"\n'
        "enabled = false\n\n"
        '[[source]]\nname = "no url"\n\n'
        '[[source]]\nurl = "ftp://nope"\n',
        "utf-8",
    )
    report = sources.seed_from_toml(store.conn, toml)
    assert [s.url.rsplit("/", 1)[1] for s in report.added] == ["zjrb", "qjwb"]
    assert [s.enabled for s in report.added] == [True, False]
    assert report.added[0].source == "浙江日报"
    assert len(report.problems) == 2
    sources.remove_source(store.conn, report.added[0].url)
    again = sources.seed_from_toml(store.conn, toml)
    assert again.added == []  # known URLs, even removed ones, are the operators' to keep
    assert len(sources.list_sources(store.conn)) == 1


def test_a_broken_sources_toml_is_reported_not_raised(store, tmp_path):
    toml = tmp_path / "sources.toml"
    toml.write_text("[[source]\nurl = ", "utf-8")
    report = sources.seed_from_toml(store.conn, toml)
    assert report.added == []
    assert "sources.toml" in report.problems[0]
    assert sources.seed_from_toml(store.conn, tmp_path / "missing.toml").problems == []


def test_backoff_doubles_from_the_interval_and_stops_at_the_cap():
    assert [sources.backoff(n, 60, 300) for n in range(6)] == [60, 60, 120, 240, 300, 300]
    assert sources.backoff(3, 600, 60) == 600  # a cap below the interval never shortens it


def test_settings_from_the_environment_are_checked():
    s = FeedSettings.from_env({"FEED_INTERVAL": "900", "FEED_MAX_ITEMS": "50"})
    assert (s.interval, s.max_items) == (900.0, 50)
    with pytest.raises(InvalidArgument, match="FEED_INTERVAL"):
        FeedSettings.from_env({"FEED_INTERVAL": "often"})
    with pytest.raises(InvalidArgument, match="FEED_TIMEOUT"):
        FeedSettings.from_env({"FEED_TIMEOUT": "0"})
    assert FeedSettings.from_env({}).processes == 0
    assert FeedSettings.from_env({"FEED_PROCESSES": "2"}).processes == 2
    with pytest.raises(InvalidArgument, match="FEED_PROCESSES"):
        FeedSettings.from_env({"FEED_PROCESSES": "-1"})


def test_a_poller_takes_its_worker_processes_from_the_settings(store, feed_settings):
    poller = Poller(store, replace(feed_settings, processes=2))
    assert poller.processes == 2
    assert Poller(store, replace(feed_settings, processes=2), processes=0).processes == 0
    poller.close()  # no pool was started: nothing to wait for


# ---- worker processes ------------------------------------------------------------------------

_TABLES = {
    "documents": "SELECT key, kind, source, date, page, path, url, sha256 FROM documents",
    "articles": "SELECT * FROM articles",
    "figures": "SELECT * FROM figures",
    "mentions": "SELECT * FROM mentions",
    "articles_fts": "SELECT rowid, title, body FROM articles_fts",
    "feed_items": "SELECT * FROM feed_items",
    "sources": "SELECT id, etag, items, failures, last_status FROM sources",
}


def _rows(store: Store) -> dict[str, list[tuple]]:
    return {name: sorted(store.conn.execute(sql).fetchall()) for name, sql in _TABLES.items()}


async def test_worker_processes_store_exactly_what_the_cpu_thread_stores(
    tmp_path, feed_server, feed_settings
):
    paths = ["feeds/zjrb.xml", "feeds/gov_atom.xml", "feeds/county.json", "feeds/gbk_rss.xml",
             "feeds/notitle.xml", "feeds/malformed.xml", "many"]  # fmt: skip
    rows = []
    for processes in (0, 1):
        with Store.open(tmp_path / f"p{processes}.db") as s:
            for path in paths:
                add(s, feed_server.url(path))
            poller = Poller(s, feed_settings, clock=Clock(), processes=processes)
            try:
                await poller.warm()
                report = await poller.poll()
            finally:
                poller.close()
            assert report.total("added") > 300
            assert [r.status for r in report.results if not r.ok] == [
                "失败 (failed): XML 格式错误 (malformed XML: mismatched tag, line 7)"
            ]
            rows.append(_rows(s))
    assert rows[0] == rows[1]


def _die() -> None:
    import os

    os._exit(3)


async def test_a_dead_worker_fails_that_call_and_the_next_one_gets_a_new_pool(store, feed_settings):
    from concurrent.futures.process import BrokenProcessPool

    poller = Poller(store, feed_settings, processes=1)
    try:
        with pytest.raises(BrokenProcessPool):
            await poller._compute(_die)
        assert await poller._compute(sum, [1, 2, 3]) == 6
    finally:
        poller.close()
