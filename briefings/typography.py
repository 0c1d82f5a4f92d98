"""The typography of Chinese newspaper pages: patterns for bylines, datelines, continuation
marks and mastheads, and how a line ends or begins (sentence end, unfinished, mid-sentence).

Shared by the page parser, the byline parser and the part linker; no segmenter, linear regexes.
"""

from __future__ import annotations

import re
from functools import lru_cache

from briefings.marks import CLOSERS, FULL_STOPS, HAN, HAN_CHAR, NOT_HAN_RUN, OPENERS, STOPS
from briefings.normalize import zhconv_tables
from briefings.sentences import ends_sentence


@lru_cache(maxsize=1)
def _traditional() -> dict[str, str]:
    """Simplified → traditional, single characters that differ (报 → 報, 讯 → 訊), with the Hong
    Kong and Taiwan variant of the traditional form where it differs (阅 → 閱 閲)."""
    tables = zhconv_tables()
    out: dict[str, str] = {}
    for s, t in tables["zh2Hant"].items():
        if len(s) == 1 and len(t) == 1 and s != t:
            variants = {tables[v].get(t, t) for v in ("zh2HK", "zh2TW")} - {t, s}
            out[s] = t + "".join(sorted(v for v in variants if len(v) == 1))
    return out


def _both(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """The pattern, also matching its Han literals in traditional form: 本报 → 本[报報].

    Pages set in traditional characters print the same marks (本報訊, （緊接第一版）, 責任編輯);
    matching both forms keeps every captured text exactly as printed.
    """
    trad = _traditional()
    src = pattern.pattern
    out: list[str] = []
    in_class = escaped = False
    for i, ch in enumerate(src):
        alt = trad.get(ch)
        if escaped:
            escaped = False
            out.append(ch)
        elif ch == "\\":
            escaped = True
            out.append(ch)
        elif in_class:
            in_class = ch != "]"
            ranged = "-" in (src[i - 1 : i] + src[i + 1 : i + 2])
            out.append(ch + alt if alt and not ranged else ch)
        elif ch == "[":
            in_class = True
            out.append(ch)
        else:
            out.append(f"[{ch}{alt}]" if alt else ch)
    return re.compile("".join(out), pattern.flags)


_H, _HAN, _NOT_HAN = HAN, HAN_CHAR, NOT_HAN_RUN  # the names the parser's modules use
_WS = re.compile(r"\s+")

# A line ending in one of these is cut mid-sentence: the sentence goes on in the next block.
_DANGLING = ",，、:：—─" + OPENERS
# Function words that need something after them; with a comma in the line they mark a cut.
_FUNCTION_END = frozenset("的之与和及或把被对从向在于将为以让使给并而但且")
# A paragraph never starts with these: a block that does is the tail of a sentence.
_CANNOT_START = CLOSERS + ",，、。．；;：:！!？?…%"

# A verb of saying (or of showing, for data) and a comma: 表示，说，指出，数据显示，
_REPORTED_SPEECH = re.compile(r"(?:说|表示|认为|指出|介绍|强调|称|透露|坦言|显示)[，,]")

# A last clause of one Han character after a comma (…定点收治医院，广): a word cut in half by a
# column break; no headline ends that way.
_ONE_CHAR_CLAUSE = re.compile(rf"[，,、][^{_H}，,、]*[{_H}][^{_H}，,、]*$")

# A sentence opening with when it happened and a comma (2月2日傍晚，… 目前，…): body grammar;
# headlines put the time inside (2月起阶段性减征职工医保费). A question may open so (今年，…吗？).
_TIME_OPENER = re.compile(
    r"^(?:(?:\d{4}年)?\d{1,2}月(?:\d{1,2}日)?[^，,。]{0,4}"
    r"|今年|去年|目前|近日|日前|当前|近年来|如今|此前|当天|随后)[，,]"
)

HEADLINE_MAX = 40  # visible characters; longer unpunctuated lines are body text
# A headline or deck with clause punctuation (a comma, ！, ？) is at most this long; on the dev
# pages the longest untagged one under a headline has 22 characters.
CLAUSE_LINE_MAX = 24
SUBHEAD_MAX = 16  # sub-heads inside an article are short
SECTION_MAX = 6  # 要闻, 经济新闻, 县域·观察
WRAP_TAIL_MAX = 6  # a headline line this short after another is the rest of a wrapped headline
NOISE_MAX = 3  # a lone line this short in a headline block is OCR debris (清金樾)
MAX_TITLE_LINES = 3
# Trigram overlap between the text after a short line and the unit so far, above which the
# line is a sub-head of that unit rather than the title of a new one (see docs/parsing.md).
CONTINUITY = 0.009
# A reporter's note (记者手记) comments on the report just above it and repeats its names and
# places: it belongs to that report only when its text shares this much of the report's trigrams,
# even after the report's closing byline; otherwise it is a piece of its own.
NOTE_CONTINUITY = 0.04
ECHO_MIN = 0.5  # a header this much made of the article's own trigrams is one of its sub-heads
SUBKICKER_MAX = 8  # a lead-in (——) this short may head an item inside an article (数据标注员——)
LEAD_MAX = 2  # paragraphs of a feature's lead above its first section
CAPTION_MAX = 2  # paragraphs of a photo item's caption above its credit
BRIEF_MAX = 5  # paragraphs of one brief in a column of briefs (资讯, 速览)
FOLLOWING_MAX = 600  # characters of the text under a headline compared with the article so far
RECENT_MAX = 2000  # characters at the end of the article so far that the comparison uses

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
# Photo credit at the end of a byline-like line: 文摄, 摄, 供图 … (摄 may be glued to the name),
# maybe followed by the picture agency in parentheses: 杨梅清摄（影像中国）, 孟德龙摄（人民视觉）.
_AGENCY = r"(?:\s*[(（][^()（）\n]{1,12}[)）])?"
_CREDIT_TAIL = re.compile(
    rf"(?:\s+|(?<=[{_H}]))(?P<credit>文\s*[/／]\s*摄|摄影报[道导]|摄){_AGENCY}\s*$"
    r"|\s+(?P<credit2>文\s*[/／]\s*图|图\s*[/／]\s*文|文摄|摄影|供图|[制製]图|绘图|绘|图|视频)"
    rf"{_AGENCY}\s*$"
)
# The last character of every credit above: a cheap test before searching a whole line for one.
_CREDIT_LAST = frozenset("摄文影图绘频道导攝圖繪頻導)）")

_MD = r"\d{1,2}月\d{1,2}日"
# News agencies and papers whose datelines (新华社北京4月14日电) open reprinted articles.
_AGENCIES = "|".join(
    [
        *("新华社", "中新社", "中国新闻社", "中新网", "新华网", "人民网", "央视网"),
        *("人民日报", "光明日报", "经济日报", "工人日报", "中国日报"),
    ]
)
# A dateline opening an article (本报杭州4月14日讯(记者 …), 新华社北京4月14日电), and the marks of
# an article jumping pages ((紧接第一版) at the start of the rest, (下转第3版) at the end of the
# start). Matched in simplified and traditional form (``_both`` below); see ``lead_marks_end``.
DATELINE = re.compile(
    rf"^\s*(?P<dl>本报(?!记者|通讯员)[{_H}]{{0,6}}?(?:{_MD})?[讯电]"
    rf"|据?(?:{_AGENCIES})[{_H}]{{1,10}}?{_MD}[电讯])"
    r"\s*(?:[(（](?P<who>[^()（）\n]{1,60})[)）])?"
)
CONTINUED_FROM = re.compile(
    r"^\s*[(（]\s*(?:紧接|上接|接|续)\s*(?P<page>第?\s*[A-Za-z]?[\d一二三四五六七八九十]{1,3}\s*版)"
    r"\s*[)）]\s*"
)
CONTINUED_TO = re.compile(
    r"\s*[(（]\s*(?:下转|转至?|转第)\s*(?P<page>第?\s*[A-Za-z]?[\d一二三四五六七八九十]{1,3}\s*版)"
    r"\s*[)）]\s*$"
)
# Editor credits and the metadata lines of web exports: never part of a unit.
_META = re.compile(
    r"^[(（]?\s*(?:本版)?(?:责任编辑|责编|编辑|美编|校对|版式设计|版面设计|美术编辑|组版|审核|监制)"
    r"\s*[:：\s]|^(?:来源|作者|发布时间|发布日期|出版日期)\s*[:：]"
)
# A date line, possibly followed by the page's staff credits: `2026年6月3日 星期三 责任编辑：李华`.
_MAST_DATE = re.compile(
    r"^(?:\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}[-/.]\d{1,2}[-/.]\d{1,2})"
    r"(?:\s*(?:星期|周)[一二三四五六日天])?(?:\s*农历\S*)?"
    rf"(?:\s+(?:责任编辑|责编|编辑|美编|校对|版式设计|版面设计|美术编辑)\s*[:：]?\s*[{_H}·、]{{2,12}})*$"
)
# `第3版 要闻`, `A2版：综合新闻`, and letter-and-number labels without 版: `A2 综合新闻`.
_MAST_EDITION = re.compile(
    r"^(?:(?:第\s*)?(?P<label>[A-Za-z]?\d{1,3}|[一二三四五六七八九十]{1,3})\s*版"
    rf"(?:\s*[:：·|｜\s]\s*(?P<section>[{_H}·]{{2,8}}))?"
    rf"|(?P<label2>[A-Z]\d{{1,2}})\s*[:：·|｜\s]\s*(?P<section2>[{_H}·]{{2,8}}))$"
)
_MAST_PAPER = re.compile(rf"^[{_H}]{{2,6}}(?:日报|晚报|晨报|时报|商报|都市报)$")
_MAST_LABEL = re.compile(r"^(?:出版日期|日期|发布时间|发布日期|来源|作者)\s*[:：]")

# Editor's labels: a line that names the box under it (核心阅读, 编者按, 内容提要, 【绝活看点】).
# They belong to the body of the article they sit in, and are never its title or subtitle.
_LABEL = re.compile(
    rf"^[{_MARKERS}]?\s*(?:【[^【】\n]{{1,12}}】"
    r"|(?:核心阅读|编者按|编者的话|编后语?|内容提要|内容摘要|阅读提示|人物小传|人物简介"
    r"|延伸阅读|相关阅读|(?:相关|背景|知识)?(?:链接|連結)|记者手记|记者札记|短评|点评)\s*[:：]?)$"
)
# Lines printed after an article's text that are not part of it: credits for graphics and data,
# contact lines of a column. They end the article.
_NOTE_LINE = re.compile(
    r"^(?:本版|本期|本栏)?(?:[制製]图|统筹|策划|监[制製]|设计|版式设计|图表[制製]作|插图|漫画|执笔)\s*[:：]"
    r"|^[^:：。，,]{0,8}来源\s*[:：]"
    r"|^.{0,12}(?:邮箱|信箱|邮件|传真|热线)\s*[:：]"
    r"|[\w.+-]+@[\w-]+\.[\w.]+\s*。?$"
    rf"|^[{_H}·\s]{{2,12}}?图\s+[{_H}·\s]{{2,12}}?文$"  # 曹希阳图  德  邻文: drawing and words
    rf"|^[{_H}]{{1,6}}社发$"  # 新华社发: a photo an agency sent, credited without a name
    # 陕西咸阳市 姚 平: a reader's letter signed with the writer's place and name
    rf"|^[{_H}]{{1,10}}[省市县区州盟旗镇乡村]\s+[{_H}](?:\s*[{_H}]){{1,2}}$"
)
# A line wholly inside one pair of parentheses: an author note (（作者为…）), a source
# (（本报柏林电）, （据新华社电）), a note that a series ends (（本系列评论到此结束）).
_PAREN_LINE = re.compile(r"^[(（](?:[^()（）]|[(（][^()（）]*[)）])+[)）]$")
# A column tag printed after a headline: （权威访谈）, (记者观察), （倾听·关注…建设（下））.
_COLUMN_TAG = re.compile(r"[(（](?:[^()（）。！？\n]|[(（][^()（）\n]*[)）]){1,60}[)）]\s*$")

_ROLE, _ROLE_NAME, _CREDIT_TAIL, DATELINE = map(
    _both, (_ROLE, _ROLE_NAME, _CREDIT_TAIL, DATELINE)
)
CONTINUED_FROM, CONTINUED_TO, _META = map(_both, (CONTINUED_FROM, CONTINUED_TO, _META))
_LABEL, _NOTE_LINE, _REPORTED_SPEECH = map(_both, (_LABEL, _NOTE_LINE, _REPORTED_SPEECH))
_TIME_OPENER = _both(_TIME_OPENER)
_MAST_DATE, _MAST_EDITION, _MAST_PAPER, _MAST_LABEL = map(
    _both, (_MAST_DATE, _MAST_EDITION, _MAST_PAPER, _MAST_LABEL)
)


def lead_marks_end(text: str) -> int:
    """Where the words of ``text`` start after an opening continuation mark and a dateline
    (``(紧接第一版)本报杭州4月14日讯(记者 …)``); 0 when it opens with neither."""
    end = 0
    for mark in (CONTINUED_FROM, DATELINE):
        m = mark.match(text[end:])
        if m:
            end += m.end()
    return end


def _vis(text: str) -> int:
    """Visible length: characters other than blanks (full-width spaces included)."""
    # str.split and \s agree on what a blank is (both use Py_UNICODE_ISSPACE).
    return sum(map(len, text.split()))


def _cjk(text: str) -> str:
    """Only the Han characters of ``text``, in order."""
    return _NOT_HAN.sub("", text)


def is_unfinished(text: str) -> bool:
    """True when a line is body text cut mid-sentence (by a column break, say).

    Headlines have no end punctuation either, so only lines that cannot be headlines count:
    ending in a comma or an opening quote, too long, holding a sentence end inside, or a
    comma-separated clause ending in a function word (第一个发言的).
    """
    s = text.strip()
    if not s or ends_sentence(s):
        return False
    return _cut_by_form(s) or _cut_by_commas(s)


def _cut_by_form(s: str) -> bool:
    """Cut for sure: a dangling mark at the end, longer than a headline, a sentence end
    inside, a quotation or bracket opened and not closed, or reported speech (…表示，).

    A one-character last clause (…收治医院，广) is a word cut in half; an opening time and a
    comma (2月2日傍晚，…) is how sentences begin, not headlines. Reported speech is body
    grammar: a headline quotes with a colon (全国人大代表谢德体：…) or a
    dash, never with a verb of saying and a comma (乌克兰总统泽连斯基日前表示，乌政府计划…)."""
    v = _vis(s) - 20 if s.startswith(("——", "──")) else _vis_untagged(s)
    return (
        s[-1] in _DANGLING
        or v > HEADLINE_MAX
        or re.search(r"[。；;]", s) is not None
        or (re.search(r"[！？!?]", s) is not None and v > CLAUSE_LINE_MAX)
        or any(s.count(o) > s.count(c) for o, c in ("“”", "「」", "『』", "《》", "（）", "()"))
        or _REPORTED_SPEECH.search(s) is not None
        or _ONE_CHAR_CLAUSE.search(s) is not None
        or (_TIME_OPENER.match(s) is not None and re.search(r"[？?]", s) is None)
    )


def _cut_by_commas(s: str) -> bool:
    """Clauses like body text: two commas (or a colon and a comma) in a long line, or a comma and
    a function word at the end (第一个发言的). An enumeration comma (、) is headline punctuation
    and does not count."""
    # A colon inside the line opens a clause too (…预警：预计7日夜间至8日上午，河北南).
    commas = s.count(",") + s.count("，") + s[:-1].count("：") + s[:-1].count(":")
    ends_open = s[-1] in _FUNCTION_END and commas + s.count("、") >= 1
    return (commas >= 2 and _vis(s) >= 16) or ends_open


def cut_by_commas_only(text: str) -> bool:
    """Looks cut only because of its commas: a kicker (地处漠河北部，面对贫困不气馁，搞活旅游促增收)
    reads like that too, so the block after it decides."""
    s = text.strip()
    return bool(s) and not ends_sentence(s) and not _cut_by_form(s) and _cut_by_commas(s)


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
    m = re.match(f"[^{FULL_STOPS}]*[{FULL_STOPS}]", s)
    if not m or s[0] in OPENERS or _vis(m.group()) - 1 > 4 or len(m.group()) == len(s):
        return False
    # 20天。 or 了。 ends a sentence begun elsewhere; 控尘。 (a label opening a list item) does not.
    head = m.group()[:-1]
    if len(head) <= 1:
        return m.group()[-1] == "。"  # 道。 ends a word cut in two; 上！ is a cry of its own
    # 20天。 is the tail of a number; a short sentence of words (是的。电话响了。) is whole.
    return re.search(r"\d", head) is not None


_ASKS = re.compile(
    rf"[{_H}A-Za-z0-9“”‘’「」『』\s]+(?:[，,][{_H}A-Za-z0-9“”‘’「」『』\s]+)?[！？!?]+[”’」』]?"
)
# An enumeration trailing off, as kickers are set: 听有声书、“云”端看展、上网络公开课……
_TRAILING_LIST = re.compile(f"^[^{STOPS}]*、[^{STOPS}]*(?:……|…)$")


def _vis_untagged(s: str) -> int:
    """Visible length without a column tag at the end (（权威访谈）)."""
    if s[-1:] not in ")）" or len(s) > 3 * HEADLINE_MAX:
        return _vis(s)
    return _vis(_COLUMN_TAG.sub("", s))


def _is_headline_like(text: str) -> bool:
    t = text.strip()
    if len(t) > 3 * HEADLINE_MAX:
        return False
    v = _vis_untagged(t)  # a column tag (（权威访谈）) does not count
    # A short question or exclamation with at most one comma can be a headline: 钱从哪里来？
    asks = v <= 20 and _ASKS.fullmatch(t) is not None
    trails = v <= 30 and _TRAILING_LIST.match(t) is not None
    return (
        v >= 2
        and (v <= HEADLINE_MAX or t.startswith(("——", "──")))
        and (asks or trails or not ends_sentence(text))
        and not is_unfinished(text)
        and text.lstrip()[0] not in _CANNOT_START + _MARKERS
        and not starts_mid_sentence(t)  # 一” closes a quotation opened elsewhere
        and _HAN.search(text) is not None
    )
