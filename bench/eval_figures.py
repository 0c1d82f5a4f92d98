"""Score figure extraction against a gold made by reading (bench/figure_gold.jsonl).

Usage:
    python bench/eval_figures.py [--gold bench/figure_gold.jsonl] [--devset ../shared/devset]
                                 [--failures 12] [--check] [--code DIR] [--json]

Every gold row is one number of a sentence somebody read: its file, a short anchor (the
sentence's first words), the value as printed, whether it is economic data, and for economic
numbers what it measures, its region and its role (current, from, goal, each, shared). Every
number of an annotated sentence is in the gold, so a figure the extractor takes from such a
sentence that is not an economic gold number is a false figure.

Positions are compared in the page text with all whitespace removed, so column breaks (a blank
line in mid-sentence) do not matter. The whole pipeline runs (read, parse, regions, figures), as
a user gets it.

Measures (targets in brackets):
  values found        economic gold numbers extracted with exactly the printed text   [>= 0.95]
  indicator names it  of those, subject + indicator contains the gold's key words     [>= 0.90]
  region right        of those, the extracted region is the gold one (none = none)    [>= 0.90]
  non-economic shown  extracted figures in annotated sentences that are no economic
                      gold number                                                     [<= 0.05]
  from shown current  old values of from-to changes extracted with any role but from  [== 0]
Also: role right, all right (value + indicator + region + role), and for figures the extractor
marks confident: how many are all right (what users see) and how many of the found ones it marks.

Indicator rule: ``accept`` lists alternatives; an alternative ``a+b`` needs both ``a`` and ``b``
in the extracted subject + indicator. The key words are nouns (销售额, 土特产+产值), so a bare verb
(跃升到) or a fragment never passes, and a subject is required where the bare indicator would
read as the region's own figure (公司+销售额, not 销售额).

``--check`` lists every gold row that cannot be located in its file (keeps the gold honest).
``score()`` is the entry point for other harnesses. Region mentions are scored too, against
bench/region_gold.jsonl (places named, and same characters that are not a place).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
GOLD = REPO / "bench" / "figure_gold.jsonl"
REGION_GOLD = REPO / "bench" / "region_gold.jsonl"
DEVSET = REPO.parent / "shared" / "devset"
TARGETS = {
    "values_found": (">=", 0.95),
    "indicator_ok": (">=", 0.90),
    "region_ok": (">=", 0.90),
    "non_economic_shown": ("<=", 0.05),
    "from_shown_current": ("==", 0),
}
_END_MARKS = "。！？；!?;"
_WINDOW = 400  # a gold value must lie this close after its anchor


def squeeze(text: str) -> str:
    """The text without any whitespace: column breaks and blank lines vanish."""
    return "".join(text.split())


@dataclass
class GoldRow:
    index: int
    raw: dict[str, Any]
    start: int = -1  # position of the value in the squeezed page, -1 if not located
    problem: str = ""

    @property
    def file(self) -> str:
        return self.raw["file"]

    @property
    def value(self) -> str:
        return squeeze(self.raw["value"])

    @property
    def end(self) -> int:
        return self.start + len(self.value)

    @property
    def economic(self) -> bool:
        return bool(self.raw["economic"])

    @property
    def role(self) -> str:
        return self.raw.get("role", "current")

    @property
    def tags(self) -> list[str]:
        return list(self.raw.get("tags", ()))

    def regions_ok(self) -> list[str | None]:
        region = self.raw.get("region")
        if isinstance(region, list):
            return [None]  # unused: shared rows are checked as a set
        return [region, *self.raw.get("region_ok", ())]

    def describe(self) -> str:
        return f"{self.file} «{self.raw['anchor']}» {self.raw['value']}"


@dataclass
class Extracted:
    """One figure of the pipeline, located in the squeezed page."""

    figure: Any
    start: int = -1

    @property
    def text(self) -> str:
        return squeeze(self.figure.text)

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    @property
    def role(self) -> str:
        role = getattr(self.figure, "role", None)
        if role:
            return role
        # Before roles existed, a goal was told by its indicator only.
        return "goal" if self.figure.indicator.endswith("目标") else "current"

    @property
    def named(self) -> str:
        subject = getattr(self.figure, "subject", "") or ""
        ind = self.figure.indicator
        return ind if subject in ind else subject + ind

    @property
    def confident(self) -> bool | None:
        return getattr(self.figure, "confident", None)

    def show(self) -> str:
        f = self.figure
        subject = getattr(f, "subject", "")
        head = f"{subject}|" if subject else ""
        return f"{f.region or '-'} · {head}{f.indicator} · {f.text} [{self.role}]"


def resolve(file: str, devset: Path) -> Path:
    """Gold paths are relative to the devset, except the bundled sample (``data/…``)."""
    return REPO / file if file.startswith("data/") else devset / file


def load_gold(path: Path) -> list[GoldRow]:
    rows = []
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        if line.strip():
            rows.append(GoldRow(i + 1, json.loads(line)))
    return rows


def locate_gold(rows: Sequence[GoldRow], page: str) -> None:
    """Set ``start`` of each row of one page (squeezed), or ``problem`` when it cannot be found."""
    for row in rows:
        anchor = squeeze(row.raw["anchor"])
        at = page.find(anchor)
        if at < 0:
            row.problem = "anchor not found"
            continue
        if page.find(anchor, at + 1) >= 0:
            row.problem = "anchor found more than once"
            continue
        pos = at - 1
        for _ in range(int(row.raw.get("nth", 1))):
            pos = _boundary_find(page, row.value, pos + 1)
            if pos < 0:
                break
        if pos < 0 or pos - at > _WINDOW:
            row.problem = f"value not found within {_WINDOW} characters after the anchor"
            continue
        row.start = pos


def sentence_spans(rows: Sequence[GoldRow], page: str) -> list[tuple[int, int]]:
    """Spans of the annotated sentences: anchor to the end mark after its last gold value."""
    by_anchor: dict[str, list[GoldRow]] = defaultdict(list)
    for row in rows:
        if row.start >= 0:
            by_anchor[row.raw["anchor"]].append(row)
    spans = []
    for anchor, group in by_anchor.items():
        start = page.find(squeeze(anchor))
        last = max(r.end for r in group)
        ends = [page.find(c, last) for c in _END_MARKS]
        end = min((e for e in ends if e >= 0), default=len(page))
        spans.append((start, end + 1))
    return spans


def _boundary_find(sentence: str, text: str, start: int) -> int:
    """Next occurrence of ``text`` at or after ``start`` that does not begin inside a number."""
    pos = sentence.find(text, start)
    while pos > 0 and (sentence[pos - 1].isdigit() or sentence[pos - 1] == "."):
        pos = sentence.find(text, pos + 1)
    return pos


def locate_extracted(figures: Iterable[Any], page: str) -> tuple[list[Extracted], int]:
    """Place each figure at its position in the squeezed page; count the ones that cannot be."""
    out: list[Extracted] = []
    lost = 0
    cursor: dict[str, int] = {}  # per sentence: where the next figure may start
    last: dict[str, Extracted] = {}
    for fig in figures:
        item = Extracted(fig)
        sentence = squeeze(fig.sentence)
        where = page.find(sentence) if sentence else -1
        prev = last.get(sentence)
        if where < 0 or not item.text:
            lost += 1
            continue
        if prev is not None and prev.text == item.text and item.role == prev.role == "shared":
            item.start = prev.start  # one statement shared by several places
        else:
            pos = _boundary_find(sentence, item.text, cursor.get(sentence, 0))
            if pos < 0:
                pos = _boundary_find(sentence, item.text, 0)
            if pos < 0:
                lost += 1
                continue
            item.start = where + pos
            cursor[sentence] = pos + 1
        last[sentence] = item
        out.append(item)
    return out, lost


def names_what_is_measured(named: str, accept: Sequence[str]) -> bool:
    """True when ``named`` (subject + indicator) holds every part of one accepted alternative."""
    return any(all(part in named for part in alt.split("+")) for alt in accept)


@dataclass
class Counts:
    economic: int = 0
    found: int = 0
    indicator_ok: int = 0
    region_ok: int = 0
    role_ok: int = 0
    all_ok: int = 0

    def add(self, other: Counts) -> None:
        for k in self.__dataclass_fields__:
            setattr(self, k, getattr(self, k) + getattr(other, k))

    def ratios(self) -> dict[str, float]:
        found = self.found or 1
        return {
            "values_found": self.found / (self.economic or 1),
            "indicator_ok": self.indicator_ok / found,
            "region_ok": self.region_ok / found,
            "role_ok": self.role_ok / found,
            "all_ok": self.all_ok / (self.economic or 1),
        }


@dataclass
class Result:
    counts: Counts = field(default_factory=Counts)
    by_group: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    by_tag: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    shown_in_spans: int = 0
    false_figures: int = 0
    from_rows: int = 0
    from_shown_current: int = 0
    confident: int = 0
    confident_right: int = 0
    found_confident: int = 0
    lost: int = 0
    failures: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))


def _region_right(row: GoldRow, matches: Sequence[Extracted]) -> bool:
    gold = row.raw.get("region")
    if isinstance(gold, list):
        return sorted({m.figure.region for m in matches}) == sorted(gold)
    allowed = {r or "" for r in row.regions_ok()}
    return all((m.figure.region or "") in allowed for m in matches)


def _region_one(row: GoldRow, item: Extracted) -> bool:
    """One extracted figure's region: for a statement shared by several places, any of them."""
    gold = row.raw.get("region")
    if isinstance(gold, list):
        return item.figure.region in gold
    return _region_right(row, [item])


