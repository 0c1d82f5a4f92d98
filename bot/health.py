"""Liveness for supervisors (Docker's HEALTHCHECK, systemd, cron): a heartbeat file and its check.

The running bot touches ``<database>.alive`` every ``HEARTBEAT_SECONDS`` from its job queue, so a
bot whose event loop is stuck, or that has exited, stops touching it. ``python bot.py health``
reads its age and checks that the database opens read-only; it never creates either file.
"""

from __future__ import annotations

import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

HEARTBEAT_SECONDS = 60
STALE_AFTER_SECONDS = 3 * HEARTBEAT_SECONDS


def heartbeat_path(db: Path) -> Path:
    return db.with_name(db.name + ".alive")


def beat(db: Path) -> None:
    """Record that the bot is alive now (create or touch the heartbeat file, mode 0600)."""
    path = heartbeat_path(db)
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
    os.close(fd)
    os.utime(path)


@dataclass(frozen=True)
class Health:
    ok: bool
    message: str


def check(db: Path, *, now: float | None = None) -> Health:
    """Healthy when the database opens read-only and the heartbeat is fresh."""
    if not db.is_file():
        return Health(False, f"数据库不存在: {db}")
    try:
        conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return Health(False, f"数据库无法读取: {exc}")
    hb = heartbeat_path(db)
    if not hb.exists():
        return Health(False, f"没有心跳文件 {hb} (bot 没有在运行?)")
    age = (time.time() if now is None else now) - hb.stat().st_mtime
    if age > STALE_AFTER_SECONDS:
        return Health(False, f"心跳已 {age:.0f} 秒未更新 (上限 {STALE_AFTER_SECONDS} 秒)")
    return Health(True, f"正常: 心跳 {age:.0f} 秒前")
