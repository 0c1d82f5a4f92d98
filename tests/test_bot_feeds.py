"""Feeds in the running bot: /sources for admins, feed items in /county, /search, /article and
the digest, the poll scheduled before the earliest digest, and a bad source next to a digest.
The real PTB Application runs against the fake Bot API; feeds come from the local feed server.
"""

from __future__ import annotations

import asyncio
import importlib.util
import shutil
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from botharness import ADMIN_ID, KAIHUA, SAMPLE, USER_ID, Harness, assert_telegram_ok, buttons
from fakebotapi import running_app
from feedserver import FeedServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import feeds, scheduling
from bot.config import Config
from bot.delivery import Deliverer
from bot.ratelimit import RateLimiter
from bot.runtime import Runtime
from briefings import chats, ledger, sources
from briefings.fetching import FeedSettings
from briefings.pipeline import ingest_paths
from briefings.store import Store

REPO = Path(__file__).resolve().parent.parent
SHANGHAI = ZoneInfo("Asia/Shanghai")
KAIHUA_TITLE = "开化：一季度规上工业增加值增长13.2%"


class Clock:
    def __init__(self, local: str) -> None:
        self.set(local)

    def __call__(self) -> datetime:
        return self.now

    def set(self, local: str) -> None:
        self.now = datetime.fromisoformat(local).replace(tzinfo=SHANGHAI).astimezone(UTC)


def _settings(tmp_path: Path, **kw) -> FeedSettings:
    base = {"timeout": 1.0, "total_timeout": 2.0, "sources_file": tmp_path / "sources.toml"}
    return FeedSettings(**(base | kw))