def _role_right(row: GoldRow, matches: Sequence[Extracted]) -> bool:
    return all(m.role == row.role for m in matches)


def _group(file: str) -> str:
    return "sample" if file.startswith("data/") else file.split("/", maxsplit=1)[0]


def _score_page(rows: list[GoldRow], items: list[Extracted], page: str, res: Result) -> None:
    spans = sentence_spans(rows, page)
    claimed: set[int] = set()
    for row in rows:
        if row.start < 0:
            continue
        overlapping = [
            (i, it)
            for i, it in enumerate(items)
            if it.start >= 0 and it.start < row.end and row.start < it.end
        ]
        claimed.update(i for i, _ in overlapping)
        matches = [it for _, it in overlapping]
        if not row.economic:
            for it in matches:
                res.failures[f"non-economic shown ({row.raw.get('kind', '?')})"].append(
                    f"{row.describe()} → {it.show()}"
                )
            continue
        c = Counts(economic=1)
        exact = [m for m in matches if m.text == row.value]
        if row.role == "from":
            res.from_rows += 1
            if any(m.role != "from" for m in matches):
                res.from_shown_current += 1
                res.failures["from value shown as current"].append(
                    f"{row.describe()} → {'; '.join(m.show() for m in matches)}"
                )
        if not exact:
            why = "value not found" if not matches else "value text differs"
            shown = "; ".join(m.show() for m in matches)
            res.failures[why].append(row.describe() + (f" → {shown}" if shown else ""))
        else:
            c.found = 1
            named_ok = all(names_what_is_measured(m.named, row.raw["accept"]) for m in exact)
            region_ok = _region_right(row, exact)
            role_ok = _role_right(row, exact)
            c.indicator_ok, c.region_ok, c.role_ok = int(named_ok), int(region_ok), int(role_ok)
            c.all_ok = int(named_ok and region_ok and role_ok)
            want = f"(want {row.raw['indicator']} | {row.raw.get('region') or '-'} | {row.role})"
            got = "; ".join(m.show() for m in exact)
            if not named_ok:
                res.failures["indicator does not name what is measured"].append(
                    f"{row.describe()} → {got} {want}"
                )
            if not region_ok:
                res.failures["region wrong"].append(f"{row.describe()} → {got} {want}")
            if not role_ok and row.role != "from":
                res.failures["role wrong"].append(f"{row.describe()} → {got} {want}")
            marks = [m.confident for m in exact]
            if any(marks):
                res.found_confident += 1
        res.counts.add(c)
        res.by_group[_group(row.file)].add(c)
        for tag in row.tags:
            res.by_tag[tag].add(c)
    for i, it in enumerate(items):
        if not any(s <= it.start < e for s, e in spans):
            continue
        res.shown_in_spans += 1
        gold_here = [r for r in rows if r.start >= 0 and it.start < r.end and r.start < it.end]
        if not any(r.economic for r in gold_here):
            res.false_figures += 1
            if i not in claimed:
                res.failures["non-economic shown (not in the gold)"].append(
                    f"{rows[0].file} → {it.show()} «{it.figure.sentence[:30]}…»"
                )
        if it.confident:
            res.confident += 1
            right = [
                r
                for r in gold_here
                if r.economic
                and it.text == r.value
                and names_what_is_measured(it.named, r.raw["accept"])
                and _region_one(r, it)
                and _role_right(r, [it])
            ]
            if right:
                res.confident_right += 1
            else:
                res.failures["confident but not right"].append(f"{rows[0].file} → {it.show()}")


