"""One hash per input file of everything ``analyze_document`` finds, to prove a change kept the
output byte for byte (speed work, refactors).

Usage:
    python bench/analysis_fingerprint.py --store --ingest > before.txt        # on the base tree
    python bench/analysis_fingerprint.py --store --ingest --check before.txt  # on your tree

Inputs: the dev set (``../shared/devset/*/*.txt``, skipped when missing), the same pages
converted to traditional characters (zhconv, zh-tw: the folded-copy paths), the sample page,
``tests/pages/*.txt``, the feed fixtures of ``tests/feeds/`` and the synthetic feed of
``bench/bench_fetch.py`` (4 feeds x 50 items). Per file, the JSON of every unit's
``to_json()`` plus what it leaves out (region spans, unrounded topic scores) is hashed; an input
that raises is hashed as its error message. ``--store`` adds one hash per table of a database
the documents were saved into (articles, mentions, figures, the FTS text; times and paths
left out).
``--ingest`` adds hashes of what ``ingest_paths`` stores from the dev set, tests/pages and the
sample page, and of its reports (twice: the second run finds everything known). The last line
is the total. ``--check`` compares with a saved run and lists the differences.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEVSET = REPO.parent / "shared" / "devset"
FETCHED = datetime(2026, 4, 15, 3, 0, tzinfo=UTC)


def _unit_payload(au) -> dict:
    out = au.to_json()
    out["region_spans"] = [[m.region.adcode, m.count, list(m.spans)] for m in au.regions]
    out["topic_scores"] = [[t.topic, repr(t.score)] for t in au.topics]
    return out


def _digest(payload: object) -> str:
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def inputs(traditional: bool):
    """(label, list of Documents or an error string) for every input, in a fixed order."""
    from briefings.errors import BriefingError
    from briefings.feeds import FeedError, document_key, item_document, parse_feed
    from briefings.reading import documents_from_bytes, read_documents

    def read(path: Path):
        try:
            return read_documents(path)
        except BriefingError as exc:
            return f"error: {exc}"

    dev = sorted(DEVSET.glob("*/*.txt")) if DEVSET.is_dir() else []
    for p in dev:
        yield f"devset/{p.parent.name}/{p.name}", read(p)
    if traditional and dev:
        import zhconv

        for p in dev:
            text = zhconv.convert(p.read_text(encoding="utf-8"), "zh-tw")
            try:
                docs = documents_from_bytes(text.encode("utf-8"), p)
            except BriefingError as exc:
                docs = f"error: {exc}"
            yield f"devset-tw/{p.parent.name}/{p.name}", docs
    yield "data/sample_page_2026-04-15.txt", read(REPO / "data" / "sample_page_2026-04-15.txt")
    for p in sorted((REPO / "tests" / "pages").glob("*.txt")):
        yield f"tests/pages/{p.name}", read(p)

    def feed_docs(data: bytes, url: str):
        try:
            parsed = parse_feed(data, url=url, fetched=FETCHED)
        except FeedError as exc:
            return f"error: {exc}"
        return [
            item_document(it, source="fixture", key=document_key(it, "fixture"))
            for it in parsed.items
        ]

    for p in sorted((REPO / "tests" / "feeds").iterdir()):
        if p.suffix == ".txt":
            yield f"tests/feeds/{p.name}", read(p)
        else:
            yield f"tests/feeds/{p.name}", feed_docs(p.read_bytes(), f"http://x/{p.name}")
    sys.path.insert(0, str(REPO / "bench"))
    from bench_fetch import make_feeds

    for k, data in enumerate(make_feeds(4, 50)):
        yield f"bench_fetch/feed{k}", feed_docs(data, f"http://127.0.0.1/feed/{k}")


_TABLES = {
    # Not the path: it says where the tree holding the dev set is.
    "documents": "SELECT key, kind, source, date, page, url, sha256 FROM documents ORDER BY id",
    "articles": "SELECT * FROM articles ORDER BY id",
    "mentions": "SELECT * FROM mentions ORDER BY article_id, adcode",
    "figures": "SELECT * FROM figures ORDER BY article_id, seq",
    "articles_fts": "SELECT rowid, title, body FROM articles_fts ORDER BY rowid",
}


def ingest_lines() -> list[str]:
    """Hashes of what ``ingest_paths`` stores from the dev set, tests/pages and the sample page,
    and of its reports, ingesting them twice (the second time everything is known)."""
    from briefings.pipeline import ingest_paths
    from briefings.store import Store

    inputs = [REPO / "tests" / "pages", REPO / "data" / "sample_page_2026-04-15.txt"]
    inputs += [DEVSET] if DEVSET.is_dir() else []
    lines = []
    with tempfile.TemporaryDirectory() as tmp, Store.open(Path(tmp) / "i.db") as store:
        for run in (1, 2):
            report = ingest_paths(store, inputs)
            fields = _without_places(dict(vars(report)))
            lines.append(f"{_digest(fields)}  ingest:report{run}")
        for table, sql in {**_TABLES, "ingested_files": _FILES}.items():
            rows = [list(r) for r in store.conn.execute(sql)]
            lines.append(f"{_digest(rows)}  ingest:{table}")
    return lines


_FILES = "SELECT sha256, size, documents FROM ingested_files ORDER BY sha256"


def _without_places(value: object) -> object:
    """Report fields with the trees' locations taken out of the paths they name."""
    if isinstance(value, str):
        return value.replace(str(DEVSET), "<devset>").replace(str(REPO), "<repo>")
    if isinstance(value, dict):
        return {k: _without_places(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_without_places(v) for v in value]
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--code", type=Path, help="import briefings from this tree instead")
    parser.add_argument("--check", type=Path, help="compare with a saved run")
    parser.add_argument("--store", action="store_true", help="also hash a database of them")
    parser.add_argument(
        "--ingest", action="store_true", help="also hash what ingest_paths stores and reports"
    )
    parser.add_argument("--no-traditional", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(args.code.resolve() if args.code else REPO))
    logging.getLogger("jieba").setLevel(logging.ERROR)
    from briefings.pipeline import analyze_document

    lines: list[str] = []
    saved: list = []
    for label, docs in inputs(not args.no_traditional):
        if isinstance(docs, str):
            payload: object = docs
        else:
            payload = []
            for doc in docs:
                try:
                    units = analyze_document(doc)
                except Exception as exc:  # hashed like any other output
                    payload.append(f"error: {type(exc).__name__}: {exc}")
                    continue
                payload.append([_unit_payload(au) for au in units])
                saved.append((doc, units))
        lines.append(f"{_digest(payload)}  {label}")
    if args.store:
        from briefings.store import Store

        with tempfile.TemporaryDirectory() as tmp, Store.open(Path(tmp) / "f.db") as store:
            for doc, units in saved:
                store.save_document(doc, units)
            for table, sql in _TABLES.items():
                rows = [list(r) for r in store.conn.execute(sql)]
                lines.append(f"{_digest(rows)}  store:{table}")
    if args.ingest:
        lines += ingest_lines()
    total = hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]
    lines.append(f"{total}  TOTAL ({len(lines)} inputs)")
    if not args.check:
        print("\n".join(lines))
        return
    want = dict(
        reversed(line.split("  ", 1)) for line in args.check.read_text().splitlines() if line
    )
    got = dict(reversed(line.split("  ", 1)) for line in lines)
    diff = [k for k in {**want, **got} if want.get(k) != got.get(k) and not k.startswith("TOTAL")]
    for k in diff:
        print(f"DIFFERS  {k}  (saved {want.get(k, '-')}, now {got.get(k, '-')})")
    print(f"{len(got) - 1} inputs, {len(diff)} differ; total {total}")
    sys.exit(1 if diff else 0)


if __name__ == "__main__":
    main()
