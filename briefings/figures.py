"""Economic figures in running Chinese text: indicator, subject, value, unit, qualifier, period,
region and role, and whether the extraction is confident enough to show as a figure line.

One compiled scan per sentence finds ``qualifier? number magnitude? 多/余? unit 以上?``;
``briefings.statements`` reads how the numbers of the sentence relate (from–to changes,
conversions, 分别 lists, lists of places); rules then drop what is not economic data, name the
indicator from the words before the number (规上工业增加值增速达19.7%) or after it (超百个订单),
and choose the region the sentence ties the figure to. No full segmentation: regular
expressions and string slicing, linear in the input. The rules are written down in
docs/figures.md; the word lists live in ``briefings.figure_words``.
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from briefings import figure_words as W
from briefings import segment
from briefings.figure_confidence import doubt
from briefings.indicators import (
    MASK,
    Named,
    Place,
    clause_of,
    ends_in_noun,
    forward_noun,
    name_figure,
)
from briefings.models import Figure
from briefings.normalize import fold_chars
from briefings.numbers import (
    ARABIC,
    CHINESE,
    CN_NUMERAL_CHARS,
    LEADING_QUALIFIERS,
    MAGNITUDE,
    NUMERAL_RUN,
    QUALIFIER_NOT_AFTER,
    QUALIFIERS,
    TENTHS,
    TIGHT_QUALIFIERS,
    VERBAL_QUALIFIERS,
    qualifier_before,
    quantity_value,
)
from briefings.regions import load_gazetteer
from briefings.sentences import split_sentences
from briefings.statements import Candidate, analyse, clause_end, clause_start

Span = tuple[int, int, str, str]
Locate = Callable[[str], Sequence[Span]]
# The smallest region holding all the given adcodes (甘孜州、阿坝州和木里县 → 四川), if any.
Parent = Callable[[Sequence[str]], tuple[str, str] | None]

UNITS = W.UNITS
_UNIT_ALT = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))

# Tight qualifiers are printed against the number and kept in ``text`` (超千亿元, 近6000块, 上万家,
# 各100万元); the lookbehinds keep words out that merely end in the same character (最近, 签约,
# 赶超). Without a tight qualifier a match may not start inside a longer number or code (两三个,
# 1.5.2, 十十十…): the lookbehind keeps the scan from retrying at every character of a run.
# Financial numerals (壹…玖, 拾佰仟) are also plain characters (大陆18个国家: 陆 is "land"), so
# only the everyday numerals keep a match from starting after them.
_PLAIN_NUMERALS = "".join(c for c in CN_NUMERAL_CHARS if c not in "壹贰叁肆伍陆柒捌玖拾佰仟")


def _tight(q: str) -> str:
    """The pattern of one tight qualifier: not after a character that makes it the end of
    another word (最近, 签约) or of a longer qualifier the clause reader takes (将近, 大约)."""
    longer = "".join(w[0] for w in VERBAL_QUALIFIERS if len(w) == 2 and w[1] == q)
    banned = QUALIFIER_NOT_AFTER.get(q, "") + longer
    ahead = {"超": "(?![过出])", "上": "(?=[百千万亿])"}.get(q, "")  # 超过 is a word; 上万
    return (f"(?<![{banned}])" if banned else "") + q + ahead


_FIGURE = re.compile(
    "(?:(?P<tq>" + "|".join(map(_tight, TIGHT_QUALIFIERS)) + "|各)"
    rf"|(?<![{_PLAIN_NUMERALS}0-9０-９.．%％]))"
    rf"(?:百分之(?P<pnum>{ARABIC}|{CHINESE})"
    rf"|(?P<num>{ARABIC}|{CHINESE})(?P<a1>多|余|来)?(?P<mag>{MAGNITUDE})(?P<a2>多|余)?"
    rf"(?P<unit>{_UNIT_ALT})(?!级))"
    r"(?P<post>以上|以下|左右|上下(?![游级班层])|之多)?"  # 10多家上下游企业
)
# Every figure starts where a run of numerals starts, or at a tight qualifier just before one.
_TIGHT_QUALIFIERS = frozenset((*TIGHT_QUALIFIERS, "各"))


# What every figure holds: the last numeral of its number, then maybe 多/余/来, a magnitude, 多/余
# and a unit that is not a time unit (or 百分之 and a number). One scan of a paragraph for this
# tells the sentences that may hold a figure from the many that cannot (dates, 一些, 统一 …).
_MAYBE_FIGURE = re.compile(
    rf"[0-9０-９{CN_NUMERAL_CHARS}](?:分之|(?:多|余|来)?{MAGNITUDE}(?:多|余)?(?:"
    + "|".join(re.escape(u) for u, (_, kind) in sorted(UNITS.items()) if kind != "time")
    + "))"
)


def _figure_matches(text: str) -> Iterator[re.Match[str]]:
    """``_FIGURE.finditer(text)``, trying only the places a figure can start.

    The pattern begins with lookbehinds (no literal prefix for the regex engine to skip to); a
    page has a few hundred numeral runs among thousands of characters.
    """
    pos = 0
    for run in NUMERAL_RUN.finditer(text):
        start = run.start()
        if start < pos:
            continue
        at = start - 1 if start > pos and text[start - 1] in _TIGHT_QUALIFIERS else start
        m = _FIGURE.match(text, at) or (_FIGURE.match(text, start) if at < start else None)
        if m:
            yield m
            pos = m.end()


# --- periods ----------------------------------------------------------------------------------
_N = r"(?:[0-9]{1,3}|[一二两三四五六七八九十]{1,3})"
_MON = r"(?:[0-9]{1,2}|[一二三四五六七八九十]{1,3})"
_NOT_DAY = r"(?![0-9一二三四五六七八九十]{1,3}[日号])"
_YEAR = r"(?:(?:19|20)[0-9]{2}|[一二][〇零○一二三四五六七八九]{3}|[今去明前本当])年"
_PART = (
    rf"(?:前{_N}个?月|前[一二三]季度|第?[一二三四1-4]季度|[上下]半年|全年|年内|年初|年底|年末"
    rf"|{_MON}[-—–~～至到]{_MON}月份?|{_MON}月份?{_NOT_DAY})"
)
_YEAR_OK = rf"{_YEAR}(?!{_MON}月[0-9一二三四五六七八九十]{{1,3}}[日号])"
# Every character a period can start with (截至, a year, 前/第/上/全…, a numeral, 近/这/过/连…,
# 目前…, “十四五”): the guard lets the engine skip every other position without trying the
# alternatives below, which is most of the cost on a page. Keep it in step with them.
_PERIOD_FIRST = "截今去明前本当第上下全年近这多过连目至迄如“0-9一二两三四五六七八九十"
_PERIOD = re.compile(
    rf"(?=[{_PERIOD_FIRST}])(?:截至|截止)?(?:"
    rf"{_YEAR_OK}{_PART}?|{_PART}"
    r"|近年来|近些年|近几年|这些年|多年来|近年"
    rf"|(?:近|过去|连续|这){_N}(?:多|余)?个?(?:年|月)(?:来|以来|间|内|里)?"
    rf"|{_N}(?:多|余)?年(?:来|以来|间|内|前)?(?![0-9])"
    r"|目前|当前|至今|迄今|如今|“?十[四五六]五”?(?:时期|期间|以来)?"
    r")(?:以来|来|底|末|初|期间|上旬|中旬|下旬)?"
)

_CN_OR_DIGIT = frozenset(CN_NUMERAL_CHARS + "0123456789０１２３４５６７８９%％")
_RANGE_MARKS = frozenset("-—–~～至到")
_INDICATOR_ACRONYMS = frozenset(("GDP", "CPI", "PPI", "PMI", "GNP", "GNI", "IPO", "ETC"))
_PROVINCE_TOPIC = re.compile("浙江|全省|我省|本省")
# 计划 as a verb (计划拨款, 计划2020年投入), not the noun of 扶持计划, or “星火”计划.
_TARGET = W.guarded(W.TARGET.pattern.replace("计划", '(?<![”"])计划(?=[^，,。；;的”"])'))
# An organisation named after a province (浙江省现代纺织技术创新中心) does not place a figure.
_ORG_AFTER = re.compile(
    r"[^，,。；;、]{0,14}?(?:中心|公司|集团|大学|学院|研究院|研究所|医院|银行|协会|学会|委员会|"
    r"基金会|商会|联合会|电视台|日报|出版社)"
)


@dataclass(slots=True)
class _Sentence:
    """One sentence of a paragraph, with its region and period spans computed on demand.

    ``text`` is the folded copy every pattern runs on (traditional → simplified, full-width →
    ASCII, character for character); ``original`` is the sentence as printed, same length, from
    which figure texts are cut.
    """

    text: str
    original: str = ""
    # False when the sentence holds nothing a figure is made of (see _MAYBE_FIGURE).
    scan: bool = True
    _regions: list[Span] | None = None
    _periods: list[tuple[int, int, str]] | None = None
    _masked: str | None = None
    # The place later sentences inherit, once this sentence's figures are read: () for none,
    # None when not decided (no figure).
    carry: tuple[str, str] | tuple[()] | None = None

    _usable: list[Span] | None = None
    _national: bool | None = None
    _foreign: list[tuple[int, int]] | None = None

    def usable(self, locate: Locate | None) -> list[Span]:
        """The region spans that can tie a figure to a place (see ``_usable``)."""
        if self._usable is None:
            self._usable = _usable(self.text, self.regions(locate))
        return self._usable

    def national(self) -> bool:
        """Whether the whole sentence is a national or foreign statement."""
        if self._national is None:
            self._national = _foreign_or_national(self.text, len(self.text))
        return self._national

    def foreign(self) -> list[tuple[int, int]]:
        """Spans of countries and international bodies named in the sentence."""
        if self._foreign is None:
            self._foreign = [m.span() for m in W.FOREIGN.finditer(self.text)]
        return self._foreign

    def regions(self, locate: Locate | None) -> list[Span]:
        if self._regions is None:
            found = list(locate(self.original or self.text)) if locate and self.text else []
            n = len(self.text)
            self._regions = sorted(
                (max(0, s), min(n, e), name, code) for s, e, name, code in found if 0 <= s < e
            )
        return self._regions

    def periods(self) -> list[tuple[int, int, str]]:
        if self._periods is None:
            self._periods = [
                (m.start(), m.end(), m.group())
                for m in _PERIOD.finditer(self.text)
                if m.end() > m.start()
            ]
        return self._periods

    def masked(self, locate: Locate | None) -> str:
        """The text with region names (and a following 省/市/县/区) and periods blanked out."""
        if self._masked is None:
            chars = list(self.text)
            spans = [(s, e) for s, e, _, _ in self.regions(locate)]
            spans += [(s, e) for s, e, _ in self.periods()]
            spans += self.foreign()
            for s, e in spans:
                stop = e + 1 if e < len(chars) and chars[e] in "省市县区镇州" else e
                chars[s:stop] = MASK * (stop - s)
            self._masked = "".join(chars)
        return self._masked


class _Paragraph:
    """A paragraph as its sentences, split on first use: most paragraphs hold no figure, and are
    read only for the place they may carry to the next one, if at all."""

    __slots__ = ("_split", "maybe", "plain", "previous", "sentences", "text")

    def __init__(
        self, text: str, plain: str, maybe: list[int], previous: _Paragraph | None
    ) -> None:
        self.text = text
        self.plain = plain  # fold_chars(text)
        self.maybe = maybe  # where a figure may be (_MAYBE_FIGURE), in order
        self.previous = previous
        self.sentences: list[_Sentence] = []  # filled by split()
        self._split = False

    def split(self) -> list[_Sentence]:
        """The sentences (``self.sentences``), split on the first call."""
        if not self._split:
            self._split = True
            text, plain, maybe = self.text, self.plain, self.maybe
            for s, e in split_sentences(text):
                piece = text[s:e]
                chunk = piece.strip()
                if chunk:
                    a = s + len(piece) - len(piece.lstrip())
                    b = a + len(chunk)
                    scan = False
                    if maybe:
                        i = bisect.bisect_left(maybe, a)
                        scan = i < len(maybe) and maybe[i] < b
                    # Folding is character for character: the folded paragraph holds each
                    # sentence's folded copy.
                    self.sentences.append(_Sentence(plain[a:b], chunk, scan))
        return self.sentences

    def last_region(self, locate: Locate | None) -> tuple[str, str] | None:
        return self.carried_region(len(self.split()), locate)

    def carried_region(self, index: int, locate: Locate | None) -> tuple[str, str] | None:
        """The place the last sentence naming one was about; a national or foreign statement in
        between (我国…, 中国信保全年…) breaks the chain."""
        for prev in reversed(self.sentences[:index]):
            if prev.carry is not None:
                return prev.carry or None
            found = prev.usable(locate)
            if found:
                return _pick(found, {})
            if prev.national():
                return None
        return None

    def carried_period(self, index: int) -> str:
        for prev in reversed(self.sentences[:index]):
            found = prev.periods()
            if found:
                return found[-1][2]
        return ""


@dataclass(slots=True)
class _Num(Candidate):
    """A number with a unit, with what the scan found: printed unit, value, qualifier."""

    unit: str = ""
    base: str = ""
    value: float = 0.0
    qualifier: str = ""
    tight: str = ""


@dataclass
class _Context:
    locate: Locate | None
    default_region: tuple[str, str] | None
    province: tuple[str, str] | None
    parent: Parent | None


def _quote_start(text: str, pos: int) -> int:
    """Start of the quotation or semicolon-separated part holding ``pos`` (“力争…”“已集聚…”)."""
    find = text.rfind
    return max(
        find("“", 0, pos), find("”", 0, pos), find("「", 0, pos), find("」", 0, pos),
        find("‘", 0, pos), find("’", 0, pos), find(";", 0, pos), find("；", 0, pos),
    ) + 1  # fmt: skip


def _qualifier(m: re.Match[str], clause_raw: str) -> str:
    if m["tq"] and m["tq"] != "各":
        return QUALIFIERS[m["tq"]]
    verbal = qualifier_before(clause_raw.removesuffix("了"))  # 突破525亿元, 达到了50.2%
    if verbal:
        return QUALIFIERS[verbal]
    for raw in (m["a1"], m["a2"], m["post"]):
        if raw:
            return QUALIFIERS[raw]
    return ""


def _rejected_by_context(text: str, m: re.Match[str]) -> bool:
    """Ordinals, ranks, scores, ranges and vague amounts (数百家), told by the chars before."""
    start = m.start()
    num = m["num"] or m["pnum"]
    prev = text[start - 1] if start else ""
    before = text[start - 2] if start > 1 else ""
    if not prev:
        return False
    if prev == "第":
        return True  # 第37届, 第一个
    if prev == "前" and (not before or before not in "目之此提以当日月年从"):
        return True  # 前三, 前10名
    if prev in "数几" and num[0] in "十百千万亿":
        return True  # 数十亿, 几百家
    if prev in ":∶" and start > 1 and before.isdigit():
        return True  # 72:56, 78∶22
    if prev.isascii() and prev.isalpha() and not m["tq"]:
        letters = re.search("[A-Za-z]+$", text[:start])
        # K984次, KF94口罩, N95: codes and model names; GDP1680亿元 is an indicator.
        return not (letters and letters.group().upper() in _INDICATOR_ACRONYMS)
    return prev in _RANGE_MARKS and before in _CN_OR_DIGIT  # 10-20亿元, 5%—10%


def _scan(text: str) -> list[_Num]:
    """Numbers with units in one folded sentence; ranges with a unit at both ends (5.5%到6%)
    become one number."""
    matches = list(_figure_matches(text))
    out: list[_Num] = []
    i = 0
    while i < len(matches):
        m = matches[i]
        end = m.end()
        unit_printed = m["unit"] or "%"
        base, kind = UNITS[unit_printed]
        if i + 1 < len(matches):
            nxt = matches[i + 1]
            sep = text[m.end() : nxt.start()]
            nxt_kind = UNITS[nxt["unit"] or "%"][1]
            if sep and sep in "到至-—–~～" and len(sep) == 1 and nxt_kind == kind:
                end = nxt.end()  # 2.7%至2.8%: one figure, its value the lower end
                i += 1
        i += 1
        if kind == "time" or _rejected_by_context(text, m):
            continue
        num = m["num"] or m["pnum"]
        if len(num) == 1 and num in "百千万亿佰仟" and not (m["tq"] or m["a1"] or m["a2"]):
            continue  # a bare magnitude is a word (千家万户, 亿元以上项目), not an amount
        if num in ("亿万", "千百万", "千万万"):
            continue  # 亿万人民: "countless", not a number
        if unit_printed == "成" and not TENTHS.match(text, m.start("unit")):
            continue
        value = quantity_value(text[m.start() : end])
        if value is None or (unit_printed == "成" and value > 100):
            continue
        # Qualifier words are short; the few characters before the number are enough.
        clause_raw = text[max(clause_of(text, m.start()), m.start() - 6) : m.start()]
        out.append(
            _Num(
                m.start(),
                end,
                kind,
                unit=unit_printed,
                base=base,
                value=value,
                qualifier=_qualifier(m, clause_raw),
                tight=m["tq"] or "",
            )
        )
    return out


def _not_data_here(text: str, num: _Num) -> bool:
    """Patients, offences, lakes, visitors to a fair, class labels, physical rates, distances,
    idioms (最后一米) and numbers inside titles (《2万吨精准操纵法》), as far as the text around
    the number tells: checked before the indicator is named (``_not_data_named`` reads it)."""
    after = text[num.end : num.end + 8]
    if W.RATE_AFTER.match(after) or W.THRESHOLD_AFTER.match(after):
        return True
    if num.kind == "measure" and (W.DISTANCE_AFTER.match(after) or W.IDIOM.match(text, num.start)):
        return True  # 驱车赶往200多公里外; 打通最后一公里甚至是最后一米
    if text.rfind("《", 0, num.start) > text.rfind("》", 0, num.start):
        return True
    if num.value == 1 and W.PER_ONE.search(text, max(0, num.start - 4), num.start):
        return True  # 每养护1公里线路
    if num.kind == "count" and W.ADMIN_COUNT.match(after):
        return True  # 全省90个县(市、区)
    clause = text[clause_start(text, num.start) : num.start]
    if W.THRESHOLD_BEFORE.search(clause) and after.startswith("的"):
        return True  # 大于1平方公里的湖泊
    if text[num.end - 2 : num.end] in ("以上", "以下") and (
        W.CRITERION_START.match(clause) or W.CRITERION.search(text, num.end)
    ):
        return True  # 或规上工业总产值1000亿元以上,…才能被认定为工业大县: a criterion
    noun, _ = forward_noun(text, num.end)
    if noun and W.NON_ECONOMIC_WORDS.search(noun):
        return True  # what is counted: 93名村民, 229例病例
    after_clause = text[num.end : clause_end(text, num.end)]
    if num.kind == "count" and W.AFTER_NON_ECONOMIC.search(after_clause):
        return True  # 229人确认感染新冠病毒
    for m in W.NON_ECONOMIC_WORDS.finditer(clause):
        if W.NON_ECONOMIC[m.group()] in W.CLAUSE_DOMAINS and m.group() != "问题":
            return True
    return False


def _not_data_named(text: str, num: _Num, named: Named) -> bool:
    """Not economic data by what the indicator and subject say it measures."""
    if num.base in W.LENGTH_UNITS:
        # A length is data when it measures something built (公路, 铁路 …): 距县城30公里,
        # 约400公里的路程 and 50公里长光纤 are distances and sizes.
        noun, _ = forward_noun(text, num.end)
        if not W.INFRASTRUCTURE.search(f"{named.subject}{named.indicator}{noun}"):
            return True
    # People words count only as what is counted (93名村民), not inside a measure of them
    # (村民年平均收入).
    for where in (named.indicator, named.subject):
        for m in W.NON_ECONOMIC_WORDS.finditer(where or ""):
            if m.end() == len(where) or W.NON_ECONOMIC[m.group()] != "events and people":
                return True
    return False


def _usable(text: str, spans: Sequence[Span]) -> list[Span]:
    """Region spans that can tie a figure to a place: not the source of a statistic (据南宁海关
    统计), not where goods were sent (已发往武汉), not a province naming an organisation
    (浙江省现代纺织技术创新中心)."""
    if not spans:
        return []
    sources = [m.span() for m in W.SOURCE.finditer(text)]
    sources += [(clause_start(text, m.start()), m.end()) for m in W.SOURCE_TAIL.finditer(text)]
    return [
        s
        for s in spans
        if not any(a <= s[0] and s[1] <= b for a, b in sources)
        and not W.DESTINATION.search(text, max(0, s[0] - 4), s[0])
        and not (s[3].endswith("0000") and _ORG_AFTER.match(text, s[1]))
    ]


def _foreign_or_national(text: str, end: int) -> bool:
    """A statement whose subject is the nation or another country (我国…, 英国超四成…, 意大利
    政府表示…): no county's figure. A country after 获/向/从 is a partner, not the subject."""
    if W.NATIONAL_SCOPE.search(text, 0, end):
        return True
    for m in W.FOREIGN.finditer(text, 0, end):
        if m.start() == 0 or text[m.start() - 1] not in "获向从对与和跟同自往到、":
            return True
    return False


