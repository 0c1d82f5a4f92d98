"""What a figure measures, and whose it is: the indicator and subject of one number.

The indicator is read from the clause before the number (规上工业增加值增速达19.7%), or the noun
after it (超百个订单), or what the sentence's structure says (the subject of a from–to change,
the item of a 分别 list, the amount a bare 同比增长6.8% belongs to). The subject is named when
the figure belongs to something other than its region: a work (《热辣滚烫》), a topic (家电是…——),
a product (…的“土特产”), a company (销售额 in a paragraph about one). Rules are in docs/figures.md.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from briefings import figure_words as W
from briefings import segment
from briefings.marks import HAN
from briefings.numbers import CN_NUMERAL_CHARS
from briefings.statements import clause_start, last_mark

MASK = "\x00"
_FORWARD = re.compile(rf"(?P<de>的)?[“\"‘]?(?P<noun>[{HAN}A-Za-z]{{1,12}})")
_FORWARD_STOP = re.compile(
    "落地|落户|入选|获得|实现|成为|完成|达到|参与|进入|位居|入驻|签约|投产|开工|建成|覆盖|分布|"
    "涉及|参加|来自|共同|同比|环比|左右|以上|累计|总计|合计|其中|分别|增长|下降|提升|提高|成功|"
    "正在|已经|目前|如今|当前|今年|去年|相当于|用于|到账|不变|之间|"
    "[的了在和与及等是被将已把从向对获让为均都也还就再又并且而或占达超近约比较]"
)
_FORWARD_TAIL = re.compile("[中内里上]$")
# Nouns after a money figure that say what the money is (约100亿欧元资金缺口).
_MONEY_NOUN = re.compile("(?:资金|缺口|投资|贷款|补贴|拨款|基金|预算|收入|产值|营收|销售额)$")
# Delimiters of the clause an indicator is taken from; brackets are read through (asides).
_DELIMS = ",，、;；:：!！?？。“”‘’\"'「」『』《》[]【】<>〈〉—…/ \t\u3000\n"
_DELIMS_RE = re.compile(f"[{re.escape(_DELIMS)}()（）]")
_CN_OR_DIGIT = frozenset(CN_NUMERAL_CHARS + "0123456789０１２３４５６７８９%％")
_COUNTED = re.compile(r"^[一二两三四五六七八九十几数多]+[个项批笔家种类条位名座所次]$")
_ASIDE = re.compile(r"[(（][^()（）]*[)）]")
# A comparison inside a clause is not the indicator (跟去年年货节相比涨幅超过200%).
_COMPARED = re.compile("(?:跟|与|和|同)[^，,、]{0,12}?(?:相比|相较|比较)")
_JOINED = re.compile("(?:和|及|与|以及|、)$")
_TITLE = re.compile(r"《[^《》]{1,20}》")
_TOPIC = re.compile(rf"^(?P<topic>[{HAN}]{{2,6}})是[^，,。]{{0,16}}(?:——|:|：)")
_PRONOUNS = re.compile("^(?:这|那|它|其|此|该|我|他|她)")
_NOUN_TAGS = ("n", "vn", "j", "eng", "an", "b", "s", "a")
_TAIL_REACH = 16  # longer than the longest tail word (占全国总量的, 不得超过 …)
_VERB_TAGS = ("v", "d", "p", "u", "c", "r", "m", "q", "f", "ad")


@dataclass
class Named:
    """What a figure measures, and how well the text supports it."""

    indicator: str = ""
    subject: str = ""
    flags: set[str] = field(default_factory=set)
    source: str = ""  # clause | forward | item | previous | carried | verb
    subject_source: str = ""  # "" | clause | sentence | paragraph


@dataclass(frozen=True)
class Place:
    """Where a number sits: its sentence (folded and with regions/periods masked) and its span,
    plus what the sentence's structure says about it."""

    text: str
    masked: str
    start: int
    end: int
    kind: str
    item: str = ""
    link_at: int = -1  # where the subject of a from–to change ends (before 从/由)
    clause_at: int = -1  # for a later value of a list: where the first value starts


@lru_cache(maxsize=16384)
def clause_of(text: str, pos: int) -> int:
    """Start of the clause an indicator is read from: after the last delimiter, reading through
    bracketed asides; at most 60 characters back, to stay linear."""
    return last_mark(text, pos, _DELIMS_RE, 60)


_META = frozenset("()[]{}|?*+.^$\\")


