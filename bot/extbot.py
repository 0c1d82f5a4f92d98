"""The bot's ``ExtBot``: PTB's, except that replies nobody reads are not parsed back.

Telegram answers every ``sendMessage`` and ``editMessageText`` with the whole message it
stored, entities and keyboard included, and PTB turns that into a ``Message`` object: about
90 µs for a county card with its keyboard, 170 µs once Telegram adds a dozen bold and link
entities, where the bot spends about 1 ms of CPU per update in all. Handler replies never look
at it, so inside ``answers_unread()`` a successful send returns ``True`` (PTB's own answer for
edits of inline messages) instead. Errors are raised exactly as before: only the parsing of a
success is skipped. Delivery keeps the parsed message, whose id goes to the ledger.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from telegram.ext import Defaults, ExtBot

from bot.request import AiohttpRequest

_UNREAD: ContextVar[bool] = ContextVar("answers_unread", default=False)
_SENDS = frozenset({"sendMessage", "editMessageText"})


@contextmanager
def answers_unread() -> Iterator[None]:
    """Within this block (this task only), sends made through a ``BriefingBot`` return True."""
    token = _UNREAD.set(True)
    try:
        yield
    finally:
        _UNREAD.reset(token)


class BriefingBot(ExtBot[Any]):
    """``ExtBot`` that skips building a ``Message`` from a send's answer inside
    ``answers_unread()``."""

    # Bot._post is PTB's internal funnel for every call's answer (22.8, pinned in
    # requirements.txt); tests/test_extbot.py checks that sends, errors and other calls keep
    # behaving, so an upgrade that moves it fails there first.
    async def _post(self, endpoint: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        result = await super()._post(endpoint, data, **kwargs)
        if endpoint in _SENDS and _UNREAD.get() and isinstance(result, dict):
            return True
        return result


def briefing_bot(
    token: str, *, base_url: str = "", base_file_url: str = "", defaults: Defaults | None = None
) -> BriefingBot:
    """The bot's ExtBot on its aiohttp layer (bot/request.py); empty URLs mean Telegram's."""
    urls = {"base_url": base_url, "base_file_url": base_file_url}
    return BriefingBot(
        token,
        **{k: v for k, v in urls.items() if v},
        request=AiohttpRequest(),
        get_updates_request=AiohttpRequest(connection_pool_size=1),
        defaults=defaults,
    )
