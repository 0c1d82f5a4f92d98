"""Command handlers, independent of Telegram: a request context in, ``Reply`` values out.

The PTB adapter (``bot.app``) and the offline console (``bot.console``) both build a ``Ctx`` and
call the same functions here, so what the console prints is exactly what Telegram would get.
The domain does the work (``briefings.county``, ``chats``, ``editions`` …); every SQLite,
gazetteer or segmenter call goes through ``rt.call`` or ``rt.db`` (the single worker thread),
never the event loop; region suggestions, which need no database, go through ``rt.compute`` so
that they never hold up that thread (it also writes the delivery ledger). Every argument is cleaned
(no bidi controls, no lone surrogates) and capped in ``run_command``/``run_text`` before any
work is done on it. Domain errors (``briefings.errors``) propagate; the adapters turn them into
messages with ``bot.errors``. Every reply is in the reader's language, ``ctx.tr`` (set by the
adapter through ``bot.language.localize``).
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from bot import cards, chart_commands, chatcards, errors, language
from bot.cards import Reply
from bot.edition_html import EditionHtml
from bot.runtime import Runtime
from briefings import arguments, chats, county, editions, ledger
from briefings.errors import BriefingError, InvalidArgument, UnknownRegion
from briefings.i18n import CHINESE, N_, Translator
from briefings.localtime import local_today
from briefings.models import TOPICS, Region

log = logging.getLogger(__name__)

# Search queries remembered per chat for paging buttons (callback data holds only a key).
MAX_REMEMBERED_SEARCHES = 64
MAX_UPLOAD_BYTES = 10 * 1024 * 1024

Handler = Callable[["Ctx", str], Awaitable[list[Reply]]]


async def _always() -> bool:
    return True


@dataclass
class Ctx:
    """Who asks, where, and how to reach shared state. Built per update by an adapter."""

    rt: Runtime
    chat_id: int
    chat_type: str = "private"  # private | group | supergroup | channel | console
    user_id: int = 0
    title: str = ""
    thread_id: int | None = None  # forum topic of the message, if any
    bot_username: str = ""
    state: dict[str, Any] = field(default_factory=dict)  # per-chat memory (PTB chat_data)
    is_bot_admin: bool = False
    # Group admin check (getChatMember); private chats and the console always pass.
    check_admin: Callable[[], Awaitable[bool]] = _always
    # Called with the chat id after subscription settings change (re-plans the delivery job).
    on_prefs_changed: Callable[[int], Awaitable[None]] | None = None
    # The reader's language (bot/language.py) and the sender's own ('' when Telegram gave none).
    tr: Translator = CHINESE
    user_lang: str = ""

    @property
    def is_group(self) -> bool:
        return self.chat_type in ("group", "supergroup")

    def ensure(self) -> chats.ChatPrefs:
        """The chat's row, made if missing with the sender's language as last seen (blocking:
        run it with ``rt.call``)."""
        return self.rt.store.run(
            chats.ensure_chat, self.chat_id, self.chat_type, self.title, self.user_lang
        )

    async def can_manage(self) -> bool:
        return not self.is_group or await self.check_admin()

    async def prefs_changed(self) -> None:
        if self.on_prefs_changed is not None:
            await self.on_prefs_changed(self.chat_id)


# ---- domain access --------------------------------------------------------------------------


async def with_suggestions(ctx: Ctx, exc: UnknownRegion) -> UnknownRegion:
    """The same error with suggestions computed on the CPU pool (bounded, off the SQLite thread)."""
    suggestions = await ctx.rt.compute(county.suggest_regions, exc.query)
    return UnknownRegion(exc.query, suggestions)


async def resolve_region(ctx: Ctx, name: str) -> Region:
    """What a user named: a region, or UnknownRegion with suggestions, or AmbiguousRegion."""
    try:
        return await ctx.rt.compute(county.quiet_lookup, name)
    except UnknownRegion as exc:
        raise await with_suggestions(ctx, exc) from None


async def _unless_empty_store(ctx: Ctx, nothing: bool, reply: Reply) -> list[Reply]:
    """``reply``, or, when it found nothing because nothing was ever ingested, how to ingest."""
    if nothing and not await ctx.rt.call(ctx.rt.store.has_articles):
        return [chatcards.empty_store(admin=ctx.is_bot_admin, tr=ctx.tr)]
    return [reply]


async def county_card(ctx: Ctx, region: Region, *, edit: bool = False) -> Reply:
    view = await ctx.rt.call(county.county_view, ctx.rt.store, region, chat_id=ctx.chat_id)
    return cards.county_card(view, edit=edit, tr=ctx.tr)


# ---- queries ----------------------------------------------------------------------------------


async def cmd_start(ctx: Ctx, args: str) -> list[Reply]:
    """/start [county_<adcode> | article_<id>]: deep links; also resumes a chat after a block."""
    await ctx.rt.call(ctx.ensure)
    before = await ctx.rt.db(chats.get_chat, ctx.chat_id)
    await ctx.rt.db(chats.set_active, ctx.chat_id, True)
    if before is not None and before.subscribed and not before.active:
        await ctx.prefs_changed()  # a subscriber back from a block gets its delivery job again
    payload = args.strip()
    if m := re.fullmatch(r"county_(\d{6})", payload):
        region = await ctx.rt.call(county.region_by_adcode, m.group(1))
        if region is not None:
            return [await county_card(ctx, region)]
    if m := re.fullmatch(r"article_(\d{1,18})", payload):
        return await show_article(ctx, m.group(1))
    return [Reply(chatcards.welcome_text(admin=ctx.is_bot_admin, tr=ctx.tr))]


async def cmd_help(ctx: Ctx, args: str) -> list[Reply]:
    return [Reply(chatcards.help_text(admin=ctx.is_bot_admin, tr=ctx.tr))]


async def cmd_county(ctx: Ctx, args: str) -> list[Reply]:
    """/county NAME: card; unknown or ambiguous names raise and become suggestion buttons."""
    name = args.strip()
    if not name:
        return [cards.county_usage(ctx.tr)]
    try:
        view = await ctx.rt.call(county.named_view, ctx.rt.store, name, chat_id=ctx.chat_id)
    except UnknownRegion as exc:
        raise await with_suggestions(ctx, exc) from None
    return await _unless_empty_store(ctx, view.empty, cards.county_card(view, tr=ctx.tr))


async def _topic(ctx: Ctx, topic: str, icon: str) -> list[Reply]:
    bundles = await ctx.rt.call(ctx.rt.store.topic_bundles, topic, limit=cards.LIST_ITEMS)
    reply = cards.topic_list(topic, bundles, icon=icon, tr=ctx.tr)
    return await _unless_empty_store(ctx, not bundles, reply)


async def cmd_film(ctx: Ctx, args: str) -> list[Reply]:
    return await _topic(ctx, "film", "🎬")


async def cmd_finance(ctx: Ctx, args: str) -> list[Reply]:
    return await _topic(ctx, "finance", "💹")


def _search_key(ctx: Ctx, query: str) -> str:
    """A key for the query that fits in callback data: the query itself if short, else a hash."""
    inline = "=" + query
    try:
        if len(f"search:999:{inline}".encode()) <= cards.MAX_CALLBACK_BYTES:
            return inline
    except UnicodeEncodeError:
        pass
    digest = hashlib.blake2s(query.encode("utf-8", "replace"), digest_size=6).hexdigest()
    remembered: dict[str, str] = ctx.state.setdefault("searches", {})
    remembered.pop(digest, None)
    remembered[digest] = query
    while len(remembered) > MAX_REMEMBERED_SEARCHES:
        remembered.pop(next(iter(remembered)))
    return "#" + digest


def _search_query(ctx: Ctx, key: str) -> str | None:
    if key.startswith("="):
        return key[1:]
    if key.startswith("#"):
        return ctx.state.get("searches", {}).get(key[1:])
    return None


async def search_reply(ctx: Ctx, query: str, page_no: int, *, edit: bool = False) -> Reply:
    page = await ctx.rt.call(
        ctx.rt.store.search,
        query,
        limit=cards.SEARCH_PAGE_SIZE,
        offset=page_no * cards.SEARCH_PAGE_SIZE,
    )
    return cards.search_page(page, page_no, _search_key(ctx, query), edit=edit, tr=ctx.tr)


async def cmd_search(ctx: Ctx, args: str) -> list[Reply]:
    query = args.strip()
    if not query:
        return [cards.search_usage(ctx.tr)]
    page = await ctx.rt.call(ctx.rt.store.search, query, limit=cards.SEARCH_PAGE_SIZE)
    reply = cards.search_page(page, 0, _search_key(ctx, query), tr=ctx.tr)
    return await _unless_empty_store(ctx, not page.items, reply)


async def show_article(ctx: Ctx, raw: str) -> list[Reply]:
    text = raw.strip().lstrip("#")
    if not text:
        return [chatcards.text_reply(chatcards.ARTICLE_USAGE, ctx.tr)]
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        raise InvalidArgument(chatcards.ARTICLE_ID_DIGITS)
    bundle = await ctx.rt.call(ctx.rt.store.bundle, int(text))
    if bundle is None:
        return [cards.article_not_found(text, ctx.tr)]
    return cards.article_messages(bundle, bot_username=ctx.bot_username, tr=ctx.tr)


async def cmd_article(ctx: Ctx, args: str) -> list[Reply]:
    return await show_article(ctx, args)


def _today_messages(
    store, prefs, today: str, render: EditionHtml, tr: Translator
) -> list[str] | None:
    """/today composed and rendered in one trip to the worker thread, in the reader's language;
    None on a database that has no articles at all."""
    found = editions.latest_for_chat(store, prefs, today, tr)
    return None if found.reason == "empty_store" else render(found)


async def cmd_today(ctx: Ctx, args: str) -> list[Reply]:
    prefs = await ctx.rt.db(chats.get_chat, ctx.chat_id)
    default_tz = ctx.rt.config.timezone
    today = local_today(ctx.rt.clock(), prefs.tz if prefs else default_tz, default_tz).isoformat()
    render = EditionHtml(ctx.bot_username or None)
    messages = await ctx.rt.call(_today_messages, ctx.rt.store, prefs, today, render, ctx.tr)
    if messages is None:
        return [chatcards.empty_store(admin=ctx.is_bot_admin, tr=ctx.tr)]
    return [Reply(cards.fit(t)) for t in messages]


# ---- subscriptions ----------------------------------------------------------------------------


async def _managed(ctx: Ctx) -> list[Reply] | None:
    """None if this user may change the chat's settings; otherwise the refusal to send."""
    if await ctx.can_manage():
        await ctx.rt.call(ctx.ensure)
        return None
    return [chatcards.admin_only_group(ctx.tr)]


