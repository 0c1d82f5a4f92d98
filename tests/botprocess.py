"""``python bot.py`` run as an operator runs it, for the start-up and entry-point tests."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@asynccontextmanager
async def bot_process(env: dict[str, str]) -> AsyncIterator[asyncio.subprocess.Process]:
    """``python bot.py`` with only ``env`` configuring it (our TELEGRAM_*, WEBHOOK_*, LOG_* and
    BRIEFINGS_* variables are dropped); SIGINT at the end, as Ctrl-C would."""
    full = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "WEBHOOK_", "LOG_", "BRIEFINGS_"))
    }
    full.update(env)
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        str(REPO / "bot.py"),
        cwd=str(REPO),
        env=full,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        yield proc
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGINT)
            try:
                await asyncio.wait_for(proc.wait(), 20)
            except TimeoutError:
                proc.kill()
                await proc.wait()
