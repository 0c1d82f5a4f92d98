"""The ingest pipeline: read files, parse them into units, find regions, figures and topics, store.

``analyze_document`` is pure (no database); ``ingest_paths`` and ``ingest_bytes`` add the store.
Each document is stored atomically (a savepoint of its own; WRITE_BATCH of them share a
transaction, written after their files were read and analysed, so the write lock is held only
for the writes). Nothing stops a run but a missing named path: every entry
that cannot be read or analysed (whatever the exception) is reported on one line and skipped,
and the remaining files still go in. A file whose bytes were ingested before, with its
documents still stored as they were, is not read again; an article over MAX_ARTICLE_CHARS is
cut at a paragraph or sentence end before analysis, and the report says so.
"""

from __future__ import annotations

import bisect
import copy
import hashlib
import logging
import sqlite3
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from briefings.arguments import replace_surrogates
from briefings.errors import BriefingError, InputError
from briefings.figures import extract_figures
from briefings.files import (
    Skipped,
    display_path,
    max_file_bytes,
    megabytes,
    read_capped,
    walk_inputs,
)
from briefings.i18n import N_
from briefings.models import AnalyzedUnit, Document, Region, RegionMention, Unit
from briefings.normalize import fold_chars
from briefings.parsing import parse_document
from briefings.reading import documents_from_bytes
from briefings.regions import common_parent, find_mentions, load_gazetteer
from briefings.sentences import ends_sentence, split_sentences
from briefings.store import fts_texts
from briefings.topics import best_topic, score_topics

log = logging.getLogger(__name__)

# The longest of the 1,151 articles of the dev set has 8,936 characters; 30,000 is about eight
# Telegram messages. Longer units (a whole file on one line, a book) are cut before analysis.
MAX_ARTICLE_CHARS = 30_000
# Titles, kickers, subtitles and sub-heads are one line each on a page.
MAX_HEADING_CHARS = 300


def _merge_mentions(*groups: Sequence[RegionMention]) -> list[RegionMention]:
    """Add up mention counts of the same region found in different fields of one unit."""
    counts: Counter[str] = Counter()
    first: dict[str, RegionMention] = {}
    order: dict[str, int] = {}
    for group in groups:
        for m in group:
            key = m.region.adcode
            counts[key] += m.count
            first.setdefault(key, m)
            order.setdefault(key, len(order))
    merged = [RegionMention(first[k].region, counts[k], first[k].spans) for k in counts]
    return sorted(merged, key=lambda m: (-m.count, order[m.region.adcode]))


def _locator(body: str, mentions: Sequence[RegionMention]) -> Callable[[str], list]:
    """Region spans inside one sentence, reusing the mentions already found in the body.

    Segmenting every sentence again would double the cost of the whole pipeline.
    """
    spans = sorted(
        (start, end, m.region.short, m.region.adcode) for m in mentions for start, end in m.spans
    )
    starts = [s for s, _, _, _ in spans]

    def locate(sentence: str) -> list[tuple[int, int, str, str]]:
        offset = body.find(sentence)
        if offset < 0 or not sentence:
            return []
        end = offset + len(sentence)
        first = bisect.bisect_left(starts, offset)
        return [
            (s - offset, e - offset, name, code)
            for s, e, name, code in spans[first : bisect.bisect_left(starts, end)]
            if e <= end
        ]

    return locate


def _main_region(
    head_mentions: Sequence[RegionMention], mentions: Sequence[RegionMention]
) -> tuple[str, str] | None:
    """The region a unit is clearly about, if any: named in its headline (a county before a
    city before a province), or dominant in its body.

    A region mentioned in passing must not absorb the unit's unattributed figures (the
    province-wide 近4000家 of a film article that names 象山 once, or a 宁波 trade report that
    names 北仑 twice and 宁波 three times), so a body-only region must be named at least twice
    and twice as often as any other, and more often than the places outside its prefecture
    together (a page of stories from 当涂, 合肥, 沽源 and 惠城 is about none of them).
    """
    for level in ("county", "city", "province"):
        for m in head_mentions:
            if m.region.level == level:
                return (m.region.short, m.region.adcode)
    if not mentions:
        return None
    top = mentions[0]
    runner_up = mentions[1].count if len(mentions) > 1 else 0
    elsewhere = sum(m.count for m in mentions[1:] if m.region.adcode[:4] != top.region.adcode[:4])
    if top.count >= 2 and top.count >= 2 * runner_up and top.count > elsewhere:
        return (top.region.short, top.region.adcode)
    return None


