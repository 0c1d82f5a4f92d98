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


# ---- times of day as people type them (/subscribe, /time) -------------------------------------

_CN = "零一二三四五六七八九"


def chinese(n: int) -> str:
    """0-59 in Chinese numerals as people write them: 七, 十, 十二, 二十, 三十五."""
    if n < 10:
        return _CN[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _CN[tens]) + "十" + (_CN[ones] if ones else "")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7点半", "07:30"),
        ("早上7点", "07:00"),
        ("晚上8点", "20:00"),
        ("7:30", "07:30"),
        ("0730", "07:30"),
        ("7点30分", "07:30"),
        ("７：３０", "07:30"),
        ("七点一刻", "07:15"),
        ("下午3点45", "15:45"),
        ("中午12点", "12:00"),
        ("中午1点", "13:00"),
        ("凌晨12点", "00:00"),
        ("晚上12点", "00:00"),
        ("每天早上七点半", "07:30"),
        ("7点钟", "07:00"),
        ("8 PM", "20:00"),
        ("7:30am", "07:30"),
        ("12am", "00:00"),
        ("7点零五", "07:05"),
    ],
)
def test_common_ways_of_writing_a_time_are_understood(text: str, expected: str):
    from briefings.chats import parse_time

    assert parse_time(text) == expected


@pytest.mark.parametrize("text", ["abc", "", "25:00", "7:75", "早上15点", "7点半半", "七十点"])
def test_what_is_not_a_time_of_day_is_refused_with_the_forms_that_work(text: str):
    from briefings.chats import parse_time
    from briefings.errors import InvalidArgument

    with pytest.raises(InvalidArgument, match="7点半"):
        parse_time(text)


@given(st.integers(0, 23), st.integers(0, 59))
def test_every_time_of_day_parses_in_every_form(hour: int, minute: int):
    from briefings.chats import parse_time

    want = f"{hour:02d}:{minute:02d}"
    forms = [
        f"{hour}:{minute:02d}",
        f"{hour:02d}{minute:02d}",
        f"{hour}点{minute}分",
        f"{chinese(hour)}点{chinese(minute)}分",
        f"{hour:02d}：{minute:02d}",
    ]
    for form in forms:
        assert parse_time(form) == want, form
    if minute == 30:
        assert parse_time(f"{hour}点半") == want
    if 1 <= hour <= 11:
        assert parse_time(f"早上{hour}点{minute}分") == want
        assert parse_time(f"下午{hour}点{minute}分") == f"{hour + 12:02d}:{minute:02d}"


@given(st.text(max_size=40))
def test_any_text_gives_a_time_or_a_clear_refusal(text: str):
    from briefings.chats import parse_time
    from briefings.errors import InvalidArgument

    try:
        found = parse_time(text)
    except InvalidArgument as exc:
        message = str(exc)
        found = ""
    else:
        message = ""
    if found:
        hour, minute = (int(x) for x in found.split(":"))
        assert 0 <= hour <= 23
        assert 0 <= minute <= 59
    else:
        assert "7点半" in message  # says which forms work
