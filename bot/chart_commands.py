"""/rank INDICATOR [PLACE], /compare PLACE PLACE [...], /chart PLACE|INDICATOR and the 📈 buttons.

Handlers in the style of ``bot.handlers`` (a ``Ctx`` in, ``Reply`` values out, no Telegram):
reads go to the SQLite worker thread (``rt.call``), name lookups to the CPU pool
(``rt.compute``), and charts are drawn by ``ChartRenderer`` on a thread of its own (never the
event loop, never the SQLite thread), at most ``MAX_PENDING`` at once, and cached by what they
show: the cache key is a hash of the chart's complete data, so a repeated chart costs one
query and no drawing, and any new figure makes a new chart. Replies, captions and the chart's
own titles are in the reader's language (``ctx.tr``).
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from bot import chart_replies as replies
from bot.cards import Reply
from bot.telegram_html import escape
from briefings import chart_specs, charts, comparable, county, ranking
from briefings.comparable import Indicator
from briefings.errors import AmbiguousRegion, InvalidArgument, UnknownRegion
from briefings.models import Region

MAX_PENDING = 4  # charts drawing or waiting; more get "busy" at once rather than a long wait
CACHE_SIZE = 64  # PNGs kept (50–120 KB each)
MAX_COMPARE = 6
SHOWN = max(replies.MAX_ROWS, charts.MAX_BARS)  # rows of a ranking shown or drawn
SUGGESTIONS = 6
# Between place names: blanks, 、，; or a lone vs (和/与 are left alone: 和县, 和平区).
_SEPARATORS = re.compile(r"[\s、,，;；/|]+|\s(?:vs|VS|对比)\s")


class ChartRenderer:
    """Draws charts on one thread of its own, bounded, with an LRU cache of the PNGs."""

    def __init__(self, *, max_pending: int = MAX_PENDING, cache_size: int = CACHE_SIZE) -> None:
        self.max_pending = max_pending
        self.cache_size = cache_size
        self._cache: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()
        self._pending = 0
        self._executor: ThreadPoolExecutor | None = None

    @staticmethod
    def key(chart: charts.Chart) -> str:
        """What the chart shows, hashed: title, every value, label and footer."""
        return hashlib.sha256(repr(chart).encode("utf-8")).hexdigest()[:32]

    def cached(self, key: str) -> bytes | None:
        with self._lock:
            png = self._cache.get(key)
            if png is not None:
                self._cache.move_to_end(key)
            return png

    async def png(self, chart: charts.Chart) -> tuple[str, bytes] | None:
        """(key, PNG bytes) of ``chart``, from the cache or drawn; None when too busy."""
        key = self.key(chart)
        if (png := self.cached(key)) is not None:
            return key, png
        with self._lock:
            if self._pending >= self.max_pending:
                return None
            self._pending += 1
            if self._executor is None:
                self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="charts")
            executor = self._executor
        try:
            png = await asyncio.get_running_loop().run_in_executor(executor, charts.render, chart)
        finally:
            with self._lock:
                self._pending -= 1
        with self._lock:
            self._cache[key] = png
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return key, png


RENDERER = ChartRenderer()


# ---- reads (on the SQLite worker thread) ------------------------------------------------------


def is_county(adcode: str) -> bool:
    region = county.region_by_adcode(adcode)
    return region is not None and region.level == "county"


def _prefix(scope: Region | None) -> str:
    if scope is None:
        return ""
    return scope.adcode[:2] if scope.level == "province" else scope.adcode[:4]


def load_ranking(store, indicator: Indicator, scope: Region | None) -> ranking.Ranking:
    """The counties' ranking of ``indicator`` (within ``scope``, a province or city)."""
    entries = store.run(ranking.latest_entries, indicator.key, _prefix(scope))
    ranked = ranking.rank(indicator, entries, keep=is_county)
    return store.run(ranked.with_sources, SHOWN)


def load_county(store, adcode: str, per_key: int = ranking.PER_COUNTY) -> list[ranking.Entry]:
    return store.run(ranking.county_entries, adcode, per_key=per_key)


def load_compare(store, adcodes: list[str]) -> list[dict[str, ranking.Latest]]:
    found = [store.run(ranking.county_entries, a) for a in adcodes]
    return [ranking.latest_by_indicator(entries) for entries in found]


def known_indicators(store) -> list[Indicator]:
    keys = store.run(ranking.known_keys)
    return [ind for k in keys if (ind := comparable.indicator_for_key(k)) is not None]


