"""Start-up that tells the truth: wait for Telegram without dying, refuse a bad token in one line,
and say once what is running.

A bot started at boot may come up before the network: it must wait, not exit. A rejected token,
on the other hand, will not fix itself: that is a configuration error (exit status 78, which the
systemd unit tells systemd not to restart on). The token never appears in what is printed.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from telegram import User
from telegram.error import InvalidToken, RetryAfter, TelegramError
from telegram.ext import ExtBot

log = logging.getLogger("bot")

EXIT_CONFIG = 78  # EX_CONFIG from sysexits.h: configuration error
FIRST_DELAY = 1.0
MAX_DELAY = 60.0
REPORT_EVERY = 60.0  # seconds between "still waiting" lines


class ConfigurationError(Exception):
    """The bot cannot run as configured (e.g. Telegram rejected the token); exit 78."""


def _reason(exc: BaseException) -> str:
    from bot.redact import redact

    text = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return redact(f"{type(exc).__name__}: {text}")


async def wait_for_telegram(
    bot: ExtBot,
    *,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> User:
    """Initialise ``bot`` (getMe) until Telegram answers; return the bot's user.

    Network errors, timeouts, 5xx and 429 are retried with capped exponential backoff, and said
    once at the first failure and then at most once a minute. A rejected token raises
    ConfigurationError at once.
    """
    delay, tries, since, last_report = FIRST_DELAY, 0, clock(), -REPORT_EVERY
    while True:
        try:
            await bot.initialize()
            if tries:
                log.info("Telegram reachable again after %d tries", tries)
            return bot.bot
        except InvalidToken as exc:
            await bot.shutdown()
            raise ConfigurationError(
                "Telegram rejected the bot token (TELEGRAM_BOT_TOKEN): check it with @BotFather,"
                " or TELEGRAM_BASE_URL if you use another Bot API server"
            ) from exc
        except (TelegramError, OSError) as exc:
            tries += 1
            wait = delay
            if isinstance(exc, RetryAfter):
                after = exc.retry_after  # a timedelta: bot.py opts in with PTB_TIMEDELTA
                seconds = after.total_seconds() if hasattr(after, "total_seconds") else after
                wait = max(wait, float(seconds))
            now = clock()
            if now - last_report >= REPORT_EVERY:
                log.warning(
                    "cannot reach Telegram (%s); still trying, next in %.0f s"
                    " (%d tries, %.0f s so far)",
                    _reason(exc),
                    wait,
                    tries,
                    now - since,
                )
                last_report = now
            await sleep(wait)
            delay = min(delay * 2, MAX_DELAY)


@dataclass(frozen=True)
class StartLine:
    """What the one line at start-up says."""

    username: str
    mode: str  # "polling" or "webhook <url>"
    database: str
    articles: int
    latest: str | None
    subscribers: int
    next_digest: datetime | None

    def text(self) -> str:
        latest = f", latest {self.latest}" if self.latest else ""
        nxt = (
            self.next_digest.strftime("%Y-%m-%d %H:%M %Z").strip()
            if self.next_digest
            else "none scheduled"
        )
        return (
            f"running as @{self.username} ({self.mode}); database {self.database}:"
            f" {self.articles} articles{latest}, {self.subscribers} subscribers;"
            f" next digest {nxt}"
        )
