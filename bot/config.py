"""Configuration from environment variables (a ``.env`` file is read when present).

The token is kept out of ``repr``, and every Config registers its token and webhook secret with
``bot.redact`` when it is made, so that no log line, stored error or printed message shows them.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from bot import redact
from briefings.chats import parse_time, parse_timezone
from briefings.errors import InvalidArgument

REPO = Path(__file__).resolve().parent.parent


def _ids(text: str) -> frozenset[int]:
    out = set()
    for raw in text.replace(";", ",").replace(" ", ",").split(","):
        part = raw.strip()
        if part.lstrip("-").isdigit():
            out.add(int(part))
    return frozenset(out)


@dataclass(frozen=True)
class Config:
    """Settings of one bot process. See README “Configuration” and .env.example."""

    token: str = field(default="", repr=False)
    base_url: str = ""  # TELEGRAM_BASE_URL, e.g. http://127.0.0.1:8081/bot
    base_file_url: str = ""  # TELEGRAM_BASE_FILE_URL
    webhook_url: str = ""
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    webhook_secret: str = field(default="", repr=False)
    db_path: str = ""  # "" → briefings.store.db_path(None)
    admin_ids: frozenset[int] = frozenset()
    timezone: str = "Asia/Shanghai"
    source: str = "浙江日报"
    inbox_dir: Path = REPO / "data" / "inbox"
    inbox_interval: float = 300.0
    catchup_until: str = "12:00"  # local time after which a missed edition is skipped
    bot_username: str = ""  # filled from getMe at start-up; used for deep links
    concurrent_updates: int = 16  # chats handled at once (bot/processing.py); 1 = one by one
    # Hours a failed delivery is retried after its first attempt; 0: until the chat's midnight.
    stale_after_hours: float = 0.0

    def __post_init__(self) -> None:
        redact.register_secret(self.token)
        redact.register_secret(self.webhook_secret)

    @property
    def has_token(self) -> bool:
        return bool(self.token)


def load_config(env: dict[str, str] | None = None, *, dotenv: bool = True) -> Config:
    """Read the configuration; invalid values raise InvalidArgument with the variable's name."""
    if env is None:
        if dotenv:
            from dotenv import load_dotenv

            load_dotenv(REPO / ".env", override=False)
        env = dict(os.environ)
    base_url = env.get("TELEGRAM_BASE_URL", "").strip()
    file_url = env.get("TELEGRAM_BASE_FILE_URL", "").strip()
    if base_url and not file_url:
        file_url = base_url.rstrip("/")
        file_url = file_url[: -len("/bot")] + "/file/bot" if file_url.endswith("/bot") else ""
    try:
        port = int(env.get("WEBHOOK_PORT", "8443"))
        interval = float(env.get("INBOX_INTERVAL", "300"))
        concurrency = int(env.get("CONCURRENT_UPDATES", str(Config.concurrent_updates)))
    except ValueError as exc:
        raise InvalidArgument(
            f"WEBHOOK_PORT/INBOX_INTERVAL/CONCURRENT_UPDATES 不是数字: {exc}"
        ) from exc
    if not 1 <= concurrency <= 256:
        raise InvalidArgument(f"CONCURRENT_UPDATES 应在 1 到 256 之间: {concurrency}")
    try:
        tz = parse_timezone(env.get("BRIEFINGS_TZ", "Asia/Shanghai"))
        catchup = parse_time(env.get("CATCHUP_UNTIL", "12:00"))
    except InvalidArgument as exc:
        raise InvalidArgument(f"BRIEFINGS_TZ/CATCHUP_UNTIL: {exc}") from exc
    return Config(
        token=env.get("TELEGRAM_BOT_TOKEN", "").strip(),
        base_url=base_url,
        base_file_url=file_url,
        webhook_url=env.get("WEBHOOK_URL", "").strip(),
        webhook_listen=env.get("WEBHOOK_LISTEN", "127.0.0.1").strip(),
        webhook_port=port,
        webhook_secret=env.get("WEBHOOK_SECRET", "").strip(),
        db_path=env.get("BRIEFINGS_DB", "").strip(),
        admin_ids=_ids(env.get("ADMIN_IDS", "")),
        timezone=tz,
        source=env.get("BRIEFINGS_SOURCE", "浙江日报").strip() or "浙江日报",
        inbox_dir=Path(env.get("INBOX_DIR", str(REPO / "data" / "inbox"))),
        inbox_interval=interval,
        catchup_until=catchup,
        concurrent_updates=concurrency,
        stale_after_hours=_hours(env.get("DELIVERY_STALE_HOURS", "0")),
    )


def _hours(text: str) -> float:
    """DELIVERY_STALE_HOURS: hours of retries after a delivery's first attempt (0 or empty:
    until the end of the chat's local day)."""
    try:
        hours = float(text.strip() or "0")
    except ValueError as exc:
        raise InvalidArgument(f"DELIVERY_STALE_HOURS 不是数字: {text!r}") from exc
    if not 0 <= hours <= 24 * 7:
        raise InvalidArgument(f"DELIVERY_STALE_HOURS 应在 0 到 168 之间: {text!r}")
    return hours


def quiet_token_logs() -> None:
    """Redact secrets from every record the root handlers get (``bot.redact``), and keep httpx's
    per-request INFO lines (a URL with the token each, redacted or not) out of the log."""
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    redact.install()
