"""Parse OCR'd newspaper pages and single articles into Units (articles, continuations, fragments,
photo captions), using only the typography of Chinese newspapers: no segmenter, linear regexes.

How each decision is made, and what is not handled, is written up in docs/parsing.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from briefings.blocks import _Block, _blocks
from briefings.bylines import (
    _WRITER_TAIL,
    People,
    people_from_author,
)
from briefings.headlines import (
    has_column_tag,
    is_note_on_story,
    is_standing_head,
    is_subtitle_line,
    looks_like_subhead,
    title_fields,
)
from briefings.linking import link_parts
from briefings.models import Document, Unit, UnitKind
from briefings.typography import (
    _H,
    _KICKER_END,
    _LABEL,
    _MARKERS,
    _MAST_DATE,
    _MAST_EDITION,
    _MAST_LABEL,
    _MAST_PAPER,
    _PAREN_LINE,
    _WS,
    BRIEF_MAX,
    CAPTION_MAX,
    CONTINUITY,
    ECHO_MIN,
    FOLLOWING_MAX,
    LEAD_MAX,
    MAX_TITLE_LINES,
    NOISE_MAX,
    NOTE_CONTINUITY,
    RECENT_MAX,
    SECTION_MAX,
    SUBHEAD_MAX,
    SUBKICKER_MAX,
    _both,
    _cjk,
    _vis,
    ends_sentence,
    starts_mid_sentence,
)

# An editor's note opening a collection (编者按：…) or signing it (——编者).
_EDITORS_NOTE = _both(re.compile(r"^(?:[【\[]?编者按|——\s*编\s*者\s*$)"))
# Credits of a picture that name no photographer: an agency's (新华社发), a drawing and its
# verse (曹  一图  于  石文).
_PICTURE_NOTE = _both(
    re.compile(rf"^(?:[{_H}]{{1,6}}社发|[{_H}·\s]{{2,12}}?图\s+[{_H}·\s]{{2,12}}?文)$")
)
# A date on a line of its own, with the year: the last line of a document's signature.
_FULL_DATE = re.compile(r"^\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$")
# The paper's own dateline opening a note (本报华沙电, 本報…).
_OWN_DATELINE = _both(re.compile(r"^本报"))

# ---------------------------------------------------------------------------------------------
# Page assembly
# ---------------------------------------------------------------------------------------------


@dataclass
class PageParse:
    """Everything parse_page found: the units, the page section and label, and dropped lines.

    ``dropped`` holds (line number, text) of lines that belong to no unit: OCR debris such as a
    lone name between headline and byline, editor credits, masthead lines.
    """

    units: list[Unit]
    section: str = ""
    page_label: str = ""
    dropped: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class _Draft:
    unit: Unit
    strong: bool  # begins with a byline, dateline, kicker or continuation mark
    spans: list[tuple[int, int]] = field(default_factory=list)  # one per paragraph
    extents: list[tuple[int, int]] = field(default_factory=list)  # every block taken
    ended: bool = False  # an author note, credit or trailing byline closed its text
    column: bool = False  # a column of briefs (资讯, 速览): items under one column name
    closing: str = ""  # how the column's briefs are closed (see _closing)
    collection: bool = False  # an editor's note (编者按, ——编者) introduced items of readers
    cache: dict[tuple[bool, int, int, str], frozenset[str]] = field(default_factory=dict)
    last: str = ""  # what was added last: "header", "subhead" or "paragraph"
    layouts: list[tuple[str, int, bool]] = field(default_factory=list)  # of sub-heads taken
    heads: list[list[str]] = field(default_factory=list)  # the lines of each sub-head taken

    def add_paragraph(self, text: str, start: int, end: int) -> None:
        if _EDITORS_NOTE.match(text):
            self.collection = True
        if text:
            self.unit.paragraphs.append(text)
            self.spans.append((start, end))
            self.last = "paragraph"
        self.extend(start, end)

    def extend(self, start: int, end: int) -> None:
        self.extents.append((start, end))
        u = self.unit
        if len(self.extents) == 1:
            u.line_start, u.line_end = start, end
        else:
            u.line_start, u.line_end = min(u.line_start, start), max(u.line_end, end)

    def can_pop(self) -> bool:
        """The last paragraph has lines of its own, after everything else in the unit."""
        start = self.spans[-1][0]
        others = [x for x in self.extents if x != self.spans[-1]]
        return bool(self.unit.paragraphs[:-1]) and all(e < start for _, e in others)

    def pop_paragraph(self) -> tuple[str, int, int]:
        """Take the last paragraph back out (it was a photo caption) and shrink the range."""
        text = self.unit.paragraphs.pop()
        start, end = self.spans.pop()
        kept = [x for x in self.extents if x[0] < start] or [(start, start)]
        self.extents = []
        for x in kept:
            self.extend(*x)
        return text, start, end

    def text(self) -> str:
        u = self.unit
        return "\n".join([u.kicker, u.title, u.subtitle, *u.subheads, *u.paragraphs])

    def trigrams(self, *, recent: bool) -> frozenset[str]:
        """Han trigrams of the unit so far: its headings and paragraphs (only the last paragraphs
        up to RECENT_MAX characters when ``recent``), cached until something is added."""
        u = self.unit
        key = (recent, len(u.paragraphs), len(u.subheads), u.title)
        if key not in self.cache:
            paragraphs = u.paragraphs
            if recent:
                size, start = 0, len(paragraphs)
                while start > 0 and (not size or size + len(paragraphs[start - 1]) <= RECENT_MAX):
                    start -= 1
                    size += len(paragraphs[start])
                paragraphs = paragraphs[start:]
            lines = [u.kicker, u.title, u.subtitle, *u.subheads, *paragraphs]
            self.cache = {k: v for k, v in self.cache.items() if k[0] != recent}
            self.cache[key] = frozenset().union(*map(_trigrams, lines))
        return self.cache[key]


@dataclass
class _Header:
    kicker: _Block | None  # a lead-in ending in —— (or a name and a colon)
    titles: list[_Block]  # headline lines, and a subtitle in parentheses under them
    noise: list[_Block]
    bylines: list[_Block]
    end: int  # index of the first block after the header

    @property
    def strong(self) -> bool:
        return self.kicker is not None or bool(self.bylines)

    def texts(self) -> list[str]:
        return [b.text for b in ([self.kicker] if self.kicker else []) + self.titles]

    @property
    def layout(self) -> tuple[str, int, bool]:
        """How the header is set: its lead-in (a dash or a colon), its lines, a byline or not.
        Items of one collection are set alike (隔离宾馆—— / “让我们感到了家的温馨”)."""
        lead = ""
        if self.kicker is not None:
            lead = "dash" if _KICKER_END.search(self.kicker.text) else "colon"
            if re.search(r"[，,]", self.kicker.text):
                lead += " clause"  # 捐赠7.4亿元款物，构建…—— tells what happened, not who
        return lead, len(self.texts()), bool(self.bylines)


def _read_header(blocks: list[_Block], i: int) -> _Header | None:
    """Read kicker? + headline lines + bylines starting at ``i``; None if it is not a header."""
    j, kicker = i, None
    if blocks[j].kind == "kicker":
        kicker, j = blocks[j], j + 1
    lines: list[_Block] = []
    while j < len(blocks) and blocks[j].kind in ("headline", "noise") and len(lines) < 6:
        lines.append(blocks[j])
        j += 1
        if (
            len(lines) > 1
            and _FULL_DATE.match(lines[-1].text)
            and not any(_FULL_DATE.match(b.text) for b in lines[:-1])
        ):
            break  # 浙江省人民政府 / 2020年2月28日: a signature ends with its date
    if lines and kicker is None and is_subtitle_line(lines[0].text):
        return None  # ——编者, a signature under an editor's note: body text, not a headline
    if (
        lines
        and j + 1 < len(blocks)
        and blocks[j].kind == "note"
        and _PAREN_LINE.match(blocks[j].text)
        and blocks[j + 1].kind in ("body", "dateline")
    ):
        lines.append(blocks[j])  # （2020年1月17日，内比都） under a title: its subtitle
        j += 1
    elif (
        lines
        and lines[-1].kind == "headline"
        and j + 1 < len(blocks)
        and blocks[j].kind == "body"
        and not ends_sentence(blocks[j].text)
        and blocks[j].text[0] not in _MARKERS
        and not starts_mid_sentence(blocks[j].text)
        and blocks[j + 1].kind == "dateline"
    ):
        # Everything between a headline and the dateline opening its text is header matter: a
        # deck too long for a headline (进一步部署…；听取…) is the subtitle.
        lines.append(blocks[j])
        j += 1
    bylines: list[_Block] = []
    while j < len(blocks) and blocks[j].kind == "byline" and not blocks[j].people.credit:
        bylines.append(blocks[j])
        j += 1
    titles, noise = _split_noise(lines, before_byline=bool(bylines))
    if len(titles) > MAX_TITLE_LINES or (kicker is not None and not titles):
        return None
    if not titles and not bylines:
        return None
    return _Header(kicker, titles, noise, bylines, j)


def _split_noise(lines: list[_Block], *, before_byline: bool) -> tuple[list[_Block], list[_Block]]:
    """Separate title lines from OCR debris: stray very short lines between a title and its byline.

    A line of at most NOISE_MAX Han characters is debris once a longer title line stands above
    it; a four-character line is debris after a two-deck title (大块头求稳重质 后来者精准选路).
    Both only when a byline follows: elsewhere a short line is a headline of its own (送福), and
    above the title it is a column name (来论).
    """
    titles: list[_Block] = []
    noise: list[_Block] = []
    has_long = False
    for b in lines:
        v = _vis(b.text)
        short_han = before_byline and b.kind == "headline" and _cjk(b.text) == _WS.sub("", b.text)
        after_decks = bool(titles) and _two_halves(titles[-1].text)
        tiny = v <= NOISE_MAX and has_long
        has_long = has_long or (b.kind == "headline" and v > NOISE_MAX)
        four_after_decks = v == NOISE_MAX + 1 and after_decks
        debris = b.kind == "noise" or (short_han and (tiny or four_after_decks))
        (noise if debris else titles).append(b)
    return titles, noise


def _two_halves(text: str) -> bool:
    parts = text.strip().split()
    return len(parts) == 2 and all(_vis(p) >= 4 for p in parts)


@lru_cache(maxsize=512)  # about the paragraphs of a few pages
def _trigrams(text: str) -> frozenset[str]:
    """Han trigrams of one line or paragraph (memoised: each is compared several times)."""
    s = _cjk(text)
    return frozenset(map("".join, zip(s, s[1:], s[2:], strict=False)))


def _continuity(draft: _Draft, nxt: frozenset[str]) -> float:
    """Share of the following text's Han trigrams (``nxt``) already used in the unit: its
    headings and its last RECENT_MAX characters of text (a long article's early pages would
    match anything)."""
    if not nxt:
        return 0.0
    return len(nxt & draft.trigrams(recent=True)) / len(nxt)


def _echo(draft: _Draft, header: list[str]) -> float:
    """The largest share of a header line's Han trigrams already used in the unit so far."""
    known = draft.trigrams(recent=False)
    best = 0.0
    for line in header:
        tri = _trigrams(_KICKER_END.sub("", line))
        if len(tri) >= 3:
            best = max(best, len(tri & known) / len(tri))
    return best


