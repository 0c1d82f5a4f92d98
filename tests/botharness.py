"""The harness the bot tests share: constants, a running bot against the fake Bot API
(``Harness``), and checks of what Telegram itself would accept. Fixtures are in conftest.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fakebotapi import (
    FakeBotAPI,
    make_callback_query,
    make_message,
    running_app,
    validate_telegram_html,
)
from telegram.ext import Application

from bot.app import build_application, open_runtime
from bot.config import Config
from bot.runtime import Runtime
from bot.telegram_html import utf16_len, visible_text
from briefings import chats

ADMIN_ID = 9001
USER_ID = 4242
JINYUN = "331122"  # 丽水市缙云县
KAIHUA = "330824"  # 衢州市开化县: a Zhejiang county the sample page does not mention
SAMPLE_DATE = "2026-04-15"
EARLIER_DATE = "2026-04-14"
SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample_page_2026-04-15.txt"


def copy_db(src: Path, dst: Path) -> Path:
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{src}{suffix}").exists():
            shutil.copy(f"{src}{suffix}", f"{dst}{suffix}")
    return dst


def fixed_clock(iso: str):
    moment = datetime.fromisoformat(iso).astimezone(UTC)
    return lambda: moment


class Clock:
    """A settable "now" for ``rt.clock``."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def set_local(self, tz: str, text: str) -> None:
        """Put "now" at a local wall time: ``set_local("Europe/London", "2026-04-15 07:30")``."""
        local = datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(tz))
        self.now = local.astimezone(UTC)

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class Harness:
    """A running bot against the fake server, with helpers to talk to it like a user."""

    fake: FakeBotAPI
    app: Application
    rt: Runtime

    @property
    def conn(self):
        return self.rt.store.conn

    def prefs(self, chat_id: int) -> chats.ChatPrefs | None:
        return chats.get_chat(self.conn, chat_id)

    async def _exchange(self, update: dict, method: str, chat_id: Any, expect: int) -> list[dict]:
        if method.startswith("answer"):
            chat_id = None  # answerCallbackQuery/answerInlineQuery name a query, not a chat
        before = len(self.fake.calls(method, chat_id=chat_id))
        self.fake.push_update(update)
        calls = await self.fake.wait_for(method, count=before + expect, chat_id=chat_id)
        await self.fake.wait_for_poll()
        return [c.params | {"_result": c.result, "_status": c.status} for c in calls[before:]]

    async def say(
        self, chat_id: int, text: str, *, expect: int = 1, method: str = "sendMessage", **kw: Any
    ) -> list[dict]:
        """Send ``text`` from a user; return the params of the next ``expect`` calls."""
        return await self._exchange(make_message(chat_id, text, **kw), method, chat_id, expect)

    async def press(
        self,
        chat_id: int,
        message_id: int,
        data: str,
        *,
        method: str = "editMessageText",
        expect: int = 1,
        **kw: Any,
    ) -> list[dict]:
        """Press a callback button of the bot's message ``message_id``."""
        update = make_callback_query(chat_id, message_id, data, **kw)
        return await self._exchange(update, method, chat_id, expect)

    async def settle(self) -> None:
        await self.fake.wait_for_poll()

    async def eventually(self, predicate: Callable[[], Any]) -> None:
        """Wait (≤ 5 s) until ``predicate()``, read on the worker thread like handlers, holds."""
        async with asyncio.timeout(5):
            # Polling: the condition lives in SQLite, there is no event to wait on.
            while not await self.rt.call(predicate):  # noqa: ASYNC110
                await asyncio.sleep(0.01)


@contextlib.asynccontextmanager
async def running_bot(fake: FakeBotAPI, db: Path) -> AsyncIterator[Harness]:
    """The briefing bot on ``db`` against ``fake``, at 09:00 of the sample's day; leaving the
    block stops it (a second block on the same file is a restart)."""
    config = Config(
        token=fake.token,
        base_url=fake.base_url,
        base_file_url=fake.base_file_url,
        db_path=str(db),
        admin_ids=frozenset({ADMIN_ID}),
        # No inbox polling, and a start-up catch-up that never sends: replies stay predictable.
        inbox_dir=db.parent / "inbox",
        inbox_interval=0,
        catchup_until="00:00",
    )
    rt = open_runtime(config)
    rt.clock = fixed_clock(f"{SAMPLE_DATE}T09:00:00+08:00")
    try:
        async with running_app(build_application(config, rt), poll_timeout=2) as app:
            yield Harness(fake, app, rt)
    finally:
        rt.close()


def buttons(params: dict) -> list[dict]:
    markup = params.get("reply_markup") or {}
    return [b for row in markup.get("inline_keyboard", []) for b in row]


def assert_telegram_ok(params: dict) -> None:
    """What Telegram itself would check: valid HTML, ≤ 4096 visible UTF-16 units."""
    text = params["text"]
    assert validate_telegram_html(text) is None, text
    assert 0 < utf16_len(visible_text(text)) <= 4096
    for b in buttons(params):
        if "callback_data" in b:
            assert len(b["callback_data"].encode()) <= 64
