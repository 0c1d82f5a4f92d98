"""Start-up that tells the truth, tested by running ``python bot.py`` as an operator would:
a rejected token, Telegram down then up, 5xx answers at start, the one start line, log formats."""

from __future__ import annotations

import asyncio
import json
import signal
from pathlib import Path

from botharness import copy_db
from botprocess import bot_process, free_port
from fakebotapi import FakeBotAPI, make_message

REPO = Path(__file__).resolve().parent.parent
USER = 7070
WRONG_TOKEN = "999999:WRONGWRONGWRONGWRONGWRONGWRONGWRONGWRO"


def env_for(token: str, base_url: str, db: Path, **extra: str) -> dict[str, str]:
    return {
        "TELEGRAM_BOT_TOKEN": token,
        "TELEGRAM_BASE_URL": base_url,
        "BRIEFINGS_DB": str(db),
        "INBOX_DIR": str(db.parent / "inbox"),
        **extra,
    }


async def read_until(proc: asyncio.subprocess.Process, needle: str, seen: list[str]) -> str:
    """Read stderr lines (kept in ``seen``) until one contains ``needle``; return it."""
    assert proc.stderr is not None
    async with asyncio.timeout(40):
        while True:
            raw = await proc.stderr.readline()
            if not raw:
                raise AssertionError(f"bot.py ended before {needle!r}: {''.join(seen)}")
            line = raw.decode("utf-8", "replace")
            seen.append(line)
            if needle in line:
                return line


async def stop(proc: asyncio.subprocess.Process, seen: list[str]) -> str:
    proc.send_signal(signal.SIGINT)
    _, rest = await asyncio.wait_for(proc.communicate(), 20)
    return "".join(seen) + rest.decode("utf-8", "replace")


async def test_a_rejected_token_is_one_line_and_exit_78_without_the_token(
    fake_api: FakeBotAPI, bot_db: Path, tmp_path: Path
) -> None:
    db = copy_db(bot_db, tmp_path / "run.db")
    async with bot_process(env_for(WRONG_TOKEN, fake_api.base_url, db)) as proc:
        out, err = await asyncio.wait_for(proc.communicate(), 30)
    text = out.decode() + err.decode()
    assert proc.returncode == 78, text
    assert "rejected the bot token" in text
    assert err.decode().count("\n") == 1, text
    assert "Traceback" not in text
    assert "Unclosed" not in text, "every HTTP session is closed at exit"
    assert WRONG_TOKEN not in text
    assert WRONG_TOKEN.split(":")[1] not in text


async def test_telegram_down_at_start_is_waited_for_then_the_bot_serves(
    bot_db: Path, tmp_path: Path
) -> None:
    port = free_port()
    fake = FakeBotAPI()
    db = copy_db(bot_db, tmp_path / "run.db")
    base_url = f"http://127.0.0.1:{port}/bot"
    seen: list[str] = []
    async with bot_process(env_for(fake.token, base_url, db)) as proc:
        line = await read_until(proc, "cannot reach Telegram", seen)
        assert "still trying" in line
        assert proc.returncode is None, "no network at start-up must never end the bot"
        await fake.start(port=port)
        try:
            await read_until(proc, "running as @", seen)
            await fake.wait_for("getUpdates", timeout=30)
            fake.push_update(make_message(USER, "/county 缙云"))
            (call,) = await fake.wait_for("sendMessage", chat_id=USER, timeout=30)
            assert "缙云" in call.params["text"]
            text = await stop(proc, seen)
        finally:
            await fake.stop()
    assert proc.returncode == 0, text
    assert text.count("cannot reach Telegram") == 1, "said once, not once per try"
    assert fake.token not in text
    assert "Unclosed" not in text


async def test_5xx_answers_at_start_are_retried(
    fake_api: FakeBotAPI, bot_db: Path, tmp_path: Path
) -> None:
    fake_api.fail_5xx("getMe", times=3, status=502)
    db = copy_db(bot_db, tmp_path / "run.db")
    seen: list[str] = []
    async with bot_process(env_for(fake_api.token, fake_api.base_url, db)) as proc:
        await read_until(proc, "running as @", seen)
        text = await stop(proc, seen)
    assert proc.returncode == 0, text
    assert "cannot reach Telegram" in text
    assert len(fake_api.calls("getMe")) >= 4


