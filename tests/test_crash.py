"""Crash safety: a fan-out killed with SIGKILL mid-edition, then restarted, finishes exactly once.

The sender runs in a subprocess against the fake Bot API served by this test process. It is
killed twice while parts are on the wire, then run to completion. Every subscriber must end up
with every part of its edition, and a chat may see at most one part twice per crash
(the documented bound, docs/delivery.md).
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter
from pathlib import Path

import pytest
from fakebotapi import BOT_USERNAME, FakeBotAPI

from bot.edition_html import EditionHtml
from briefings import chats, ledger
from briefings.delivery_plan import compose_parts
from briefings.pipeline import ingest_paths
from briefings.store import Store

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "data" / "sample_page_2026-04-15.txt"
PAGES = REPO / "tests" / "pages"
ED = "2026-04-15"
PART_LIMIT = 300  # several parts per chat, so kills land inside editions

# The sender process: one delivery pass, as `python bot.py push` would run it.
SENDER = """
import asyncio, sys
from bot.config import Config
from bot.delivery import Deliverer, delivery_bot
from bot.ratelimit import RateLimiter
from bot.runtime import Runtime
from briefings.store import Store

db, base_url, token, date, limit = sys.argv[1:6]

async def main():
    config = Config(token=token, base_url=base_url, db_path=db)
    rt = Runtime(config, Store.open(db))
    async with delivery_bot(config, RateLimiter(scale=4)) as bot:
        d = Deliverer(rt, bot, part_limit=int(limit))
        report = await d.deliver_issue(date)
    rt.close()
    print(report.summary())

asyncio.run(main())
"""


def _compose_all(store: Store, ids: list[int]) -> dict[int, list[str]]:
    bundles = store.articles_on(ED)
    return {
        c: compose_parts(
            store,
            chats.get_chat(store.conn, c),
            ED,
            bundles,
            render=EditionHtml(BOT_USERNAME, PART_LIMIT),
        )[0]
        for c in ids
    }


def _subscribed_store(db: Path, ids: list[int]) -> dict[int, list[str]]:
    """The sample issue in ``db`` with ``ids`` subscribed; each chat's parts as composed now."""
    store = Store.open(db)
    try:
        assert ingest_paths(store, [SAMPLE]).articles > 0
        for chat_id in ids:
            chats.ensure_chat(store.conn, chat_id, "group" if chat_id < 0 else "private")
            chats.subscribe(store.conn, chat_id)
        return _compose_all(store, ids)
    finally:
        store.close()


async def _start_sender(db: Path, fake: FakeBotAPI) -> asyncio.subprocess.Process:
    env = {**os.environ, "PTB_TIMEDELTA": "true"}
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        SENDER,
        str(db),
        fake.base_url,
        fake.token,
        ED,
        str(PART_LIMIT),
        cwd=REPO,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def _kill_after(proc: asyncio.subprocess.Process, fake: FakeBotAPI, sends: int) -> None:
    await fake.wait_for("sendMessage", count=sends, timeout=60)
    proc.send_signal(signal.SIGKILL)
    await proc.wait()
    assert proc.returncode == -signal.SIGKILL


@pytest.mark.faults
async def test_killed_fan_out_resumes_with_at_most_one_duplicate_per_chat_per_crash(
    tmp_path, fake_api
):
    db = tmp_path / "briefings.db"
    ids = [*range(1, 25), -501, -502]
    expected = _subscribed_store(db, ids)
    total = sum(len(p) for p in expected.values())
    assert total >= 3 * len(ids)
    # Slow answers keep requests in flight, so a kill can fall between send and record.
    fake_api.inject("sendMessage", delay=0.02, times=None)

    crashes = 0
    for kill_at in (total // 4, total // 2):
        proc = await _start_sender(db, fake_api)
        await _kill_after(proc, fake_api, kill_at)
        crashes += 1
    proc = await _start_sender(db, fake_api)
    _out, err = await asyncio.wait_for(proc.communicate(), timeout=120)
    assert proc.returncode == 0, err.decode()

    duplicates = 0
    for chat_id in ids:
        got = [m["text"] for m in fake_api.sent_messages(chat_id)]
        # Every part arrived, in order once duplicates are dropped.
        assert list(dict.fromkeys(got)) == list(dict.fromkeys(expected[chat_id]))
        extra = sum(n - 1 for n in Counter(got).values())
        assert extra <= crashes, (chat_id, extra)
        duplicates += extra
    assert duplicates <= crashes * len(ids)
    print(f"{crashes} crashes, {total} parts, {duplicates} duplicated")

    store = Store.open(db)
    try:
        assert ledger.stats(store.conn, ED)["sent"] == len(ids)
        assert not ledger.unfinished(store.conn)
    finally:
        store.close()


@pytest.mark.faults
async def test_resume_sends_what_was_claimed_whatever_changed_after_the_crash(tmp_path, fake_api):
    """Killed mid-fan-out; then another page is ingested and every chat's topics change. Each
    chat claimed before the crash gets exactly the parts it was claimed with (at most one part
    twice), none skipped; the others get the new edition."""
    db = tmp_path / "briefings.db"
    ids = [*range(1, 49), -501, -502]  # more than the sender's concurrency (32)
    before = _subscribed_store(db, ids)
    total = sum(len(p) for p in before.values())
    fake_api.inject("sendMessage", delay=0.02, times=None)

    proc = await _start_sender(db, fake_api)
    await _kill_after(proc, fake_api, total // 3)

    store = Store.open(db)
    rows = {r.chat_id: r for r in ledger.deliveries(store.conn, ED)}
    claimed = {c for c, r in rows.items() if r.status in ("sending", "sent")}
    midway = {c for c in claimed if rows[c].status == "sending" and rows[c].message_ids}
    # While the bot was down: a new page for the same issue, and every reader changed topics.
    assert ingest_paths(store, [PAGES / "hard_cases.txt"], date=ED).articles > 0
    for i, chat_id in enumerate(ids):
        chats.set_topics(store.conn, chat_id, ("county", "other") if i % 2 else ("county",))
    after = _compose_all(store, ids)
    store.close()
    changed = {c for c in midway if after[c] != before[c]}
    assert changed, "the test needs chats whose edition changed while half sent"
    assert set(ids) - claimed, "and chats not claimed before the crash"

    proc = await _start_sender(db, fake_api)
    _out, err = await asyncio.wait_for(proc.communicate(), timeout=120)
    assert proc.returncode == 0, err.decode()

    for chat_id in ids:
        want = before[chat_id] if chat_id in claimed else after[chat_id]
        got = [m["text"] for m in fake_api.sent_messages(chat_id)]
        assert list(dict.fromkeys(got)) == want, chat_id  # each claimed part, none skipped
        assert len(got) - len(want) <= 1, chat_id  # at most one part twice (the crash window)
    store = Store.open(db)
    try:
        assert ledger.stats(store.conn, ED)["sent"] == len(ids)
    finally:
        store.close()
