"""Rankings, comparisons and series of comparable figures, read from the store.

Everything is read through the two partial indexes of migration 0015_charts_canonical: a
ranking is one index seek per county that has the indicator (a loose index scan), a county's
comparable figures one seek per indicator it has. What is ranked is a county's latest result;
goals (目标) are kept apart and never ranked or plotted as results; a level of a whole year is
never ranked against one of part of a year. Rules in docs/comparable.md.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

from briefings.comparable import Indicator, indicator_for_key
from briefings.figure_periods import Period, read_period
from briefings.figures import shown_text
from briefings.models import Figure
from briefings.numbers import split_qualifier

# Latest figures read per county and indicator: enough to find the latest result of each span
# and the latest goal behind a few newer figures of another kind.
PER_COUNTY = 6
# Points read per indicator for a county's chart.
SERIES_POINTS = 60
MAX_KEYS = 40  # indicators read for one county
_ACHIEVED = ("current", "shared")
# The source comes from the document, not the article: reading articles.source means reading
# past the article's body (overflow pages), which made a ranking 3x slower at 1M articles.
_COLUMNS = (
    "f.article_id, f.date, d.source, f.indicator, f.value, f.unit, f.text, f.qualifier, f.period, "
    "f.region, f.adcode, f.sentence, f.subject, f.role, f.confident, f.canonical"
)
_NO_SOURCE = _COLUMNS.replace("d.source", "''")
# Qualifiers that make a number a bound: 超3000亿元 is more than 3000亿元.
_ABOVE = frozenset({"超", "逾"})
_BELOW = frozenset({"不足"})
_APPROXIMATE = frozenset({"近", "约", "多"})


@dataclass(frozen=True)
class Entry:
    """One stored figure of a comparable indicator, with its provenance and period."""

    key: str
    figure: Figure
    article_id: int
    date: str
    source: str
    period: Period

    @property
    def adcode(self) -> str:
        return self.figure.adcode

    @property
    def region(self) -> str:
        return self.figure.region

    @property
    def is_goal(self) -> bool:
        return self.figure.role == "goal"

    @property
    def bound(self) -> str:
        """'>' for a lower bound (超3000亿元), '<' for an upper one (不足), '' otherwise."""
        q = self.figure.qualifier
        if q in _BELOW:
            return "<"
        if q in _ABOVE:
            return ">"
        return ""

    @property
    def annual(self) -> bool:
        """A whole year, or no period stated (a level printed without one is a year's)."""
        return self.period.span in ("year", "none")

    @property
    def when(self) -> str:
        """The period with its year made explicit (2026年1-2月), else the verbatim period."""
        return self.period.label or self.figure.period


def display_value(e: Entry) -> str:
    """The value as ranked: ``>3000亿元`` for 超3000亿元, else the figure's words verbatim."""
    f = e.figure
    if e.bound:
        return e.bound + split_qualifier(f.text)[1]
    # 近900家 and 约17亿元 say how exact they are; 达/仅 (高达19.7%) only add emphasis.
    return shown_text(f) if f.qualifier in _APPROXIMATE else f.text


def _entries(rows: Iterable[Sequence]) -> list[Entry]:
    out = []
    for r in rows:
        article_id, date, source = r[0], r[1], r[2]
        f = Figure(*r[3:14], confident=bool(r[14]))
        out.append(Entry(r[15], f, article_id, date, source, read_period(f.period, date or "")))
    return out


def _prefix_range(prefix: str) -> tuple[str, str]:
    """Adcodes starting with ``prefix``: [prefix, prefix + 1); all places for ''."""
    if not prefix:
        return "0", ":"  # every adcode is digits; '' (no place) is left out
    return prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)


def latest_entries(conn: sqlite3.Connection, key: str, prefix: str = "") -> list[Entry]:
    """The newest ``PER_COUNTY`` figures of ``key`` of each place whose adcode starts with
    ``prefix``: a loose index scan over the places, then one seek per place. Their sources are
    left empty: ``with_sources`` fills in those of the entries shown."""
    lo, hi = _prefix_range(prefix)
    rows = conn.execute(
        "WITH RECURSIVE codes(adcode) AS ("
        " SELECT (SELECT min(adcode) FROM figures WHERE canonical = :k AND adcode >= :lo"
        "  AND adcode < :hi)"
        " UNION ALL"
        " SELECT (SELECT min(adcode) FROM figures WHERE canonical = :k AND adcode > codes.adcode"
        "  AND adcode < :hi) FROM codes WHERE codes.adcode IS NOT NULL"
        f") SELECT {_NO_SOURCE} FROM codes JOIN figures f ON f.id IN ("
        "  SELECT id FROM figures WHERE canonical = :k AND adcode = codes.adcode"
        "  ORDER BY date DESC, article_id DESC LIMIT :per)",
        {"k": key, "lo": lo, "hi": hi, "per": PER_COUNTY},
    )
    return _entries(rows)


