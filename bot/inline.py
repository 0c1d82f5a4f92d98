"""Inline mode: ``@bot 缙云`` in any chat offers highlight cards to share, each linking back.

``inline_items`` is independent of Telegram (the console shows the same results); the PTB
callbacks at the bottom turn items into ``InlineQueryResultArticle``s. Results carry only URL
buttons (a deep link into the bot and a 分享 switch), because callback buttons on inline
messages would arrive without a chat to answer in.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from bot import cards
from bot.cards import Button, Keyboard
from bot.runtime import Runtime, runtime_of
from bot.telegram_html import deep_link, escape
from briefings import county
from briefings.county import CountyView
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


def _article_item(a: StoredArticle, snippet: str, bot_username: str) -> InlineItem:
    label = cards.article_label(a)  # plain: the picker shows no markup
    lines = [f"📰 {cards.article_headline(a, 100)}", f"<i>{escape(cards.provenance(a))}</i>"]
    excerpt = snippet or a.body
    if excerpt:
        lines.append(escape(cards.clip(excerpt, 300)))
    link = deep_link(bot_username, f"article_{a.id}")
    row = [Button("阅读全文", url=link)] if link else []
    row.append(Button("📤 分享", inline_query=f"#{a.id}"))
    return InlineItem(
        id=f"a{a.id}",
        title=label,
        description=cards.clip(f"{cards.provenance(a)} {snippet or a.body}", 120),
        text="\n".join(lines),
        buttons=(tuple(row),),
    )


def _county_item(view: CountyView, bot_username: str) -> InlineItem:
    region = view.region
    card = cards.county_card(view)
    link = deep_link(bot_username, f"county_{region.adcode}")
    row = [Button("在机器人中查看", url=link)] if link else []
    row.append(Button("📤 分享", inline_query=region.short or region.name))
    desc = (
        "暂无报道"
        if view.empty
        else f"{len(view.figures)} 个最新数据 · {len(view.articles)} 篇报道"
    )
    return InlineItem(
        id=f"c{region.adcode}",
        title=f"📍 {region.display}",
        description=desc,
        text=card.text,
        buttons=(tuple(row),),
    )


def _latest(store, bot_username: str) -> list[InlineItem]:
    date = store.latest_date()
    if date is None:
        return []
    bundles = store.articles_on(date)
    ranked = sorted(bundles, key=lambda b: (-len(b.figures), b.article.id))
    return [_article_item(b.article, "", bot_username) for b in ranked[:LATEST]]


def collect(store, query: str, bot_username: str) -> list[InlineItem]:
    """All results for one inline query (runs on the worker thread)."""
    q = " ".join(query.split())[:MAX_QUERY_CHARS]
    if not q:
        return _latest(store, bot_username)
    if m := re.fullmatch(r"#(\d{1,18})", q):
        a = store.article(int(m.group(1)))
        return [_article_item(a, "", bot_username)] if a else []
    items: list[InlineItem] = []
    regions = county.place_or_search(q).regions[:MAX_PLACES]
    for region in regions:
        view = county.county_view(store, region)
        items.append(_county_item(view, bot_username))
        for a in view.articles:
            items.append(_article_item(a, "", bot_username))
    if not regions:
        page = store.search(q, limit=ARTICLE_RESULTS)
        items += [_article_item(h.article, h.snippet, bot_username) for h in page.items]
    unique: dict[str, InlineItem] = {}
    for it in items:
        unique.setdefault(it.id, it)
    return list(unique.values())[:MAX_RESULTS]


async def inline_items(rt: Runtime, query: str, bot_username: str) -> list[InlineItem]:
    """Results for ``@bot <query>``: county cards and their latest articles, else a search."""
    return await rt.call(collect, rt.store, query, bot_username)


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
    items = await inline_items(rt, query.query, context.bot.username or "")
    await query.answer([to_result(it) for it in items], cache_time=30, is_personal=False)


async def on_chosen_result(update, context) -> None:
    """A user shared a result (needs inline feedback enabled in @BotFather): count it."""
    chosen = update.chosen_inline_result
    shares = context.bot_data.setdefault("shares", {})
    shares[chosen.result_id] = shares.get(chosen.result_id, 0) + 1
    log.info("inline result %s shared", chosen.result_id)