def _word_forms(word: str) -> tuple[frozenset[str], list[str]]:
    """The strings one tail word matches and the characters it may not follow.

    Tail words are written as literals, ``(?:a|b)`` groups, ``?`` after a character or a group,
    and a leading ``(?<![…])``; anything else is refused here, so the table below never
    silently differs from the pattern.
    """
    banned: frozenset[str] = frozenset()
    if word.startswith("(?<!["):
        end = word.index("])")
        banned, word = frozenset(word[5:end]), word[end + 2 :]
    forms, i = [""], 0
    while i < len(word):
        if word.startswith("(?:", i):
            end = word.index(")", i)
            options = word[i + 3 : end].split("|")
            i = end + 1
        else:
            options, i = [word[i]], i + 1
        if any(_META & set(o) for o in options):
            raise ValueError(f"tail word beyond literals and groups: {word!r}")
        if word[i : i + 1] == "?":
            options, i = [*options, ""], i + 1
        forms = [f + o for f in forms for o in options]
    return banned, forms


def _tail_table() -> dict[str, tuple[frozenset[str], ...]]:
    table: dict[str, list[frozenset[str]]] = {}
    for word in W.TAIL_WORDS:
        banned, forms = _word_forms(word)
        for form in forms:
            table.setdefault(form, []).append(banned)
    return {form: tuple(b) for form, b in table.items()}


# Every string W.TAIL matches, with the characters each may not follow (its lookbehind).
_TAIL_FORMS = _tail_table()
_TAIL_LONGEST = max(map(len, _TAIL_FORMS))
_TAIL_LAST = frozenset(form[-1] for form in _TAIL_FORMS)


def _tail_word(piece: str) -> tuple[int, str] | None:
    """``W.TAIL.search(piece, max(0, len(piece) - _TAIL_REACH))`` as (start, word), by looking
    the piece's last few suffixes up, longest first (the leftmost match is the longest)."""
    n = len(piece)
    if piece.endswith("\n"):  # $ also matches before a final newline: leave that to the regex
        m = W.TAIL.search(piece, max(0, n - _TAIL_REACH))
        return (m.start(), m.group()) if m else None
    if not n or piece[-1] not in _TAIL_LAST:
        return None
    for i in range(max(0, n - _TAIL_REACH, n - _TAIL_LONGEST), n):
        banned = _TAIL_FORMS.get(piece[i:])
        if banned and any(i == 0 or piece[i - 1] not in b for b in banned):
            return i, piece[i:]
    return None


def strip_tail(piece: str, flags: set[str]) -> str:
    """Drop the verbs, adverbs and comparisons between an indicator and its number, noting
    whether they say growth, decline or share."""
    while piece:
        # Tail words are short: only the end of the piece is looked at.
        found = _tail_word(piece)
        if not found:
            stripped = W.COMPARISON.sub("", piece)
            if stripped == piece:
                break
            piece = stripped
            continue
        start, word = found
        if word in W.GROWTH:
            flags.add("growth")
        elif word in W.DECLINE:
            flags.add("decline")
        elif word.startswith("占"):
            flags.add("share")  # 出口占近九成, 产值占全省的30%
        piece = piece[:start]
    return piece


def _strip_head(piece: str) -> str:
    while piece:
        m = W.HEAD.match(piece)
        if not m or not m.group():
            break
        piece = piece[m.end() :]
    return W.GENERIC.sub("", piece)


def valid(word: str) -> bool:
    return (
        len(word) >= 2
        and not all(ch in _CN_OR_DIGIT for ch in word)
        and not _COUNTED.match(word)
        and not W.LOCATIVE.search(word)
    )


@lru_cache(maxsize=8192)
def _tags(text: str) -> tuple[tuple[str, str], ...]:
    return tuple(segment.tag(text))


@lru_cache(maxsize=8192)
def _bounds(text: str) -> frozenset[int]:
    out, pos = {0}, 0
    for token in segment.cut(text):
        pos += len(token)
        out.add(pos)
    return frozenset(out)


def _bare(word: str) -> bool:
    return word in W.BARE_MEASURES or (len(word) <= 3 and word[-2:] in W.BARE_MEASURES)


def _is_verb(token: str, tag: str) -> bool:
    """A verb, adverb or function word; not a verbal noun (vn: 旅游, 消费) nor an economic
    noun jieba tags as a verb (收入, 营收)."""
    return tag.startswith(_VERB_TAGS) and tag != "vn" and token not in W.VERB_NOUNS