async def cmd_subscribe(ctx: Ctx, args: str) -> list[Reply]:
    """/subscribe [HH:MM]; in a forum topic the briefing goes to that topic."""
    if refusal := await _managed(ctx):
        return refusal
    time = args.strip() or None
    if time is not None:
        chats.parse_time(time)  # validate before touching anything
    prefs = await ctx.rt.db(chats.subscribe, ctx.chat_id, time=time, thread_id=ctx.thread_id
    )
    await ctx.prefs_changed()
    return [chatcards.subscribed(prefs, ctx.tr)]


async def cmd_unsubscribe(ctx: Ctx, args: str) -> list[Reply]:
    if refusal := await _managed(ctx):
        return refusal
    prefs = await ctx.rt.db(chats.unsubscribe, ctx.chat_id)
    await ctx.prefs_changed()
    return [chatcards.unsubscribed(prefs, ctx.tr)]


async def _current(ctx: Ctx) -> chats.ChatPrefs:
    prefs = await ctx.rt.db(chats.get_chat, ctx.chat_id)
    return prefs or chats.ChatPrefs(chat_id=ctx.chat_id, type=ctx.chat_type)


async def _change_setting(
    ctx: Ctx,
    args: str,
    setter: Callable[..., chats.ChatPrefs],
    current: str,
    changed: str,
) -> list[Reply]:
    """Show a setting with no argument; otherwise check the caller may change it, then do.
    ``current`` and ``changed`` are marked messages formatted with ``time`` and ``tz``."""
    if not args.strip():
        prefs = await _current(ctx)
        return [chatcards.text_reply(current, ctx.tr, time=prefs.time, tz=prefs.tz)]
    if refusal := await _managed(ctx):
        return refusal
    prefs = await ctx.rt.db(setter, ctx.chat_id, args.strip())
    await ctx.prefs_changed()
    what = ctx.tr(changed, time=prefs.time, tz=prefs.tz)
    return [chatcards.settings_changed(what, prefs, ctx.tr)]


