"""bot/processing.py: different chats at once, one chat strictly in order, through a real PTB
Application and the fake Bot API, and the bot's own commands in order under concurrency."""

from __future__ import annotations

import asyncio
import warnings

import pytest
from botharness import USER_ID, Harness
from fakebotapi import FakeBotAPI, make_inline_query, make_message, running_app
from telegram import Update
from telegram.ext import ContextTypes, ExtBot, MessageHandler, filters

from bot.processing import ChatOrderedProcessor, order_key
from bot.ratelimit import RateLimiter
from bot.request import AiohttpRequest

Log = list[tuple[str, int, str]]


def _app(ptb_app_factory, processor: ChatOrderedProcessor, log: Log, delays: dict[str, float]):
    """An app whose handler logs start/end of each text and sleeps ``delays[text]`` between."""

    async def handle(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        text = update.message.text
        log.append(("start", update.message.chat.id, text))
        await asyncio.sleep(delays.get(text, 0))
        if text == "boom":
            raise RuntimeError("handler failed")
        log.append(("end", update.message.chat.id, text))

    async def quiet(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        pass

    app = ptb_app_factory(
        [MessageHandler(filters.TEXT, handle)],
        configure=lambda b: b.concurrent_updates(processor),
    )
    app.add_error_handler(quiet)
    return app


async def _until(predicate) -> None:
    async with asyncio.timeout(5):
        # Polling: the condition is a log the handlers append to, there is no event to wait on.
        while not predicate():  # noqa: ASYNC110
            await asyncio.sleep(0.005)


async def test_one_chat_is_handled_in_order_even_when_the_first_is_slow(
    fake_api: FakeBotAPI, ptb_app_factory
) -> None:
    log: Log = []
    app = _app(ptb_app_factory, ChatOrderedProcessor(8), log, {"first": 0.2})
    async with running_app(app):
        for text in ("first", "second", "third"):
            fake_api.push_update(make_message(1, text))
        await _until(lambda: len(log) == 6)
    assert [(kind, text) for kind, _, text in log] == [
        ("start", "first"), ("end", "first"),
        ("start", "second"), ("end", "second"),
        ("start", "third"), ("end", "third"),
    ]  # fmt: skip


async def test_a_slow_chat_does_not_hold_up_another(fake_api: FakeBotAPI, ptb_app_factory) -> None:
    log: Log = []
    app = _app(ptb_app_factory, ChatOrderedProcessor(8), log, {"slow": 0.3})
    async with running_app(app):
        fake_api.push_update(make_message(1, "slow"))
        fake_api.push_update(make_message(2, "quick"))
        await _until(lambda: len(log) == 4)
    ends = [chat for kind, chat, _ in log if kind == "end"]
    assert ends == [2, 1]


async def test_no_more_chats_run_at_once_than_the_concurrency(
    fake_api: FakeBotAPI, ptb_app_factory
) -> None:
    log: Log = []
    running, peak = 0, 0

    async def handle(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.05)
        running -= 1
        log.append(("end", update.message.chat.id, update.message.text))

    app = ptb_app_factory(
        [MessageHandler(filters.TEXT, handle)],
        configure=lambda b: b.concurrent_updates(ChatOrderedProcessor(3)),
    )
    async with running_app(app):
        for chat in range(1, 11):
            fake_api.push_update(make_message(chat, "hi"))
        await _until(lambda: len(log) == 10)
    assert peak == 3


async def test_a_burst_from_one_chat_leaves_room_for_others(
    fake_api: FakeBotAPI, ptb_app_factory
) -> None:
    log: Log = []
    processor = ChatOrderedProcessor(2)
    app = _app(ptb_app_factory, processor, log, {"burst": 0.02})
    async with running_app(app):
        for _ in range(20):
            fake_api.push_update(make_message(1, "burst"))
        fake_api.push_update(make_message(2, "other"))
        await _until(lambda: ("end", 2, "other") in log)
        done_of_burst = sum(1 for kind, chat, _ in log if kind == "end" and chat == 1)
        await _until(lambda: len(log) == 42)
    # chat 2 did not wait for chat 1's twenty updates (0.4 s) to drain
    assert done_of_burst < 10
    assert processor.busy_chats == 0


async def test_a_failing_update_does_not_stop_its_chat(
    fake_api: FakeBotAPI, ptb_app_factory
) -> None:
    log: Log = []
    app = _app(ptb_app_factory, ChatOrderedProcessor(4), log, {})
    async with running_app(app):
        for text in ("before", "boom", "after"):
            fake_api.push_update(make_message(1, text))
        await _until(lambda: ("end", 1, "after") in log)
    assert [text for kind, _, text in log if kind == "start"] == ["before", "boom", "after"]


async def test_cancelled_while_waiting_closes_the_unstarted_update() -> None:
    processor = ChatOrderedProcessor(4)
    update = Update.de_json({"update_id": 1, "message": make_message(7, "x")["message"]}, None)
    gate = asyncio.Event()
    started: list[str] = []

    async def work(name: str) -> None:
        started.append(name)
        await gate.wait()

    first = asyncio.create_task(processor.process_update(update, work("first")))
    await asyncio.sleep(0)
    second = asyncio.create_task(processor.process_update(update, work("second")))
    await asyncio.sleep(0.01)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "coroutine was never awaited" would fail here
        second.cancel()
        with pytest.raises(asyncio.CancelledError):
            await second
    gate.set()
    await first
    assert started == ["first"]
    assert processor.busy_chats == 0


async def test_cancelled_while_waiting_for_a_slot_closes_the_unstarted_update() -> None:
    processor = ChatOrderedProcessor(1)
    gate = asyncio.Event()
    started: list[int] = []

    def update(chat: int) -> Update:
        return Update.de_json(
            {"update_id": chat, "message": make_message(chat, "x")["message"]}, None
        )

    async def work(chat: int) -> None:
        started.append(chat)
        await gate.wait()

    first = asyncio.create_task(processor.process_update(update(1), work(1)))
    await asyncio.sleep(0)
    second = asyncio.create_task(processor.process_update(update(2), work(2)))
    await asyncio.sleep(0.01)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        second.cancel()
        with pytest.raises(asyncio.CancelledError):
            await second
    gate.set()
    await first
    assert started == [1]
    assert processor.busy_chats == 0


def test_inline_queries_are_ordered_per_user_and_other_updates_not_at_all() -> None:
    inline = Update.de_json({"update_id": 2, **make_inline_query(55, "缙云")}, None)
    assert order_key(inline) == 55
    assert order_key(object()) is None
    with pytest.raises(ValueError, match="at least 1"):
        ChatOrderedProcessor(0)


async def test_the_bots_commands_in_one_chat_apply_in_the_order_sent(harness: Harness) -> None:
    before = len(harness.fake.calls("sendMessage", chat_id=USER_ID))
    for text in ("/subscribe 06:00", "/time 07:15", "/time 08:45", "/county 缙云", "/time 09:30"):
        harness.fake.push_update(make_message(USER_ID, text))
    calls = await harness.fake.wait_for("sendMessage", count=before + 5, chat_id=USER_ID)
    texts = [c.params["text"] for c in calls[before:]]
    expected = ["06:00", "07:15", "08:45", "缙云", "09:30"]
    assert [want in text for want, text in zip(expected, texts, strict=True)] == [True] * 5
    assert harness.prefs(USER_ID).time == "09:30"


def test_the_bot_runs_on_its_own_layer_processor_and_limiter(harness: Harness) -> None:
    processor = harness.app.update_processor
    assert isinstance(processor, ChatOrderedProcessor)
    assert processor.concurrency == harness.rt.config.concurrent_updates
    assert type(harness.app.bot) is ExtBot  # PTB's own class: no private method overridden
    assert isinstance(harness.app.bot.request, AiohttpRequest)
    assert isinstance(harness.app.bot.rate_limiter, RateLimiter)
