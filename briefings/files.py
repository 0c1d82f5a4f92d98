"""Finding and opening input files: folder walks that name every entry they pass over, and reads
that are capped in size and never block.

Nothing here stops on one entry. An unreadable folder, a FIFO, a socket, a device, a broken or
looping symbolic link, a name too long for the system: each becomes a ``Skipped`` entry with a
one-line reason, and the walk goes on. Folders are walked with an explicit stack (no recursion),
so depth costs nothing but memory. Files are opened with ``O_NONBLOCK`` and checked with
``fstat`` before a byte is read: opening a FIFO would otherwise wait forever for a writer.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from briefings.arguments import has_surrogates
from briefings.errors import InputError

# Above this a file is refused before it is read: a day's paper is well under 1 MB, a crawler's
# JSON Lines export of a few thousand articles about 20 MB. BRIEFINGS_MAX_FILE_MB overrides it.
DEFAULT_MAX_FILE_MB = 20
MAX_FILE_ENV = "BRIEFINGS_MAX_FILE_MB"

# Inside folders only these are taken as input (a file named directly is always tried).
INPUT_SUFFIXES = frozenset({".txt", ".text", ".jsonl", ".ndjson", ".json", ""})

# What a folder holds that is not input, by kind, for the one-line reasons.
_KINDS = (
    (stat.S_ISFIFO, "命名管道 (a FIFO)"),
    (stat.S_ISSOCK, "套接字 (a socket)"),
    (stat.S_ISCHR, "字符设备 (a character device)"),
    (stat.S_ISBLK, "块设备 (a block device)"),
)


@dataclass(frozen=True)
class Skipped:
    """An entry the walk passed over, and why. ``error`` is False for entries left out on
    purpose (hidden ones, names that are not input), True for ones that could not be read."""

    path: str  # display_path of the entry
    reason: str
    error: bool = True


def max_file_bytes() -> int:
    """The size limit of one input file: BRIEFINGS_MAX_FILE_MB (default 20) megabytes."""
    raw = os.environ.get(MAX_FILE_ENV, "").strip()
    try:
        mb = float(raw) if raw else DEFAULT_MAX_FILE_MB
    except ValueError:
        raise InputError(f"{MAX_FILE_ENV} 应为数字 (megabytes): {raw!r}") from None
    if mb <= 0:
        raise InputError(f"{MAX_FILE_ENV} 应大于 0: {raw!r}")
    return int(mb * 1024 * 1024)


def display_name(name: str) -> str:
    """A file name fit to print and store. Bytes that were not UTF-8 (Python keeps them as lone
    surrogates) are decoded as GB18030, the usual case of a Chinese name written on Windows,
    or else shown as U+FFFD."""
    if not has_surrogates(name):
        return name
    raw = os.fsencode(name)
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "replace")


def display_path(path: str | Path) -> str:
    """``display_name`` of a whole path."""
    return display_name(str(path))


def _problem(exc: OSError) -> str:
    """An OSError as a short reason: the cases people meet, in words, else the system's text."""
    reasons = {
        errno.ENOENT: "找不到 (no such file; a broken symbolic link?)",
        errno.ELOOP: "符号链接成环 (symbolic link loop)",
        errno.ENAMETOOLONG: "路径或文件名太长 (name too long)",
        errno.EACCES: "没有读取权限 (permission denied)",
        errno.EPERM: "没有读取权限 (operation not permitted)",
        errno.ENOTDIR: "路径中有一段不是文件夹 (not a directory)",
    }
    return reasons.get(exc.errno or 0) or f"无法读取 ({exc.strerror or exc})"


def special_kind(mode: int) -> str | None:
    """What a non-regular, non-folder entry is (FIFO, socket, device), or None."""
    for test, name in _KINDS:
        if test(mode):
            return name
    return None


def is_input_name(path: Path) -> bool:
    """Whether a file found inside a folder looks like input by its name (.txt, .jsonl …)."""
    return path.suffix.lower() in INPUT_SUFFIXES


