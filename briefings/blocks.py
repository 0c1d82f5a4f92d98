"""The lines of a page, classified into blocks (body, headline, kicker, byline, credit,
dateline, note …) with words split by column breaks rejoined: the first step of parsing a page
or an article (briefings/parsing.py). Typography only: no segmenter, linear regexes.

Every rule is written up in docs/parsing.md ("Lines and column breaks").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from briefings.bylines import People, _split_trailing_credit, names_only, parse_people
from briefings.headlines import has_column_tag, is_detail_line
from briefings.sentences import ends_sentence
from briefings.typography import (
    _CANNOT_START,
    _H,
    _HAN,
    _KICKER_END,
    _LABEL,
    _META,
    _NOTE_LINE,
    _PAREN_LINE,
    _WS,
    CLAUSE_LINE_MAX,
    CONTINUED_FROM,
    CONTINUED_TO,
    DATELINE,
    NOISE_MAX,
    _both,
    _is_headline_like,
    _vis,
    cut_by_commas_only,
    is_unfinished,
)


@dataclass
class _Block:
    """One non-blank line (or several, after rejoining a column break) with what it looks like."""

    # body headline kicker byline credit dateline cont mark_to meta noise lone label note
    kind: str
    text: str
    start: int
    end: int
    raw: str = ""
    value: str = ""  # the dateline, the page of a continuation mark, or a caption's credit
    people: People | None = None
    cont_to: str = ""  # `(下转第3版)` found at the end of this block


# A block starting with one of these continues the clause of the block above it.
_CLAUSE_GOES_ON = "，,、：:；;。．"
# A number and its unit alone on a line: 8.4万个, 1500亿元, 95%.
_FIGURE_LABEL = _both(re.compile(rf"^[\d.,，]+\s*[%％‰]?[万亿千百]*[{_H}]{{0,2}}$"))
# A name or place and a colon on a line of its own, above a headline: 李达：, 荣成市图书馆：
_COLON_KICKER = re.compile(rf"^[{_H}·]{{2,10}}[:：]$")


def _number_cut(line: str, nxt: str) -> bool:
    """A line ending in a digit and a block going on with digits (3 / 7万名, 约合1 / .3美元):
    one number cut by a column break."""
    return line[-1:].isdigit() and (nxt[:1].isdigit() or (nxt[:1] in ".．" and nxt[1:2].isdigit()))


def _classify(text: str, line_no: int) -> _Block:
    t = text.strip()
    b = _Block("body", t, line_no, line_no, raw=t)
    if _vis(t) < 2 or (not _HAN.search(t) and _vis(t) <= 6):
        b.kind = "noise"
        return b
    if _META.match(t):
        b.kind = "meta"
        return b
    if m := CONTINUED_FROM.match(t):
        b.kind, b.value, b.text = "cont", _WS.sub("", m.group("page")), t[m.end() :].strip()
    elif "转" in t and (m := CONTINUED_TO.search(t)):
        b.cont_to = _WS.sub("", m.group("page"))
        b.text = t[: m.start()].rstrip()
        if not b.text:
            b.kind = "mark_to"
            return b
    if b.kind == "cont":
        if m := CONTINUED_TO.search(b.text):
            b.cont_to, b.text = _WS.sub("", m.group("page")), b.text[: m.start()].rstrip()
        return b
    t = b.text
    short = len(t) <= 100  # longer lines can only be body text, a dateline or a caption
    if short and _LABEL.match(t):
        b.kind = "label"  # before bylines: ■延伸阅读 is no reporter
    elif short and (people := parse_people(t)) is not None:
        b.kind, b.people = ("credit" if people.credit else "byline"), people
    elif m := DATELINE.match(t):
        b.kind, b.value, b.text = "dateline", m.group("dl"), t[m.end() :].strip()
        who = m.group("who")
        if who and (p := parse_people(f"({who})")) is not None:
            b.people = p
        elif who:  # not a byline: keep the parenthesis in the text
            b.text = t[m.end("dl") :].strip()
    elif not short:
        if split := _split_trailing_credit(t):
            b.kind, b.text, b.people = "captionbody", split[0], split[1]
            b.value = t[len(split[0]) :].strip()  # the credit as printed
    elif _vis(t) <= 80 and (_PAREN_LINE.match(t) or _NOTE_LINE.search(t)):
        b.kind = "note"
    elif t[-1] in "—─-" and _KICKER_END.search(t) and 4 <= _vis(t) <= 100 and _HAN.search(t):
        b.kind = "kicker"  # a lead-in ending in ——, when a headline follows (see _blocks)
    elif _COLON_KICKER.match(t):
        b.kind = "kicker"  # 李达： above his headline
    elif _FIGURE_LABEL.match(t):
        pass  # 1500亿元 set large in an infographic: body text, never a headline
    elif _is_headline_like(t):
        b.kind = "headline"
    elif split := _split_trailing_credit(t):
        b.kind, b.text, b.people = "captionbody", split[0], split[1]
        b.value = t[len(split[0]) :].strip()  # the credit as printed
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
            and prev.kind == "headline"
            and not prev.cont_to
            and b.kind in ("body", "headline")
            and (b.text[0] in _CLAUSE_GOES_ON or _number_cut(prev.text, b.text))
        ):
            # 2018年夏天，罗跃洪一起床就发现不对劲 / ：上千尾裂腹鱼…: one sentence cut in two;
            # …里面活跃着3 / 7万名农技推广人员…: a number cut in two
            prev.kind, prev.text = "body", prev.text + b.text
            prev.end, prev.cont_to = b.end, b.cont_to
            continue
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
                prev.kind, prev.people, prev.value = "captionbody", b.people, b.value
            continue
        out.append(b)
    details = False  # the last block was a detail line under a byline (时间：2月4日10时)
    for k, b in enumerate(out):
        after_byline = details or (
            k > 1 and out[k - 1].kind == "byline" and out[k - 2].kind in ("headline", "kicker")
        )
        details = after_byline and b.kind == "headline" and is_detail_line(b.text)
        if details:
            b.kind = "body"  # 时间：… / 地点：… under an item's byline: its details, not a heading
        elif b.kind == "lone":
            b.kind = "noise"  # nothing to join it to: stray OCR debris after all
        elif (
            b.kind == "headline"
            and 0 < k < len(out) - 1
            and out[k - 1].kind == "headline"
            and _vis(out[k - 1].text) > NOISE_MAX
            and (
                out[k + 1].kind in ("body", "label")
                or (out[k + 1].kind == "headline" and is_detail_line(out[k + 1].text))
            )
            and (names := names_only(b.text)) is not None
        ):
            b.kind, b.people = "byline", names  # 守好校园责任田 / 王明钦: the writer's name
        elif b.kind == "headline" and k and _FIGURE_LABEL.match(out[k - 1].text):
            b.kind = "body"  # 1500亿元 / 去年降低用能成本近1500亿元: the line explaining a figure
        elif (
            b.kind == "body"
            and k + 1 < len(out)
            and out[k + 1].kind == "headline"
            and has_column_tag(out[k + 1].text)
            and cut_by_commas_only(b.text)
            and not (k and out[k - 1].kind == "body" and is_unfinished(out[k - 1].text))
        ):
            b.kind = "headline"  # 地处漠河北部，面对贫困不气馁，搞活旅游促增收 above a tagged title
    return _rejoin_first_lines(out)


def _rejoin_first_lines(blocks: list[_Block]) -> list[_Block]:
    """Under a headline, a line with a clause comma longer than any deck (CLAUSE_LINE_MAX)
    directly above body text is that text's first line, cut by a column break: it is joined
    to the text (稳居全球第二大外资流入国 / 去年全年我国实际利用外资9415亿元、增长5.8%，新设外资
    / 企业超过4万家…)."""
    out: list[_Block] = []
    for b in blocks:
        prev = out[-1] if out else None
        if (
            prev is not None
            and b.kind == "body"
            and prev.kind == "headline"
            and len(out) > 1
            and out[-2].kind in ("headline", "kicker")
            and not prev.cont_to
            and _vis(prev.text) > CLAUSE_LINE_MAX
            and re.search(r"[，,]", prev.text)
            and not has_column_tag(prev.text)
            and not ends_sentence(prev.text)
        ):
            prev.kind, prev.text = "body", prev.text + b.text
            prev.end, prev.cont_to = b.end, b.cont_to
            continue
        out.append(b)
    return out
