"""A reader's clock: the date and time in a chat's time zone, and ``HH:MM`` times of day.

One rule for every place that asks what day it is for a reader (the /today reply, the daily job,
``push``, the catch-up plan, feed polling): the moment, converted to the zone; a zone name that
cannot be loaded falls back to another (the bot's default), never to the machine's local time.
"""

from __future__ import annotations

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
