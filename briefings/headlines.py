"""Headline blocks: which lines of a header are the kicker (引题), the title and the subtitle
(副题), and what a sub-head inside a long article looks like.

Pure functions over the header's lines as printed; docs/parsing.md explains each rule.
"""

from __future__ import annotations

import re

from briefings.typography import (
    _COLUMN_TAG,
    _DANGLING,
    _FUNCTION_END,
    _H,
    _KICKER_END,
    _MARKERS,
    _PAREN_LINE,
    _both,
    _cut_by_form,
    _vis,
)

WRAP_TAIL_MAX = 4  # a second headline line this short is the rest of a wrapped headline
COUPLET_MAX = 8  # two lines of this many characters or fewer, equally long, are one couplet
DECK_MIN = 9  # two space-separated decks of a line are title and subtitle only when both are long

_SUBTITLE_START = re.compile(r"^[—－-]{1,2}")
# Sub-head shapes an editor numbers or marks: ● 政策效应显现, 一、, （一）, 第五章, and a date
# alone heading an entry of a diary or a timeline (2020年1月23日)
_SUBHEAD_SHAPE = _both(
    re.compile(
        rf"^(?:[{_MARKERS}]"
        r"|[一二三四五六七八九十]{1,3}[、是]"
        r"|[(（][一二三四五六七八九十\d]{1,3}[)）]"
        r"|第[一二三四五六七八九十百\d]{1,4}[章节部分篇条]"
        r"|\d{1,2}[.、．]\D"
        r"|(?:\d{4}年)?\d{1,2}月\d{1,2}日(?:\s*(?:星期|周)[一二三四五六日天])?\s*$)"
    )
)
# A short label and a colon opening a line: 困境：公司账上只剩不到两万元, 时间：1月28日
_LABEL_COLON = re.compile(rf"^[{_H}]{{2,4}}[:：]\S")
_STANDING_HEAD = re.compile(rf"^[{_H}]{{2,6}}(?:·[{_H}“”]{{2,12}})+$")
# A reporter's note boxed under the report it comments on: （记者手记）, （采访札记）, （编后）.
_NOTE_ON_STORY = _both(re.compile(r"[(（][^()（）]*(?:手记|札记|编后)[)）]\s*$"))


# A subtitle (副题) under a headline adds the details: how much so far (截至…, 目前…, 全年…), or
# which leader attended (汪洋出席并讲话). A line that opens or ends like this is not the title.
_DETAIL_DECK = _both(
    re.compile(r"^(?:截至|截止|目前|其中|全年|累计|涉及)|(?:出席|出席并讲话|致辞|主持)$")
)


def has_column_tag(text: str) -> bool:
    """A headline with a column tag after it: 顶住压力稳住了“基本盘”（权威发布）."""
    m = _COLUMN_TAG.search(text)
    return m is not None and _vis(text[: m.start()]) >= 2


def is_standing_head(text: str) -> bool:
    """A column's standing head, its name joined to the topic by a middle dot as column tags are
    set (代表之声·聚焦脱贫攻坚, 解码·显著优势): the head of an article, never a sub-head."""
    return _STANDING_HEAD.match(text.strip()) is not None


def is_note_on_story(text: str) -> bool:
    """靠的就是这股钻劲（记者手记）: a reporter's note that belongs to the report above it."""
    return _NOTE_ON_STORY.search(text) is not None


def is_subtitle_line(text: str) -> bool:
    """A line printed under a title as its subtitle: ——访…, or one in parentheses (（1月17日））."""
    t = text.strip()
    return bool(_SUBTITLE_START.match(t)) or _PAREN_LINE.match(t) is not None


def is_detail_line(text: str) -> bool:
    """A short label, a colon and what it labels (时间：2月4日10时, 地点：山东青岛)."""
    return _LABEL_COLON.match(text.strip()) is not None


