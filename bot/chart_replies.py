"""Replies of /rank, /compare and /chart: rankings, side-by-side figures, chart captions.

Pure functions from ``briefings.ranking`` values to ``Reply`` values (Telegram HTML), like
``bot.cards``. Every ranked or compared value carries its period, its publication date and a
link to its source (the deep link the digest uses, or ``/article ID`` without a bot name).
Goals are listed apart and never ranked. Interface text is marked with ``N_`` and said in the
reader's language (``tr``); indicator names are the vocabulary's, translated
(``comparable.display_name``); county names as printed, with their pinyin in English.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.cards import Button, Photo, Reply, callback, clip, fit, place_name
from bot.telegram_html import deep_link, escape, escape_attr
from briefings.comparable import Indicator, display_name, indicator_for_key
from briefings.i18n import N_, Translator, translator
from briefings.models import Region
from briefings.ranking import Entry, Latest, Ranked, Ranking, display_value

MAX_ROWS = 20
MAX_PART_ROWS = 10
MAX_GOALS = 5
MAX_COMPARED = 12  # indicators in one /compare
MAX_CAPTION = 1024

RANK_USAGE = N_(
    "用法：/rank 指标 [省或市]，例如 /rank GDP、/rank 规上工业增加值增速、/rank 出口 浙江"
)
COMPARE_USAGE = N_("用法：/compare 县名 县名 [……]，例如 /compare 缙云 柯城")
CHART_USAGE = N_("用法：/chart 县名 或 /chart 指标，例如 /chart 缙云、/chart GDP")
COMPARE_TOO_MANY = N_("最多同时比较 {n} 个地区。")
COMPARE_ONE = N_("请至少给出两个不同的地区，例如 /compare 缙云 柯城")
SCOPE_LEVEL = N_("范围请用省或市，例如 /rank 出口 浙江 或 /rank GDP 宁波")
UNKNOWN_INDICATOR = N_("没有“{query}”这个可比指标。")
SUGGEST = N_("你是不是要找：")
KNOWN = N_("可比指标有：{names}等。")
RANK_TITLE = N_("📊 <b>{indicator}</b> · 县（市、区）排名")
RANK_TITLE_IN = N_("📊 <b>{indicator}</b> · {scope}县（市、区）排名")
RANK_NOTE = N_("各地最新数值，由高到低；数值后是统计时期和见报日期。")
RANK_EMPTY = N_("暂无县（市、区）的“{indicator}”数据。")
RANK_EMPTY_IN = N_("暂无{scope}县（市、区）的“{indicator}”数据。")
RELATED = N_("有数据的相关指标：")
PART_YEAR = N_("<b>年内累计、季度或月度数值</b>（不与全年数值混排）")
GOALS = N_("🎯 <b>目标</b>（不计入排名）")
MORE = N_("……另有 {n} 个地区")
SHARED_NOTE = N_("※ 出自同一句话中并列的多个地区，数值为共同的下限：{sentence}")
SOURCE = N_("来源")
PERIOD = N_("（{period}）")
SINCE_YEAR = N_("{year}年以来")
CHART_BUTTON = N_("📈 图表")
CHART_OF = N_("📈 {place}")
COMPARE_TITLE = N_("⚖️ <b>{places}</b> · 可比指标（各地最新数值）")
COMPARE_EMPTY = N_("{places} 暂无可比数据。可用 /county 县名 查看各地的全部数据。")
COMPARE_GOALS = N_("🎯 <b>目标</b>（不计入比较）")
MISSING = N_("暂无")
BAR_CAPTION = N_(
    "📈 <b>{indicator}</b>：{n} 个县（市、区）的最新数值\n{footer}\n明细：{command}"
)
BAR_CAPTION_IN = N_(
    "📈 <b>{indicator}</b>：{n} 个{scope}县（市、区）的最新数值\n{footer}\n明细：{command}"
)
SERIES_CAPTION = N_("📈 <b>{place}</b>：{n} 项指标的走势\n{footer}\n明细：/county {name}")
TOO_FEW_PLACES = N_("“{indicator}”目前只有 {n} 个县（市、区）有数值，画图至少需要两个。")
TOO_FEW_PLACES_IN = N_(
    "“{indicator}”目前只有 {n} 个{scope}县（市、区）有数值，画图至少需要两个。"
)
TOO_FEW_POINTS = N_("{place} 暂无可画成走势的数据：每个指标至少需要两个不同时期的数值。")
CURRENT = N_("现有数据：")
BUSY = N_("图表生成繁忙，请稍后再试。")
EXPIRED = N_("这个按钮已失效")


def _scoped(tr: Translator, message: str, scoped: str, scope: str, **params: object) -> str:
    """``message``, or ``scoped`` naming the province or city the counties are in."""
    return tr(scoped, scope=scope, **params) if scope else tr(message, **params)


def _link(e: Entry, bot_username: str, tr: Translator) -> str:
    if url := deep_link(bot_username, f"article_{e.article_id}"):
        return f'<a href="{escape_attr(url)}">{escape(tr(SOURCE))}</a>'
    return f"/article {e.article_id}"


def _region(region: Region | None, tr: Translator) -> str:
    if region is None:
        return ""
    return tr.place(region.short or region.name, region.pinyin)


# The period labels ranking.Entry.when makes (figure_periods.read_period); anything else is the
# figure's own words, shown as printed.
_LABEL_SINCE = re.compile(r"(\d{4})年以来")
_LABEL_YEAR = re.compile(r"(\d{4})年")
_LABEL_MONTHS = re.compile(r"(\d{4})年(\d{1,2})(?:-(\d{1,2}))?月")


def period_label(label: str, tr: Translator) -> str:
    """A period label in ``tr``'s language: 2026年1-2月 → Jan–Feb 2026, 2025年 → 2025,
    2026年以来 → since 2026; the figure's own words stay as printed."""
    if not tr.english:
        return label
    if m := _LABEL_SINCE.fullmatch(label):
        return tr(SINCE_YEAR, year=m.group(1))
    if m := _LABEL_YEAR.fullmatch(label):
        return m.group(1)
    if m := _LABEL_MONTHS.fullmatch(label):
        year, first, last = int(m.group(1)), int(m.group(2)), int(m.group(3) or m.group(2))
        if 1 <= first <= last <= 12:
            months = [tr.date(f"{year}-{k:02d}-01", month=True) for k in (first, last)]
            span = months[1] if first == last else f"{months[0]}–{months[1]}"
            return f"{span} {year}"
    return label