def _home_province(
    dateline: Sequence[RegionMention], mentions: Sequence[RegionMention]
) -> tuple[str, str] | None:
    """The province 全省/我省 of a unit refers to: the dateline's (本报成都…电), else the one its
    places are in, when one clearly leads (one and a half times the runner-up)."""
    votes: Counter[str] = Counter()
    for weight, group in ((3, dateline), (1, mentions)):
        for m in group:
            r = m.region
            province = r if r.level == "province" else _province_named(r.province)
            if province is not None:
                votes[province.adcode] += weight * m.count
    ranked = votes.most_common(2)
    if not ranked or (len(ranked) > 1 and ranked[0][1] < 1.5 * ranked[1][1]):
        return None
    found = load_gazetteer().by_adcode(ranked[0][0])
    return (found.short, found.adcode) if found else None


@lru_cache(maxsize=64)
def _province_named(name: str) -> Region | None:
    """The gazetteer's province of this name (a region's ``province`` field)."""
    return next(iter(load_gazetteer().named(name)), None)


def _parent(adcodes: Sequence[str]) -> tuple[str, str] | None:
    found = common_parent(load_gazetteer(), adcodes)
    return (found.short, found.adcode) if found else None


def analyze_unit(unit: Unit) -> AnalyzedUnit:
    """Regions, figures and topics of one unit.

    Provinces are found too: they tie figures to a place (湖南省建档立卡贫困劳动力255.2万人) but
    are not stored as the unit's mentions, which list counties and cities.
    """
    head = "\n".join(x for x in (unit.kicker, unit.title, unit.subtitle, *unit.subheads) if x)
    body = unit.body
    # One folded copy (character for character) serves regions, figures and topics.
    plain = fold_chars(body)
    folded: list[str] = []
    offset = 0
    for para in unit.paragraphs:
        folded.append(plain[offset : offset + len(para)])
        offset += len(para) + 1
    head_all = find_mentions(head, provinces=True) if head else []
    body_all = find_mentions(body, provinces=True, folded=plain) if body else []
    head_mentions = [m for m in head_all if m.region.level != "province"]
    body_mentions = [m for m in body_all if m.region.level != "province"]
    mentions = _merge_mentions(head_mentions, body_mentions)
    at = body.find(unit.dateline) if unit.dateline else -1
    if at >= 0:  # the dateline opens the body: its places are already found
        end = at + len(unit.dateline)
        dateline = [m for m in body_mentions if any(at <= s and e <= end for s, e in m.spans)]
    else:
        dateline = find_mentions(unit.dateline) if unit.dateline else []
    figures = extract_figures(
        unit.paragraphs,
        locate=_locator(body, body_all),
        default_region=_main_region(head_all, mentions),
        province=_home_province(dateline, _merge_mentions(head_all, body_all)),
        parent=_parent,
        folded=folded,
    )
    topics = score_topics(unit, mentions, figures, folded_body=plain)
    return AnalyzedUnit(unit, mentions, figures, topics)


def _cut_point(text: str, room: int) -> int:
    """Where to cut ``text`` to keep at most ``room`` characters: after the last sentence end
    within them if there is one in the second half, else exactly at ``room``."""
    head = text[:room]
    spans = split_sentences(head)
    ends = [s + len(head[s:e].rstrip()) for s, e in spans if ends_sentence(head[s:e])]
    return ends[-1] if ends and ends[-1] >= room // 2 else room


def cap_unit(unit: Unit, limit: int = MAX_ARTICLE_CHARS) -> tuple[Unit, int]:
    """The unit with its body cut to at most ``limit`` characters (whole paragraphs first, then
    at a sentence end) and a closing line saying how much was left out; its headings clipped to
    MAX_HEADING_CHARS. Returns (unit, characters left out of the body); the same unit if
    nothing was too long."""
    headings = {
        name: value[:MAX_HEADING_CHARS] + "…"
        for name in ("title", "subtitle", "kicker", "section", "dateline")
        if len(value := getattr(unit, name)) > MAX_HEADING_CHARS
    }
    if any(len(h) > MAX_HEADING_CHARS for h in unit.subheads):
        headings["subheads"] = [h[:MAX_HEADING_CHARS] for h in unit.subheads]
    total = len(unit.body)
    if total <= limit:
        return (replace(unit, **headings) if headings else unit), 0
    kept: list[str] = []
    used = 0
    for para in unit.paragraphs:
        sep = 1 if kept else 0
        if used + sep + len(para) <= limit:
            kept.append(para)
            used += sep + len(para)
            continue
        room = limit - used - sep
        if room >= min(200, limit):  # a useful piece of the paragraph still fits
            kept.append(para[: _cut_point(para, room)])
        break
    left_out = total - len("\n".join(kept))
    notice = f"[……以下 {left_out} 字从略:单篇稿件最多收录 {limit} 字]"
    return replace(unit, paragraphs=[*kept, notice], **headings), left_out


