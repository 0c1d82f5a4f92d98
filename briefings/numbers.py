"""Arabic and Chinese numerals with magnitudes and qualifiers (1.2亿, 超千亿, 近九成) → floats.

Written here because cn2an raises on what newspapers print every day: qualifiers (超千亿, 近4000),
bare magnitudes (百, 上万) and approximations (百余, 2000多). Values follow the printed scale:
percentages stay percent numbers (19.7% → 19.7) and 成 (tenths) is converted to percent (九成 → 90).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

# 〇 and ○ both appear as the zero of years written digit by digit (二〇二五, 二○二五).
CN_DIGIT_VALUES: dict[str, int] = {
    "零": 0, "〇": 0, "○": 0,
    "一": 1, "壹": 1,
    "二": 2, "贰": 2, "两": 2,
    "三": 3, "叁": 3,
    "四": 4, "肆": 4,
    "五": 5, "伍": 5,
    "六": 6, "陆": 6,
    "七": 7, "柒": 7,
    "八": 8, "捌": 8,
    "九": 9, "玖": 9,
}  # fmt: skip
CN_SMALL_UNITS: dict[str, int] = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
CN_BIG_UNITS: dict[str, int] = {"万": 10_000, "亿": 100_000_000}
MAGNITUDES: dict[str, int] = {**CN_SMALL_UNITS, **CN_BIG_UNITS}

CN_DIGITS = "".join(CN_DIGIT_VALUES)
CN_NUMERAL_CHARS = CN_DIGITS + "".join(MAGNITUDES)

# Building blocks shared with briefings.figures. Every repeat is bounded: unbounded runs of
# numeral characters made the scan cubic on OCR garbage such as a line of 十十十…. Thousands
# commas only in groups of exactly three digits: Chinese text after NFKC uses the same ASCII
# comma between clauses (增长13.1%,制造业).
ARABIC = r"(?:[0-9０-９]{1,3}(?:,[0-9]{3}){1,5}(?![0-9])|[0-9０-９]{1,15})(?:[.．][0-9０-９]{1,8})?"
CHINESE = rf"[{CN_NUMERAL_CHARS}]{{1,40}}(?:点[{CN_DIGITS}]{{1,8}}[十百千万亿]{{0,3}})?"
MAGNITUDE = r"[十百千万亿]{0,3}"

# Qualifiers as printed → the short normalised set: 超 (more than), 近 (nearly), 约 (about),
# 多 (odd: 2000多), 达 (reached), 不足 (less than), 仅 (only).
QUALIFIERS: dict[str, str] = {
    "超": "超", "超过": "超", "超出": "超", "逾": "超", "突破": "超", "跨过": "超",
    "迈过": "超", "跨越": "超", "以上": "超", "上": "超", "高于": "超", "多于": "超",
    "近": "近", "将近": "近", "接近": "近", "逼近": "近",
    "约": "约", "大约": "约", "左右": "约", "上下": "约", "来": "约", "前后": "约",
    "多": "多", "余": "多",
    "达": "达", "达到": "达", "高达": "达", "多达": "达", "之多": "达",
    "不足": "不足", "不到": "不足", "低于": "不足", "少于": "不足", "以下": "不足",
    "仅": "仅", "仅有": "仅", "只有": "仅",
}  # fmt: skip

# Qualifiers printed after the number (2000多, 60%以上); all others come before it.
TRAILING_QUALIFIERS = ("以上", "以下", "左右", "上下", "前后", "之多", "多", "余", "来")
# The ones looked for in the few characters after a number and its unit (not 多/余/来, which
# the numeral pattern reads itself).
_TRAILING_NEAR = TRAILING_QUALIFIERS[:6]
# Qualifiers printed before the number, longest first.
LEADING_QUALIFIERS: tuple[str, ...] = tuple(
    sorted((q for q in QUALIFIERS if q not in TRAILING_QUALIFIERS), key=len, reverse=True)
)
# Printed against the number, and so part of a figure's text (超千亿元, 近6000块, 逾百家, 约17亿元,
# 上万家). 上 is one only before a magnitude: it is never looked for as a word before a number.
TIGHT_QUALIFIERS = ("超", "逾", "近", "约", "上")
# One-character qualifiers that also end other words: not after these characters (发达, 到达,
# 最近, 附近, 赶超, 高超, 签约, 合约, 和约 …).
QUALIFIER_NOT_AFTER: dict[str, str] = {
    "达": "发到表传通抵送直雷",
    "近": "最附临邻亲靠",
    "超": "高赶",
    "约": "签合条预制公节规誓和",
}
# Qualifier words printed before a number and not against it (突破, 高达, 不足, 仅).
VERBAL_QUALIFIERS: tuple[str, ...] = tuple(
    q for q in LEADING_QUALIFIERS if q not in TIGHT_QUALIFIERS
)
_LEADING = "|".join(LEADING_QUALIFIERS)
_QUANTITY = re.compile(
    rf"各?(?P<qual>{_LEADING})?(?P<pct>百分之)?(?P<num>{ARABIC}|{CHINESE})"
    rf"(?P<a1>多|余|来)?(?P<mag>{MAGNITUDE})(?P<a2>多|余)?(?P<rest>.*)",
    re.DOTALL,
)
# 成 is a unit of tenths only when no word continues it (一成不变, 三成立 are not shares).
TENTHS = re.compile(r"成(?![立为功本果员绩交熟长效型品不都就])")
_PERCENT = re.compile(r"[%％]")


@dataclass(frozen=True)
class Quantity:
    """A parsed number: ``value`` with magnitudes applied, the normalised qualifier, and whether
    it is a percentage (``%``, ``百分之``, ``成``; the value is then in percent)."""

    value: float
    qualifier: str = ""
    percent: bool = False


def qualifier_words(words: tuple[str, ...] = LEADING_QUALIFIERS) -> tuple[str, ...]:
    """``words`` as regex alternatives, each not after the characters that make it the end of
    another word (``(?<![发到表传通抵送直雷])达``); 上 left out (see ``TIGHT_QUALIFIERS``)."""
    return tuple(
        f"(?<![{QUALIFIER_NOT_AFTER[q]}]){q}" if q in QUALIFIER_NOT_AFTER else q
        for q in words
        if q != "上"
    )


@lru_cache(maxsize=8)
def _qualifier_at_end(words: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("(?:" + "|".join(qualifier_words(words)) + r")\Z")


_LONGEST_QUALIFIER = max(map(len, QUALIFIERS))


def qualifier_before(text: str, words: tuple[str, ...] = VERBAL_QUALIFIERS) -> str:
    """The qualifier word of ``words`` printed at the very end of ``text`` (the longest), or
    ''. ``上`` is never one here (see ``TIGHT_QUALIFIERS``)."""
    m = _qualifier_at_end(words).search(text, max(0, len(text) - _LONGEST_QUALIFIER))
    return m.group() if m else ""


def split_qualifier(text: str) -> tuple[str, str]:
    """(the leading qualifier ``text`` starts with, the rest): ``超3000亿元`` → (超, 3000亿元)."""
    for q in LEADING_QUALIFIERS:
        if text.startswith(q):
            return q, text[len(q) :]
    return "", text


def _cn_positional(text: str) -> int | None:
    """Digit-by-digit numerals: 二〇二五 → 2025."""
    value = 0
    for ch in text:
        if ch not in CN_DIGIT_VALUES:
            return None
        value = value * 10 + CN_DIGIT_VALUES[ch]
    return value


def _cn_integer(text: str) -> int | None:
    """Chinese integer with units: 一千五百 1500, 十九 19, 千亿 1e11, 三万五 35000, 一百零五 105."""
    if not text:
        return None
    if all(ch in CN_DIGIT_VALUES for ch in text):
        # 二〇二五 is read digit by digit, but 两三 and 七八 are approximations ("two or three").
        if len(text) == 1 or (len(text) >= 3 and "两" not in text):
            return _cn_positional(text)
        return None
    above_yi = 0  # value of completed 亿 groups
    wan_part = 0  # completed 万 group inside the current 亿 group
    small = 0  # below 万
    digit: int | None = None
    last_small: int | None = None  # last of 十/百/千 in the current 万 group, for ordering
    last_unit = 1  # value of the last unit seen, for the colloquial 一千五 (= 1500)
    zero_since_unit = False
    for ch in text:
        if ch in CN_DIGIT_VALUES:
            d = CN_DIGIT_VALUES[ch]
            if d == 0:
                zero_since_unit = True
                continue
            if digit is not None:
                return None  # two digits without a unit between them: 十四五
            digit = d
        elif ch in CN_SMALL_UNITS:
            unit = CN_SMALL_UNITS[ch]
            if last_small is not None and unit >= last_small:
                return None  # 十百, 百百
            small += (1 if digit is None else digit) * unit
            digit, last_small, last_unit, zero_since_unit = None, unit, unit, False
        elif ch == "万":
            group = small + (digit or 0)
            if wan_part:
                return None  # a second 万 in one 亿 group
            wan_part = (group or 1) * 10_000
            small, digit, last_small, last_unit, zero_since_unit = 0, None, None, 10_000, False
        elif ch == "亿":
            group = wan_part + small + (digit or 0)
            above_yi = (above_yi + (group or 1)) * 100_000_000
            wan_part = small = 0
            digit, last_small, last_unit, zero_since_unit = None, None, 100_000_000, False
        else:
            return None
    if digit is not None:
        # 一千五 means 1500 and 三万五 35000; after 零 (一百零五) the digit is plain units.
        small += digit * (1 if zero_since_unit or last_unit == 1 else last_unit // 10)
    return above_yi + wan_part + small


def _apply_magnitudes(value: Decimal, mags: str) -> Decimal:
    for ch in mags:
        value *= MAGNITUDES[ch]
    return value


def _number_value(num: str) -> Decimal | None:
    """Value of one numeral run, Arabic (with commas) or Chinese (with 点 decimals)."""
    if num[0] in CN_NUMERAL_CHARS:
        head, sep, tail = num.partition("点")
        whole = _cn_integer(head)
        if whole is None:
            return None
        if not sep:
            return Decimal(whole)
        digits = tail.rstrip("十百千万亿")
        frac = "".join(str(CN_DIGIT_VALUES[ch]) for ch in digits)
        return _apply_magnitudes(Decimal(f"{whole}.{frac}"), tail[len(digits) :])
    try:
        # NFKC only changes full-width digits here: ASCII numbers skip it.
        plain = num if num.isascii() else unicodedata.normalize("NFKC", num)
        return Decimal(plain.replace(",", ""))
    except InvalidOperation:
        return None


def parse_quantity(text: str) -> Quantity | None:
    """Parse ``各? qualifier? numeral magnitude? 多/余? unit?`` from the start of ``text``.

    A trailing unit or word is ignored (18亿元 → 1.8e9, 五年 → 5) except % and 成, which make the
    value a percentage. Returns None when ``text`` does not start with a number. Never raises.
    """
    try:
        return _parse_quantity(text)
    except (ArithmeticError, ValueError, KeyError, IndexError):
        return None


def quantity_value(text: str) -> float | None:
    """``parse_quantity(text).value`` (None where that is None), without reading the
    qualifier. Never raises."""
    try:
        found = _value(text)
    except (ArithmeticError, ValueError, KeyError, IndexError):
        return None
    return None if found is None else found[1]


def _value(text: str) -> tuple[re.Match[str], float, bool, str] | None:
    """The match, the value, whether it is a percentage, and what follows the number."""
    m = _QUANTITY.match(text.strip())
    if not m:
        return None
    value = _number_value(m["num"])
    if value is None:
        return None
    value = _apply_magnitudes(value, m["mag"])
    rest = m["rest"].lstrip()
    percent = bool(m["pct"]) or bool(_PERCENT.match(rest))
    if not percent and TENTHS.match(rest):
        value *= 10
        percent = True
    return m, float(value), percent, rest


def _parse_quantity(text: str) -> Quantity | None:
    found = _value(text)
    if found is None:
        return None
    m, value, percent, rest = found
    qualifier = ""
    for raw in (m["qual"], m["a1"], m["a2"]):
        if raw:
            qualifier = QUALIFIERS[raw]
            break
    if not qualifier:
        head = rest[:6]
        for q in _TRAILING_NEAR:
            if q in head:
                qualifier = QUALIFIERS[q]
                break
    return Quantity(value, qualifier, percent)


def parse_number(text: str) -> float | None:
    """The number at the start of ``text`` with magnitudes applied, or None. Never raises.

    525 → 525, 1,500 → 1500, 十九点七 → 19.7, 两 → 2, 千亿 → 1e11, 1.2亿 → 1.2e8, 上万 → 1e4,
    百余 → 100, 2000多 → 2000, 五年 → 5, 19.7% → 19.7, 近九成 → 90 (成 is tenths: 90 percent).
    """
    q = parse_quantity(text)
    return None if q is None else q.value


# --- number tokens --------------------------------------------------------------------------

# Where a number can start: a run of Arabic or of Chinese numerals (the figure scan starts
# only there; the number tokens are read run by run).
NUMERAL_RUN = re.compile(f"[0-9０-９]+|[{CN_NUMERAL_CHARS}]+")
_WHOLE_NUMERAL = re.compile(f"{ARABIC}|{CHINESE}")
# Financial numerals that are also everyday characters (大陆, 收拾, 仟): alone they are words.
_FINANCIAL = frozenset("壹贰叁肆伍陆柒捌玖拾佰仟")
_MAGNITUDE_CHARS = frozenset(MAGNITUDES)
# Maximal runs only: a run of numerals is read whole, so the scan is linear however long the run
# (a pattern that looked inside runs for a magnitude was quadratic on a line of 一一一…).
_TOKEN = re.compile(
    r"([0-9０-９]+(?:,[0-9]{3})*(?:[.．][0-9０-９]+)?[%％‰]?[万亿千百]*)"
    rf"|([{CN_NUMERAL_CHARS}]+(?:点[{CN_DIGITS}]+[十百千万亿]*)?)({TENTHS.pattern})?"
)


def numeral_value(text: str) -> Decimal | None:
    """The value of ``text`` when all of it is one numeral as the figure scan reads numerals
    (``ARABIC`` or ``CHINESE``: 1,500, 19.7, 十九点七, 三万五, 二〇二五, 壹贰叁), else None."""
    if not _WHOLE_NUMERAL.fullmatch(text):
        return None
    try:
        return _number_value(text)
    except (ArithmeticError, ValueError, KeyError, IndexError):
        return None


@lru_cache(maxsize=4096)
def _is_chinese_number(run: str) -> bool:
    """A run of Chinese numerals that is a number and not grammar: 十二, 千亿, 二〇二五, 一点五;
    not a lone 一/两 (一批, 两年前) or a lone financial numeral (大陆), not 两三 or 十四五."""
    if len(run) == 1 and (run in _FINANCIAL or run not in _MAGNITUDE_CHARS):
        return False
    return numeral_value(run) is not None


def number_tokens(text: str) -> list[str]:
    """Every number in ``text`` as printed, in order: Arabic numbers with their %/‰ and
    magnitudes (19.7%, 4,000, 18亿), Chinese numerals that are numbers (千亿, 十二, 二〇二五), and
    tenths (九成). The tokenizer of the number verifier; linear in ``len(text)``."""
    out: list[str] = []
    for arabic, run, tenths in _TOKEN.findall(text):
        if arabic:
            out.append(arabic)
        elif (tenths and len(run) == 1 and run in CN_DIGIT_VALUES) or _is_chinese_number(run):
            out.append(run + tenths)  # 九成: nine tenths
    return out
