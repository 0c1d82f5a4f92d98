"""Fault suite (issue 9): the bot token is never logged, stored or printed, and the database
files are private.

A server that answers with a malformed status line makes aiohttp raise an error whose text holds
the request URL, token included; the bot runs against it for real, at DEBUG.
"""

from __future__ import annotations

import asyncio
import importlib.util
import io
import logging
import os
import socket
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import redact
from bot.app import build_application, open_runtime
from bot.config import Config, load_config
from briefings.store import Store

pytestmark = pytest.mark.faults

REPO = Path(__file__).resolve().parent.parent
# Shaped like a real token (bot id, colon, 35 characters), but never registered by these tests
# unless they say so: the shape alone must be enough to redact it.
TOKEN = "7123456789:AAHk3vQ9xZ_b7Yd2LmPq0RsTuVwXyZ01234"
SECRET = TOKEN.split(":", 1)[1]


class MalformedStatusServer:
    """Answers every HTTP request with a garbage status line; ``getMe`` and ``deleteWebhook``
    properly with ``serve_get_me``, so that a bot starts and then fails on every call.

    A thread with plain sockets, so sync tests (the CLI) and async tests can both use it.
    """

    def __init__(self, *, serve_get_me: bool) -> None:
        self.serve_get_me = serve_get_me
        self.requests: list[str] = []
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            while True:
                try:
                    head = self._read_request(conn)
                except OSError:
                    return
                if not head:
                    return
                line = head.split("\r\n", 1)[0]
                self.requests.append(line)
                if self.serve_get_me and ("/getMe " in line or "/deleteWebhook " in line):
                    body = (
                        b'{"ok":true,"result":{"id":7123456789,"is_bot":true,'
                        b'"first_name":"Briefing","username":"briefing_test_bot"}}'
                        if "/getMe " in line
                        else b'{"ok":true,"result":true}'
                    )
                    conn.sendall(
                        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
                    )
                    continue
                conn.sendall(b"HTTP/1.1 2OO NOT A STATUS\r\n\r\n")
                return

    @staticmethod
    def _read_request(conn: socket.socket) -> str:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return ""
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        while len(rest) < length:
            chunk = conn.recv(65536)
            if not chunk:
                break
            rest += chunk
        return head.decode("latin-1")

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def malformed() -> Iterator[MalformedStatusServer]:
    server = MalformedStatusServer(serve_get_me=True)
    yield server
    server.close()


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """Everything the root logger's handlers get at DEBUG, formatted with tracebacks."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield stream
    root.removeHandler(handler)
    root.setLevel(old_level)


def assert_no_token(text: str) -> None:
    assert TOKEN not in text
    assert SECRET not in text


async def test_polling_errors_at_debug_never_show_the_token(
    malformed: MalformedStatusServer, captured: io.StringIO, tmp_path: Path
) -> None:
    config = Config(
        token=TOKEN,
        base_url=malformed.base_url,
        db_path=str(tmp_path / "bot.db"),
        inbox_interval=0,
    )
    rt = open_runtime(config)
    app = build_application(config, rt)
    try:
        await app.initialize()
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.05, timeout=0)
        try:
            async with asyncio.timeout(20):
                while "Bad status line" not in captured.getvalue():  # noqa: ASYNC110
                    await asyncio.sleep(0.05)
        finally:
            await app.updater.stop()
            await app.stop()
    finally:
        await app.shutdown()
        rt.close()
    text = captured.getvalue()
    # The check can fail: the error and the URL it names are in the log, only the token is not.
    assert "Traceback" in text
    assert "getUpdates" in text
    assert any(TOKEN in line for line in malformed.requests)
    assert_no_token(text)


async def test_exception_text_logged_as_an_argument_or_traceback_is_redacted(
    malformed: MalformedStatusServer, captured: io.StringIO
) -> None:
    from bot.config import Config
    from bot.extbot import briefing_bot
    from bot.ratelimit import RateLimiter

    redact.install()
    bot = briefing_bot(Config(token=TOKEN, base_url=malformed.base_url), RateLimiter())
    await bot.initialize()
    try:
        with pytest.raises(Exception, match="Bad status line") as failure:
            await bot.send_message(1, "hi")
    finally:
        await bot.shutdown()
    assert TOKEN in str(failure.value), "aiohttp names the URL, or the test proves nothing"
    log = logging.getLogger("bot.delivery")
    log.warning("delivery to chat %s failed: %s", 1, failure.value)
    log.debug("details: %r", failure.value)
    try:
        raise failure.value
    except Exception:
        log.exception("crashed")
    text = captured.getvalue()
    assert text.count("Bad status line") >= 3
    assert_no_token(text)
    assert_no_token(redact.redact(str(failure.value)))
    assert_no_token(redact.describe(failure.value))


def test_cli_one_line_error_never_shows_the_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    server = MalformedStatusServer(serve_get_me=False)
    try:
        monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
        monkeypatch.setenv("TELEGRAM_BASE_URL", server.base_url)
        monkeypatch.setenv("BRIEFINGS_DB", str(tmp_path / "cli.db"))
        code = load_cli().main(["push", "--date", "2026-04-15"])
    finally:
        server.close()
    out, err = capsys.readouterr()
    assert code != 0
    assert any(TOKEN in line for line in server.requests)
    assert err.startswith("错误")
    assert "Bad status line" in err
    assert len(err.strip().splitlines()) == 1
    assert_no_token(out + err)


def load_cli():
    spec = importlib.util.spec_from_file_location("bot_cli", REPO / "bot.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ---- redact itself ----------------------------------------------------------------------------


def test_registered_secret_is_redacted_raw_and_url_encoded() -> None:
    redact.register_secret("42:short-secret")
    text = "GET /bot42:short-secret/getMe and /bot42%3Ashort-secret/x and 42%3ashort-secret"
    clean = redact.redact(text)
    assert "short-secret" not in clean
    assert clean.count(redact.REDACTED) == 3


def test_config_registers_its_token_and_webhook_secret() -> None:
    load_config({"TELEGRAM_BOT_TOKEN": "99:config-token", "WEBHOOK_SECRET": "hook-secret-1"})
    assert "config-token" not in redact.redact("url /bot99:config-token/getMe")
    assert "hook-secret-1" not in redact.redact("header hook-secret-1")


def test_token_shaped_text_is_redacted_without_registration() -> None:
    other = "5555555555:BBHk3vQ9xZ_b7Yd2LmPq0RsTuVwXyZ98765"
    assert (
        redact.redact(f"url=http://h/bot{other}/getMe")
        == f"url=http://h/bot{redact.REDACTED}/getMe"
    )


def test_ordinary_text_is_left_alone() -> None:
    for text in ("缙云 2026-04-15 12:30", "chat 123456: failed", "ratio 3:1", "id 20558000001"):
        assert redact.redact(text) == text


# ---- database file modes ----------------------------------------------------------------------


def modes(db: Path) -> dict[str, int]:
    return {
        p.name: stat.S_IMODE(p.stat().st_mode)
        for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm"))
        if p.exists()
    }


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The usual umask (022), under which files used to come out 0644."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_database_and_its_wal_and_shm_are_created_owner_only(
    tmp_path: Path, open_umask: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BRIEFINGS_DB_GROUP_READ", raising=False)
    db = tmp_path / "new.db"
    with Store.open(db) as store:
        store.conn.execute("CREATE TABLE t (x)")
        found = modes(db)
        assert set(found) == {"new.db", "new.db-wal", "new.db-shm"}
        assert set(found.values()) == {0o600}


def test_group_read_setting_gives_0640(
    tmp_path: Path, open_umask: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRIEFINGS_DB_GROUP_READ", "1")
    db = tmp_path / "group.db"
    with Store.open(db) as store:
        store.conn.execute("CREATE TABLE t (x)")
        assert set(modes(db).values()) == {0o640}


def test_a_world_readable_database_from_before_is_made_private(
    tmp_path: Path, open_umask: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BRIEFINGS_DB_GROUP_READ", raising=False)
    db = tmp_path / "old.db"
    with Store.open(db):
        pass
    for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        p.touch()
        p.chmod(0o644)
    with Store.open(db):
        assert set(modes(db).values()) == {0o600}


def test_the_bot_runtime_database_is_private(tmp_path: Path, open_umask: None) -> None:
    rt = open_runtime(Config(db_path=str(tmp_path / "rt.db")))
    try:
        assert set(modes(tmp_path / "rt.db").values()) == {0o600}
    finally:
        rt.close()


def test_the_admins_traceback_report_never_shows_the_token() -> None:
    from telegram.error import NetworkError

    from bot.errors import admin_report

    try:
        raise NetworkError(f"aiohttp.ClientResponseError: 400, url='http://h/bot{TOKEN}/getMe'")
    except NetworkError as exc:
        report = admin_report(exc, where=f"update from http://h/bot{TOKEN}/getUpdates")
    assert "NetworkError" in report
    assert "getMe" in report
    assert_no_token(report)