def looks_like_subhead(lines: list[str]) -> bool:
    """Marked or numbered lines are sub-heads wherever they stand, and so is a single line
    opening with a short label and a colon (with a lead-in above it, 张帅：享受网球的快乐 is a
    headline quoting someone)."""
    if any(_SUBHEAD_SHAPE.match(t.strip()) for t in lines):
        return True
    return len(lines) == 1 and _LABEL_COLON.match(lines[0].strip()) is not None


def two_decks(text: str) -> tuple[str, str] | None:
    """Title and subtitle printed on one line, both full headlines, of unequal length.

    绍兴推出全流程科技成果转化保障机制 保贷联动,守护科创星星之火 is two decks; a couplet of two
    short halves (人才估价 轻松融资, 新疆 258万户老乡住上抗震房) or a headline with a column tag is
    one title.
    """
    if has_column_tag(text):
        return None
    parts = text.strip().split()
    if (
        len(parts) == 2
        and all(_vis(p) >= DECK_MIN for p in parts)
        and _vis(parts[0]) != _vis(parts[1])
    ):
        return parts[0], parts[1]
    return None


def _wrapped(a: str, b: str) -> bool:
    """Two lines that are one headline broken across lines: 浙江民营企业加快布局 / 海外市场."""
    return _vis(b) <= WRAP_TAIL_MAX or a[-1] in _FUNCTION_END or a[-1] in _DANGLING


def title_fields(lines: list[str]) -> tuple[str, str, str]:
    """(kicker, title, subtitle) from the lines of one header, in print order.

    A first line ending in —— is the kicker; last lines starting with —— (or wholly in
    parentheses) are the subtitle. A line with a column tag (（权威访谈）) is the title: the lines
    above it are the kicker, those below the subtitle. Otherwise, of two plain lines the first is
    the kicker and the second the title (the lead-in above the headline is far more common than a
    subtitle under it: 107 against 16 on the dev set's January pages), unless a kicker is already
    there or the second line reads as a subtitle's details (截至1月5日，…; 汪洋出席并讲话); of
    three, kicker, title and subtitle. One line holding two long decks is title and
    subtitle. Two short lines of equal length are a couplet, and a line ending in a function word
    or followed by a few characters is a headline wrapped across lines.
    """
    texts = [t.strip() for t in lines if t.strip()]
    kicker: list[str] = []
    subtitle: list[str] = []
    if len(texts) >= 2 and _KICKER_END.search(texts[0]):
        kicker.append(texts.pop(0))
    while len(texts) >= 2 and (is_subtitle_line(texts[-1]) or _cut_by_form(texts[-1])):
        # ——访…, （1月17日）, or a deck too long or too punctuated for a headline (…；…)
        subtitle.insert(0, texts.pop())
    if not texts:
        return "".join(kicker), "", "".join(subtitle)
    tagged = [k for k, t in enumerate(texts) if has_column_tag(t)]
    if len(tagged) == 1 and len(texts) > 1:
        k = tagged[0]
        kicker += texts[:k]
        subtitle[:0] = texts[k + 1 :]
        return "".join(kicker), texts[k], "".join(subtitle)
    title = texts[0]
    if len(texts) == 1:
        decks = two_decks(title)
        if decks and not subtitle:
            title, sub = decks
            subtitle.append(sub)
    elif len(texts) == 2:
        a, b = texts
        if _vis(a) == _vis(b) <= COUPLET_MAX:
            title = f"{a} {b}"
        elif _wrapped(a, b):
            title = a + b
        elif (kicker or _DETAIL_DECK.search(b)) and not subtitle:
            title, subtitle = a, [b]
        elif kicker:
            title = a + b  # kicker and subtitle taken: keep every character in the title
        else:
            kicker, title = [a], b
    elif kicker:
        title, subtitle[:0] = texts[0], texts[1:]
    else:
        kicker, title, subtitle[:0] = [texts[0]], texts[1], texts[2:]
    return "".join(kicker), title, "".join(subtitle)