def bounded_units(doc: Document) -> tuple[list[Unit], list[str]]:
    """The document's units, each within the length limits, and one line per unit that was cut."""
    units, notes = [], []
    for n, unit in enumerate(parse_document(doc), start=1):
        capped, left_out = cap_unit(unit)
        units.append(capped)
        if left_out:
            notes.append(
                f"{doc.path}: 第 {n} 篇稿件过长 ({len(unit.body)} 字), 只收录前 "
                f"{len(unit.body) - left_out} 字 "
                f"(article longer than {MAX_ARTICLE_CHARS} characters: cut)"
            )
    return units, notes


def analyze_document(doc: Document) -> list[AnalyzedUnit]:
    """Parse a document into units (cut to the length limits) and analyse each one."""
    units, _ = bounded_units(doc)
    return [analyze_unit(u) for u in units]


@dataclass
class IngestReport:
    """What one ingest run did, for the one-line summary and the admin reply."""

    files: int = 0
    documents: int = 0
    added: int = 0
    unchanged: int = 0
    replaced: int = 0
    duplicates: int = 0  # same text as a document stored under another name
    articles: int = 0
    figures: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)  # (path, reason): not ingested
    skipped_records: list[str] = field(default_factory=list)  # "path:line: reason"
    ignored: list[tuple[str, str]] = field(default_factory=list)  # hidden, not input by name
    notes: list[str] = field(default_factory=list)  # duplicates, articles cut to the limit
    undated: list[str] = field(default_factory=list)  # documents stored without a date
    other: int = 0  # stored articles whose best topic is 其他 (in no section of the digest)

    def summary(self) -> str:
        text = (
            f"{self.files} 个文件, {self.documents} 篇文档: 新增 {self.added}, "
            f"更新 {self.replaced}, 未变 {self.unchanged}"
        )
        if self.duplicates:
            text += f", 重复 {self.duplicates}"
        text += f"; {self.articles} 条稿件, {self.figures} 个数据"
        if self.errors:
            text += f"; {len(self.errors)} 个文件出错"
        if self.skipped_records:
            text += f"; 跳过 {len(self.skipped_records)} 条无效记录"
        if self.ignored:
            text += f"; 忽略 {len(self.ignored)} 项"
        if self.undated:
            text += f"; {len(self.undated)} 篇没有日期 (不进 /today 和早报)"
        if self.other:
            text += f"; {self.other} 条归入「其他」"
        return text


# A file's record for the cheap re-ingest check: (bytes sha256, size, path, [(key, text sha256)]).
FileRecord = tuple[str, int, str, list[tuple[str, str]]]
# File records are written together, in one transaction per this many files (a COMMIT each
# would cost more than the rest of storing a page); lost ones only mean a file is read again.
FILE_RECORD_BATCH = 200
# Documents written in one transaction, each in its own savepoint: a COMMIT, with the index
# segment FTS5 writes at it, costs about as much as storing a page. Files are read and analysed
# before the write lock is taken, so it is held only while these are written.
WRITE_BATCH = 16


@dataclass
class _FileWork:
    """One file, read and analysed, waiting to be stored; ``part`` is its share of the report."""

    path: Path
    part: IngestReport
    digest: str = ""
    size: int = 0
    # (document, analysed units, full-text columns); None when there is nothing to store
    analysed: list[tuple[Document, list[AnalyzedUnit], list[tuple[str, str]]]] | None = None
    stored: list[tuple[str, str]] = field(default_factory=list)  # (key, text sha256) so far
    failed: bool = False


def _failed(part: IngestReport, path: Path, exc: Exception) -> None:
    if isinstance(exc, BriefingError):
        part.errors.append((display_path(path), str(exc)))
        return
    log.warning("ingest of %s failed", display_path(path), exc_info=exc)
    reason = replace_surrogates(f"{type(exc).__name__}: {exc}")
    part.errors.append((display_path(path), f"处理出错, 已跳过 (internal error): {reason}"))


