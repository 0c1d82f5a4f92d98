"""One chat's edition: which issue to use, composed for the chat's preferences.

The single place where stored articles, chat preferences and the 7-day history meet the digest;
used by scheduled delivery, ``/today`` and ``python bot.py digest``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date as Date
from datetime import timedelta
from typing import Literal

from briefings import chats, ledger
from briefings.digest import DigestPrefs, Edition, compose_edition
from briefings.i18n import DEFAULT_LANGUAGE, N_, Translator, translator
from briefings.models import DEFAULT_TOPICS, TOPICS, ArticleBundle
from briefings.regions import load_gazetteer

# An issue older than this is not sent as "today's" briefing (it would be stale news).
MAX_ISSUE_AGE_DAYS = 2


@dataclass(frozen=True)
class ChatEdition:
    """One chat's edition of an issue, before rendering (``bot/edition_html.py`` renders it).

    ``note`` is plain text to show first, in ``lang``; ``latest`` is the newest stored issue,
    which an empty edition points to. ``lang`` is the language the edition is rendered in: the
    chat's (``ChatPrefs.language``) for a scheduled one, the reader's for ``/today``.
    """

    date: str
    edition: Edition
    note: str = ""
    latest: str | None = None
    reason: str = ""  # why there is nothing to show (latest_for_chat's Reason), else ""
    lang: str = DEFAULT_LANGUAGE

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
    lang: str | None = None,
) -> ChatEdition:
    """Compose ``date``'s issue for a chat (``prefs`` None = defaults).

    ``skip_recent`` drops articles the chat got in the 7 days before ``date`` (scheduled
    delivery); an on-demand ``/today`` shows the whole issue. ``note`` (plain text) goes first.
    ``lang`` (default: the chat's language) is what the renderer writes it in.
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
    if lang is None:
        lang = prefs.language if prefs is not None else DEFAULT_LANGUAGE
    return ChatEdition(date, edition, note, latest, lang=lang)


# How many of the newest issues /today looks through for one with something for the chat.
TODAY_LOOKBACK = 7

TODAY_SENT = N_("这一期已在每日推送中发给你，这里再显示一遍。")
TODAY_NOT_YET = N_("今天（{today}）还没有新的报纸，下面是最新一期：{date}。")
TODAY_OLDER = N_(
    "最新一期（{latest}）没有你选择的栏目（{topics}）的报道，下面是有这些栏目的最近一期：{date}。"
)
TODAY_NONE_FOR_YOU = N_(
    "最近 {n} 期报纸（最新一期：{latest}）都没有你选择的栏目（{topics}）的报道。"
)
TODAY_UNDATED = N_("库里的稿件都没有出版日期，所以不会出现在简报里。")

Reason = Literal["", "empty_store", "undated", "not_in_sections"]


def _topic_names(prefs: chats.ChatPrefs | None, tr: Translator) -> str:
    keys = prefs.topics if prefs is not None else DEFAULT_TOPICS
    return tr.join(tr(TOPICS[k]) for k in TOPICS if k in keys) or "—"


def _delivered(store, prefs: chats.ChatPrefs | None, date: str) -> bool:
    if prefs is None:
        return False
    found = store.run(ledger.get, prefs.chat_id, date)
    return found is not None and found.status == "sent"


def latest_for_chat(
    store, prefs: chats.ChatPrefs | None, today: str, tr: Translator | None = None
) -> ChatEdition:
    """``/today``: the newest issue (on or before ``today`` when there is one) that has
    something for the chat's sections, with a note saying which day it is and why it is not
    today's: no paper yet today, or the newer issues have nothing in the chat's sections; and
    when the chat already got it by the daily push, that it is shown again. Nothing to show
    says why (``ChatEdition.reason``): no articles at all, none dated, or none for the chat.
    Notes are in ``tr``'s language (the reader's), and so is the edition.
    """
    tr = tr or translator()
    dates = store.dates(limit=TODAY_LOOKBACK + 8)
    if not dates:
        reason: Reason = "undated" if store.has_articles() else "empty_store"
        note = tr(TODAY_UNDATED) if reason == "undated" else ""
        empty = Edition(today, [], [], empty=True)
        return ChatEdition(today, empty, note, None, reason, lang=tr.lang)
    # An issue dated after the reader's today (a paper from a time zone ahead) still counts.
    issues = [d for d in dates if d <= today][:TODAY_LOOKBACK] or dates[:TODAY_LOOKBACK]
    for date in issues:
        found = compose_for_chat(store, prefs, date, skip_recent=False, lang=tr.lang)
        if found.empty:
            continue
        if date == today or (date > today and date == dates[0]):
            note = tr(TODAY_SENT) if _delivered(store, prefs, date) else ""
        elif date == issues[0]:
            note = tr(TODAY_NOT_YET, today=tr.date(today), date=tr.date(date))
        else:
            note = tr(
                TODAY_OLDER,
                latest=tr.date(issues[0]),
                topics=_topic_names(prefs, tr),
                date=tr.date(date),
            )
            if date != today and _delivered(store, prefs, date):
                note = tr.sentences(note, tr(TODAY_SENT))
        return replace(found, note=note)
    note = tr(
        TODAY_NONE_FOR_YOU, n=len(issues), latest=tr.date(issues[0]), topics=_topic_names(prefs, tr)
    )
    empty = compose_for_chat(store, prefs, issues[0], skip_recent=False, lang=tr.lang)
    return replace(empty, note=note, reason="not_in_sections")