def _in_list(text: str, span: Span, spans: Sequence[Span]) -> bool:
    """Whether a place is one of several joined by 、/和 (湖北、广东、浙江等地)."""
    return any(
        o is not span
        and (
            text[o[1] : span[0]] in ("、", "和", "及", "与") or text[span[1] : o[0]] in ("、", "和")
        )
        for o in spans
    )


def _pick(spans: Sequence[Span], lists: dict[tuple[int, int], tuple[str, str] | None]):
    """The last span, but a province never hides a place inside it named earlier (山东济南商河县
    …推荐山东特产…2000多份), and a member of a list of places stands for the list."""
    last = spans[-1]
    if last[3].endswith("0000"):
        inner = [s for s in spans if s[3][:2] == last[3][:2] and not s[3].endswith("0000")]
        last = inner[-1] if inner else last
    if (last[0], last[1]) in lists:
        return lists[(last[0], last[1])]
    return last[2], last[3]


@dataclass
class _Reading:
    """What reading a sentence left for its later figures: the last scope word (全省, 全国) and
    the region each member of a list of places stands for."""

    scope_at: int = -1  # where the last figure with a scope word started
    national: bool = False
    lists: dict[tuple[int, int], tuple[str, str] | None] = field(default_factory=dict)
    # The national scope word (全国, 我国 …) the last figure was read under, as (start, end) in
    # the sentence; None when the last figure had none.
    nation: tuple[int, int] | None = None
    national_word: tuple[int, int] | None = None  # the one that set scope_at


