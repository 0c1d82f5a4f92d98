"""Parse OCR'd newspaper pages and single articles into Units (articles, continuations, fragments,
photo captions), using only the typography of Chinese newspapers: no segmenter, linear regexes.

How each decision is made, and what is not handled, is written up in docs/parsing.md.
"""

from __future__ import annotations

import operator
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from briefings.models import Document, Person, Unit, UnitKind

# ---------------------------------------------------------------------------------------------
# Typography
# ---------------------------------------------------------------------------------------------

_H = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # Han characters (with Extension A, compatibility)
_HAN = re.compile(f"[{_H}]")
_NOT_HAN = re.compile(f"[^{_H}]+")
_WS = re.compile(r"\s+")

# Marks that end a sentence; a line ending in one of them (maybe followed by closers) is complete.
_END = "。！？!?…；;．"
_CLOSERS = "”’」』）)》】〉"
_OPENERS = "“‘「『（(《【〈"
# A line ending in one of these is cut mid-sentence: the sentence goes on in the next block.
_DANGLING = ",，、:：—─" + _OPENERS
# Function words that need something after them; with a comma in the line they mark a cut.
_FUNCTION_END = frozenset("的之与和及或把被对从向在于将为以让使给并而但且")
# A paragraph never starts with these: a block that does is the tail of a sentence.
_CANNOT_START = "”’」』）》】〉,，、。．；;：:！!？?…%"

HEADLINE_MAX = 40  # visible characters; longer unpunctuated lines are body text
SUBHEAD_MAX = 16  # sub-heads inside an article are short
SECTION_MAX = 6  # 要闻, 经济新闻, 县域·观察
NOISE_MAX = 3  # a lone line this short in a headline block is OCR debris (清金樾)
MAX_TITLE_LINES = 3
# Trigram overlap between the text after a short line and the unit so far, above which the
# line is a sub-head of that unit rather than the title of a new one (see docs/parsing.md).
CONTINUITY_STRONG = 0.02  # the unit has a byline, dateline, kicker or continuation mark
CONTINUITY_WEAK = 0.05  # the unit is a fragment or a title-only article

_KICKER_END = re.compile(r"(?:——|──|—|--)\s*$")
_MARKERS = "■□●◆◇▲△▼★☆◎▌▍▎"

_ROLE = re.compile(
    rf"^(?:共享联盟·?[{_H}]{{1,8}}"
    rf"|[{_H}]{{0,8}}?(?:记者|通讯员|实习生|撰稿人?|评论员|摄影师?|编译|整理|特约撰稿))$"
)
_ROLE_NAME = re.compile(
    rf"^((?:本报|新华社|中新社)?(?:特约|首席|见习|实习)?(?:记者|通讯员|实习生))([{_H}]{{2,4}})$"
)
_NAME = re.compile(rf"^(?:[{_H}]{{2,4}}|[{_H}]{{1,8}}(?:[·•・][{_H}]{{1,8}})+)$")
# Photo credit at the end of a byline-like line: 文摄, 摄, 供图 … (摄 may be glued to the name).
_CREDIT_TAIL = re.compile(
    rf"(?:\s+|(?<=[{_H}]))(?P<credit>文\s*[/／]\s*摄|摄)\s*$"
    r"|\s+(?P<credit2>文\s*[/／]\s*图|图\s*[/／]\s*文|文摄|摄影|供图|制图|绘图|绘|图|视频)\s*$"
)
# The last character of every credit above: a cheap test before searching a whole line for one.
_CREDIT_LAST = frozenset("摄文影图绘频")

_MD = r"\d{1,2}月\d{1,2}日"
# News agencies and papers whose datelines (新华社北京4月14日电) open reprinted articles.
_AGENCIES = "|".join(
    [
        *("新华社", "中新社", "中国新闻社", "中新网", "新华网", "人民网", "央视网"),
        *("人民日报", "光明日报", "经济日报", "工人日报", "中国日报"),
    ]
)
_DATELINE = re.compile(
    rf"^\s*(?P<dl>本报(?!记者|通讯员)[{_H}]{{0,6}}?(?:{_MD})?[讯电]"
    rf"|据?(?:{_AGENCIES})[{_H}]{{1,10}}?{_MD}[电讯])"
    r"\s*(?:[(（](?P<who>[^()（）\n]{1,60})[)）])?"
)
_CONT_FROM = re.compile(
    r"^\s*[(（]\s*(?:紧接|上接|接|续)\s*(?P<page>第?\s*[A-Za-z]?[\d一二三四五六七八九十]{1,3}\s*版)"
    r"\s*[)）]\s*"
)
_CONT_TO = re.compile(
    r"\s*[(（]\s*(?:下转|转至?|转第)\s*(?P<page>第?\s*[A-Za-z]?[\d一二三四五六七八九十]{1,3}\s*版)"
    r"\s*[)）]\s*$"
)
# Editor credits and the metadata lines of web exports: never part of a unit.
_META = re.compile(
    r"^[(（]?\s*(?:本版)?(?:责任编辑|责编|编辑|美编|校对|版式设计|版面设计|美术编辑|组版|审核|监制)"
    r"\s*[:：\s]|^(?:来源|作者|发布时间|发布日期|出版日期)\s*[:：]"
)
_MAST_DATE = re.compile(
    r"^(?:\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}[-/.]\d{1,2}[-/.]\d{1,2})"
    r"(?:\s*(?:星期|周)[一二三四五六日天])?(?:\s*农历\S*)?$"
)
_MAST_EDITION = re.compile(
    r"^(?:第\s*)?(?P<label>[A-Za-z]?\d{1,3}|[一二三四五六七八九十]{1,3})\s*版"
    rf"(?:\s*[:：·|｜\s]\s*(?P<section>[{_H}·]{{2,8}}))?$"
)
_MAST_PAPER = re.compile(rf"^[{_H}]{{2,6}}(?:日报|晚报|晨报|时报|商报|都市报)$")
_MAST_LABEL = re.compile(r"^(?:出版日期|日期|发布时间|发布日期|来源|作者)\s*[:：]")


