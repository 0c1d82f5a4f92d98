"""Interface text in Simplified Chinese (the source language) and English, from gettext catalogues.

Every user-facing string in code is written in Chinese and marked where it is shown: ``tr("…")``
with a ``Translator`` for the reader's language, or ``N_("…")`` for a module-level constant that
is translated later with ``tr(CONSTANT)``. ``python scripts/i18n.py update`` extracts the marked
strings with babel into ``locale/messages.pot`` and merges them into
``locale/en/LC_MESSAGES/messages.po``; a test fails when one lacks its English translation.
Catalogues are compiled in memory on first use (babel's .mo writer), so there is no build step and
no binary file in the repository. Article text, county names and figures are never translated.
"""

from __future__ import annotations

import gettext
import io
import re
from dataclasses import dataclass
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


def language_for(code: str | None) -> str:
    """Our language for a Telegram ``language_code``: Chinese for zh-* and when unknown, else
    English (an English reply serves a German or Russian reader better than a Chinese one)."""
    c = (code or "").strip().lower().replace("_", "-")
    if not c or c.startswith("zh"):
        return DEFAULT_LANGUAGE
    return "en"


def normalize_language(text: str) -> str | None:
    """The language a user asked for in ``/language …`` (en, english, 英文, zh, 中文 …), or None."""
    t = text.strip().lower()
    if t in ("en", "eng", "english", "英文", "英语", "英語"):
        return "en"
    if t in ("zh", "cn", "zh-cn", "zh-hans", "chinese", "中文", "汉语", "漢語", "简体", "简体中文"):
        return "zh"
    return None


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
        return text.format(**params) if params else text

    def ngettext(self, singular: str, plural: str, n: int, /, **params: object) -> str:
        """Count-dependent text: Chinese has one form, English two (``1 result``, ``2 results``)."""
        text = _catalogue(self.lang).ngettext(singular, plural, n)
        return text.format(n=n, **params)

    @property
    def english(self) -> bool:
        return self.lang == "en"

    def place(self, name: str, pinyin: str = "") -> str:
        """A place name as printed, with its pinyin in English replies: 缙云 (Jinyun)."""
        if self.english and pinyin:
            return f"{name} ({pinyin[:1].upper()}{pinyin[1:]})"
        return name


@cache
def translator(lang: str | None = None) -> Translator:
    """The translator for ``lang`` (one of LANGUAGES; anything else falls back to Chinese)."""
    return Translator(lang if lang in LANGUAGES else DEFAULT_LANGUAGE)


# Placeholders ({name}) and HTML tags must survive translation unchanged.
PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*(?:![rsa])?(?::[^{}]*)?\}")
TAG = re.compile(r"</?[a-z]+\b[^<>]*>")
