"""A fake Telegram Bot API server for end-to-end tests of a real python-telegram-bot 22 Application.

The server (aiohttp, on 127.0.0.1 and a random port) speaks the Bot API the way PTB calls it:
routes ``/bot{token}/{method}`` with form-urlencoded, JSON, multipart or empty bodies (strings raw,
every other value JSON in its field), and answers ``{"ok": true, "result": ...}`` or
``{"ok": false, "error_code": ..., "description": ..., "parameters": ...}``. It validates like
Telegram where bots usually go wrong: message length in UTF-16 units after HTML parsing, Telegram's
HTML subset, callback_data size, inline results, edits of unchanged messages, query ids.

Quick start (the ``fake_api`` and ``ptb_app_factory`` fixtures in conftest.py do the set-up)::

    app = ptb_app_factory(handlers=[CommandHandler("start", on_start)])
    async with running_app(app):
        fake_api.push_update(make_message(42, "/start"))
        await fake_api.wait_for("sendMessage", chat_id=42)
    assert fake_api.sent_messages(42)[-1]["text"] == "欢迎"

``FakeBotAPI`` (token ``TOKEN``, bot ``@briefing_test_bot`` with id ``BOT_ID``):
    start(host, port=0) / stop(); port, base_url, base_file_url, token.
    push_update(update) -> update_id: feeds getUpdates (thread-safe), ends a waiting long poll.
    calls(method=None, *, chat_id=None, ok=None, status=None) -> list[Call]: all requests, in order.
    sent_messages(chat_id=None) -> list[dict]   params of accepted sendMessage calls + "message_id".
    sent_documents(chat_id=None) -> list[dict]  the same for sendDocument ("document" is an Upload).
    sent_photos(chat_id=None) -> list[dict]     the same for sendPhoto ("photo" is an Upload or a
        file id sent before; "sent_photo" the PhotoSize list answered, with the image's size).
    await wait_for(method, count=1, timeout=5, *, chat_id=None, ok=None) -> list[Call]
        waits until ``count`` matching calls have been answered; AssertionError on timeout.
    await wait_for_poll(timeout=5): until a long poll waits with nothing queued (all fetched).
    clear_calls().  A Call has method, params (JSON fields decoded, uploads as Upload), chat_id,
        time (monotonic), status (0 while pending or if the client gave up), result, description.
    set_admins(chat_id, user_ids, *, creator=None, anonymous=()), set_member(chat_id, user_id,
        status) configure getChatMember / getChatAdministrators (default: everyone is "member").
    add_file(content, *, file_name, mime_type, file_id=None) -> Document dict for make_message(
        document=...); getFile + download under /file/bot{token}/{file_path} then serve it.
    commands(scope=None, language_code="") -> list[dict] as stored by setMyCommands.
Faults (checked in this order, before the method runs):
    inject(method, *, chat_id=None, status=429, description=None, parameters=DEFAULT, times=1,
        delay=None): the next ``times`` matching calls (``method="*"`` matches any, ``times=None``
        forever) fail with that error, or, with ``delay``, are answered normally after ``delay``
        seconds (so a small client read timeout raises TimedOut). 429 defaults to retry_after 0.2.
    fail_5xx(method, times=1, *, status=500, chat_id=None). clear_faults() (outages too).
    outage(seconds, *, after=0.0, method="sendMessage", status=502): every matching call answers
        ``status`` from ``after`` seconds from now for ``seconds`` (a Telegram outage by time).
    migrate(old_chat_id, new_chat_id): 400 + parameters.migrate_to_chat_id for calls to the old id.
    block(chat_id) / unblock(chat_id): 403 "Forbidden: bot was blocked by the user" for sends.
    enforce_limits(global_per_sec=30, per_chat_per_sec=1, per_group_per_min=20, scale=1.0) /
        disable_limits(): sliding windows over accepted sends (sendMessage, sendDocument); a send
        over a limit gets 429 with a fractional retry_after (when the oldest send leaves the
        window). ``stats`` (LimitStats) counts accepted and throttled sends per chat, always.
Update builders (tests/fakeupdates.py, re-exported here; plain Bot API dicts without update_id):
make_message, make_callback_query, make_inline_query, make_my_chat_member, make_migrate_message;
also make_user, make_chat, chat_member_json. Helpers for PTB: app_builder, build_app, start_app,
stop_app, running_app. HTML checks: tests/telegram_html.py, also re-exported.

Import it as ``from fakebotapi import ...`` (tests/ has no __init__.py; pytest puts it on sys.path).
Set ``PTB_TIMEDELTA=true`` before PTB objects exist (conftest.py does): RetryAfter.retry_after is
then a timedelta, and PTB's int-duration deprecation warnings (errors under pytest) stay silent.

Deliberately stricter than Telegram: a bare ``&`` (Telegram keeps it as text) and named entities
other than &lt; &gt; &amp; &quot; are rejected, because they mean the bot forgot html.escape.
Not modelled: Markdown parse modes (not validated), media other than documents and photos,
business/payments.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import math
import re
import time
from collections import Counter, deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from aiohttp import web
from fakeupdates import (
    ANONYMOUS_ADMIN_BOT_ID,
    BOT_ID,
    BOT_USERNAME,
    DEFAULT_GROUP_USER_ID,
    chat_member_json,
    make_callback_query,
    make_chat,
    make_inline_query,
    make_message,
    make_migrate_message,
    make_my_chat_member,
    make_user,
)
from telegram.ext import Application, ApplicationBuilder
from telegram_html import (
    TelegramHtmlError,
    parse_telegram_html,
    utf16_len,
    validate_telegram_html,
)

# The tests import everything from here: the server, the update builders, the HTML checks.
__all__ = [
    "ANONYMOUS_ADMIN_BOT_ID",
    "BOT_ID",
    "BOT_USERNAME",
    "DEFAULT_GROUP_USER_ID",
    "TOKEN",
    "FakeBotAPI",
    "TelegramHtmlError",
    "app_builder",
    "build_app",
    "chat_member_json",
    "make_callback_query",
    "make_chat",
    "make_inline_query",
    "make_message",
    "make_migrate_message",
    "make_my_chat_member",
    "make_user",
    "parse_telegram_html",
    "running_app",
    "start_app",
    "stop_app",
    "utf16_len",
    "validate_telegram_html",
]

TOKEN = "123456:TEST"
MAX_TEXT_UTF16 = 4096
MAX_CAPTION_UTF16 = 1024
PHOTO_MAX_BYTES = 10 * 1024 * 1024
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024  # bots may only getFile files up to 20 MB

# ---------------------------------------------------------------------------------------------
# Server


class ApiError(Exception):
    """An error answer: HTTP status, Telegram description, optional ResponseParameters."""

    def __init__(self, status: int, description: str, parameters: dict | None = None) -> None:
        super().__init__(description)
        self.status, self.description, self.parameters = status, description, parameters


@dataclass(frozen=True)
class Upload:
    """A file sent in a multipart body."""

    filename: str | None
    content: bytes
    content_type: str


@dataclass
class Call:
    """One request: ``status`` is 0 until answered, then the HTTP status sent back."""

    method: str
    params: dict[str, Any]
    chat_id: int | str | None
    time: float
    status: int = 0
    result: Any = None
    description: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == 200


@dataclass
class Fault:
    method: str
    chat_id: int | str | None
    status: int
    description: str
    parameters: dict | None
    remaining: int | None
    delay: float | None


@dataclass
class LimitStats:
    """Accepted and throttled (429 by enforce_limits) sends per chat."""

    accepted_per_chat: Counter = field(default_factory=Counter)
    throttled_per_chat: Counter = field(default_factory=Counter)

    @property
    def accepted(self) -> int:
        return sum(self.accepted_per_chat.values())

    @property
    def throttled(self) -> int:
        return sum(self.throttled_per_chat.values())


@dataclass
class _StoredFile:
    file_id: str
    file_path: str
    content: bytes
    file_name: str
    mime_type: str

    def document(self) -> dict:
        return {
            "file_id": self.file_id,
            "file_unique_id": f"u{self.file_id}",
            "file_name": self.file_name,
            "mime_type": self.mime_type,
            "file_size": len(self.content),
        }


# Strings PTB sends raw that could look like JSON ("123", "true"); everything else is decoded.
_RAW_PARAMS = frozenset(
    {"text", "caption", "parse_mode", "callback_query_id", "inline_query_id", "next_offset"}
    | {"url", "file_id", "action", "language_code", "secret_token", "inline_message_id"}
)
_SEND_METHODS = frozenset({"sendMessage", "sendDocument", "sendPhoto"})
_BLOCKABLE = _SEND_METHODS | {"sendChatAction", "editMessageText", "editMessageReplyMarkup"}
_DEFAULT_EXCLUDED_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_CALLBACK_DATA_MAX_BYTES = 64
DEFAULT = object()  # sentinel: "use the status's usual parameters"


def _decode_param(key: str, value: str) -> Any:
    if key in _RAW_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _image_size(data: bytes) -> tuple[int, int]:
    """(width, height) of a PNG, GIF, JPEG or WebP image; 400 IMAGE_PROCESS_FAILED otherwise."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR":
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return int.from_bytes(data[6:8], "little"), int.from_bytes(data[8:10], "little")
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return 1, 1  # dimensions not read: enough for a fake
    if data[:2] == b"\xff\xd8":
        i = 2
        while i + 9 < len(data):
            marker, length = data[i + 1], int.from_bytes(data[i + 2 : i + 4], "big")
            if marker in (0xC0, 0xC1, 0xC2):
                h = int.from_bytes(data[i + 5 : i + 7], "big")
                return int.from_bytes(data[i + 7 : i + 9], "big"), h
            i += 2 + length
    raise ApiError(400, "Bad Request: IMAGE_PROCESS_FAILED")


