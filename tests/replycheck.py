"""What a reader must never see in a reply, checked the way a reader would look at it.

Shared by tests/test_reader_view.py (the sample page and the synthetic pages of tests/pages/) and
bench/eval_reader.py (the dev set). ``problems(reply, headings)`` lists what is wrong with one
reply: a ``(无标题)``, a source line range, a doubled phrase or name, invalid Telegram HTML, a
choice offered without buttons, and a headline that is not one: every bold headline in a list
(search results, county cards, /film, /finance, inline results) and every 《title》 the digest
cites must be a printed heading of a stored article (its title, subtitle or a sub-head), never
a body sentence; text that is not a heading (first words) is shown unbolded, after a mark.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable

from telegram_html import validate_telegram_html

from bot.cards import Reply
from bot.telegram_html import MESSAGE_LIMIT, html_to_text, visible_len

UNTITLED = ("(无标题)", "（无标题）", "无标题")
LINE_RANGE = re.compile(r"第\s*\d+\s*[–—-]\s*\d+\s*行")
# 上海市 · 上海市: a name repeated across a separator.
REPEATED_NAME = re.compile(r"(?<![\w])([\w\u4e00-\u9fff]{2,}) · \1(?![\w\u4e00-\u9fff])")
PAREN = re.compile(r"[（(]([^()（）\n]{2,20})[)）]")
HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")
# A list item: `1. headline`, an inline result `📰 headline`, a digest citation `↳ 《title》`.
LIST_ITEM = re.compile(r"^(?:\d+\. |📰 )(.*)$")
BOLD = re.compile(r"<b>(.*?)</b>")
CITED = re.compile(r"↳ (?:<a [^>]*>)?《([^》]+)》")
MARKS = ("（续）", "（图）")
# Words that say a reply offers a choice to press.
CHOICES = ("请选择", "你是不是要找", "按下面的按钮")


def _bigrams(text: str) -> set[str]:
    return {run[i : i + 2] for run in HAN_RUN.findall(text) for i in range(len(run) - 1)}


def doubled_phrases(text: str) -> list[str]:
    """A remark in brackets that says again what the words just before it said
    (``本地区暂无收录的报道(暂无报道)``), and a name repeated across `` · ``."""
    found = [m.group() for m in REPEATED_NAME.finditer(text)]
    for m in PAREN.finditer(text):
        inside = _bigrams(m.group(1))
        before = _bigrams(text[max(0, m.start() - 16) : m.start()])
        if len(inside) >= 2 and len(inside & before) >= max(2, 0.6 * len(inside)):
            found.append(text[max(0, m.start() - 16) : m.end()])
    return found


def headings(conn: sqlite3.Connection) -> set[str]:
    """Every printed heading in a store: titles, subtitles, sub-heads (stored as JSON)."""
    import json

    out: set[str] = set()
    for title, subtitle, subheads in conn.execute(
        "SELECT title, subtitle, subheads FROM articles"
    ):
        out.update(h for h in (title, subtitle, *json.loads(subheads)) if h)
    return out


def _is_heading(shown: str, known: set[str]) -> bool:
    text = " ".join(html_to_text(shown).split()).removesuffix("…")
    return bool(text) and any(" ".join(h.split()).startswith(text) for h in known)


def headline_problems(text: str, known: set[str]) -> list[str]:
    """Bold list headlines and digest citations that are not printed headings; list items
    that show words without bold and without a mark (text dressed as a headline)."""
    out = []
    for line in text.split("\n"):
        if m := LIST_ITEM.match(line.strip()):
            item = m.group(1)
            bold = BOLD.findall(item)
            if bold:
                out += [f"not a heading: {b}" for b in bold[:1] if not _is_heading(b, known)]
            elif item and not item.startswith(MARKS) and not _plain_heading(item, known):
                # First words of an untitled article: shown as text, visibly cut, never bold.
                words = html_to_text(item).split(" · ")[0]
                if not words.endswith("…"):
                    out.append(f"unmarked words as a headline: {item[:40]}")
        for cited in CITED.findall(line):
            if not _is_heading(cited, known):
                out.append(f"digest cites a non-heading: {cited}")
        if line.strip().startswith("↳ "):
            label = re.sub(r"<a [^>]*>", "", line.strip()[2:])
            if not label.startswith(("《", *MARKS)):
                out.append(f"digest cites its article by no name: {label[:40]}")
    return out


def _plain_heading(item: str, known: set[str]) -> bool:
    # A county card lists `headline · date`; an inline picker title is plain text.
    head = html_to_text(item).split(" · ")[0]
    return _is_heading(head.split("｜")[0], known)


def problems(reply: Reply, known: set[str], *, article: bool = False) -> list[str]:
    """What a reader would object to in one reply (``article``: a /article message, whose body
    is the paper's own text and is not checked for headlines)."""
    text = reply.text
    out: list[str] = []
    if not text and not reply.toast:
        out.append("an empty reply")
    if err := validate_telegram_html(text):
        out.append(err)
    if visible_len(text) > MESSAGE_LIMIT:
        out.append("over Telegram's message limit")
    plain = html_to_text(text)
    out += [f"untitled: {u}" for u in UNTITLED if u in plain]
    out += [f"line numbers: {m.group()}" for m in LINE_RANGE.finditer(plain)]
    head = plain.split("\n\n")[0] if article else plain
    for h in sorted((h for h in known if len(h) > 3 and h in head), key=len, reverse=True):
        head = head.replace(h, "")  # what the paper printed is not ours to undouble
    out += [f"doubled: {d}" for d in doubled_phrases(head)]
    if not article:
        out += headline_problems(text, known)
    elif text.startswith(("<b>", "<i>")):  # the first message: its headline must be one
        header = text.split("\n\n")[0]
        bold = BOLD.findall(header)[:1]
        out += [f"not a heading: {b}" for b in bold if not _is_heading(b, known)]
    if any(c in plain for c in CHOICES) and not reply.buttons:
        out.append("offers a choice without buttons")
    return out


def all_problems(replies: Iterable[Reply], known: set[str], *, article: bool = False) -> list[str]:
    return [p for r in replies for p in problems(r, known, article=article)]
