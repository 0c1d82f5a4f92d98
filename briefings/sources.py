"""The ``sources`` table: feeds to poll, managed from the CLI, by bot admins, or seeded from
``sources.toml``; and when each one is due (its interval, or exponential backoff after failures).

Functions take the sqlite3 connection, like ``briefings.chats``. A removed source is kept as a
hidden row, so that ``sources.toml`` does not bring it back at the next start and the items read
from it keep their provenance; adding its URL again brings it back.
"""

from __future__ import annotations

import sqlite3
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from briefings.errors import InvalidArgument
from briefings.i18n import N_
from briefings.migrations import now_iso, transaction

MAX_URL = 2000
MAX_NAME = 60
# A source polled a little before its next_poll is still due: jobs fire on the minute, polls
# start a few milliseconds after.
DUE_SLACK = timedelta(seconds=60)

_COLUMNS = (
    "id, url, name, kind, source, enabled, origin, last_status, etag, last_modified, "
    "last_checked, last_success, failures, next_poll, items"
)


@dataclass(frozen=True)
class Source:
    """One row of ``sources`` (removed rows are never returned)."""

    id: int
    url: str
    name: str = ""
    kind: str = ""
    source: str = ""
    enabled: bool = True
    origin: str = "cli"
    last_status: str = ""
    etag: str = ""
    last_modified: str = ""
    last_checked: str = ""
    last_success: str = ""
    failures: int = 0
    next_poll: str = ""
    items: int = 0

    @property
    def host(self) -> str:
        return (urlsplit(self.url).hostname or "").lower()

    @property
    def label(self) -> str:
        """How operators see it: its name, else its host."""
        return self.name or self.host or self.url

    @property
    def ok(self) -> bool:
        return self.failures == 0


def _row(row: Sequence) -> Source:
    values = list(row)
    values[5] = bool(values[5])
    return Source(*values)


def iso(moment: datetime) -> str:
    """UTC ISO text, seconds precision: the one format stored, so text order is time order."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


# Shown to operators (CLI) and to the bot's admins (/sources, in their language).
MISSING_URL = N_("缺少订阅源地址 (missing feed URL)")
INVALID_URL = N_("订阅源地址无效 (not a valid URL)")
INVALID_URL_SHOWN = N_("订阅源地址无效 (not a valid URL): {url}")
NOT_HTTP = N_("订阅源地址应以 http:// 或 https:// 开头 (not an http(s) URL): {url}")
MISSING_REF = N_("请给出订阅源编号或地址 (give a source id or URL)")
NO_SUCH_SOURCE = N_("没有这个订阅源 (no such source): {ref}")


def check_url(url: str) -> str:
    """A feed URL as stored: http(s), with a host, no spaces; raises InvalidArgument otherwise."""
    url = url.strip()
    if not url:
        raise InvalidArgument(MISSING_URL)
    if len(url) > MAX_URL or any(c.isspace() or ord(c) < 32 for c in url):
        raise InvalidArgument(INVALID_URL)
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises ValueError for a port that is not a number or out of range
    except ValueError:
        raise InvalidArgument(INVALID_URL_SHOWN, url=url[:80]) from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise InvalidArgument(NOT_HTTP, url=url[:80])
    return url


def _clean_name(value: str | None) -> str:
    return " ".join((value or "").split())[:MAX_NAME]


def list_sources(conn: sqlite3.Connection) -> list[Source]:
    """Every source not removed, oldest first."""
    rows = conn.execute(f"SELECT {_COLUMNS} FROM sources WHERE removed = 0 ORDER BY id").fetchall()
    return [_row(r) for r in rows]


def get_source(conn: sqlite3.Connection, source_id: int) -> Source | None:
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM sources WHERE id = ? AND removed = 0", (source_id,)
    ).fetchone()
    return _row(row) if row else None


def find_source(conn: sqlite3.Connection, ref: str) -> Source:
    """A source by id (``3`` or ``#3``) or by URL; raises InvalidArgument if there is none."""
    ref = ref.strip()
    if not ref:
        raise InvalidArgument(MISSING_REF)
    digits = ref.removeprefix("#")
    if digits.isascii() and digits.isdigit() and len(digits) <= 12:
        found = get_source(conn, int(digits))
    else:
        row = conn.execute(
            f"SELECT {_COLUMNS} FROM sources WHERE url = ? AND removed = 0", (ref,)
        ).fetchone()
        found = _row(row) if row else None
    if found is None:
        raise InvalidArgument(NO_SUCH_SOURCE, ref=ref[:80])
    return found


def add_source(
    conn: sqlite3.Connection,
    url: str,
    *,
    name: str | None = None,
    source: str | None = None,
    origin: str = "cli",
) -> tuple[Source, bool]:
    """Add a feed (due at once); (source, True) if added or brought back, (existing, False) if
    the URL is already listed."""
    url = check_url(url)
    now = now_iso()
    with transaction(conn):
        row = conn.execute("SELECT id, removed FROM sources WHERE url = ?", (url,)).fetchone()
        if row and not row[1]:
            existing = get_source(conn, row[0])
            assert existing is not None
            return existing, False
        fields = {
            "name": _clean_name(name),
            "source": _clean_name(source),
            "origin": origin,
            "updated_at": now,
        }
        if row:
            conn.execute(
                "UPDATE sources SET removed = 0, enabled = 1, name = :name, source = :source, "
                "origin = :origin, failures = 0, next_poll = '', updated_at = :updated_at "
                "WHERE id = :id",
                fields | {"id": row[0]},
            )
            source_id = row[0]
        else:
            cur = conn.execute(
                "INSERT INTO sources (url, name, source, origin, created_at, updated_at) "
                "VALUES (:url, :name, :source, :origin, :updated_at, :updated_at)",
                fields | {"url": url},
            )
            source_id = cur.lastrowid
    added = get_source(conn, int(source_id or 0))
    assert added is not None
    return added, True


def remove_source(conn: sqlite3.Connection, ref: str) -> Source:
    """Remove a source (kept hidden, see the module docstring); returns what it was."""
    found = find_source(conn, ref)
    with transaction(conn):
        conn.execute(
            "UPDATE sources SET removed = 1, enabled = 0, updated_at = ? WHERE id = ?",
            (now_iso(), found.id),
        )
    return found


def set_enabled(conn: sqlite3.Connection, ref: str, enabled: bool) -> Source:
    """Enable (due at once, failures forgotten) or disable a source."""
    found = find_source(conn, ref)
    with transaction(conn):
        if enabled:
            conn.execute(
                "UPDATE sources SET enabled = 1, failures = 0, next_poll = '', updated_at = ? "
                "WHERE id = ?",
                (now_iso(), found.id),
            )
        else:
            conn.execute(
                "UPDATE sources SET enabled = 0, updated_at = ? WHERE id = ?",
                (now_iso(), found.id),
            )
    changed = get_source(conn, found.id)
    assert changed is not None
    return changed


def due_sources(conn: sqlite3.Connection, now: datetime) -> list[Source]:
    """Enabled sources whose next poll has come (within DUE_SLACK)."""
    limit = iso(now + DUE_SLACK)
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM sources WHERE removed = 0 AND enabled = 1 "
        "AND (next_poll = '' OR next_poll <= ?) ORDER BY id",
        (limit,),
    ).fetchall()
    return [_row(r) for r in rows]


