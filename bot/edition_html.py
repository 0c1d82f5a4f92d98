"""An edition as Telegram HTML: the messages a chat gets, within Telegram's limits.

The library composes the edition (``briefings.digest.Edition`` inside an
``briefings.editions.ChatEdition``): sections of plain, verbatim items that point at their
articles by id. Here the region of a figure line turns bold, the article id becomes a t.me deep
link into the bot (or ``/article ID`` without a username), and the blocks are split between
items into messages of at most ``limit`` UTF-16 units. ``EditionHtml`` is the renderer the
delivery claim stores parts with (briefings/delivery_plan.py), so what is sent is exactly what
was rendered at claim time. The edition is written in its ``ChatEdition.lang`` (the chat's
language for a scheduled one): headings, notes, dates and our marks are translated, the items
are the paper's words as printed.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.cards import place_name
from bot.telegram_html import MESSAGE_LIMIT, deep_link, escape, escape_attr, split_html, utf16_len
from briefings.digest import EDITION_TITLE, Edition, Item, item_provenance
from briefings.editions import ChatEdition
from briefings.i18n import N_, Translator, translator


def item_html(it: Item, bot_username: str | None, tr: Translator | None = None) -> str:
    """One item: its text (a figure line's region in bold), then a link to its article."""
    tr = tr or translator()
    head = f"{it.region} · "
    if it.kind == "figure" and it.region and it.text.startswith(head):
        region = place_name(it.region, it.adcode, tr)  # pinyin in English
        text = f"<b>{escape(region)}</b> · {escape(it.text[len(head) :])}"
    else:
        text = escape(it.text)
    name, sub = it.source_label(tr=tr)
    label = escape(name)
    url = deep_link(bot_username or "", f"article_{it.article_id}")
    sub = f" {escape(sub)}" if sub else ""  # the subtitle, lighter: outside the link
    if url:
        link = f'<a href="{escape_attr(url)}">{label}</a>{sub}'
    else:
        link = f"{label}{sub} /article {it.article_id}"
    return f"• {text}\n  ↳ {link} · {escape(item_provenance(it, tr))}"


SECTION_HEADING = N_("【{title}】")


def _title(title: str, date: str, tr: Translator) -> str:
    return f"<b>{escape(tr(title))} · {escape(tr.date(date))}</b>"


def render_html(
    edition: Edition,
    *,
    bot_username: str | None = None,
    limit: int = MESSAGE_LIMIT,
    title: str = EDITION_TITLE,
    tr: Translator | None = None,
) -> list[str]:
    """Telegram HTML messages for an edition, split between items; each within ``limit``.

    A section heading travels with its first item so it never ends a message alone.
    """
    tr = tr or translator()
    if edition.empty:
        return [render_empty(edition.date, None, edition=edition, title=title, tr=tr)]
    count = sum(len(s.items) for s in edition.sections)
    items = tr.ngettext("{n} 条", "{n} 条", count)
    blocks = [f"{_title(title, edition.date, tr)}\n<i>{escape(items)}</i>"]
    for section in edition.sections:
        first, *rest = (item_html(it, bot_username, tr) for it in section.items)
        heading = escape(tr(SECTION_HEADING, title=tr(section.title)))
        blocks.append(f"\n<b>{heading}</b>\n{first}")
        blocks.extend(rest)
    return split_html(blocks, limit)


EMPTY_NO_PAPER = N_("这一天没有收录报纸。")
EMPTY_ALL_SENT = N_("这一期的报道都已推送给你。")
EMPTY_NOT_IN_SECTIONS = N_("这一期没有你选择的栏目的报道。发送 /topics 调整栏目。")
EMPTY_SOME_SENT = N_("这一期的报道有的已推送给你，其余不在你选择的栏目里。发送 /topics 调整栏目。")
LATEST_ISSUE = N_("最新一期是 {date}，发送 /today 查看。")
TOPICS_HINT = N_("发送 /topics 调整栏目。")


def render_empty(
    date: str,
    latest_date: str | None,
    *,
    edition: Edition | None = None,
    title: str = EDITION_TITLE,
    tr: Translator | None = None,
) -> str:
    """A short HTML note for a date with nothing to send, saying why (no paper that day,
    everything already sent to the chat, nothing in its sections) and pointing to the latest
    issue."""
    tr = tr or translator()
    if edition is None or not edition.available:
        note = EMPTY_NO_PAPER
    elif edition.already_sent and not edition.unsent:
        note = EMPTY_ALL_SENT
    elif edition.already_sent:
        note = EMPTY_SOME_SENT
    else:
        note = EMPTY_NOT_IN_SECTIONS
    text = escape(tr(note))
    if latest_date and latest_date != date:
        text += "\n" + escape(tr(LATEST_ISSUE, date=tr.date(latest_date)))
    return f"{_title(title, date, tr)}\n{text}"


@dataclass(frozen=True)
class EditionHtml:
    """Renders a chat's edition as its Telegram messages, never an empty one.

    Frozen, so hashable: a delivery pass composes an edition once per distinct renderer and
    preferences (briefings/delivery_plan.py keys its cache on it). The language is the
    edition's own (``ChatEdition.lang``), so one renderer serves chats of every language.
    """

    bot_username: str | None = None
    limit: int = MESSAGE_LIMIT

    def __call__(self, chat_edition: ChatEdition) -> list[str]:
        ce = chat_edition
        tr = translator(ce.lang)
        head = f"{escape(ce.note)}\n\n" if ce.note else ""
        if ce.empty and ce.reason and ce.note:  # /today found nothing: the note says why
            tail = f"\n{escape(tr(TOPICS_HINT))}" if ce.reason == "not_in_sections" else ""
            return [escape(ce.note) + tail]
        if ce.empty:
            return [head + render_empty(ce.date, ce.latest, edition=ce.edition, tr=tr)]
        room = self.limit - utf16_len(head)
        messages = render_html(ce.edition, bot_username=self.bot_username, limit=room, tr=tr)
        return [head + messages[0], *messages[1:]]