def default_analyze(path: Path) -> list[Any]:
    """All figures of a file, through the whole pipeline (read, parse, regions, figures)."""
    from briefings.pipeline import analyze_document
    from briefings.reading import read_documents

    return [f for doc in read_documents(path) for u in analyze_document(doc) for f in u.figures]


def check(gold_path: Path = GOLD, devset: Path = DEVSET) -> list[str]:
    """Every gold row that cannot be located in its file, as a line of text."""
    rows = load_gold(gold_path)
    problems = []
    by_file: dict[str, list[GoldRow]] = defaultdict(list)
    for row in rows:
        by_file[row.file].append(row)
    for file, group in by_file.items():
        path = resolve(file, devset)
        if not path.exists():
            problems += [f"line {r.index}: {r.describe()}: file missing" for r in group]
            continue
        locate_gold(group, squeeze(path.read_text(encoding="utf-8")))
        seen: dict[int, GoldRow] = {}
        for r in group:
            if r.problem:
                problems.append(f"line {r.index}: {r.describe()}: {r.problem}")
            elif r.start in seen:
                problems.append(
                    f"line {r.index}: {r.describe()}: same number as line {seen[r.start].index}"
                )
            else:
                seen[r.start] = r
    return problems


def score(
    gold_path: Path | str = GOLD,
    devset: Path | str | None = None,
    *,
    analyze: Callable[[Path], list[Any]] | None = None,
) -> dict[str, Any]:
    """Score the pipeline's figures against the gold; a dict of measures, counts and failures."""
    devset = Path(devset) if devset else DEVSET
    analyze = analyze or default_analyze
    rows = load_gold(Path(gold_path))
    by_file: dict[str, list[GoldRow]] = defaultdict(list)
    for row in rows:
        by_file[row.file].append(row)
    res = Result()
    unlocated = 0
    for file, group in sorted(by_file.items()):
        path = resolve(file, devset)
        if not path.exists():
            unlocated += len(group)
            continue
        page = squeeze(path.read_text(encoding="utf-8"))
        locate_gold(group, page)
        unlocated += sum(1 for r in group if r.problem)
        items, lost = locate_extracted(analyze(path), page)
        res.lost += lost
        _score_page(group, items, page, res)
    c = res.counts
    measures = c.ratios()
    measures["non_economic_shown"] = res.false_figures / (res.shown_in_spans or 1)
    measures["from_shown_current"] = res.from_shown_current
    measures["confident_right"] = res.confident_right / (res.confident or 1)
    measures["confident_coverage"] = res.found_confident / (c.found or 1)
    return {
        "measures": measures,
        "targets": {k: {"op": op, "value": v} for k, (op, v) in TARGETS.items()},
        "counts": {
            "gold_rows": len(rows),
            "economic": c.economic,
            "non_economic": len(rows) - c.economic - unlocated,
            "files": len(by_file),
            "found": c.found,
            "extracted_in_annotated_sentences": res.shown_in_spans,
            "false_figures": res.false_figures,
            "from_rows": res.from_rows,
            "confident": res.confident,
            "unlocated_gold_rows": unlocated,
            "unlocated_extracted": res.lost,
        },
        "by_group": {g: {**vars(k), **k.ratios()} for g, k in sorted(res.by_group.items())},
        "by_tag": {t: {**vars(k), **k.ratios()} for t, k in sorted(res.by_tag.items())},
        "failures": dict(sorted(res.failures.items())),
    }