def _closing(b: _Block) -> str:
    """How a brief is closed: "source" (（据新华社伦敦电 记者孙晓玲）), "own" (（本报华沙电）) or
    "name" (（王保良）)."""
    t = b.text.strip().lstrip("(（").strip()
    if t.startswith("据"):
        return "source"
    return "own" if _OWN_DATELINE.match(t) else "name"


def _names_work(draft: _Draft, line: str) -> bool:
    """The article names this line as a work in 《》 (中共中央印发《中国共产党…工作条例》, 《条例》
    全文如下): the line is the title of the document it reproduces."""
    t = _WS.sub("", line)
    u = draft.unit
    return any(
        _WS.sub("", m) == t
        for text in (u.kicker, u.title, *u.paragraphs[-1:])
        for m in re.findall(r"《([^《》]+)》", text)
    )


def _short_plain(text: str) -> bool:
    """A headline no longer than a sub-head, without clause commas (日本努力维持经济复苏势头), or
    wholly a quotation (“此刻，我们也是战士！”): no line cut by a column break looks so."""
    t = text.strip()
    if re.fullmatch(r"[“「『][^“”「」『』]+[”」』]", t):
        return True
    return _vis(t) <= SUBHEAD_MAX and re.search(r"[，,：:]", t) is None


def _wrote(byline: str) -> bool:
    """本报记者 程 焕整理, （本报记者 田豆豆整理）: a byline saying what the reporter did."""
    return _WRITER_TAIL.search(byline.rstrip(")）")) is not None


