"""One chat's edition: which issue to use, composed for the chat's preferences, rendered.

The single place where stored articles, chat preferences and the 7-day history meet the digest;
used by scheduled delivery, ``/today`` and ``python bot.py digest``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date as Date
from datetime import timedelta

from briefings import chats, ledger
from briefings.digest import DigestPrefs, compose_edition, render_empty, render_html
from briefings.messages import escape, utf16_len
from briefings.models import ArticleBundle
from briefings.regions import load_gazetteer

# An issue older than this is not sent as "today's" briefing (it would be stale news).
MAX_EDITION_AGE_DAYS = 2


@dataclass(frozen=True)
class ChatEdition:
    """The messages one chat gets for one issue date, and the articles they show."""

    date: str
    messages: tuple[str, ...]
    article_ids: tuple[int, ...]
    empty: bool


def issue_for(store, today: Date, *, max_age_days: int = MAX_EDITION_AGE_DAYS) -> str | None:
    """The issue to send as ``today``'s briefing: the newest stored date ≤ today, if recent.

    Papers are often ingested after the first delivery times; then yesterday's issue is the
    freshest news a reader has not had (the ledger stops it going out twice).
    """
    oldest = (today - timedelta(days=max_age_days)).isoformat()
    for d in store.dates(limit=max_age_days + 8):
        if d <= today.isoformat():
            return d if d >= oldest else None
    return None


def digest_prefs(
    prefs: chats.ChatPrefs | None, recent: frozenset[int] = frozenset()
) -> DigestPrefs:
    if prefs is None:
        return DigestPrefs(recently_sent=recent)
    return DigestPrefs(
        topics=frozenset(prefs.topics), follows=tuple(prefs.follows), recently_sent=recent
    )


def compose_for_chat(
    store,
    prefs: chats.ChatPrefs | None,
    date: str,
    *,
    bot_username: str | None = None,
    bundles: Sequence[ArticleBundle] | None = None,
    skip_recent: bool = True,
    note: str = "",
    limit: int = 4096,
) -> ChatEdition:
    """Compose ``date``'s issue for a chat (``prefs`` None = defaults), never an empty message.

    ``skip_recent`` drops articles the chat got in the 7 days before ``date`` (scheduled
    delivery); an on-demand ``/today`` shows the whole issue. ``note`` (plain text) goes first.
    """
    if bundles is None:
        bundles = store.articles_on(date)
    recent = frozenset()
    if prefs is not None and skip_recent:
        recent = ledger.recent_article_ids(store.conn, prefs.chat_id, days=7, before=date)
    dprefs = digest_prefs(prefs, recent)
    gazetteer = load_gazetteer()
    names = {a: r.short for a in dprefs.follows if (r := gazetteer.by_adcode(a)) is not None}
    edition = compose_edition(date, list(bundles), dprefs, region_names=names)
    head = f"{escape(note)}\n\n" if note else ""
    if edition.empty:
        text = render_empty(date, store.latest_date(), personalised=edition.available > 0)
        return ChatEdition(date, (head + text,), (), True)
    messages = render_html(edition, bot_username=bot_username, limit=limit - utf16_len(head))
    return ChatEdition(date, (head + messages[0], *messages[1:]), tuple(edition.article_ids), False)


def latest_for_chat(
    store, prefs: chats.ChatPrefs | None, today: str, *, bot_username: str | None = None
) -> ChatEdition:
    """``/today``: today's issue, or the latest one saying its date, or a note that none exists."""
    if store.articles_on(today):
        return compose_for_chat(store, prefs, today, bot_username=bot_username, skip_recent=False)
    latest = store.latest_date()
    if latest is None:
        return ChatEdition(today, (render_empty(today, None),), (), True)
    note = f"📅 今天({today})还没有新的版面,以下是最新一期:{latest}"
    return compose_for_chat(
        store, prefs, latest, bot_username=bot_username, skip_recent=False, note=note
    )
