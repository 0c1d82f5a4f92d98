"""bot/extbot.py: replies sent inside ``answers_unread()`` are not parsed back, errors still raise,
and everywhere else the bot returns PTB's Message as usual."""

from __future__ import annotations

import pytest
from botharness import USER_ID
from fakebotapi import FakeBotAPI
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.error import BadRequest, Forbidden
from telegram.ext import MessageHandler, filters

from bot.app import send_replies
from bot.cards import Reply
from bot.extbot import BriefingBot, answers_unread, briefing_bot
from bot.request import AiohttpRequest

CARD = "<b>丽水市缙云县</b> 规上工业增加值增长 <i>19.7%</i>"
KEYS = InlineKeyboardMarkup([[InlineKeyboardButton("分享", switch_inline_query="缙云")]])


@pytest.fixture
async def bot(fake_api: FakeBotAPI):
    b = briefing_bot(
        fake_api.token, base_url=fake_api.base_url, base_file_url=fake_api.base_file_url
    )
    assert isinstance(b, BriefingBot)
    assert isinstance(b.request, AiohttpRequest)
    async with b:
        yield b


async def test_send_outside_the_block_returns_the_parsed_message(bot, fake_api) -> None:
    sent = await bot.send_message(42, CARD, parse_mode="HTML", reply_markup=KEYS)
    assert isinstance(sent, Message)
    assert sent.chat.id == 42
    assert sent.reply_markup == KEYS


async def test_send_inside_the_block_is_sent_whole_but_not_parsed(bot, fake_api) -> None:
    with answers_unread():
        assert await bot.send_message(42, CARD, parse_mode="HTML", reply_markup=KEYS) is True
    [params] = fake_api.sent_messages(42)
    assert params["text"] == CARD
    assert params["parse_mode"] == "HTML"
    assert params["reply_markup"] == KEYS.to_dict()
    # the block ends with itself
    assert isinstance(await bot.send_message(42, "又一条"), Message)


async def test_errors_inside_the_block_still_raise(bot, fake_api) -> None:
    fake_api.block(42)
    with answers_unread(), pytest.raises(Forbidden):
        await bot.send_message(42, CARD, parse_mode="HTML")
    with answers_unread(), pytest.raises(BadRequest):
        await bot.send_message(43, "<b>未闭合", parse_mode="HTML")


async def test_other_calls_inside_the_block_keep_their_results(bot, fake_api) -> None:
    with answers_unread():
        me = await bot.get_me()
    assert me.username == bot.username


async def test_previews_stay_off_unless_a_reply_asks_for_one(harness) -> None:
    async def two_replies(update, context) -> None:
        link = '<a href="https://zjrb.zjol.com.cn/">浙江日报</a>'
        await send_replies(update, context, [Reply(link, preview=True), Reply(link)])

    harness.app.add_handler(MessageHandler(filters.Regex("^预览$"), two_replies), group=-1)
    with_preview, without = await harness.say(USER_ID, "预览", expect=2)
    assert "link_preview_options" not in with_preview
    assert without["link_preview_options"] == {"is_disabled": True}