def value_line(e: Entry, bot_username: str, tr: Translator, *, name: str | None = None) -> str:
    """余杭 >3000亿元（2025年）· 2026-04-15 来源: the place (or ``name``; '' for none), the
    value as ranked, its period, its publication date and its source."""
    who = place_name(e.region, e.adcode, tr) if name is None else name
    when = tr(PERIOD, period=escape(period_label(e.when, tr))) if e.when else ""
    mark = "※" if e.figure.role == "shared" else ""
    date = escape(e.date) if e.date else ""
    head = f"<b>{escape(who)}</b> " if who else ""
    return f"{head}{escape(display_value(e))}{mark}{when} · {date} {_link(e, bot_username, tr)}"


def _rows(
    rows: Sequence[Ranked], total: int, limit: int, bot_username: str, tr: Translator
) -> list[str]:
    out = [f"{r.rank}. {value_line(r.entry, bot_username, tr)}" for r in rows[:limit]]
    if total > limit:
        out.append(escape(tr(MORE, n=total - limit)))
    return out


def _shared_note(entries: Sequence[Entry], tr: Translator) -> list[str]:
    sentences = {e.figure.sentence for e in entries if e.figure.role == "shared"}
    return [
        f"<i>{escape(tr(SHARED_NOTE, sentence=clip(s, 80)))}</i>" for s in sorted(sentences)[:2]
    ]


def typed_name(ind: Indicator, tr: Translator | None = None) -> str:
    """What to type for an indicator: GDP for 地区生产总值（GDP）, else the name before （; its
    key for an English reader (``/rank iva_growth``: ``comparable.lookup`` takes keys too)."""
    head, _, rest = ind.name.partition("（")
    inner = rest.removesuffix("）")
    if inner and inner.isascii():
        return inner
    return ind.key if tr is not None and tr.english else head


def _where(scope: Region | None) -> str:
    return (scope.short or scope.name) if scope else ""


def chart_data(kind: str, ref: str, scope: str = "") -> str:
    """Callback data of a 📈 button: ``chart:i:<key>[@<adcode>]`` or ``chart:c:<adcode>``;
    '' when it would not fit Telegram's 64 bytes."""
    data = f"chart:{kind}:{ref}" + (f"@{scope}" if scope else "")
    return data if len(data.encode()) <= 64 else ""


