"""A reader's clock: the date and time in a chat's time zone, and ``HH:MM`` times of day.

One rule for every place that asks what day it is for a reader (the /today reply, the daily job,
``push``, the catch-up plan, feed polling): the moment, converted to the zone; a zone name that
cannot be loaded falls back to another (the bot's default), never to the machine's local time.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from datetime import time as dtime
from functools import lru_cache
from zoneinfo import ZoneInfo


@lru_cache(maxsize=64)
def zone(tz: str, fallback: str = "UTC") -> ZoneInfo:
    """The zone named ``tz``; ``fallback``'s when ``tz`` is not a zone this system knows."""
    try:
        return ZoneInfo(tz)
    except (ValueError, KeyError):  # ZoneInfoNotFoundError is a KeyError
        return ZoneInfo(fallback)


def local_now(moment: datetime, tz: str, fallback: str = "UTC") -> datetime:
    """``moment`` (an aware datetime) as wall-clock time in ``tz``."""
    return moment.astimezone(zone(tz, fallback))


def local_today(moment: datetime, tz: str, fallback: str = "UTC") -> date:
    """The date in ``tz`` at ``moment``: the reader's "today"."""
    return local_now(moment, tz, fallback).date()


def clock_time(text: str) -> dtime:
    """A stored ``HH:MM`` (chats.parse_time's form) as a time of day."""
    hour, minute = (int(x) for x in text.split(":"))
    return dtime(hour, minute)


# ---- times of day as people type them ------------------------------------------------------

# Words before a time that say which part of the day it is in (早上7点, 晚上8点), and after it.
_PARTS_OF_DAY = (
    ("凌晨", "night"),
    ("清晨", "am"),
    ("早晨", "am"),
    ("早上", "am"),
    ("上午", "am"),
    ("中午", "noon"),
    ("下午", "pm"),
    ("傍晚", "pm"),
    ("晚上", "evening"),
    ("晚间", "evening"),
    ("夜里", "evening"),
    ("夜间", "evening"),
    ("早", "am"),
    ("晚", "evening"),
)
_CN_VALUES = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}  # fmt: skip
_NUMBER = r"\d{1,2}|[零〇一二两三四五六七八九十]{1,3}"
_CLOCK = re.compile(r"^(\d{1,2})[:.](\d{1,2})$|^(\d{3,4})$|^(\d{1,2})$")
_CHINESE = re.compile(
    rf"^(?P<h>{_NUMBER})\s*[点时]\s*钟?\s*"
    rf"(?:(?P<half>半)|(?P<quarter>[一三])刻|零?\s*(?P<m>{_NUMBER})\s*分?)?\s*钟?$"
)
_SUFFIX = re.compile(r"\s*([ap])\.?\s*m\.?$")


def _number(text: str) -> int | None:
    """7, 07, 七, 十, 十二, 二十三, 三十五, 零五 → the number; None for anything else."""
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        if len(tens) > 1 or len(ones) > 1 or "十" in ones:
            return None
        t = _CN_VALUES.get(tens) if tens else 1
        o = _CN_VALUES.get(ones) if ones else 0
        return None if t is None or o is None else 10 * t + o
    values = [_CN_VALUES.get(c) for c in text]
    if not values or None in values:
        return None
    return int("".join(str(v) for v in values))


def _part_of_day(text: str) -> tuple[str, str]:
    """(the part of the day a word names, the rest): 早上7点 → (am, 7点); 7pm → (pm, 7)."""
    for word, part in _PARTS_OF_DAY:
        if text.startswith(word):
            return part, text[len(word) :].strip()
    if m := _SUFFIX.search(text):
        return ("am12" if m.group(1) == "a" else "pm12"), text[: m.start()].strip()
    return "", text


def _on_the_clock(hour: int, part: str) -> int | None:
    """The 24-hour hour of ``hour`` said with a part of the day; None when they disagree."""
    if part in ("night", "am12") and hour == 12:
        return 0  # 凌晨12点, 12am: midnight
    if part in ("am", "night", "am12"):
        return hour if hour <= 12 else None
    if part == "noon":
        return hour + 12 if hour < 11 else hour  # 中午1点 is 13:00
    if part in ("pm", "pm12"):
        return hour + 12 if hour < 12 else hour
    if part == "evening":
        if hour == 12:
            return 0  # 晚上12点: midnight
        return hour + 12 if 5 <= hour < 12 else hour  # 晚上1点 is still night, not 13:00
    return hour


def parse_clock(text: str) -> tuple[int, int] | None:
    """A time of day as people type it: 7:30, 07:30, ０７：３０, 0730, 7, 7点, 7点半, 7点30分,
    七点一刻, 早上7点, 中午12点, 晚上8点, 7:30pm → (hour, minute); None if it is not one.

    Hour and minute are not range-checked here (``25:00`` gives (25, 0)), so that a caller can
    tell "not a time" from "out of range".
    """
    t = unicodedata.normalize("NFKC", text or "").strip().lower()
    t = t.removeprefix("每天").removeprefix("每日").strip()
    part, t = _part_of_day(t)
    hour = minute = None
    if m := _CLOCK.match(t.replace(" ", "")):
        if m.group(1):
            hour, minute = int(m.group(1)), int(m.group(2))
        elif m.group(3):
            hour, minute = int(m.group(3)[:-2]), int(m.group(3)[-2:])
        else:
            hour, minute = int(m.group(4)), 0
    elif m := _CHINESE.match(t):
        hour = _number(m.group("h"))
        if m.group("half"):
            minute = 30
        elif m.group("quarter"):
            minute = 15 if m.group("quarter") == "一" else 45
        else:
            minute = _number(m.group("m")) if m.group("m") else 0
    if hour is None or minute is None:
        return None
    hour = _on_the_clock(hour, part)
    return None if hour is None else (hour, minute)
