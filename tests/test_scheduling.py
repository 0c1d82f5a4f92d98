"""Scheduled delivery: one job per chat at its local time, catch-up after downtime, inbox ingest.

A real PTB Application (JobQueue included) runs against the fake Bot API; ``rt.clock`` puts
"now" wherever a test needs it, and jobs are fired with ``job.run(app)`` instead of waiting.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from datetime import time as dtime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from botharness import Clock
from fakebotapi import FakeBotAPI, running_app
from telegram.ext import Application, ApplicationBuilder

from bot import scheduling
from bot.config import Config
from bot.ratelimit import RateLimiter
from bot.runtime import Runtime
from briefings import chats, delivery_plan, ledger
from briefings.pipeline import ingest_paths
from briefings.store import Store

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "data" / "sample_page_2026-04-15.txt"
ED = "2026-04-15"


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "briefings.db"
    store = Store.open(path)
    assert ingest_paths(store, [SAMPLE]).articles > 0
    store.close()
    return path


def _runtime(path: Path, fake: FakeBotAPI, inbox: Path, clock: Clock) -> Runtime:
    config = Config(
        token=fake.token,
        base_url=fake.base_url,
        base_file_url=fake.base_file_url,
        db_path=str(path),
        inbox_dir=inbox,
        inbox_interval=0,  # tests call run_inbox themselves
    )
    return Runtime(config, Store.open(path), clock=clock)


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 4, 15, 0, 0, tzinfo=UTC))


@pytest.fixture
async def rt(sample_db, tmp_path, fake_api, clock) -> AsyncIterator[Runtime]:
    path = tmp_path / "briefings.db"
    shutil.copy(sample_db, path)
    runtime = _runtime(path, fake_api, tmp_path / "inbox", clock)
    yield runtime
    runtime.close()


def limited(builder: ApplicationBuilder) -> ApplicationBuilder:
    """The app's bot with our limiter (scaled): delivery sends through the app's own bot."""
    return builder.rate_limiter(RateLimiter(scale=10))


@pytest.fixture
async def app(ptb_app_factory, rt) -> AsyncIterator[Application]:
    application = ptb_app_factory(configure=limited)
    async with running_app(application):
        yield application


def subscribe(rt: Runtime, chat_id: int, *, time: str = "07:30", tz: str = "Asia/Shanghai") -> None:
    conn = rt.store.conn
    chats.ensure_chat(conn, chat_id, "group" if chat_id < 0 else "private")
    chats.subscribe(conn, chat_id, time=time)
    chats.set_timezone(conn, chat_id, tz)


def briefing_jobs(app: Application) -> dict[str, Any]:
    return {job.name: job for job in app.job_queue.jobs(f"^{scheduling.JOB_PREFIX}")}


def test_catchup_deadline_gives_late_chats_their_own_grace():
    assert delivery_plan.catchup_deadline("07:30", "12:00") == dtime(12, 0)
    assert delivery_plan.catchup_deadline("18:00", "12:00") == dtime(20, 0)
    assert delivery_plan.catchup_deadline("23:00", "12:00") == dtime(23, 59, 59)


async def test_restart_rebuilds_exactly_one_job_per_subscriber(app, rt):
    for chat_id in (1, 2, -3):
        subscribe(rt, chat_id)
    chats.unsubscribe(rt.store.conn, 2)
    await scheduling.schedule_all(app, rt, catchup=False)
    await scheduling.schedule_all(app, rt, catchup=False)  # a second start-up in one process
    assert sorted(briefing_jobs(app)) == ["briefing:-3", "briefing:1"]


async def test_time_change_replaces_the_job_and_unsubscribe_removes_it(app, rt):
    subscribe(rt, 1)
    await scheduling.schedule_all(app, rt, catchup=False)
    chats.set_time(rt.store.conn, 1, "09:15")
    await scheduling.reschedule_chat(app, rt, 1)
    jobs = app.job_queue.get_jobs_by_name("briefing:1")
    assert len(jobs) == 1
    local = jobs[0].next_t.astimezone(ZoneInfo("Asia/Shanghai"))
    assert (local.hour, local.minute) == (9, 15)
    chats.unsubscribe(rt.store.conn, 1)
    await scheduling.reschedule_chat(app, rt, 1)
    assert not app.job_queue.get_jobs_by_name("briefing:1")


@pytest.mark.parametrize("tz", ["Asia/Shanghai", "Europe/London", "America/New_York"])
async def test_job_runs_at_the_chats_local_time(app, rt, tz):
    subscribe(rt, 1, time="07:30", tz=tz)
    await scheduling.schedule_all(app, rt, catchup=False)
    (job,) = briefing_jobs(app).values()
    local = job.next_t.astimezone(ZoneInfo(tz))
    assert (local.hour, local.minute) == (7, 30)
    # The same wall time is another instant in each zone (DST decides between two hours).
    utc_hours = {"Asia/Shanghai": {23}, "Europe/London": {6, 7}, "America/New_York": {11, 12}}
    assert job.next_t.astimezone(UTC).hour in utc_hours[tz]


@pytest.mark.parametrize("tz", ["Asia/Shanghai", "Europe/London", "America/New_York"])
async def test_job_sends_the_issue_of_the_chats_local_day(app, rt, clock, fake_api, tz):
    subscribe(rt, 1, tz=tz)
    await scheduling.schedule_all(app, rt, catchup=False)
    (job,) = briefing_jobs(app).values()
    clock.set_local(tz, "2026-04-14 07:30")  # the day before the issue: nothing to send
    await job.run(app)
    assert not fake_api.sent_messages(1)
    clock.set_local(tz, "2026-04-15 07:30")
    await job.run(app)
    assert fake_api.sent_messages(1)
    assert ledger.get(rt.store.conn, 1, ED).status == "sent"
    before = len(fake_api.sent_messages(1))
    await job.run(app)  # a duplicate firing (or a restart) sends nothing
    assert len(fake_api.sent_messages(1)) == before


async def test_job_sends_yesterdays_issue_when_todays_is_not_in_yet(app, rt, clock, fake_api):
    subscribe(rt, 1)
    clock.set_local("Asia/Shanghai", "2026-04-16 07:30")
    assert await scheduling.deliver_scheduled(app, rt, 1) == "sent"
    clock.set_local("Asia/Shanghai", "2026-04-20 07:30")  # too old by then
    assert await scheduling.deliver_scheduled(app, rt, 1) == "no-edition"


async def test_catch_up_after_downtime_delivers_before_noon_and_skips_after(
    app, rt, clock, fake_api
):
    subscribe(rt, 1, time="07:30")  # missed, still morning: deliver
    subscribe(rt, 2, time="10:00")  # not due yet: the job will do it
    subscribe(rt, 3, time="07:00", tz="Europe/London")  # missed long ago: skip
    subscribe(rt, 4, time="08:00")  # already had it: nothing
    ledger.claim(rt.store.conn, 4, ED)
    ledger.mark_sent(rt.store.conn, 4, ED, [], message_id=1)
    clock.set_local("Asia/Shanghai", "2026-04-15 09:00")  # London: 02:00 — not due either
    report = await scheduling.catch_up(app, rt)
    assert report.sent == 1
    assert fake_api.sent_messages(1)
    assert not fake_api.sent_messages(2)
    assert not fake_api.sent_messages(4)
    assert ledger.get(rt.store.conn, 3, ED) is None

    clock.set_local("Europe/London", "2026-04-15 12:30")  # London is past its grace window
    report = await scheduling.catch_up(app, rt)
    row = ledger.get(rt.store.conn, 3, ED)
    assert row.status == "skipped"
    assert "catch-up ends at 12:00" in row.last_error
    assert not fake_api.sent_messages(3)
    # Shanghai is 19:30 by then: chat 2 (10:00) missed its window as well.
    assert ledger.get(rt.store.conn, 2, ED).status == "skipped"
    assert ledger.stats(rt.store.conn)["skipped"] == 2


async def test_evening_chat_is_caught_up_within_its_own_grace(app, rt, clock, fake_api):
    subscribe(rt, 1, time="18:00")
    clock.set_local("Asia/Shanghai", "2026-04-15 19:00")
    report = await scheduling.catch_up(app, rt)
    assert report.sent == 1


async def test_interrupted_delivery_is_finished_even_after_the_window(app, rt, clock, fake_api):
    subscribe(rt, 1)
    ledger.claim(rt.store.conn, 1, ED)  # a crash right after the claim
    clock.set_local("Asia/Shanghai", "2026-04-15 15:00")
    await scheduling.catch_up(app, rt)
    assert ledger.get(rt.store.conn, 1, ED).status == "sent"
    assert fake_api.sent_messages(1)


async def test_inbox_ingests_files_and_sends_a_late_paper(ptb_app_factory, fake_api, tmp_path):
    clock = Clock(datetime(2026, 4, 15, 1, 0, tzinfo=UTC))  # 09:00 in Shanghai
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    rt = _runtime(tmp_path / "empty.db", fake_api, inbox, clock)
    try:
        subscribe(rt, 1, time="07:30")
        shutil.copy(SAMPLE, inbox / SAMPLE.name)
        (inbox / "broken_2026-04-15.txt").write_bytes(b"\x00\x01\x02" * 100)
        (inbox / "incoming.txt.part").write_text("still downloading", "utf-8")
        app = ptb_app_factory(configure=limited)
        async with running_app(app):
            result = await scheduling.run_inbox(app, rt)
            assert result.done == [SAMPLE.name]
            assert [name for name, _ in result.failed] == ["broken_2026-04-15.txt"]
            assert (inbox / "done" / SAMPLE.name).exists()
            assert (inbox / "failed" / "broken_2026-04-15.txt.error.txt").exists()
            assert (inbox / "incoming.txt.part").exists()
            # The paper came after the 07:30 delivery time, before noon: sent now.
            assert ledger.get(rt.store.conn, 1, ED).status == "sent"
            assert fake_api.sent_messages(1)
            again = await scheduling.run_inbox(app, rt)
            assert (again.done, again.failed) == ([], [])
        row = rt.store.conn.execute("SELECT articles FROM editions WHERE date = ?", (ED,))
        assert row.fetchone()[0] == len(rt.store.articles_on(ED))
    finally:
        rt.close()