def _rate_window(rate: float, window: float) -> tuple[int, float]:
    """(max sends, window seconds) for a rate; rates below one per window stretch the window."""
    count = max(1, round(rate * window))
    return count, count / rate


def _is_group(chat_id: int | str | None) -> bool:
    return isinstance(chat_id, str) or (isinstance(chat_id, int) and chat_id < 0)


class FakeBotAPI:
    """The fake server; see the module docstring for the API."""

    def __init__(self, *, token: str = TOKEN) -> None:
        self.token = token
        self.port = 0
        self.stats = LimitStats()
        self._calls: list[Call] = []
        self._changed: asyncio.Condition | None = None
        self._updates: list[dict] = []
        self._update_ids = itertools.count(1)
        self._update_event: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._closing = False
        self._allowed_updates: list[str] | None = None
        self._webhook_url = ""
        self._faults: list[Fault] = []
        self._outages: list[tuple[str, float, float, int]] = []  # method, start, end, status
        self._blocked: set[int | str] = set()
        self._migrated: dict[int | str, int] = {}
        self._limits: list[tuple[str, int, float]] | None = None
        self._sent_times: dict[tuple[str, Any], deque[float]] = {}
        self._messages: dict[tuple[Any, int], dict] = {}
        self._last_message_id: Counter = Counter()
        self._open_queries: set[str] = set()
        self._members: dict[tuple[Any, int], tuple[str, bool]] = {}
        self._files: dict[str, _StoredFile] = {}
        self._photo_sizes: dict[str, tuple[int, int]] = {}  # file id → (width, height)
        self._file_ids = itertools.count(1)
        self._commands: dict[tuple[str, str], list[dict]] = {}
        self._methods: dict[str, tuple[str, Callable[[Call], Awaitable[Any]]]] = {}
        for name in dir(self):
            if name.startswith("_m_"):
                method = name[3:]
                self._methods[method.lower()] = (method, getattr(self, name))

    # -- lifecycle ------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._loop = asyncio.get_running_loop()
        self._changed = asyncio.Condition()
        self._update_event = asyncio.Event()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{file_path:.+}", self._download)
        # handler_cancellation: a client that gives up (TimedOut, stopped polling) cancels the
        # handler, so delayed answers and long polls do not outlive the test.
        self._runner = web.AppRunner(
            app, handler_cancellation=True, shutdown_timeout=0.5, access_log=None
        )
        await self._runner.setup()
        await web.TCPSite(self._runner, host, port).start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        self._closing = True
        if self._update_event is not None:
            self._update_event.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # -- feeding and inspecting -----------------------------------------------------------------
    def push_update(self, update: dict) -> int:
        """Queue an update for getUpdates and return its update_id (callable from any thread)."""
        update = {**update, "update_id": next(self._update_ids)}
        for key in ("message", "edited_message", "channel_post"):
            if key in update:
                self._remember_message(update[key])
        if "callback_query" in update:
            self._open_queries.add(update["callback_query"]["id"])
            if "message" in update["callback_query"]:
                self._remember_message(update["callback_query"]["message"])
        if "inline_query" in update:
            self._open_queries.add(update["inline_query"]["id"])
        self._updates.append(update)
        if self._loop is not None and self._update_event is not None:
            try:
                same_loop = asyncio.get_running_loop() is self._loop
            except RuntimeError:
                same_loop = False
            if same_loop:
                self._update_event.set()
            else:
                self._loop.call_soon_threadsafe(self._update_event.set)
        return update["update_id"]

    def calls(
        self,
        method: str | None = None,
        *,
        chat_id: int | str | None = None,
        ok: bool | None = None,
        status: int | None = None,
    ) -> list[Call]:
        """Recorded calls in arrival order, filtered by method, chat, success or HTTP status."""
        return [
            c
            for c in self._calls
            if (method is None or c.method == method)
            and (chat_id is None or c.chat_id == chat_id)
            and (ok is None or (c.status != 0 and c.ok == ok))
            and (status is None or c.status == status)
        ]

    def sent_messages(self, chat_id: int | str | None = None) -> list[dict]:
        return [
            {**c.params, "message_id": c.result["message_id"]}
            for c in self.calls("sendMessage", chat_id=chat_id, ok=True)
        ]

    def sent_documents(self, chat_id: int | str | None = None) -> list[dict]:
        return [
            {**c.params, "message_id": c.result["message_id"]}
            for c in self.calls("sendDocument", chat_id=chat_id, ok=True)
        ]

    def sent_photos(self, chat_id: int | str | None = None) -> list[dict]:
        """Params of accepted sendPhoto calls + "message_id" + "sent_photo" (the PhotoSize
        list the server answered with); "photo" is an Upload, or the file id re-sent."""
        return [
            {**c.params, "message_id": c.result["message_id"], "sent_photo": c.result["photo"]}
            for c in self.calls("sendPhoto", chat_id=chat_id, ok=True)
        ]

    def clear_calls(self) -> None:
        self._calls.clear()

    async def wait_for(
        self,
        method: str,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - a test-helper deadline, not a cancellation API
        *,
        chat_id: int | str | None = None,
        ok: bool | None = None,
    ) -> list[Call]:
        """Wait until ``count`` matching calls have been answered; return all matching calls."""

        def answered() -> list[Call]:
            return [c for c in self.calls(method, chat_id=chat_id, ok=ok) if c.status]

        await self._wait_until(lambda: len(answered()) >= count, timeout, f"{count} {method}")
        return answered()

    async def wait_for_poll(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until a getUpdates long poll is waiting: every pushed update has been fetched."""

        def polling() -> bool:
            return any(c.status == 0 for c in self.calls("getUpdates")) and not self._updates

        await self._wait_until(polling, timeout, "a waiting getUpdates")

    async def _wait_until(
        self,
        predicate: Callable[[], bool],
        timeout: float,  # noqa: ASYNC109
        what: str,
    ) -> None:
        assert self._changed is not None, "start() the server first"
        try:
            async with asyncio.timeout(timeout), self._changed:
                await self._changed.wait_for(predicate)
        except TimeoutError:
            seen = [f"{c.method}:{c.status}" for c in self._calls if c.method != "getUpdates"]
            raise AssertionError(f"waited {timeout}s for {what}; calls: {seen}") from None

    async def _notify(self) -> None:
        assert self._changed is not None
        async with self._changed:
            self._changed.notify_all()

    # -- configuration ----------------------------------------------------------------------------
    def set_member(
        self, chat_id: int, user_id: int, status: str, *, is_anonymous: bool = False
    ) -> None:
        self._members[(chat_id, user_id)] = (status, is_anonymous)

    def set_admins(
        self,
        chat_id: int,
        user_ids: Iterable[int],
        *,
        creator: int | None = None,
        anonymous: Iterable[int] = (),
    ) -> None:
        """Make ``user_ids`` administrators (``anonymous`` ones post as the group)."""
        hidden = set(anonymous)
        for user_id in user_ids:
            self.set_member(chat_id, user_id, "administrator", is_anonymous=user_id in hidden)
        if creator is not None:
            self.set_member(chat_id, creator, "creator", is_anonymous=creator in hidden)

    def add_file(
        self,
        content: bytes,
        *,
        file_name: str = "upload.txt",
        mime_type: str = "text/plain",
        file_id: str | None = None,
    ) -> dict:
        """Register a downloadable file and return its Document dict."""
        file_id = file_id or f"file{next(self._file_ids)}"
        stored = _StoredFile(
            file_id, f"documents/{file_id}_{file_name}", content, file_name, mime_type
        )
        self._files[file_id] = stored
        return stored.document()

    def commands(self, scope: dict | None = None, language_code: str = "") -> list[dict]:
        return list(self._commands.get(self._command_key(scope, language_code), []))

    # -- faults ---------------------------------------------------------------------------------
    def inject(
        self,
        method: str,
        *,
        chat_id: int | str | None = None,
        status: int = 429,
        description: str | None = None,
        parameters: Any = DEFAULT,
        times: int | None = 1,
        delay: float | None = None,
    ) -> None:
        if parameters is DEFAULT:
            parameters = {"retry_after": 0.2} if status == 429 else None
        if description is None:
            description = {
                429: f"Too Many Requests: retry after {(parameters or {}).get('retry_after')}",
                403: "Forbidden: bot was blocked by the user",
                400: "Bad Request",
            }.get(status, "Internal Server Error")
        self._faults.append(Fault(method, chat_id, status, description, parameters, times, delay))

    def clear_faults(self) -> None:
        """Forget every injected fault, delay and outage."""
        self._faults.clear()
        self._outages.clear()

    def outage(
        self, seconds: float, *, after: float = 0.0, method: str = "sendMessage", status: int = 502
    ) -> float:
        """Answer every ``method`` call (``"*"``: any) with ``status`` during a window of
        ``seconds`` starting ``after`` seconds from now; returns the window's end (monotonic)."""
        start = time.monotonic() + after
        self._outages.append((method, start, start + seconds, status))
        return start + seconds

    def fail_5xx(
        self, method: str, times: int = 1, *, status: int = 500, chat_id: int | str | None = None
    ) -> None:
        self.inject(method, chat_id=chat_id, status=status, times=times)

    def block(self, chat_id: int | str) -> None:
        self._blocked.add(chat_id)

    def unblock(self, chat_id: int | str) -> None:
        self._blocked.discard(chat_id)

    def migrate(self, old_chat_id: int, new_chat_id: int) -> None:
        self._migrated[old_chat_id] = new_chat_id

    def enforce_limits(
        self,
        global_per_sec: float = 30,
        per_chat_per_sec: float = 1,
        per_group_per_min: float = 20,
        scale: float = 1.0,
    ) -> None:
        self._limits = [
            ("global", *_rate_window(global_per_sec * scale, 1.0)),
            ("chat", *_rate_window(per_chat_per_sec * scale, 1.0)),
            ("group", *_rate_window(per_group_per_min * scale / 60, 60.0)),
        ]
        self._sent_times.clear()

    def disable_limits(self) -> None:
        self._limits = None

    # -- request handling -----------------------------------------------------------------------
    async def _handle(self, request: web.Request) -> web.Response:
        method_name = request.match_info["method"]
        canonical, handler = self._methods.get(method_name.lower(), (method_name, None))
        params: dict[str, Any] = {k: _decode_param(k, v) for k, v in request.query.items()}
        if request.content_type == "application/json":
            # Telegram also takes JSON bodies; values may be JSON or JSON-in-a-string.
            body = await request.json() if request.can_read_body else {}
            for key, value in (body if isinstance(body, dict) else {}).items():
                params[key] = _decode_param(key, value) if isinstance(value, str) else value
        else:
            for key, value in (await request.post()).items():
                if isinstance(value, web.FileField):
                    params[key] = Upload(value.filename, value.file.read(), value.content_type)
                else:
                    params[key] = _decode_param(key, value)
        call = Call(canonical, params, params.get("chat_id"), time.monotonic())
        self._calls.append(call)
        await self._notify()
        try:
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            if handler is None:
                raise ApiError(404, "Not Found")
            await self._apply_faults(call)
            call.result = await handler(call)
            call.status = 200
            body: dict[str, Any] = {"ok": True, "result": call.result}
        except ApiError as err:
            call.status, call.description = err.status, err.description
            body = {"ok": False, "error_code": err.status, "description": err.description}
            if err.parameters:
                body["parameters"] = err.parameters
        await self._notify()
        return web.json_response(body, status=call.status)

    async def _apply_faults(self, call: Call) -> None:
        for method, start, end, status in self._outages:
            if method in ("*", call.method) and start <= call.time < end:
                raise ApiError(status, "Bad Gateway" if status == 502 else "Internal Server Error")
        for fault in self._faults:
            if fault.method not in ("*", call.method):
                continue
            if fault.chat_id is not None and fault.chat_id != call.chat_id:
                continue
            if fault.remaining is not None:
                fault.remaining -= 1
                if fault.remaining == 0:
                    self._faults.remove(fault)
            if fault.delay is not None:
                await asyncio.sleep(fault.delay)
                break
            raise ApiError(fault.status, fault.description, fault.parameters)
        if call.chat_id in self._migrated:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": self._migrated[call.chat_id]},
            )
        if call.method in _BLOCKABLE and call.chat_id in self._blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if call.method in _SEND_METHODS:
            self._check_limits(call.chat_id)

    def _check_limits(self, chat_id: Any) -> None:
        if self._limits is None:
            return
        now = time.monotonic()
        wait = 0.0
        for key, count, window in self._limits:
            if key == "group" and not _is_group(chat_id):
                continue
            times = self._sent_times.setdefault(
                (key, None if key == "global" else chat_id), deque()
            )
            while times and times[0] <= now - window:
                times.popleft()
            if len(times) >= count:
                wait = max(wait, times[0] + window - now)
        if wait > 0:
            self.stats.throttled_per_chat[chat_id] += 1
            retry_after = max(0.001, round(wait, 3))
            raise ApiError(
                429,
                f"Too Many Requests: retry after {math.ceil(retry_after)}",
                {"retry_after": retry_after},
            )

    def _count_send(self, chat_id: Any) -> None:
        self.stats.accepted_per_chat[chat_id] += 1
        if self._limits is None:
            return
        now = time.monotonic()
        for key, _count, _window in self._limits:
            if key == "group" and not _is_group(chat_id):
                continue
            self._sent_times.setdefault(
                (key, None if key == "global" else chat_id), deque()
            ).append(now)

    async def _download(self, request: web.Request) -> web.Response:
        path = request.match_info["file_path"]
        if request.match_info["token"] != self.token:
            raise web.HTTPUnauthorized()
        for stored in self._files.values():
            if stored.file_path == path:
                return web.Response(body=stored.content, content_type=stored.mime_type)
        raise web.HTTPNotFound()

    # -- helpers for method handlers ------------------------------------------------------------
    def _remember_message(self, message: dict) -> None:
        chat_id = message["chat"]["id"]
        self._messages[(chat_id, message["message_id"])] = message
        self._last_message_id[chat_id] = max(self._last_message_id[chat_id], message["message_id"])

    def _new_message(self, call: Call, **content: Any) -> dict:
        chat_id = call.chat_id
        if chat_id is None:
            raise ApiError(400, "Bad Request: chat_id is empty")
        self._last_message_id[chat_id] += 1
        chat = make_chat(chat_id) if isinstance(chat_id, int) else {"id": -1001, "type": "channel"}
        message: dict[str, Any] = {
            "message_id": self._last_message_id[chat_id],
            "from": make_user(BOT_ID),
            "chat": chat,
            "date": int(time.time()),
        }
        if "message_thread_id" in call.params:
            message["message_thread_id"] = call.params["message_thread_id"]
            message["is_topic_message"] = True
        reply = call.params.get("reply_parameters")
        if reply:
            original = self._messages.get((reply.get("chat_id", chat_id), reply["message_id"]))
            if original is not None:
                message["reply_to_message"] = {
                    k: v for k, v in original.items() if k != "reply_to_message"
                }
            elif not reply.get("allow_sending_without_reply"):
                raise ApiError(400, "Bad Request: message to be replied not found")
        message.update(content)
        if call.params.get("reply_markup"):
            message["reply_markup"] = call.params["reply_markup"]
        self._remember_message(message)
        return message

    def _stored_message(self, call: Call, what: str) -> dict:
        message = self._messages.get((call.chat_id, call.params.get("message_id")))
        if message is None:
            raise ApiError(400, f"Bad Request: message to {what} not found")
        return message

    def _take_query(self, query_id: str) -> None:
        if query_id not in self._open_queries:
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        self._open_queries.discard(query_id)

    @staticmethod
    def _command_key(scope: dict | None, language_code: str) -> tuple[str, str]:
        return json.dumps(scope or {"type": "default"}, sort_keys=True), language_code or ""

    # -- Bot API methods (named _m_<method>) -----------------------------------------------------
    async def _m_getMe(self, call: Call) -> dict:
        me = make_user(BOT_ID)
        return me | {"can_join_groups": True, "supports_inline_queries": True}

    async def _m_deleteWebhook(self, call: Call) -> bool:
        self._webhook_url = ""
        if call.params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _m_setWebhook(self, call: Call) -> bool:
        self._webhook_url = str(call.params.get("url", ""))
        return True

    async def _m_getWebhookInfo(self, call: Call) -> dict:
        return {
            "url": self._webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": 0,
        }

    async def _m_getUpdates(self, call: Call) -> list[dict]:
        if self._webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = int(call.params.get("offset", 0))
        limit = int(call.params.get("limit", 100))
        if "allowed_updates" in call.params:
            self._allowed_updates = call.params["allowed_updates"] or None
        assert self._loop is not None
        assert self._update_event is not None
        deadline = self._loop.time() + float(call.params.get("timeout", 0))
        while True:
            if offset:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
            # Telegram drops updates of types the bot did not ask for.
            self._updates = [u for u in self._updates if self._is_allowed(u)]
            remaining = deadline - self._loop.time()
            if self._updates or self._closing or remaining <= 0:
                return self._updates[:limit]
            self._update_event.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._update_event.wait(), remaining)

    def _is_allowed(self, update: dict) -> bool:
        kind = next(k for k in update if k != "update_id")
        if self._allowed_updates is None:
            return kind not in _DEFAULT_EXCLUDED_UPDATES
        return kind in self._allowed_updates

    def _checked_text(self, text: Any, parse_mode: Any, *, caption: bool = False) -> str:
        """Telegram's checks on a text or caption; returns the visible text."""
        if not caption and (not isinstance(text, str) or not text):
            raise ApiError(400, "Bad Request: message text is empty")
        visible = str(text)
        if isinstance(parse_mode, str) and parse_mode.lower() == "html":
            try:
                visible = parse_telegram_html(visible)
            except TelegramHtmlError as exc:
                raise ApiError(400, f"Bad Request: can't parse entities: {exc}") from None
        if not caption and not visible.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_len(visible) > (MAX_CAPTION_UTF16 if caption else MAX_TEXT_UTF16):
            raise ApiError(
                400,
                "Bad Request: message caption is too long"
                if caption
                else "Bad Request: message is too long",
            )
        return visible

    @staticmethod
    def _check_markup(markup: Any) -> None:
        if not isinstance(markup, dict) or "inline_keyboard" not in markup:
            return
        for row in markup["inline_keyboard"]:
            for button in row:
                if not button.get("text"):
                    raise ApiError(400, "Bad Request: text must be non-empty")
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode()) <= _CALLBACK_DATA_MAX_BYTES:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
                url = button.get("url")
                if url is not None and not re.match(r"(https?|tg)://", url):
                    raise ApiError(
                        400, f"Bad Request: inline keyboard button URL '{url}' is invalid"
                    )

    async def _m_sendMessage(self, call: Call) -> dict:
        p = call.params
        visible = self._checked_text(p.get("text"), p.get("parse_mode"))
        self._check_markup(p.get("reply_markup"))
        message = self._new_message(call, text=visible)
        self._count_send(call.chat_id)
        return message

    async def _m_sendDocument(self, call: Call) -> dict:
        p = call.params
        content: dict[str, Any] = {}
        if p.get("caption"):
            content["caption"] = self._checked_text(p["caption"], p.get("parse_mode"), caption=True)
        self._check_markup(p.get("reply_markup"))
        document = p.get("document")
        if isinstance(document, Upload):
            content["document"] = self.add_file(
                document.content,
                file_name=document.filename or "document",
                mime_type=document.content_type,
            )
        elif isinstance(document, str) and document in self._files:
            content["document"] = self._files[document].document()
        else:
            raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        message = self._new_message(call, **content)
        self._count_send(call.chat_id)
        return message

    async def _m_sendPhoto(self, call: Call) -> dict:
        """A photo upload (multipart) or a file id sent before. Like Telegram: only PNG, JPEG,
        GIF or WebP images, at most 10 MB, width + height ≤ 10000, sides at most 20:1."""
        p = call.params
        content: dict[str, Any] = {}
        if p.get("caption"):
            content["caption"] = self._checked_text(p["caption"], p.get("parse_mode"), caption=True)
        self._check_markup(p.get("reply_markup"))
        photo = p.get("photo")
        if isinstance(photo, Upload):
            width, height = _image_size(photo.content)
            if len(photo.content) > PHOTO_MAX_BYTES:
                raise ApiError(400, "Bad Request: PHOTO_INVALID_DIMENSIONS")
            if width + height > 10000 or max(width, height) > 20 * min(width, height):
                raise ApiError(400, "Bad Request: PHOTO_INVALID_DIMENSIONS")
            stored = self.add_file(
                photo.content, file_name=photo.filename or "photo", mime_type=photo.content_type
            )
            self._photo_sizes[stored["file_id"]] = (width, height)
            file_id = stored["file_id"]
        elif isinstance(photo, str) and photo in self._photo_sizes:
            file_id = photo
            width, height = self._photo_sizes[photo]
        else:
            raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        size = len(self._files[file_id].content)
        content["photo"] = [
            {"file_id": file_id, "file_unique_id": f"u{file_id}", "width": width,
             "height": height, "file_size": size}
        ]  # fmt: skip
        message = self._new_message(call, **content)
        self._count_send(call.chat_id)
        return message

    async def _m_editMessageText(self, call: Call) -> dict | bool:
        p = call.params
        visible = self._checked_text(p.get("text"), p.get("parse_mode"))
        self._check_markup(p.get("reply_markup"))
        if "inline_message_id" in p:
            return True
        message = self._stored_message(call, "edit")
        if message["from"]["id"] != BOT_ID:
            raise ApiError(400, "Bad Request: message can't be edited")
        if message.get("text") == visible and message.get("reply_markup") == p.get("reply_markup"):
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message",
            )
        message["text"] = visible
        message["edit_date"] = int(time.time())
        message.pop("reply_markup", None)
        if p.get("reply_markup"):
            message["reply_markup"] = p["reply_markup"]
        return message

    async def _m_editMessageReplyMarkup(self, call: Call) -> dict | bool:
        markup = call.params.get("reply_markup")
        self._check_markup(markup)
        if "inline_message_id" in call.params:
            return True
        message = self._stored_message(call, "edit")
        if message.get("reply_markup") == markup:
            raise ApiError(400, "Bad Request: message is not modified")
        message.pop("reply_markup", None)
        if markup:
            message["reply_markup"] = markup
        return message

    async def _m_deleteMessage(self, call: Call) -> bool:
        self._stored_message(call, "delete")
        del self._messages[(call.chat_id, call.params["message_id"])]
        return True

    async def _m_answerCallbackQuery(self, call: Call) -> bool:
        if len(str(call.params.get("text", ""))) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self._take_query(str(call.params.get("callback_query_id")))
        return True

    async def _m_answerInlineQuery(self, call: Call) -> bool:
        results = call.params.get("results") or []
        if len(results) > 50:
            raise ApiError(400, "Bad Request: RESULTS_TOO_MUCH")
        ids = [str(r.get("id", "")) for r in results]
        if any(not 1 <= len(i.encode()) <= 64 for i in ids):
            raise ApiError(400, "Bad Request: RESULT_ID_INVALID")
        if len(set(ids)) != len(ids):
            raise ApiError(400, "Bad Request: RESULT_ID_DUPLICATE")
        if len(str(call.params.get("next_offset", "")).encode()) > 64:
            raise ApiError(400, "Bad Request: NEXT_OFFSET_INVALID")
        for result in results:
            content = result.get("input_message_content") or {}
            if "message_text" in content:
                self._checked_text(content["message_text"], content.get("parse_mode"))
            self._check_markup(result.get("reply_markup"))
        self._take_query(str(call.params.get("inline_query_id")))
        return True

    async def _m_setMyCommands(self, call: Call) -> bool:
        commands = call.params.get("commands") or []
        if len(commands) > 100:
            raise ApiError(400, "Bad Request: too many commands")
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(command.get("command", ""))):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise ApiError(400, "Bad Request: command description is invalid")
        key = self._command_key(call.params.get("scope"), call.params.get("language_code", ""))
        self._commands[key] = commands
        return True

    async def _m_getMyCommands(self, call: Call) -> list[dict]:
        return self.commands(call.params.get("scope"), call.params.get("language_code", ""))

    async def _m_deleteMyCommands(self, call: Call) -> bool:
        key = self._command_key(call.params.get("scope"), call.params.get("language_code", ""))
        self._commands.pop(key, None)
        return True

    async def _m_getChatMember(self, call: Call) -> dict:
        user_id = int(call.params["user_id"])
        status, anonymous = self._members.get((call.chat_id, user_id), ("member", False))
        return chat_member_json(make_user(user_id), status, is_anonymous=anonymous)

    async def _m_getChatAdministrators(self, call: Call) -> list[dict]:
        if isinstance(call.chat_id, int) and call.chat_id > 0:
            raise ApiError(400, "Bad Request: there are no administrators in the private chat")
        return [
            chat_member_json(make_user(user_id), status, is_anonymous=anonymous)
            for (chat_id, user_id), (status, anonymous) in self._members.items()
            if chat_id == call.chat_id and status in ("creator", "administrator")
        ]

    async def _m_sendChatAction(self, call: Call) -> bool:
        return True

    async def _m_getFile(self, call: Call) -> dict:
        stored = self._files.get(str(call.params.get("file_id")))
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        if len(stored.content) > MAX_DOWNLOAD_BYTES:
            raise ApiError(400, "Bad Request: file is too big")
        document = stored.document()
        return {k: document[k] for k in ("file_id", "file_unique_id", "file_size")} | {
            "file_path": stored.file_path
        }

    async def _m_close(self, call: Call) -> bool:
        return True

    async def _m_logOut(self, call: Call) -> bool:
        return True