def _region_rows(gold_path: Path, devset: Path) -> list[tuple[dict[str, Any], str, int]]:
    """Region gold rows with their page text and the surface's offset (-1: not locatable)."""
    out = []
    for line in Path(gold_path).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        path = resolve(row["file"], devset)
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        at = text.find(row["anchor"])
        unique = at >= 0 and text.find(row["anchor"], at + 1) < 0
        inner = row["anchor"].find(row["surface"]) if unique else -1
        out.append((row, text, at + inner if inner >= 0 else -1))
    return out


def score_regions(gold_path: Path | str = REGION_GOLD, devset: Path | str | None = None):
    """Region mentions against bench/region_gold.jsonl: names found where a place is named,
    nothing found where the same characters are not a place (瑞安·克罗克, 象山村)."""
    from briefings.regions import find_mentions

    devset = Path(devset) if devset else DEVSET
    pages: dict[str, list] = {}
    found = places = avoided = others = 0
    failures: list[str] = []
    for row, text, at in _region_rows(Path(gold_path), devset):
        if at < 0:
            failures.append(f"not locatable: {row['file']} «{row['anchor']}»")
            continue
        if row["file"] not in pages:
            try:
                pages[row["file"]] = find_mentions(text, provinces=True)
            except TypeError:  # before provinces could be asked for
                pages[row["file"]] = find_mentions(text)
        end = at + len(row["surface"])
        hits = [
            m.region.short for m in pages[row["file"]] for s, e in m.spans if s < end and at < e
        ]
        if row["region"]:
            places += 1
            ok = row["region"] in hits
            found += ok
        else:
            others += 1
            ok = not hits
            avoided += ok
        if not ok:
            failures.append(
                f"{row['file']} «{row['anchor']}» {row['surface']}: want "
                f"{row['region'] or 'no place'}, got {', '.join(hits) or 'nothing'} ({row['note']})"
            )
    return {
        "places_found": found / (places or 1),
        "false_hits_avoided": avoided / (others or 1),
        "counts": {"places": places, "not_places": others},
        "failures": failures,
    }


