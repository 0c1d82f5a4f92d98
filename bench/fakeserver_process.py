"""The fake Bot API (tests/fakebotapi.py) in its own process, driven over a pipe by a benchmark.

Benchmarks run the server apart from the bot so that the server's work (form decoding, HTML
entity parsing, limit bookkeeping), which Telegram does on its own machines in production,
neither shares the bot's interpreter lock nor stalls its event loop. The process is started
with ``spawn`` so it inherits no event loop, thread or SQLite handle from the parent.
"""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import sys
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO / "tests") not in sys.path:
    sys.path.insert(0, str(REPO / "tests"))

from fakebotapi import Call, FakeBotAPI  # noqa: E402

TIMEOUT = 60.0  # seconds to wait for an answer from the server process
DRIVE_TIMEOUT = 150.0  # seconds a drive may take before the server gives up


class _Answered:
    """Counts answered calls of one method incrementally.

    ``FakeBotAPI.wait_for`` rescans every recorded call on each server event, O(calls) per
    update; that would add the same growing cost to every handler measured and flatter a
    ratio. This waiter costs O(1) per event.
    """

    def __init__(self, calls: list[Call], method: str) -> None:
        self.calls = calls  # append-only while a drive runs
        self.method = method
        self.next = 0  # every call before this one is answered (or of another method)
        self.count = 0

    def __call__(self) -> int:
        calls = self.calls
        while self.next < len(calls):
            c = calls[self.next]
            if c.method == self.method:
                if not c.status:
                    break
                self.count += 1
            self.next += 1
        return self.count


async def _drive(fake: FakeBotAPI, updates: list[dict], method: str, answers: int) -> float:
    """Queue ``updates`` at once; seconds until ``answers`` more ``method`` calls are answered."""
    answered = _Answered(fake._calls, method)
    want = answered() + answers
    changed = fake._changed
    assert changed is not None
    started = time.perf_counter()
    for update in updates:
        fake.push_update(update)
    async with asyncio.timeout(DRIVE_TIMEOUT), changed:
        await changed.wait_for(lambda: answered() >= want)
    return time.perf_counter() - started


def _serve(conn: Connection) -> None:
    """Server process: start the fake, send its address, then obey commands until "stop"."""

    async def main() -> None:
        fake = FakeBotAPI()
        await fake.start()
        conn.send((fake.token, fake.base_url, fake.base_file_url))
        loop = asyncio.get_running_loop()
        while True:
            command, arg = await loop.run_in_executor(None, conn.recv)
            if command == "limits":
                fake.enforce_limits(scale=arg) if arg else fake.disable_limits()
                conn.send(True)
            elif command == "delay":
                fake.clear_faults()
                if arg:
                    fake.inject("sendMessage", delay=arg, times=None)
                conn.send(True)
            elif command == "cpu":
                conn.send(time.process_time())
            elif command == "calls":
                conn.send([(c.chat_id, c.time, c.status) for c in fake.calls(arg)])
                fake.clear_calls()
            elif command == "clear":
                fake.clear_calls()
                conn.send(True)
            elif command == "drive":
                conn.send(await _drive(fake, *arg))
            elif command == "stop":
                await fake.stop()
                conn.send(True)
                return

    asyncio.run(main())


class FakeServerProcess:
    """Parent side: the server's address (what ``fakebotapi.build_app`` reads) and commands."""

    def __init__(self) -> None:
        self.conn, child = mp.Pipe()
        self.process = mp.get_context("spawn").Process(target=_serve, args=(child,), daemon=True)
        self.process.start()
        self.token, self.base_url, self.base_file_url = self._answer(TIMEOUT)

    def _answer(self, timeout: float) -> Any:
        # Never wait forever (and hold the bench lock) for a server process that died.
        if not self.conn.poll(timeout):
            self.process.kill()
            raise RuntimeError(f"fake server process did not answer (exit {self.process.exitcode})")
        return self.conn.recv()

    def ask(self, command: str, arg: object = None, timeout: float = TIMEOUT) -> Any:
        self.conn.send((command, arg))
        return self._answer(timeout)

    def set_limits(self, scale: float) -> None:
        """Enforce Telegram's limits ``scale`` times faster; 0 turns them off."""
        self.ask("limits", scale)

    def set_reply_delay(self, seconds: float) -> None:
        """Answer every sendMessage ``seconds`` late (a round trip to a distant server); 0: none."""
        self.ask("delay", seconds)

    def cpu(self) -> float:
        """CPU seconds the server process has used so far."""
        return self.ask("cpu")

    def take_calls(self, method: str = "sendMessage") -> list[tuple[Any, float, int]]:
        """(chat_id, monotonic time, HTTP status) of every recorded ``method`` call; clears all."""
        return self.ask("calls", method)

    def clear(self) -> None:
        self.ask("clear")

    async def drive(
        self, updates: list[dict], method: str = "sendMessage", answers: int = 0
    ) -> float:
        """Push ``updates`` and wait (off the event loop) until ``answers`` (default: one per
        update) more ``method`` calls are answered; the server's seconds from first push."""
        arg = (updates, method, answers or len(updates))
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, self.ask, "drive", arg, DRIVE_TIMEOUT + TIMEOUT)

    def stop(self) -> None:
        self.ask("stop")
        self.process.join(10)