def _read_file(store, path: Path, *, source: str | None, date: str | None) -> _FileWork:
    """Read and analyse one file (no write); a failure is in its report part."""
    work = _FileWork(path, IngestReport(files=1))
    report = work.part
    try:
        data = read_capped(path)
        work.size, work.digest = len(data), hashlib.sha256(data).hexdigest()
        # An explicit --date re-reads known bytes: it is how an undated file gets its date.
        known = None if date else store.known_file(work.digest, work.size)
        if known is not None:  # the same bytes went in before and are still stored as they were
            count, first_path = known
            first_name = Path(first_path).name  # uploads were read from a temporary folder
            report.documents += count
            if first_name == Path(display_path(path)).name:
                report.unchanged += count
            else:
                report.duplicates += count
                report.notes.append(
                    f"{display_path(path)}: 与之前导入的 {first_name} 内容相同, 未重复入库 "
                    "(same bytes as a file already ingested)"
                )
            return work
        docs = documents_from_bytes(
            data, path, source=source, date=date, problems=report.skipped_records
        )
        del data  # the decoded text is all we need from here on
        analysed = []
        for doc in docs:
            units, notes = bounded_units(doc)
            done = [analyze_unit(u) for u in units]
            analysed.append((doc, done, fts_texts(done)))
            report.notes.extend(notes)
        work.analysed = analysed
    except Exception as exc:  # one bad entry never stops the run
        _failed(report, path, exc)
    return work


# The open transaction of a batch and the full-text rows its documents keep for its end.
_Batch = tuple[sqlite3.Connection, list[tuple[int, str, str]]]


def _store_document(store, work: _FileWork, n: int, batch: _Batch | None = None) -> None:
    """Save the ``n``-th document of a read file and count it in the file's report part: in a
    savepoint of the batch's open transaction, its full-text rows kept for the end of the
    batch; or, without a batch, in a transaction of its own."""
    assert work.analysed is not None
    doc, units, fts = work.analysed[n]
    report = work.part
    if batch is None:
        result = store.save_document(doc, units, fts=fts)
    else:
        conn, fts_rows = batch
        rows: list[tuple[int, str, str]] = []
        conn.execute("SAVEPOINT document")
        try:
            result = store.save_document(doc, units, fts=fts, fts_rows=rows)
        except BaseException:
            conn.execute("ROLLBACK TO document")
            conn.execute("RELEASE document")
            raise
        conn.execute("RELEASE document")
        fts_rows.extend(rows)
    work.stored.append((result.key, result.sha256))
    report.documents += 1
    if result.status == "added":
        report.added += 1
    elif result.status == "replaced":
        report.replaced += 1
    elif result.status == "duplicate":
        report.duplicates += 1
        report.notes.append(
            f"{doc.path}: 与已入库的 {result.duplicate_of} 内容相同, 未重复入库 "
            "(same text as a stored document)"
        )
    else:
        report.unchanged += 1
    if result.status in ("added", "replaced"):
        report.articles += result.articles
        report.figures += result.figures
        report.other += sum(best_topic(u.topics) == "other" for u in units)
        if not doc.date:
            report.undated.append(doc.path or display_path(work.path))


def _store_each(store, todo: Sequence[tuple[_FileWork, int]], batch: _Batch | None = None) -> None:
    for work, n in todo:
        if work.failed:
            continue  # an earlier document of the file failed: the file stops there
        try:
            _store_document(store, work, n, batch)
        except Exception as exc:  # one bad entry never stops the run
            work.failed = True
            _failed(work.part, work.path, exc)


def _store_files(store, works: Sequence[_FileWork]) -> None:
    """Write the documents of read files, WRITE_BATCH to a transaction (each in a savepoint, so
    a failing document is undone alone, as in a transaction of its own). A batch that cannot
    be written as a whole (its COMMIT fails) is written again one document at a time."""
    todo = [(w, n) for w in works if w.analysed for n in range(len(w.analysed))]
    for at in range(0, len(todo), WRITE_BATCH):
        chunk = todo[at : at + WRITE_BATCH]
        saved = {id(w): (copy.deepcopy(w.part), len(w.stored), w.failed) for w, _ in chunk}
        try:
            fts_rows: list[tuple[int, str, str]] = []
            with store.transaction() as conn:
                _store_each(store, chunk, (conn, fts_rows))
                store.write_fts(fts_rows)
        except Exception:
            log.warning("writing %d documents together failed; one at a time", len(chunk))
            store.end_transaction()
            for work, _ in chunk:
                work.part, kept, work.failed = saved[id(work)]
                del work.stored[kept:]
            _store_each(store, chunk)