def county_entries(
    conn: sqlite3.Connection, adcode: str, *, per_key: int = PER_COUNTY
) -> list[Entry]:
    """A place's newest ``per_key`` figures of each comparable indicator it has."""
    rows = conn.execute(
        "WITH RECURSIVE keys(k, n) AS ("
        " SELECT (SELECT min(canonical) FROM figures WHERE adcode = :a AND canonical IS NOT NULL),"
        "  1"
        " UNION ALL"
        " SELECT (SELECT min(canonical) FROM figures WHERE adcode = :a AND canonical > keys.k),"
        "  n + 1 FROM keys WHERE keys.k IS NOT NULL AND n < :max_keys"
        f") SELECT {_COLUMNS} FROM keys JOIN figures f ON f.id IN ("
        "  SELECT id FROM figures WHERE adcode = :a AND canonical = keys.k"
        "  ORDER BY date DESC, article_id DESC LIMIT :per)"
        " JOIN articles a ON a.id = f.article_id JOIN documents d ON d.id = a.document_id",
        {"a": adcode, "per": per_key, "max_keys": MAX_KEYS},
    )
    return _entries(rows)


def has_comparables(conn: sqlite3.Connection, adcode: str) -> bool:
    """Whether a place has any comparable figure (one index probe)."""
    row = conn.execute(
        "SELECT 1 FROM figures WHERE adcode = ? AND canonical IS NOT NULL LIMIT 1", (adcode,)
    ).fetchone()
    return row is not None


def known_keys(conn: sqlite3.Connection, limit: int = 200) -> list[str]:
    """The comparable indicators the store has figures of (a loose index scan)."""
    rows = conn.execute(
        "WITH RECURSIVE keys(k, n) AS ("
        " SELECT (SELECT min(canonical) FROM figures WHERE canonical IS NOT NULL), 1"
        " UNION ALL"
        " SELECT (SELECT min(canonical) FROM figures WHERE canonical > keys.k), n + 1"
        " FROM keys WHERE keys.k IS NOT NULL AND n < :limit"
        ") SELECT k FROM keys WHERE k IS NOT NULL",
        {"limit": limit},
    )
    return [r[0] for r in rows]


def with_sources(conn: sqlite3.Connection, entries: Sequence[Entry]) -> list[Entry]:
    """``entries`` with the source name of each one's article (one query for all)."""
    ids = sorted({e.article_id for e in entries})
    rows = conn.execute(
        "SELECT a.id, d.source FROM articles a JOIN documents d ON d.id = a.document_id"
        " WHERE a.id IN (SELECT value FROM json_each(?))",
        (json.dumps(ids),),
    )
    found = dict(rows.fetchall())
    return [replace(e, source=found.get(e.article_id, e.source)) for e in entries]


# ---- shaping ----------------------------------------------------------------------------------


def _newest_first(e: Entry) -> tuple[str, int, int]:
    return (e.date or "", e.article_id, -len(e.figure.text))


def sort_key(e: Entry) -> tuple[float, int, str, str]:
    """Highest value first; a lower bound before an exact value of the same number."""
    return (-e.figure.value, 0 if e.bound == ">" else 1, e.region, e.adcode)


@dataclass(frozen=True)
class Ranked:
    rank: int
    entry: Entry


@dataclass(frozen=True)
class Ranking:
    """Places ranked by their latest result of one indicator.

    ``rows``: for a level, the latest value of a whole year (or of no stated period); for a
    rate, the latest value. ``part_year``: for a level, the latest value of part of a year,
    ranked apart. ``goals``: the latest goal of each place, never ranked.
    """

    indicator: Indicator
    rows: list[Ranked] = field(default_factory=list)
    part_year: list[Ranked] = field(default_factory=list)
    goals: list[Entry] = field(default_factory=list)
    total: tuple[int, int] = (-1, -1)  # rows and part-year rows before ``with_sources`` cut

    @property
    def counts(self) -> tuple[int, int]:
        """How many places the main and the part-year ranking have (before any cut)."""
        if self.total[0] >= 0:
            return self.total
        return len(self.rows), len(self.part_year)

    @property
    def empty(self) -> bool:
        return not (self.rows or self.part_year or self.goals)

    def entries(self) -> list[Entry]:
        return [r.entry for r in (*self.rows, *self.part_year)] + self.goals

    def with_sources(self, conn: sqlite3.Connection, limit: int) -> Ranking:
        """The first ``limit`` rows of each part, with the sources of their articles."""
        rows, part, goals = self.rows[:limit], self.part_year[:limit], self.goals[:limit]
        filled = iter(with_sources(conn, [r.entry for r in (*rows, *part)] + goals))
        return Ranking(
            self.indicator,
            [Ranked(r.rank, next(filled)) for r in rows],
            [Ranked(r.rank, next(filled)) for r in part],
            [next(filled) for _ in goals],
            total=(len(self.rows), len(self.part_year)),
        )


