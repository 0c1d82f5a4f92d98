"""One chat's edition: which issue to use, composed for the chat's preferences.

The single place where stored articles, chat preferences and the 7-day history meet the digest;
used by scheduled delivery, ``/today`` and ``python bot.py digest``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date as Date
from datetime import timedelta

from briefings import chats, ledger
from briefings.digest import DigestPrefs, Edition, compose_edition
from briefings.models import ArticleBundle
from briefings.regions import load_gazetteer

# An issue older than this is not sent as "today's" briefing (it would be stale news).
MAX_ISSUE_AGE_DAYS = 2


@dataclass(frozen=True)
class ChatEdition:
    """One chat's edition of an issue, before rendering (``bot/edition_html.py`` renders it).

    ``note`` is plain text to show first; ``latest`` is the newest stored issue, which an empty
    edition points to.
    """

    date: str
    edition: Edition
    note: str = ""
    latest: str | None = None

    @property
    def article_ids(self) -> tuple[int, ...]:
        return tuple(self.edition.article_ids)

    @property
    def empty(self) -> bool:
        return self.edition.empty


# Renders a chat's edition as the messages sent (bot/edition_html.py: Telegram HTML parts).
Renderer = Callable[[ChatEdition], Sequence[str]]


def issue_for(store, today: Date, *, max_age_days: int = MAX_ISSUE_AGE_DAYS) -> str | None:
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
    bundles: Sequence[ArticleBundle] | None = None,
    skip_recent: bool = True,
    note: str = "",
) -> ChatEdition:
    """Compose ``date``'s issue for a chat (``prefs`` None = defaults).

    ``skip_recent`` drops articles the chat got in the 7 days before ``date`` (scheduled
    delivery); an on-demand ``/today`` shows the whole issue. ``note`` (plain text) goes first.
    """
    if bundles is None:
        bundles = store.articles_on(date)
    recent: frozenset[int] = frozenset()
    if prefs is not None and skip_recent:
        recent = store.run(ledger.recent_article_ids, prefs.chat_id, days=7, before=date)
    dprefs = digest_prefs(prefs, recent)
    gazetteer = load_gazetteer()
    names = {a: r.short for a in dprefs.follows if (r := gazetteer.by_adcode(a)) is not None}
    edition = compose_edition(date, list(bundles), dprefs, region_names=names)
    latest = store.latest_date() if edition.empty else None
    return ChatEdition(date, edition, note, latest)


def latest_for_chat(store, prefs: chats.ChatPrefs | None, today: str) -> ChatEdition:
    """``/today``: today's issue, or the latest one saying its date, or a note that none exists."""
    if store.articles_on(today):
        return compose_for_chat(store, prefs, today, skip_recent=False)
    latest = store.latest_date()
    if latest is None:
        return ChatEdition(today, Edition(today, [], [], empty=True))
    note = f"📅 今天({today})还没有新的版面,以下是最新一期:{latest}"
    return compose_for_chat(store, prefs, latest, skip_recent=False, note=note)
