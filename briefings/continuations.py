"""Linking a continuation to the start of its article on another page of the same issue.

A front-page article often jumps: ``(下转第3版)`` ends its first part, and page 3 opens the rest
with ``(紧接第一版)``. Pages are ingested one at a time and in any order, so this runs at ingest,
in the transaction that stores a page (``Store.save_document``), over the continuation marks of
that issue (one paper, one date): each continuation whose source page is stored gets
``part_of`` = the article it continues, and the read paths (``briefings/stories.py``) show the
two as one article. Nothing is linked at read time.

Evidence:

- the page: the continuation names it (``紧接第一版`` → page 1), and the start must be on a
  stored page of that number (its masthead label, or a file name such as ``…-p01.txt``);
- the mark on the start: ``(下转第3版)`` pointing at the continuation's page (or any such mark
  when the continuation's own page is unknown). A start without it is never chosen: shared
  words alone linked a wrong article in 24 of 60 trials on the dev set's themed pages
  (``bench/eval_reader.py``), and a wrong link shows a reader someone else's story;
- shared vocabulary, to choose among several marked starts: Han bigrams both texts keep using
  (at least twice each) that no other candidate on that page uses as often.

One marked start is taken when the marks pair up (it is the only continuation on its page from
that page) or when it shares a keyword; among several, the best must share two and more than
the next. Two continuations of one page claiming one start are both left alone. A page that is
replaced is relinked: every link of the issue is recomputed from the stored rows.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from briefings.marks import HAN_RUN

# A marked start needs one distinctive shared keyword (none when the marks pair up); among
# several marked starts, the best needs two and more than the next.
MIN_AMONG_MARKED = 2
MIN_MARKED = 1
_MAX_CHAIN = 8

_CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")}
_LABEL = re.compile(r"^([A-Za-z]?)(\d{1,3}|[零一二三四五六七八九十]{1,3})$")
# Page numbers in file names: 2020-01-02-p07.txt, page3.txt, 第3版.txt, A2版.txt.
_PATH_PAGE = re.compile(
    r"(?:(?:^|[-_ .])(?:p|page)0*(\d{1,3})"
    r"|第\s*([A-Za-z]?\d{1,3})\s*版"
    r"|(?:^|[-_ ])([A-Za-z]?\d{1,3})版)$",
    re.IGNORECASE,
)


def _cn_number(text: str) -> int:
    """一 → 1, 十 → 10, 十二 → 12, 二十三 → 23; 0 for anything else."""
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        if len(tens) > 1 or len(ones) > 1:
            return 0
        t = _CN_DIGITS.get(tens, 0) if tens else 1
        o = _CN_DIGITS.get(ones, -1) if ones else 0
        return 10 * t + o if t and o >= 0 else 0
    return _CN_DIGITS.get(text, 0) if len(text) == 1 else 0


def page_number(label: str) -> str:
    """A page label in one form: 第一版, 一, 1, 01, 第1版 → ``1``; A2, 第A2版 → ``A2``; ``""``
    when it is not a page number."""
    t = "".join(label.split()).removeprefix("第").removesuffix("版")
    m = _LABEL.match(t)
    if not m:
        return ""
    n = _cn_number(m.group(2))
    return f"{m.group(1).upper()}{n}" if n > 0 else ""


def document_page(page: str, path: str) -> str:
    """A stored document's page number: its masthead label, else one its file name gives."""
    if found := page_number(page):
        return found
    stem = re.sub(r"\.[A-Za-z0-9]{1,8}$", "", path.replace("\\", "/").rsplit("/", 1)[-1])
    m = _PATH_PAGE.search(stem)
    return page_number(next(g for g in m.groups() if g)) if m else ""


def keywords(text: str) -> Counter[str]:
    """Han bigrams a text uses at least twice (its vocabulary, without one-off words)."""
    counts: Counter[str] = Counter()
    for run in HAN_RUN.findall(text):
        counts.update(run[i : i + 2] for i in range(len(run) - 1))
    return Counter({g: c for g, c in counts.items() if c >= 2})


@dataclass(frozen=True)
class _Unit:
    id: int
    document: int
    page: str
    kind: str
    continued_from: str
    continued_to: str
    part_of: int | None
    text: str


_UNIT_COLUMNS = (
    "a.id, a.document_id, d.page, d.path, a.kind, a.continued_from, a.continued_to, a.part_of,"
    " a.title, a.subtitle, a.kicker, a.subheads, a.body"
)


def _units(rows: Iterable[Sequence]) -> list[_Unit]:
    out = []
    for aid, doc, page, path, kind, cfrom, cto, part_of, title, sub, kicker, heads, body in rows:
        text = "\n".join([kicker, title, sub, *json.loads(heads or "[]"), body])
        out.append(_Unit(aid, doc, document_page(page, path), kind, cfrom, cto, part_of, text))
    return out


def _shared(cont: Counter[str], start: Counter[str], others: Sequence[Counter[str]]) -> int:
    """Keywords of both texts that no other candidate uses as often as the start does."""
    return sum(1 for g in cont.keys() & start.keys() if all(o.get(g, 0) < start[g] for o in others))