def ranked(entries: Sequence[Entry]) -> list[Ranked]:
    """Sorted, with equal values (and equal bounds) sharing a rank: 1, 1, 1, 4."""
    out: list[Ranked] = []
    for i, e in enumerate(sorted(entries, key=sort_key)):
        prev = out[-1] if out else None
        same = prev and (prev.entry.figure.value, prev.entry.bound) == (e.figure.value, e.bound)
        out.append(Ranked(prev.rank if same and prev else i + 1, e))
    return out


def rank(
    indicator: Indicator,
    entries: Sequence[Entry],
    *,
    keep: Callable[[str], bool] = lambda adcode: True,
) -> Ranking:
    """The ranking of ``entries`` (newest figures per place): ``keep`` says which places count
    (counties, not the cities and provinces above them)."""
    main: dict[str, Entry] = {}
    part: dict[str, Entry] = {}
    goals: dict[str, Entry] = {}
    for e in sorted(entries, key=_newest_first, reverse=True):
        if not e.adcode or not keep(e.adcode):
            continue
        if e.is_goal:
            goals.setdefault(e.adcode, e)
        elif e.figure.role in _ACHIEVED:
            target = part if indicator.kind == "level" and not e.annual else main
            target.setdefault(e.adcode, e)
    return Ranking(
        indicator,
        ranked(list(main.values())),
        ranked(list(part.values())),
        sorted(goals.values(), key=sort_key),
    )


@dataclass(frozen=True)
class Latest:
    """A place's latest result and latest goal of one indicator."""

    indicator: Indicator
    result: Entry | None
    goal: Entry | None


def latest_by_indicator(entries: Sequence[Entry]) -> dict[str, Latest]:
    """Per indicator key: the newest result (a whole year's before part of a year's for a
    level, when both are there) and the newest goal."""
    out: dict[str, Latest] = {}
    by_key: dict[str, list[Entry]] = {}
    for e in entries:
        by_key.setdefault(e.key, []).append(e)
    for key, group in by_key.items():
        ind = indicator_for_key(key)
        if ind is None:
            continue
        newest = sorted(group, key=_newest_first, reverse=True)
        results = [e for e in newest if e.figure.role in _ACHIEVED]
        goal = next((e for e in newest if e.is_goal), None)
        result = results[0] if results else None
        if result is not None and ind.kind == "level" and not result.annual:
            result = next((e for e in results if e.annual), result)
        out[key] = Latest(ind, result, goal)
    return out


@dataclass(frozen=True)
class Series:
    """A place's results of one indicator over time, oldest first, one point per period."""

    indicator: Indicator
    points: list[Entry]
    goals: list[Entry]


def _x(e: Entry) -> str:
    return e.period.end.isoformat() if e.period.end else e.date


def series(indicator: Indicator, entries: Sequence[Entry]) -> Series:
    """The points of a chart line: results only (goals apart), one per period and value (the
    same figure reported again on another day is one point), and for a level only figures of
    one span (whole years, or parts of years: never both on one line)."""
    results = [e for e in entries if e.figure.role in _ACHIEVED]
    if indicator.kind == "level":
        annual = [e for e in results if e.annual]
        part = [e for e in results if not e.annual]
        results = annual if len(annual) >= len(part) else part
    seen: set[tuple[str, float]] = set()
    points: list[Entry] = []
    for e in sorted(results, key=lambda e: (_x(e), e.date, e.article_id)):
        # Without a period, the same value printed on another day is the same statistic.
        ident = (e.period.label, e.figure.value)
        if ident in seen:
            continue
        seen.add(ident)
        points.append(e)
    goals = sorted((e for e in entries if e.is_goal), key=_x)
    return Series(indicator, points, goals)


def date_range(entries: Iterable[Entry]) -> tuple[str, str]:
    """(earliest, latest) publication date of ``entries``; ('', '') if none is dated."""
    dates = sorted(e.date for e in entries if e.date)
    return (dates[0], dates[-1]) if dates else ("", "")


def sources(entries: Iterable[Entry]) -> list[str]:
    """The distinct source names of ``entries``, most frequent first."""
    counts: dict[str, int] = {}
    for e in entries:
        if e.source:
            counts[e.source] = counts.get(e.source, 0) + 1
    return sorted(counts, key=lambda s: (-counts[s], s))