# ---- parsing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorQuery:
    indicator: Indicator
    scope: Region | None = None


def indicator_splits(text: str) -> list[tuple[str, str]]:
    """Ways to read ``text`` as (indicator, place): the whole text, or without its last or
    first word (出口 浙江, 浙江 出口)."""
    words = text.split()
    out = [(text.strip(), "")]
    if len(words) >= 2:
        out.append((" ".join(words[:-1]), words[-1]))
        out.append((" ".join(words[1:]), words[0]))
    return out


def suggest(text: str, known: list[Indicator]) -> list[Indicator]:
    """Indicators close to ``text``: the store's own first, then the vocabulary's."""
    from rapidfuzz import fuzz

    query = text.strip()[:40]
    pool: dict[str, Indicator] = {i.key: i for i in known}
    for ind in comparable.choices():
        pool.setdefault(ind.key, ind)
    scored = []
    for ind in pool.values():
        names = (ind.name, ind.name.split("（")[0])
        score = max(fuzz.partial_ratio(query, n) for n in names)
        if query and any(query in n or n in query for n in names):
            score += 20
        if ind.key in {i.key for i in known}:
            score += 5
        scored.append((score, ind))
    scored.sort(key=lambda s: -s[0])
    return [ind for score, ind in scored[:SUGGESTIONS] if score >= 50]


async def _suggested(ctx, exc: UnknownRegion) -> UnknownRegion:
    """The same error with close names, computed on the CPU pool."""
    return UnknownRegion(exc.query, await ctx.rt.compute(county.suggest_regions, exc.query))


async def resolve_region(ctx, name: str) -> Region:
    """A place a user named, or UnknownRegion with suggestions, or AmbiguousRegion."""
    try:
        return await ctx.rt.compute(county.quiet_lookup, name)
    except UnknownRegion as exc:
        raise await _suggested(ctx, exc) from None


async def _scope(ctx, name: str) -> Region:
    region = await resolve_region(ctx, name)
    if region.level == "county":
        raise InvalidArgument(replies.SCOPE_LEVEL)
    return region


async def parse_indicator(ctx, text: str) -> IndicatorQuery | None:
    """The indicator (and place) ``text`` names, or None. An unknown place raises."""
    for indicator_text, scope_text in indicator_splits(text):
        indicator = comparable.lookup(indicator_text)
        if indicator is None:
            continue
        scope = await _scope(ctx, scope_text) if scope_text else None
        return IndicatorQuery(indicator, scope)
    return None


async def _unknown(ctx, text: str, verb: str) -> Reply:
    known = await ctx.rt.call(known_indicators, ctx.rt.store)
    found = await ctx.rt.compute(suggest, text, known)
    return replies.unknown_indicator(text, found, ctx.tr, verb=verb)


# ---- commands ---------------------------------------------------------------------------------


def related(indicator: Indicator, known: list[Indicator]) -> list[Indicator]:
    """Indicators of the same or a sibling statistic (its level, growth, share; 规上 and all
    工业增加值) that the store has."""
    bases = {indicator.base, *comparable.SIBLINGS.get(indicator.base, ())}
    return [k for k in known if k.base in bases and k.key != indicator.key]


async def rank_reply(ctx, query: IndicatorQuery, *, edit: bool = False) -> Reply:
    result = await ctx.rt.call(load_ranking, ctx.rt.store, query.indicator, query.scope)
    others: list[Indicator] = []
    if result.empty:
        others = related(query.indicator, await ctx.rt.call(known_indicators, ctx.rt.store))
    reply = replies.rank_reply(
        result, scope=query.scope, bot_username=ctx.bot_username, tr=ctx.tr, related=others
    )
    return Reply(reply.text, reply.buttons, edit=edit) if edit else reply


async def cmd_rank(ctx, args: str) -> list[Reply]:
    """/rank INDICATOR [PLACE]: counties ranked by their latest result."""
    text = args.strip()
    if not text:
        return [Reply(escape(ctx.tr(replies.RANK_USAGE)))]
    query = await parse_indicator(ctx, text)
    if query is None:
        return [await _unknown(ctx, text, "rank")]
    return [await rank_reply(ctx, query)]


def compare_names(text: str) -> list[str]:
    """Place names of /compare: separated by blanks, 、，; or words such as 和 and vs."""
    return [w for w in _SEPARATORS.split(f" {text} ") if w and w not in ("vs", "VS", "对比")]


