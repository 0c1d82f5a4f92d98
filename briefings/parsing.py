"""Parse OCR'd newspaper pages and single articles into Units (articles, continuations, fragments,
photo captions), using only the typography of Chinese newspapers: no segmenter, linear regexes.

How each decision is made, and what is not handled, is written up in docs/parsing.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from briefings.bylines import People, _split_trailing_credit, parse_people, people_from_author
from briefings.linking import link_parts
from briefings.models import Document, Unit, UnitKind
from briefings.typography import (
    _CANNOT_START,
    _CONT_FROM,
    _CONT_TO,
    _DANGLING,
    _DATELINE,
    _FUNCTION_END,
    _H,
    _HAN,
    _KICKER_END,
    _MAST_DATE,
    _MAST_EDITION,
    _MAST_LABEL,
    _MAST_PAPER,
    _META,
    _WS,
    CONTINUITY_STRONG,
    CONTINUITY_WEAK,
    MAX_TITLE_LINES,
    NOISE_MAX,
    SECTION_MAX,
    SUBHEAD_MAX,
    WRAP_TAIL_MAX,
    _cjk,
    _is_headline_like,
    _vis,
    is_unfinished,
    starts_mid_sentence,
)

# ---------------------------------------------------------------------------------------------
# Line classification and column-break rejoining
# ---------------------------------------------------------------------------------------------


@dataclass
class _Block:
    """One non-blank line (or several, after rejoining a column break) with what it looks like."""

    kind: str  # body headline kicker byline credit dateline cont mark_to meta noise lone
    text: str
    start: int
    end: int
    raw: str = ""
    value: str = ""  # the dateline, or the page of a continuation mark
    people: People | None = None
    cont_to: str = ""  # `(下转第3版)` found at the end of this block


def _classify(text: str, line_no: int) -> _Block:
    t = text.strip()
    b = _Block("body", t, line_no, line_no, raw=t)
    if _vis(t) < 2 or (not _HAN.search(t) and _vis(t) <= 6):
        b.kind = "noise"
        return b
    if _META.match(t):
        b.kind = "meta"
        return b
    if m := _CONT_FROM.match(t):
        b.kind, b.value, b.text = "cont", _WS.sub("", m.group("page")), t[m.end() :].strip()
    elif "转" in t and (m := _CONT_TO.search(t)):
        b.cont_to = _WS.sub("", m.group("page"))
        b.text = t[: m.start()].rstrip()
        if not b.text:
            b.kind = "mark_to"
            return b
    if b.kind == "cont":
        if m := _CONT_TO.search(b.text):
            b.cont_to, b.text = _WS.sub("", m.group("page")), b.text[: m.start()].rstrip()
        return b
    t = b.text
    if (people := parse_people(t)) is not None:
        b.kind, b.people = ("credit" if people.credit else "byline"), people
    elif m := _DATELINE.match(t):
        b.kind, b.value, b.text = "dateline", m.group("dl"), t[m.end() :].strip()
        who = m.group("who")
        if who and (p := parse_people(f"({who})")) is not None:
            b.people = p
        elif who:  # not a byline: keep the parenthesis in the text
            b.text = t[m.end("dl") :].strip()
    elif (
        _KICKER_END.search(t)
        and 4 <= _vis(t) <= 50
        and _HAN.search(t)
        and not re.search(r"[。！？!?]", t)
    ):
        b.kind = "kicker"
    elif _is_headline_like(t):
        b.kind = "headline"
    elif split := _split_trailing_credit(t):
        b.kind, b.text, b.people = "captionbody", split[0], split[1]
    return b


def _blocks(text: str) -> list[_Block]:
    """Classify every non-blank line, then rejoin words split by column breaks.

    A paragraph cut mid-sentence (see ``is_unfinished``) is glued to the next block when that
    block is body text; a headline-like next block is glued only when it begins with a mark no
    sentence starts with. Blank lines between the two parts do not matter.
    """
    out: list[_Block] = []
    for no, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        b = _classify(line, no)
        prev = out[-1] if out else None
        lone_han = len(b.text) == 1 and _HAN.match(b.text) is not None
        if b.kind == "noise" and (lone_han or b.text[:1] in _CANNOT_START):
            # One character alone on a line is a word cut by a column break (发 / 展的新动能…),
            # and closing marks alone (”。) are the end of a cut sentence: they belong to the
            # unfinished paragraph before them, or (a character) to the body text after it.
            b.kind = "lone"
        if prev is not None and prev.kind == "lone" and _HAN.match(prev.text) and b.kind == "body":
            out.pop()
            b.text, b.start = prev.text + b.text, prev.start
            prev = out[-1] if out else None
        if prev is not None and prev.kind == "kicker" and b.kind in ("body", "captionbody"):
            prev.kind = "body"  # a line ending in —— with body text under it: a cut sentence
        if (
            prev is not None
            and prev.kind in ("body", "dateline", "cont")
            and prev.text
            and not prev.cont_to
            and is_unfinished(prev.text)
            and (
                b.kind in ("body", "lone")
                or (b.kind == "headline" and b.text[0] in _CANNOT_START)
                or (b.kind == "captionbody" and prev.kind == "body")
            )
        ):
            # Chinese has no spaces between words: the two halves join directly.
            prev.text += b.text
            prev.end, prev.cont_to = b.end, b.cont_to
            if b.kind == "captionbody":
                prev.kind, prev.people = "captionbody", b.people
            continue
        out.append(b)
    for b in out:
        if b.kind == "lone":
            b.kind = "noise"  # nothing to join it to: stray OCR debris after all
    return out


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

    def add_paragraph(self, text: str, start: int, end: int) -> None:
        if text:
            self.unit.paragraphs.append(text)
            self.spans.append((start, end))
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


@dataclass
class _Header:
    kicker: _Block | None
    titles: list[_Block]
    noise: list[_Block]
    bylines: list[_Block]
    end: int  # index of the first block after the header

    @property
    def strong(self) -> bool:
        return self.kicker is not None or bool(self.bylines)


def _read_header(blocks: list[_Block], i: int) -> _Header | None:
    """Read kicker? + headline lines + bylines starting at ``i``; None if it is not a header."""
    j, kicker = i, None
    if blocks[j].kind == "kicker":
        kicker, j = blocks[j], j + 1
    lines: list[_Block] = []
    while j < len(blocks) and blocks[j].kind in ("headline", "noise") and len(lines) < 6:
        lines.append(blocks[j])
        j += 1
    bylines: list[_Block] = []
    while j < len(blocks) and blocks[j].kind == "byline" and not blocks[j].people.credit:
        bylines.append(blocks[j])
        j += 1
    titles, noise = _split_noise(lines, has_kicker=kicker is not None)
    if len(titles) > MAX_TITLE_LINES or (kicker is not None and not titles):
        return None
    if not titles and not bylines:
        return None
    return _Header(kicker, titles, noise, bylines, j)


def _split_noise(lines: list[_Block], *, has_kicker: bool) -> tuple[list[_Block], list[_Block]]:
    """Separate title lines from OCR debris: stray very short lines around a real title.

    A line of at most NOISE_MAX Han characters is debris once the block has a longer title
    line; a four-character line is debris after a two-deck title (大块头求稳重质 后来者精准选路).
    """
    titles: list[_Block] = []
    noise: list[_Block] = []
    has_long = any(_vis(b.text) > NOISE_MAX for b in lines if b.kind == "headline")
    for b in lines:
        v = _vis(b.text)
        short_han = b.kind == "headline" and _cjk(b.text) == _WS.sub("", b.text)
        after_decks = bool(titles) and _two_decks(titles[-1].text) is not None
        tiny = v <= NOISE_MAX and has_long
        four_after_decks = v == NOISE_MAX + 1 and after_decks
        debris = b.kind == "noise" or (short_han and (tiny or four_after_decks))
        (noise if debris else titles).append(b)
    return titles, noise


def _two_decks(text: str) -> tuple[str, str] | None:
    parts = text.strip().split()
    if len(parts) == 2 and all(_vis(p) >= 4 for p in parts):
        return parts[0], parts[1]
    return None


def _title_fields(titles: list[_Block], *, has_kicker: bool = False) -> tuple[str, str, str]:
    """(kicker, title, subtitle) from one to three headline lines.

    One line with two space-separated decks: equal halves are a couplet kept as one title,
    unequal ones are title + subtitle. A line starting with —— is a subtitle. Two lines of equal
    length are a couplet; a second line of a few characters, or a first one ending in a function
    word, is one headline wrapped; otherwise the two lines are title and subtitle. With three lines
    the first is the lead-in (引题), or the last the subtitle when a kicker is already there.
    """
    texts = [b.text.strip() for b in titles]
    kicker = subtitle = ""
    if len(texts) >= 2 and re.match(r"^[—－-]{1,2}", texts[-1]):
        subtitle = re.sub(r"^[—－-]{1,2}\s*", "", texts.pop())
    if len(texts) == 3 and has_kicker:
        subtitle = texts.pop() + subtitle
    elif len(texts) == 3:
        kicker = texts.pop(0)
    if len(texts) == 2:
        a, b = texts
        if _vis(a) == _vis(b):
            title = f"{a} {b}"
        elif _vis(b) <= WRAP_TAIL_MAX or a[-1] in _FUNCTION_END or a[-1] in _DANGLING:
            title = a + b  # one headline wrapped: 浙江民营企业加快布局 / 海外市场
        elif subtitle and has_kicker:
            title = a + b  # kicker and subtitle taken: keep every character in the title
        elif subtitle:
            kicker, title = a, b
        else:
            title, subtitle = (
                a,
                b,
            )  # two decks: 长三角科创金融改革试验区建设提速 / 湖州绿色金融再添新工具
    elif texts:
        title = texts[0]
        decks = _two_decks(title)
        if decks and not subtitle and _vis(decks[0]) != _vis(decks[1]):
            title, subtitle = decks
    else:
        title = ""
    return kicker, title, subtitle


def _trigrams(text: str) -> set[str]:
    s = _cjk(text)
    return set(map("".join, zip(s, s[1:], s[2:], strict=False)))


def _continuity(draft: _Draft, following: str) -> float:
    """Share of the following text's Han trigrams already used in the unit so far."""
    nxt = _trigrams(following[:300])
    if not nxt:
        return 0.0
    return len(nxt & _trigrams(draft.text())) / len(nxt)


