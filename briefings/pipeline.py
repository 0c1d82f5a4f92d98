"""The ingest pipeline: read files, parse them into units, find regions, figures and topics, store.

``analyze_document`` is pure (no database); ``ingest_paths`` and ``ingest_bytes`` add the store.
Each file is stored atomically: a failure leaves the database as it was and is reported, and
the remaining files still go in.
"""

from __future__ import annotations

import bisect
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from briefings.errors import BriefingError, InputError
from briefings.figures import extract_figures
from briefings.models import AnalyzedUnit, Document, RegionMention, Unit
from briefings.parsing import parse_document
from briefings.reading import is_input_name, iter_input_files, read_documents
from briefings.regions import common_parent, find_mentions, load_gazetteer
from briefings.topics import score_topics


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
    and twice as often as any other.
    """
    for level in ("county", "city", "province"):
        for m in head_mentions:
            if m.region.level == level:
                return (m.region.short, m.region.adcode)
    if not mentions:
        return None
    top = mentions[0]
    runner_up = mentions[1].count if len(mentions) > 1 else 0
    if top.count >= 2 and top.count >= 2 * runner_up:
        return (top.region.short, top.region.adcode)
    return None


def _home_province(
    dateline: Sequence[RegionMention], mentions: Sequence[RegionMention]
) -> tuple[str, str] | None:
    """The province 全省/我省 of a unit refers to: the dateline's (本报成都…电), else the one its
    places are in, when one clearly leads (one and a half times the runner-up)."""
    gaz = load_gazetteer()
    votes: Counter[str] = Counter()
    for weight, group in ((3, dateline), (1, mentions)):
        for m in group:
            r = m.region
            province = r if r.level == "province" else next(iter(gaz.named(r.province)), None)
            if province is not None:
                votes[province.adcode] += weight * m.count
    ranked = votes.most_common(2)
    if not ranked or (len(ranked) > 1 and ranked[0][1] < 1.5 * ranked[1][1]):
        return None
    found = gaz.by_adcode(ranked[0][0])
    return (found.short, found.adcode) if found else None


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
    head_all = find_mentions(head, provinces=True) if head else []
    body_all = find_mentions(body, provinces=True) if body else []
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
    )
    return AnalyzedUnit(unit, mentions, figures, score_topics(unit, mentions, figures))


def analyze_document(doc: Document) -> list[AnalyzedUnit]:
    """Parse a document into units and analyse each one."""
    return [analyze_unit(u) for u in parse_document(doc)]


@dataclass
class IngestReport:
    """What one ingest run did, for the one-line summary and the admin reply."""

    files: int = 0
    documents: int = 0
    added: int = 0
    unchanged: int = 0
    replaced: int = 0
    articles: int = 0
    figures: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)
    skipped_records: list[str] = field(default_factory=list)  # "path:line: reason"

    def summary(self) -> str:
        text = (
            f"{self.files} 个文件, {self.documents} 篇文档: 新增 {self.added}, "
            f"更新 {self.replaced}, 未变 {self.unchanged}; "
            f"{self.articles} 条稿件, {self.figures} 个数据"
        )
        if self.errors:
            text += f"; {len(self.errors)} 个文件出错"
        if self.skipped_records:
            text += f"; 跳过 {len(self.skipped_records)} 条无效记录"
        return text


def _ingest_file(
    store, path: Path, report: IngestReport, *, source: str | None, date: str | None
) -> None:
    docs = read_documents(path, source=source, date=date, problems=report.skipped_records)
    analysed = [(doc, analyze_document(doc)) for doc in docs]
    for doc, units in analysed:
        result = store.save_document(doc, units)
        report.documents += 1
        if result.status == "added":
            report.added += 1
        elif result.status == "replaced":
            report.replaced += 1
        else:
            report.unchanged += 1
        if result.status != "unchanged":
            report.articles += result.articles
            report.figures += result.figures


def ingest_paths(
    store,
    paths: Sequence[str | Path],
    *,
    source: str | None = None,
    date: str | None = None,
    progress: Callable[[Iterable[Path]], Iterable[Path]] | None = None,
) -> IngestReport:
    """Ingest files and folders; one bad file is reported in ``errors`` and skipped.

    A missing top-level path raises InputError (nothing is ingested then), since it is
    almost always a typo the operator wants to know about before anything happens.
    """
    files = list(iter_input_files(paths))
    named = {Path(p).resolve() for p in paths if Path(p).is_file()}
    report = IngestReport()
    for path in progress(files) if progress else files:
        report.files += 1
        if path.resolve() not in named and not is_input_name(path):
            report.errors.append((str(path), "不是 .txt/.jsonl/.json 文件, 已跳过"))
            continue
        try:
            _ingest_file(store, path, report, source=source, date=date)
        except BriefingError as exc:
            report.errors.append((str(path), str(exc)))
        except (OSError, UnicodeError, ValueError) as exc:
            report.errors.append((str(path), f"无法读取: {exc}"))
    return report


def ingest_bytes(
    store, name: str, data: bytes, *, source: str | None = None, date: str | None = None
) -> IngestReport:
    """Ingest an uploaded file (admin /ingest); the name's date and suffix are honoured."""
    safe = Path(name or "upload.txt").name or "upload.txt"
    if not data:
        raise InputError(f"{safe}: 文件为空")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / safe
        path.write_bytes(data)
        report = ingest_paths(store, [path], source=source, date=date)
    report.errors = [(safe, msg.replace(str(path), safe)) for _, msg in report.errors]
    report.skipped_records = [r.replace(str(path), safe) for r in report.skipped_records]
    return report