@pytest.fixture
def feed_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Feed settings of the bot under test: no sources.toml of the checkout, short timeouts."""
    monkeypatch.setenv("SOURCES_FILE", str(tmp_path / "sources.toml"))
    monkeypatch.setenv("FEED_TIMEOUT", "1")
    monkeypatch.setenv("FEED_TOTAL_TIMEOUT", "2")


@pytest.fixture
def feed_bot(feed_env: None, harness: Harness) -> Harness:
    """The bot over the sample database (tests/conftest.py ``harness``), started after
    ``feed_env`` so that its feed jobs read those settings."""
    settings = harness.app.bot_data[feeds.SETTINGS_KEY]
    assert settings.total_timeout == 2.0
    return harness


# ---- /sources --------------------------------------------------------------------------------


async def test_admin_lists_adds_and_removes_sources_in_a_private_chat(
    feed_bot: Harness, feed_server: FeedServer
):
    (empty,) = await feed_bot.say(ADMIN_ID, "/sources")
    assert "还没有订阅源" in empty["text"]
    url = feed_server.url("feeds/zjrb.xml")
    (added,) = await feed_bot.say(ADMIN_ID, f"/sources add {url} 浙江日报 <RSSHub>")
    assert_telegram_ok(added)
    assert "已添加订阅源 #1" in added["text"]
    (listed,) = await feed_bot.say(ADMIN_ID, "/sources")
    assert_telegram_ok(listed)
    assert url in listed["text"]
    assert "浙江日报 &lt;RSSHub&gt;" in listed["text"]
    assert "尚未抓取" in listed["text"]
    (again,) = await feed_bot.say(ADMIN_ID, f"/sources add {url}")
    assert "已经有这个订阅源" in again["text"]
    (bad,) = await feed_bot.say(ADMIN_ID, "/sources add ftp://example.com/feed")
    assert "http://" in bad["text"]
    (removed,) = await feed_bot.say(ADMIN_ID, "/sources remove 1")
    assert "已删除订阅源 #1" in removed["text"]
    assert sources.list_sources(feed_bot.conn) == []


async def test_sources_is_refused_to_other_users_and_in_groups(feed_bot: Harness):
    (user,) = await feed_bot.say(USER_ID, "/sources add http://evil.example/feed")
    assert "管理员" in user["text"]
    (group,) = await feed_bot.say(-100123, "/sources", user_id=ADMIN_ID)
    assert "私聊" in group["text"]
    assert sources.list_sources(feed_bot.conn) == []


async def test_sources_shows_each_sources_last_status_after_a_poll(
    feed_bot: Harness, feed_server: FeedServer
):
    sources.add_source(feed_bot.conn, feed_server.url("feeds/zjrb.xml"), source="浙江日报")
    sources.add_source(feed_bot.conn, feed_server.url("status/404"))
    report = await feeds.run_feeds(feed_bot.app, feed_bot.rt)
    assert report is not None
    assert len(report.failed) == 1
    (listed,) = await feed_bot.say(ADMIN_ID, "/sources")
    assert_telegram_ok(listed)
    assert "新增 4" in listed["text"]
    assert "HTTP 404" in listed["text"]


@pytest.fixture
def processes_env(feed_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FEED_PROCESSES", "1")


async def test_with_feed_processes_the_bot_polls_in_a_worker_process(
    processes_env: None, harness: Harness, feed_server: FeedServer
):
    poller = harness.app.bot_data[feeds.POLLER_KEY]
    assert poller.processes == 1
    sources.add_source(harness.conn, feed_server.url("feeds/zjrb.xml"), source="浙江日报")
    report = await feeds.run_feeds(harness.app, harness.rt)
    assert report is not None
    assert report.total("added") == 4
    assert not report.failed
    (card,) = await harness.say(USER_ID, "/county 开化")
    assert "13.2%" in card["text"]


# ---- feed items in the bot's answers ---------------------------------------------------------


async def test_county_search_and_article_show_a_feed_item_with_its_source_and_link(
    feed_bot: Harness, feed_server: FeedServer
):
    (before,) = await feed_bot.say(USER_ID, "/county 开化")
    assert KAIHUA_TITLE not in before["text"]  # the sample page never names 开化
    sources.add_source(feed_bot.conn, feed_server.url("feeds/zjrb.xml"), source="浙江日报")
    await feeds.run_feeds(feed_bot.app, feed_bot.rt)

    (card,) = await feed_bot.say(USER_ID, "/county 开化")
    assert_telegram_ok(card)
    assert "开化县" in card["text"]
    assert "13.2%" in card["text"]  # the figure, verbatim
    assert "浙江日报" in card["text"]
    (article,) = await feed_bot.rt.call(feed_bot.rt.store.county_articles, KAIHUA)
    assert article.title == KAIHUA_TITLE

    (found,) = await feed_bot.say(USER_ID, "/search 开化 硅材料")
    assert "浙江日报 2026-04-15" in found["text"]
    read = next(b for b in buttons(found) if b["text"].startswith("📄"))
    (shown,) = await feed_bot.press(USER_ID, found["_result"]["message_id"], read["callback_data"],
                                    method="sendMessage")  # fmt: skip
    assert_telegram_ok(shown)
    assert 'href="https://zjrb.zjol.com.cn/html/2026-04/15/content_3301001.htm"' in shown["text"]


async def test_today_includes_feed_items_of_the_day(feed_bot: Harness, feed_server: FeedServer):
    sources.add_source(feed_bot.conn, feed_server.url("feeds/zjrb.xml"), source="浙江日报")
    await feeds.run_feeds(feed_bot.app, feed_bot.rt)
    replies = await feed_bot.say(USER_ID, "/today", expect=1)
    text = "\n".join(r["text"] for r in replies)
    assert "开化" in text


async def test_the_bot_starts_and_answers_with_every_source_unreachable(
    feed_bot: Harness, tmp_path: Path
):
    sources.add_source(feed_bot.conn, "http://127.0.0.1:9/zjol/paper/zjrb")
    assert feed_bot.app.job_queue.get_jobs_by_name(feeds.FEEDS_JOB)
    (reply,) = await feed_bot.say(USER_ID, "/county 缙云")
    assert "缙云" in reply["text"]
    report = await feeds.run_feeds(feed_bot.app, feed_bot.rt)
    assert "cannot connect" in report.failed[0].status


# ---- scheduling ------------------------------------------------------------------------------


@pytest.fixture
async def sched(ptb_app_factory, fake_api, tmp_path) -> AsyncIterator[tuple]:
    """A plain Application with the bot's jobs, over an empty database, clock at 07:00."""
    path = tmp_path / "sched.db"
    config = Config(
        token=fake_api.token,
        base_url=fake_api.base_url,
        base_file_url=fake_api.base_file_url,
        db_path=str(path),
        inbox_dir=tmp_path / "inbox",
        inbox_interval=0,
    )
    clock = Clock("2026-04-15 07:00")
    rt = Runtime(config, Store.open(path), clock=clock)
    app = ptb_app_factory(configure=lambda b: b.rate_limiter(RateLimiter(scale=10)))
    async with running_app(app):
        app.bot_data[scheduling.DELIVERER_KEY] = Deliverer(rt, app.bot)
        app.bot_data[feeds.SETTINGS_KEY] = _settings(tmp_path, total_timeout=3.0)
        yield app, rt, clock
        await feeds.stop_feeds(app)
    rt.close()


