"""Score the page parser against pages with a gold list of their articles (``gold.json``).

Usage:
    python bench/eval_pages.py [FOLDER ...] [--json] [--worst 10] [--failures]
                               [--set NAME=VALUE ...]

Each FOLDER holds page files and a ``gold.json`` (format: ../shared/devset/README.md). Without
folders, every folder of ``../shared/devset/`` (next to the repository) is scored. Figures are
printed per folder and for all folders together. ``--set CONTINUITY=0.012`` scores the parser
with one of its thresholds changed (any upper-case constant of briefings.typography,
briefings.headlines, briefings.blocks or briefings.parsing): how each month moves is how
bench/RESULTS.md's leave-one-month-out table was measured.

What counts as a predicted article. The parser returns units; a reader sees one item per
*top-level* unit: units linked to another one (``part_of``) are merged into it and count once.
Every top-level unit counts as one article, whatever its kind: a titled article, a
continuation, a titled photo item (kind ``caption`` with a title), and also an untitled fragment
or an untitled caption, because a reader meets those as separate items too. So a caption split
off the end of an article, or a fragment cut from the middle of one, makes the page count wrong.
Only units with a non-empty title offer a title.

Measures (text compared with all whitespace removed, nothing else normalised):
  title recall      gold titles equal to the title of some predicted article
  title precision   predicted titles equal to some gold title
  stray titles      predicted titles that are no gold article's title, per page
  exact count       pages whose number of predicted articles equals the gold number
  kicker / subtitle for gold articles whose title was found: the predicted kicker and subtitle
                    equal the gold ones (null and empty are the same); "roles" = both right
  body start        the first source line of the article after its kicker/title/subtitle lines
                    starts with the gold ``first_body`` (the first 20 characters of the body)
  paragraphs        paragraphs + sub-heads + notes (credits, author notes) of the article, with
                    its linked parts, equal the gold ``n_paragraphs``

Figures. After the pages, the figure extractor is scored against the hand-made figure gold
(``bench/figure_gold.jsonl``, scorer ``bench/eval_figures.py``): values found, indicator names
what is measured, region right, non-economic numbers shown, old values of from–to changes shown as
current. ``--no-figures`` skips it; ``python bench/eval_figures.py`` gives the full breakdown.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from briefings.models import Unit  # noqa: E402
from briefings.parsing import parse_page  # noqa: E402

DEVSET = REPO.parent / "shared" / "devset"
_WS = re.compile(r"\s+")


def norm(text: str | None) -> str:
    return _WS.sub("", text or "")


@dataclass
class Predicted:
    """One article as a reader sees it: a top-level unit with the parts linked to it."""

    host: Unit
    parts: list[Unit]
    body_start: str  # the source text where the body begins, whitespace removed

    @property
    def title(self) -> str:
        return norm(self.host.title)

    @property
    def n_paragraphs(self) -> int:
        units = [self.host, *self.parts]
        notes = sum(len(u.notes) for u in units)
        return sum(len(u.paragraphs) + len(u.subheads) for u in units) + notes


def _body_start(unit: Unit, lines: list[str]) -> str:
    """First source line of the unit below its header lines (kicker, title, subtitle)."""
    header = norm(unit.kicker + unit.title + unit.subtitle)
    for no in range(unit.line_start, unit.line_end + 1):
        t = norm(lines[no - 1]) if 0 < no <= len(lines) else ""
        if not t:
            continue
        if header and t in header:
            continue
        return t
    return ""


def predicted_articles(units: list[Unit], text: str) -> list[Predicted]:
    lines = text.split("\n")
    out: dict[int, Predicted] = {}
    for k, u in enumerate(units):
        if u.part_of is None:
            out[k] = Predicted(u, [], _body_start(u, lines))
    for u in units:
        if u.part_of is not None and u.part_of in out:
            out[u.part_of].parts.append(u)
    return list(out.values())


@dataclass
class PageScore:
    file: str
    gold: int
    predicted: int
    found: int
    titles: int  # predicted titles
    stray: list[str]
    missed: list[tuple[str, str]]  # (gold title, where it went)
    roles: list[tuple[bool, bool]] = field(default_factory=list)  # (kicker ok, subtitle ok)
    role_errors: list[str] = field(default_factory=list)
    body_ok: int = 0
    paras_ok: int = 0
    body_errors: list[str] = field(default_factory=list)

    @property
    def badness(self) -> int:
        return len(self.missed) + len(self.stray) + abs(self.gold - self.predicted)


def _where(gold_title: str, preds: list[Predicted]) -> str:
    """A short description of what became of a gold title the parser did not output."""
    g = norm(gold_title)
    for p in preds:
        for u in (p.host, *p.parts):
            t = norm(u.title)
            if u is not p.host and t == g:
                return "title of a linked part"
            if t and g in t:
                return f"inside title「{u.title}」"
            if t and t in g and len(t) >= 2:
                return f"cut to「{u.title}」"
            if norm(u.kicker) == g:
                return "as kicker"
            if norm(u.subtitle) == g:
                return "as subtitle"
            if any(norm(s) == g for s in u.subheads):
                return "as sub-head"
            if any(norm(x) == g for x in u.paragraphs):
                return "as paragraph"
            if any(g in norm(x) for x in u.paragraphs):
                return "inside a paragraph"
    return "lost"


def _what(stray: str, gold: list[dict[str, Any]]) -> str:
    s = norm(stray)
    for a in gold:
        if s == norm(a.get("kicker")):
            return "a kicker"
        if s == norm(a.get("subtitle")):
            return "a subtitle"
        if norm(a["title"]) in s:
            return "title + more"
        if s and s in norm(a["title"]):
            return "part of a title"
        if norm(a.get("first_body")).startswith(s[:20]):
            return "a body start"
    return "a body line"


def score_page(file: str, text: str, gold: list[dict[str, Any]]) -> PageScore:
    units = parse_page(text)
    preds = predicted_articles(units, text)
    by_title: dict[str, list[Predicted]] = {}
    for p in preds:
        if p.title:
            by_title.setdefault(p.title, []).append(p)
    gold_titles = {norm(a["title"]) for a in gold}
    stray = [p.host.title for p in preds if p.title and p.title not in gold_titles]
    s = PageScore(file, len(gold), len(preds), 0, sum(1 for p in preds if p.title), stray, [])
    for a in gold:
        hits = by_title.get(norm(a["title"]))
        if not hits:
            s.missed.append((a["title"], _where(a["title"], preds)))
            continue
        p = hits.pop(0)
        s.found += 1
        k_ok = norm(a.get("kicker")) == norm(p.host.kicker)
        st_ok = norm(a.get("subtitle")) == norm(p.host.subtitle)
        s.roles.append((k_ok, st_ok))
        if not k_ok:
            s.role_errors.append(f"kicker「{p.host.kicker}」≠「{a.get('kicker') or ''}」")
        if not st_ok:
            s.role_errors.append(f"subtitle「{p.host.subtitle}」≠「{a.get('subtitle') or ''}」")
        fb = norm(a.get("first_body"))
        short = len(a.get("first_body") or "") < 20  # the whole first paragraph
        if p.body_start.startswith(fb) and (not short or p.body_start == fb):
            s.body_ok += 1
        else:
            s.body_errors.append(f"body「{p.body_start[:20]}」≠「{fb}」")
        if p.n_paragraphs == a["n_paragraphs"]:
            s.paras_ok += 1
    return s


@dataclass
class Totals:
    pages: int = 0
    gold: int = 0
    found: int = 0
    titles: int = 0
    stray: int = 0
    exact: int = 0
    kicker_ok: int = 0
    subtitle_ok: int = 0
    roles_ok: int = 0
    body_ok: int = 0
    paras_ok: int = 0

    def add(self, s: PageScore) -> None:
        self.pages += 1
        self.gold += s.gold
        self.found += s.found
        self.titles += s.titles
        self.stray += len(s.stray)
        self.exact += s.gold == s.predicted
        self.kicker_ok += sum(k for k, _ in s.roles)
        self.subtitle_ok += sum(t for _, t in s.roles)
        self.roles_ok += sum(k and t for k, t in s.roles)
        self.body_ok += s.body_ok
        self.paras_ok += s.paras_ok

    def figures(self) -> dict[str, float | int]:
        def r(a: int, b: int) -> float:
            return round(a / b, 3) if b else 0.0

        return {
            "pages": self.pages,
            "gold_articles": self.gold,
            "title_recall": r(self.found, self.gold),
            "title_precision": r(self.found, self.titles),
            "stray_titles_per_page": r(self.stray, self.pages),
            "exact_count_pages": r(self.exact, self.pages),
            "kicker_right": r(self.kicker_ok, self.found),
            "subtitle_right": r(self.subtitle_ok, self.found),
            "roles_right": r(self.roles_ok, self.found),
            "body_start_right": r(self.body_ok, self.found),
            "paragraph_count_right": r(self.paras_ok, self.found),
        }


def score_folder(folder: Path) -> list[PageScore]:
    gold = json.loads((folder / "gold.json").read_text(encoding="utf-8"))
    scores = []
    for page in gold:
        text = (folder / page["file"]).read_text(encoding="utf-8")
        scores.append(score_page(page["file"], text, page["articles"]))
    return scores


def _failure_classes(scores: list[PageScore]) -> dict[str, int]:
    classes: dict[str, int] = {}
    for s in scores:
        for _, where in s.missed:
            key = "missed: " + re.sub(r"「.*」", "「…」", where)
            classes[key] = classes.get(key, 0) + 1
        for e in s.role_errors:
            key = "role: " + e.split("「")[0] + (" missing" if "「」≠" in e else " wrong")
            classes[key] = classes.get(key, 0) + 1
    return dict(sorted(classes.items(), key=lambda kv: -kv[1]))


def _stray_classes(scores: list[PageScore], golds: dict[str, list[dict[str, Any]]]) -> dict:
    classes: dict[str, int] = {}
    for s in scores:
        for t in s.stray:
            key = "stray: " + _what(t, golds[s.file])
            classes[key] = classes.get(key, 0) + 1
    return dict(sorted(classes.items(), key=lambda kv: -kv[1]))


def set_threshold(assignment: str) -> None:
    """NAME=VALUE: set an upper-case constant wherever the parser's modules hold a copy of it."""
    from briefings import blocks, headlines, parsing, typography

    name, _, raw = assignment.partition("=")
    holders = [m for m in (typography, headlines, blocks, parsing) if hasattr(m, name)]
    if not name.isupper() or not holders:
        sys.exit(f"no threshold named {name!r}")
    old = getattr(holders[0], name)
    try:
        value = type(old)(raw)
    except ValueError:
        sys.exit(f"{name} takes a {type(old).__name__}, not {raw!r}")
    for m in holders:
        setattr(m, name, value)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folders", nargs="*", type=Path)
    ap.add_argument("--json", action="store_true", help="machine-readable output")
    ap.add_argument("--worst", type=int, default=8, help="how many worst pages to list")
    ap.add_argument("--failures", action="store_true", help="list every miss and stray title")
    ap.add_argument(
        "--set", action="append", default=[], metavar="NAME=VALUE", help="change a threshold"
    )
    ap.add_argument("--no-figures", action="store_true", help="skip the figure gold")
    args = ap.parse_args()
    for assignment in args.set:
        set_threshold(assignment)
    folders = args.folders or sorted(p for p in DEVSET.glob("*") if (p / "gold.json").is_file())
    if not folders:
        sys.exit(f"no folder with gold.json (looked in {DEVSET})")
    t0 = time.perf_counter()
    per_folder: dict[str, list[PageScore]] = {}
    golds: dict[str, list[dict[str, Any]]] = {}
    for f in folders:
        per_folder[f.name] = score_folder(f)
        for page in json.loads((f / "gold.json").read_text(encoding="utf-8")):
            golds[page["file"]] = page["articles"]
    elapsed = time.perf_counter() - t0
    everything = [s for scores in per_folder.values() for s in scores]
    report: dict[str, Any] = {}
    for name, scores in [*per_folder.items(), ("all", everything)]:
        if name == "all" and len(per_folder) == 1:
            continue
        tot = Totals()
        for s in scores:
            tot.add(s)
        report[name] = tot.figures()
    worst = sorted(everything, key=lambda s: -s.badness)[: args.worst]
    classes = {**_failure_classes(everything), **_stray_classes(everything, golds)}
    if args.json:

        def page(s: PageScore) -> dict[str, Any]:
            return {
                "file": s.file,
                "gold": s.gold,
                "predicted": s.predicted,
                "missed": [{"title": t, "where": w} for t, w in s.missed],
                "stray": s.stray,
                "role_errors": s.role_errors,
            }

        out = {
            "figure_gold": _figure_measures() if not args.no_figures else None,
            "figures": report,
            "failure_classes": classes,
            "worst": [page(s) for s in worst],
            "pages": [page(s) for s in everything],
            "seconds": round(elapsed, 2),
        }
        print(json.dumps(out, ensure_ascii=False, indent=1))
        return
    names = list(report)
    print(f"{'':24}" + "".join(f"{n:>24}" for n in names))
    for key in report[names[0]]:
        print(f"{key:24}" + "".join(f"{report[n][key]:>24}" for n in names))
    print(f"\nfailure classes ({len(everything)} pages):")
    for k, v in classes.items():
        print(f"  {v:5}  {k}")
    print(f"\nworst {len(worst)} pages:")
    for s in worst:
        print(f"  {s.file}: gold {s.gold} articles, predicted {s.predicted}")
        for t, w in s.missed:
            print(f"    missed「{t}」: {w}")
        for t in s.stray:
            print(f"    stray「{t}」({_what(t, golds[s.file])})")
    if args.failures:
        print("\nevery page:")
        for s in everything:
            if s.badness or s.role_errors:
                print(f"  {s.file}: gold {s.gold}, predicted {s.predicted}")
                for t, w in s.missed:
                    print(f"    missed「{t}」: {w}")
                for t in s.stray:
                    print(f"    stray「{t}」({_what(t, golds[s.file])})")
                for e in s.role_errors + s.body_errors:
                    print(f"    {e}")
    print(f"\n{len(everything)} pages in {elapsed:.2f} s")
    if not args.no_figures:
        import eval_figures

        print("\nfigures on the gold (bench/eval_figures.py for the breakdown):")
        print(eval_figures.report(eval_figures.score(), failures=0).split("\nby part")[0])


def _figure_measures() -> dict[str, Any]:
    """The figure gold's measures and targets (bench/eval_figures.py), for --json."""
    import eval_figures

    result = eval_figures.score()
    return {"measures": result["measures"], "targets": result["targets"]}


if __name__ == "__main__":
    main()