def _text_credit(people: People) -> bool:
    """文摄, 文/摄, 图/文: the photographer also wrote the caption, a photo item of its own."""
    c = _WS.sub("", people.credit)
    return "文" in c


class _PageBuilder:
    """A single pass over the blocks, keeping the unit being built (``cur``)."""

    def __init__(self, blocks: list[_Block]) -> None:
        self.blocks = blocks
        self.drafts: list[_Draft] = []
        self.cur: _Draft | None = None
        self.dropped: list[tuple[int, str]] = []
        self.section = ""
        self.page_label = ""
        self._closed: list[bool] | None = None  # see closed_runs

    # -- helpers ------------------------------------------------------------------------------
    def close(self) -> None:
        if self.cur is not None:
            self.drafts.append(self.cur)
        self.cur = None

    def drop(self, b: _Block) -> None:
        self.dropped.append((b.start, b.raw))

    def open(self, kind: UnitKind, start: int, *, strong: bool) -> _Draft:
        self.close()
        self.cur = _Draft(Unit(kind=kind), strong)
        self.cur.extend(start, start)
        return self.cur

    def add_body(self, b: _Block) -> None:
        if self.cur is None:
            self.open("fragment", b.start, strong=False)
        assert self.cur is not None
        self.cur.add_paragraph(b.text, b.start, b.end)
        if b.cont_to:
            self.set_continued_to(b.cont_to, b.start)
            self.close()

    def set_continued_to(self, page: str, line: int) -> None:
        """Record `(下转第3版)` on the current unit; a second mark for it is kept as dropped."""
        assert self.cur is not None
        if self.cur.unit.continued_to:
            self.dropped.append((line, f"(转{page})"))
        else:
            self.cur.unit.continued_to = page

    # -- page header --------------------------------------------------------------------------
    def read_masthead(self) -> int:
        """Consume date, edition and paper-name lines and the section; return the next index."""
        i = 0
        while i < len(self.blocks) and i < 8:
            b = self.blocks[i]
            t = _WS.sub(" ", b.text).strip()
            if b.cont_to:
                break
            if m := _MAST_EDITION.match(t):
                self.page_label = m.group("label") or m.group("label2")
                self.section = self.section or (m.group("section") or m.group("section2") or "")
            elif b.kind in ("meta", "noise") or any(
                r.match(t) for r in (_MAST_DATE, _MAST_PAPER, _MAST_LABEL)
            ):
                pass
            elif (
                not self.section
                and b.kind == "headline"
                and _vis(t) <= SECTION_MAX
                and re.fullmatch(rf"[{_H}·\s]+", t)
                and i + 1 < len(self.blocks)
                and self.blocks[i + 1].kind in ("kicker", "headline", "byline")
            ):
                self.section = t
            else:
                break
            if self.section != t:
                self.drop(b)
            i += 1
        return i

    # -- main loop ----------------------------------------------------------------------------
    def run(self) -> None:
        blocks = self.blocks
        i = self.read_masthead()
        while i < len(blocks):
            b = blocks[i]
            k = b.kind
            if k in ("noise", "meta"):
                self.drop(b)
                i += 1
            elif k == "cont":
                self.open("continuation", b.start, strong=True).unit.continued_from = b.value
                self.add_body(b)
                i += 1
            elif k == "mark_to":
                if self.cur is not None and not self.cur.unit.continued_to:
                    self.cur.unit.continued_to = b.cont_to
                    self.cur.extend(b.start, b.end)
                    self.close()
                else:
                    self.drop(b)
                i += 1
            elif k == "note":
                self.note(b)
                i += 1
            elif k == "credit":
                self.caption(b, [])
                i += 1
            elif k == "captionbody":
                self.caption(b, [b])
                i += 1
            elif k == "byline" and b.people and b.people.marked and self.attach_trailing_byline(b):
                i += 1
            elif k in ("kicker", "headline", "byline") and (h := _read_header(blocks, i)):
                i = self.header(h)
            elif k == "dateline" and self.cur is not None and self.cur.last == "subhead":
                self.add_body(_Block("body", b.raw, b.start, b.end, raw=b.raw, cont_to=b.cont_to))
                i += 1  # 本报电 under a brief's headline inside a column of briefs
            elif k == "dateline":
                self.open("article", b.start, strong=True)
                self.dateline(b)
                i += 1
            else:
                if k != "label" and starts_mid_sentence(b.text) and not self.fresh():
                    self.open("fragment", b.start, strong=False)
                self.add_body(b)
                if k == "label" and self.cur is not None:
                    self.cur.last = "label"
                i += 1
        self.close()

    def fresh(self) -> bool:
        """The current unit has a header and no paragraph yet: the next body is its first."""
        return self.cur is not None and not self.cur.unit.paragraphs and self.cur.strong

    def note(self, b: _Block) -> None:
        """An author note, a source or a graphics credit after the text: it ends the article."""
        if self.cur is None or not (self.cur.unit.paragraphs or self.cur.unit.title):
            self.drop(b)
            return
        if self.cur.last == "subhead":
            # (2010年4月21日中共中央政治局常委会会议审议批准) under a heading is its own line,
            # not a note closing the text
            self.add_body(b)
            return
        self.cur.unit.notes.append(b.raw)
        self.cur.extend(b.start, b.end)
        self.cur.ended = True

    def attach_trailing_byline(self, b: _Block) -> bool:
        """`(记者 张三)` after the last paragraph: the byline of the article it closes."""
        cur = self.cur
        raw = b.text.strip()
        if cur is None or not cur.unit.paragraphs:
            return False
        if raw[0] not in "(（" and not _wrote(raw):
            return False
        assert b.people is not None
        cur.unit.notes.append(b.raw)  # as printed: （本报记者杜海涛采访整理）
        if not cur.unit.byline:
            cur.unit.byline = list(b.people.people)
        cur.extend(b.start, b.end)
        # A byline in parentheses is printed where the article ends; 本报记者 程 焕整理 may close
        # one of several items of a collection, so it does not end the article by itself.
        cur.ended = raw[0] in "(（"
        return True

    def dateline(self, b: _Block) -> None:
        assert self.cur is not None
        u = self.cur.unit
        u.dateline = b.value
        if b.people and not u.byline:
            u.byline = list(b.people.people)
        elif b.people:
            u.byline.extend(p for p in b.people.people if p not in u.byline)
        self.add_body(b)

    def header(self, h: _Header) -> int:
        blocks = self.blocks
        marked = [x for x in (h.kicker, *h.titles, *h.bylines) if x is not None and x.cont_to]
        nxt = blocks[h.end] if h.end < len(blocks) else None
        above_dateline = nxt is not None and nxt.kind == "dateline"
        strong = h.strong or above_dateline
        for n in h.noise:
            self.drop(n)
        kicker, title, subtitle = title_fields(h.texts())
        first = (h.kicker or (h.titles or h.bylines)[0]).start
        if not strong and nxt is not None and nxt.kind == "cont" and len(h.titles) <= 2:
            # A jump headline printed just above `(紧接第一版)`: the continuation's title.
            jump = self.open("continuation", first, strong=True).unit
            jump.title, jump.subtitle, jump.kicker = title, subtitle, kicker
            jump.continued_from = nxt.value
            for x in marked:
                self.set_continued_to(x.cont_to, x.start)
            self.add_body(nxt)
            return h.end + 1
        if self.is_signature(h, nxt):
            self.sign(h)
            return h.end
        if not h.strong and self.brief_column_ahead(h):
            name, item = h.titles
            d = self.open("article", first, strong=False)
            d.unit.title, d.unit.subheads = name.text, [item.text]
            d.column, d.last = True, "subhead"
            d.closing = _closing(self.blocks[self.brief_ahead(h.end)])
            d.extend(item.start, item.end)
            return h.end
        in_column = self.cur is not None and self.cur.column and self.cur.ended
        if (in_column or not above_dateline) and h.titles and self.is_subhead(h, nxt):
            assert self.cur is not None
            for t in ([h.kicker] if h.kicker else []) + h.titles:
                self.cur.unit.subheads.append(t.text)
                self.cur.extend(t.start, t.end)
            self.cur.layouts.append(h.layout)
            self.cur.heads.append(h.texts())
            for bl in h.bylines:
                assert bl.people is not None
                byline = self.cur.unit.byline
                if any(p in byline for p in bl.people.people) or _wrote(bl.raw):
                    self.cur.unit.notes.append(bl.raw)  # kept as printed: 本报记者 程 焕整理
                byline.extend(p for p in bl.people.people if p not in byline)
                self.cur.extend(bl.start, bl.end)
            self.cur.last = "subhead"
            for x in marked:
                self.set_continued_to(x.cont_to, x.start)
            return h.end
        d = self.open("article", first, strong=strong)
        u = d.unit
        u.kicker, u.title, u.subtitle = kicker, title, subtitle
        d.last = "header"
        for bl in h.bylines:
            assert bl.people is not None
            u.byline.extend(bl.people.people)
            if _wrote(bl.raw):
                u.notes.append(bl.raw)  # 整理, 采写: what the reporter did, kept as printed
            d.extend(bl.start, bl.end)
        for t in ([h.kicker] if h.kicker else []) + h.titles:
            d.extend(t.start, t.end)
        for x in marked:
            self.set_continued_to(x.cont_to, x.start)
        if nxt is not None and nxt.kind == "dateline":
            self.dateline(nxt)
            return h.end + 1
        if not strong and nxt is not None and nxt.kind == "body" and starts_mid_sentence(nxt.text):
            self.close()  # a title whose body is elsewhere; the tail below is someone else's
        return h.end

    def is_signature(self, h: _Header, nxt: _Block | None) -> bool:
        """Lines under the text with no text of their own that sign it: the teller and the
        reporter who wrote it down (…村民张耀军讲述 / 本报记者 原韬雄整理), or a document's issuer
        and date (国务院应对新型冠状病毒 / 感染肺炎疫情联防联控机制 / 2020年2月28日)."""
        cur = self.cur
        if cur is None or cur.ended or cur.last != "paragraph" or h.kicker is not None:
            return False
        if nxt is not None and nxt.kind not in ("kicker", "headline", "note"):
            return False
        told = len(h.titles) == 1 and any(_wrote(b.raw) for b in h.bylines)
        dated = len(h.titles) >= 2 and not h.bylines and _FULL_DATE.match(h.titles[-1].text)
        return told or bool(dated)

    def sign(self, h: _Header) -> None:
        """Keep a signature as printed in the notes of the text it closes; its reporters join
        the byline."""
        assert self.cur is not None
        u = self.cur.unit
        for b in (*h.titles, *h.bylines):
            u.notes.append(b.raw)
            self.cur.extend(b.start, b.end)
            if b.people is not None:
                u.byline.extend(p for p in b.people.people if p not in u.byline)

    def is_subhead(self, h: _Header, nxt: _Block | None) -> bool:
        """A weak header inside an article is a sub-head unless something says a new one begins.

        A new article begins after the current one ended (an author note, a credit, a byline in
        parentheses), under a title with a column tag or a subtitle, above an editor's label or a
        photo credit (a photo item), and where the text under the header does not continue the
        article (few of its trigrams are already used in it).
        """
        cur = self.cur
        if cur is not None and cur.column and cur.ended and self.next_brief(h):
            cur.ended = False
            return True
        if cur is not None and cur.collection and cur.ended and cur.layouts[-1:] == [h.layout]:
            cur.ended = False  # the next item of the collection, after the last one's author note
            return True
        if (
            cur is not None
            and cur.unit.paragraphs
            and not cur.column
            and h.kicker is None
            and len(h.titles) == 1
            and is_note_on_story(h.titles[0].text)
        ):
            # 记者手记 under a report, before or after its closing byline: the report's own note
            # when it talks about the same people and places, a piece of its own otherwise.
            return _continuity(cur, self.section_trigrams(h.end)) >= NOTE_CONTINUITY
        if cur is None or not cur.unit.paragraphs or cur.ended:
            return False
        if cur.last == "label":
            return True  # ■延伸阅读 / 促进家政服务业提质扩容: the box the label announces
        if cur.column and len(h.texts()) == 1 and re.search(r"[，,]", h.texts()[0]):
            return True  # a line with a clause comma inside an open brief: its text, cut
        texts = [t.text for t in h.titles]
        if len(texts) == 1 and _names_work(cur, texts[0]):
            return True  # the text of the document the article announces (印发《…条例》)
        if len(texts) > 3 or any(has_column_tag(t) or is_standing_head(t) for t in texts):
            return False
        # A header with its own byline or lead-in usually starts an article; it is an item of
        # the current one only when its text clearly continues it (and a long lead-in is never
        # a sub-head's).
        marked = h.kicker is not None and _KICKER_END.search(h.kicker.text) is not None
        if len(texts) == 2 and is_subtitle_line(texts[1]):
            return False
        if self.in_series(h):
            return True
        if h.kicker is not None and _vis(_KICKER_END.sub("", h.kicker.text)) > SUBKICKER_MAX:
            return False
        if nxt is None or nxt.kind in ("kicker", "headline", "byline", "dateline", "cont"):
            # a last short line: keep it with the article, never a new title
            return cur.strong and len(texts) == 1 and _vis(texts[0]) <= SUBHEAD_MAX
        if nxt.kind != "body" or starts_mid_sentence(nxt.text):
            return False
        if self.photo_item_ahead(h.end):
            return False
        if looks_like_subhead(h.texts()):
            return True
        if cur.unit.dateline and (len(h.texts()) > 1 or _short_plain(texts[0])):
            # A dated report is one short piece: a lead-in and a title under it (打好武汉保卫战、
            # 湖北保卫战 / 再驰援！…) or a short plain headline (中国田径选手捷报连连) heads the
            # next article. A long line or one with clause commas is its text cut by a column.
            return False
        if (
            len(cur.heads) >= 2
            and len(h.texts()) > 1
            and _vis(_KICKER_END.sub("", h.texts()[0])) > SUBKICKER_MAX
            and all(
                len(lines) == 1 or max(map(_vis, lines)) <= SUBKICKER_MAX for lines in cur.heads
            )
        ):
            # An article's sub-heads are set alike: after two or more one-line sub-heads (or
            # couplets of short halves, 组织网络棋赛 / 随时随地参与), a full lead-in over a title
            # (温州医科大学在疫情防控中践行使命 / 和时间赛跑…) begins another article.
            return False
        if not h.kicker and len(texts) == 1 and re.fullmatch(r"[“「『].+[”」』]", texts[0].strip()):
            return True  # “把日子过得更红火”: a sub-head quoting the people of the story
        if cur.collection and not marked:
            return True  # an item of a collection the editor's note introduced
        if self.after_lead(h):
            return True
        c = _continuity(cur, self.section_trigrams(h.end))
        if c >= CONTINUITY and not marked:
            # A lead-in in —— heads an item only when the item is named (echo) or set like its
            # siblings (series); shared vocabulary alone does not make it one.
            return True
        if _echo(cur, h.texts()) >= ECHO_MIN:
            return True  # 数据标注员—— under 数据标注员、智能客服训练师……: an item it named
        if len(h.texts()) == 1 and self.feature_closed_ahead(h.end):
            return True
        if marked:
            return False
        # Two short clauses and a comma (交通设施日趋完善，春运保障更加有力) is how a feature's
        # sub-heads are set; a main headline rarely has one.
        return any(re.search(r"[，,]", t) for t in texts) and c > 0

    def after_lead(self, h: _Header) -> bool:
        """The first header under a title and its lead (LEAD_MAX paragraphs at most, no dateline,
        nothing that closed it): a feature opens with a lead and then its first section. A
        report is dated or runs longer; a title over one short paragraph and a credit is a
        photo item, decided before this."""
        cur = self.cur
        assert cur is not None
        u = cur.unit
        if u.kind != "article" or not u.title or u.dateline or u.subheads:
            return False
        lead = len(u.paragraphs)
        if u.paragraphs and _LABEL.match(u.paragraphs[0]):
            lead -= 2  # 核心阅读 and the summary it boxes stand apart from the lead
        return lead <= LEAD_MAX and len(h.texts()) <= 2

    def feature_closed_ahead(self, k: int) -> bool:
        """The current feature (a lead-in in —— over a tagged headline) is closed further down
        by its note (（刘南松  陈圣圣参与采写）) with nothing but one-line headings and text
        before it: those headings are its sections."""
        cur = self.cur
        assert cur is not None
        u = cur.unit
        if not (has_column_tag(u.title) and _KICKER_END.search(u.kicker)):
            return False
        return self.closed_runs()[k]

    def closed_runs(self) -> list[bool]:
        """For every block: does the text from there run on to a closing note or byline in
        parentheses through text and one-line untagged headings only? Computed once, backwards,
        so a page of many headings stays linear."""
        if self._closed is None:
            blocks = self.blocks
            runs = [False] * (len(blocks) + 1)
            for j in range(len(blocks) - 1, -1, -1):
                b = blocks[j]
                if b.kind == "note" or (b.kind == "byline" and b.people and b.people.marked):
                    runs[j] = True
                elif b.kind in ("body", "label"):
                    runs[j] = runs[j + 1]
                elif b.kind == "headline":
                    h = _read_header(blocks, j)
                    one_line = h is not None and len(h.texts()) == 1 and not h.bylines
                    runs[j] = one_line and not has_column_tag(h.texts()[0]) and runs[h.end]
            self._closed = runs
        return self._closed

    def in_series(self, h: _Header) -> bool:
        """An item of a feature's series: headers set alike (a lead-in and a title, 隔离宾馆—— /
        “让我们感到了家的温馨”; 湖南汉寿 / 细化防控措施 + byline) follow one another under a
        feature's headline (a column tag, a lead-in in ——, an editor's note)."""
        cur = self.cur
        assert cur is not None
        u = cur.unit
        feature = has_column_tag(u.title) or is_standing_head(u.title)
        if not (feature or cur.collection or _KICKER_END.search(u.kicker)):
            return False
        lead, lines, signed = h.layout
        if lines < 2 or not (lead or signed):
            return False  # two plain lines are how a news headline is set too
        if cur.layouts:
            return cur.layouts[-1] == h.layout
        nxt = self.next_header(h.end)
        return nxt is not None and nxt.layout == h.layout

    def next_header(self, k: int) -> _Header | None:
        """The next header at or after block ``k`` inside the same run of text, if one comes
        before a note, a credit, a dateline or a continuation ends it; it must not head a dated
        report (a dateline under it)."""
        blocks = self.blocks
        j = k
        while j < len(blocks):
            b = blocks[j]
            if b.kind in ("kicker", "headline", "byline"):
                h = _read_header(blocks, j)
                if h is not None:
                    after = blocks[h.end] if h.end < len(blocks) else None
                    dated = after is not None and after.kind == "dateline"
                    tagged = any(has_column_tag(t) for t in h.texts())
                    return None if dated or tagged else h
            elif b.kind not in ("body", "captionbody", "label", "noise", "meta"):
                return None
            j += 1
        return None

    def brief_ahead(self, k: int) -> int:
        """Index of the byline or note closing a brief (one to five paragraphs) at ``k``, or -1."""
        cut = 0
        for j in range(k, min(k + BRIEF_MAX + 1, len(self.blocks))):
            b = self.blocks[j]
            if b.kind in ("body", "dateline"):
                continue
            if b.kind == "headline" and j > k and not cut and re.search(r"[，,]", b.text):
                cut += 1  # a line with a clause comma inside a brief: its text cut by a column
                continue
            closing = b.kind == "note" or (b.kind == "byline" and b.people and b.people.marked)
            return j if closing and j > k else -1
        return -1

    def brief_column_ahead(self, h: _Header) -> bool:
        """资讯 / 中国市场监管年度十大新闻发布 / 本报电 … / （林丽鹂） / another brief's headline.

        A column name (a short plain line) above a brief's headline, the brief closed by its
        reporter's name in parentheses, and the next brief's headline after it.
        """
        if h.kicker is not None or len(h.titles) != 2:
            return False
        name, item = (t.text for t in h.titles)
        if not re.fullmatch(rf"[{_H}]{{2,{SECTION_MAX}}}", name) or has_column_tag(item):
            return False
        end = self.brief_ahead(h.end)
        return end > 0 and end + 1 < len(self.blocks) and self.blocks[end + 1].kind == "headline"

    def next_brief(self, h: _Header) -> bool:
        """The next brief of a column: a plain one-line headline over a brief closed the way
        the column's briefs are closed (a reprint's source, 据新华社伦敦电; the paper's own
        dateline, 本报华沙电; or a reporter's name): an article closed otherwise is not one."""
        if h.kicker is not None or h.bylines or len(h.titles) != 1:
            return False
        t = h.titles[0].text
        end = self.brief_ahead(h.end)
        cur = self.cur
        assert cur is not None
        return not has_column_tag(t) and end > 0 and _closing(self.blocks[end]) == cur.closing

    def section_trigrams(self, k: int) -> frozenset[str]:
        """Trigrams of the body text from block ``k`` to the next headline or note, up to
        FOLLOWING_MAX characters."""
        out: list[frozenset[str]] = []
        size = 0
        for b in self.blocks[k:]:
            if b.kind not in ("body", "captionbody", "label", "dateline") or size >= FOLLOWING_MAX:
                break
            out.append(_trigrams(b.text[: FOLLOWING_MAX - size]))
            size += len(b.text)
        return frozenset().union(*out)

    def photo_item_ahead(self, k: int) -> bool:
        """A caption (CAPTION_MAX paragraphs at most) and a picture's credit follow: a photo
        credit (杨梅清摄), an agency's (新华社发) or a drawing's (曹  一图  于  石文). The
        header titles a picture item."""
        for j in range(k, min(k + CAPTION_MAX + 1, len(self.blocks))):
            b = self.blocks[j]
            if b.kind in ("credit", "captionbody"):
                return j > k or b.kind == "captionbody"
            if b.kind == "note" and _PICTURE_NOTE.match(b.text):
                return j > k
            if b.kind != "body":
                return False
        return False

    def caption(self, b: _Block, own: list[_Block]) -> None:
        """A photo credit: the end of a photo item, or of the article whose photo it credits.

        A caption line with its credit on the same line is a caption of its own. A title-only
        block of one or two paragraphs becomes a titled photo item. A credit naming the
        caption's writer too (文摄) makes the paragraph just above it a caption of its own.
        Otherwise (摄, 摄（影像中国）) the credit is the last line of the current article.
        """
        assert b.people is not None
        credit = list(b.people.people)
        cur = self.cur
        if own:  # caption text and credit on the same line
            cap = self.open("caption", b.start, strong=False)
            cap.unit.byline, cap.unit.notes = credit, [b.value]
            self.add_body(b)
            self.close()
            return
        if cur is None:
            cap = self.open("caption", b.start, strong=False)
            cap.unit.byline = credit
            cap.unit.notes.append(b.raw)
            self.close()
            return
        u = cur.unit
        photo_item = not cur.strong and u.kind == "article" and len(u.paragraphs) <= 2
        if photo_item and not u.byline:
            u.kind = "caption"
            u.byline.extend(p for p in credit if p not in u.byline)
        elif _text_credit(b.people) and u.paragraphs and cur.can_pop():
            text, start, end = cur.pop_paragraph()
            self.close()
            cap = self.open("caption", start, strong=False)
            cap.unit.byline, cap.unit.notes = credit, [b.raw]
            cap.add_paragraph(text, start, end)
            cap.extend(b.start, b.end)
            self.close()
            return
        elif _text_credit(b.people) or not u.paragraphs:
            u.kind = "caption"
            u.byline.extend(p for p in credit if p not in u.byline)
            u.notes.append(b.raw)
            cur.extend(b.start, b.end)
            self.close()
            return
        u.notes.append(b.raw)
        cur.extend(b.start, b.end)
        cur.ended = True


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------