def _subscribe(rt: Runtime, chat_id: int, time_: str) -> None:
    chats.ensure_chat(rt.store.conn, chat_id, "private")
    chats.subscribe(rt.store.conn, chat_id, time=time_)


def on_the_half_hour_after_20(moment: datetime) -> bool:
    local = moment.astimezone(SHANGHAI)
    return local.minute % 30 == 20 and local.second == 0


async def test_the_feed_poll_runs_before_the_earliest_digest(sched, feed_server, fake_api):
    app, rt, clock = sched
    _subscribe(rt, 1, "07:30")
    _subscribe(rt, 2, "08:15")
    sources.add_source(rt.store.conn, feed_server.url("feeds/zjrb.xml"), source="浙江日报")
    await scheduling.schedule_all(app, rt, catchup=False)
    await feeds.start_feeds(app, rt)

    (pre,) = app.job_queue.get_jobs_by_name(feeds.PRE_DIGEST_JOB)
    (briefing,) = app.job_queue.get_jobs_by_name(scheduling.job_name(1))
    (repeating,) = app.job_queue.get_jobs_by_name(feeds.FEEDS_JOB)
    assert pre.next_t.astimezone(SHANGHAI).strftime("%H:%M") == "07:20"
    # Both are daily: whatever the hour the test runs at, the poll comes 10 minutes first.
    assert (briefing.next_t - pre.next_t) % timedelta(days=1) == timedelta(minutes=10)
    assert on_the_half_hour_after_20(repeating.next_t)  # 07:20, 07:50 … in phase with it

    clock.set("2026-04-15 07:20")
    await pre.run(app)
    assert (await rt.call(rt.store.latest_date)) == "2026-04-15"
    (repeating,) = app.job_queue.get_jobs_by_name(feeds.FEEDS_JOB)
    assert on_the_half_hour_after_20(repeating.next_t)

    clock.set("2026-04-15 07:30")
    await briefing.run(app)
    sent = "\n".join(m["text"] for m in fake_api.sent_messages(1))
    assert "开化" in sent
    assert "浙江日报" in sent
    assert ledger.get(rt.store.conn, 1, "2026-04-15").status == "sent"


async def test_an_earlier_subscriber_moves_the_pre_digest_poll(sched):
    app, rt, _ = sched
    _subscribe(rt, 1, "08:00")
    await feeds.start_feeds(app, rt)
    (pre,) = app.job_queue.get_jobs_by_name(feeds.PRE_DIGEST_JOB)
    assert pre.next_t.astimezone(SHANGHAI).strftime("%H:%M") == "07:50"
    _subscribe(rt, 2, "06:00")
    await feeds.run_feeds(app, rt)  # every run checks the earliest time again
    (pre,) = app.job_queue.get_jobs_by_name(feeds.PRE_DIGEST_JOB)
    assert pre.next_t.astimezone(SHANGHAI).strftime("%H:%M") == "05:50"


async def test_a_slow_source_never_delays_the_digest(sched, feed_server, fake_api):
    app, rt, clock = sched
    ingest_paths(rt.store, [SAMPLE])
    _subscribe(rt, 1, "07:30")
    sources.add_source(rt.store.conn, feed_server.url("slow"))
    await feeds.start_feeds(app, rt)
    polling = asyncio.create_task(feeds.run_feeds(app, rt))
    await asyncio.sleep(0.2)  # the poll is now stuck on the slow-loris server
    clock.set("2026-04-15 07:30")
    started = time.monotonic()
    assert await scheduling.deliver_scheduled(app, rt, 1) == "sent"
    assert time.monotonic() - started < 2.0
    assert not polling.done()
    report = await polling
    assert "timeout" in report.failed[0].status
    assert fake_api.sent_messages(1)


def test_pre_digest_time_wraps_around_midnight():
    from datetime import time as dtime

    assert feeds.pre_digest_time(dtime(0, 5), 600) == dtime(23, 55)
    assert feeds.pre_digest_time(dtime(7, 30), 600) == dtime(7, 20)


# ---- the CLI ---------------------------------------------------------------------------------

_spec = importlib.util.spec_from_file_location("bot_cli_feeds", REPO / "bot.py")
assert _spec is not None
assert _spec.loader is not None
cli = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cli)


