"""What an English reply may show in Chinese: only what the papers printed and place names.

``Printed.leaks(text)`` lists the pieces of Chinese in a reply that are neither. A piece is what
stands between blanks (article text runs on without them), punctuation at its ends left out; it
must be a place name of the gazetteer, a paper's name, a language's own name (中文 on the
language buttons), or a stretch of a stored article or figure (title, body, byline, figure
words …). A piece that is a word of our own Chinese interface text (a catalogue msgid, e.g. 分享
on a button) is a leak even when an article happens to print it too; a leaked sentence such as
``状态：已订阅`` is printed nowhere.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from babel.messages.pofile import read_po

from bot.telegram_html import visible_text
from briefings.i18n import DOMAIN, LANGUAGE_NAMES, LOCALE_DIR, PLACEHOLDER, TAG
from briefings.regions import load_gazetteer

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAS_HAN = re.compile(f"[{HAN}]")
# A piece of text between blanks, or around our own title｜subtitle separator (stories.SEPARATOR).
_BETWEEN = re.compile(r"[\s｜]+")
# Punctuation and symbols at the ends of a piece are not what is compared (“票房”: → 票房).
_ENDS = re.compile(rf"^[^{HAN}\w]+|[^{HAN}\w]+$")


def runs(text: str) -> list[str]:
    """The pieces of ``text`` that hold Chinese: split at blanks (article text runs on without
    them), without the punctuation at their ends."""
    pieces = (_ENDS.sub("", p) for p in _BETWEEN.split(text))
    return [p for p in pieces if _HAS_HAN.search(p)]


def _json_strings(value: str) -> list[str]:
    try:
        data = json.loads(value)
    except (ValueError, TypeError):
        return [value]
    out: list[str] = []

    def walk(x: object) -> None:
        if isinstance(x, str):
            out.append(x)
        elif isinstance(x, dict):
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    walk(data)
    return out


def printed_fields(db: Path) -> set[str]:
    """Whole printed fields that may also be words of our interface (a figure's indicator
    规上工业总产值 is also the name of a comparable indicator)."""
    conn = sqlite3.connect(db)
    try:
        fields = {v for row in conn.execute("SELECT indicator, text FROM figures") for v in row}
        fields |= {p + i for p, i in conn.execute("SELECT period, indicator FROM figures")}
        fields |= {v for row in conn.execute("SELECT title, subtitle FROM articles") for v in row}
        return {f for f in fields if f}
    finally:
        conn.close()


def printed_strings(db: Path) -> list[str]:
    """Every string the papers printed that the database holds (articles, figures, mentions)."""
    conn = sqlite3.connect(db)
    try:
        out: list[str] = []
        for table, columns in {
            "articles": ("title", "subtitle", "kicker", "section", "dateline", "body", "source"),
            "figures": (
                "region",
                "indicator",
                "text",
                "qualifier",
                "period",
                "sentence",
                "subject",
            ),
            "mentions": ("name",),
            "documents": ("source",),
        }.items():
            for row in conn.execute(f"SELECT {', '.join(columns)} FROM {table}"):
                out += [v for v in row if v]
        for row in conn.execute("SELECT byline, subheads, notes FROM articles"):
            for value in row:
                out += _json_strings(value or "")
        # A figure line's label is its period and indicator, each printed (digest.figure_line).
        out += [p + i for p, i in conn.execute("SELECT period, indicator FROM figures")]
        return out
    finally:
        conn.close()


def interface_runs() -> set[str]:
    """Pieces of Chinese in our own interface text (every msgid of the catalogue)."""
    with (LOCALE_DIR / "en" / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as fh:
        catalog = read_po(fh, locale="en", domain=DOMAIN)
    found: set[str] = set()
    for m in catalog:
        for msgid in m.id if isinstance(m.id, tuple) else (m.id,):
            if msgid:
                found.update(runs(TAG.sub(" ", PLACEHOLDER.sub(" ", msgid))))
    return found


@dataclass
class Printed:
    """The printed words of one database; the pieces always allowed (place, paper and language
    names, whole printed fields); our interface's words."""

    corpus: str
    names: frozenset[str]
    interface: frozenset[str]

    @classmethod
    def of(cls, db: Path) -> Printed:
        gazetteer = load_gazetteer()
        names: set[str] = set(LANGUAGE_NAMES.values())
        for region in gazetteer.regions:
            names.update(
                n
                for n in (region.name, region.short, region.display, region.city, region.province,
                          *region.aliases)
                if n
            )  # fmt: skip
        strings = printed_strings(db)
        names |= printed_fields(db)
        conn = sqlite3.connect(db)
        try:
            names.update(s for (s,) in conn.execute("SELECT DISTINCT source FROM documents") if s)
        finally:
            conn.close()
        return cls("\n".join(strings), frozenset(names), frozenset(interface_runs() - names))

    def leaks(self, text: str, typed: str = "") -> list[str]:
        """Pieces of Chinese in ``text`` (Telegram HTML or plain) that are interface text; what
        the reader ``typed`` may be echoed."""
        shown = visible_text(text)
        return [
            run
            for run in runs(shown)
            if run not in self.names
            and run not in typed
            and (run in self.interface or run not in self.corpus)
        ]
