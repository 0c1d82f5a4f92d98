"""A reader's "today": the date in the chat's time zone, one rule for every caller."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from briefings.localtime import clock_time, local_now, local_today, zone

ZONES = ("Asia/Shanghai", "Europe/London", "America/New_York", "Pacific/Kiritimati", "UTC")


def test_today_differs_across_zones_around_midnight():
    moment = datetime(2026, 4, 14, 17, 30, tzinfo=UTC)  # 01:30 on the 15th in Shanghai
    assert local_today(moment, "Asia/Shanghai") == date(2026, 4, 15)
    assert local_today(moment, "Europe/London") == date(2026, 4, 14)
    assert local_now(moment, "Asia/Shanghai").time() == time(1, 30)


def test_a_zone_the_system_does_not_know_falls_back():
    moment = datetime(2026, 4, 14, 17, 30, tzinfo=UTC)
    assert local_today(moment, "Mars/Olympus", "Asia/Shanghai") == date(2026, 4, 15)
    assert local_today(moment, "", "Europe/London") == date(2026, 4, 14)
    assert zone("no/such/zone") == ZoneInfo("UTC")


def test_clock_time_reads_a_stored_time_of_day():
    assert clock_time("07:30") == time(7, 30)
    assert clock_time("23:59") == time(23, 59)


@given(
    st.datetimes(
        min_value=datetime(1971, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    ),
    st.sampled_from(ZONES),
)
def test_today_is_the_date_of_the_moment_in_the_zone(moment: datetime, tz: str):
    assert local_today(moment, tz) == moment.astimezone(ZoneInfo(tz)).date()
    offset = local_now(moment, tz).utcoffset()
    assert offset is not None
    assert abs(offset) <= timedelta(hours=14)


@pytest.mark.parametrize("tz", ZONES)
def test_the_same_instant_gives_the_same_date_whatever_zone_it_is_written_in(tz: str):
    moment = datetime(2026, 4, 15, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert local_today(moment.astimezone(ZoneInfo(tz)), "Asia/Shanghai") == date(2026, 4, 15)