def _region_for(
    para: _Paragraph, index: int, num: _Num, named: Named, *, ctx: _Context, state: _Reading
) -> tuple[tuple[str, str] | None, str]:
    """The region the text ties a figure to, and the evidence: clause, sentence, list, scope
    (none or the province, by a scope word), carried (earlier sentence or paragraph), default
    (the unit's main region), none."""
    sentence = para.sentences[index]
    text = sentence.text
    state.nation = None
    if num.item_region:
        return (num.item_region[2], num.item_region[3]), "list"
    lists = state.lists
    if num.place_mode == "combined":
        parent = ctx.parent([p[3] for p in num.places]) if ctx.parent else None
        for p in num.places:
            lists[(p[0], p[1])] = parent
        return parent, "list"
    if named.subject.startswith("《"):
        return None, "scope"  # a film's box office is the film's, not the province's
    spans = sentence.usable(ctx.locate)
    start = clause_start(text, num.start)
    end = clause_end(text, num.end)
    before = [s for s in spans if start <= s[0] and s[1] <= num.start]
    clause_raw = text[start : num.start]
    national = W.NATIONAL_SCOPE.search(clause_raw)
    provincial = W.PROVINCE_SCOPE.search(clause_raw)
    scope_end = max((m.end() for m in (national, provincial) if m), default=-1)
    if before and (scope_end < 0 or start + scope_end <= before[-1][0]):
        state.scope_at = -1
        return _pick(before, lists), "clause"
    if provincial and provincial.end() == scope_end and not national:
        at = start + provincial.start()
        # All spans, not only the usable ones: 福建 in 福建全省91家…医院 names no hospital.
        named = [s for s in sentence.regions(ctx.locate) if s[1] == at and s[3].endswith("0000")]
        if named:  # 福建全省91家: the province the scope word follows, not the page's
            state.scope_at = -1
            return _pick(named, lists), "clause"
    if scope_end >= 0:
        state.scope_at = num.start
        state.national = bool(national and national.end() == scope_end)
        if national and state.national:
            state.national_word = state.nation = (start + national.start(), start + scope_end)
        return _scoped(state, ctx)
    after = [s for s in spans if num.end <= s[0] and s[1] <= end]
    if after:
        return _pick(after[:1], lists), "clause"
    if state.scope_at >= 0 and not any(state.scope_at < s[0] < num.start for s in spans):
        if state.national:
            state.nation = state.national_word
        return _scoped(state, ctx)
    earlier = [s for s in spans if s[1] <= start]
    if earlier:
        return _pick(earlier, lists), "sentence"
    later = [s for s in spans if s[0] >= end and not _in_list(text, s, spans)]
    if later:
        # “规上工业总产值突破525亿元,五年再造了一个缙云工业”; not a list of places the goods
        # reached (覆盖湖北、广东、浙江等地), which _usable and _in_list leave out.
        return _pick(later[:1], lists), "sentence"
    if _foreign_or_national(text, num.start):
        return None, "scope"
    if _names_org(text, clause_start(text, num.start), num.start):
        return None, "scope"  # 截至目前,中粮集团累计供应…: the group's figure
    # 这个最年轻的工业大县, 当地, 全县: the sentence itself points back to the place.
    anaphor = _last_anaphor(text, num.start)
    pointed = "anaphor" if anaphor else "carried"
    carried = para.carried_region(index, ctx.locate)
    if not carried and not any(_PROVINCE_TOPIC.search(x.text) for x in para.sentences[: index + 1]):
        # Across paragraphs only a county carries over (两年前…柯城… / 如今…19.7%): a city named
        # in passing (杭州西湖的暖风) says little about the next paragraph. City adcodes end in 00.
        prev = para.previous.last_region(ctx.locate) if para.previous else None
        if prev and not prev[1].endswith("00"):
            carried = prev
    found, source = (carried, pointed) if carried else (ctx.default_region, "default")
    if found and anaphor and not _anaphor_fits(anaphor, found[1]):
        # 该区 after 南阳市城乡一体化示范区, 全区 in Inner Mongolia after a banner: the word points
        # to a unit of another kind than the place in reach, so to none the text names.
        return None, "none"
    if found:
        return found, source
    return None, "none"