class _PageBuilder:
    """A single pass over the blocks, keeping the unit being built (``cur``)."""

    def __init__(self, blocks: list[_Block]) -> None:
        self.blocks = blocks
        self.drafts: list[_Draft] = []
        self.cur: _Draft | None = None
        self.dropped: list[tuple[int, str]] = []
        self.section = ""
        self.page_label = ""

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
            elif k == "dateline":
                self.open("article", b.start, strong=True)
                self.dateline(b)
                i += 1
            else:
                if starts_mid_sentence(b.text) and not self.fresh():
                    self.open("fragment", b.start, strong=False)
                self.add_body(b)
                i += 1
        self.close()

    def fresh(self) -> bool:
        """The current unit has a header and no paragraph yet: the next body is its first."""
        return self.cur is not None and not self.cur.unit.paragraphs and self.cur.strong

    def attach_trailing_byline(self, b: _Block) -> bool:
        """`(记者 张三)` after the last paragraph: the byline of the article it closes."""
        cur = self.cur
        raw = b.text.strip()
        if cur is None or not cur.unit.paragraphs or cur.unit.byline or raw[0] not in "(（":
            return False
        assert b.people is not None
        cur.unit.byline = list(b.people.people)
        cur.extend(b.start, b.end)
        self.close()  # the byline in parentheses is printed where the article ends
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
        strong = h.strong or (nxt is not None and nxt.kind == "dateline")
        for n in h.noise:
            self.drop(n)
        kicker, title, subtitle = _title_fields(h.titles, has_kicker=h.kicker is not None)
        first = (h.kicker or (h.titles or h.bylines)[0]).start
        if not strong:
            if nxt is not None and nxt.kind == "cont" and len(h.titles) <= 2:
                # A jump headline printed just above `(紧接第一版)`: the continuation's title.
                jump = self.open("continuation", first, strong=True).unit
                jump.title, jump.subtitle, jump.kicker = title, subtitle, kicker
                nb = blocks[h.end]
                jump.continued_from = nb.value
                for x in marked:
                    self.set_continued_to(x.cont_to, x.start)
                self.add_body(nb)
                return h.end + 1
            if self.is_subhead(h, nxt):
                assert self.cur is not None
                self.cur.unit.subheads.append(h.titles[0].text)
                self.cur.extend(h.titles[0].start, h.titles[0].end)
                for x in marked:
                    self.set_continued_to(x.cont_to, x.start)
                return h.end
        d = self.open("article", first, strong=strong)
        u = d.unit
        u.kicker = h.kicker.text if h.kicker else kicker
        u.title, u.subtitle = title, subtitle
        for bl in h.bylines:
            assert bl.people is not None
            u.byline.extend(bl.people.people)
            d.extend(bl.start, bl.end)
        for t in h.titles:
            d.extend(t.start, t.end)
        for x in marked:
            self.set_continued_to(x.cont_to, x.start)
        if nxt is not None and nxt.kind == "dateline":
            self.dateline(nxt)
            return h.end + 1
        if not strong and nxt is not None and nxt.kind == "body" and starts_mid_sentence(nxt.text):
            self.close()  # a title whose body is elsewhere; the tail below is someone else's
        return h.end

    def is_subhead(self, h: _Header, nxt: _Block | None) -> bool:
        cur = self.cur
        if cur is None or len(h.titles) != 1 or h.bylines or h.kicker is not None:
            return False
        line = h.titles[0].text
        if not cur.unit.paragraphs or _vis(line) > SUBHEAD_MAX or _two_decks(line):
            return False
        if nxt is None or nxt.kind in ("kicker", "headline", "byline", "dateline", "cont"):
            return cur.strong  # a last short line: keep it with the article, never a new title
        if nxt.kind != "body" or starts_mid_sentence(nxt.text):
            return False
        following = [nxt.text]
        k = h.end + 1  # nxt is blocks[h.end]
        if k < len(self.blocks) and self.blocks[k].kind == "body":
            following.append(self.blocks[k].text)
        threshold = CONTINUITY_STRONG if cur.strong else CONTINUITY_WEAK
        return _continuity(cur, "".join(following)) >= threshold

    def caption(self, b: _Block, own: list[_Block]) -> None:
        """A photo credit closes a caption: its own text, or the paragraph just above it.

        A title-only block of one or two paragraphs (a photo news item), or a unit whose last
        paragraph shares its line with the header (本报讯… on one line), becomes the caption whole.
        """
        assert b.people is not None
        credit = list(b.people.people)
        cur = self.cur
        if own:  # caption text and credit on the same line
            self.open("caption", b.start, strong=False).unit.byline = credit
            self.add_body(b)
            self.close()
            return
        if cur is None:
            cap = self.open("caption", b.start, strong=False)
            cap.unit.byline = credit
            self.close()
            return
        u = cur.unit
        photo_item = not cur.strong and u.kind == "article" and len(u.paragraphs) <= 2
        if u.paragraphs and not (photo_item and not u.byline) and cur.can_pop():
            text, start, end = cur.pop_paragraph()
            self.close()
            cap = self.open("caption", start, strong=False)
            cap.unit.byline = credit
            cap.add_paragraph(text, start, end)
        else:
            cap = cur
            u.kind = "caption"
            u.byline.extend(p for p in credit if p not in u.byline)
        cap.extend(b.start, b.end)
        self.close()


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
            kicker, u.title, u.subtitle = _title_fields(h.titles, has_kicker=h.kicker is not None)
            u.kicker = h.kicker.text if h.kicker else kicker
            for b in h.titles:
                d.extend(b.start, b.end)
            i = h.end - len(h.bylines)  # bylines are read by the loop below
    for b in blocks[i:]:
        k = b.kind
        if k in ("byline", "credit") and b.people is not None:
            u.byline.extend(p for p in b.people.people if p not in u.byline)
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