def enabled_sources(conn: sqlite3.Connection) -> list[Source]:
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM sources WHERE removed = 0 AND enabled = 1 ORDER BY id"
    ).fetchall()
    return [_row(r) for r in rows]


def backoff(failures: int, interval: float, cap: float) -> float:
    """Seconds to wait after ``failures`` consecutive failures: the interval, doubled for each
    further failure, at most ``cap`` (never less than the interval)."""
    if failures <= 0:
        return interval
    return min(interval * 2 ** min(failures - 1, 30), max(cap, interval))


# ---- sources.toml ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SeedReport:
    added: list[Source]
    problems: list[str]


def seed_from_toml(conn: sqlite3.Connection, path: Path) -> SeedReport:
    """Add the ``[[source]]`` entries of a sources.toml that the table has never seen.

    A missing file is no error (the file is optional). A file that does not parse, or an entry
    without a valid ``url``, is reported in ``problems`` and the rest still goes in.
    """
    if not path.is_file():
        return SeedReport([], [])
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeError, tomllib.TOMLDecodeError) as exc:
        return SeedReport([], [f"{path}: {exc}"])
    entries = data.get("source", [])
    if not isinstance(entries, list):
        return SeedReport([], [f"{path}: [[source]] 应为表数组 (must be an array of tables)"])
    added: list[Source] = []
    problems: list[str] = []
    for n, entry in enumerate(entries, 1):
        if not isinstance(entry, dict) or not isinstance(entry.get("url"), str):
            problems.append(f"{path}: source {n}: 缺少 url (no url)")
            continue
        try:
            url = check_url(entry["url"])
        except InvalidArgument as exc:
            problems.append(f"{path}: source {n}: {exc}")
            continue
        if conn.execute("SELECT 1 FROM sources WHERE url = ?", (url,)).fetchone():
            continue  # known, perhaps changed or removed by an operator since: theirs to keep
        name, paper = entry.get("name"), entry.get("source")
        source, _ = add_source(
            conn,
            url,
            name=name if isinstance(name, str) else None,
            source=paper if isinstance(paper, str) else None,
            origin="toml",
        )
        if entry.get("enabled") is False:
            source = set_enabled(conn, str(source.id), False)
        added.append(source)
    return SeedReport(added, problems)


# ---- display ---------------------------------------------------------------------------------


def local_time(stamp: str, tz: str) -> str:
    """A stored UTC stamp as local ``MM-DD HH:MM`` ("—" if never)."""
    if not stamp:
        return "—"
    from zoneinfo import ZoneInfo

    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    return moment.astimezone(ZoneInfo(tz)).strftime("%m-%d %H:%M")


def describe(source: Source, tz: str) -> list[str]:
    """Two lines for ``sources list``: what it is, then how its last poll went and when next."""
    state = "启用" if source.enabled else "停用"
    paper = f" → {source.source}" if source.source else ""
    head = f"#{source.id} [{state}] {source.label}{paper} <{source.url}>"
    if source.kind:
        head += f" ({source.kind})"
    status = source.last_status or "尚未抓取 (not polled yet)"
    nxt = local_time(source.next_poll, tz) if source.enabled else "—"
    tail = (
        f"    上次 {local_time(source.last_checked, tz)}: {status} · "
        f"上次成功 {local_time(source.last_success, tz)} · 连续失败 {source.failures} · "
        f"下次 {nxt} · 已收 {source.items} 条"
    )
    return [head, tail]
