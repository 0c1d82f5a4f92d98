"""What a reader sees on unseen pages, and how well continuations are linked across pages.

Usage:
    python bench/eval_reader.py [--pages N] [--part replies|jumps|all] [--show 5]

``replies``: ingests N dev pages (../shared/devset/, all by default), then sends every reader
command of tests/test_reader_view.py plus ``/article`` for every stored article, ``/search``
for each page's first gold title word and ``/county`` for every region mentioned, and counts
the replies with a problem a reader would see (tests/replycheck.py: ``(无标题)``, line numbers,
doubled phrases, a bold headline that is no printed heading, invalid HTML, a choice without
buttons).

``jumps``: the dev set has no front pages, so front-page jumps are made from it: for each pair of
pages of the same month, the longest article of the first is cut in half at a paragraph; the
first half stays on page 1 and ends ``(下转第2版)``, the second opens page 2 with ``(紧接第一版)``
above the second page's own articles. Both pages are ingested (page 2 first, then page 1, as a
paper that arrives out of order) and the link is checked. Three variants: ``marked`` as above;
``unmarked`` without the ``(下转第2版)``; ``decoy``, page 1 without the cut article at all, where
any link is wrong. Figures: right links, wrong links, no link.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import random
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from replycheck import all_problems, headings  # noqa: E402

from bot.app import open_runtime  # noqa: E402
from bot.config import Config  # noqa: E402
from bot.console import Console  # noqa: E402
from briefings.parsing import parse_page  # noqa: E402
from briefings.pipeline import ingest_paths  # noqa: E402
from briefings.store import Store  # noqa: E402

DEVSET = REPO.parent / "shared" / "devset"


def dev_pages(limit: int | None) -> list[Path]:
    pages = sorted(p for folder in sorted(DEVSET.glob("*/")) for p in folder.glob("*.txt"))
    return pages[:limit] if limit else pages


# ---- replies ------------------------------------------------------------------------------


def eval_replies(pages: list[Path], show: int) -> dict:
    from test_reader_view import QUERIES

    with tempfile.TemporaryDirectory() as tmp:
        rt = open_runtime(Config(db_path=str(Path(tmp) / "dev.db")))
        try:
            start = time.perf_counter()
            rt.executor.submit(ingest_paths, rt.store, pages, source="人民日报").result()
            ingest_s = time.perf_counter() - start
            known = headings(rt.store.conn)
            conn = rt.store.conn
            queries = list(QUERIES)
            for folder in sorted(DEVSET.glob("*/")):
                gold = json.loads((folder / "gold.json").read_text("utf-8"))
                names = {p.name for p in pages}
                for page in gold:
                    if page["file"] in names and page["articles"]:
                        queries.append("/search " + page["articles"][0]["title"][:4])
            regions = [r[0] for r in conn.execute("SELECT DISTINCT name FROM mentions")]
            queries += [f"/county {name}" for name in regions if name]
            ids = [r[0] for r in conn.execute("SELECT id FROM articles ORDER BY id")]
            days = rt.store.dates(limit=400)
            console = Console(rt)
            bad: Counter[str] = Counter()
            examples: list[tuple[str, str]] = []
            n = 0
            asks = [(q, False, days[0]) for q in queries]
            asks += [("/today", False, day) for day in days]  # each issue's edition
            asks += [(f"/article {i}", True, days[0]) for i in ids]
            for text, article, day in asks:
                moment = datetime.fromisoformat(f"{day}T09:00:00+08:00")
                rt.clock = lambda moment=moment: moment
                replies = asyncio.run(console.send(text))
                n += 1
                found = all_problems(replies, known, article=article)
                for p in found:
                    bad[p.split(":")[0]] += 1
                if found and len(examples) < show:
                    examples.append((text, found[0]))
        finally:
            rt.close()
    return {
        "pages": len(pages),
        "replies": n,
        "with_problems": sum(bad.values()),
        "by_kind": dict(bad),
        "examples": examples,
        "ingest_s": round(ingest_s, 1),
    }


# ---- jumps across pages --------------------------------------------------------------------


def _gold(path: Path) -> list[dict]:
    gold = json.loads((path.parent / "gold.json").read_text("utf-8"))
    return next((p["articles"] for p in gold if p["file"] == path.name), [])


def _cut(text: str, gold: list[dict] | None = None) -> tuple[str, str, str, list[str]] | None:
    """(page without the article's second half, the second half, the page without the whole
    article, the first words of each paragraph of the first half) for the longest article of
    ``text``; None if none fits."""
    lines = text.split("\n")
    # Only an article the parser reads as the gold does (its title, its paragraph count): the
    # two halves are then the article's, not an artefact of a misread page.
    right = {
        ("".join((g["title"] or "").split()), g["n_paragraphs"]) for g in (gold or [])
    }
    units = [
        u
        for u in parse_page(text)
        if u.kind == "article"
        and len(u.paragraphs) >= 4
        and (
            gold is None
            or ("".join(u.title.split()), len(u.paragraphs) + len(u.subheads) + len(u.notes))
            in right
        )
    ]
    if not units:
        return None
    u = max(units, key=lambda x: len(x.body))
    cut = None
    # Cut after a paragraph that ends a sentence, as a paper jumps: never after a sub-head.
    for k in range(len(u.paragraphs) // 2, len(u.paragraphs) - 1):
        head = u.paragraphs[k][:12]
        at = next(
            (i for i in range(u.line_start - 1, u.line_end) if lines[i].strip().startswith(head)),
            None,
        )
        before = [x for x in lines[u.line_start - 1 : at or 0] if x.strip()]
        ends = bool(before) and before[-1].rstrip().endswith(("。", "！", "？", "”"))
        if at is not None and ends and any(p.endswith(before[-1].strip()) for p in u.paragraphs):
            cut = at
            break
    if cut is None:
        return None
    end = u.line_end
    first = [*lines[:cut]]
    while first and not first[-1].strip():
        first.pop()
    first[-1] += "(下转第2版)"
    page1 = "\n".join(["第1版 要闻", "", *first, "", *lines[end:]])
    second = "\n".join(lines[cut:end]).strip()
    decoy = "\n".join(["第1版 要闻", "", *lines[: u.line_start - 1], "", *lines[end:]])
    return page1, second, decoy, [para[:15] for para in u.paragraphs[:k]]


def eval_jumps(pages: list[Path], pairs: int, seed: int = 14) -> dict:
    rng = random.Random(seed)
    by_month: dict[str, list[Path]] = {}
    for p in pages:
        by_month.setdefault(p.parent.name, []).append(p)
    chosen = [pair for month in by_month.values() for pair in itertools.pairwise(month)]
    rng.shuffle(chosen)
    chosen = chosen[:pairs]
    results: dict[str, Counter[str]] = {v: Counter() for v in ("marked", "unmarked", "decoy")}
    with tempfile.TemporaryDirectory() as tmp:
        for n, (a, b) in enumerate(chosen):
            made = _cut(a.read_text("utf-8"), _gold(a))
            if made is None:
                continue
            page1, second, decoy, anchors = made
            page2 = "\n".join(["第2版 要闻", "", "(紧接第一版)" + second, "", b.read_text("utf-8")])
            variants = {
                "marked": page1,
                "unmarked": page1.replace("(下转第2版)", ""),
                "decoy": decoy,
            }
            for name, front in variants.items():
                folder = Path(tmp) / f"{n}-{name}"
                folder.mkdir()
                (folder / "p2.txt").write_text(page2, "utf-8")
                (folder / "p1.txt").write_text(front, "utf-8")
                with Store.open(folder / "x.db") as store:
                    date = "2020-03-01"
                    ingest_paths(store, [folder / "p2.txt"], date=date, source="人民日报")
                    ingest_paths(store, [folder / "p1.txt"], date=date, source="人民日报")
                    row = store.conn.execute(
                        "SELECT part_of FROM articles WHERE continued_from != ''"
                    ).fetchone()
                    # The article's first half, however the parser cut it into units.
                    # (or the article the parser joined it to on its page).
                    first_half = {
                        x
                        for anchor in anchors
                        for r in store.conn.execute(
                            "SELECT a.id, a.part_of FROM articles a JOIN documents d"
                            " ON d.id = a.document_id WHERE d.page = '1' AND instr(a.body, ?) > 0",
                            (anchor,),
                        )
                        for x in r
                        if x is not None
                    }
                if row is None:
                    results[name]["no continuation parsed"] += 1
                    continue
                want = first_half if name != "decoy" else set()
                if row[0] is None:
                    results[name]["right: none" if not want else "missed"] += 1
                elif row[0] in want:
                    results[name]["right"] += 1
                else:
                    results[name]["wrong"] += 1
    used = sum(results["marked"].values())
    return {"pairs": len(chosen), "cut": used, **{k: dict(v) for k, v in results.items()}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=0, help="dev pages to use (0: all)")
    parser.add_argument("--pairs", type=int, default=60, help="page pairs for the jump test")
    parser.add_argument("--part", choices=("replies", "jumps", "all"), default="all")
    parser.add_argument("--show", type=int, default=5, help="example problems to print")
    args = parser.parse_args(argv)
    if not DEVSET.is_dir():
        print(f"no dev set at {DEVSET}", file=sys.stderr)
        return 1
    pages = dev_pages(args.pages or None)
    if args.part in ("replies", "all"):
        print(json.dumps(eval_replies(pages, args.show), ensure_ascii=False, indent=1))
    if args.part in ("jumps", "all"):
        print(json.dumps(eval_jumps(pages, args.pairs), ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
