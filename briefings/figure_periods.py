"""What a figure's period says: its span (a year, part of a year, a point in time, several
years) and, with the publication date, the stretch of time it covers.

Periods are the verbatim words the extractor kept (前两个月, 2025年, 去年, 一季度, 截至目前,
2022年以来). Comparing figures needs their span: a county's 一季度 GDP must not rank against
another's annual one, and a sum since 2022 is no flow of any one year. Rules in docs/comparable.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date as Date
from functools import lru_cache
from typing import Literal

from briefings.numbers import parse_number

# year: a whole year (2025年, 去年, 全年); part: months of one year (前两个月, 1-2月, 一季度,
# 上半年, 3月); point: a moment (目前, 截至目前, 年底); since: several years (2022年以来, 近年来,
# “十四五”期间); none: no period stated; other: anything else.
Span = Literal["year", "part", "point", "since", "none", "other"]


@dataclass(frozen=True)
class Period:
    """A period read against a publication date: its span, a label with the year made explicit
    (2026年1-2月) where it can be worked out, and the last day it covers (for ordering)."""

    span: Span
    label: str
    end: Date | None


_CN_DIGITS = "〇零一二两三四五六七八九十"
_YEAR = re.compile(r"(?P<y>(?:19|20)\d{2}|[一二][〇零○一二三四五六七八九]{3}|[今去前本当明])年")
_SINCE = re.compile(
    r"以来|来$|近年|近些年|近几年|这些年|多年|[近过去连续这][0-9一二两三四五六七八九十]+多?余?个?年"
    r"|\d+多?余?年(?:来|间|内)|期间|时期|十[四五六]五"
)
_POINT = re.compile(r"^(?:截至|截止)?(?:目前|当前|至今|迄今|如今)$|[底末]$|年初$")
_FIRST_MONTHS = re.compile(r"前(?P<n>[0-9一二两三四五六七八九十]{1,3})个?月")
_MONTH_RANGE = re.compile(
    r"(?P<a>[0-9一二三四五六七八九十]{1,3})[-—–~～至到](?P<b>[0-9一二三四五六七八九十]{1,3})月"
)
_MONTH = re.compile(r"(?P<m>[0-9一二三四五六七八九十]{1,3})月份?$")
_QUARTERS = {"一季度": (1, 3), "第一季度": (1, 3), "1季度": (1, 3), "二季度": (4, 6),
             "第二季度": (4, 6), "2季度": (4, 6), "三季度": (7, 9), "第三季度": (7, 9),
             "3季度": (7, 9), "四季度": (10, 12), "第四季度": (10, 12), "4季度": (10, 12),
             "上半年": (1, 6), "下半年": (7, 12), "前三季度": (1, 9), "前二季度": (1, 6),
             "前一季度": (1, 3)}  # fmt: skip
_WHOLE_YEAR = ("全年", "年内", "年度")
_THIS_YEAR_SO_FAR = re.compile(r"(?:今年|本年|年初|开年)(?:以来|来)")


def _small(text: str) -> int | None:
    value = parse_number(text) if text else None
    if value is None or value != int(value) or not 1 <= value <= 12:
        return None
    return int(value)


def _year(text: str, published: Date | None) -> tuple[int | None, str]:
    """(year, rest of the text): 2025年一季度 → (2025, 一季度); 去年 → published year - 1."""
    m = _YEAR.search(text)
    if not m:
        return None, text
    rest = text[: m.start()] + text[m.end() :]
    y = m.group("y")
    if y.isdigit():
        return int(y), rest
    if len(y) == 4:
        digits = "".join(str(_CN_DIGITS.index(c) if c in _CN_DIGITS else 0) for c in y)
        return int(digits.replace("○", "0")), rest
    if published is None:
        return None, rest
    offset = {"去": -1, "前": -2, "明": 1}.get(y, 0)
    return published.year + offset, rest


def _month_end(year: int, month: int) -> Date:
    if month == 12:
        return Date(year, 12, 31)
    return Date.fromordinal(Date(year, month + 1, 1).toordinal() - 1)


def _months(text: str) -> tuple[int, int] | None:
    """First and last month of a part of a year, or None."""
    core = text.removeprefix("截至").removeprefix("截止")
    if core in _QUARTERS:
        return _QUARTERS[core]
    if m := _FIRST_MONTHS.fullmatch(core):
        n = _small(m.group("n"))
        return (1, n) if n else None
    if m := _MONTH_RANGE.fullmatch(core.removesuffix("份")):
        a, b = _small(m.group("a")), _small(m.group("b"))
        return (a, b) if a and b and a <= b else None
    if m := _MONTH.fullmatch(core):
        n = _small(m.group("m"))
        return (n, n) if n else None
    return None


@lru_cache(maxsize=4096)
def read_period(text: str, published: str = "") -> Period:
    """The span of ``text`` and, when ``published`` (yyyy-mm-dd) is given, its explicit label
    and last day. A part of a year with no year named is in the year of publication, unless
    it ends after the publication month (前两个月 printed in February is last year's)."""
    pub = _date(published)
    words = text.strip()
    if not words:
        return Period("none", "", None)
    if _THIS_YEAR_SO_FAR.fullmatch(words):
        return Period("part", f"{pub.year}年以来" if pub else words, pub)
    if _SINCE.search(words):
        return Period("since", words, pub)
    if _POINT.search(words):
        return Period("point", words, pub)
    year, rest = _year(words, pub)
    rest = rest.strip()
    if year is not None and pub is not None and year > pub.year:
        return Period("other", words, None)  # a year still to come: a plan, not a result
    if rest == "" and year is not None and pub is not None and year == pub.year:
        return Period("part", f"{year}年以来", pub)  # this year, not over yet
    if rest in ("", *_WHOLE_YEAR):
        if rest and year is None:
            year = pub.year if pub else None
        if year is None:
            return Period("year", words, None)
        return Period("year", f"{year}年", Date(year, 12, 31))
    months = _months(rest)
    if months is None:
        return Period("other", words, pub)
    first, last = months
    if year is None and pub is not None:
        year = pub.year if last < pub.month else pub.year - 1
    if year is None:
        return Period("part", words, None)
    label = f"{year}年{first}月" if first == last else f"{year}年{first}-{last}月"
    return Period("part", label, _month_end(year, last))


def _date(text: str) -> Date | None:
    try:
        return Date.fromisoformat(text) if text else None
    except ValueError:
        return None
