"""``python bot.py`` itself, as an operator runs it: long polling and webhook mode against the fake
Bot API, configured only through environment variables, stopped by a signal."""

from __future__ import annotations

import asyncio
import json
import signal
from pathlib import Path

import aiohttp
from botharness import copy_db
from botprocess import bot_process, free_port
from fakebotapi import FakeBotAPI, make_message

REPO = Path(__file__).resolve().parent.parent
USER = 5150


def base_env(fake: FakeBotAPI, db: Path) -> dict[str, str]:
    return {
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_BASE_URL": fake.base_url,
        "BRIEFINGS_DB": str(db),
        "INBOX_DIR": str(db.parent / "inbox"),
        "LOG_LEVEL": "INFO",
    }


async def test_bot_py_long_polls_answers_and_stops_cleanly_on_sigint(
    fake_api: FakeBotAPI, bot_db: Path, tmp_path: Path
) -> None:
    db = copy_db(bot_db, tmp_path / "run.db")
    async with bot_process(base_env(fake_api, db)) as proc:
        await fake_api.wait_for("getUpdates", timeout=30)
        fake_api.push_update(make_message(USER, "/county 缙云"))
        (call,) = await fake_api.wait_for("sendMessage", chat_id=USER, timeout=30)
        assert "丽水市缙云县" in call.params["text"]
        assert call.params["parse_mode"] == "HTML"
        assert fake_api.commands(), "the command menu is registered at start-up"
        proc.send_signal(signal.SIGINT)
        _, stderr = await asyncio.wait_for(proc.communicate(), 20)
    assert proc.returncode == 0, stderr.decode()
    assert fake_api.token not in stderr.decode(), "the token must never reach the logs"
    assert "Traceback" not in stderr.decode()


async def test_bot_py_serves_a_webhook_and_checks_its_secret(
    fake_api: FakeBotAPI, bot_db: Path, tmp_path: Path
) -> None:
    db = copy_db(bot_db, tmp_path / "hook.db")
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/hook"
    env = base_env(fake_api, db) | {
        "WEBHOOK_URL": url,
        "WEBHOOK_LISTEN": "127.0.0.1",
        "WEBHOOK_PORT": str(port),
        "WEBHOOK_SECRET": "s3cret-token",
    }
    update = {"update_id": 1, **make_message(USER, "/county jinyun")}
    async with bot_process(env):
        (hook,) = await fake_api.wait_for("setWebhook", timeout=30)
        assert hook.params["url"] == url
        assert hook.params["secret_token"] == "s3cret-token"
        async with aiohttp.ClientSession() as http:
            for _ in range(100):  # the webhook server starts just after setWebhook
                try:
                    wrong = await http.post(
                        url,
                        data=json.dumps(update),
                        headers={
                            "Content-Type": "application/json",
                            "X-Telegram-Bot-Api-Secret-Token": "wrong",
                        },
                    )
                    break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.1)
            assert wrong.status == 403
            assert not fake_api.calls("sendMessage")
            right = await http.post(
                url,
                data=json.dumps(update),
                headers={
                    "Content-Type": "application/json",
                    "X-Telegram-Bot-Api-Secret-Token": "s3cret-token",
                },
            )
            assert right.status == 200
        (call,) = await fake_api.wait_for("sendMessage", chat_id=USER, timeout=30)
        assert "丽水市缙云县" in call.params["text"]
