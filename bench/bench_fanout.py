"""Fan-out benchmark: one delivery pass to N subscribers against the fake Bot API under limits.

The fake server runs in its own process (its CPU must not slow the sender's event loop) and
enforces Telegram's limits ``--scale`` times faster (default 5: 150 messages/s overall, 5/s per
chat, 100/min per group); the bot's limiter is scaled the same way. Reported: the sustained
rate as a fraction of the allowed rate (target >= 0.95), 429 answers (target 0), chats that
lost a part and parts delivered twice (target 0). The baseline is a bare sequential
``send_message`` loop with limits off, in the same run.

The default scale keeps the sender well under one core, so the run measures the limiter and
not CPU starvation on a shared 2-core machine; ``--scale 10`` shows what happens near it.

    python bench/bench_fanout.py            # 10,000 subscribers, about 70 s
    python bench/bench_fanout.py --n 2000 --scale 10
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests"), str(REPO / "bench")]
os.environ.setdefault("PTB_TIMEDELTA", "true")

from fakebotapi import BOT_USERNAME  # noqa: E402
from fakeserver_process import FakeServerProcess  # noqa: E402
from telegram import Bot  # noqa: E402

from bot.config import Config  # noqa: E402
from bot.delivery import Deliverer, delivery_bot  # noqa: E402
from bot.edition_html import EditionHtml  # noqa: E402
from bot.ratelimit import RateLimiter  # noqa: E402
from bot.request import AiohttpRequest  # noqa: E402
from bot.runtime import Runtime  # noqa: E402
from briefings import chats  # noqa: E402
from briefings.delivery_plan import compose_parts  # noqa: E402
from briefings.migrations import transaction  # noqa: E402
from briefings.pipeline import ingest_paths  # noqa: E402
from briefings.store import Store  # noqa: E402

SAMPLE = REPO / "data" / "sample_page_2026-04-15.txt"
DATE = "2026-04-15"
SCALE = 5.0
GROUP_EVERY = 50  # one subscriber in 50 is a group (negative id)
STEADY_TRIM = 0.05  # the steady state leaves out the first and last 5 % of accepted sends
# BENCH_SYNC_NORMAL=1: PRAGMA synchronous=NORMAL (WAL), to see what fsync per commit costs.
SYNC_NORMAL = os.environ.get("BENCH_SYNC_NORMAL") == "1"


def _subscribe(store: Store, n: int) -> list[int]:
    ids = [-(1_000_000 + i) if i % GROUP_EVERY == 0 else 1_000_000 + i for i in range(1, n + 1)]
    with transaction(store.conn):  # one commit for the set-up, not 2n
        for chat_id in ids:
            chats.ensure_chat(store.conn, chat_id, "group" if chat_id < 0 else "private")
            chats.subscribe(store.conn, chat_id)
    return ids


async def _baseline(server: FakeServerProcess, config: Config, count: int) -> float:
    server.set_limits(0)
    # A plain PTB Bot on the same HTTP layer, no limiter: the loop's speed, nothing else.
    async with Bot(config.token, base_url=config.base_url, request=AiohttpRequest()) as bot:
        start = time.perf_counter()
        for i in range(count):
            await bot.send_message(2_000_000_000 + i, "baseline")
        rate = count / (time.perf_counter() - start)
    server.take_calls()
    return rate


def _max_in_window(times: list[float], window: float) -> int:
    """Most sends in any window of ``window`` seconds, counted as the server counts them."""
    best = j = 0
    for i, t in enumerate(times):
        while times[j] <= t - window:
            j += 1
        best = max(best, i - j + 1)
    return best


def _steady_rate(times: list[float]) -> float:
    """Accepted sends per second between the first and last ``STEADY_TRIM`` of them."""
    lo = int(len(times) * STEADY_TRIM)
    hi = len(times) - 1 - lo
    return (hi - lo) / (times[hi] - times[lo]) if hi > lo else float("nan")


async def main(n: int, scale: float) -> int:
    server = FakeServerProcess()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        store = Store.open(db)
        if SYNC_NORMAL:
            store.conn.execute("PRAGMA synchronous = NORMAL")
        ingest_paths(store, [SAMPLE])
        ids = _subscribe(store, n)
        config = Config(token=server.token, base_url=server.base_url, db_path=str(db))
        rt = Runtime(config, store)
        prefs = chats.get_chat(store.conn, ids[0])
        parts, _ = compose_parts(
            store, prefs, DATE, store.articles_on(DATE), render=EditionHtml(BOT_USERNAME)
        )
        expected = len(parts)

        baseline = await _baseline(server, config, min(n, 2000))
        server.set_limits(scale)
        server_cpu = server.cpu()
        async with delivery_bot(config, RateLimiter(scale=scale)) as bot:
            deliverer = Deliverer(rt, bot, kind="push")
            start, cpu = time.perf_counter(), time.process_time()
            report = await deliverer.deliver_issue(DATE)
            elapsed = time.perf_counter() - start
            cpu = time.process_time() - cpu
        server_cpu = server.cpu() - server_cpu
        rt.close()

    calls = server.take_calls()
    server.stop()
    accepted = [(chat, t) for chat, t, status in calls if status == 200]
    throttled = sum(1 for _, _, status in calls if status == 429)
    times = sorted(t for _, t in accepted)
    allowed = 30 * scale
    steady = _steady_rate(times)
    whole = report.messages / elapsed
    per_chat = Counter(chat for chat, _ in accepted)
    lost = sum(1 for c in ids if per_chat.get(c, 0) < expected)
    duplicated = sum(max(0, per_chat.get(c, 0) - expected) for c in ids)
    busiest = _max_in_window(times, 1.0)
    trim = f"{STEADY_TRIM:.0%}"

    print(f"scale                 {scale:g}: the server allows {allowed:.0f}/s (30/s x {scale:g})")
    print("fake server           own process (its CPU does not compete with the sender's loop)")
    print(f"subscribers           {n} ({n // GROUP_EVERY} groups), {expected} message(s) each")
    print(
        f"delivered             {report.sent} chats, {report.messages} messages in {elapsed:.1f} s"
    )
    print(
        f"sustained rate        {steady:.1f}/s of {allowed:.0f}/s = {steady / allowed:.3f}"
        f" (steady state: arrivals without the first and last {trim})"
    )
    print(
        f"whole-pass rate       {whole:.1f}/s of {allowed:.0f}/s = {whole / allowed:.3f}"
        " (messages / pass time, start-up and tail included)"
    )
    print(f"busiest second        {busiest} sends at the server (limit {allowed:.0f})")
    print(f"sender CPU            {cpu:.1f} s ({cpu / elapsed:.0%} of one core)")
    print(f"server CPU            {server_cpu:.1f} s ({server_cpu / elapsed:.0%} of one core)")
    print(f"429 answers           {throttled}")
    print(f"lost chats            {lost}")
    print(f"duplicated messages   {duplicated}")
    print(f"failed (ledger)       {report.failed}")
    print(f"baseline              {baseline:.0f}/s (bare sequential send_message, limits off)")
    ok = steady / allowed >= 0.95 and throttled == 0 and lost == 0 and duplicated == 0
    print("result                " + ("PASS" if ok else "FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="number of subscribers")
    parser.add_argument("--scale", type=float, default=SCALE, help="limits x this (both sides)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    sys.exit(asyncio.run(main(args.n, args.scale)))
