"""A Telegram outage during a push, in real time: chats lost before retries existed, none after.

``--n`` subscribers get one message each from ``python bot.py push``'s code path (``push``, the
production retry settings, Telegram's limits); ``--after`` seconds into the push the fake Bot API
answers every sendMessage with 502 for ``--seconds``; once it is over a second push runs. Printed:
what each push reported, chats that never got their message, parts delivered twice.

    python bench/bench_outage.py                 # 300 chats, a 20 s outage 3 s in (about 45 s)
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]
os.environ.setdefault("PTB_TIMEDELTA", "true")

from fakebotapi import FakeBotAPI  # noqa: E402

from bot.config import Config  # noqa: E402
from bot.delivery import push  # noqa: E402
from briefings import chats  # noqa: E402
from briefings.pipeline import ingest_paths  # noqa: E402
from briefings.store import Store  # noqa: E402

SAMPLE = REPO / "data" / "sample_page_2026-04-15.txt"
DATE = "2026-04-15"


async def main(n: int, seconds: float, after: float) -> int:
    fake = FakeBotAPI()
    await fake.start()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "outage.db"
        store = Store.open(db)
        ingest_paths(store, [SAMPLE])
        ids = list(range(1, n + 1))
        with store.transaction():
            for chat_id in ids:
                chats.ensure_chat(store.conn, chat_id, "private")
                chats.subscribe(store.conn, chat_id)
        store.close()
        config = Config(token=fake.token, base_url=fake.base_url, db_path=str(db))
        start = time.monotonic()
        end = fake.outage(seconds, after=after)
        first = await push(config, DATE)
        took = time.monotonic() - start
        await asyncio.sleep(max(0.0, end - time.monotonic()) + 0.5)
        second = await push(config, DATE)
    delivered = [c for c in ids if fake.sent_messages(c)]
    twice = sum(max(0, len(fake.sent_messages(c)) - 1) for c in ids)
    await fake.stop()
    print(f"outage                {seconds:g} s of 502s, {after:g} s into a push to {n} chats")
    print(f"first push ({took:.1f} s)   {first.summary()}")
    print(f"second push           {second.summary()}")
    print(f"502 answers           {len(fake.calls('sendMessage', status=502))}")
    print(f"lost chats            {n - len(delivered)}")
    print(f"duplicated messages   {twice}")
    return 0 if len(delivered) == n and twice == 0 else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300, help="subscribers")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the outage")
    parser.add_argument("--after", type=float, default=3.0, help="seconds into the push")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    sys.exit(asyncio.run(main(args.n, args.seconds, args.after)))
