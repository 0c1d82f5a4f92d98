"""One deliverer at a time per database: a lease row in SQLite with owner, heartbeat and expiry.

Two processes delivering at once could both claim an interrupted row and send it twice, so the
running bot and ``python bot.py push`` take this lock around every delivery pass. The holder
renews it (a heartbeat) well within ``ttl``; a holder that stops renewing (killed, hung) loses it
when it expires, and at once if it ran on this host and its process is gone. Times are wall-clock
UTC, passed in by the caller.
"""

from __future__ import annotations

import os
import socket
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from briefings.ledger import utc_iso
from briefings.migrations import transaction

NAME = "delivery"
_COLUMNS = "owner, kind, pid, host, acquired_at, heartbeat_at, expires_at"


@dataclass(frozen=True)
class Holder:
    """Who holds the delivery lock, as stored."""

    owner: str
    kind: str
    pid: int
    host: str
    acquired_at: str
    heartbeat_at: str
    expires_at: str

    def describe(self) -> str:
        """One line for operators: ``push (pid 4242 on host-a, since 07:30:02Z)``."""
        since = self.acquired_at[11:19] or self.acquired_at
        return f"{self.kind} (pid {self.pid} on {self.host}, since {since}Z)"


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists on this host."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    except OSError:
        return False
    return True


def holder(conn: sqlite3.Connection) -> Holder | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM delivery_lock WHERE name = ?", (NAME,)).fetchone()
    return Holder(*row) if row else None


def _gone(current: Holder, now: datetime, alive: Callable[[int], bool]) -> bool:
    """The holder can be replaced: its lease expired, or its process on this host has died."""
    if current.expires_at <= utc_iso(now):
        return True
    same_host = current.host == socket.gethostname()
    return same_host and current.pid != os.getpid() and not alive(current.pid)


def acquire(
    conn: sqlite3.Connection,
    owner: str,
    kind: str,
    *,
    now: datetime,
    ttl: float,
    alive: Callable[[int], bool] = pid_alive,
) -> Holder:
    """Take the lock for ``owner`` if it is free, expired, or already ``owner``'s.

    Returns the holder after the attempt: ``owner`` itself on success, else whoever has it.
    """
    expires = utc_iso(now + timedelta(seconds=ttl))
    stamp = utc_iso(now)
    with transaction(conn):
        current = holder(conn)
        if current is not None and current.owner != owner and not _gone(current, now, alive):
            return current
        acquired = current.acquired_at if current is not None and current.owner == owner else stamp
        conn.execute(
            f"INSERT OR REPLACE INTO delivery_lock (name, {_COLUMNS})"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (NAME, owner, kind, os.getpid(), socket.gethostname(), acquired, stamp, expires),
        )
        result = holder(conn)
    assert result is not None
    return result


def heartbeat(conn: sqlite3.Connection, owner: str, *, now: datetime, ttl: float) -> bool:
    """Extend ``owner``'s lease; False if it no longer holds the lock."""
    with transaction(conn):
        cur = conn.execute(
            "UPDATE delivery_lock SET heartbeat_at = ?, expires_at = ?"
            " WHERE name = ? AND owner = ?",
            (utc_iso(now), utc_iso(now + timedelta(seconds=ttl)), NAME, owner),
        )
    return cur.rowcount > 0


def release(conn: sqlite3.Connection, owner: str) -> None:
    """Give the lock up (only ``owner``'s own)."""
    with transaction(conn):
        conn.execute("DELETE FROM delivery_lock WHERE name = ? AND owner = ?", (NAME, owner))