def _add(report: IngestReport, part: IngestReport) -> None:
    """Add one file's report part to the run's report."""
    for name in ("files", "documents", "added", "unchanged", "replaced", "duplicates"):
        setattr(report, name, getattr(report, name) + getattr(part, name))
    report.articles += part.articles
    report.figures += part.figures
    report.other += part.other
    report.errors += part.errors
    report.skipped_records += part.skipped_records
    report.ignored += part.ignored
    report.notes += part.notes
    report.undated += part.undated


def ingest_paths(
    store,
    paths: Sequence[str | Path],
    *,
    source: str | None = None,
    date: str | None = None,
    progress: Callable[[list[Path]], Iterable[Path]] | None = None,
) -> IngestReport:
    """Ingest files and folders; every entry that cannot be read, decoded, parsed, analysed or
    stored is reported in ``errors`` (one line) and skipped, whatever went wrong.

    A missing top-level path raises InputError (nothing is ingested then), since it is
    almost always a typo the operator wants to know about before anything happens.
    """
    report = IngestReport()
    files: list[Path] = []
    for entry in walk_inputs(paths):
        if isinstance(entry, Skipped):
            (report.errors if entry.error else report.ignored).append((entry.path, entry.reason))
        else:
            files.append(entry)
    records: list[FileRecord] = []
    batch: list[_FileWork] = []

    def flush() -> None:
        _store_files(store, batch)
        for work in batch:
            _add(report, work.part)
            if work.analysed is not None and not work.failed:
                records.append((work.digest, work.size, display_path(work.path), work.stored))
        batch.clear()
        if len(records) >= FILE_RECORD_BATCH:
            store.remember_files(records)
            records.clear()

    waiting = 0  # documents read and not yet written
    for path in progress(files) if progress else files:
        work = _read_file(store, path, source=source, date=date)
        batch.append(work)
        waiting += len(work.analysed or ())
        if waiting >= WRITE_BATCH:
            flush()
            waiting = 0
    flush()
    if records:
        store.remember_files(records)
    return report


# Upload names: what a file system accepts everywhere (255 bytes), without path separators.
_MAX_UPLOAD_NAME_BYTES = 200


def safe_upload_name(name: str) -> str:
    """An uploaded file's name as a plain file name: no folders, no NUL, no lone surrogates,
    at most 200 bytes (the suffix kept, since it tells JSON Lines apart)."""
    base = replace_surrogates(Path((name or "").replace("\0", "").replace("\\", "/")).name)
    base = base.lstrip(".") or "upload.txt"
    stem, suffix = (base, "") if "." not in base else base.rsplit(".", 1)
    suffix = f".{suffix}" if suffix and len(suffix) <= 10 else ""
    while len((stem + suffix).encode("utf-8")) > _MAX_UPLOAD_NAME_BYTES:
        stem = stem[:-1]
    return (stem + suffix) if stem else "upload" + (suffix or ".txt")


UPLOAD_EMPTY = N_("{name}：文件为空")
UPLOAD_TOO_BIG = N_("{name}：文件太大（{size} MB），上限 {limit} MB")


def ingest_bytes(
    store, name: str, data: bytes, *, source: str | None = None, date: str | None = None
) -> IngestReport:
    """Ingest an uploaded file (admin /ingest); the name's date and suffix are honoured."""
    safe = safe_upload_name(name)
    if not data:
        raise InputError(UPLOAD_EMPTY, name=safe)
    limit = max_file_bytes()
    if len(data) > limit:
        raise InputError(
            UPLOAD_TOO_BIG, name=safe, size=megabytes(len(data)), limit=megabytes(limit)
        )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / safe
        path.write_bytes(data)
        report = ingest_paths(store, [path], source=source, date=date)
    report.errors = [(safe, msg.replace(str(path), safe)) for _, msg in report.errors]
    report.skipped_records = [r.replace(str(path), safe) for r in report.skipped_records]
    report.notes = [n.replace(str(path), safe) for n in report.notes]
    return report
