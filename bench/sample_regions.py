"""A random sample of the places the pipeline finds on dev pages, with the text around them.

Usage:
    python bench/sample_regions.py [--seed 3101] [--n 50] [--devset ../shared/devset]
                                   [--figures-only | --mentions-only] [--json] [--code TREE]

Runs the whole pipeline (read, parse, regions, figures) over every dev page and draws, with
``random.Random(seed)``, two samples: region mentions (each occurrence of a county- or city-level
name in a unit's headings or body, the name marked 【】 in 30 characters either side) and figures
that took a region (the region with the figure's sentence). Anyone can read them and judge again:
is this a place, and the right one? is this figure that place's? The same seed on the same code
and pages gives the same sample; a seed used to write a rule cannot measure it (record the seeds
used in bench/RESULTS.md). ``--code`` runs another tree's briefings (main's, for a before). Only
pages are read, nothing is written.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

DEVSET = REPO.parent / "shared" / "devset"
WIDTH = 30  # characters of context either side of a mention


@dataclass(frozen=True)
class Mention:
    """One occurrence of a place name as the pipeline reads it."""

    file: str
    title: str
    surface: str
    region: str  # full name with its province and city: 浙江省 宁波市 北仑区
    context: str  # the text around it, the name marked 【】

    def line(self) -> str:
        return f"{self.surface} → {self.region}"

    def around(self) -> str:
        return self.context


@dataclass(frozen=True)
class PlacedFigure:
    """A figure that took a region, with the sentence it came from."""

    file: str
    title: str
    region: str
    indicator: str
    text: str
    confident: bool
    sentence: str

    def line(self) -> str:
        mark = "confident" if self.confident else "sentence shown"
        return f"{self.region} · {self.indicator} · {self.text} ({mark})"

    def around(self) -> str:
        return self.sentence


def _where(region) -> str:
    parts = [region.province]
    if region.city and region.city != region.province:
        parts.append(region.city)
    if region.name not in parts:
        parts.append(region.name)
    return " ".join(parts)


def _context(text: str, start: int, end: int) -> str:
    left = text[max(0, start - WIDTH) : start]
    right = text[end : end + WIDTH]
    return f"{left}【{text[start:end]}】{right}".replace("\n", " / ")


def collect(devset: Path) -> tuple[list[Mention], list[PlacedFigure], int]:
    """Every mention and every placed figure of the dev pages, in page order, and the page count."""
    from briefings.pipeline import analyze_document
    from briefings.reading import read_documents
    from briefings.regions import find_mentions

    mentions: list[Mention] = []
    figures: list[PlacedFigure] = []
    pages = sorted(devset.glob("*/*.txt"))
    for path in pages:
        rel = path.relative_to(devset).as_posix()
        for doc in read_documents(path):
            for analysed in analyze_document(doc):
                unit = analysed.unit
                head = "\n".join(
                    x for x in (unit.kicker, unit.title, unit.subtitle, *unit.subheads) if x
                )
                # The same calls the pipeline makes (analyze_unit), so the spans are its own.
                for text in (head, unit.body):
                    for m in find_mentions(text) if text else ():
                        for s, e in m.spans:
                            mentions.append(
                                Mention(
                                    rel,
                                    unit.title,
                                    text[s:e],
                                    _where(m.region),
                                    _context(text, s, e),
                                )
                            )
                for f in analysed.figures:
                    if f.region:
                        figures.append(
                            PlacedFigure(
                                rel,
                                unit.title,
                                f.region,
                                f.indicator,
                                f.text,
                                f.confident,
                                f.sentence.strip(),
                            )
                        )
    return mentions, figures, len(pages)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--seed", type=int, default=3101)
    ap.add_argument("--n", type=int, default=50)
    ap.add_argument("--devset", type=Path, default=DEVSET)
    which = ap.add_mutually_exclusive_group()
    which.add_argument("--mentions-only", action="store_true")
    which.add_argument("--figures-only", action="store_true")
    ap.add_argument("--json", action="store_true", help="one JSON object a line")
    ap.add_argument("--code", type=Path, default=REPO, help="import briefings from this tree")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(args.code.resolve()))
    if not args.devset.is_dir():
        print(f"no dev set at {args.devset}", file=sys.stderr)
        return 2
    mentions, figures, pages = collect(args.devset)
    # One generator per sample, so the mention sample does not change with --figures-only.
    m_sample = random.Random(args.seed).sample(mentions, min(args.n, len(mentions)))
    f_sample = random.Random(args.seed + 1_000_000).sample(figures, min(args.n, len(figures)))
    if args.figures_only:
        m_sample = []
    if args.mentions_only:
        f_sample = []
    if args.json:
        for kind, items in (("mention", m_sample), ("figure", f_sample)):
            for x in items:
                print(json.dumps({"kind": kind, **asdict(x)}, ensure_ascii=False))
        return 0
    print(
        f"{pages} dev pages: {len(mentions)} region mentions, {len(figures)} figures with a "
        f"region; samples of {len(m_sample)} and {len(f_sample)}, seed {args.seed}\n"
    )
    samples = (("M", "region mentions", m_sample), ("F", "figures with a region", f_sample))
    for mark, heading, items in samples:
        if items:
            print(f"== {heading}")
        for i, x in enumerate(items, 1):
            print(f"{mark}{i:<3} {x.line()}")
            print(f"     {x.file} 《{x.title}》")
            print(f"     {x.around()}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