def _last_anaphor(text: str, end: int) -> str:
    """The last word before ``end`` pointing back to a place (该区, 全县, 当地), or ''; one
    that begins another word (这个市场, 该区域) keeps no kind of unit (see _anaphor_fits)."""
    last = ""
    for m in W.ANAPHOR.finditer(text, 0, end):
        last = m.group() + ("…" if _NOT_A_UNIT.match(text, m.end()) else "")
    return last


_NOT_A_UNIT = re.compile("场|域|间|别|划")


def _anaphor_fits(word: str, adcode: str) -> bool:
    """Whether a pointing word can mean the region ``adcode``: 该县 a 县, 全区 a 区 (a district
    or an autonomous region), 该市 a 市; words without a kind (当地, 这里) fit any place, and so
    does a region the gazetteer does not know."""
    kind = word[-1]
    if len(word) != 2 or kind not in "县区市旗":  # 这个最年轻的工业大县 speaks loosely
        return True
    region = load_gazetteer().by_adcode(adcode)
    return region is None or region.name.endswith(kind)


def _scoped(state: _Reading, ctx: _Context) -> tuple[tuple[str, str] | None, str]:
    """The region of a scope word: none for the nation, the unit's province for 全省; a
    province the text does not name is evidence of no region (全省已召开网络招聘会783场 on a page
    whose province is unknown is not a national figure)."""
    if state.national:
        return None, "scope"
    if ctx.province is None:
        return None, "unknown province"
    return ctx.province, "scope"


