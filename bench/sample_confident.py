"""A random sample of the figures users see as figure lines, on dev pages outside the gold.

Usage:
    python bench/sample_confident.py [--seed 2026] [--n 40] [--devset ../shared/devset]
                                     [--gold bench/figure_gold.jsonl] [--json]

The figure gold's sentences were chosen for their figures, so its scores say little about what
a whole unseen page shows. This runs the whole pipeline (read, parse, regions, figures) over
every dev page *not* named in the gold, keeps the figures marked ``confident`` (shown to users
as ``region · indicator · value · period`` without their sentence), and prints a sample drawn
with ``random.Random(seed)``, each with its page, headline, sentence, indicator, subject, region,
value and role, so that anyone can read them and judge again. The same seed on the same code
and pages gives the same sample; a seed used to write a rule cannot measure it (record the seeds
used in bench/RESULTS.md).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from briefings.pipeline import analyze_document  # noqa: E402
from briefings.reading import read_documents  # noqa: E402

DEVSET = REPO.parent / "shared" / "devset"
GOLD = REPO / "bench" / "figure_gold.jsonl"


@dataclass(frozen=True)
class Seen:
    """One confident figure with where it came from."""

    file: str
    title: str
    sentence: str
    indicator: str
    subject: str
    region: str
    text: str
    period: str
    role: str

    def line(self) -> str:
        """The figure line as a user reads it."""
        parts = [self.region or "—", self.indicator, self.text]
        if self.period:
            parts.append(self.period)
        return " · ".join(parts)


# The fields of a Figure a Seen keeps, in its order after file and title.
_FIGURE_FIELDS = ("sentence", "indicator", "subject", "region", "text", "period", "role")


def gold_files(gold: Path) -> set[str]:
    """The pages named in the figure gold (relative to the dev set)."""
    names = set()
    for line in gold.read_text(encoding="utf-8").splitlines():
        if line.strip():
            names.add(json.loads(line)["file"])
    return names


def unseen_pages(devset: Path, gold: Path) -> list[Path]:
    """Every dev page not in the gold, in a fixed order."""
    used = gold_files(gold)
    return [
        p for p in sorted(devset.glob("*/*.txt")) if p.relative_to(devset).as_posix() not in used
    ]


def confident_figures(pages: list[Path], devset: Path) -> tuple[list[Seen], int]:
    """The confident figures of the pages, and how many figures there were in all."""
    seen: list[Seen] = []
    total = 0
    for path in pages:
        rel = path.relative_to(devset).as_posix()
        for doc in read_documents(path):
            for unit in analyze_document(doc):
                for f in unit.figures:
                    total += 1
                    if f.confident:
                        shown = (getattr(f, name) for name in _FIGURE_FIELDS)
                        seen.append(Seen(rel, unit.unit.title, *shown))
    return seen, total


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--n", type=int, default=40)
    ap.add_argument("--devset", type=Path, default=DEVSET)
    ap.add_argument("--gold", type=Path, default=GOLD)
    ap.add_argument("--json", action="store_true", help="one JSON object a line")
    args = ap.parse_args(argv)
    if not args.devset.is_dir():
        print(f"no dev set at {args.devset}", file=sys.stderr)
        return 2
    pages = unseen_pages(args.devset, args.gold)
    seen, total = confident_figures(pages, args.devset)
    sample = random.Random(args.seed).sample(seen, min(args.n, len(seen)))
    if args.json:
        for s in sample:
            print(json.dumps(s.__dict__, ensure_ascii=False))
        return 0
    print(
        f"{len(pages)} pages outside the gold: {total} figures, {len(seen)} confident "
        f"({len(seen) / max(total, 1):.0%}); sample of {len(sample)}, seed {args.seed}\n"
    )
    for i, s in enumerate(sample, 1):
        print(f"{i:>3}. {s.line()}")
        extra = f"subject {s.subject}; " if s.subject else ""
        print(f"     {extra}role {s.role}; {s.file} 《{s.title}》")
        print(f"     {s.sentence.strip()}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