def _verb_only(words: str) -> bool:
    if words in W.VERB_NOUNS or words in W.BARE_CHANGES or words in W.BARE_MEASURES:
        return False
    tags = _tags(words)
    return bool(tags) and all(_is_verb(token, t) for token, t in tags)


def _lead_noun(words: str) -> str:
    """The first noun of a phrase (芒果种植面积 → 芒果), to name a bare measure next to it."""
    out = ""
    for token, t in _tags(words):
        if t.startswith(_NOUN_TAGS) and token not in W.BARE_MEASURES and not out:
            out = token
        elif out:
            break
    return out if len(out) >= 2 else ""


@dataclass
class _Read:
    words: str = ""
    verb: str = ""  # the standing verb the clause was cut after
    subject: str = ""  # the subject before 完成/实现
    retried: bool = False  # the words after the last cut said nothing


def read_piece(piece: str, flags: set[str]) -> _Read:
    """Indicator words of one clause piece.

    When the words after the last verb or preposition say nothing (其中有就业意愿的, 达到创纪录的),
    the words before it are tried. 种芒果的收入: a bare measure keeps what qualifies it.
    """
    out = _Read()
    for attempt in range(3):
        piece = strip_tail(piece, flags)
        cuts = [
            c
            for c in W.SPLIT.finditer(piece)
            if c.group() == "的" or c.start() == 0 or piece[c.start() - 1] != "的"
        ]
        if cuts:
            # Only where the word is a word: not 有 in 有害信息, 于 in 等于.
            bounds = _bounds(piece)
            cuts = [c for c in cuts if c.start() in bounds and c.end() in bounds]
        if not cuts:
            out.words, out.retried = _strip_head(piece), attempt > 0
            return out
        last = cuts[-1]
        out.verb = out.verb or (last.group() if last.group() in W.STANDING_VERBS else "")
        words = _strip_head(piece[last.end() :])
        if valid(words):
            if last.group() == "的" and _bare(words):
                before = piece[: last.start()]
                more = list(W.SPLIT.finditer(before))
                head = _strip_head(before[more[-1].end() :] if more else before)
                words = head + words if valid(head) else words
            if last.group() in W.SUBJECT_VERBS:
                before = _strip_head(strip_tail(piece[: last.start()], set()))
                # 规模以上互联网企业完成|业务收入; not a place (嘉兴实现…), which is a region.
                if (
                    len(before) >= 3
                    and not _PRONOUNS.match(before)
                    and before[-1] not in "省市县区"
                ):
                    out.subject = before
            out.words, out.retried = words, attempt > 0
            return out
        piece = piece[: last.start()]
    return out


@lru_cache(maxsize=4096)
def forward_noun(text: str, end: int) -> tuple[str, bool]:
    """The noun counted by the number (2000多家|整机企业), and whether it follows without 的.

    A bracketed aside after the number is read through (15亿英镑(1英镑约合1.3美元)的产业扶植战略),
    and a noun continued by 的 and a head keeps both (19家具有…生产资质的企业).
    """
    aside = _ASIDE.match(text, end)
    if aside:
        end = aside.end()
    m = _FORWARD.match(text, end)
    if not m:
        return "", False
    noun = m["noun"]
    stop = _FORWARD_STOP.search(noun)
    if stop:
        noun = noun[: stop.start()]
        if not m["de"] and noun and m["noun"][stop.start() :].startswith("的"):
            head = _FORWARD.match(m["noun"], stop.start() + 1)
            if head and 2 <= len(head["noun"]) <= 4 and not _FORWARD_STOP.search(head["noun"]):
                noun = f"{noun}的{head['noun']}"
    noun = _trim_at_verb(W.GENERIC.sub("", _FORWARD_TAIL.sub("", noun)))
    return (noun, not m["de"]) if valid(noun) else ("", False)


def _trim_at_verb(noun: str) -> str:
    """The noun phrase at the start of ``noun``: up to its first verb or adverb (天然气|输往…);
    nothing when it starts with a place word (21户|里头真正实施…)."""
    if not noun:
        return noun
    tags = _tags(noun)
    if tags and tags[0][1].startswith("f"):
        return ""
    out = ""
    for i, (token, t) in enumerate(tags):
        if i and _is_verb(token, t):
            break
        out += token
    return out