def _names_org(text: str, start: int, end: int) -> bool:
    """``W.NAMED_ORG`` in ``text[start:end]``; every name it knows ends in 集团 or 公司, and the
    pattern itself is slow to fail (a run of any Han characters, tried at each of them)."""
    if text.find("集团", start, end) < 0 and text.find("公司", start, end) < 0:
        return False
    return W.NAMED_ORG.search(text, start, end) is not None


def _economic_count(text: str, num: _Num, named: Named) -> bool:
    """Whether a count counts an economic actor, asset or activity (企业, 岗位, 游客 …), and
    people only in thousands; whether a length is of something built; and whether the number is
    a statistic rather than a rule or one person's story."""
    clause = text[clause_start(text, num.start) : num.start]
    if W.PERSONAL.search(clause) or W.LIMIT.search(clause) or W.FIRST_PERSON.search(text):
        return False
    if num.kind != "count":
        return True
    noun, _ = forward_noun(text, num.end)
    counted = f"{named.subject}{named.indicator}{noun}{num.unit}"
    if not W.ECONOMIC_COUNTED.search(counted):
        return False
    # People in hundreds are the staff of one firm or the passengers of one train; a statistic
    # of people runs to thousands (人次 are visits, counted as such).
    if num.unit == "户" and num.value < 1000 and not W.HOUSEHOLD_FIRMS.search(counted):
        return bool(W.WHOLE_PLACE.search(clause))
    return num.unit not in W.PEOPLE_UNITS or num.value >= 1000


