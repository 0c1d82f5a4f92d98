"""Logging set-up: plain text (or JSON lines) on stderr, the bot's own events at INFO, secrets
redacted from every record.

INFO is for an operator reading the log: start-up, digests sent, sources fetched, errors. The
libraries underneath log far more at INFO (APScheduler a line per job run, httpx a line per
request with the token in its URL), so their loggers start at WARNING; ``LOG_LEVEL=DEBUG``
opens everything, still redacted.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

# Loggers whose INFO lines are machinery, not events an operator acts on.
CHATTY = ("apscheduler", "httpx", "httpcore", "telegram", "aiohttp", "hpack", "jieba")
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC ISO), level, logger, message, and the traceback."""

    def format(self, record: logging.LogRecord) -> str:
        item = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            item["exc"] = self.formatException(record.exc_info)
        if record.stack_info:
            item["stack"] = self.formatStack(record.stack_info)
        return json.dumps(item, ensure_ascii=False)


def level_of(text: str | None, default: int = logging.INFO) -> int:
    """``LOG_LEVEL`` as a logging level; an unknown name gives the default."""
    value = logging.getLevelName((text or "").strip().upper())
    return value if isinstance(value, int) else default


def configure(level: str | None = None, fmt: str | None = None) -> None:
    """One stderr handler (text, or JSON lines with ``fmt == "json"``), then the redacting filter.

    Safe to call more than once: the handler is replaced, not added twice.
    """
    from bot import redact

    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "briefings", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.briefings = True  # type: ignore[attr-defined]
    json_lines = (fmt or "").strip().lower() == "json"
    handler.setFormatter(JsonFormatter() if json_lines else logging.Formatter(FORMAT))
    root.addHandler(handler)
    lvl = level_of(level)
    root.setLevel(lvl)
    for name in CHATTY:
        logging.getLogger(name).setLevel(lvl if lvl <= logging.DEBUG else logging.WARNING)
    redact.install()
