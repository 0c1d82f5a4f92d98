"""Delivery under faults: Telegram outages, permanent errors, stale editions, deliverers that
run at the same time, and replies competing with a fan-out for the 30/s budget.

Real SQLite files, the real PTB bot (ExtBot with the bot's limiter, or the whole Application)
against the fake Bot API, and ``python bot.py push`` as a subprocess where the operator's view
(exit status, one line on stderr) is what is tested. ``pytest -m faults`` runs these alone.

Time is scaled where an outage would otherwise make the suite slow: the outage test keeps the
production ratio between the outage and the in-pass retry budget (20 s against 1.5 s), at a
tenth of the time.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from botharness import Clock
from fakebotapi import BOT_USERNAME, FakeBotAPI, make_message, running_app
from telegram.ext import ExtBot

from bot import scheduling
from bot.app import build_application
from bot.config import Config
from bot.delivery import Deliverer, delivery_bot, push
from bot.edition_html import EditionHtml
from bot.ratelimit import RateLimiter
from bot.runtime import Runtime
from briefings import chats, ledger
from briefings.delivery_plan import compose_parts
from briefings.store import Store

pytestmark = pytest.mark.faults

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "data" / "sample_page_2026-04-15.txt"
ED = "2026-04-15"


@pytest.fixture
def db(bot_db: Path) -> Path:
    """A private copy of the sample database (conftest.py)."""
    return bot_db


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 4, 15, 0, 30, tzinfo=UTC))  # 08:30 in Shanghai


def _config(fake: FakeBotAPI, db: Path, **kwargs: Any) -> Config:
    return Config(
        token=fake.token,
        base_url=fake.base_url,
        base_file_url=fake.base_file_url,
        db_path=str(db),
        inbox_dir=db.parent / "inbox",
        inbox_interval=0,
        **kwargs,
    )


@pytest.fixture
async def rt(db: Path, fake_api: FakeBotAPI, clock: Clock) -> AsyncIterator[Runtime]:
    runtime = Runtime(_config(fake_api, db), Store.open(db), clock=clock)
    yield runtime
    runtime.close()


def subscribe(store: Store, chat_ids: list[int]) -> None:
    with store.transaction():
        for chat_id in chat_ids:
            chats.ensure_chat(store.conn, chat_id, "group" if chat_id < 0 else "private")
            chats.subscribe(store.conn, chat_id)


def expected(store: Store, chat_id: int, limit: int = 4096) -> list[str]:
    prefs = chats.get_chat(store.conn, chat_id)
    parts, _ = compose_parts(
        store, prefs, ED, store.articles_on(ED), render=EditionHtml(BOT_USERNAME, limit)
    )
    return parts


def received(fake: FakeBotAPI, chat_id: int) -> list[str]:
    return [m["text"] for m in fake.sent_messages(chat_id)]


def fast(**kwargs: Any) -> dict[str, Any]:
    """Deliverer options at a tenth of production time (in-pass retries 0.05 s, 0.1 s)."""
    return {"backoff": 0.05, "retry_base": 60.0, **kwargs}


# --- outages ------------------------------------------------------------------------------------


async def test_fake_outage_answers_502_only_inside_its_window(fake_api):
    async with delivery_bot(_config(fake_api, Path("unused.db")), RateLimiter(scale=10)) as bot:
        end = fake_api.outage(0.3, after=0.2)
        await bot.send_message(1, "before")
        await asyncio.sleep(0.25)
        with pytest.raises(Exception, match="Bad Gateway"):
            await bot.send_message(1, "during")
        await asyncio.sleep(max(0.0, end - time.monotonic()) + 0.1)
        await bot.send_message(1, "after")
    assert received(fake_api, 1) == ["before", "after"]


async def test_outage_during_a_push_of_hundreds_loses_no_chat_once_the_next_push_ran(
    db, fake_api, clock
):
    ids = [c if c % 50 else -c for c in range(1, 301)]  # 300 chats, six of them groups
    store = Store.open(db)
    subscribe(store, ids)
    want = {c: expected(store, c) for c in ids}
    store.close()
    config = _config(fake_api, db)
    # Production: a 20 s outage against 1.5 s of in-pass retries; here 2 s against 0.15 s.
    fake_api.outage(2.0, after=0.4)
    first = await push(config, ED, clock=clock, limiter=RateLimiter(scale=10), **fast())
    assert first.pending > 30, first.summary()  # the outage hit many chats mid-push
    assert (first.sent + first.pending, first.failed) == (len(ids), 0)
    assert "待重试" in first.summary()
    store = Store.open(db)
    rows = {r.chat_id: r for r in ledger.deliveries(store.conn, ED)}
    store.close()
    waiting = [c for c, r in rows.items() if r.status == "pending"]
    assert len(waiting) == first.pending
    assert all(rows[c].last_error.startswith("network: Bad Gateway") for c in waiting)

    await asyncio.sleep(2.5)  # the outage is over
    second = await push(config, ED, clock=clock, limiter=RateLimiter(scale=10), **fast())
    assert (second.sent, second.pending, second.failed) == (first.pending, 0, 0)
    assert second.already == len(ids) - first.pending
    for chat_id in ids:
        assert received(fake_api, chat_id) == want[chat_id], chat_id  # each part exactly once
    store = Store.open(db)
    try:
        assert ledger.stats(store.conn, ED)["sent"] == len(ids)
    finally:
        store.close()


@pytest.fixture
async def app(rt, ptb_app_factory):
    application = ptb_app_factory(configure=lambda b: b.rate_limiter(RateLimiter(scale=10)))
    async with running_app(application):
        application.bot_data[scheduling.DELIVERER_KEY] = Deliverer(rt, application.bot, **fast())
        yield application


async def test_the_running_bot_retries_pending_chats_when_their_time_comes(
    app, rt, fake_api, clock
):
    ids = list(range(1, 41))
    subscribe(rt.store, ids)
    await scheduling.schedule_all(app, rt, catchup=False)
    fake_api.outage(60.0)
    deliverer = await scheduling.get_deliverer(app, rt)
    report = await deliverer.deliver_issue(ED)
    assert (report.pending, report.sent) == (len(ids), 0)
    fake_api.clear_faults()  # Telegram is back

    tried = len(fake_api.calls("sendMessage"))
    assert (await scheduling.retry_due(app, rt)).sent == 0  # backoff: not due yet
    assert len(fake_api.calls("sendMessage")) == tried

    clock.advance(61)
    (job,) = app.job_queue.get_jobs_by_name(scheduling.RETRY_JOB)
    await job.run(app)  # what the JobQueue does every RETRY_INTERVAL seconds
    for chat_id in ids:
        assert received(fake_api, chat_id) == expected(rt.store, chat_id)
    assert ledger.stats(rt.store.conn, ED)["sent"] == len(ids)


async def test_a_delivery_still_failing_at_the_end_of_the_chats_day_is_given_up(
    app, rt, fake_api, clock
):
    subscribe(rt.store, [1, 2])
    chats.set_timezone(rt.store.conn, 2, "Europe/London")  # its day ends 7 hours later
    fake_api.outage(3600.0)
    deliverer = await scheduling.get_deliverer(app, rt)
    assert (await deliverer.deliver_issue(ED)).pending == 2
    tried = len(fake_api.calls("sendMessage", chat_id=1))
    clock.now = datetime(2026, 4, 15, 16, 1, tzinfo=UTC)  # 00:01 in Shanghai, 17:01 in London
    report = await scheduling.retry_due(app, rt)
    assert (report.failed, report.pending) == (1, 1)
    row = ledger.get(rt.store.conn, 1, ED)
    assert row.status == "failed"
    assert row.last_error.startswith("stale:")
    assert ledger.stats(rt.store.conn, ED)["error:stale"] == 1
    assert len(fake_api.calls("sendMessage", chat_id=1)) == tried  # not tried again
    assert ledger.get(rt.store.conn, 2, ED).status == "pending"


async def test_permanent_errors_end_a_delivery_and_are_never_retried(app, rt, fake_api, clock):
    subscribe(rt.store, [1, 2, 3])
    fake_api.block(1)
    fake_api.inject(
        "sendMessage", chat_id=2, status=400, description="Bad Request: chat not found", times=None
    )
    fake_api.inject("sendMessage", chat_id=3, status=500, times=None)
    deliverer = await scheduling.get_deliverer(app, rt)
    report = await deliverer.deliver_issue(ED)
    assert (report.failed, report.pending) == (2, 1)
    assert report.errors == {"forbidden": 1, "bad_request": 1}
    before = {c: len(fake_api.calls("sendMessage", chat_id=c)) for c in (1, 2)}
    fake_api.clear_faults()
    clock.advance(3600)
    assert (await scheduling.retry_due(app, rt)).sent == 1
    assert received(fake_api, 3) == expected(rt.store, 3)
    assert {c: len(fake_api.calls("sendMessage", chat_id=c)) for c in (1, 2)} == before
    assert [ledger.get(rt.store.conn, c, ED).status for c in (1, 2, 3)] == [
        "failed",
        "failed",
        "sent",
    ]


async def test_a_chat_left_sending_by_a_crash_is_finished_by_the_retry_job(app, rt, fake_api):
    subscribe(rt.store, [5])
    parts = ["<b>第一部分</b>", "第二部分", "第三部分"]
    ledger.claim(rt.store.conn, 5, ED, parts=parts, article_ids=[1])
    ledger.record_part(rt.store.conn, 5, ED, 700)  # a push died after part one
    await scheduling.retry_due(app, rt)
    assert received(fake_api, 5) == parts[1:]
    assert ledger.get(rt.store.conn, 5, ED).status == "sent"


async def test_the_retry_job_skips_its_run_while_another_process_delivers(
    app, rt, fake_api, clock, caplog
):
    subscribe(rt.store, [1])
    fake_api.outage(3600.0)
    deliverer = await scheduling.get_deliverer(app, rt)
    assert (await deliverer.deliver_issue(ED)).pending == 1
    fake_api.clear_faults()
    clock.advance(3600)
    other = Runtime(rt.config, Store.open(rt.config.db_path), clock=clock)
    caplog.set_level(logging.INFO, logger="bot.scheduling")
    try:
        async with delivery_bot(rt.config, RateLimiter(scale=10)) as bot:
            push_running = Deliverer(other, bot, kind="push").lease()
            async with push_running:
                report = await scheduling.retry_due(app, rt)
    finally:
        other.close()
    assert (report.sent, report.pending) == (0, 0)
    assert "retries skipped this time: delivery lock held by push (pid" in caplog.text
    assert ledger.get(rt.store.conn, 1, ED).status == "pending"  # the next run will try
    assert (await scheduling.retry_due(app, rt)).sent == 1


# --- push as the operator runs it ----------------------------------------------------------------


async def _push_process(fake: FakeBotAPI, db: Path) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_"))}
    env |= {
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_BASE_URL": fake.base_url,
        "BRIEFINGS_DB": str(db),
        "LOG_LEVEL": "ERROR",
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        str(REPO / "bot.py"),
        "push",
        "--date",
        ED,
        cwd=str(REPO),
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def _finish(proc: asyncio.subprocess.Process) -> tuple[int, str, str]:
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def test_push_exits_non_zero_and_says_how_many_chats_are_still_pending(db, fake_api):
    store = Store.open(db)
    subscribe(store, [1, 2, 3])
    store.close()
    fake_api.outage(3600.0)
    code, out, err = await _finish(await _push_process(fake_api, db))
    assert code == 3, (out, err)
    assert "待重试 3" in out
    assert err.strip() == "3 个会话仍待重试: 再次运行 push 或由运行中的 bot 重试"
    fake_api.clear_faults()
    code, out, err = await _finish(await _push_process(fake_api, db))
    assert (code, err) == (0, ""), out
    assert "送达 3 个会话" in out


async def test_two_pushes_at_once_send_every_part_once(db, fake_api):
    ids = list(range(1, 61))
    store = Store.open(db)
    subscribe(store, ids)
    want = {c: expected(store, c) for c in ids}
    store.close()
    procs = [await _push_process(fake_api, db), await _push_process(fake_api, db)]
    results = await asyncio.gather(*(_finish(p) for p in procs))
    for chat_id in ids:
        assert received(fake_api, chat_id) == want[chat_id], chat_id
    refused = [err for code, _, err in results if code == 1]
    assert all(code in (0, 1) for code, _, _ in results), results
    assert len(refused) <= 1
    for err in refused:  # one line naming who holds the lock
        assert err.count("\n") == 1
        assert err.startswith("错误: 另一个投递进程正在运行: push (pid ")
    assert fake_api.stats.throttled == 0


async def test_push_while_another_push_is_delivering_is_refused_at_once(db, fake_api):
    ids = list(range(1, 101))
    store = Store.open(db)
    subscribe(store, ids)
    store.close()
    # Slow answers keep the first push busy for seconds, while the second one starts up.
    fake_api.inject("sendMessage", delay=0.3, times=None)
    first = await _push_process(fake_api, db)
    await fake_api.wait_for("sendMessage", count=3, timeout=30)
    code, _, err = await _finish(await _push_process(fake_api, db))
    assert code == 1
    assert err.startswith("错误: 另一个投递进程正在运行: push (pid ")
    assert err.count("\n") == 1
    assert (await _finish(first))[0] == 0
    assert len(fake_api.sent_messages()) == len(ids)


async def test_push_while_the_bot_delivers_is_refused_with_one_line(rt, db, fake_api):
    async with delivery_bot(rt.config, RateLimiter(scale=10)) as bot:
        deliverer = Deliverer(rt, bot)
        async with deliverer.lease():  # the bot is in the middle of a delivery pass
            code, _, err = await _finish(await _push_process(fake_api, db))
    assert code == 1
    assert err.startswith(f"错误: 另一个投递进程正在运行: bot (pid {os.getpid()} on ")
    assert err.count("\n") == 1
    assert not fake_api.calls("sendMessage")


async def test_a_second_bot_waits_for_the_lock_and_sends_nothing_twice(
    rt, db, fake_api, clock, caplog
):
    ids = list(range(1, 31))
    subscribe(rt.store, ids)
    other = Runtime(rt.config, Store.open(db), clock=clock)
    bots: list[ExtBot] = [
        delivery_bot(rt.config, RateLimiter(scale=10)),
        delivery_bot(rt.config, RateLimiter(scale=10)),
    ]
    try:
        for b in bots:
            await b.initialize()
        first, second = Deliverer(rt, bots[0]), Deliverer(other, bots[1], lock_poll=0.05)
        caplog.set_level(logging.WARNING, logger="bot.lease")
        one = asyncio.create_task(first.deliver_issue(ED))
        await fake_api.wait_for("sendMessage", count=2)
        two = await second.deliver_issue(ED)
        assert (await one).sent == len(ids)
    finally:
        for b in bots:
            await b.shutdown()
        other.close()
    assert (two.sent, two.already) == (0, len(ids))
    assert "delivery lock held by bot (pid" in caplog.text
    for chat_id in ids:
        assert len(fake_api.sent_messages(chat_id)) == 1


# --- replies and the fan-out share one limiter ---------------------------------------------------


async def test_a_users_reply_goes_out_before_queued_digest_parts(db, fake_api, clock):
    scale = 5  # 150 messages/s at the server and in the limiter
    ids = list(range(1, 301))
    store = Store.open(db)
    subscribe(store, ids)
    store.close()
    config = replace(_config(fake_api, db), catchup_until="00:00")
    rt = Runtime(config, Store.open(db), clock=clock)
    app = build_application(config, rt, limiter=RateLimiter(scale=scale))
    fake_api.enforce_limits(scale=scale)
    user = 99_999
    try:
        async with running_app(app, poll_timeout=2):
            # A wide fan-out: hundreds of digest parts wait for the limiter at once.
            deliverer = Deliverer(rt, app.bot, concurrency=300)
            app.bot_data[scheduling.DELIVERER_KEY] = deliverer
            fan_out = asyncio.create_task(deliverer.deliver_issue(ED))
            await fake_api.wait_for("sendMessage", count=60, timeout=30)
            asked = time.monotonic()  # the fake server's clock
            fake_api.push_update(make_message(user, "/help"))
            (reply,) = await fake_api.wait_for("sendMessage", chat_id=user, timeout=10)
            report = await fan_out
    finally:
        rt.close()
    digest = [c for c in fake_api.calls("sendMessage", ok=True) if c.chat_id != user]
    ahead = [c for c in digest if asked < c.time < reply.time]
    # Released at the next free slot: only parts already on the wire or released ahead of it.
    assert len(ahead) <= 8, len(ahead)
    assert reply.time - asked < 0.5
    assert len([c for c in digest if c.time > reply.time]) > 100  # the queue was long
    assert report.sent == len(ids)
    assert fake_api.stats.throttled == 0  # 150/s never exceeded, replies and digest together
    assert app.bot.rate_limiter.released[0] >= 1