# ---------------------------------------------------------------------------------------------
# PTB helpers


def app_builder(fake: FakeBotAPI) -> ApplicationBuilder:
    """An ApplicationBuilder pointed at the fake; add your own options before build()."""
    return (
        ApplicationBuilder()
        .token(fake.token)
        .base_url(fake.base_url)
        .base_file_url(fake.base_file_url)
    )


def build_app(
    fake: FakeBotAPI,
    *,
    read_timeout: float | None = None,
    configure: Callable[[ApplicationBuilder], ApplicationBuilder] | None = None,
) -> Application:
    builder = app_builder(fake)
    if read_timeout is not None:
        builder = builder.read_timeout(read_timeout)
    if configure is not None:
        builder = configure(builder)
    return builder.build()


async def start_app(
    app: Application, *, poll_timeout: float = 10, allowed_updates: list[str] | None = None
) -> None:
    """What run_polling does, minus the event loop handling: initialize, post_init, poll, start."""
    await app.initialize()
    if app.post_init is not None:
        await app.post_init(app)
    assert app.updater is not None
    await app.updater.start_polling(
        poll_interval=0, timeout=timedelta(seconds=poll_timeout), allowed_updates=allowed_updates
    )
    await app.start()


async def stop_app(app: Application) -> None:
    """The reverse of start_app; safe to call twice or on an app that never started."""
    if app.updater is not None and app.updater.running:
        await app.updater.stop()
    was_running = app.running
    if was_running:
        await app.stop()
        if app.post_stop is not None:
            await app.post_stop(app)
    await app.shutdown()
    # An Application whose initialize() failed (e.g. getMe rejected) skips this in shutdown(),
    # leaving the bot's HTTP clients open; Bot.shutdown is a no-op when already closed.
    await app.bot.shutdown()
    if was_running and app.post_shutdown is not None:
        await app.post_shutdown(app)


@contextlib.asynccontextmanager
async def running_app(app: Application, **kwargs: Any) -> AsyncIterator[Application]:
    await start_app(app, **kwargs)
    try:
        yield app
    finally:
        await stop_app(app)
