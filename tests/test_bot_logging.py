"""The token never reaches the logs, whatever the log level."""

from __future__ import annotations

import logging

from botharness import USER_ID, Harness

from bot.logs import CHATTY


async def test_token_never_appears_in_logs_even_at_debug(harness: Harness, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    for name in CHATTY:  # LOG_LEVEL=DEBUG opens the libraries' loggers too (bot/logs.py)
        caplog.set_level(logging.DEBUG, logger=name)
    await harness.say(USER_ID, "/county 缙云")
    await harness.say(USER_ID, "/search 保贷联动")
    assert caplog.records, "the bot logged nothing at DEBUG: the check would prove nothing"
    token = harness.fake.token
    secret = token.split(":", 1)[1]
    for record in caplog.records:
        text = record.getMessage() + str(record.args or "")
        assert token not in text
        assert f":{secret}" not in text
