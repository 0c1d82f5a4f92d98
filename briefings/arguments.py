"""What people type: length caps, and characters that must not come back out of the bot.

Every command argument is measured before any work is done on it, so one message costs a
bounded amount of work however long it is. Bidirectional controls (U+202E RIGHT-TO-LEFT
OVERRIDE and its kin) are removed: echoed inside a reply, an unclosed override reverses
everything after it. Lone surrogates (undecodable bytes that came through ``argv`` as
``surrogateescape``, or a ``\\ud800`` JSON escape) cannot be encoded as UTF-8, so SQLite, the
terminal and Telegram would all fail on them; they become U+FFFD.
"""

from __future__ import annotations

import re

from briefings import search
from briefings.errors import InvalidArgument
from briefings.i18n import N_, Text

# Region names: the longest full name with its province and prefecture is about 25 characters
# (新疆维吾尔自治区伊犁哈萨克自治州察布查尔锡伯自治县), spaced-out pinyin about 40.
MAX_REGION_CHARS = 40
# Search text: no more than the search itself looks at.
MAX_QUERY_CHARS = search.MAX_QUERY_CHARS
# Distinct whitespace-separated words of a search: each is one AND-ed group of the FTS query.
MAX_QUERY_WORDS = 16
# Times, time zones, deep-link payloads, article ids.
MAX_SETTING_CHARS = 64

# ALM, LRM, RLM; LRE, RLE, PDF, LRO, RLO; LRI, RLI, FSI, PDI.
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_SURROGATE = re.compile("[\ud800-\udfff]")


TOO_LONG = N_("{what}太长了：最多 {limit} 个字，收到 {got} 个字。请缩短后再试。")
TOO_MANY_WORDS = N_("搜索词太多了：最多 {limit} 个词，收到 {got} 个。请减少后再试。")
ARGUMENT = N_("参数")
QUERY = N_("搜索内容")


class ArgumentTooLong(InvalidArgument):
    """An argument over its cap: refused before any work is done on it. ``what`` names it
    (a marked noun: 地区名, 时间 …)."""

    def __init__(self, what: str, limit: int, got: int) -> None:
        super().__init__(TOO_LONG, what=Text(what), limit=limit, got=got)
        self.limit = limit
        self.got = got


def strip_bidi(text: str) -> str:
    """``text`` without bidirectional formatting characters (overrides, embeddings, isolates,
    marks): nothing a user types into a command needs them, and echoed they reorder the reply."""
    return _BIDI.sub("", text)


def has_surrogates(text: str) -> bool:
    """Whether ``text`` holds a lone surrogate (it cannot be encoded as UTF-8)."""
    return _SURROGATE.search(text) is not None


def replace_surrogates(text: str) -> str:
    """Lone surrogates as U+FFFD, so the text can be stored, printed and sent."""
    return _SURROGATE.sub("\ufffd", text)


def clean(text: str) -> str:
    """An argument fit to process and echo: no bidi controls, no lone surrogates."""
    return replace_surrogates(strip_bidi(text))


def capped(text: str, limit: int, what: str = ARGUMENT) -> str:
    """``text`` if it is at most ``limit`` characters; ArgumentTooLong otherwise."""
    if len(text) > limit:
        raise ArgumentTooLong(what, limit, len(text))
    return text


def capped_query(text: str) -> str:
    """A search query within MAX_QUERY_CHARS characters and MAX_QUERY_WORDS distinct words."""
    capped(text, MAX_QUERY_CHARS, QUERY)
    words = len(set(text.split()))
    if words > MAX_QUERY_WORDS:
        raise InvalidArgument(TOO_MANY_WORDS, limit=MAX_QUERY_WORDS, got=words)
    return text
