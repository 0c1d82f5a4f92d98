"""Fault suite (issue 9): ingest never stops on one entry, says a word about every entry it
passes over, keeps to its size limits, and stores the same bytes once.

Real files (deep folders, FIFOs, sockets, looping links, unreadable folders, sparse 50 MB files)
and a real SQLite store; the CLI runs as a separate process where a hang or a traceback must
show.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from briefings import files, pipeline
from briefings.inbox import ingest_inbox
from briefings.pipeline import MAX_ARTICLE_CHARS, ingest_bytes, ingest_paths
from briefings.reading import MAX_TEXT_CHARS
from briefings.store import Store

pytestmark = pytest.mark.faults

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "data" / "sample_page_2026-04-15.txt"
PAGE = SAMPLE.read_text(encoding="utf-8")
ARTICLE = (
    "缙云县规上工业增加值增长12%\n\n"
    "本报讯 今年前两个月，缙云县规上工业增加值同比增长12%，增速居丽水市第一。"
    "全县新开工项目23个，完成投资45亿元。\n"
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "faults.db") as s:
        yield s


def remove_deep(top: Path) -> None:
    """Delete a folder tree of any depth, one level at a time through directory descriptors
    (shutil.rmtree, and so pytest's own clean-up, recurses once per level)."""
    names: list[str] = []
    fd = os.open(top, os.O_RDONLY)
    while True:
        entries = os.listdir(fd)
        folders = [
            e for e in entries if stat.S_ISDIR(os.stat(e, dir_fd=fd, follow_symlinks=False).st_mode)
        ]
        if folders:
            child = os.open(folders[0], os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = child
            names.append(folders[0])
            continue
        for entry in entries:
            os.unlink(entry, dir_fd=fd)
        parent = os.open("..", os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = parent
        if not names:
            os.close(fd)
            os.rmdir(top)
            return
        os.rmdir(names.pop(), dir_fd=fd)


@pytest.fixture
def deep_root() -> Iterator[Path]:
    """A folder for trees too deep for a recursive delete: outside pytest's own temporary
    folders (its clean-up would fail on them), removed level by level after the test."""
    top = Path(tempfile.mkdtemp(prefix="faults-deep-"))
    yield top
    remove_deep(top)


def page_variant(n: int) -> str:
    """The sample page with one line changed: a different document with the same structure."""
    return PAGE + f"\n（本版第 {n} 次印刷）\n"


def errors_for(report: pipeline.IngestReport, name: str) -> list[str]:
    return [reason for path, reason in report.errors if path.endswith(name)]


def one_line(reason: str) -> bool:
    return bool(reason) and "\n" not in reason


def deep_json(depth: int = 100_000) -> str:
    return "[" * depth + "]" * depth


# ---- one bad entry never stops the run --------------------------------------------------------


@pytest.mark.parametrize("name", ["deep.json", "deep.jsonl", "deep.txt"])
def test_deeply_nested_json_is_a_bad_file_and_the_rest_go_in(
    store: Store, tmp_path: Path, name: str
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / name).write_text(deep_json(), "utf-8")
    (folder / "zz_page_2026-04-15.txt").write_text(PAGE, "utf-8")
    report = ingest_paths(store, [folder])
    assert report.added == 1
    (reason,) = errors_for(report, name)
    assert one_line(reason)


def test_a_deeply_nested_record_among_good_ones_is_skipped_with_its_line(
    store: Store, tmp_path: Path
) -> None:
    good = json.dumps({"title": "缙云工业", "body": ARTICLE}, ensure_ascii=False)
    feed = tmp_path / "feed_2026-04-15.jsonl"
    feed.write_text(good + "\n" + deep_json() + "\n", "utf-8")
    report = ingest_paths(store, [feed])
    assert report.added == 1
    (record,) = report.skipped_records
    assert record.endswith("嵌套太深 (nested too deep)")
    assert record.count("feed_2026-04-15.jsonl") == 1  # the file is named once
    assert ":2:" in record


def test_a_folder_1100_levels_deep_is_walked(store: Store, deep_root: Path) -> None:
    deep = deep_root / "deep"
    deep.mkdir()
    leaf = deep
    for _ in range(1100):  # os.makedirs recurses; one mkdir at a time does not
        leaf = leaf / "d"
        leaf.mkdir()
    (leaf / "page_2026-04-15.txt").write_text(PAGE, "utf-8")
    report = ingest_paths(store, [deep])
    assert (report.added, report.errors) == (1, [])


def test_a_folder_deeper_than_the_system_allows_a_path_is_reported(
    store: Store, deep_root: Path
) -> None:
    top = deep_root / "toolong"
    top.mkdir()
    (top / "a_page_2026-04-15.txt").write_text(PAGE, "utf-8")
    fd = os.open(top, os.O_RDONLY)
    try:
        for _ in range(1100):  # 1100 × "dddd/" is over PATH_MAX (4096): only *at() calls reach it
            os.mkdir("dddd", dir_fd=fd)
            child = os.open("dddd", os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = child
    finally:
        os.close(fd)
    report = ingest_paths(store, [top])
    assert report.added == 1
    assert any("太长" in reason and one_line(reason) for _, reason in report.errors)


def test_a_name_too_long_named_directly_is_reported(store: Store, tmp_path: Path) -> None:
    good = tmp_path / "page_2026-04-15.txt"
    good.write_text(PAGE, "utf-8")
    report = ingest_paths(store, [tmp_path / ("长" * 200 + ".txt"), good])
    assert report.added == 1
    (reason,) = [r for _, r in report.errors]
    assert "太长" in reason


def as_unprivileged(fn: Callable[[], Any]) -> Any:
    """``fn()`` run without the power to read what its permissions forbid.

    Root reads everything, so as root ``fn`` runs in a forked child that has become ``nobody``
    (the interpreter and every module it needs are already loaded); its result comes back as
    JSON through a pipe.
    """
    if os.geteuid() != 0:
        return fn()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        status = 0
        try:
            os.close(read)
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            out = json.dumps(fn()).encode()
        except BaseException as exc:
            out, status = json.dumps({"child error": repr(exc)}).encode(), 1
        with os.fdopen(write, "wb") as pipe:
            pipe.write(out)
        os._exit(status)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    return json.loads(data)


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A folder anyone may enter (pytest's tmp_path is root-only when the tests run as root)."""
    path = Path(tempfile.mkdtemp(prefix="faults-"))
    path.chmod(0o777)
    yield path
    for p in path.rglob("*"):
        if p.is_dir() and not p.is_symlink():
            p.chmod(0o755)
    shutil.rmtree(path)


def test_an_unreadable_folder_and_file_are_reported_and_the_rest_go_in(shared_dir: Path) -> None:
    folder = shared_dir / "in"
    (folder / "locked").mkdir(parents=True)
    (folder / "locked" / "page_2026-04-14.txt").write_text(page_variant(1), "utf-8")
    (folder / "secret_2026-04-13.txt").write_text(page_variant(2), "utf-8")
    (folder / "z_page_2026-04-15.txt").write_text(PAGE, "utf-8")
    for path in folder.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    folder.chmod(0o777)
    (folder / "locked").chmod(0o000)
    (folder / "secret_2026-04-13.txt").chmod(0o000)
    with Store.open(shared_dir / "warm.db") as warm:  # load every module before any fork
        ingest_paths(warm, [SAMPLE])

    def ingest() -> dict[str, Any]:
        with Store.open(folder / "unprivileged.db") as store:
            report = ingest_paths(store, [folder])
        return {"added": report.added, "errors": report.errors}

    result = as_unprivileged(ingest)
    assert result.get("added") == 1, result
    reasons = dict(result["errors"])
    assert "权限" in reasons[str(folder / "locked")]
    assert "权限" in reasons[str(folder / "secret_2026-04-13.txt")]
    assert all(one_line(r) for r in reasons.values())


def test_fifos_sockets_devices_and_looping_links_are_each_named(
    store: Store, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    os.mkfifo(folder / "pipe.txt")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(folder / "sock.txt"))
    (folder / "here").symlink_to(folder)  # a link to the folder it is in
    (folder / "self.txt").symlink_to(folder / "self.txt")  # a link to itself
    (folder / "gone.txt").symlink_to(folder / "never-was.txt")
    (folder / "page_2026-04-15.txt").write_text(PAGE, "utf-8")
    try:
        report = ingest_paths(store, [folder, "/dev/null"])
    finally:
        server.close()
    assert report.added == 1
    reasons = dict(report.errors)
    assert "FIFO" in reasons[str(folder / "pipe.txt")]
    assert "socket" in reasons[str(folder / "sock.txt")]
    assert "已经读过" in dict(report.ignored)[str(folder / "here")]
    assert "成环" in reasons[str(folder / "self.txt")]
    assert "找不到" in reasons[str(folder / "gone.txt")]
    assert "device" in reasons["/dev/null"]
    assert all(one_line(r) for r in reasons.values())


def test_hidden_and_non_input_entries_are_listed_as_ignored(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    (folder / ".git").mkdir(parents=True)
    (folder / ".git" / "HEAD.txt").write_text("ref", "utf-8")
    (folder / "scan.pdf").write_bytes(b"%PDF-1.4")
    (folder / "page_2026-04-15.txt").write_text(PAGE, "utf-8")
    report = ingest_paths(store, [folder])
    assert report.added == 1
    assert report.errors == []
    assert [Path(p).name for p, _ in report.ignored] == [".git", "scan.pdf"]
    assert "忽略 2 项" in report.summary()


def test_an_unexpected_exception_in_one_file_is_reported_and_the_run_goes_on(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = pipeline.analyze_unit

    def fragile(unit):
        if "爆炸" in unit.body:
            raise KeyError("analysis bug")
        return real(unit)

    monkeypatch.setattr(pipeline, "analyze_unit", fragile)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a_2026-04-14.txt").write_text(ARTICLE.replace("投资", "投资爆炸"), "utf-8")
    (folder / "b_page_2026-04-15.txt").write_text(PAGE, "utf-8")
    report = ingest_paths(store, [folder])
    assert report.added == 1
    ((path, reason),) = report.errors
    assert path.endswith("a_2026-04-14.txt")
    assert "KeyError" in reason


def run_cli(*args: str, db: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BRIEFINGS_DB": str(db), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, str(REPO / "bot.py"), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env=env,
    )


def test_cli_names_a_fifo_given_directly_and_ingests_the_rest(tmp_path: Path) -> None:
    fifo = tmp_path / "incoming.txt"
    os.mkfifo(fifo)
    page = tmp_path / "page_2026-04-15.txt"
    page.write_text(PAGE, "utf-8")
    result = run_cli("ingest", str(fifo), str(page), db=tmp_path / "cli.db")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "新增 1" in result.stdout
    (line,) = [ln for ln in result.stderr.splitlines() if "incoming.txt" in ln]
    assert "FIFO" in line


# ---- the inbox --------------------------------------------------------------------------------


def test_inbox_moves_every_bad_entry_to_failed_with_its_reason(
    store: Store, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a_deep.json").write_text(deep_json(), "utf-8")
    os.mkfifo(inbox / "b_pipe.txt")
    (inbox / "c_folder").mkdir()
    (inbox / "d_empty.txt").write_bytes(b"")
    (inbox / "e_page_2026-04-15.txt").write_text(PAGE, "utf-8")
    (inbox / "f.txt.part").write_text("still downloading", "utf-8")
    result = ingest_inbox(store, inbox)
    assert result.done == ["e_page_2026-04-15.txt"]
    assert [name for name, _ in result.failed] == [
        "a_deep.json",
        "b_pipe.txt",
        "c_folder",
        "d_empty.txt",
    ]
    failed = inbox / "failed"
    for name, reason in result.failed:
        assert os.path.lexists(failed / name)
        assert (failed / f"{name}.error.txt").read_text("utf-8").strip() == reason
    assert "嵌套太深" in dict(result.failed)["a_deep.json"]
    assert sorted(p.name for p in inbox.iterdir()) == ["done", "f.txt.part", "failed"]
    assert store.latest_date() == "2026-04-15"


def test_inbox_entry_that_crashes_the_analysis_still_leaves_the_inbox(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "bounded_units", lambda doc: 1 / 0)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "page_2026-04-15.txt").write_text(PAGE, "utf-8")
    result = ingest_inbox(store, inbox)
    ((name, reason),) = result.failed
    assert "ZeroDivisionError" in reason
    assert (inbox / "failed" / name).exists()


# ---- limits -----------------------------------------------------------------------------------


def test_a_50_mb_file_is_refused_before_it_is_read(store: Store, tmp_path: Path) -> None:
    big = tmp_path / "huge_2026-04-15.txt"
    with big.open("wb") as f:
        f.truncate(50 * 1024 * 1024)  # sparse: costs no disk
    tracemalloc.start()
    try:
        report = ingest_paths(store, [big])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    ((_, reason),) = report.errors
    assert "文件太大" in reason
    assert "20 MB" in reason
    assert peak < 5 * 1024 * 1024, peak


def test_the_file_size_limit_is_a_setting(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = tmp_path / "page_2026-04-15.txt"
    page.write_text(PAGE, "utf-8")
    monkeypatch.setenv(files.MAX_FILE_ENV, "0.01")
    report = ingest_paths(store, [page])
    assert "上限 0.01 MB" in report.errors[0][1]
    monkeypatch.setenv(files.MAX_FILE_ENV, "1")
    assert ingest_paths(store, [page]).added == 1


def test_an_upload_over_the_limit_is_refused_clearly(store: Store) -> None:
    with pytest.raises(files.InputError, match="文件太大"):
        ingest_bytes(store, "big.txt", b"x" * (files.max_file_bytes() + 1))


def one_line_text(chars: int) -> str:
    """A whole 'article' on one line: sentences of the sample page without their line breaks."""
    flat = "".join(line.strip() for line in PAGE.splitlines())
    return (flat * (chars // len(flat) + 1))[:chars]


def test_a_one_line_5_mb_file_is_refused_as_too_long(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "oneline_2026-04-15.txt"
    path.write_text(one_line_text(1_800_000), "utf-8")  # about 5 MB of UTF-8
    assert path.stat().st_size > 5_000_000
    report = ingest_paths(store, [path])
    ((_, reason),) = report.errors
    assert "文本太长" in reason
    assert str(MAX_TEXT_CHARS) in reason


def test_a_long_one_line_article_is_cut_at_a_sentence_and_the_report_says_so(
    store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "oneline_2026-04-15.txt"
    path.write_text(one_line_text(300_000), "utf-8")
    report = ingest_paths(store, [path])
    assert report.added == 1
    (note,) = report.notes
    assert "过长" in note
    assert str(MAX_ARTICLE_CHARS) in note
    bodies = [b.article.body for b in store.articles_on("2026-04-15")]
    assert max(len(b) for b in bodies) <= MAX_ARTICLE_CHARS + 100
    body = max(bodies, key=len)
    assert body.endswith(f"单篇稿件最多收录 {MAX_ARTICLE_CHARS} 字]")
    kept = body.rsplit("\n", 1)[0]
    assert kept.endswith(("。", "！", "？", "”"))
    assert kept in one_line_text(300_000)


def test_over_long_headings_are_clipped() -> None:
    from briefings.models import Unit

    unit = Unit(kind="article", title="长" * 5000, paragraphs=["短文。"])
    capped, left_out = pipeline.cap_unit(unit)
    assert left_out == 0
    assert len(capped.title) <= pipeline.MAX_HEADING_CHARS + 1


# ---- the same bytes are one document ----------------------------------------------------------


def test_the_same_bytes_under_three_names_are_one_document(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("page_2026-04-15.txt", "page (1).txt", "copy-of-page.txt"):
        (folder / name).write_text(PAGE, "utf-8")
    report = ingest_paths(store, [folder])
    # Name order: the two undated names first (one stored, one a duplicate), then the dated
    # name, which gives the stored copy its date instead of being a third copy.
    assert (report.added, report.duplicates, report.replaced) == (1, 1, 1)
    assert len(report.notes) == 1
    assert store.stats()["documents"] == 1
    assert store.dates() == ["2026-04-15"]
    assert store.search("保贷联动").total == 1
    figures = store.county_figures("330802", limit=100)  # 柯城
    assert figures
    assert len({(f.figure.text, f.figure.sentence) for f in figures}) == len(figures)


def test_unchanged_files_are_not_read_again(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = tmp_path / "page_2026-04-15.txt"
    page.write_text(PAGE, "utf-8")
    first = ingest_paths(store, [page])
    assert first.added == 1
    parsed: list[str] = []
    real = pipeline.documents_from_bytes

    def counting(data, path, **kw):
        parsed.append(str(path))
        return real(data, path, **kw)

    monkeypatch.setattr(pipeline, "documents_from_bytes", counting)
    again = ingest_paths(store, [page])
    assert parsed == []
    assert (again.documents, again.unchanged, again.added) == (1, 1, 0)
    # A copy under another name is recognised by its bytes too.
    shutil.copy(page, tmp_path / "copy.txt")
    copy = ingest_paths(store, [tmp_path / "copy.txt"])
    assert (copy.duplicates, copy.added) == (1, 0)
    assert "page_2026-04-15.txt" in copy.notes[0]
    assert parsed == []


def test_a_file_whose_document_was_replaced_since_is_read_again(
    store: Store, tmp_path: Path
) -> None:
    page = tmp_path / "page_2026-04-15.txt"
    page.write_text(PAGE, "utf-8")
    ingest_paths(store, [page])
    corrected = tmp_path / "fixed" / "page_2026-04-15.txt"
    corrected.parent.mkdir()
    corrected.write_text(PAGE.replace("19.7%", "19.8%"), "utf-8")
    assert ingest_paths(store, [corrected]).replaced == 1
    assert ingest_paths(store, [page]).replaced == 1  # the first version back, re-read
    assert store.search("保贷联动").total == 1


# ---- names and arguments ----------------------------------------------------------------------


def test_a_file_named_in_gbk_is_ingested_under_its_chinese_name(
    store: Store, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    raw = os.fsencode(folder) + b"/" + "浙江日报_2026-04-15.txt".encode("gb18030")
    with open(raw, "wb") as f:
        f.write(PAGE.encode("utf-8"))
    report = ingest_paths(store, [folder])
    assert (report.added, report.errors) == (1, [])
    (path,) = [r[0] for r in store.conn.execute("SELECT path FROM documents")]
    assert path.endswith("浙江日报_2026-04-15.txt")
    assert store.latest_date() == "2026-04-15"


def test_an_upload_with_a_hostile_name_is_ingested(store: Store) -> None:
    name = "../../" + "长" * 300 + "\x00\udcff_2026-04-15.txt"
    report = ingest_bytes(store, name, PAGE.encode("utf-8"))
    assert report.added == 1, report.errors
    assert len(pipeline.safe_upload_name(name).encode()) <= 200
    assert pipeline.safe_upload_name(name).endswith(".txt")


@pytest.mark.parametrize(
    "args",
    [
        ("search", "\udcff"),
        ("county", "\udced\udca0\udc80"),
        ("ingest", str(SAMPLE), "--source", "浙\udcff"),
        ("ask", "/county \udcff"),
    ],
)
def test_a_lone_surrogate_argument_is_a_one_line_error(tmp_path: Path, args: tuple) -> None:
    argv = [os.fsencode(a) for a in args]  # the bytes a shell would pass
    env = {**os.environ, "BRIEFINGS_DB": str(tmp_path / "s.db"), "PYTHONIOENCODING": "utf-8"}
    result = subprocess.run(
        [sys.executable, str(REPO / "bot.py"), *argv],
        capture_output=True,
        timeout=120,
        check=False,
        env=env,
    )
    err = result.stderr.decode("utf-8", "replace")
    assert result.returncode == 2
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert "无法解码" in err


async def test_a_long_one_line_upload_reads_in_a_few_messages(harness) -> None:
    from botharness import USER_ID, assert_telegram_ok

    from bot import cards

    data = one_line_text(300_000).encode("utf-8")
    report = await harness.rt.call(ingest_bytes, harness.rt.store, "long_2026-04-16.txt", data)
    assert report.added == 1
    (bundle,) = await harness.rt.call(harness.rt.store.articles_on, "2026-04-16")
    expected = len(cards.article_messages(bundle))
    assert expected <= 10  # a whole 300,000-character line used to be about 80 messages
    before = len(harness.fake.sent_messages(USER_ID))
    replies = await harness.say(USER_ID, f"/article {bundle.article.id}", expect=expected)
    await harness.settle()
    assert len(harness.fake.sent_messages(USER_ID)) == before + expected
    for reply in replies:
        assert_telegram_ok(reply)
    assert "从略" in replies[-1]["text"]


def test_a_lone_surrogate_escape_in_a_json_record_is_stored_as_a_replacement_character(
    store: Store, tmp_path: Path
) -> None:
    feed = tmp_path / "feed_2026-04-15.jsonl"
    body = ARTICLE.replace("全县", "全县\\ud800")
    feed.write_text(json.dumps({"title": "缙云\\udcff工业", "body": body}, ensure_ascii=False))
    feed.write_text(feed.read_text("utf-8").replace("\\\\u", "\\u"), "utf-8")
    report = ingest_paths(store, [feed])
    assert (report.added, report.errors) == (1, [])
    (bundle,) = store.articles_on("2026-04-15")
    assert "\ufffd" in bundle.article.title
    assert "全县\ufffd" in bundle.article.body