def rank_reply(
    ranking: Ranking,
    *,
    scope: Region | None = None,
    bot_username: str = "",
    tr: Translator | None = None,
    related: Sequence[Indicator] = (),
) -> Reply:
    """The ranking as one message, with a 📈 button when there is something to draw; an empty
    one offers ``related`` indicators that have figures (工业增加值 → 工业增加值增速)."""
    tr = tr or translator()
    ind = ranking.indicator
    name = display_name(ind, tr)
    where = _region(scope, tr)
    if ranking.empty:
        empty = escape(_scoped(tr, RANK_EMPTY, RANK_EMPTY_IN, where, indicator=name))
        rows = tuple(
            (Button(display_name(other, tr), data=callback(d)),)
            for other in related[:4]
            if (d := f"rank:{other.key}") and len(d.encode()) <= 64
        )
        return Reply(tr.sentences(empty, escape(tr(RELATED))) if rows else empty, rows)
    lines = [_scoped(tr, RANK_TITLE, RANK_TITLE_IN, escape(where), indicator=escape(name))]
    lines.append(f"<i>{escape(tr(RANK_NOTE))}</i>")
    if ranking.rows:
        lines += ["", *_rows(ranking.rows, ranking.counts[0], MAX_ROWS, bot_username, tr)]
    if ranking.part_year:
        part = _rows(ranking.part_year, ranking.counts[1], MAX_PART_ROWS, bot_username, tr)
        lines += ["", tr(PART_YEAR), *part]
    if ranking.goals:
        lines += ["", tr(GOALS)]
        lines += [f"• {value_line(g, bot_username, tr)}" for g in ranking.goals[:MAX_GOALS]]
    notes = _shared_note(ranking.entries(), tr)
    if notes:
        lines += ["", *notes]
    buttons: tuple[tuple[Button, ...], ...] = ()
    drawable = max(len(ranking.rows), len(ranking.part_year)) >= 2
    data = chart_data("i", ind.key, scope.adcode if scope else "")
    if drawable and data:
        buttons = ((Button(tr(CHART_BUTTON), data=callback(data)),),)
    return Reply(fit("\n".join(lines)), buttons)


def unknown_indicator(
    query: str, suggestions: Sequence[Indicator], tr: Translator | None = None, *, verb: str
) -> Reply:
    """An indicator we do not know: close ones as buttons, else a few examples."""
    tr = tr or translator()
    head = escape(tr(UNKNOWN_INDICATOR, query=clip(query, 30)))
    if suggestions:
        rows = tuple(
            (Button(display_name(ind, tr), data=callback(d)),)
            for ind in suggestions[:6]
            if (d := f"{verb}:{ind.key}") and len(d.encode()) <= 64
        )
        return Reply(tr.sentences(head, escape(tr(SUGGEST))), rows)
    if tr.english:
        examples = ("gdp", "iva_growth", "exports", "retail", "rev:家电")
        names = tr.join(display_name(i, tr) for k in examples if (i := indicator_for_key(k)))
    else:  # as people type them
        names = "、".join(["GDP", "规上工业增加值增速", "出口", "社会消费品零售总额", "家电营收"])
    known = tr.sentences(head, escape(tr(KNOWN, names=names)))
    return Reply(f"{known}\n{escape(tr(RANK_USAGE))}")


def compare_reply(
    regions: Sequence[Region],
    latest: Sequence[dict[str, Latest]],
    *,
    bot_username: str = "",
    tr: Translator | None = None,
) -> Reply:
    """The places' latest results side by side, one block per indicator; goals apart."""
    tr = tr or translator()
    names = " · ".join(_region(r, tr) for r in regions)
    keys: dict[str, tuple[int, int]] = {}
    order = 0
    for per_place in latest:
        for key, item in per_place.items():
            if item.result is None:
                continue
            have, first = keys.get(key, (0, order))
            keys[key] = (have + 1, first)
            order += 1
    if not keys and not any(i.goal for p in latest for i in p.values()):
        return Reply(escape(tr(COMPARE_EMPTY, places=names)))
    lines = [tr(COMPARE_TITLE, places=escape(names))]
    ranked_keys = sorted(keys, key=lambda k: (-keys[k][0], keys[k][1]))[:MAX_COMPARED]
    for key in ranked_keys:
        ind = next(p[key].indicator for p in latest if key in p)
        lines += ["", f"<b>{escape(display_name(ind, tr))}</b>"]
        for region, per_place in zip(regions, latest, strict=True):
            item = per_place.get(key)
            shown = _region(region, tr)
            if item is not None and item.result is not None:
                lines.append("• " + value_line(item.result, bot_username, tr, name=shown))
            else:
                lines.append(f"• <b>{escape(shown)}</b> {escape(tr(MISSING))}")
    goals = [
        (region, item.goal)
        for region, per_place in zip(regions, latest, strict=True)
        for item in per_place.values()
        if item.goal is not None
    ]
    if goals:
        lines += ["", tr(COMPARE_GOALS)]
        for region, goal in goals[:MAX_GOALS]:
            label = f"{_region(region, tr)} {goal.figure.indicator}"
            lines.append("• " + value_line(goal, bot_username, tr, name=label))
    charts = tuple(
        Button(tr(CHART_OF, place=_region(r, tr)), data=callback(d))
        for r, per_place in zip(regions, latest, strict=True)
        if per_place and (d := chart_data("c", r.adcode))
    )
    return Reply(fit("\n".join(lines)), (charts,) if charts else ())