def walk_inputs(paths: Sequence[str | Path]) -> Iterator[Path | Skipped]:
    """Files named directly (in the order given), then every file under named folders (name
    order, depth first), each once; a ``Skipped`` for every entry passed over.

    A named path that does not exist at all raises InputError before anything is yielded: it is
    almost always a typo the operator wants to hear about before anything happens. Hidden
    entries (``.x``) inside folders and files whose suffix is not an input suffix are yielded
    as ``Skipped(error=False)``. Symbolic links to folders are followed; a folder reached twice
    (a link loop) is skipped with a word.
    """
    named = [Path(p) for p in paths]
    for p in named:
        try:
            os.lstat(p)
        except FileNotFoundError:
            raise InputError(
                f"找不到文件或文件夹 (no such file or folder): {display_path(p)}"
            ) from None
        except OSError:
            pass  # reported in its turn below
    seen_files: set[tuple[int, int]] = set()
    seen_dirs: set[tuple[int, int]] = set()
    for p in named:
        yield from _walk(p, seen_files, seen_dirs)


def _children(folder: Path) -> list[Path] | Skipped:
    try:
        with os.scandir(folder) as it:
            names = sorted(entry.name for entry in it)
    except OSError as exc:
        return Skipped(display_path(folder), f"无法打开文件夹: {_problem(exc)}")
    return [folder / name for name in names]


def _walk(
    root: Path, seen_files: set[tuple[int, int]], seen_dirs: set[tuple[int, int]]
) -> Iterator[Path | Skipped]:
    """``root`` and, if it is a folder, everything under it: depth first in name order, as a
    recursive walk would go, with a stack of iterators instead of recursion."""
    stack = [iter([root])]
    while stack:
        path = next(stack[-1], None)
        if path is None:
            stack.pop()
            continue
        named = len(stack) == 1
        if not named and path.name.startswith("."):
            yield Skipped(display_path(path), "隐藏文件或文件夹, 已忽略", error=False)
            continue
        try:
            st = os.stat(path)
        except OSError as exc:
            yield Skipped(display_path(path), _problem(exc))
            continue
        key = (st.st_dev, st.st_ino)
        if stat.S_ISDIR(st.st_mode):
            if key in seen_dirs:
                reason = "这个文件夹已经读过 (a symbolic link loop, or named twice)"
                yield Skipped(display_path(path), reason, error=False)
                continue
            seen_dirs.add(key)
            children = _children(path)
            if isinstance(children, Skipped):
                yield children
            else:
                stack.append(iter(children))
        elif stat.S_ISREG(st.st_mode):
            if key in seen_files:
                continue  # named and inside a named folder, or a hard link: read once
            seen_files.add(key)
            if named or is_input_name(path):
                yield path
            else:
                reason = "不是 .txt/.jsonl/.json 文件, 已忽略"
                yield Skipped(display_path(path), reason, error=False)
        else:
            kind = special_kind(st.st_mode) or "特殊文件 (not a regular file)"
            yield Skipped(display_path(path), f"不是普通文件: {kind}")


def iter_input_files(paths: Sequence[str | Path]) -> Iterator[Path]:
    """The files ``walk_inputs`` would yield (skipped entries left out)."""
    for entry in walk_inputs(paths):
        if isinstance(entry, Path):
            yield entry


def read_capped(path: Path, limit: int | None = None) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes (default ``max_file_bytes()``).

    Raises InputError naming the file for anything else: a FIFO, socket or device (checked on
    the open descriptor, so a swap after the walk cannot make us block), a file over the
    limit (refused before it is read, and again if it grew while being read), an OS error.
    """
    limit = max_file_bytes() if limit is None else limit
    name = display_path(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    except OSError as exc:
        raise InputError(f"{name}: {_problem(exc)}") from exc
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(f.fileno())
        if not stat.S_ISREG(st.st_mode):
            kind = special_kind(st.st_mode) or "文件夹或特殊文件 (not a regular file)"
            raise InputError(f"{name}: 不是普通文件: {kind}")
        if st.st_size > limit:
            raise InputError(_too_big(name, st.st_size, limit))
        try:
            data = f.read(limit + 1)
        except OSError as exc:
            raise InputError(f"{name}: {_problem(exc)}") from exc
    if len(data) > limit:
        raise InputError(_too_big(name, len(data), limit))
    return data


def megabytes(size: int) -> str:
    """``size`` in MB for people: 20, 0.5, 52.43."""
    return f"{size / 1024 / 1024:.2f}".rstrip("0").rstrip(".")


def _too_big(name: str, size: int, limit: int) -> str:
    return (
        f"{name}: 文件太大 ({megabytes(size)} MB), 上限 {megabytes(limit)} MB; 请拆分后再导入 "
        f"(file too large; the limit is set by {MAX_FILE_ENV})"
    )