async def cmd_time(ctx: Ctx, args: str) -> list[Reply]:
    return await _change_setting(
        ctx, args, chats.set_time, chatcards.TIME_NOW, chatcards.TIME_CHANGED
    )


async def cmd_timezone(ctx: Ctx, args: str) -> list[Reply]:
    return await _change_setting(
        ctx, args, chats.set_timezone, chatcards.TZ_NOW, chatcards.TZ_CHANGED
    )


async def cmd_topics(ctx: Ctx, args: str) -> list[Reply]:
    if refusal := await _managed(ctx):
        return refusal
    prefs = await _current(ctx)
    return [chatcards.topics_keyboard(prefs, tr=ctx.tr)]


async def _change_follow(ctx: Ctx, args: str, *, follow: bool) -> list[Reply]:
    """/follow NAME and /unfollow NAME: resolve the place, then change the chat's follows."""
    command = "follow" if follow else "unfollow"
    if not args.strip():
        return [chatcards.follow_usage(command, ctx.tr)]
    if refusal := await _managed(ctx):
        return refusal
    region = await resolve_region(ctx, args.strip())
    change = chats.follow if follow else chats.unfollow
    changed = await ctx.rt.db(change, ctx.chat_id, region.adcode)
    return [(chatcards.followed if follow else chatcards.unfollowed)(region, changed, ctx.tr)]


