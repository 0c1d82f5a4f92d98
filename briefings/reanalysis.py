"""Re-analysis of stored articles: what an upgrade of the extraction rules gives stored pages.

Ingest keeps each article's text but not the page it came from, and re-ingesting the same bytes
is skipped as unchanged, so the regions, figures (with their comparable indicator) and topics of
old pages keep the rules of their ingest. ``reanalyse`` rebuilds each article's analysis input
from its stored columns (title, kicker, subtitle, sub-heads, dateline, body: everything
``analyze_unit`` reads), runs the current analysis and replaces the derived rows, one document
per transaction. Article ids, texts and full-text rows (which hold text only) are never touched.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date as Date

from briefings.models import AnalyzedUnit, Person, Unit
from briefings.pipeline import analyze_unit
from briefings.store import AnalysisChange, Store, id_base

# Columns that rebuild a Unit, in this order (``part_of`` is a link between stored articles,
# not an analysis input, and stays as stored).
_UNIT_COLUMNS = (
    "id, kind, title, subtitle, kicker, section, byline, dateline, subheads, body,"
    " continued_from, continued_to, line_start, line_end, notes"
)


@dataclass
class ReanalyseReport:
    """What one run changed, summed over its documents."""

    documents: int = 0
    articles: int = 0
    figures_before: int = 0
    figures_after: int = 0
    mentions_before: int = 0
    mentions_after: int = 0
    figures_changed: int = 0  # articles whose figures were rewritten
    mentions_changed: int = 0
    topics_changed: int = 0
    rewritten: int = 0  # documents with at least one article rewritten
    skipped: int = 0  # documents replaced by an ingest while this ran: left as that ingest wrote

    def add(self, change: AnalysisChange) -> None:
        self.documents += 1
        for f in fields(change):  # every count of a document adds to the run's
            setattr(self, f.name, getattr(self, f.name) + getattr(change, f.name))
        if change.figures_changed or change.mentions_changed or change.topics_changed:
            self.rewritten += 1

    def summary(self) -> str:
        text = (
            f"重新分析 {self.documents} 篇文档, {self.articles} 条稿件: "
            f"数据 {self.figures_before} → {self.figures_after}, "
            f"地区提及 {self.mentions_before} → {self.mentions_after}; "
            f"改写 {self.rewritten} 篇文档 (数据变化 {self.figures_changed} 条稿件, "
            f"地区变化 {self.mentions_changed}, 主题变化 {self.topics_changed})"
        )
        if self.skipped:
            text += f"; {self.skipped} 篇文档分析期间被重新导入, 未改"
        return text


def unit_from_row(row: Sequence) -> Unit:
    """The analysis input of a stored article (a row of ``_UNIT_COLUMNS`` without the id).

    The body was stored as its paragraphs joined by newlines, and no paragraph holds one, so
    splitting it gives the paragraphs back; an empty body had none.
    """
    (kind, title, subtitle, kicker, section, byline, dateline, subheads, body) = row[:9]
    continued_from, continued_to, line_start, line_end, notes = row[9:14]
    return Unit(
        kind=kind,
        title=title,
        subtitle=subtitle,
        kicker=kicker,
        section=section,
        byline=[Person(name=p["name"], role=p["role"]) for p in json.loads(byline)],
        dateline=dateline,
        subheads=list(json.loads(subheads)),
        paragraphs=body.split("\n") if body else [],
        continued_from=continued_from,
        continued_to=continued_to,
        line_start=line_start,
        line_end=line_end,
        notes=list(json.loads(notes)),
    )


def _documents(store: Store, since: str | None) -> list[tuple[int, str]]:
    """(id, text sha256) of the documents to re-analyse, oldest publication date first;
    ``since`` (YYYY-MM-DD) keeps those of that date or later (undated ones are left out)."""
    where, params = "", ()
    if since:
        id_base(since)  # a malformed date is an InvalidArgument, said in one line
        since = Date.fromisoformat(since).isoformat()  # 20260401 compares as 2026-04-01
        where, params = "WHERE date >= ?", (since,)
    with store.lock:
        return store.conn.execute(
            f"SELECT id, sha256 FROM documents {where} ORDER BY date, id", params
        ).fetchall()


def _stored_units(store: Store, document_id: int) -> list[tuple[int, Unit]]:
    with store.lock:
        rows = store.conn.execute(
            f"SELECT {_UNIT_COLUMNS} FROM articles WHERE document_id = ? ORDER BY seq",
            (document_id,),
        ).fetchall()
    return [(row[0], unit_from_row(row[1:])) for row in rows]


def reanalyse(store: Store, *, since: str | None = None) -> ReanalyseReport:
    """Run the current analysis over stored articles and replace their derived rows.

    Each document is analysed outside the write lock and written in one transaction of its
    own, so a run killed halfway leaves every document with either its old or its new reading.
    """
    report = ReanalyseReport()
    for document_id, sha256 in _documents(store, since):
        analysed: list[tuple[int, AnalyzedUnit]] = [
            (aid, analyze_unit(unit)) for aid, unit in _stored_units(store, document_id)
        ]
        change = store.replace_analysis(document_id, sha256, analysed)
        if change is None:
            report.skipped += 1
        else:
            report.add(change)
    return report