async def cmd_compare(ctx, args: str) -> list[Reply]:
    """/compare PLACE PLACE [...]: the places' latest comparable figures side by side."""
    tr = ctx.tr
    names = compare_names(args)
    if not names:
        return [Reply(escape(tr(replies.COMPARE_USAGE)))]
    if len(names) > MAX_COMPARE:
        return [Reply(escape(tr(replies.COMPARE_TOO_MANY, n=MAX_COMPARE)))]
    regions: list[Region] = []
    for name in names:
        region = await resolve_region(ctx, name)
        if all(r.adcode != region.adcode for r in regions):
            regions.append(region)
    if len(regions) < 2:
        return [Reply(escape(tr(replies.COMPARE_ONE)))]
    latest = await ctx.rt.call(load_compare, ctx.rt.store, [r.adcode for r in regions])
    return [replies.compare_reply(regions, latest, bot_username=ctx.bot_username, tr=tr)]


async def _photo(ctx, chart: charts.Chart, build: Callable[[bytes, str], Reply]) -> Reply:
    drawn = await RENDERER.png(chart)
    if drawn is None:
        busy = ctx.tr(replies.BUSY)
        return Reply(busy, toast=busy)
    key, png = drawn
    return build(png, key)


async def indicator_chart(ctx, query: IndicatorQuery) -> Reply:
    result = await ctx.rt.call(load_ranking, ctx.rt.store, query.indicator, query.scope)
    scope, tr = query.scope, ctx.tr
    where = tr.place(scope.short or scope.name, scope.pinyin) if scope else ""
    spec = chart_specs.ranking_chart(result, where, tr)
    if spec is None:
        return replies.too_few_places(result, scope=scope, bot_username=ctx.bot_username, tr=tr)
    return await _photo(
        ctx,
        spec,
        lambda png, key: replies.bar_photo(result, png, key, spec.footer, scope=scope, tr=tr),
    )


async def county_chart(ctx, region: Region) -> Reply:
    entries = await ctx.rt.call(load_county, ctx.rt.store, region.adcode, ranking.SERIES_POINTS)
    tr = ctx.tr
    place = tr.place(region.short or region.name, region.pinyin)
    spec = chart_specs.county_chart(place, entries, tr)
    if spec is None:
        latest = ranking.latest_by_indicator(entries)
        return replies.too_few_points(region, latest, bot_username=ctx.bot_username, tr=tr)
    panels = len(spec.panels)
    return await _photo(
        ctx,
        spec,
        lambda png, key: replies.series_photo(region, panels, png, key, spec.footer, tr=tr),
    )


async def cmd_chart(ctx, args: str) -> list[Reply]:
    """/chart PLACE (its indicators over time) or /chart INDICATOR [PLACE] (across counties)."""
    text = args.strip()
    if not text:
        return [Reply(escape(ctx.tr(replies.CHART_USAGE)))]
    query = await parse_indicator(ctx, text)
    if query is not None:
        return [await indicator_chart(ctx, query)]
    try:
        region = await ctx.rt.compute(county.quiet_lookup, text)
    except UnknownRegion as exc:
        known = await ctx.rt.call(known_indicators, ctx.rt.store)
        found = await ctx.rt.compute(suggest, text, known)
        if found:
            return [replies.unknown_indicator(text, found, ctx.tr, verb="chart:i")]
        raise await _suggested(ctx, exc) from None
    except AmbiguousRegion:
        raise
    return [await county_chart(ctx, region)]


BUTTON_KINDS = frozenset({"chart", "rank"})


async def on_button(ctx, kind: str, rest: str) -> list[Reply]:
    """``rank:<key>`` (a suggestion), ``chart:i:<key>[@<adcode>]``, ``chart:c:<adcode>``."""
    expired = Reply("", toast=ctx.tr(replies.EXPIRED))
    if kind == "rank":
        indicator = comparable.indicator_for_key(rest)
        if indicator is None:
            return [expired]
        return [await rank_reply(ctx, IndicatorQuery(indicator), edit=True)]
    what, _, ref = rest.partition(":")
    if what == "c":
        region = await ctx.rt.call(county.region_by_adcode, ref)
        return [await county_chart(ctx, region)] if region is not None else [expired]
    if what == "i":
        key, _, scope_code = ref.partition("@")
        indicator = comparable.indicator_for_key(key)
        scope = await ctx.rt.call(county.region_by_adcode, scope_code) if scope_code else None
        if indicator is None or (scope_code and scope is None):
            return [expired]
        return [await indicator_chart(ctx, IndicatorQuery(indicator, scope))]
    return [expired]
