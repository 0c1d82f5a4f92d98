"""Keep the bot token out of every log line, stored error and printed message.

The Bot API puts the token in every URL (``/bot<token>/sendMessage``), so any text that carries
a request URL carries the token: aiohttp's error on a malformed status line, httpx's request
log, PTB's debug lines, a traceback. ``redact`` removes it from a string (call it on exception
text before logging, storing or printing it); ``RedactingFilter``, installed on the root
logger's handlers by ``install``, does the same to every log record at every level.

Secrets are registered once (``register_secret``; ``bot.config.load_config`` and
``bot.app.build_application`` do it); anything shaped like a Bot API token is removed even if
it was never registered.
"""

from __future__ import annotations

import logging
import re
import threading
from urllib.parse import quote

REDACTED = "<redacted>"
# A Bot API token: the bot's numeric id, a colon, and 35 characters of base64url.
_TOKEN_SHAPE = re.compile(r"(?<!\d)\d{5,}(?::|%3[Aa])[A-Za-z0-9_-]{30,}")

_lock = threading.Lock()
_secrets: tuple[str, ...] = ()  # longest first, so a secret is never half-replaced


def _forms(secret: str) -> set[str]:
    """The secret as it may appear in text: raw, and URL-encoded (``:`` as ``%3A``)."""
    encoded = quote(secret, safe="")
    return {secret, encoded, encoded.replace("%3A", "%3a")}


def register_secret(secret: str) -> None:
    """Remember a secret (the token, a webhook secret) so that ``redact`` removes it."""
    global _secrets
    secret = secret.strip()
    if len(secret) < 4:  # an empty or trivial value would redact ordinary text
        return
    with _lock:
        known = set(_secrets) | _forms(secret)
        _secrets = tuple(sorted(known, key=len, reverse=True))


def redact(text: str) -> str:
    """``text`` with every registered secret and anything token-shaped replaced."""
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    return _TOKEN_SHAPE.sub(REDACTED, text)


def describe(exc: BaseException) -> str:
    """``Type: message`` of an exception, redacted, on one line: for logs, the ledger, the CLI."""
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return " ".join(redact(text).split())


class RedactingFilter(logging.Filter):
    """Rewrites each record's message, arguments, traceback and stack text without secrets.

    The message is formatted once here (``msg % args``) and the arguments dropped, so a
    secret inside an argument (a URL, an exception) is caught too. Always lets the record pass.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave it to the handler to report
            return True
        clean = redact(message)
        if clean != message or record.args:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


_FILTER = RedactingFilter()


def install(*secrets: str) -> RedactingFilter:
    """Register ``secrets`` and put the redacting filter on every handler of the root logger.

    Idempotent; call it after logging is configured (handlers added later are not covered).
    """
    for secret in secrets:
        register_secret(secret)
    for handler in logging.getLogger().handlers:
        if _FILTER not in handler.filters:
            handler.addFilter(_FILTER)
    return _FILTER