@pytest.fixture
def cli_env(tmp_path, monkeypatch) -> Path:
    monkeypatch.delenv("LOG_LEVEL", raising=False)
    path = tmp_path / "cli.db"
    monkeypatch.setenv("BRIEFINGS_DB", str(path))
    monkeypatch.setenv("SOURCES_FILE", str(tmp_path / "sources.toml"))
    monkeypatch.setenv("FEED_TOTAL_TIMEOUT", "2")
    return path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_fetch_exits_0_when_every_source_was_read(capsys, cli_env, feed_server):
    url = feed_server.url("feeds/zjrb.xml")
    code, out, _ = run(capsys, "sources", "add", url, "--name", "浙江日报 (RSSHub)",
                       "--source", "浙江日报")  # fmt: skip
    assert code == 0
    assert "已添加 #1" in out
    code, out, err = run(capsys, "fetch")
    assert code == 0, err
    assert "新增 4" in out
    code, out, _ = run(capsys, "fetch")
    assert code == 0
    assert "未变化 1" in out
    code, out, _ = run(capsys, "sources", "list")
    assert "#1 [启用] 浙江日报 (RSSHub) → 浙江日报" in out
    assert "304" in out


def test_cli_fetch_exits_1_naming_each_failed_source_and_why(capsys, cli_env, feed_server):
    run(capsys, "sources", "add", feed_server.url("feeds/zjrb.xml"))
    run(capsys, "sources", "add", feed_server.url("status/500"))
    run(capsys, "sources", "add", feed_server.url("feeds/page.html"))
    code, out, err = run(capsys, "fetch")
    assert code == 1
    failed = err.splitlines()
    assert len(failed) == 2  # one line per failed source, nothing else
    assert "#2" in failed[0]
    assert "HTTP 500" in failed[0]
    assert "#3" in failed[1]
    assert "not a feed" in failed[1]
    assert "Traceback" not in err
    assert "新增 4" in out


def test_cli_sources_toml_seeds_and_disable_remove_work(capsys, cli_env, tmp_path):
    (tmp_path / "sources.toml").write_text(
        '[[source]]\nurl = "http://127.0.0.1:9/zjol/paper/zjrb"\nsource = "浙江日报"\n', "utf-8"
    )
    code, out, _ = run(capsys, "sources")
    assert code == 0
    assert "#1 [启用]" in out
    assert run(capsys, "sources", "disable", "1")[1].startswith("已停用 #1")
    code, _, err = run(capsys, "sources", "remove", "9")
    assert code == 1
    assert "没有这个订阅源" in err
    assert run(capsys, "sources", "remove", "1")[1].startswith("已删除 #1")
    assert "还没有订阅源" in run(capsys, "sources", "list")[1]


def test_console_admin_can_list_sources(cli_env, capsys):
    code, out, _ = run(capsys, "ask", "/sources")
    assert code == 0
    assert "订阅源" in out


def test_fetch_in_a_db_copy_keeps_the_sample_searchable(tmp_path, capsys, cli_env, feed_server):
    shutil.copy(SAMPLE, tmp_path / SAMPLE.name)
    run(capsys, "ingest", str(tmp_path / SAMPLE.name))
    run(capsys, "sources", "add", feed_server.url("feeds/zjrb.xml"), "--source", "浙江日报")
    assert run(capsys, "fetch")[0] == 0
    code, out, _ = run(capsys, "county", "开化")
    assert code == 0
    assert "13.2%" in out


# ---- any text ---------------------------------------------------------------------------------

ACTIONS = ["", "add ", "add http://feeds.example/rss ", "remove ", "enable ", "disable ", "rm #"]
HOSTILE = "<>&\"'/@#:;%*_`~\\\n\t 　👩‍💻é\u0301\u202e\u200dＡ１縉雲http://x.example/"


@pytest.fixture(scope="module")
def sources_console(tmp_path_factory: pytest.TempPathFactory):
    from bot.app import open_runtime
    from bot.console import Console

    rt = open_runtime(Config(db_path=str(tmp_path_factory.mktemp("src") / "src.db")))
    try:
        yield Console(rt)
    finally:
        rt.close()


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    action=st.sampled_from(ACTIONS),
    arg=st.text(
        alphabet=st.one_of(st.sampled_from(HOSTILE), st.characters(codec="utf-8")), max_size=120
    ),
)
def test_any_sources_command_text_gets_a_valid_reply(sources_console, action, arg):
    from fakebotapi import validate_telegram_html

    from bot.telegram_html import utf16_len, visible_text

    replies = asyncio.run(sources_console.send(f"/sources {action}{arg}"))
    assert replies
    for reply in replies:
        assert reply.text
        assert validate_telegram_html(reply.text) is None, reply.text
        assert 0 < utf16_len(visible_text(reply.text)) <= 4096
        assert "Traceback" not in reply.text