def _met(name: str, value: float) -> str:
    if name not in TARGETS:
        return ""
    op, target = TARGETS[name]
    ok = {">=": value >= target, "<=": value <= target, "==": value == target}[op]
    return f"  (target {op} {target}: {'met' if ok else 'NOT met'})"


def report(result: dict[str, Any], failures: int) -> str:
    m, n = result["measures"], result["counts"]
    lines = [
        f"gold: {n['gold_rows']} numbers in {n['files']} files, {n['economic']} economic, "
        f"{n['from_rows']} old values of from-to changes",
        f"  values found         {m['values_found']:.3f}  ({n['found']}/{n['economic']})"
        + _met("values_found", m["values_found"]),
        f"  indicator names it   {m['indicator_ok']:.3f}" + _met("indicator_ok", m["indicator_ok"]),
        f"  region right         {m['region_ok']:.3f}" + _met("region_ok", m["region_ok"]),
        f"  role right           {m['role_ok']:.3f}",
        f"  all right            {m['all_ok']:.3f}  (value, indicator, region and role)",
        f"  non-economic shown   {m['non_economic_shown']:.3f}  ({n['false_figures']}/"
        f"{n['extracted_in_annotated_sentences']} extracted in annotated sentences)"
        + _met("non_economic_shown", m["non_economic_shown"]),
        f"  from shown current   {m['from_shown_current']}"
        + _met("from_shown_current", m["from_shown_current"]),
        f"  confident: {n['confident']} figures, {m['confident_right']:.3f} all right; "
        f"{m['confident_coverage']:.3f} of found values marked confident",
    ]
    if n["unlocated_gold_rows"] or n["unlocated_extracted"]:
        lines.append(
            f"  unlocated: {n['unlocated_gold_rows']} gold rows (run --check), "
            f"{n['unlocated_extracted']} extracted figures"
        )
    lines.append("by part (found / indicator / region / all right):")
    for g, k in result["by_group"].items():
        lines.append(
            f"  {g:<22} n={k['economic']:<4} {k['values_found']:.2f} / {k['indicator_ok']:.2f}"
            f" / {k['region_ok']:.2f} / {k['all_ok']:.2f}"
        )
    lines.append("by class of the gold (found / indicator / region / all right):")
    for t, k in result["by_tag"].items():
        lines.append(
            f"  {t:<22} n={k['economic']:<4} {k['values_found']:.2f} / {k['indicator_ok']:.2f}"
            f" / {k['region_ok']:.2f} / {k['all_ok']:.2f}"
        )
    if failures:
        for kind, items in result["failures"].items():
            lines.append(f"-- {kind}: {len(items)}")
            lines += [f"   {x}" for x in items[:failures]]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=GOLD)
    parser.add_argument("--devset", type=Path, default=DEVSET)
    parser.add_argument("--failures", type=int, default=12, help="examples per failure class")
    parser.add_argument("--check", action="store_true", help="list gold rows not locatable")
    parser.add_argument("--code", type=Path, help="import briefings from this tree instead")
    parser.add_argument("--json", action="store_true", help="print the full result as JSON")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(args.code.resolve() if args.code else REPO))
    if args.check:
        problems = check(args.gold, args.devset)
        problems += [
            f"region gold: {r['file']} «{r['anchor']}» not locatable"
            for r, _, at in _region_rows(REGION_GOLD, args.devset)
            if at < 0
        ]
        print("\n".join(problems) or f"all {len(load_gold(args.gold))} gold rows located")
        return 1 if problems else 0
    import logging

    logging.getLogger("jieba").setLevel(logging.ERROR)
    result = score(args.gold, args.devset)
    regions = score_regions(REGION_GOLD, args.devset)
    if args.json:
        json.dump({**result, "region_mentions": regions}, sys.stdout, ensure_ascii=False, indent=1)
        print()
    else:
        print(report(result, args.failures))
        n = regions["counts"]
        print(
            f"region mentions ({REGION_GOLD.name}): places found {regions['places_found']:.3f} "
            f"of {n['places']}, false hits avoided {regions['false_hits_avoided']:.3f} "
            f"of {n['not_places']}"
        )
        for line in regions["failures"][: args.failures]:
            print(f"   {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
