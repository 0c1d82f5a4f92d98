"""Interface text in Simplified Chinese (the source language) and English, from gettext catalogues.

Every user-facing string in code is written in Chinese and marked where it is shown: ``tr("…")``
with a ``Translator`` for the reader's language, or ``N_("…")`` for a module-level constant that
is translated later with ``tr(CONSTANT)``. ``python scripts/i18n.py update`` extracts the marked
strings with babel into ``locale/messages.pot`` and merges them into
``locale/en/LC_MESSAGES/messages.po``; a test fails when one lacks its English translation.
Catalogues are compiled in memory on first use (babel's .mo writer), so there is no build step and
no binary file in the repository. Article text, county names and figures are never translated.

The library composes some interface text before anyone knows who will read it (an error's
message, a headline's （续） mark): it makes a ``Text``, a str holding the Chinese rendering that
also remembers its message and parameters, so the bot can say it again in the reader's language
with ``tr.text(value)`` while the CLI and the logs print it as it is. The reader's language comes
from the request (``bot.handlers.Ctx.tr``) or an explicit parameter, never from a global.
"""

from __future__ import annotations

import gettext
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "messages"
DEFAULT_LANGUAGE = "zh"
LANGUAGES: tuple[str, ...] = ("zh", "en")
LANGUAGE_NAMES = {"zh": "中文", "en": "English"}


def N_(message: str) -> str:
    """Mark a constant for extraction; translate it where it is shown (``tr(CONSTANT)``)."""
    return message


class Text(str):
    """Interface text in Chinese that can be said again in another language: the str is the
    Chinese rendering; ``message`` (a marked string) and ``params`` say how it was made.
    A parameter may be a ``Text`` itself (translated with it); any other value is shown as is.
    ``zh`` gives the Chinese rendering when it is not simply the message formatted (a page
    printed as 第一版 whose English is ``p. 1``)."""

    message: str
    params: dict[str, object]

    def __new__(cls, message: str, /, *, zh: str | None = None, **params: object) -> Text:
        shown = zh if zh is not None else (message.format(**params) if params else message)
        obj = super().__new__(cls, shown)
        obj.message = message
        obj.params = params
        return obj

    def __getnewargs__(self) -> tuple[str]:  # copy and pickle keep the Chinese rendering
        return (str(self),)


def language_for(code: str | None) -> str:
    """Our language for a Telegram ``language_code``: Chinese for zh-* and when unknown, else
    English (an English reply serves a German or Russian reader better than a Chinese one)."""
    c = (code or "").strip().lower().replace("_", "-")
    if not c or c.startswith("zh"):
        return DEFAULT_LANGUAGE
    return "en"


AUTO = ""  # a chat's stored language when it follows each reader's Telegram language


def normalize_language(text: str) -> str | None:
    """The language a user asked for in ``/language …`` (en, english, 英文, zh, 中文 …; ``auto``
    gives AUTO: follow each reader's Telegram language), or None."""
    t = text.strip().lower()
    if t in ("auto", "default", "自动", "默认"):
        return AUTO
    if t in ("en", "eng", "english", "英文", "英语", "英語"):
        return "en"
    if t in ("zh", "cn", "zh-cn", "zh-hans", "chinese", "中文", "汉语", "漢語", "简体", "简体中文"):
        return "zh"
    return None


def reader_language(chosen: str = "", sender: str | None = None, seen: str = "") -> str:
    """The language to answer in: the chat's choice (``/language``), else the sender's Telegram
    ``language_code``, else the language last seen in the chat (a scheduled digest has no
    sender), else Chinese."""
    if chosen in LANGUAGES:
        return chosen
    if sender:
        return language_for(sender)
    return seen if seen in LANGUAGES else DEFAULT_LANGUAGE


@cache
def _catalogue(lang: str) -> gettext.NullTranslations:
    po = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if lang == DEFAULT_LANGUAGE or not po.exists():
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang, domain=DOMAIN)
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


@dataclass(frozen=True)
class Translator:
    """Interface text for one reader's language; ``tr("…{n}…", n=3)`` translates, then formats."""

    lang: str = DEFAULT_LANGUAGE

    def __call__(self, message: str, /, **params: object) -> str:
        text = _catalogue(self.lang).gettext(message)
        return text.format(**self._params(params)) if params else text

    def ngettext(self, singular: str, plural: str, n: int, /, **params: object) -> str:
        """Count-dependent text: Chinese has one form, English two (``1 result``, ``2 results``)."""
        text = _catalogue(self.lang).ngettext(singular, plural, n)
        return text.format(n=n, **self._params(params))

    def _params(self, params: dict[str, object]) -> dict[str, object]:
        return {k: self.text(v) if isinstance(v, Text) else v for k, v in params.items()}

    def text(self, value: str) -> str:
        """``value`` in this language: a ``Text`` said again from its message; any other string
        (article text, a name, a message nobody marked) as it is. Chinese is the ``Text`` itself."""
        if not isinstance(value, Text) or self.lang == DEFAULT_LANGUAGE:
            return str(value)
        if not value.params:
            return self(value.message)
        return self(value.message, **value.params)

    def date(self, iso: str, *, year: bool = True, month: bool = False) -> str:
        """A ``YYYY-MM-DD`` date in words: 2026年4月15日 / 15 Apr 2026 (4月15日 / 15 Apr without
        the year; 4月 / Apr for its ``month`` alone); anything else unchanged."""
        try:
            d = date.fromisoformat(iso) if len(iso or "") == 10 else None
        except ValueError:
            d = None
        if d is None:
            return iso
        if self.english:
            from babel.dates import format_date

            pattern = "MMM" if month else ("d MMM y" if year else "d MMM")
            return format_date(d, pattern, locale="en")
        if month:
            return f"{d.month}月"
        return f"{d.year}年{d.month}月{d.day}日" if year else f"{d.month}月{d.day}日"

    def join(self, items: Iterable[str]) -> str:
        """A list in running text: 县域经济、影视产业 / County economy, Film industry."""
        return (", " if self.english else "、").join(items)

    def clauses(self, items: Iterable[str]) -> str:
        """Clauses of one line: 来源：浙江日报；目标值未计入 / Source: …; goals not included."""
        return ("; " if self.english else "；").join(items)

    def sentences(self, *items: str) -> str:
        """Sentences in a row: none between them after Chinese full-width punctuation, a blank
        in English."""
        return (" " if self.english else "").join(s for s in items if s)

    @property
    def english(self) -> bool:
        return self.lang == "en"

    def place(self, name: str, pinyin: str = "") -> str:
        """A place name as printed, with its pinyin in English replies: 缙云 (Jinyun)."""
        if self.english and pinyin:
            return f"{name} ({pinyin[:1].upper()}{pinyin[1:]})"
        return name


CHINESE = Translator(DEFAULT_LANGUAGE)  # the default of every formatter's ``tr`` parameter


@cache
def translator(lang: str | None = None) -> Translator:
    """The translator for ``lang`` (one of LANGUAGES; anything else falls back to Chinese)."""
    return Translator(lang if lang in LANGUAGES else DEFAULT_LANGUAGE)


# Placeholders ({name}) and HTML tags must survive translation unchanged.
PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*(?:![rsa])?(?::[^{}]*)?\}")
TAG = re.compile(r"</?[a-z]+\b[^<>]*>")
