"""How the numbers of one sentence relate to each other: from–to changes, comparison baselines,
conversions, 分别 lists and lists of places.

``analyse`` takes the figure candidates of a (folded) sentence, in order, and sets on each what
the sentence's structure says about it; ``briefings.figures`` then names indicators and regions.
All rules look at the few characters between and around the numbers, so they stay linear.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from briefings.figure_words import CONVERSION
from briefings.marks import CLAUSE_MARKS, FULL_STOPS, HAN

Span = tuple[int, int, str, str]

# The clauses a figure is read in: between clause marks (not 、, which joins the items of a
# list inside one clause) or full stops.
_CLAUSE_MARKS = CLAUSE_MARKS.replace("、", "") + FULL_STOPS
# 从/由 opening a change, up to 14 characters before the old value (由建档初期的46.0%).
_FROM = re.compile(r"(?:从(?!而|事|未|不|来|小|中)|由(?!于|此))(?P<fill>[^，,。；;：:从由]{0,14})$")
# What joins the old value to the new one: 增长到, 降至, 减并为, 跃升至2012年的, ，提高到三季度增长.
_TO = re.compile(r"[，,]?[^，,。；;：:]{0,6}?(?:到|至|为|成)了?[^，,。；;：:]{0,12}")
# 、二季度增长: another value of the same side of the change.
_SAME_SIDE = re.compile(r"、[^，,。；;：:]{0,10}")
# A comparison baseline: 较2018年1.3%的增速, 与此前评估的约560亿英镑的造价相比. The words between
# the marker and the number may not hold a change verb (比上年增加5个 is a change, not a base).
_BASE_BEFORE = re.compile(
    r"(?:较|比(?!重|例|率)|与|跟|同(?!比|期|时|样))[^，,。；;：:增减降升涨下提扩跌缩收]{0,10}$"
)
_BASE_AFTER = re.compile(r"^(?:的|相比|相较)")
_JOIN = re.compile(r"^(?:、|和|及|与|以及|或)$")
_RESPECTIVELY = re.compile(r"分别")
_LIST_SPLIT = re.compile(r"[、和及与]")
# Leading verbs of an item named after the values (分别投入…支持基础设施建设和推进健康扶贫).
_ITEM_VERB = re.compile(r"^(?:用于|用来|支持|推进|推动|发展|建设|开展|实施|加强|提供给|提供)")
_ITEM_CUT = re.compile(r".*(?:削减|提供给|提供|给|向|对|为|是|将|把)")
# Between two places of a list: a joiner, maybe a prefecture qualifying the next place
# (阿坝州和凉山彝族自治州木里藏族自治县).
_PLACE_GAP = re.compile(
    rf"[市县区州]?(?:、|和|及|与)(?:[{HAN}]{{1,10}}?(?:自治州|州|市|盟|地区))?"
)
_ITEM_TAIL = re.compile(r"(?:比前一[周月年]|比上[周月年]|较上[周月年]|同比|环比|的)$")


@dataclass(slots=True)
class Candidate:
    """One number of a sentence with a unit, before it is judged a figure.

    ``start``/``end`` are offsets in the sentence. The structure fields are set by ``analyse``.
    """

    start: int
    end: int
    kind: str  # money | ratio | count | measure
    role: str = "current"  # current | from | goal | each | shared
    conversion: bool = False  # restates the amount before it in another currency
    linked: bool = False  # one side of a from–to change
    link_subject_at: int = -1  # where the clause naming a from–to change's subject ends
    item: str = ""  # what this value of a 分别 list measures (猪肉平均批发价)
    item_region: Span | None = None  # the place of a 分别 list item (江西、湖南分别增长…)
    places: list[Span] = field(default_factory=list)  # a list of places the figure is about
    place_mode: str = ""  # shared (each place) | combined (all together)
    clause_at: int = -1  # a later value of 8.5%、12.6%: its words are those before the first


@lru_cache(maxsize=16384)
def clause_start(text: str, pos: int, limit: int = 60) -> int:
    """Start of the clause ending at ``pos``: after the last clause mark, skipping bracketed
    asides (中国制造业采购经理指数（PMI）为50.2%), at most ``limit`` characters back."""
    return last_mark(text, pos, _MARKS_RE, limit)


_MARKS_RE = re.compile(f"[{re.escape(_CLAUSE_MARKS)}()（）]")


def last_mark(text: str, pos: int, marks: re.Pattern[str], limit: int) -> int:
    """Position after the last character of ``marks`` before ``pos`` (at most ``limit`` back),
    reading through bracketed asides; ``marks`` must also match the four brackets."""
    floor = max(0, pos - limit)
    found = [m.start() for m in marks.finditer(text, floor, pos)]
    depth = 0
    for at in reversed(found):
        ch = text[at]
        if ch in "）)":
            depth += 1
        elif ch in "（(":
            if depth == 0:
                return at + 1
            depth -= 1
        elif depth == 0:
            return at + 1
    return floor


def clause_end(text: str, pos: int) -> int:
    m = _END_RE.search(text, pos)
    return m.start() if m else len(text)


_END_RE = re.compile(f"[{re.escape(_CLAUSE_MARKS)}]")


def _without_asides(text: str) -> str:
    return re.sub(r"[（(][^）)]*[）)]", "", text)


def _mark_conversions(text: str, cands: Sequence[Candidate]) -> None:
    """(约合634.1亿元人民币), (1美元约合24.5格里夫纳): restatements, not figures."""
    for c in cands:
        opened = max(text.rfind("（", 0, c.start), text.rfind("(", 0, c.start))
        closed = max(text.rfind("）", 0, c.start), text.rfind(")", 0, c.start))
        if opened > closed:
            end = [i for i in (text.find("）", c.end), text.find(")", c.end)) if i >= 0]
            aside = text[opened : min(end) if end else len(text)]
            if CONVERSION.search(aside):
                c.conversion = True
        elif CONVERSION.search(text, max(0, c.start - 4), c.start):
            c.conversion = True


def _link_changes(text: str, cands: Sequence[Candidate]) -> None:
    """从A增长到B (and chains 再到C): A is the old value, B the new one."""
    live = [c for c in cands if not c.conversion]
    i = 0
    while i < len(live):
        a = live[i]
        lo = live[i - 1].end if i else 0
        m = _FROM.search(text, lo, a.start)
        if not m:
            i += 1
            continue
        olds = [a]
        j = i + 1
        while j < len(live) and _SAME_SIDE.fullmatch(text, olds[-1].end, live[j].start):
            olds.append(live[j])
            j += 1
        if j >= len(live) or not _TO.fullmatch(_without_asides(text[olds[-1].end : live[j].start])):
            i += 1
            continue
        chain = [olds]
        while j < len(live):
            news = [live[j]]
            j += 1
            while j < len(live) and _SAME_SIDE.fullmatch(text, news[-1].end, live[j].start):
                news.append(live[j])
                j += 1
            chain.append(news)
            if j >= len(live) or not _TO.fullmatch(
                _without_asides(text[news[-1].end : live[j].start])
            ):
                break
        for side in chain[:-1]:
            for c in side:
                c.role = "from"
        for side in chain:
            for c in side:
                c.linked = True
                c.link_subject_at = m.start()
        i = j


def _mark_baselines(text: str, cands: Sequence[Candidate]) -> None:
    for c in cands:
        if c.linked or c.conversion:
            continue
        start = max(c.start - 12, text.rfind("，", 0, c.start) + 1, text.rfind(",", 0, c.start) + 1)
        if _BASE_BEFORE.search(text, start, c.start) and _BASE_AFTER.match(text[c.end : c.end + 2]):
            c.role = "from"


def _groups(text: str, cands: Sequence[Candidate]) -> list[list[Candidate]]:
    """Runs of values joined only by 、/和/及 (8.5%、12.6%; 10.3%和43.8%)."""
    live = [c for c in cands if not c.conversion and not c.linked]
    groups: list[list[Candidate]] = []
    for c in live:
        if groups and _JOIN.match(text[groups[-1][-1].end : c.start]):
            groups[-1].append(c)
        else:
            groups.append([c])
    return groups


# 过去…每公斤15泰铢，现在已经达到每公斤200泰铢: the past value is the old one.
_PAST = re.compile(r"(?:^|[，,“\"‘:：])(?:过去|以前|原来|以往|当初|起初)[，,]")
_NOW = re.compile(r"[，,;；](?:现在|如今|目前|眼下|今天|当前)")


def _past_and_present(text: str, cands: Sequence[Candidate]) -> None:
    live = [c for c in cands if not c.conversion and not c.linked and c.role == "current"]
    for a, b in itertools.pairwise(live):
        if a.kind != b.kind:
            continue
        if _PAST.search(text, max(0, a.start - 30), a.start) and _NOW.search(text, a.end, b.start):
            a.role = "from"


def _clean_item(item: str) -> str:
    item = _ITEM_TAIL.sub("", _ITEM_CUT.sub("", item.strip()))
    return _ITEM_VERB.sub("", item).replace("的", "")


def _split_items(text: str, n: int) -> list[str] | None:
    """n items of a list (猪肉、蔬菜、水果平均批发价): the shared tail goes to every item."""
    for splitter in ("、", _LIST_SPLIT):
        parts = text.split(splitter) if isinstance(splitter, str) else splitter.split(text)
        parts = [p for p in parts if p]
        if len(parts) >= n:
            items = parts[-n:]
            width = max(len(p) for p in items[:-1])
            last = items[-1]
            if len(last) > width + 1:
                tail = last[width:]
                items = [p + tail for p in items[:-1]] + [last]
            return items
    return None


def _respectively(text: str, cands: Sequence[Candidate], regions: Sequence[Span]) -> None:
    """通信器材、化妆品类商品分别增长8.5%、12.6%: each value measures its item."""
    for group in _groups(text, cands):
        if len(group) < 2:
            continue
        first = group[0]
        for c in group[1:]:
            c.clause_at = first.start
        start = clause_start(text, first.start)
        head = text[start : first.start]
        m = _RESPECTIVELY.search(head)
        if not m:
            continue
        before = head[: m.start()]
        n = len(group)
        places = [r for r in regions if start <= r[0] and r[1] <= start + m.start()]
        if len(places) >= n:
            for c, place in zip(group, places[-n:], strict=True):
                c.item_region = place
            continue
        cut = before.rfind("的")
        items = _split_items(before[cut + 1 :] if cut >= 0 else before, n)
        if items is None or any(len(_clean_item(x)) < 2 for x in items):
            after = text[group[-1].end : clause_end(text, group[-1].end)]
            items = _split_items(after, n)
        if items is None or any(len(_clean_item(x)) < 2 for x in items):
            prev_end = start - 1
            if prev_end > 0:
                prev = text[clause_start(text, prev_end) : prev_end]
                items = _split_items(prev, n)
        if items is None:
            continue
        cleaned = [_clean_item(x) for x in items]
        if all(len(x) >= 2 for x in cleaned):
            for c, item in zip(group, cleaned, strict=True):
                c.item = item


def _place_lists(text: str, cands: Sequence[Candidate], regions: Sequence[Span]) -> None:
    """余杭、北仑、慈溪等GDP超3000亿元的“超级强县”: each place (shared); 甘孜州、阿坝州和木里县
    32个贫困县 or 兰考县和新县累计投入…900多万元: all places together (combined)."""
    for c in cands:
        if c.conversion or c.item_region:
            continue
        start = clause_start(text, c.start)
        inside = [r for r in regions if start <= r[0] and r[1] <= c.start]
        if len(inside) < 2:
            continue
        run = [inside[-1]]
        for r in reversed(inside[:-1]):
            gap = text[r[1] : run[0][0]]
            if _JOIN.match(gap) or _PLACE_GAP.fullmatch(gap):
                run.insert(0, r)
            else:
                break
        if len(run) < 2:
            continue
        between = text[run[-1][1] : c.start]
        if re.search(r"[，,；;。]", between):
            continue
        relative = text[c.end : c.end + 3].startswith("的") or "的" in text[c.end : c.end + 3]
        if between.startswith("等") and relative:
            c.places, c.place_mode, c.role = run, "shared", "shared"
        else:
            c.places, c.place_mode = run, "combined"


def analyse(text: str, cands: Sequence[Candidate], regions: Sequence[Span] = ()) -> None:
    """Set the structure fields of ``cands`` (in sentence order) from the sentence ``text``."""
    # Each pass needs something the sentence may not have: skip it then (most sentences hold
    # one number and no bracket).
    if "(" in text or "（" in text or CONVERSION.search(text):
        _mark_conversions(text, cands)
    if len(cands) > 1:
        _link_changes(text, cands)
    _mark_baselines(text, cands)
    if len(cands) > 1:
        _past_and_present(text, cands)
        if "分别" in text:
            _respectively(text, cands, regions)
    if len(regions) > 1:
        _place_lists(text, cands, regions)
