"""The bot's ``ExtBot``: PTB's own class, on the bot's HTTP layer and its one rate limiter.

Built in one place for the running application and for ``python bot.py push``, from the
configured token and server, through PTB's public constructor only: the base URL goes to PTB
as configured (``…/bot`` or with a ``{token}`` placeholder; PTB fills in the token).
"""

from __future__ import annotations

from typing import Any

from telegram.ext import Defaults, ExtBot

from bot.config import Config
from bot.ratelimit import LimitArgs, RateLimiter
from bot.request import AiohttpRequest


def briefing_bot(
    config: Config,
    limiter: RateLimiter,
    *,
    defaults: Defaults | None = None,
    request: AiohttpRequest | None = None,
) -> ExtBot[LimitArgs]:
    """An ExtBot for ``config``'s token and server whose every call passes ``limiter``.

    Empty URLs mean Telegram's. ``request`` replaces the default HTTP layer (bot/request.py).
    """
    urls: dict[str, Any] = {"base_url": config.base_url, "base_file_url": config.base_file_url}
    return ExtBot(
        config.token,
        **{k: v for k, v in urls.items() if v},
        request=request or AiohttpRequest(),
        get_updates_request=AiohttpRequest(connection_pool_size=1),
        defaults=defaults,
        rate_limiter=limiter,
    )
