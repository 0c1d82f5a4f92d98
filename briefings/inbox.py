"""The inbox: a folder where pages arrive by themselves (a crawler, a sync job, a person), and
the service that ingests what is in it.

Every entry ends up somewhere: ingested files move to ``done/``; anything that cannot be
ingested (an unreadable or oversized file, bad JSON, a FIFO, a folder, a broken link, a crash in
the analysis) moves to ``failed/`` with a ``.error.txt`` beside it giving the reason, so no
entry is retried forever and none blocks the ones after it. Hidden entries and partial
downloads (``.part``, ``.tmp`` …) are left alone until they are renamed into place.

Blocking and pure domain logic (files and the store): the bot runs it on its SQLite thread.
"""

from __future__ import annotations

import logging
import os
import shutil
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefings import ledger
from briefings.files import display_name, special_kind

log = logging.getLogger(__name__)

DONE = "done"
FAILED = "failed"
# Files still being written must carry one of these suffixes until renamed into place.
PARTIAL_SUFFIXES = (".part", ".tmp", ".partial", ".crdownload")


@dataclass
class InboxResult:
    """One inbox run: files ingested (moved to done/), entries refused (moved to failed/)."""

    done: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    articles: int = 0
    changed: bool = False  # anything added or replaced: editions may have changed


def inbox_entries(inbox: Path) -> list[Path]:
    """Entries waiting in the inbox, by name: everything but hidden entries, partial downloads
    and the done/ and failed/ folders."""
    try:
        names = sorted(os.listdir(inbox))
    except FileNotFoundError:
        return []
    except OSError as exc:
        log.warning("inbox %s cannot be read: %s", inbox, exc.strerror or exc)
        return []
    return [
        inbox / name
        for name in names
        if not name.startswith(".") and not name.endswith(PARTIAL_SUFFIXES)
        and name not in (DONE, FAILED)
    ]  # fmt: skip


def inbox_files(inbox: Path) -> list[Path]:
    """The regular files among ``inbox_entries``."""
    return [p for p in inbox_entries(inbox) if p.is_file()]


def _move(path: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / path.name
    n = 1
    while os.path.lexists(target):  # the same name dropped again (a corrected page)
        target = folder / f"{path.stem}.{n}{path.suffix}"
        n += 1
    shutil.move(str(path), target)
    return target


def _not_a_file(path: Path) -> str | None:
    """Why an inbox entry is not something to ingest (a folder, a FIFO …), or None."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        return f"无法读取 ({exc.strerror or exc})"
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "收件箱只收文件, 不收文件夹 (a folder: put its files in the inbox)"
    return f"不是普通文件: {special_kind(mode) or 'special file'}"


def _ingest_one(store: Any, path: Path, source: str | None) -> tuple[list[str], Any]:
    """(errors, report) of one inbox entry; never raises."""
    from briefings.pipeline import ingest_paths

    if reason := _not_a_file(path):
        return [reason], None
    try:
        report = ingest_paths(store, [path], source=source)
    except Exception as exc:  # even a bug must not keep the entry in the inbox for ever
        log.warning("inbox: ingest of %s failed", path, exc_info=True)
        return [f"{type(exc).__name__}: {exc}"], None
    return [message for _, message in report.errors], report


def ingest_inbox(store: Any, inbox: Path, *, source: str | None = None) -> InboxResult:
    """Ingest every entry of ``inbox`` (blocking) and bring the ``editions`` table up to date."""
    result = InboxResult()
    for path in inbox_entries(inbox):
        name = display_name(path.name)
        errors, report = _ingest_one(store, path, source)
        if not os.path.lexists(path):
            continue  # taken away while we worked
        try:
            if errors:
                moved = _move(path, inbox / FAILED)
                note = moved.with_name(moved.name + ".error.txt")
                note.write_text("\n".join(errors) + "\n", "utf-8", errors="replace")
            else:
                _move(path, inbox / DONE)
        except OSError as exc:
            errors = [*errors, f"无法移动 ({exc.strerror or exc})"]
            log.warning("inbox: %s cannot be moved: %s", name, exc.strerror or exc)
        if errors:
            result.failed.append((name, "; ".join(errors)))
            log.warning("inbox: %s refused: %s", name, "; ".join(errors))
            continue
        result.done.append(name)
        if report is not None:
            result.articles += report.articles
            result.changed |= bool(report.added or report.replaced)
            log.info("inbox: %s: %s", name, report.summary())
    if result.changed:
        record_issue_sizes(store)
    return result


def record_issue_sizes(store: Any, *, days: int = 7) -> dict[str, int]:
    """Count the articles of the recent issues into ``editions`` (what /stats and admins see)."""
    with store.lock:  # the counts and their record agree
        dates = store.dates(limit=days)
        counts = {d: len(store.articles_on(d)) for d in dates}
        store.run(ledger.record_issue_sizes, counts)
    return counts
