"""Comparable indicators: a small vocabulary of county statistics that can be ranked, compared
and charted across places and over time, and the rule that maps a stored figure to one.

A figure maps to an indicator only when everything about it says it is that statistic: its
indicator names it (GDP, 地区生产总值, 规上工业增加值增速), it has no subject of its own (or, for
the营收/产值 of an industry, an industry as subject), its unit is the indicator's (元 for amounts,
% for growth rates and shares), its period is one a flow can have (not 2022年以来 or 目前), its
role is a result, a shared statement or a goal, and the extractor was confident about it.
Everything else stays a plain figure. Rules and examples in docs/comparable.md.

``briefings/indicators.py`` names indicators while figures are extracted; this module only reads
the names it gave.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from briefings.figure_periods import read_period
from briefings.i18n import N_, Translator
from briefings.models import Figure
from briefings.normalize import fold_chars

Kind = Literal["level", "growth", "share"]
Family = Literal["money", "percent", "count"]


@dataclass(frozen=True)
class Indicator:
    """One comparable indicator: a stable key, the name users see, what kind of number it is
    (a level, a growth rate, a share) and its unit family."""

    key: str
    name: str
    kind: Kind
    family: Family
    unit: str  # the only unit a figure may have: 元, 美元, %, 家
    base: str  # key of the statistic it belongs to (gdp for gdp_growth)

    @property
    def is_rate(self) -> bool:
        return self.kind != "level"


@dataclass(frozen=True)
class _Base:
    key: str
    name: str  # display name of the level
    short: str  # stem for the growth rate and share names
    names: tuple[str, ...]  # how texts name it, after scope words and the kind are taken off
    kinds: tuple[Kind, ...] = ("level", "growth")
    unit: str = "元"
    family: Family = "money"
    share_name: str = ""
    growth_only: tuple[str, ...] = ()  # names that stand for it only with a growth word (经济)


_BASES: tuple[_Base, ...] = (
    _Base("gdp", N_("地区生产总值（GDP）"), N_("GDP"),
          ("GDP", "GDP总量", "地区生产总值", "生产总值", "国内生产总值", "经济总量"),
          growth_only=("经济",)),
    _Base("iva", N_("规上工业增加值"), N_("规上工业增加值"),
          ("规上工业增加值", "规模以上工业增加值")),
    _Base("ind_va", N_("工业增加值（未注明规上）"), N_("工业增加值"),
          ("工业增加值", "全部工业增加值")),
    _Base("output", N_("规上工业总产值"), N_("规上工业总产值"),
          ("规上工业总产值", "规模以上工业总产值", "规上工业产值", "规模以上工业产值")),
    _Base("trade", N_("外贸进出口总额"), N_("外贸进出口"),
          ("外贸进出口", "进出口", "进出口总额", "进出口额", "外贸进出口总额", "外贸进出口额",
           "货物进出口", "货物进出口总额", "货物贸易进出口", "外贸进出口总值", "进出口总值")),
    _Base("exports", N_("出口额"), N_("出口"),
          ("出口", "出口额", "出口总额", "出口总值", "外贸出口", "货物出口", "外贸出口额")),
    _Base("imports", N_("进口额"), N_("进口"),
          ("进口", "进口额", "进口总额", "外贸进口", "货物进口")),
    _Base("budget", N_("一般公共预算收入"), N_("一般公共预算收入"),
          ("一般公共预算收入", "地方一般公共预算收入", "一般公共预算总收入", "公共预算收入")),
    _Base("fiscal", N_("财政总收入"), N_("财政总收入"), ("财政总收入",)),
    _Base("retail", N_("社会消费品零售总额"), N_("社零总额"),
          ("社会消费品零售总额", "社会消费品零售额", "社零总额", "社零额", "社零")),
    _Base("fai", N_("固定资产投资"), N_("固定资产投资"),
          ("固定资产投资", "全社会固定资产投资", "固定资产投资额", "固投")),
    _Base("mfg_inv", N_("制造业投资"), N_("制造业投资"), ("制造业投资", "制造业投资额")),
    _Base("ind_inv", N_("工业投资"), N_("工业投资"), ("工业投资", "工业投资额")),
    _Base("rd", N_("R&D经费"), N_("R&D经费"),
          ("R&D经费", "R&D经费支出", "R&D经费投入", "R&D投入", "研发经费", "研发经费支出",
           "研发经费投入", "研发投入", "研究与试验发展经费", "研究与试验发展经费支出"),
          kinds=("level", "growth", "share"), share_name=N_("R&D经费投入强度")),
    _Base("digital", N_("数字经济核心产业增加值"), N_("数字经济核心产业增加值"),
          ("数字经济核心产业增加值",), kinds=("level", "growth", "share")),
    _Base("hitech", N_("高新技术产业增加值"), N_("高新技术产业增加值"),
          ("高新技术产业增加值",), kinds=("level", "growth", "share")),
    _Base("income", N_("居民人均可支配收入"), N_("居民人均可支配收入"),
          ("居民人均可支配收入", "全体居民人均可支配收入")),
    _Base("urban_income", N_("城镇居民人均可支配收入"), N_("城镇居民人均可支配收入"),
          ("城镇居民人均可支配收入", "城镇常住居民人均可支配收入")),
    _Base("rural_income", N_("农村居民人均可支配收入"), N_("农村居民人均可支配收入"),
          ("农村居民人均可支配收入", "农村常住居民人均可支配收入", "农民人均可支配收入")),
    _Base("fdi", N_("实际使用外资"), N_("实际使用外资"),
          ("实际使用外资", "实际利用外资", "实到外资", "实际使用外资金额"), unit="美元"),
    _Base("listed", N_("上市公司数量"), N_("上市公司"), ("上市公司", "上市企业", "上市公司数量"),
          kinds=("level",), unit="家", family="count"),
)  # fmt: skip

# Names of a kind, at the end of an indicator (规上工业增加值增速).
_GROWTH = re.compile(r"(?:同比)?(?:增速|增幅|增长率|增长)$")
_SHARE = re.compile(r"(?:投入)?(?:占比|比重|强度)$")
_OF_GDP = re.compile(r"占(?:GDP|地区生产总值|生产总值)(?:的)?$")
# Scope words an indicator may start with (全县GDP, 全年外贸进出口); they say nothing more.
_SCOPE = re.compile(r"^(?:全市|全县|全区|全域|县域|市域|本地|当地|该县|该市|该区|全年|实现|完成)+")
# An industry's 营收/产值: 家电营收, 人工智能核心产业营收, 光电行业产值.
_INDUSTRY_MEASURE = re.compile(r"^(?P<industry>.{2,12}?)(?P<measure>营业收入|营收|总产值|产值)$")
_INDUSTRY_END = re.compile(r"(?:产业|行业|制造业|工业|产业链|产业集群|服务业|农业|业)$")
# Sectors named without 产业/行业 (家电营收); a class of industries, not a list of firms.
SECTORS = frozenset(
    [
        "家电",
        "光电",
        "纺织",
        "服装",
        "汽车",
        "汽配",
        "化工",
        "医药",
        "生物医药",
        "光伏",
        "电子",
        "软件",
        "芯片",
        "集成电路",
        "半导体",
        "新能源",
        "新材料",
        "装备",
        "机械",
        "文旅",
        "旅游",
        "电商",
        "影视",
        "家具",
        "五金",
        "模具",
        "轴承",
        "卫浴",
        "泵阀",
        "阀门",
        "眼镜",
        "小商品",
        "茶叶",
        "人工智能",
        "数字经济",
        "机器人",
        "低空经济",
        "时尚",
        "印染",
        "化纤",
        "电机",
        "锂电",
        "储能",
        "智能装备",
        "高端装备",
    ]
)
# Whose营收 it is not: a firm, a park, a project, a work, a person.
_NOT_INDUSTRY = re.compile(r"公司|集团|企业|厂|园|基地|项目|《|》|平台|中心|店|门店|个人|人均|户均")
_INDUSTRY_KEY = {"营业收入": "rev", "营收": "rev", "总产值": "output", "产值": "output"}
_INDUSTRY_NAME = {"rev": "营收", "output": "产值"}
_GOAL_SUFFIX = "目标"
# Periods a flow (an amount over time, or its growth) cannot be compared over.
_BAD_SPANS = frozenset({"since", "point", "other"})
_ROLES = frozenset({"current", "shared", "goal"})


def _indicators() -> dict[str, Indicator]:
    out: dict[str, Indicator] = {}
    for b in _BASES:
        for kind in b.kinds:
            if kind == "level":
                out[b.key] = Indicator(b.key, b.name, "level", b.family, b.unit, b.key)
            elif kind == "growth":
                key = f"{b.key}_growth"
                out[key] = Indicator(key, f"{b.short}增速", "growth", "percent", "%", b.key)
            else:
                key = f"{b.key}_share"
                name = b.share_name or f"{b.short}占GDP比重"
                out[key] = Indicator(key, name, "share", "percent", "%", b.key)
    return out


INDICATORS: dict[str, Indicator] = _indicators()
# Statistics a reader looking for one may want instead (offered, never merged).
SIBLINGS: dict[str, tuple[str, ...]] = {
    "iva": ("ind_va",),
    "ind_va": ("iva",),
    "trade": ("exports", "imports"),
    "exports": ("trade",),
    "imports": ("trade",),
    "budget": ("fiscal",),
    "fiscal": ("budget",),
    "fai": ("mfg_inv", "ind_inv"),
}
_BY_NAME: dict[tuple[str, Kind], str] = {
    (name, kind): b.key for b in _BASES for kind in b.kinds for name in b.names
} | {(name, "growth"): b.key for b in _BASES for name in b.growth_only}


def _kind_of(text: str) -> tuple[str, Kind]:
    """(the stem, its kind): 规上工业增加值增速 → (规上工业增加值, growth)."""
    if m := _SHARE.search(text):
        return _OF_GDP.sub("", text[: m.start()]), "share"
    if m := _GROWTH.search(text):
        return text[: m.start()], "growth"
    return text, "level"


def _industry_indicator(stem: str, kind: Kind, subject: str) -> Indicator | None:
    m = _INDUSTRY_MEASURE.match(stem)
    if not m or kind == "share":
        return None
    industry = m.group("industry")
    if subject and subject != industry:
        return None
    if _NOT_INDUSTRY.search(industry) or not (
        industry in SECTORS or _INDUSTRY_END.search(industry)
    ):
        return None
    measure = _INDUSTRY_KEY[m.group("measure")]
    base = f"{measure}:{industry}"
    name = industry + _INDUSTRY_NAME[measure]
    if kind == "growth":
        return Indicator(f"{base}:growth", f"{name}增速", "growth", "percent", "%", base)
    return Indicator(base, name, "level", "money", "元", base)


@lru_cache(maxsize=8192)
def indicator_named(text: str, subject: str = "") -> Indicator | None:
    """The comparable indicator an indicator name stands for (GDP, 规上工业增加值增速, 家电营收),
    or None. ``subject`` is the figure's subject: only an industry's 营收/产值 may have one."""
    name = fold_chars(text).strip().replace(" ", "")
    name = re.sub(r"[a-z]+", lambda m: m.group().upper(), name).replace("＆", "&")
    name = _SCOPE.sub("", name)
    stem, kind = _kind_of(name)
    if not stem:
        return None
    if not subject and (key := _BY_NAME.get((stem, kind))):
        return INDICATORS[key if kind == "level" else f"{key}_{kind}"]
    return _industry_indicator(stem, kind, subject)


def canonical_indicator(  # noqa: PLR0917 (SQLite calls it with six arguments)
    indicator: str, subject: str, unit: str, period: str, role: str, confident: bool | int
) -> str:
    """The key of the comparable indicator a stored figure is, or ``''`` for a plain figure.

    Column by column, so that SQLite can call it too (migration 0015_charts_canonical).
    """
    if not confident or role not in _ROLES:
        return ""
    name = indicator or ""
    if role == "goal":
        if not name.endswith(_GOAL_SUFFIX):
            return ""
        name = name.removesuffix(_GOAL_SUFFIX)
    elif name.endswith(_GOAL_SUFFIX):
        return ""
    found = indicator_named(name, subject or "")
    if found is None or unit != found.unit:
        return ""
    if read_period(period or "").span in _BAD_SPANS and found.family != "count":
        return ""
    return found.key


def canonical_key(figure: Figure) -> str:
    """``canonical_indicator`` of a ``Figure``."""
    f = figure
    return canonical_indicator(f.indicator, f.subject, f.unit, f.period, f.role, f.confident)


def indicator_for_key(key: str) -> Indicator | None:
    """The indicator of a stored key, including an industry's (rev:家电, rev:家电:growth)."""
    if key in INDICATORS:
        return INDICATORS[key]
    parts = key.split(":")
    if len(parts) not in (2, 3) or parts[0] not in _INDUSTRY_NAME:
        return None
    name = parts[1] + _INDUSTRY_NAME[parts[0]]
    if len(parts) == 3:
        return indicator_named(name + "增速") if parts[2] == "growth" else None
    return indicator_named(name)