async def cmd_follow(ctx: Ctx, args: str) -> list[Reply]:
    return await _change_follow(ctx, args, follow=True)


async def cmd_unfollow(ctx: Ctx, args: str) -> list[Reply]:
    return await _change_follow(ctx, args, follow=False)


def _followed_regions(store, chat_id: int) -> list[Region]:
    adcodes = store.run(chats.follows, chat_id)
    return [r for a in adcodes if (r := county.region_by_adcode(a)) is not None]


async def cmd_following(ctx: Ctx, args: str) -> list[Reply]:
    regions = await ctx.rt.call(_followed_regions, ctx.rt.store, ctx.chat_id)
    return [chatcards.following_list(regions, ctx.tr)]


# ---- admin ------------------------------------------------------------------------------------


def _stats(store) -> tuple[dict[str, int], dict[str, int]]:
    return store.stats(), store.run(ledger.stats)


async def cmd_stats(ctx: Ctx, args: str) -> list[Reply]:
    if not ctx.is_bot_admin:
        return [chatcards.admin_only_bot(ctx.tr)]
    store_stats, ledger_stats = await ctx.rt.call(_stats, ctx.rt.store)
    return [chatcards.stats_reply(store_stats, ledger_stats, ctx.tr)]


async def cmd_ingest(ctx: Ctx, args: str) -> list[Reply]:
    if not ctx.is_bot_admin:
        return [chatcards.admin_only_bot(ctx.tr)]
    return [chatcards.ingest_usage(ctx.tr)]


