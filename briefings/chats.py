"""Chat preferences: subscriptions, delivery time and timezone, topics, county follows, language.

One row per chat in ``chats``; follows in ``follows``. Rows are never deleted when a chat blocks
the bot: ``active`` goes to 0 and everything else is kept, so unblocking resumes as before.
A table module: every function takes a ``sqlite3.Connection`` and commits its own change; call
them through ``Store.run`` (or inside the store's lock or transaction, see briefings/store.py).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from briefings.errors import InvalidArgument
from briefings.i18n import AUTO, LANGUAGES, N_, Text, normalize_language, reader_language
from briefings.localtime import clock_time, local_now, parse_clock
from briefings.migrations import now_iso, transaction
from briefings.models import DEFAULT_TOPICS, TOPICS
from briefings.normalize import nfkc

DEFAULT_TIME = "07:30"
DEFAULT_TZ = "Asia/Shanghai"


@dataclass(frozen=True)
class ChatPrefs:
    """Everything the bot knows about one chat's briefing preferences."""

    chat_id: int
    type: str = "private"
    title: str = ""
    subscribed: bool = False
    active: bool = True
    time: str = DEFAULT_TIME
    tz: str = DEFAULT_TZ
    topics: tuple[str, ...] = DEFAULT_TOPICS
    thread_id: int | None = None
    follows: tuple[str, ...] = ()
    lang: str = AUTO  # the chat's /language choice; AUTO follows each reader's Telegram language
    seen_lang: str = ""  # the language of the last reader who wrote in the chat

    @property
    def is_group(self) -> bool:
        return self.type in ("group", "supergroup")

    @property
    def language(self) -> str:
        """What the chat is written to when nobody is asking (the scheduled digest): its choice,
        else the language last seen in it, else Chinese."""
        return reader_language(self.lang, None, self.seen_lang)


TIME_FORMS = N_("可以写 07:30、7点半、早上7点 或 晚上8点")
TIME_UNREADABLE = N_("看不懂这个时间：{text}。{forms}。")
TIME_OUT_OF_RANGE = N_("时间超出范围：小时 0–23，分钟 0–59。{forms}。")
UNKNOWN_TIMEZONE = N_("未知时区：{name}。请用 IANA 名称，例如 Asia/Shanghai 或 Europe/London。")
UNKNOWN_TOPIC = N_("未知栏目：{key}")
TOO_MANY_FOLLOWS = N_("最多关注 {n} 个地区。")
UNKNOWN_LANGUAGE = N_(
    "不支持这种语言：{text}。可选：中文（zh）、English（en）、auto（跟随 Telegram）。"
)


def parse_time(text: str) -> str:
    """A local time of day as people type it (``localtime.parse_clock``: 7:30, 0730, 7点半,
    早上7点, 晚上8点 …) → HH:MM; InvalidArgument saying which forms work otherwise."""
    found = parse_clock(text)
    if found is None:
        shown = " ".join((text or "").split())[:20]
        raise InvalidArgument(TIME_UNREADABLE, text=f"“{shown}”", forms=Text(TIME_FORMS))
    hour, minute = found
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise InvalidArgument(TIME_OUT_OF_RANGE, forms=Text(TIME_FORMS))
    return f"{hour:02d}:{minute:02d}"


_TZ_ALIASES = {
    "北京": "Asia/Shanghai",
    "上海": "Asia/Shanghai",
    "中国": "Asia/Shanghai",
    "香港": "Asia/Hong_Kong",
    "台北": "Asia/Taipei",
    "东京": "Asia/Tokyo",
    "新加坡": "Asia/Singapore",
    "伦敦": "Europe/London",
    "纽约": "America/New_York",
    "utc": "UTC",
}


def parse_timezone(text: str) -> str:
    """Validate an IANA timezone name (Asia/Shanghai, europe/london) or a common Chinese alias."""
    raw = nfkc(text or "").strip()
    if raw.lower() in _TZ_ALIASES or raw in _TZ_ALIASES:
        return _TZ_ALIASES.get(raw, _TZ_ALIASES.get(raw.lower(), raw))
    by_lower = {name.lower(): name for name in available_timezones()}
    name = by_lower.get(raw.lower())
    if not name:
        raise InvalidArgument(UNKNOWN_TIMEZONE, name=raw[:40])
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidArgument(UNKNOWN_TIMEZONE, name=raw[:40]) from exc
    return name


def parse_language(text: str) -> str:
    """``/language`` text (en, English, 中文, auto …) → a language of LANGUAGES or AUTO."""
    lang = normalize_language(text or "")
    if lang is None:
        raise InvalidArgument(UNKNOWN_LANGUAGE, text=" ".join((text or "").split())[:20])
    return lang