def parse_page_full(text: str) -> PageParse:
    """Parse a page and keep what was dropped, the section line and the page label."""
    builder = _PageBuilder(_blocks(text))
    builder.run()
    units = [d.unit for d in builder.drafts]
    for u in units:
        u.section = builder.section
    link_parts(units)
    return PageParse(units, builder.section, builder.page_label, builder.dropped)


def starts_article(unit: Unit) -> bool:
    """A unit that begins an article on the page: a continuation, a fragment, or an article
    headed by a byline, a dateline, a kicker, a subtitle or a column tag (（人民时评））."""
    if unit.kind in ("continuation", "fragment"):
        return True
    return unit.kind == "article" and bool(
        unit.byline or unit.dateline or unit.kicker or unit.subtitle or has_column_tag(unit.title)
    )


def parse_page(text: str) -> list[Unit]:
    """Split an OCR'd page into articles, continuations, fragments and captions."""
    return parse_page_full(text).units


def parse_article(text: str, title: str = "") -> list[Unit]:
    """Parse one article: title from the first lines (or ``title``), then byline, dateline, body.

    Every short standalone line inside the body is a sub-head; column breaks are rejoined the
    same way as on pages. Returns a single unit (an empty list for empty text).
    """
    blocks = [b for b in _blocks(text) if b.kind not in ("meta", "noise")]
    if not blocks:
        return []
    d = _Draft(Unit(kind="article", line_start=blocks[0].start, line_end=blocks[0].start), True)
    u = d.unit
    i = 0
    want = _WS.sub("", title)
    if want:
        u.title = title.strip()
        if _WS.sub("", blocks[0].raw) == want:
            d.extend(blocks[0].start, blocks[0].end)
            i = 1
    else:
        h = _read_header(blocks, 0) if blocks[0].kind in ("kicker", "headline") else None
        if h is not None:
            u.kicker, u.title, u.subtitle = title_fields(h.texts())
            for b in ([h.kicker] if h.kicker else []) + h.titles:
                d.extend(b.start, b.end)
            i = h.end - len(h.bylines)  # bylines are read by the loop below
    for b in blocks[i:]:
        k = b.kind
        if k in ("byline", "credit") and b.people is not None:
            u.byline.extend(p for p in b.people.people if p not in u.byline)
            if k == "credit" or (u.paragraphs and (b.people.marked or _wrote(b.raw))):
                u.notes.append(b.raw)  # a photo credit or a closing byline, as printed
            d.extend(b.start, b.end)
        elif k == "note" and u.paragraphs:
            u.notes.append(b.raw)  # （作者为…）, 本版制图：…: after the text, not part of it
            d.extend(b.start, b.end)
        elif k == "dateline" and not u.paragraphs and not u.dateline:
            u.dateline = b.value
            if b.people:
                u.byline.extend(p for p in b.people.people if p not in u.byline)
            d.add_paragraph(b.text, b.start, b.end)
        elif k == "dateline":
            d.add_paragraph(b.raw, b.start, b.end)
        elif k == "cont" and not u.paragraphs:
            u.continued_from = b.value
            d.add_paragraph(b.text, b.start, b.end)
        elif k == "mark_to":
            u.continued_to = b.cont_to
            d.extend(b.start, b.end)
        elif k == "headline" and u.paragraphs:
            u.subheads.append(b.text)
            d.extend(b.start, b.end)
        else:
            d.add_paragraph(b.text, b.start, b.end)
            if b.people is not None and k == "captionbody":
                u.byline.extend(p for p in b.people.people if p not in u.byline)
        if b.cont_to:
            u.continued_to = b.cont_to
    return [u]


def parse_document(doc: Document) -> list[Unit]:
    """Parse a read Document according to its kind (page, single article, JSON Lines record)."""
    if doc.kind == "page":
        return list(doc.parsed) if doc.parsed is not None else parse_page(doc.text)
    units = parse_article(doc.text, title=doc.title if doc.kind in ("jsonl", "feed") else "")
    if doc.author:
        for u in units:
            if not u.byline:
                u.byline = people_from_author(doc.author)
    return units


def iter_text_fields(unit: Unit) -> Iterable[str]:
    """Every text field of a unit, for checks that no character of the source went missing."""
    yield from (unit.section, unit.kicker, unit.title, unit.subtitle, unit.dateline)
    yield from (unit.continued_from, unit.continued_to)
    yield from (f"{p.role}{p.name}" for p in unit.byline)
    yield from unit.subheads
    yield from unit.paragraphs
    yield from unit.notes
