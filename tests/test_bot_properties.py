"""Property tests: any text through any handler gives valid, escaped, short-enough Telegram replies.

Hypothesis drives the offline console (the same handler functions as the bot, no network) for
speed; a smaller fixed sample of hostile strings goes end to end through the fake Bot API, where
the server itself rejects invalid HTML or over-long messages.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from botharness import (
    USER_ID,
    Harness,
    copy_db,
)
from fakebotapi import make_message, validate_telegram_html
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import handlers
from bot.app import open_runtime
from bot.cards import Reply
from bot.config import Config
from bot.console import Console
from bot.telegram_html import utf16_len, visible_text
from briefings import county
from briefings.errors import BriefingError, UnknownRegion
from briefings.models import Region
from briefings.regions import load_gazetteer

COMMANDS = [
    "",
    "/county ",
    "/search ",
    "/article ",
    "/time ",
    "/timezone ",
    "/follow ",
    "/unfollow ",
    "/subscribe ",
    "/start ",
    "/county@briefing_test_bot ",
    "/rank ",
    "/compare ",
    "/chart ",
]
# Characters that break naive bots: markup, entities, surrogate-pair emoji, combining marks,
# full-width forms, RTL marks, zero-width joiners, Chinese and traditional Chinese.
HOSTILE = "<>&\"'/@#:;%*_`~\\\n\t 　👩‍💻🇨🇳é\u0301\u202e\u200dＡ１缙云縉雲浙江县市区知识产权"

text_strategy = st.text(
    alphabet=st.one_of(st.sampled_from(HOSTILE), st.characters(codec="utf-8")), max_size=400
)

# The seeded database and the running bot (fixtures) come from the private-chat tests.


@pytest.fixture(scope="module")
def console(seeded_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    path = copy_db(seeded_db, tmp_path_factory.mktemp("props") / "props.db")
    rt = open_runtime(Config(db_path=str(path)))
    try:
        yield Console(rt, bot_username="briefing_test_bot")
    finally:
        rt.close()


def check(replies: list[Reply]) -> None:
    assert replies
    for reply in replies:
        assert reply.text or reply.toast
        if reply.text:
            assert validate_telegram_html(reply.text) is None, reply.text
            assert 0 < utf16_len(visible_text(reply.text)) <= 4096
        assert len(reply.toast) <= 200
        for row in reply.buttons:
            for b in row:
                assert b.text
                assert sum(bool(x) for x in (b.data, b.url, b.inline_query)) == 1
                assert len(b.data.encode()) <= 64
                assert len(b.inline_query) <= 256


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(prefix=st.sampled_from(COMMANDS), arg=text_strategy)
def test_any_command_text_gets_valid_replies(console: Console, prefix: str, arg: str) -> None:
    console.buttons = []  # a bare number must not press a previous reply's button here
    check(asyncio.run(console.send(prefix + arg)))


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(prefix=st.sampled_from(["/county ", "/search ", "", "/follow "]), arg=text_strategy)
def test_user_markup_is_never_passed_through(console: Console, prefix: str, arg: str) -> None:
    console.buttons = []
    injected = f'{arg}<a href="https://evil.example">点我</a><b>粗'
    for reply in asyncio.run(console.send(prefix + injected)):
        assert '<a href="https://evil' not in reply.text
        assert "<b>粗" not in reply.text
        for row in reply.buttons:
            assert all("evil" not in b.url for b in row)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.text(max_size=64))
def test_any_callback_data_is_answered(console: Console, data: str) -> None:
    check(asyncio.run(handlers.run_button(console.ctx(), data)))


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(n=st.integers(min_value=-(10**20), max_value=10**20))
def test_any_article_number_is_answered(console: Console, n: int) -> None:
    check(asyncio.run(console.send(f"/article {n}")))


def _hostile_sample(n: int, seed: int = 8) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(HOSTILE) for _ in range(rng.randint(1, 60))) for _ in range(n)]


async def test_hostile_text_end_to_end_is_accepted_by_the_server(harness: Harness) -> None:
    """The fake rejects (400) invalid HTML and over-long text like Telegram; nothing may fail."""
    pushed = 0
    for i, raw in enumerate(_hostile_sample(8)):
        for prefix in ("/county ", "/search ", ""):
            if (prefix + raw).strip():
                harness.fake.push_update(make_message(USER_ID + i, prefix + raw))
                pushed += 1
    sends = await harness.fake.wait_for("sendMessage", count=pushed, timeout=20)
    await harness.settle()
    assert all(c.status == 200 for c in sends), [c.description for c in sends if c.status != 200]
    for c in sends:
        assert "抱歉" not in c.params["text"]  # no unexpected error on the way
    assert len(harness.fake.calls("sendMessage")) == pushed  # one reply per message, no more


_PLACE_LIKE = st.sampled_from(
    ["缙云", "缙云县", "丽水缙云", "縉雲", "jinyun", "331122", "普陀", "西湖", "缙去", "jinyn"]
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(_PLACE_LIKE, st.text(max_size=12), _PLACE_LIKE.map(lambda s: s + "市")))
def test_free_text_lookup_agrees_with_lookup_but_skips_suggestions(text: str) -> None:
    gaz = load_gazetteer()
    try:
        expected: Region | BriefingError = gaz.lookup(text)
    except BriefingError as exc:
        expected = exc
    try:
        got: Region | BriefingError = county.quiet_lookup(text)
    except BriefingError as exc:
        got = exc
    if isinstance(expected, Region):
        assert got == expected
    else:
        assert type(got) is type(expected)
        if isinstance(got, UnknownRegion):
            assert got.suggestions == []
