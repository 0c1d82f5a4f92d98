"""bot/extbot.py: the bot is PTB's own ExtBot on the bot's HTTP layer, every call passes the one
rate limiter, and the configured server is used as given (``…/bot`` or a ``{token}`` URL)."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest
from botharness import USER_ID
from fakebotapi import FakeBotAPI
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.error import BadRequest, Forbidden
from telegram.ext import ExtBot, MessageHandler, filters

from bot.app import send_replies
from bot.cards import Reply
from bot.config import Config
from bot.extbot import briefing_bot
from bot.ratelimit import LimitArgs, Priority, RateLimiter
from bot.request import AiohttpRequest

REPO = Path(__file__).resolve().parent.parent
CARD = "<b>丽水市缙云县</b> 规上工业增加值增长 <i>19.7%</i>"
KEYS = InlineKeyboardMarkup([[InlineKeyboardButton("分享", switch_inline_query="缙云")]])


def _config(fake: FakeBotAPI, base_url: str | None = None) -> Config:
    return Config(
        token=fake.token,
        base_url=fake.base_url if base_url is None else base_url,
        base_file_url=fake.base_file_url,
    )


@pytest.fixture
def limiter() -> RateLimiter:
    return RateLimiter(scale=10)


@pytest.fixture
async def bot(fake_api: FakeBotAPI, limiter: RateLimiter):
    b = briefing_bot(_config(fake_api), limiter)
    assert type(b) is ExtBot
    assert isinstance(b.request, AiohttpRequest)
    assert b.rate_limiter is limiter
    async with b:
        yield b


async def test_a_send_returns_ptbs_message_and_passes_the_limiter(bot, limiter, fake_api) -> None:
    sent = await bot.send_message(42, CARD, parse_mode="HTML", reply_markup=KEYS)
    assert isinstance(sent, Message)
    assert (sent.chat.id, sent.reply_markup) == (42, KEYS)
    await bot.send_message(42, "日报", rate_limit_args=LimitArgs(Priority.DIGEST))
    assert limiter.released == {Priority.REPLY: 1, Priority.DIGEST: 1}
    assert limiter.in_flight == 0


async def test_calls_that_post_no_message_are_not_counted(bot, limiter) -> None:
    me = await bot.get_me()
    assert me.username == bot.username
    assert limiter.released == {Priority.REPLY: 0, Priority.DIGEST: 0}


async def test_errors_reach_the_caller_unchanged(bot, fake_api) -> None:
    fake_api.block(42)
    with pytest.raises(Forbidden):
        await bot.send_message(42, CARD, parse_mode="HTML")
    with pytest.raises(BadRequest):
        await bot.send_message(43, "<b>未闭合", parse_mode="HTML")


async def test_a_token_placeholder_in_the_base_url_is_filled_by_ptb(fake_api, limiter) -> None:
    url = f"http://127.0.0.1:{fake_api.port}/bot{{token}}"
    async with briefing_bot(_config(fake_api, url), limiter) as b:
        await b.send_message(7, "你好")
    assert [m["text"] for m in fake_api.sent_messages(7)] == ["你好"]


async def test_previews_stay_off_unless_a_reply_asks_for_one(harness) -> None:
    async def two_replies(update, context) -> None:
        link = '<a href="https://zjrb.zjol.com.cn/">浙江日报</a>'
        await send_replies(update, context, [Reply(link, preview=True), Reply(link)])

    harness.app.add_handler(MessageHandler(filters.Regex("^预览$"), two_replies), group=-1)
    with_preview, without = await harness.say(USER_ID, "预览", expect=2)
    assert "link_preview_options" not in with_preview
    assert without["link_preview_options"] == {"is_disabled": True}


def test_bot_py_opts_in_to_timedelta_durations_at_start_up(monkeypatch, tmp_path, capsys):
    spec = importlib.util.spec_from_file_location("bot_cli_timedelta", REPO / "bot.py")
    assert spec is not None
    assert spec.loader is not None
    cli = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cli)
    monkeypatch.delenv("PTB_TIMEDELTA")
    assert (
        cli.main(
            [
                "--db",
                str(tmp_path / "t.db"),
                "parse",
                str(REPO / "data" / "sample_page_2026-04-15.txt"),
            ]
        )
        == 0
    )
    assert os.environ["PTB_TIMEDELTA"] == "true"  # RetryAfter.retry_after is then a timedelta