def _caption(text: str) -> str:
    """A caption within Telegram's 1024 characters (whole lines dropped from the end)."""
    return fit(text, MAX_CAPTION)


def bar_photo(
    ranking: Ranking,
    png: bytes,
    key: str,
    footer_text: str,
    *,
    scope: Region | None = None,
    tr: Translator | None = None,
) -> Reply:
    tr = tr or translator()
    ind = ranking.indicator
    n = ranking.counts[0] if len(ranking.rows) >= 2 else ranking.counts[1]
    where = _where(scope)
    typed = where if not tr.english or not scope else (scope.pinyin or where)
    command = f"/rank {typed_name(ind, tr)}" + (f" {typed}" if typed else "")
    text = _scoped(
        tr,
        BAR_CAPTION,
        BAR_CAPTION_IN,
        escape(_region(scope, tr)),
        indicator=escape(display_name(ind, tr)),
        n=n,
        footer=escape(footer_text),
        command=escape(command),
    )
    return Reply(_caption(text), photo=Photo(png, f"chart-{_ascii(ind.key)}.png", key))


def series_photo(
    region: Region,
    panels: int,
    png: bytes,
    key: str,
    footer_text: str,
    *,
    tr: Translator | None = None,
) -> Reply:
    tr = tr or translator()
    text = tr(
        SERIES_CAPTION,
        place=escape(tr.place(region.display, region.pinyin)),
        n=panels,
        footer=escape(footer_text),
        name=escape(region.pinyin if tr.english and region.pinyin else region.short),
    )
    return Reply(_caption(text), photo=Photo(png, f"chart-{region.adcode}.png", key))


def too_few_places(
    ranking: Ranking,
    *,
    scope: Region | None = None,
    bot_username: str = "",
    tr: Translator | None = None,
) -> Reply:
    """A chart of one place is no comparison: say so, and give the value there is."""
    tr = tr or translator()
    where = _region(scope, tr)
    rows = ranking.rows or ranking.part_year
    name = display_name(ranking.indicator, tr)
    few = _scoped(tr, TOO_FEW_PLACES, TOO_FEW_PLACES_IN, where, indicator=name, n=len(rows))
    lines = [escape(few)]
    if rows:
        lines += [
            escape(tr(CURRENT)),
            *(f"• {value_line(r.entry, bot_username, tr)}" for r in rows),
        ]
    return Reply(fit("\n".join(lines)))


def too_few_points(
    region: Region,
    latest: dict[str, Latest],
    *,
    bot_username: str = "",
    tr: Translator | None = None,
) -> Reply:
    """No indicator with results of two periods: say so, and list the results there are."""
    tr = tr or translator()
    lines = [escape(tr(TOO_FEW_POINTS, place=tr.place(region.display, region.pinyin)))]
    results = [(i.indicator, i.result) for i in latest.values() if i.result is not None]
    if results:
        lines.append(escape(tr(CURRENT)))
        for ind, e in results[:MAX_COMPARED]:
            name = display_name(ind, tr)
            lines.append(f"• {escape(name)} {value_line(e, bot_username, tr, name='')}")
    return Reply(fit("\n".join(lines)))


def _ascii(key: str) -> str:
    """A file-name-safe form of an indicator key (rev:家电 → rev-e5aeb6e794b5)."""
    return "-".join(p if p.isascii() else p.encode().hex()[:16] for p in key.split(":"))