def _confident(named: Named, role: str, region_source: str, has_places: Callable[[], bool]) -> bool:
    """A figure line may be shown on its own only when what, whose and where are all read from
    the figure's own sentence, and what is measured is a noun, not a verb phrase."""
    if role == "from" or named.source not in ("clause", "forward", "item", "previous"):
        return False
    if not ends_in_noun(named.indicator):
        return False
    if named.subject_source == "paragraph":
        return False
    bare = named.indicator in W.BARE_MEASURES or len(named.indicator) < 2
    if bare and not named.subject:
        return False
    if region_source in ("clause", "sentence", "list", "scope", "anaphor"):
        return True
    return region_source == "none" and not has_places()


def _with_suffix(indicator: str, num: _Num, named: Named) -> str:
    if num.kind != "ratio":
        # 贷款较年初增加7800亿元: the amount is the change, not the stock.
        if "decline" in named.flags and not indicator.endswith(W.DECLINE):
            return indicator + "减少"
        if "growth" in named.flags and not indicator.endswith(W.GROWTH):
            return indicator + "增加"
        return indicator
    if indicator.endswith(
        ("增速", "增幅", "降幅", "增长率", "占比", "比重")
    ):
        return indicator
    if "share" in named.flags:
        return indicator + "占比"
    if "decline" in named.flags:
        return indicator + "降幅"
    if "growth" in named.flags:
        return indicator + ("增速" if num.base == "%" else "增幅")
    return indicator