async def test_one_line_at_start_says_who_where_how_much_and_when(
    fake_api: FakeBotAPI, bot_db: Path, tmp_path: Path
) -> None:
    """At the default log level: the start line, and no scheduler or HTTP chatter."""
    db = copy_db(bot_db, tmp_path / "run.db")
    seen: list[str] = []
    async with bot_process(env_for(fake_api.token, fake_api.base_url, db)) as proc:
        line = await read_until(proc, "running as @", seen)
        await fake_api.wait_for("getUpdates", timeout=30)
        text = await stop(proc, seen)
    me = fake_api.calls("getMe")[0].result
    assert f"@{me['username']} (polling)" in line
    assert str(db) in line
    assert "articles, latest 2026-04-15" in line
    assert "subscribers" in line
    assert "next digest" in line
    noisy = [ln for ln in text.splitlines() if "apscheduler" in ln or "httpx" in ln]
    assert not noisy, noisy
    assert fake_api.token not in text


async def test_log_format_json_gives_one_object_per_line(
    fake_api: FakeBotAPI, bot_db: Path, tmp_path: Path
) -> None:
    db = copy_db(bot_db, tmp_path / "run.db")
    seen: list[str] = []
    env = env_for(fake_api.token, fake_api.base_url, db, LOG_FORMAT="json")
    async with bot_process(env) as proc:
        await read_until(proc, "running as @", seen)
        text = await stop(proc, seen)
    records = [json.loads(line) for line in text.splitlines() if line.strip()]
    assert records
    assert {"time", "level", "logger", "message"} <= records[0].keys()
    assert any(r["message"].startswith("running as @") for r in records)


def test_next_delivery_is_the_earliest_local_time_still_ahead() -> None:
    from datetime import UTC, datetime

    from briefings.chats import ChatPrefs, next_delivery

    now = datetime(2026, 4, 15, 0, 0, tzinfo=UTC)  # 08:00 in Shanghai, 01:00 in London
    shanghai = ChatPrefs(chat_id=1, time="07:30", tz="Asia/Shanghai")  # passed: tomorrow
    london = ChatPrefs(chat_id=2, time="06:00", tz="Europe/London")  # 05:00 UTC today
    assert next_delivery([shanghai, london], now) == datetime(2026, 4, 15, 5, 0, tzinfo=UTC)
    assert next_delivery([shanghai], now) == datetime(2026, 4, 15, 23, 30, tzinfo=UTC)
    assert next_delivery([], now) is None


def test_ingest_names_undated_files_and_a_later_date_repairs_them(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    """An undated file is said, counted, and given its date by ``ingest --date`` later."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bot_cli_startup", REPO / "bot.py")
    assert spec is not None
    assert spec.loader is not None
    cli = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cli)
    page = tmp_path / "page.txt"  # no date in the name
    page.write_bytes((REPO / "data" / "sample_page_2026-04-15.txt").read_bytes())
    db = str(tmp_path / "u.db")
    assert cli.main(["--db", db, "ingest", str(page)]) == 0
    out, err = capsys.readouterr()
    assert f"没有日期 {page}" in err
    assert "--date" in err
    assert "1 篇没有日期" in out
    assert cli.main(["--db", db, "ingest", str(page), "--date", "2026-04-15"]) == 0
    out, _ = capsys.readouterr()
    assert "更新 1" in out
    assert "没有日期" not in out
    from briefings.store import Store

    with Store.open(db) as store:
        assert store.dates() == ["2026-04-15"]
        assert store.stats()["documents"] == 1


def test_read_only_commands_never_create_a_database(tmp_path: Path, capsys) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("bot_cli_ro", REPO / "bot.py")
    assert spec is not None
    assert spec.loader is not None
    cli = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cli)
    missing = tmp_path / "nonexistent" / "dir" / "x.db"
    for argv in (["search", "缙云"], ["county", "缙云"], ["digest"], ["sources", "list"]):
        assert cli.main(["--db", str(missing), *argv]) == 1, argv
        err = capsys.readouterr().err
        assert "数据库不存在" in err
        assert err.count("\n") == 1
    assert cli.main(["--db", str(missing), "ingest", str(REPO / "data")]) == 1
    assert "文件夹不存在" in capsys.readouterr().err
    assert not (tmp_path / "nonexistent").exists()