def choose_start(
    cont: Counter[str],
    candidates: Sequence[tuple[int, bool, Counter[str]]],
    *,
    paired: bool = False,
) -> int | None:
    """The id of the start a continuation (its keywords ``cont``) belongs to, among
    (id, carries the matching mark, keywords) candidates on its source page; None if unsure.

    Only a start that carries the mark is ever chosen: shared vocabulary alone links wrongly
    too often (on the dev set's themed pages a decoy shares as much as the true start). One
    marked start is the start when the marks pair up (``paired``: the only continuation on its
    page from that page) or when it shares a keyword; among several, vocabulary decides.
    """
    scored = []
    for i, (aid, marked, kws) in enumerate(candidates):
        others = [c[2] for j, c in enumerate(candidates) if j != i]
        scored.append((_shared(cont, kws, others), marked, aid))
    marked = sorted((s for s in scored if s[1]), reverse=True)
    if len(marked) == 1:
        return marked[0][2] if paired or marked[0][0] >= MIN_MARKED else None
    if not marked:
        return None
    best, second = marked[0][0], marked[1][0]
    return marked[0][2] if best >= MIN_AMONG_MARKED and best > second else None


def _chain(conn: sqlite3.Connection, start: int) -> set[int]:
    """``start`` and the articles it is (transitively) a part of."""
    seen = {start}
    current: int | None = start
    for _ in range(_MAX_CHAIN):
        row = conn.execute("SELECT part_of FROM articles WHERE id = ?", (current,)).fetchone()
        current = row[0] if row else None
        if current is None or current in seen:
            break
        seen.add(current)
    return seen


def link_issue(conn: sqlite3.Connection, source: str, date: str) -> dict[int, int | None]:
    """Relink every continuation of one issue to its start on another stored page.

    Returns the links that changed (continuation id → start id, or None when unlinked). Runs
    inside the caller's transaction; touches only the ``part_of`` of units with a continuation
    mark (the parser never links those), so links within a page stay as the parser made them.
    """
    if not date:
        return {}
    conts = _units(
        conn.execute(
            f"SELECT {_UNIT_COLUMNS} FROM articles a JOIN documents d ON d.id = a.document_id"
            " WHERE a.date = ? AND a.source = ? AND a.continued_from != ''"
            " AND (a.continued_from != '' OR a.continued_to != '')",
            (date, source),
        )
    )
    if not conts:
        return {}
    pages: dict[str, list[int]] = {}
    for doc, page, path in conn.execute(
        "SELECT id, page, path FROM documents WHERE date = ? AND source = ?", (date, source)
    ):
        if number := document_page(page, path):
            pages.setdefault(number, []).append(doc)
    chosen: dict[int, int | None] = {}  # continuation → its start
    jumps = Counter((c.document, page_number(c.continued_from)) for c in conts)
    for c in conts:
        target = page_number(c.continued_from)
        docs = [d for d in pages.get(target, ()) if d != c.document]
        paired = jumps[c.document, target] == 1
        chosen[c.id] = _pick(conn, c, docs, paired=paired) if target and docs else None
    # One start continues once on each page: two continuations of one page claiming the same
    # start are both left unlinked (one of them is wrong, and we cannot tell which).
    claims = Counter((start, c.document) for c in conts if (start := chosen[c.id]) is not None)
    changed: dict[int, int | None] = {}
    for c in conts:
        start = chosen[c.id]
        if start is not None and claims[start, c.document] > 1:
            start = None
        if start is not None and c.id in _chain(conn, start):
            start = None  # never a cycle
        if start != c.part_of:
            conn.execute("UPDATE articles SET part_of = ? WHERE id = ?", (start, c.id))
            changed[c.id] = start
    return changed


def _pick(conn: sqlite3.Connection, c: _Unit, docs: Sequence[int], *, paired: bool) -> int | None:
    """The start of continuation ``c`` among the articles of the documents ``docs``."""
    units = _units(
        conn.execute(
            f"SELECT {_UNIT_COLUMNS} FROM articles a JOIN documents d ON d.id = a.document_id"
            " WHERE a.document_id IN (SELECT value FROM json_each(?)) AND a.kind != 'caption'",
            (json.dumps(list(docs)),),
        )
    )
    here = c.page

    def marked(u: _Unit) -> bool:
        to = page_number(u.continued_to)
        return bool(to) and (to == here or not here)

    # A block the parser linked into an article on its page is part of that article: its mark
    # and its words are the article's. A start is an article, or a continuation that jumps again.
    host = {u.id: u.part_of for u in units if u.part_of is not None and not u.continued_from}
    starts = {
        u.id: u
        for u in units
        if u.id not in host
        and u.kind in ("article", "continuation")
        and (not u.continued_from or u.continued_to)
    }
    texts = {aid: [u.text] for aid, u in starts.items()}
    marks = {aid: marked(u) for aid, u in starts.items()}
    for u in units:
        if (owner := host.get(u.id)) in starts:
            texts[owner].append(u.text)
            marks[owner] = marks[owner] or marked(u)
    if not starts:
        return None
    parts = _units(
        conn.execute(
            f"SELECT {_UNIT_COLUMNS} FROM articles a JOIN documents d ON d.id = a.document_id"
            " WHERE a.part_of = ? AND a.document_id = ?",
            (c.id, c.document),
        )
    )
    cont = keywords("\n".join([c.text, *(p.text for p in parts)]))
    candidates = [(aid, marks[aid], keywords("\n".join(texts[aid]))) for aid in starts]
    return choose_start(cont, candidates, paired=paired)
