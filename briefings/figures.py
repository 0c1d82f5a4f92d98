"""Economic figures in running Chinese text: indicator, value, unit, qualifier, period and region.

One compiled scan per sentence finds ``qualifier? number magnitude? 多/余? unit 以上?``; rules then
drop dates, ordinals, codes, vague and grammatical counts, and name the indicator from the words
before the number (规上工业增加值增速达19.7%) or, failing that, after it (超百个订单). No
segmentation: the whole module is regular expressions and string slicing, linear in the input.
The rules are written down in docs/figures.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from briefings.models import Figure
from briefings.normalize import fold_chars
from briefings.numbers import (
    ARABIC,
    CHINESE,
    CN_NUMERAL_CHARS,
    MAGNITUDE,
    QUALIFIERS,
    parse_quantity,
)
from briefings.sentences import split_sentences

Span = tuple[int, int, str, str]
Locate = Callable[[str], Sequence[Span]]


def _words(text: str) -> list[str]:
    return text.split()


# --- units ------------------------------------------------------------------------------------
# Printed unit → (unit stored on the Figure, kind). Magnitudes are applied to the value, so the
# stored unit is the base one: 18亿元 → 1.8e9 元, 1.2万人 → 12000 人.
_MONEY = {u: (u, "money") for u in ("元", "美元", "欧元", "日元", "港元", "英镑")}
_MONEY["元人民币"] = ("元", "money")
_RATIO = {
    "%": ("%", "ratio"), "％": ("%", "ratio"), "‰": ("‰", "ratio"), "成": ("%", "ratio"),
    "个百分点": ("百分点", "ratio"), "百分点": ("百分点", "ratio"), "倍": ("倍", "ratio"),
}  # fmt: skip
_COUNT = {
    u: (u, "count")
    for u in _words(
        "家 个 人 名 位 项 单 条 块 座 所 台 辆 艘 架 件 套 户 次 场 部 批 例 株 头 只 张 篇 份 笔 "
        "宗 处 栋 幢 间 款 种 支 颗 枚 根 人次 辆次 架次 艘次 车次 批次 标箱 标准箱"
    )
}
_MEASURE = {
    u: (u, "measure")
    for u in _words(
        "吨 千克 公斤 平方米 平方公里 平方千米 立方米 亩 公顷 千瓦时 千瓦 兆瓦 吉瓦 公里 千米 米 "
        "升 桶 TEU GW MW kW kWh GWh"
    )
}
# Time units are matched only to be rejected: 2025年, 4月14日, 5天, 两个月 are dates and durations.
_TIME = {
    u: (u, "time")
    for u in _words(
        "年 个月 月 日 天 周 周年 小时 个小时 分钟 秒 岁 号 时 季度 个季度 工作日 个工作日 "
        "年代 世纪"
    )
}
UNITS: dict[str, tuple[str, str]] = {**_MONEY, **_RATIO, **_COUNT, **_MEASURE, **_TIME}
_UNIT_ALT = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))

# Tight qualifiers are printed against the number and kept in ``text`` (超千亿元, 近6000块, 上万家);
# the lookbehinds keep words out that merely end in the same character (最近, 签约, 赶超).
# Without a tight qualifier a match may not start inside a longer number or code (两三个, 1.5.2,
# 十十十…): the lookbehind keeps the scan from retrying at every character of a numeral run.
_FIGURE = re.compile(
    r"(?:(?P<tq>(?<![最附临邻亲靠将接逼])近|(?<![高赶])超(?![过出])|逾"
    r"|(?<![签合条预制公节规誓和大])约|上(?=[百千万亿]))"
    rf"|(?<![{CN_NUMERAL_CHARS}0-9０-９.．%％]))"
    rf"(?:百分之(?P<pnum>{ARABIC}|{CHINESE})"
    rf"|(?P<num>{ARABIC}|{CHINESE})(?P<a1>多|余|来)?(?P<mag>{MAGNITUDE})(?P<a2>多|余)?"
    rf"(?P<unit>{_UNIT_ALT}))"
    r"(?P<post>以上|以下|左右|上下|之多)?"
)
_TENTHS_OK = re.compile(r"成(?![立为功本果员绩交熟长效型品不都就])")
# Every figure starts where a run of numerals starts, or at a tight qualifier just before one:
# the qualifier is no numeral, and the lookbehind above rules out starts inside a run.
_NUMERAL_RUN = re.compile(f"[{CN_NUMERAL_CHARS}0-9０-９]+")
_TIGHT_QUALIFIERS = frozenset("近超逾约上")


def _figure_matches(text: str) -> Iterator[re.Match[str]]:
    """``_FIGURE.finditer(text)``, trying only the places a figure can start.

    The scan proper tries every character of the sentence against a pattern that begins with
    lookbehinds (no literal prefix for the regex engine to skip to); a page has a few hundred
    numeral runs among thousands of characters.
    """
    pos = 0
    for run in _NUMERAL_RUN.finditer(text):
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
# A year not followed by a full date (1981年5月23日 is a date, not a period).
_YEAR_OK = rf"{_YEAR}(?!{_MON}月[0-9一二三四五六七八九十]{{1,3}}[日号])"
_PERIOD = re.compile(
    r"(?:截至|截止)?(?:"
    rf"{_YEAR_OK}{_PART}?|{_PART}"
    r"|近年来|近些年|近几年|这些年|多年来|近年"
    rf"|(?:近|过去|连续|这){_N}(?:多|余)?个?(?:年|月)(?:来|以来|间|内|里)?"
    rf"|{_N}(?:多|余)?年(?:来|以来|间|内|前)?(?![0-9])"
    r"|目前|当前|至今|迄今|如今|“?十[四五六]五”?(?:时期|期间|以来)?"
    r")(?:以来|来|底|末|初|期间|上旬|中旬|下旬)?"
)

# --- indicator words ----------------------------------------------------------------------------
_GROWTH = ("增长", "增加", "猛增", "大增", "激增", "提高", "提升", "上升", "上涨", "增")
_DECLINE = ("下降", "减少", "降低", "压缩", "回落", "下滑", "缩减", "收窄", "降")
# Words between an indicator and its number: verbs of amount, adverbs, comparisons. The
# lookbehinds keep nouns whole (人均, 公共, 发达, 成就, 国有, 行为).
_TAIL_WORDS = (
    *_GROWTH, *_DECLINE, "增至", "升至", "降至", "达至", "稳定在", "保持在", "维持在",
    "(?:提升|提高|上升|增长|增加|扩大|下降|降低|回落|减少)(?:至|到)",
    "了", "分别", "各", "(?<![人户亩年日月周平])均", "都", "(?<![公])共", "共计", "合计", "总计",
    "累计", "仍", "仍然", "依然", "已", "已经", "也", "还", "再", "又", "首次", "同样", "刚",
    "刚刚", "(?<![成造])就", "仅", "仅有", "只有", "预计", "力争", "直接", "间接", "同比", "环比",
    "比上年", "较上年", "比去年", "较去年", "同期", "(?<![行作认成因以较更最极尤])为", "是",
    "(?<![所国专特固私稀具])有", "共有", "拥有", "占",
    "占(?:全省|全市|全国|全县|全区|全球|总数|总量)(?:总量)?的?",
    "(?<![发到表传通抵送直雷])达", "达到",
    "高达", "多达", "(?<![高赶])超", "超过", "超出", "逾", "突破", "跨过", "迈过", "跨越",
    "(?<![签合条预制公节规誓])约", "大约", "(?<![最附临邻亲靠])近", "将近", "接近", "不足",
    "不到", "低于", "少于", "高于", "实现", "完成", "保持",
)  # fmt: skip
_TAIL = re.compile("(?:" + "|".join(_TAIL_WORDS) + ")$")
_HEAD = re.compile(
    "^(?:其中|其余|全省|全市|全县|全区|全国|全镇|全球|当地|本地|该县|该市|该区|该镇|目前|"
    "已经|已|累计|共计|合计|总计|共|再|又|也|还|更|并|均|都|同比|环比|首次|同样|刚刚|刚|仍|"
    "直接|预计|力争|或|等(?![级同于待候])|而|则|其|它们|这些|比如|例如|此外|另外|同时)"
)
# Verbs and prepositions whose object is the indicator: cut the clause after the last of them
# (已累计发放|电影消费券, 联建|概念验证和中试综合平台, 提供|保险保障和信贷资金).
_STANDING_VERBS = (
    "发行", "发放", "签约", "签订", "引进", "招引", "新增", "落地", "培育", "共建", "联建",
    "新建", "承接", "吸引", "带动", "募集", "认定", "入选", "开工", "投产", "建成", "完成",
)  # fmt: skip
_SPLIT_WORDS = (
    *_STANDING_VERBS, "集聚", "聚集", "引育", "拥有", "共有", "已有", "形成", "打造", "获得",
    "实现", "提供", "达成", "推动", "推出", "设立", "成立", "做成", "建立", "开展",
    "举办", "带来", "创造", "贡献", "拉动", "撬动", "了", "的", "把", "将(?!近)", "让",
    "使(?!用)", "对(?![外象接比标])", "向(?![上下])", "给", "从(?!事)", "由", "被",
    "(?<![关由对等位属基处用至在善易])于", "(?<![现存所正实内潜自])在(?![线建内地校职岗营库])",
    "(?<![作成认行因以较更最极尤])为", "(?<![所可加予难得足用借据])以(?![上下来及外内后前便免])",
    "(?<![收捕俘斩荣])获", "(?<![所国专特固私稀具])有(?![限关效机序力所的望助利])",
    "(?<![于但总还正就或凡若要只])是", "等(?![级同于待候])",
)  # fmt: skip
_SPLIT = re.compile("|".join(_SPLIT_WORDS))
_GENERIC = re.compile("(?:成绩|门槛|大关|关口|台阶|量级|水平线)$")
_FORWARD = re.compile(r"(?P<de>的)?(?P<noun>[\u3400-\u9fffA-Za-z]{1,12})")
_FORWARD_STOP = re.compile(
    "落地|落户|入选|获得|实现|成为|完成|达到|参与|进入|位居|入驻|签约|投产|开工|建成|覆盖|分布|"
    "涉及|参加|来自|共同|同比|环比|左右|以上|累计|总计|合计|其中|分别|增长|下降|提升|提高|成功|"
    "正在|已经|目前|如今|当前|今年|去年|[的了在和与及等是被将已把从向对获让为均都也还就再又并且而或占达超近约比较]"
)
_FORWARD_TAIL = re.compile("[中内里上]$")
_CLAUSE_DELIMS = frozenset(",，、;；:：!！?？。“”‘’\"'「」『』《》()（）[]【】<>〈〉—…/ \t\u3000\n")
_RANGE_MARKS = frozenset("-—–~～至到")
_CN_OR_DIGIT = frozenset(CN_NUMERAL_CHARS + "0123456789０１２３４５６７８９%％")
_VERBAL_QUALIFIER = re.compile(
    "(?:超过|超出|突破|跨过|迈过|跨越|将近|接近|逼近|大约|达到|高达|多达|(?<![发到表传通抵送直雷])达|"
    "不足|不到|低于|少于|高于|仅有|只有|仅)了?$"
)
_MASK = "\x00"
# A province- or country-wide scope in the figure's own clause overrides any county mention
# (拥有横店、象山两大影视基地…,全省共有影视制作机构近4000家). 占全省/比全国 compare instead.
# Words that make what follows in the sentence a goal or a forecast rather than a result.
_TARGET = re.compile("力争|目标|预计|预期|有望|争取|计划到|规划到")
_TARGET_TAIL = re.compile("(?:力争|预计|预期|有望|争取)+$")
# A clause that only states a change (同比增长6.8%, 下降2.3%) of the amount before it.
_CHANGE = re.compile("|".join((*_GROWTH, *_DECLINE, "增幅", "增速", "降幅", "同比", "环比")))
_FALL = re.compile("|".join((*_DECLINE, "降幅")))
_PROVINCE_TOPIC = re.compile("浙江|全省|我省|本省")
_PROVINCE_SCOPE = re.compile("(?<![占比较于过])(?:全省|我省|本省|省内|全国|国内|全球)")


@dataclass
class _Sentence:
    """One sentence of a paragraph, with its region and period spans computed on demand.

    ``text`` is the folded copy every pattern runs on (traditional → simplified, full-width →
    ASCII, character for character); ``original`` is the sentence as printed, same length, from
    which figure texts are cut.
    """

    text: str
    original: str = ""
    _regions: list[Span] | None = None
    _periods: list[tuple[int, int, str]] | None = None
    _masked: str | None = None

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
        """The text with region names (and a following 市/县/区) and periods blanked out."""
        if self._masked is None:
            chars = list(self.text)
            spans = [(s, e) for s, e, _, _ in self.regions(locate)]
            spans += [(s, e) for s, e, _ in self.periods()]
            for s, e in spans:
                # 鄞州区主要负责人: the administrative suffix goes with the name.
                stop = e + 1 if e < len(chars) and chars[e] in "市县区镇" else e
                chars[s:stop] = _MASK * (stop - s)
            self._masked = "".join(chars)
        return self._masked


@dataclass
class _Paragraph:
    sentences: list[_Sentence] = field(default_factory=list)
    previous: _Paragraph | None = None

    def last_region(self, locate: Locate | None) -> tuple[str, str] | None:
        return self.carried_region(len(self.sentences), locate)

    def carried_region(self, index: int, locate: Locate | None) -> tuple[str, str] | None:
        for prev in reversed(self.sentences[:index]):
            found = prev.regions(locate)
            if found:
                return found[-1][2], found[-1][3]
        return None

    def carried_period(self, index: int) -> str:
        for prev in reversed(self.sentences[:index]):
            found = prev.periods()
            if found:
                return found[-1][2]
        return ""


def _quote_start(text: str, pos: int) -> int:
    """Start of the quotation or semicolon-separated part holding ``pos`` (“力争…”“已集聚…”)."""
    return max(text.rfind(c, 0, pos) for c in "“”「」‘’;；") + 1


def _clause_start(text: str, pos: int) -> int:
    """Start of the clause ending at ``pos``; at most 60 characters back, to stay linear."""
    i, limit = pos, max(0, pos - 60)
    while i > limit and text[i - 1] not in _CLAUSE_DELIMS:
        i -= 1
    return i


def _strip_piece(piece: str, flags: set[str]) -> tuple[str, str]:
    """Indicator words of one clause piece, and the standing verb it was cut after (if any)."""
    while piece:
        m = _TAIL.search(piece)
        if not m:
            break
        word = m.group()
        if word in _GROWTH:
            flags.add("growth")
        elif word in _DECLINE:
            flags.add("decline")
        elif word.startswith("占"):
            flags.add("share")  # 出口占近九成, 产值占全省的30%
        piece = piece[: m.start()]
    verb = ""
    cuts = list(_SPLIT.finditer(piece))
    if cuts:
        last = cuts[-1]
        verb = last.group() if last.group() in _STANDING_VERBS else ""
        piece = piece[last.end() :]
    while piece:
        m = _HEAD.match(piece)
        if not m or not m.group():
            break
        piece = piece[m.end() :]
    piece = _GENERIC.sub("", piece)
    return piece, verb


def _valid(word: str) -> bool:
    return len(word) >= 2 and not all(ch in _CN_OR_DIGIT for ch in word)


def _forward_noun(text: str, end: int) -> tuple[str, bool]:
    """The noun counted by the number (2000多家|整机企业), and whether it follows without 的."""
    m = _FORWARD.match(text, end)
    if not m:
        return "", False
    noun = m["noun"]
    stop = _FORWARD_STOP.search(noun)
    if stop:
        noun = noun[: stop.start()]
    noun = _GENERIC.sub("", _FORWARD_TAIL.sub("", noun))
    return (noun, not m["de"]) if _valid(noun) else ("", False)


def _indicator(sentence: _Sentence, start: int, end: int, kind: str, locate: Locate | None):
    """(indicator, flags) for the figure at ``start:end`` of the sentence; '' when none."""
    masked = sentence.masked(locate)
    clause = masked[_clause_start(masked, start) : start]
    flags: set[str] = set()
    noun, direct = _forward_noun(sentence.text, end)
    if noun and direct and kind in ("count", "measure"):
        return noun, flags
    verb = ""
    for piece in reversed(clause.split(_MASK)):
        words, cut_verb = _strip_piece(piece, flags)
        verb = verb or cut_verb
        if _valid(words):
            return words, flags
    if noun:
        return noun, flags
    return verb, flags


def _qualifier(m: re.Match[str], clause_raw: str) -> str:
    if m["tq"]:
        return QUALIFIERS[m["tq"]]
    verbal = _VERBAL_QUALIFIER.search(clause_raw)
    if verbal:
        return QUALIFIERS[verbal.group().removesuffix("了")]
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
    if prev == ":" and start > 1 and before.isdigit():
        return True  # 72:56
    return prev in _RANGE_MARKS and before in _CN_OR_DIGIT  # 10-20亿元, 5%—10%


def _figures_in_sentence(
    para: _Paragraph,
    index: int,
    locate: Locate | None,
    default_region: tuple[str, str] | None,
) -> list[tuple[int, Figure]]:
    sentence = para.sentences[index]
    text = sentence.text
    found: list[tuple[int, Figure]] = []
    scope_at = -1  # where the last figure with a province-wide clause (全省共有…) started
    previous = ""  # indicator of the last amount in the sentence, for a change that follows it
    for m in _figure_matches(text):
        unit_printed = m["unit"] or "%"
        base, kind = UNITS[unit_printed]
        if kind == "time" or _rejected_by_context(text, m):
            continue
        num = m["num"] or m["pnum"]
        if len(num) == 1 and num in "百千万亿佰仟" and not (m["tq"] or m["a1"] or m["a2"]):
            continue  # a bare magnitude is a word (千家万户, 亿元以上项目), not an amount
        if unit_printed == "成" and not _TENTHS_OK.match(text, m.start("unit")):
            continue
        figure_text = m.group()
        quantity = parse_quantity(figure_text)
        if quantity is None or (unit_printed == "成" and quantity.value > 100):
            continue
        clause_raw = text[_clause_start(text, m.start()) : m.start()]
        qualifier = _qualifier(m, clause_raw)
        if kind == "count" and quantity.value < 10 and not qualifier:
            continue  # 一个县城, 两大基地, 3个书面交流的: grammar, not economic figures
        indicator, flags = _indicator(sentence, m.start(), m.end(), kind, locate)
        if not indicator and kind == "ratio" and previous and _CHANGE.search(clause_raw):
            # 地区生产总值1680.5亿元,同比增长6.8%: the change belongs to the amount just before.
            indicator = previous
            flags.add("decline" if _FALL.search(clause_raw) else "growth")
        elif kind == "ratio" and previous and indicator in ("占比", "比重", "占"):
            # 一般贸易进出口3680亿元,占比75.7%: the share of the amount just before.
            indicator = previous + "占比"
        indicator = _TARGET_TAIL.sub("", indicator)
        if not indicator:
            continue
        if kind != "ratio":
            previous = indicator
        if kind == "ratio" and not indicator.endswith(("增速", "增幅", "降幅", "增长率", "占比")):
            if "share" in flags:
                indicator += "占比"
            elif "decline" in flags:
                indicator += "降幅"
            elif "growth" in flags:
                indicator += "增速" if base == "%" else "增幅"
        if _TARGET.search(text, _quote_start(text, m.start()), m.start()) and not (
            indicator.endswith("目标")
        ):
            # 力争全年…营收突破1500亿元 is a goal, not a result: say so in the indicator, since
            # the figure line is shown without the sentence.
            indicator += "目标"
        if _PROVINCE_SCOPE.search(clause_raw):
            # 全省共有影院近900家: a province-wide figure, not the county's. The scope holds for
            # the next figures of the sentence until a region is named again.
            scope_at, region = m.start(), ("", "")
        elif scope_at >= 0 and not any(
            scope_at < s < m.start() for s, _, _, _ in sentence.regions(locate)
        ):
            region = ("", "")
        else:
            region = _region_for(para, index, m.start(), locate) or default_region or ("", "")
        found.append(
            (
                m.start(),
                Figure(
                    indicator=indicator,
                    value=quantity.value,
                    unit=base,
                    text=sentence.original[m.start() : m.end()] or figure_text,
                    qualifier=qualifier,
                    period=_period_for(para, index, m.start()),
                    region=region[0],
                    adcode=region[1],
                    sentence=sentence.original or text,
                ),
            )
        )
    return found


def _region_for(
    para: _Paragraph, index: int, start: int, locate: Locate | None
) -> tuple[str, str] | None:
    """Nearest mention before the figure, else carried from the paragraph, else one after it,
    else the last mention of the previous paragraph (两年前…柯城… / 如今…增速高达19.7%)."""
    spans = para.sentences[index].regions(locate)
    before = [s for s in spans if s[1] <= start]
    if before:
        return before[-1][2], before[-1][3]
    carried = para.carried_region(index, locate)
    if carried:
        return carried
    after = [s for s in spans if s[0] >= start]
    if after:
        return after[0][2], after[0][3]
    if any(_PROVINCE_TOPIC.search(x.text) for x in para.sentences[: index + 1]):
        # 工业大县,是浙江经济的“压舱石”。或规上工业总产值1000亿元以上…: a paragraph that turns
        # to the province does not inherit the county of the paragraph before.
        return None
    carried = para.previous.last_region(locate) if para.previous else None
    # Across paragraphs only a county carries over (两年前…柯城… / 如今…19.7%): a city named in
    # passing (杭州西湖的暖风) says little about the next paragraph. City adcodes end in 00.
    return carried if carried and not carried[1].endswith("00") else None


def _period_for(para: _Paragraph, index: int, start: int) -> str:
    before = [p for p in para.sentences[index].periods() if p[1] <= start]
    return before[-1][2] if before else para.carried_period(index)


def extract_figures(
    paragraphs: Sequence[str],
    locate: Locate | None = None,
    default_region: tuple[str, str] | None = None,
) -> list[Figure]:
    """Economic figures of ``paragraphs`` in reading order, each with its verbatim text.

    ``locate(sentence)`` gives region mentions as ``(start, end, short_name, adcode)``;
    ``default_region`` is used when a paragraph names no region. The same text at the same
    position of the same sentence is reported once, even if the sentence is printed twice.
    """
    figures: list[Figure] = []
    seen: set[tuple[str, int, str]] = set()
    para: _Paragraph | None = None
    for paragraph in paragraphs:
        para = _Paragraph(previous=para if para and para.sentences else None)
        if para.previous:
            para.previous.previous = None  # carry one paragraph back only; keep memory flat
        for s, e in split_sentences(paragraph):
            chunk = paragraph[s:e].strip()
            if chunk:
                para.sentences.append(_Sentence(fold_chars(chunk), chunk))
        for index in range(len(para.sentences)):
            for start, fig in _figures_in_sentence(para, index, locate, default_region):
                key = (fig.sentence, start, fig.text)
                if key not in seen:
                    seen.add(key)
                    figures.append(fig)
    return figures


# A qualifier word printed right before a figure's text (突破525亿元, 高达19.7%).
_LEAD_WORD = re.compile(
    "(?:超过|超出|突破|跨过|迈过|跨越|将近|接近|逼近|大约|达到|高达|多达|不足|不到|低于|少于|"
    "高于|仅有|只有|达|仅|逾|超|近|约)$"
)


def shown_text(figure: Figure) -> str:
    """The figure as users see it: its text with the qualifier word printed just before it.

    ``突破525亿元`` rather than ``525亿元``: both are verbatim from the sentence, and only the
    first says that the amount was exceeded.
    """
    if not figure.qualifier:
        return figure.text
    at = figure.sentence.find(figure.text)
    if at <= 0:
        return figure.text
    m = _LEAD_WORD.search(figure.sentence, max(0, at - 2), at)
    return figure.sentence[m.start() : at] + figure.text if m else figure.text