async def ingest_upload(ctx: Ctx, name: str, data: bytes) -> list[Reply]:
    """An admin's uploaded page file: ingest it on the worker thread and report."""
    if not ctx.is_bot_admin:
        return [chatcards.admin_only_bot(ctx.tr)]
    if len(data) > MAX_UPLOAD_BYTES:
        raise InvalidArgument(chatcards.UPLOAD_TOO_BIG, mb=MAX_UPLOAD_BYTES // 1024 // 1024)
    from briefings.pipeline import ingest_bytes

    report = await ctx.rt.call(ingest_bytes, ctx.rt.store, name, data)
    return [chatcards.ingest_reply(name, report, ctx.tr)]


def _sources_action(store, action: str, rest: str) -> Any:
    """The /sources sub-command on the worker thread: (what it did, the source or the list)."""
    from briefings import sources

    if action == "add":
        url, _, name = rest.strip().partition(" ")
        # The name given is also the paper its items are filed under (浙江日报, not the feed's
        # own title, which for RSSHub's paper routes is a page's).
        label = name.strip() or None
        return store.run(sources.add_source, url, name=label, source=label, origin="bot")
    if action in ("remove", "delete", "rm"):
        return store.run(sources.remove_source, rest)
    if action in ("enable", "disable"):
        return store.run(sources.set_enabled, rest, action == "enable")
    return store.run(sources.list_sources)


async def cmd_sources(ctx: Ctx, args: str) -> list[Reply]:
    """/sources [add URL [name] | remove ID | enable ID | disable ID]: bot admins, private chats."""
    from bot import sourcecards
    from briefings.fetching import FeedSettings

    if not ctx.is_bot_admin:
        return [chatcards.admin_only_bot(ctx.tr)]
    tr = ctx.tr
    if ctx.chat_type not in ("private", "console"):
        return [sourcecards.private_only(tr)]
    action, _, rest = args.strip().partition(" ")
    action = action.lower()
    if action not in ("", "list", "add", "remove", "delete", "rm", "enable", "disable"):
        return [sourcecards.usage(tr)]
    if action and action != "list" and not rest.strip():
        return [sourcecards.usage(tr)]
    done = await ctx.rt.call(_sources_action, ctx.rt.store, action, rest)
    if action == "add":
        try:
            interval = FeedSettings.from_env().interval
        except InvalidArgument:
            interval = FeedSettings().interval
        return [sourcecards.source_added(*done, interval_min=int(interval // 60), tr=tr)]
    if action in ("remove", "delete", "rm"):
        return [sourcecards.source_removed(done, tr)]
    if action in ("enable", "disable"):
        return [sourcecards.source_toggled(done, tr)]
    return [sourcecards.source_list(done, ctx.rt.config.timezone, tr)]


# ---- free text and buttons --------------------------------------------------------------------


async def on_text(ctx: Ctx, text: str) -> list[Reply]:
    """Private-chat text: a county card if it names a place, otherwise a search."""
    query = text.strip()
    if not query:
        return [Reply(chatcards.help_text(admin=ctx.is_bot_admin, tr=ctx.tr))]
    found = await ctx.rt.call(
        county.view_or_search,
        ctx.rt.store,
        query,
        chat_id=ctx.chat_id,
        search_limit=cards.SEARCH_PAGE_SIZE,
    )
    if isinstance(found, county.CountyView):
        return await _unless_empty_store(ctx, found.empty, cards.county_card(found, tr=ctx.tr))
    reply = cards.search_page(found, 0, _search_key(ctx, query), tr=ctx.tr)
    return await _unless_empty_store(ctx, not found.items, reply)


async def _toggle_topic(ctx: Ctx, key: str) -> list[Reply]:
    if not await ctx.can_manage():
        return [chatcards.toast(chatcards.ADMIN_ONLY_TOAST, ctx.tr)]
    await ctx.rt.call(ctx.ensure)
    prefs = await ctx.rt.db(chats.toggle_topic, ctx.chat_id, key)
    await ctx.prefs_changed()
    toast = chatcards.topic_toast(key, key in prefs.topics, ctx.tr)
    return [chatcards.topics_keyboard(prefs, edit=True, toast=toast, tr=ctx.tr)]


async def _follow_button(ctx: Ctx, adcode: str, follow: bool) -> list[Reply]:
    if not await ctx.can_manage():
        return [chatcards.toast(chatcards.ADMIN_ONLY_FOLLOW_TOAST, ctx.tr)]
    region = await ctx.rt.call(county.region_by_adcode, adcode)
    if region is None:
        return [chatcards.toast(chatcards.EXPIRED_BUTTON, ctx.tr)]
    await ctx.rt.call(ctx.ensure)
    fn = chats.follow if follow else chats.unfollow
    await ctx.rt.db(fn, ctx.chat_id, region.adcode)
    card = await county_card(ctx, region, edit=True)
    toast = chatcards.follow_toast(region, follow, ctx.tr)
    return [Reply(card.text, card.buttons, edit=True, toast=toast)]


async def on_button(ctx: Ctx, data: str) -> list[Reply]:
    """A callback-button press. Payloads: county:, article:, search:, topic:, follow:, unfollow:,
    lang:, and the chart buttons (chart:, rank:)."""
    kind, _, rest = data.partition(":")
    if kind == "county":
        region = await ctx.rt.call(county.region_by_adcode, rest)
        if region is not None:
            return [await county_card(ctx, region, edit=True)]
    elif kind == "article" and rest.isdigit():
        return await show_article(ctx, rest)
    elif kind == "search":
        page, _, key = rest.partition(":")
        query = _search_query(ctx, key)
        if query is None or not page.isdigit():
            return [cards.search_expired(ctx.tr)]
        return [await search_reply(ctx, query, int(page), edit=True)]
    elif kind == "topic" and rest in TOPICS:
        return await _toggle_topic(ctx, rest)
    elif kind in ("follow", "unfollow"):
        return await _follow_button(ctx, rest, kind == "follow")
    elif kind == "lang":
        return await language.on_button(ctx, rest)
    elif kind in chart_commands.BUTTON_KINDS:
        return await chart_commands.on_button(ctx, kind, rest)
    return [chatcards.toast(chatcards.EXPIRED_BUTTON, ctx.tr)]


COMMANDS: dict[str, Handler] = {
    "start": cmd_start,
    "help": cmd_help,
    "county": cmd_county,
    "film": cmd_film,
    "finance": cmd_finance,
    "search": cmd_search,
    "article": cmd_article,
    "today": cmd_today,
    "subscribe": cmd_subscribe,
    "unsubscribe": cmd_unsubscribe,
    "time": cmd_time,
    "timezone": cmd_timezone,
    "topics": cmd_topics,
    "follow": cmd_follow,
    "unfollow": cmd_unfollow,
    "following": cmd_following,
    "stats": cmd_stats,
    "ingest": cmd_ingest,
    "sources": cmd_sources,
    "rank": chart_commands.cmd_rank,
    "compare": chart_commands.cmd_compare,
    "chart": chart_commands.cmd_chart,
    "language": language.cmd_language,
}

_COMMAND = re.compile(r"^/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]{1,64}))?(?:\s+|$)", re.S)


def parse_command(text: str, bot_username: str = "") -> tuple[str, str] | None:
    """``/cmd@bot args`` → (cmd, args); None if not a command or addressed to another bot."""
    m = _COMMAND.match(text.strip())
    if m is None:
        return None
    if m.group(2) and bot_username and m.group(2).lower() != bot_username.lower():
        return None
    return m.group(1).lower(), text.strip()[m.end() :]


def addressed_elsewhere(text: str, bot_username: str) -> bool:
    """True for ``/cmd@other_bot``: a command meant for another bot in the same chat."""
    m = _COMMAND.match(text.strip())
    return bool(m and m.group(2) and m.group(2).lower() != bot_username.lower())


# The longest argument each command takes (characters, after cleaning and stripping), and what
# the refusal calls it. Commands that take no argument ignore whatever follows them.
_PLACE, _TIME = N_("地区名"), N_("时间")
ARGUMENT_LIMITS: dict[str, tuple[int, str]] = {
    "start": (arguments.MAX_SETTING_CHARS, arguments.ARGUMENT),
    "county": (arguments.MAX_REGION_CHARS, _PLACE),
    "follow": (arguments.MAX_REGION_CHARS, _PLACE),
    "unfollow": (arguments.MAX_REGION_CHARS, _PLACE),
    "article": (arguments.MAX_SETTING_CHARS, N_("文章编号")),
    "subscribe": (arguments.MAX_SETTING_CHARS, _TIME),
    "time": (arguments.MAX_SETTING_CHARS, _TIME),
    "timezone": (arguments.MAX_SETTING_CHARS, N_("时区")),
    # A URL (at most 2,000 characters), an action and a name.
    "sources": (2100, N_("订阅源参数")),
    "rank": (arguments.MAX_SETTING_CHARS, N_("指标")),
    "chart": (arguments.MAX_SETTING_CHARS, arguments.ARGUMENT),
    "compare": (chart_commands.MAX_COMPARE * (arguments.MAX_REGION_CHARS + 1), _PLACE),
    "language": (arguments.MAX_SETTING_CHARS, arguments.ARGUMENT),
}
# Callback data is at most 64 bytes on Telegram; anything longer is not one of our buttons.
MAX_BUTTON_CHARS = 64


def checked_args(name: str, args: str) -> str:
    """A command's argument, cleaned and within its cap (ArgumentTooLong otherwise)."""
    text = arguments.clean(args)
    if name == "search":
        return arguments.capped_query(text.strip())
    if name in ARGUMENT_LIMITS:
        limit, what = ARGUMENT_LIMITS[name]
        arguments.capped(text.strip(), limit, what)
    return text


async def run_command(ctx: Ctx, name: str, args: str) -> list[Reply]:
    """Run one command; domain errors become their user message (unexpected ones propagate)."""
    handler = COMMANDS.get(name)
    if handler is None:
        return [chatcards.unknown_command(name, ctx.tr)]
    try:
        return await handler(ctx, checked_args(name, args))
    except BriefingError as exc:
        return [errors.domain_reply(exc, command=name, tr=ctx.tr)]


async def run_text(ctx: Ctx, text: str) -> list[Reply]:
    try:
        return await on_text(ctx, arguments.capped_query(arguments.clean(text).strip()))
    except BriefingError as exc:
        return [errors.domain_reply(exc, tr=ctx.tr)]


async def run_button(ctx: Ctx, data: str) -> list[Reply]:
    if len(data) > MAX_BUTTON_CHARS:
        return [chatcards.toast(chatcards.EXPIRED_BUTTON, ctx.tr)]
    try:
        return await on_button(ctx, arguments.clean(data))
    except BriefingError as exc:
        return [errors.domain_reply(exc, tr=ctx.tr)]