def _vis(text: str) -> int:
    """Visible length: characters other than blanks (full-width spaces included)."""
    # str.split and \s agree on what a blank is (both use Py_UNICODE_ISSPACE).
    return sum(map(len, text.split()))


def _cjk(text: str) -> str:
    """Only the Han characters of ``text``, in order."""
    return _NOT_HAN.sub("", text)


def ends_sentence(text: str) -> bool:
    """True when the line ends with sentence-final punctuation, maybe inside closing quotes."""
    core = text.rstrip().rstrip(_CLOSERS)
    return bool(core) and core[-1] in _END


def is_unfinished(text: str) -> bool:
    """True when a line is body text cut mid-sentence (by a column break, say).

    Headlines have no end punctuation either, so only lines that cannot be headlines count:
    ending in a comma or an opening quote, too long, holding a sentence end inside, or a
    comma-separated clause ending in a function word (第一个发言的).
    """
    s = text.strip()
    if not s or ends_sentence(s):
        return False
    v = _vis(s)
    commas = sum(s.count(c) for c in ",，、")
    return (
        s[-1] in _DANGLING
        or v > HEADLINE_MAX
        or re.search(r"[。；;]", s) is not None
        or (re.search(r"[！？!?]", s) is not None and v > 24)
        or (commas >= 2 and v >= 16)
        or (s[-1] in _FUNCTION_END and commas >= 1)
    )


def starts_mid_sentence(text: str) -> bool:
    """True when a block begins inside a sentence: the tail of an article cut elsewhere.

    Signs: a closing mark or comma first (睛”,周边…), a closing quote before any opening one,
    or a first "sentence" of at most four characters (20天。设备停机…).
    """
    s = text.strip()
    if not s:
        return False
    if s[0] in _CANNOT_START:
        return True
    for opener, closer in (("“", "”"), ("「", "」"), ("『", "』")):
        c = s.find(closer)
        if c >= 0 and not 0 <= s.find(opener) < c:
            return True
    m = re.match(r"[^。！？!?]*[。！？!?]", s)
    return bool(m and s[0] not in _OPENERS and _vis(m.group()) - 1 <= 4 and len(m.group()) < len(s))


def _is_headline_like(text: str) -> bool:
    v = _vis(text)
    # A short question or exclamation with no other punctuation can be a headline: 钱从哪里来？
    asks = v <= 20 and re.fullmatch(rf"[{_H}A-Za-z0-9“”‘’\s]+[！？!?]", text.strip()) is not None
    return (
        2 <= v <= HEADLINE_MAX
        and (asks or not ends_sentence(text))
        and not is_unfinished(text)
        and text.lstrip()[0] not in _CANNOT_START + _MARKERS
        and _HAN.search(text) is not None
    )


# ---------------------------------------------------------------------------------------------
# Bylines, credits, datelines
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class People:
    """Names parsed from a byline-like string, and the photo credit word if it is one (文摄)."""

    people: tuple[Person, ...]
    credit: str = ""
    marked: bool = False  # began with ■ or was wrapped in parentheses


def parse_people(text: str) -> People | None:
    """Parse `■ 本报记者 郑亚丽 夏丹 通讯员 刘磊` or `本报记者 黄宇璐 共享联盟·普陀 王祖达 文摄`.

    Every token must be a role (本报记者, 通讯员, 共享联盟·普陀) or a 2-4 character name, so body
    text never parses. Returns None when the string is not a byline.
    """
    s = text.strip()
    marked = False
    if s and s[0] in _MARKERS:
        s, marked = s[1:].strip(), True
    if len(s) >= 2 and s[0] in "(（" and s[-1] in ")）":
        s, marked = s[1:-1].strip(), True
    if not s or _vis(s) > 60:
        return None
    credit = ""
    m = _CREDIT_TAIL.search(s) if s[-1] in _CREDIT_LAST else None
    if m:
        credit = _WS.sub("", m.group("credit") or m.group("credit2"))
        s = s[: m.start()].strip()
    tokens = [t for t in re.split(r"[\s、,，]+", s) if t]
    if not tokens or len(tokens) > 16:
        return None
    role, has_role, people = "", False, []
    for tok in tokens:
        if _ROLE.match(tok):
            role, has_role = tok, True
        elif rn := _ROLE_NAME.match(tok):
            role, has_role = rn.group(1), True
            people.append(Person(rn.group(2), role))
        elif _NAME.match(tok) or (marked and re.fullmatch(rf"[{_H}·]{{1,6}}", tok)):
            people.append(Person(tok, role))
        else:
            return None
    if not people or not (has_role or marked or credit):
        return None
    return People(tuple(people), credit, marked)


