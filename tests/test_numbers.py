"""parse_number / parse_quantity: Arabic and Chinese numerals, magnitudes, qualifiers, 成 and %."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from briefings.numbers import Quantity, parse_number, parse_quantity

DIGITS = "零一二三四五六七八九"


def _four(n: int, pad: bool) -> str:
    """0 < n < 10000 in Chinese; ``pad`` adds the 零 a group needs after a higher group."""
    out, zero, started = "", pad, False
    for d, unit in zip(
        (n // 1000, n // 100 % 10, n // 10 % 10, n % 10), ("千", "百", "十", ""), strict=True
    ):
        if d == 0:
            zero = zero or started
            continue
        if zero:
            out += "零"
        out, zero, started = out + DIGITS[d] + unit, False, True
    return out


def render_chinese(n: int, short_ten: bool = False) -> str:
    """Our own renderer of standard Chinese numerals (一亿零五百万, 十九 or 一十九)."""
    if n == 0:
        return "零"
    yi, wan, low = n // 10**8, n // 10**4 % 10**4, n % 10**4
    text = ""
    if yi:
        text += render_chinese(yi) + "亿"
    if wan:
        text += _four(wan, pad=bool(yi) and wan < 1000) + "万"
    if low:
        text += _four(low, pad=bool(yi or wan) and (low < 1000 or not wan))
    if short_ten and text.startswith("一十"):
        text = text[1:]
    return text


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("525", 525),
        ("1,500", 1500),
        ("19.7", 19.7),
        ("十九点七", 19.7),
        ("一千五百", 1500),
        ("两", 2),
        ("千亿", 1e11),
        ("1.2亿", 1.2e8),
        ("3000亿", 3e11),
        ("百", 100),
        ("上万", 10_000),
        ("百余", 100),
        ("2000多", 2000),
        ("五年", 5),
        ("一百零五", 105),
        ("二〇二五", 2025),
        ("三点五亿", 3.5e8),
        ("一万亿", 1e12),
        ("三亿五千万", 3.5e8),
        ("3000多亿元", 3e11),
        ("三千多万", 3e7),
        ("34.6亿元", 3.46e9),
        ("零点五", 0.5),
    ],
)
def test_numeral_forms_parse_to_their_value(text: str, value: float) -> None:
    assert parse_number(text) == pytest.approx(value, rel=1e-12)


def test_colloquial_trailing_digit_takes_the_next_lower_unit() -> None:
    # 一千五 is 1500 and 三万五 is 35000, but after 零 the digit is plain units.
    assert parse_number("一千五") == 1500
    assert parse_number("三万五") == 35_000
    assert parse_number("一万零五") == 10_005


def test_tenths_are_reported_in_percent() -> None:
    q = parse_quantity("近九成")
    assert q is not None
    assert (q.value, q.qualifier, q.percent) == (90, "近", True)


def test_percent_sign_and_chinese_percent_agree() -> None:
    assert parse_number("19.7%") == parse_number("百分之十九点七") == pytest.approx(19.7)
    assert parse_quantity("百分之三十") == parse_quantity("30%")


def test_full_width_digits_parse_like_ascii() -> None:
    assert parse_number("１９．７％") == pytest.approx(19.7)


def test_words_starting_with_tenths_are_not_percentages() -> None:
    q = parse_quantity("一成不变")
    assert q is not None
    assert not q.percent
    assert q.value == 1


@pytest.mark.parametrize(
    ("text", "qualifier"),
    [
        ("超千亿元", "超"),
        ("突破525亿元", "超"),
        ("近6000块", "近"),
        ("约17亿元", "约"),
        ("2000多家", "多"),
        ("百余年", "多"),
        ("上万家", "超"),
        ("60%以上", "超"),
        ("高达19.7%", "达"),
        ("18亿元", ""),
    ],
)
def test_qualifiers_are_normalised(text: str, qualifier: str) -> None:
    q = parse_quantity(text)
    assert q is not None
    assert q.qualifier == qualifier


@pytest.mark.parametrize("text", ["", "abc", "点五", "十四五", "两三", "七八", "十百"])
def test_non_numbers_and_approximate_ranges_give_none(text: str) -> None:
    # 十四五 is a plan name and 两三 means "two or three": neither has one value.
    assert parse_number(text) is None


def test_bare_magnitude_is_a_number_and_figures_decides_if_it_is_a_figure() -> None:
    assert parse_number("亿元以上") == 1e8


@given(st.text())
def test_parse_number_never_raises(text: str) -> None:
    result = parse_number(text)
    assert result is None or isinstance(result, float)


@given(st.text(alphabet="零〇一二两三四五六七八九十百千万亿点多余超近约成%.,0123456789年元"))
def test_parse_number_never_raises_on_numeral_soup(text: str) -> None:
    result = parse_number(text)
    assert result is None or isinstance(result, float)


@given(st.integers(min_value=0, max_value=10**15), st.booleans())
def test_chinese_numerals_round_trip(n: int, short_ten: bool) -> None:
    assert parse_number(render_chinese(n, short_ten)) == n


@given(st.integers(min_value=0, max_value=10**12))
def test_arabic_with_thousands_commas_round_trip(n: int) -> None:
    assert parse_number(f"{n:,}") == n


@given(
    st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False, allow_infinity=False),
    st.sampled_from([("万", 10**4), ("亿", 10**8), ("千亿", 10**11), ("", 1)]),
)
def test_magnitudes_multiply_arabic_decimals(d: Decimal, magnitude: tuple[str, int]) -> None:
    suffix, factor = magnitude
    assert parse_number(f"{d}{suffix}元") == float(d * factor)


def test_each_marker_is_read_through_and_is_no_qualifier() -> None:
    # 各100万元: 100万元 each; the figure keeps 各 in its text and says "each" in its role.
    assert parse_quantity("各100万元") == Quantity(1e6, "", False)
    assert parse_number("各超100家") == 100


def test_a_range_parses_to_its_lower_end() -> None:
    assert parse_number("5.5%到6%") == 5.5