def lookup(text: str) -> Indicator | None:
    """What a user typed (GDP, gdp, 规上工业增加值增速, 出口, 家电营收, the display name, a key)."""
    raw = fold_chars(text).strip()
    if not raw or len(raw) > 40:
        return None
    if found := indicator_for_key(raw.lower() if raw.isascii() else raw):
        return found
    for ind in INDICATORS.values():
        if raw in (ind.name, ind.name.split("（")[0], fold_chars(ind.name)):
            return ind
    return indicator_named(raw)


# How names are made from a statistic's stem (their Chinese is the vocabulary above).
GROWTH_NAME = N_("{name}增速")
SHARE_NAME = N_("{name}占GDP比重")
INDUSTRY_NAMES = {"rev": N_("{industry}营收"), "output": N_("{industry}产值")}
_BASE_BY_KEY = {b.key: b for b in _BASES}


def display_name(ind: Indicator, tr: Translator) -> str:
    """The indicator's name in ``tr``'s language: ``ind.name`` in Chinese, the vocabulary's
    translation in English (an industry's name stays as printed: 家电 revenue)."""
    if not tr.english:
        return ind.name
    parts = ind.base.split(":")
    if len(parts) == 2 and parts[0] in INDUSTRY_NAMES:
        name = tr(INDUSTRY_NAMES[parts[0]], industry=parts[1])
        return tr(GROWTH_NAME, name=name) if ind.kind == "growth" else name
    base = _BASE_BY_KEY.get(ind.base)
    if base is None:
        return ind.name
    if ind.kind == "level":
        return tr(base.name)
    if ind.kind == "share" and base.share_name:
        return tr(base.share_name)
    message = GROWTH_NAME if ind.kind == "growth" else SHARE_NAME
    return tr(message, name=tr(base.short))


def choices() -> list[Indicator]:
    """Every fixed indicator, in vocabulary order (industries are open-ended)."""
    return list(INDICATORS.values())