def _split_trailing_credit(text: str) -> tuple[str, People] | None:
    """`…火热开赛。 新华社记者 李四 摄` → (caption text, credit); None if there is no credit."""
    s = text.rstrip()
    cut = max(s.rfind(c) for c in "。！？!?”…")
    if cut < 0 or cut == len(s) - 1:
        return None
    tail = s[cut + 1 :]
    people = parse_people(tail)
    if people is None or not people.credit:
        return None
    return s[: cut + 1], people


# ---------------------------------------------------------------------------------------------
# Line classification and column-break rejoining
# ---------------------------------------------------------------------------------------------


@dataclass
class _Block:
    """One non-blank line (or several, after rejoining a column break) with what it looks like."""

    kind: str  # body headline kicker byline credit dateline cont mark_to meta noise
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
        if prev is not None and prev.kind == "kicker" and b.kind in ("body", "captionbody"):
            prev.kind = "body"  # a line ending in —— with body text under it: a cut sentence
        if (
            prev is not None
            and prev.kind in ("body", "dateline", "cont")
            and prev.text
            and not prev.cont_to
            and is_unfinished(prev.text)
            and (
                b.kind == "body"
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
    length are a couplet; otherwise they are one headline split across lines. With three lines
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
        title = f"{a} {b}" if _vis(a) == _vis(b) else a + b
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
                self.page_label = m.group("label")
                self.section = self.section or (m.group("section") or "")
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
# Linking scattered parts of one article
# ---------------------------------------------------------------------------------------------


def _bigram_counts(unit: Unit) -> Counter[str]:
    s = _cjk("\n".join([unit.title, unit.subtitle, *unit.subheads, *unit.paragraphs]))
    return Counter(map(operator.add, s, s[1:]))


def _keywords(counts: Counter[str]) -> dict[str, float]:
    """Bigrams a unit keeps coming back to: at least 3 times and 1% of its bigrams."""
    total = sum(counts.values()) or 1
    return {g: c / total for g, c in counts.items() if c >= 3 and c / total >= 0.01}


def _strength(u: Unit) -> int:
    """2: the start of an article on this page; 1: a title-only block; 0: a fragment."""
    if u.kind == "continuation" or u.byline or u.dateline or u.kicker:
        return 2
    return 1 if u.kind == "article" else 0


def link_parts(units: list[Unit]) -> None:
    """Set ``part_of`` on fragments and title-only blocks that clearly belong to another unit.

    Evidence: a keyword bigram the two units share that no third unit on the page uses as a
    keyword, strong in both (≥ 2% and 5 uses), or two such shared keywords. A part links only
    when exactly one unit qualifies, and only to a unit that looks more like an article start.
    """
    idx = [k for k, u in enumerate(units) if u.kind != "caption"]
    if all(_strength(units[k]) == 2 for k in idx):
        return  # only article starts: nothing to link (and counting bigrams is the cost here)
    counts = {k: _bigram_counts(units[k]) for k in idx}
    kws = {k: _keywords(counts[k]) for k in idx}
    for k in sorted(idx, key=lambda k: -_strength(units[k])):
        if _strength(units[k]) == 2:
            continue
        hosts = []
        for h in idx:
            if h == k or _strength(units[h]) <= _strength(units[k]):
                continue
            shared = [
                g
                for g in kws[k].keys() & kws[h].keys()
                if not any(g in kws[o] for o in idx if o not in (k, h))
            ]
            strong = [
                g
                for g in shared
                if min(kws[k][g], kws[h][g]) >= 0.02 and min(counts[k][g], counts[h][g]) >= 5
            ]
            if len(shared) >= 2 or strong:
                hosts.append(h)
        if len(hosts) == 1:
            host = hosts[0]
            units[k].part_of = units[host].part_of if units[host].part_of is not None else host


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


def people_from_author(author: str) -> list[Person]:
    """Names from a JSON `author` field: `郑亚丽 夏丹`, `记者 张三、李四` or `■ 本报记者 郑亚丽`."""
    if not author.strip():
        return []
    parsed = parse_people(f"({author.strip()})")
    if parsed is not None:
        return list(parsed.people)
    return [Person(n, "") for n in re.split(r"[\s、,，;；]+", author.strip()) if n]


def parse_document(doc: Document) -> list[Unit]:
    """Parse a read Document according to its kind (page, single article, JSON Lines record)."""
    if doc.kind == "page":
        return list(doc.parsed) if doc.parsed is not None else parse_page(doc.text)
    units = parse_article(doc.text, title=doc.title if doc.kind == "jsonl" else "")
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