def _is_goal(text: str, num: _Num) -> bool:
    """A cue (力争, 目标, 预计, 计划…) in the figure's clause, or in an earlier clause of the same
    quotation that frames it without a number of its own (报告预计,2020年…5.8%,2021年为6%)."""
    start = _quote_start(text, num.start)
    own = clause_start(text, num.start)
    for m in _TARGET.finditer(text, start, num.start):
        if m.start() >= own:
            return True
        frame = text[clause_start(text, m.start()) : clause_end(text, m.end())]
        if not any(ch.isdigit() for ch in frame):
            return True
    return False


def _small_count(num: _Num) -> bool:
    """A count under ten with no qualifier and no 各: grammar (一个县城, 两大基地), unless the
    sentence makes it a side of a change or an item of a list."""
    return (
        num.kind == "count"
        and num.value < 10
        and num.qualifier not in ("多", "超", "近", "约")
        and num.tight != "各"
    )


def _stated_before(earlier: Sequence[Figure], num: _Num, where: tuple[str, str] | None):
    """The figure of the same amount stated earlier in the article for the same place, with an
    indicator of its own (余杭、北仑、慈溪等GDP超3000亿元 … 去年刚迈过3000亿元门槛的慈溪)."""
    if where is None:
        return None
    for f in reversed(earlier):
        if (
            f.adcode == where[1]
            and f.unit == num.base
            and f.role in ("current", "shared")
            and math.isclose(f.value, num.value)
            and not W.THRESHOLD.fullmatch(f.indicator)
        ):
            return f
    return None


def _national(indicator: str, text: str, original: str, nation: tuple[int, int] | None) -> str:
    """A figure its clause scopes to the nation says so (在全国51条院线中 → 全国院线), so that no
    reader takes a national total for the region's. Only the words that name the nation and
    nothing else (全国, 我国; not 中国文联, 国内领先, 全国“扫黄打非”办), and only where the
    nation is the subject: not after a noun that owns it (蒙牛全国41个生产基地) nor as the one
    given to (为我国…募集善款)."""
    if nation is None or W.NATIONAL_SCOPE.search(indicator):
        return indicator
    s, e = nation
    if text[s:e] not in W.NATION_WORDS or text[e : e + 1] in "“\"《「":
        return indicator
    before = segment.tag(text[clause_start(text, s) : s])
    if before and (before[-1][1].startswith("n") or before[-1][0] in W.NATION_GIVEN):
        return indicator
    return original[s:e] + indicator


def _figures_in_sentence(
    para: _Paragraph,
    index: int,
    ctx: _Context,
    has_places: Callable[[], bool],
    earlier_figures: Sequence[Figure] = (),
) -> list[tuple[int, Figure]]:
    sentence = para.sentences[index]
    text = sentence.text
    nums = _scan(text)
    if not nums or (len(nums) == 1 and _small_count(nums[0])):
        # A lone small count stays one whatever the sentence's structure (only a second
        # number can make it a side of a change or an item of a list).
        return []
    analyse(text, nums, sentence.regions(ctx.locate))
    masked = ""  # read when the first figure is named: many sentences hold only small counts
    earlier: list[str] = []
    found: list[tuple[int, Figure]] = []
    state = _Reading()
    previous = ""  # indicator of the last figure of the sentence
    # …and whether that figure may not stand alone (a goal, a doubt): nor may a change measured
    # on it (预计达到7900万人次,比去年增加约8.4%; 家政服务业的经营规模…,同比增长27.9%).
    previous_shaky = False
    for num in nums:
        if num.conversion:
            continue
        if _small_count(num) and not (num.linked or num.item):
            continue  # 一个县城, 两大基地, 只有一个病房: grammar, not economic figures
        if _not_data_here(text, num):
            continue  # not economic data, whatever it measures: no need to name it
        if not masked:
            masked = sentence.masked(ctx.locate)
            earlier = [x.text for x in para.sentences[:index]]
        place = Place(
            text, masked, num.start, num.end, num.kind,
            item=num.item, link_at=num.link_subject_at, clause_at=num.clause_at,
        )  # fmt: skip
        named = name_figure(place, previous, earlier)
        if not named.indicator or _not_data_named(text, num, named):
            continue
        base = named.indicator
        indicator = _with_suffix(base, num, named)
        if named.subject and named.subject not in indicator:
            indicator = named.subject + indicator
        clause_raw = text[clause_of(text, num.start) : num.start]
        whole = W.SHARE_OF_WHOLE.search(clause_raw) if "share" in named.flags else None
        if whole and indicator.endswith("占比"):
            indicator = f"{indicator[:-2]}占{whole[1]}比重"  # 复工数占全国17.7%
        role = num.role
        if role == "current" and (num.tight == "各" or W.EACH.search(clause_raw)):
            role = "each"
        if role in ("current", "each") and (
            _is_goal(text, num) or W.TARGET_AFTER.match(text, num.end)
        ):
            # 力争全年…营收突破1500亿元 is a goal, not a result: say so in the indicator, since
            # the figure line is shown without the sentence.
            role = "goal"
            if not indicator.endswith("目标"):
                indicator += "目标"
        sure = not (named.source == "previous" and previous_shaky)
        sets_previous = named.source != "previous" or not previous
        prior = previous
        if sets_previous:
            previous = base
        region, region_source = _region_for(para, index, num, named, ctx=ctx, state=state)
        economic = _economic_count(text, num, named)
        if W.THRESHOLD.fullmatch(base) or (
            W.AT_THRESHOLD.match(text, num.end) and (base in W.CROSSING or named.source == "verb")
        ):
            # 迈过3000亿元门槛: the threshold is not what is measured; the amount stated before
            # for the same place says what it is, or the figure is shown as its sentence.
            stated = _stated_before(earlier_figures, num, region)
            sure = sure and stated is not None
            if stated is not None:
                indicator = stated.indicator + ("目标" if role == "goal" else "")
                previous = stated.indicator
        if region is None and region_source == "scope":
            indicator = _national(indicator, text, sentence.original or text, state.nation)
        if region_source in ("clause", "sentence", "list", "scope", "anaphor"):
            sentence.carry = region or ()
        places = (
            [((p[2], p[3]), "list") for p in num.places]
            if num.place_mode == "shared"
            else [(region, region_source)]
        )
        # The classes of doubt are read last, for the few figures that pass everything else.
        trusted = (
            sure
            and economic
            and any(_confident(named, role, source, has_places) for _, source in places)
            and not doubt(
                text, masked, num, indicator=base, subject=named.subject,
                region_source=region_source, before_indicator=prior, shown=indicator,
            )
        )  # fmt: skip
        if sets_previous:
            previous_shaky = role == "goal" or not trusted
        for where, source in places:
            found.append(
                (
                    num.start,
                    Figure(
                        indicator=indicator,
                        value=num.value,
                        unit=num.base,
                        text=sentence.original[num.start : num.end] or text[num.start : num.end],
                        qualifier=num.qualifier,
                        period=_period_for(para, index, num.start),
                        region=where[0] if where else "",
                        adcode=where[1] if where else "",
                        sentence=sentence.original or text,
                        subject=named.subject,
                        role=role,  # type: ignore[arg-type]
                        confident=trusted and _confident(named, role, source, has_places),
                    ),
                )
            )
    return found


