"""Backups while the bot runs (`bot.py backup`) and the liveness check (`bot.py health`)."""

from __future__ import annotations

import importlib.util
import os
import sqlite3
import stat
import threading
import time
from pathlib import Path

import pytest

from bot import health
from briefings.backup import backup_database
from briefings.errors import InputError, InvalidArgument
from briefings.store import Store

REPO = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("bot_cli_backup", REPO / "bot.py")
assert _spec is not None
assert _spec.loader is not None
cli = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cli)


def _counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        return {
            t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("documents", "articles", "figures", "mentions")
        }
    finally:
        conn.close()


def test_backup_copies_every_row_and_checks_integrity(bot_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "copy.db"
    report = backup_database(bot_db, out)
    assert report.integrity == "ok"
    assert _counts(out) == _counts(bot_db)
    assert report.counts["articles"] == _counts(bot_db)["articles"] > 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600, "a backup holds chat ids: owner only"
    # The copy is one self-contained file that opens on its own, FTS included.
    conn = sqlite3.connect(out)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    hits = conn.execute("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH '缙云'")
    assert hits.fetchone()[0] > 0
    conn.close()


def test_backup_while_a_writer_commits_is_one_consistent_snapshot(
    bot_db: Path, tmp_path: Path
) -> None:
    """Rows committed during the backup are either all in the copy or all missing."""
    stop = threading.Event()
    written = []

    def writer() -> None:
        conn = sqlite3.connect(bot_db, timeout=30)
        n = 0
        while not stop.is_set():
            with conn:
                conn.execute(
                    "INSERT INTO chats (chat_id, created_at, updated_at) VALUES (?, 'x', 'x')",
                    (10_000 + n,),
                )
            written.append(n)
            n += 1
        conn.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while len(written) < 5 and thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(written) >= 5, "the writer must be committing while the backups run"
        reports = [backup_database(bot_db, tmp_path / f"b{i}.db") for i in range(3)]
    finally:
        stop.set()
        thread.join()
    for r in reports:
        conn = sqlite3.connect(r.destination)
        ids = [row[0] for row in conn.execute("SELECT chat_id FROM chats WHERE chat_id >= 10000")]
        conn.close()
        assert ids == list(range(10_000, 10_000 + len(ids))), "no gaps: one snapshot"
        assert r.counts["chats"] == len(ids) + _base_chats(bot_db)


def _base_chats(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT count(*) FROM chats WHERE chat_id < 10000").fetchone()[0]
    finally:
        conn.close()


def test_backup_refuses_to_overwrite_or_copy_onto_itself(bot_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "copy.db"
    out.write_bytes(b"precious")
    with pytest.raises(InvalidArgument, match="--force"):
        backup_database(bot_db, out)
    assert out.read_bytes() == b"precious"
    with pytest.raises(InvalidArgument):
        backup_database(bot_db, bot_db)
    backup_database(bot_db, out, force=True)
    assert _counts(out) == _counts(bot_db)


def test_backup_of_a_file_that_is_not_a_database_leaves_nothing(tmp_path: Path) -> None:
    src = tmp_path / "junk.db"
    src.write_bytes(os.urandom(8192))
    out = tmp_path / "copy.db"
    with pytest.raises(InputError):
        backup_database(src, out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["junk.db"]


def test_backup_of_a_missing_database_creates_nothing(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="不存在"):
        backup_database(tmp_path / "none.db", tmp_path / "copy.db")
    assert list(tmp_path.iterdir()) == []


def test_cli_backup_prints_one_line_and_exits_non_zero_on_error(
    bot_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "c.db"
    assert cli.main(["--db", str(bot_db), "backup", str(out)]) == 0
    assert "完整性检查: ok" in capsys.readouterr().out
    assert cli.main(["--db", str(bot_db), "backup", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "已存在" in err


def test_health_needs_a_fresh_heartbeat_and_never_creates_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "h.db"
    assert cli.main(["--db", str(db), "health"]) == 1
    assert not db.exists(), "a health check must not create the database"
    Store.open(db).close()
    assert not health.check(db).ok, "no heartbeat: the bot is not running"
    health.beat(db)
    assert health.check(db).ok
    assert cli.main(["--db", str(db), "health"]) == 0
    stale = time.time() - health.STALE_AFTER_SECONDS - 5
    os.utime(health.heartbeat_path(db), (stale, stale))
    result = health.check(db)
    assert not result.ok
    assert "心跳" in result.message
    capsys.readouterr()


async def test_running_bot_touches_its_heartbeat(harness) -> None:
    """The real Application beats at start-up and its repeating job beats again."""
    path = health.heartbeat_path(harness.rt.store.path)
    assert health.check(harness.rt.store.path).ok
    path.unlink()
    [job] = [j for j in harness.app.job_queue.jobs() if j.name == "heartbeat"]
    assert job.job.trigger.interval.total_seconds() == health.HEARTBEAT_SECONDS
    await job.run(harness.app)
    assert health.check(harness.rt.store.path).ok