def _company(text: str) -> str:
    """The last company named in ``text`` (…成立和同信息公司 → 和同信息公司), or ''."""
    text = _ASIDE.sub("", text)
    found = list(W.COMPANY.finditer(text))
    if not found:
        return ""
    m = found[-1]
    head = text[max(0, m.start() - 10) : m.start()]
    head = re.split(f"[^{HAN}0-9]", head)[-1]
    bounds = _bounds(head)
    cuts = list(W.SPLIT.finditer(head)) + [
        c  # a conjunction only as a word of its own: 与|奥立安…, not 和同信息公司
        for c in re.finditer("成立|创办|创立|注册|入股|年|与|和|及|同|跟", head)
        if c.start() in bounds and c.end() in bounds
    ]
    if cuts:
        head = head[max(c.end() for c in cuts) :]
    if not head and m.group() != "公司":
        return ""
    return head + m.group()


_MEASURE_END = ("占比", "增速", "增幅", "降幅", "目标", "比重", "率", "额", "量", "值", "数", "费",
                "价", "厂", "款", "金", "券", "点")  # fmt: skip


def ends_in_noun(indicator: str) -> bool:
    """Whether an indicator ends in what is measured, not in a verb (我们农场每年要花)."""
    if indicator.endswith(_MEASURE_END):
        return True
    tags = _tags(indicator)
    if not tags:
        return False
    token, t = tags[-1]
    return not _is_verb(token, t)


def _noun_first(noun: str) -> bool:
    tags = _tags(noun)
    return bool(tags) and (tags[0][1].startswith(_NOUN_TAGS) or tags[0][0] in W.VERB_NOUNS)


def name_figure(p: Place, previous: str, earlier: Sequence[str]) -> Named:
    """Indicator and subject of the number at ``p``; ``previous`` is the indicator of the figure
    before it in the sentence, ``earlier`` the earlier sentences of the paragraph."""
    at = p.clause_at if p.clause_at >= 0 else p.start
    clause = _ASIDE.sub("", p.masked[clause_of(p.masked, at) : at])
    clause = _COMPARED.sub(MASK, clause)
    named = Named()
    gap = W.GAP.match(clause.strip(MASK))
    clause = strip_tail(clause, named.flags)  # across masked periods: 比上一年产量增长了
    noun, direct = forward_noun(p.text, p.end)
    if noun and not (direct and p.kind in ("count", "measure")) and not _noun_first(noun):
        noun = ""  # 30%拨入村里设立…: a verb phrase after the number names nothing
    link = ""
    if p.link_at >= 0:
        # 村民年平均收入从1.8万元增长到8.1万元: both values measure the subject before 从.
        before = _ASIDE.sub("", p.masked[clause_of(p.masked, p.link_at) : p.link_at])
        link = read_piece(before.split(MASK)[-1], set()).words
    prefer_noun = direct and (
        p.kind in ("count", "measure")
        or (p.kind == "ratio" and _noun_first(noun))
        or (p.kind == "money" and _MONEY_NOUN.search(noun))
    )
    if p.item:
        named.indicator, named.source = p.item, "item"
        strip_tail(clause, named.flags)
    elif valid(link):
        named.indicator, named.source = link, "clause"
    elif gap and previous:
        # 快于规模以上工业3.1个百分点: a gap measured on the figure before.
        named.indicator, named.source = previous + clause.strip(MASK), "previous"
    elif noun and prefer_noun:
        named.indicator, named.source = noun, "forward"
    elif noun and _JOINED.search(clause):
        # 65%的规上企业和50.3%的高新技术企业: the words before 和 belong to the item before.
        named.indicator, named.source = noun, "forward"
    else:
        _from_clause(clause, named, noun, previous)
        if not named.indicator and previous:
            # 地区生产总值1680.5亿元,同比增长6.8%; 已有35条(院线); …达到了50.2%.
            named.indicator, named.source = previous, "previous"
    if previous and named.source in ("clause", "previous", "verb"):
        if named.indicator in W.BARE_CHANGES:
            named.indicator, named.source = previous + named.indicator, "previous"
        elif named.indicator in W.FREQUENCY:
            named.indicator, named.source = named.indicator + previous, "previous"
    if not named.indicator:
        named.indicator = _previous_clause(p, named)
    named.indicator = W.TARGET_TAIL.sub("", named.indicator)
    if MASK in named.indicator:  # never show the blanked-out places and periods
        named.indicator = max(named.indicator.split(MASK), key=len)
    _subject(p, named, previous, earlier)
    return named


