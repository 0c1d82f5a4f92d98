"""Consistent copies of the store while the bot runs, verified before they count as backups.

SQLite's online backup API copies pages from one read snapshot, so writers (ingest, the delivery
ledger) are never blocked for long and never see a half-copied file. The copy goes to a temporary
file beside the destination and is renamed into place only after ``integrity_check`` passes and
its row counts equal those read in the same snapshot, so a failed backup never leaves a file that
looks like a good one.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from briefings.errors import InputError, InvalidArgument

# Tables whose row counts are compared between the source snapshot and the copy. Tables added by
# later migrations are counted too when present; these are the ones every store has.
CORE_TABLES = ("documents", "articles", "figures", "mentions", "chats", "deliveries")


@dataclass(frozen=True)
class BackupReport:
    """What was copied: destination, size in bytes, rows per table, SQLite's integrity verdict."""

    source: Path
    destination: Path
    size: int
    counts: dict[str, int] = field(default_factory=dict)
    integrity: str = "ok"

    def summary(self) -> str:
        rows = ", ".join(f"{t} {n}" for t, n in self.counts.items())
        return (
            f"已备份 {self.source} → {self.destination} ({self.size / 1e6:.1f} MB); "
            f"完整性检查: {self.integrity}; {rows}"
        )


def _tables(conn: sqlite3.Connection) -> list[str]:
    """Ordinary tables to count; FTS tables and their shadow tables are left out."""
    rows = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " ORDER BY name"
    ).fetchall()
    virtual = [n for n, sql in rows if (sql or "").upper().startswith("CREATE VIRTUAL")]
    return [
        n for n, _ in rows if n not in virtual and not any(n.startswith(f"{v}_") for v in virtual)
    ]


def _counts(conn: sqlite3.Connection, tables: list[str]) -> dict[str, int]:
    return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def backup_database(
    source: str | Path, destination: str | Path, *, force: bool = False
) -> BackupReport:
    """Copy ``source`` to ``destination`` from one snapshot, verify it, then move it into place.

    Raises InputError when the source is missing or not a database, InvalidArgument when the
    destination is the source itself or exists (unless ``force``).
    """
    src = Path(source)
    dest = Path(destination)
    if not src.is_file():
        raise InputError(f"数据库不存在: {src}")
    if dest.exists() and dest.resolve() == src.resolve():
        raise InvalidArgument("备份文件不能是数据库本身")
    if dest.exists() and not force:
        raise InvalidArgument(f"{dest} 已存在 (用 --force 覆盖)")
    if not dest.parent.is_dir():
        raise InvalidArgument(f"文件夹不存在: {dest.parent}")
    tmp = dest.with_name(f".{dest.name}.partial")
    # Read-only URI: a backup must never create or migrate the database it copies.
    src_conn = sqlite3.connect(f"{src.resolve().as_uri()}?mode=ro", uri=True)
    try:
        try:
            src_conn.execute("BEGIN")  # one read snapshot for the counts and the copy
            tables = _tables(src_conn)
            counts = _counts(src_conn, tables)
        except sqlite3.DatabaseError as exc:
            raise InputError(f"{src} 不是可读的 SQLite 数据库: {exc}") from exc
        tmp.unlink(missing_ok=True)
        fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
        os.close(fd)
        dst_conn = sqlite3.connect(tmp)
        try:
            src_conn.backup(dst_conn)
            src_conn.rollback()
            dst_conn.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
            integrity = dst_conn.execute("PRAGMA integrity_check").fetchone()[0]
            copied = _counts(dst_conn, tables)
        finally:
            dst_conn.close()
        if integrity != "ok" or copied != counts:
            raise InputError(f"备份校验失败: integrity_check={integrity}, 行数 {copied} ≠ {counts}")
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, dest)
    finally:
        src_conn.close()
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    shown = {t: n for t, n in counts.items() if t in CORE_TABLES} or counts
    return BackupReport(src, dest, dest.stat().st_size, shown, integrity)
