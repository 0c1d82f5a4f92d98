"""Inline mode: ``@bot 缙云`` in any chat offers highlight cards to share, each linking back.

``inline_items`` is independent of Telegram (the console shows the same results); the PTB
callbacks at the bottom turn items into ``InlineQueryResultArticle``s. Results carry only URL
buttons (a deep link into the bot and a 分享 switch), because callback buttons on inline
messages would arrive without a chat to answer in. They are in the language of the user who
types the query: the choice stored for their private chat with the bot, else their Telegram
language (so Telegram must cache them per user: ``is_personal``).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from bot import cards
from bot.cards import Button, Keyboard
from bot.runtime import Runtime, runtime_of
from bot.telegram_html import deep_link, escape
from briefings import chats, county
from briefings.county import CountyView
from briefings.i18n import CHINESE, N_, Translator, reader_language, translator
from briefings.models import Region, StoredArticle

log = logging.getLogger(__name__)

MAX_RESULTS = 50  # Telegram's InlineQueryLimit.RESULTS
LATEST = 8  # results for an empty query
ARTICLE_RESULTS = 20
MAX_PLACES = 5  # county cards offered for an ambiguous name
MAX_QUERY_CHARS = 64  # Telegram caps inline queries at 256; a share needs far less


@dataclass(frozen=True)
class InlineItem:
    """One inline result: id ≤ 64 bytes, a title and description for the picker, the message."""

    id: str
    title: str
    description: str
    text: str  # Telegram HTML of the message that gets posted
    buttons: Keyboard = ()


READ = N_("阅读全文")
OPEN_IN_BOT = N_("在机器人中查看")
NO_ARTICLES = N_("暂无报道")
COUNTS = N_("{figures} 个最新数据 · {articles} 篇报道")


def _article_item(
    a: StoredArticle, snippet: str, bot_username: str, tr: Translator = CHINESE
) -> InlineItem:
    label = cards.article_label(a, tr=tr)  # plain: the picker shows no markup
    where = cards.provenance(a, tr)
    lines = [f"📰 {cards.article_headline(a, 100, tr)}", f"<i>{escape(where)}</i>"]
    excerpt = snippet or a.body
    if excerpt:
        lines.append(escape(cards.clip(excerpt, 300)))
    link = deep_link(bot_username, f"article_{a.id}")
    row = [Button(tr(READ), url=link)] if link else []
    row.append(Button(tr(cards.SHARE), inline_query=f"#{a.id}"))
    return InlineItem(
        id=f"a{a.id}",
        title=label,
        description=cards.clip(f"{where} {snippet or a.body}", 120),
        text="\n".join(lines),
        buttons=(tuple(row),),
    )


def _county_item(view: CountyView, bot_username: str, tr: Translator = CHINESE) -> InlineItem:
    region = view.region
    card = cards.county_card(view, tr=tr)
    link = deep_link(bot_username, f"county_{region.adcode}")
    row = [Button(tr(OPEN_IN_BOT), url=link)] if link else []
    row.append(Button(tr(cards.SHARE), inline_query=region.short or region.name))
    desc = (
        tr(NO_ARTICLES)
        if view.empty
        else tr(COUNTS, figures=len(view.figures), articles=len(view.articles))
    )
    return InlineItem(
        id=f"c{region.adcode}",
        title=f"📍 {cards.place(region, tr)}",
        description=desc,
        text=card.text,
        buttons=(tuple(row),),
    )


def _latest(store, bot_username: str, tr: Translator) -> list[InlineItem]:
    date = store.latest_date()
    if date is None:
        return []
    bundles = store.articles_on(date)
    ranked = sorted(bundles, key=lambda b: (-len(b.figures), b.article.id))
    return [_article_item(b.article, "", bot_username, tr) for b in ranked[:LATEST]]


def collect(
    store, query: str, bot_username: str, tr: Translator = CHINESE
) -> list[InlineItem]:
    """All results for one inline query (runs on the worker thread)."""
    q = " ".join(query.split())[:MAX_QUERY_CHARS]
    if not q:
        return _latest(store, bot_username, tr)
    if m := re.fullmatch(r"#(\d{1,18})", q):
        a = store.article(int(m.group(1)))
        return [_article_item(a, "", bot_username, tr)] if a else []
    items: list[InlineItem] = []
    regions = county.place_or_search(q).regions[:MAX_PLACES]
    for region in regions:
        view = county.county_view(store, region)
        items.append(_county_item(view, bot_username, tr))
        for a in view.articles:
            items.append(_article_item(a, "", bot_username, tr))
    if not regions:
        page = store.search(q, limit=ARTICLE_RESULTS)
        items += [_article_item(h.article, h.snippet, bot_username, tr) for h in page.items]
    unique: dict[str, InlineItem] = {}
    for it in items:
        unique.setdefault(it.id, it)
    return list(unique.values())[:MAX_RESULTS]


async def inline_items(
    rt: Runtime, query: str, bot_username: str, tr: Translator = CHINESE
) -> list[InlineItem]:
    """Results for ``@bot <query>``: county cards and their latest articles, else a search."""
    return await rt.call(collect, rt.store, query, bot_username, tr)


def user_language(store, user_id: int, language_code: str | None) -> str:
    """An inline user's language: the choice stored for their private chat with the bot (its
    id is theirs), else their Telegram language (blocking: the worker thread)."""
    chosen, seen = store.run(chats.language_of, user_id)
    return reader_language(chosen, language_code, seen)


def region_of_item(item_id: str) -> Region | None:
    """The region a chosen county result was about (for share statistics)."""
    return county.region_by_adcode(item_id[1:]) if item_id.startswith("c") else None


# ---- PTB glue ---------------------------------------------------------------------------------


def to_result(item: InlineItem):
    """InlineQueryResultArticle for one item (HTML message, link previews off)."""
    from telegram import InlineQueryResultArticle, InputTextMessageContent, LinkPreviewOptions

    from bot.markup import keyboard

    return InlineQueryResultArticle(
        id=item.id,
        title=item.title,
        description=item.description,
        input_message_content=InputTextMessageContent(
            item.text,
            parse_mode="HTML",
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        ),
        reply_markup=keyboard(item.buttons),
    )


async def on_inline_query(update, context) -> None:
    """Answer an inline query; cached briefly per user since results change only on ingest."""
    query = update.inline_query
    rt = runtime_of(context)
    user = query.from_user
    lang = await rt.call(user_language, rt.store, user.id, user.language_code)
    items = await inline_items(rt, query.query, context.bot.username or "", translator(lang))
    # Personal: the results are in this user's language, so not to be served to another.
    await query.answer([to_result(it) for it in items], cache_time=30, is_personal=True)


async def on_chosen_result(update, context) -> None:
    """A user shared a result (needs inline feedback enabled in @BotFather): count it."""
    chosen = update.chosen_inline_result
    shares = context.bot_data.setdefault("shares", {})
    shares[chosen.result_id] = shares.get(chosen.result_id, 0) + 1
    log.info("inline result %s shared", chosen.result_id)