def _period_for(para: _Paragraph, index: int, start: int) -> str:
    before = [p for p in para.sentences[index].periods() if p[1] <= start]
    return before[-1][2] if before else para.carried_period(index)


def extract_figures(
    paragraphs: Sequence[str],
    locate: Locate | None = None,
    default_region: tuple[str, str] | None = None,
    *,
    province: tuple[str, str] | None = None,
    parent: Parent | None = None,
    folded: Sequence[str] | None = None,
) -> list[Figure]:
    """Economic figures of ``paragraphs`` in reading order, each with its verbatim text.

    ``locate(sentence)`` gives region mentions as ``(start, end, short_name, adcode)``
    (provinces included, if it can); ``default_region`` is the unit's main region, used when
    nothing closer ties a figure to a place; ``province`` is what 全省/我省 refer to; ``parent``
    names the region holding a list of places; ``folded`` may give ``fold_chars`` of each
    paragraph, when the caller has it already. The same text at the same position of the same
    sentence is reported once, even if the sentence is printed twice.
    """
    ctx = _Context(locate, default_region, province, parent)
    figures: list[Figure] = []
    seen: set[tuple[str, int, str, str]] = set()
    para: _Paragraph | None = None
    for k, paragraph in enumerate(paragraphs):
        plain = folded[k] if folded is not None else fold_chars(paragraph)
        maybe = [m.start() for m in _MAYBE_FIGURE.finditer(plain)]
        # A blank paragraph has no sentence: the one after it carries nothing over it.
        para = _Paragraph(
            paragraph, plain, maybe, para if para is not None and para.text.strip() else None
        )
        if para.previous:
            para.previous.previous = None  # carry one paragraph back only; keep memory flat
        if not maybe:
            continue  # no figure here; its sentences are split if the next paragraph asks
        sentences = para.split()

        def has_places(para: _Paragraph = para) -> bool:
            # Only asked about a figure left without a region: is there any place around?
            return default_region is not None or any(x.regions(locate) for x in para.sentences)

        for index, sentence in enumerate(sentences):
            if not sentence.scan:
                continue
            for start, fig in _figures_in_sentence(para, index, ctx, has_places, figures):
                key = (fig.sentence, start, fig.text, fig.adcode)
                if key not in seen:
                    seen.add(key)
                    figures.append(fig)
    return figures




def shown_text(figure: Figure) -> str:
    """The figure as users see it: its text with the qualifier word printed just before it.

    ``突破525亿元`` rather than ``525亿元``: both are verbatim from the sentence, and only the
    first says that the amount was exceeded. The word is looked up in the folded sentence (the
    fold keeps offsets), so traditional text keeps it too: ``達1850噸`` as printed.
    """
    if not figure.qualifier:
        return figure.text
    at = figure.sentence.find(figure.text)
    if at <= 0:
        return figure.text
    word = qualifier_before(fold_chars(figure.sentence[max(0, at - 3) : at]), LEADING_QUALIFIERS)
    return figure.sentence[at - len(word) : at] + figure.text if word else figure.text