def _row_to_prefs(row: sqlite3.Row | tuple, follows: tuple[str, ...]) -> ChatPrefs:
    chat_id, type_, title, subscribed, active, time, tz, topics, thread_id, lang, seen = row
    try:
        topic_list = tuple(t for t in json.loads(topics) if t in TOPICS)
    except (ValueError, TypeError):
        topic_list = DEFAULT_TOPICS
    return ChatPrefs(
        chat_id=chat_id,
        type=type_,
        title=title,
        subscribed=bool(subscribed),
        active=bool(active),
        time=time,
        tz=tz,
        topics=topic_list,
        thread_id=thread_id,
        follows=follows,
        lang=lang if lang in LANGUAGES else AUTO,
        seen_lang=seen if seen in LANGUAGES else "",
    )


_COLUMNS = "chat_id, type, title, subscribed, active, time, tz, topics, thread_id, lang, seen_lang"


def get_chat(conn: sqlite3.Connection, chat_id: int) -> ChatPrefs | None:
    """The chat's preferences, or None if the bot has never stored anything for it."""
    row = conn.execute(f"SELECT {_COLUMNS} FROM chats WHERE chat_id = ?", (chat_id,)).fetchone()
    if row is None:
        return None
    return _row_to_prefs(row, follows(conn, chat_id))


def ensure_chat(
    conn: sqlite3.Connection,
    chat_id: int,
    type_: str = "private",
    title: str = "",
    seen_lang: str = "",
) -> ChatPrefs:
    """Create the chat's row with defaults if missing; refresh its type and title (and the
    language last seen in it, when given) otherwise."""
    now = now_iso()
    seen = seen_lang if seen_lang in LANGUAGES else ""
    with transaction(conn):
        conn.execute(
            "INSERT INTO chats (chat_id, type, title, seen_lang, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(chat_id) DO UPDATE SET type = excluded.type,"
            " title = CASE WHEN excluded.title != '' THEN excluded.title ELSE chats.title END,"
            " seen_lang = CASE WHEN excluded.seen_lang != '' THEN excluded.seen_lang"
            " ELSE chats.seen_lang END",
            (chat_id, type_, title, seen, now, now),
        )
    prefs = get_chat(conn, chat_id)
    assert prefs is not None
    return prefs


def _update(conn: sqlite3.Connection, chat_id: int, **values: object) -> ChatPrefs:
    ensure_chat_exists = conn.execute("SELECT 1 FROM chats WHERE chat_id = ?", (chat_id,))
    if ensure_chat_exists.fetchone() is None:
        ensure_chat(conn, chat_id)
    sets = ", ".join(f"{k} = ?" for k in values)
    with transaction(conn):
        conn.execute(
            f"UPDATE chats SET {sets}, updated_at = ? WHERE chat_id = ?",
            (*values.values(), now_iso(), chat_id),
        )
    prefs = get_chat(conn, chat_id)
    assert prefs is not None
    return prefs


def subscribe(
    conn: sqlite3.Connection,
    chat_id: int,
    *,
    time: str | None = None,
    thread_id: int | None = None,
) -> ChatPrefs:
    """Turn the daily briefing on (optionally at a new time, into a forum topic)."""
    values: dict[str, object] = {"subscribed": 1, "active": 1, "thread_id": thread_id}
    if time is not None:
        values["time"] = parse_time(time)
    return _update(conn, chat_id, **values)


def unsubscribe(conn: sqlite3.Connection, chat_id: int) -> ChatPrefs:
    return _update(conn, chat_id, subscribed=0)


def set_time(conn: sqlite3.Connection, chat_id: int, text: str) -> ChatPrefs:
    return _update(conn, chat_id, time=parse_time(text))


def set_timezone(conn: sqlite3.Connection, chat_id: int, text: str) -> ChatPrefs:
    return _update(conn, chat_id, tz=parse_timezone(text))


def set_language(conn: sqlite3.Connection, chat_id: int, text: str) -> ChatPrefs:
    """The chat's interface language (``parse_language``: en, 中文, auto …)."""
    return _update(conn, chat_id, lang=parse_language(text))


def language_of(conn: sqlite3.Connection, chat_id: int) -> tuple[str, str]:
    """(the chat's /language choice, the language last seen in it); ('', '') for a new chat."""
    row = conn.execute(
        "SELECT lang, seen_lang FROM chats WHERE chat_id = ?", (chat_id,)
    ).fetchone()
    if row is None:
        return AUTO, ""
    lang, seen = row
    return (lang if lang in LANGUAGES else AUTO), (seen if seen in LANGUAGES else "")


def note_language(conn: sqlite3.Connection, chat_id: int, lang: str) -> bool:
    """Remember ``lang`` as the language last seen in a chat the bot stores; True if it changed.

    A chat with no row yet keeps nothing (``ensure_chat`` records it when the row is made)."""
    if lang not in LANGUAGES:
        return False
    with transaction(conn):
        cur = conn.execute(
            "UPDATE chats SET seen_lang = ? WHERE chat_id = ? AND seen_lang != ?",
            (lang, chat_id, lang),
        )
    return cur.rowcount > 0


def set_active(conn: sqlite3.Connection, chat_id: int, active: bool) -> ChatPrefs:
    """Forbidden (blocked, kicked) sets inactive; /start or unblocking sets active again."""
    return _update(conn, chat_id, active=int(active))