def _from_clause(clause: str, named: Named, noun: str, previous: str) -> None:
    """The indicator from the pieces of the clause (between masked regions and periods), last
    piece first; a verb alone (开行) joins the noun piece before it (中欧班列开行) or the noun
    of the figure before (…累计开行超过2.1万列)."""
    verb = ""
    pieces = clause.split(MASK)
    last = len(pieces) - 1
    while last > 0 and not pieces[last].strip():
        last -= 1
    for i in range(last, -1, -1):
        read = read_piece(pieces[i], named.flags)
        verb = verb or read.verb
        if not valid(read.words):
            continue
        words = read.words
        if _verb_only(words):
            if noun:
                named.indicator, named.source = noun, "forward"
                return
            earlier = next(
                (r for r in (read_piece(x, set()) for x in reversed(pieces[:i])) if valid(r.words)),
                None,
            )
            if earlier is not None and not _verb_only(earlier.words):
                named.indicator, named.source = earlier.words + words, "clause"
                return
            lead = _lead_noun(previous) if previous else ""
            if lead:
                named.indicator, named.source = lead + words, "previous"
                return
            named.indicator, named.source = words, "verb"
            return
        if (read.retried or i < last) and noun:
            # 签署了一项120亿美元的贷款协议: the number qualifies the noun after it.
            named.indicator, named.source = noun, "forward"
            return
        named.indicator, named.source = words, "clause"
        if read.subject:
            named.subject, named.subject_source = read.subject, "clause"
        return
    if noun:
        named.indicator, named.source = noun, "forward"
    elif verb:
        named.indicator, named.source = verb, "verb"


def _previous_clause(p: Place, named: Named) -> str:
    """其中,江西、湖南分别增长了10.3%和43.8%: what grew is named in the clause before."""
    words = _clause_before(p)
    if not words:
        return ""
    named.source = "carried"
    piece = p.masked[clause_of(p.masked, clause_of(p.masked, p.start) - 1) : p.start]
    if not named.flags and W.CHANGE.search(piece):
        named.flags.add("decline" if W.FALL.search(piece) else "growth")
    return words


def _clause_before(p: Place) -> str:
    """The noun phrase of the clause before the number's clause, if it holds no number."""
    start = clause_of(p.masked, p.clause_at if p.clause_at >= 0 else p.start)
    piece = ""
    for _ in range(3):  # skip clauses that are only places (其中,江西、湖南分别…)
        if start <= 1:
            return ""
        begin = clause_of(p.masked, start - 1)
        piece = p.masked[begin : start - 1]
        if piece.strip(MASK) and piece.strip(MASK) != "其中":
            break
        start = begin
    if not piece or any(ch.isdigit() for ch in piece):
        return ""
    if W.SPEECH.search(piece) or "·" in piece:
        return ""  # 英国交通大臣格兰特·沙普斯表示,…: a speaker, not a subject
    for part in reversed(piece.split(MASK)):
        words = read_piece(part, set()).words
        if valid(words) and not _verb_only(words):
            return words
    return ""


def _subject(p: Place, named: Named, previous: str, earlier: Sequence[str]) -> None:
    """Whose figure: a work (《热辣滚烫》), a topic (家电是…——), a product (…的“土特产”), a
    bare measure's neighbour (芒果…,产值), or the company a paragraph is about."""
    text = p.text
    if named.subject:
        return
    clause = text[clause_start(text, p.start) : p.start]
    titles = _TITLE.findall(clause)
    if titles:
        named.subject, named.subject_source = titles[-1], "clause"
        return
    topic = _TOPIC.match(text)
    if topic and topic.end() <= p.start and not _PRONOUNS.match(topic["topic"]):
        named.subject, named.subject_source = topic["topic"], "sentence"
        return
    noun, direct = forward_noun(text, p.end)
    if noun and not direct and _bare(named.indicator) and noun != named.indicator:
        named.subject, named.subject_source = noun, "clause"  # 总产值超100亿元的“土特产”
        return
    near = W.FIRM_MEASURES_NEAR.search(named.indicator)
    if (W.FIRM_MEASURES.search(named.indicator) or near) and not W.COMPANY.search(named.indicator):
        here = _company(text[: p.start])
        if here:
            named.subject, named.subject_source = here, "clause"
            return
        if near and not W.FIRM_MEASURES.search(named.indicator):
            return
        for sentence in reversed(earlier):
            found = _company(sentence)
            if found:
                named.subject, named.subject_source = found, "paragraph"
                return
    if _bare(named.indicator) and named.source in ("clause", "previous"):
        lead = _lead_noun(previous) if previous else ""
        lead = lead or _clause_before(p)
        if lead and lead not in named.indicator:
            named.subject, named.subject_source = lead, "sentence"  # 芒果…,产值14.8亿元