def set_topics(conn: sqlite3.Connection, chat_id: int, topics: tuple[str, ...]) -> ChatPrefs:
    clean = tuple(t for t in TOPICS if t in topics)
    return _update(conn, chat_id, topics=json.dumps(clean))


def toggle_topic(conn: sqlite3.Connection, chat_id: int, topic: str) -> ChatPrefs:
    """Add or remove one section of the briefing; unknown topic keys are an InvalidArgument."""
    if topic not in TOPICS:
        raise InvalidArgument(UNKNOWN_TOPIC, key=topic[:20])
    current = (get_chat(conn, chat_id) or ensure_chat(conn, chat_id)).topics
    new = tuple(t for t in current if t != topic) if topic in current else (*current, topic)
    return set_topics(conn, chat_id, new)


def follows(conn: sqlite3.Connection, chat_id: int) -> tuple[str, ...]:
    rows = conn.execute(
        "SELECT adcode FROM follows WHERE chat_id = ? ORDER BY created_at, adcode", (chat_id,)
    ).fetchall()
    return tuple(r[0] for r in rows)


MAX_FOLLOWS = 50


def follow(conn: sqlite3.Connection, chat_id: int, adcode: str) -> bool:
    """Follow a region; False if it was already followed. At most MAX_FOLLOWS per chat."""
    ensure = get_chat(conn, chat_id) or ensure_chat(conn, chat_id)
    if adcode in ensure.follows:
        return False
    if len(ensure.follows) >= MAX_FOLLOWS:
        raise InvalidArgument(TOO_MANY_FOLLOWS, n=MAX_FOLLOWS)
    with transaction(conn):
        conn.execute(
            "INSERT OR IGNORE INTO follows (chat_id, adcode, created_at) VALUES (?, ?, ?)",
            (chat_id, adcode, now_iso()),
        )
    return True


def unfollow(conn: sqlite3.Connection, chat_id: int, adcode: str) -> bool:
    """Stop following a region; False if it was not followed."""
    with transaction(conn):
        cur = conn.execute(
            "DELETE FROM follows WHERE chat_id = ? AND adcode = ?", (chat_id, adcode)
        )
    return cur.rowcount > 0


def migrate_chat(conn: sqlite3.Connection, old_id: int, new_id: int) -> ChatPrefs | None:
    """Move a group's preferences, follows and delivery history to its new supergroup id.

    Telegram gives a supergroup a new chat id; without this the subscription would be lost.
    """
    with transaction(conn):
        # Follows reference chats(chat_id): let the rename and its children settle before the
        # foreign keys are checked at COMMIT.
        conn.execute("PRAGMA defer_foreign_keys = ON")
        if conn.execute("SELECT 1 FROM chats WHERE chat_id = ?", (old_id,)).fetchone() is None:
            return get_chat(conn, new_id)
        conn.execute("DELETE FROM chats WHERE chat_id = ?", (new_id,))
        conn.execute(
            "UPDATE chats SET chat_id = ?, type = 'supergroup', updated_at = ? WHERE chat_id = ?",
            (new_id, now_iso(), old_id),
        )
        conn.execute("UPDATE OR IGNORE follows SET chat_id = ? WHERE chat_id = ?", (new_id, old_id))
        conn.execute("DELETE FROM follows WHERE chat_id = ?", (old_id,))
        conn.execute(
            "UPDATE OR IGNORE deliveries SET chat_id = ? WHERE chat_id = ?", (new_id, old_id)
        )
        conn.execute(
            "UPDATE OR IGNORE sent_items SET chat_id = ? WHERE chat_id = ?", (new_id, old_id)
        )
    return get_chat(conn, new_id)


def subscribers(conn: sqlite3.Connection, *, include_inactive: bool = False) -> list[ChatPrefs]:
    """Chats that receive the briefing (active ones only unless asked).

    The offline console's chat is never one: it has no Telegram chat to send to.
    """
    where = "subscribed = 1 AND type != 'console'" + ("" if include_inactive else " AND active = 1")
    rows = conn.execute(f"SELECT {_COLUMNS} FROM chats WHERE {where} ORDER BY chat_id").fetchall()
    all_follows: dict[int, list[str]] = {}
    for chat_id, adcode in conn.execute(
        "SELECT chat_id, adcode FROM follows ORDER BY created_at, adcode"
    ):
        all_follows.setdefault(chat_id, []).append(adcode)
    return [_row_to_prefs(r, tuple(all_follows.get(r[0], ()))) for r in rows]


def next_delivery(prefs: Iterable[ChatPrefs], now: datetime) -> datetime | None:
    """The earliest moment after ``now`` (aware) at which one of these chats gets its briefing,
    in that chat's own time zone; None when there are none."""
    times = []
    for p in prefs:
        local, at_time = local_now(now, p.tz), clock_time(p.time)
        at = datetime.combine(local.date(), at_time, local.tzinfo)
        if at <= local:
            at = datetime.combine(local.date() + timedelta(days=1), at_time, local.tzinfo)
        times.append(at)
    return min(times, default=None)
