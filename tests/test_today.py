"""/today tells the truth: which day it shows and why that one: no paper yet today, the newer
issues have nothing in the chat's sections, already sent by the daily push; nothing to show
says which of no articles, no dated articles, nothing for the chat it is."""

from __future__ import annotations

from pathlib import Path

import pytest
from botharness import SAMPLE

from bot.edition_html import EditionHtml
from bot.telegram_html import html_to_text
from briefings import chats, ledger
from briefings.editions import latest_for_chat
from briefings.models import Document
from briefings.pipeline import ingest_paths
from briefings.store import Store

DAY = "2026-04-15"
PAGES = Path(__file__).resolve().parent / "pages"
CHAT = 42


@pytest.fixture
def store(tmp_path: Path):
    with Store.open(tmp_path / "today.db") as s:
        yield s


def shown(store: Store, prefs, today: str) -> tuple[str, str]:
    """(the date shown, the reply as plain text)."""
    found = latest_for_chat(store, prefs, today)
    return found.date, "\n".join(html_to_text(m) for m in EditionHtml()(found))


def test_todays_issue_is_shown_without_a_note(store: Store) -> None:
    ingest_paths(store, [SAMPLE])
    date, text = shown(store, None, DAY)
    assert date == DAY
    assert text.startswith("浙江经济早报 · 2026年4月15日")


def test_no_paper_yet_today_names_both_days(store: Store) -> None:
    ingest_paths(store, [SAMPLE])
    date, text = shown(store, None, "2026-04-17")
    assert date == DAY
    assert text.startswith("今天（2026年4月17日）还没有新的报纸，下面是最新一期：2026年4月15日。")


def test_a_newer_issue_with_nothing_for_the_chat_gives_way_to_one_with_something(
    store: Store,
) -> None:
    ingest_paths(store, [SAMPLE])
    # The next day's paper: only pages that have nothing about film.
    ingest_paths(store, [PAGES / "collections.txt"], date="2026-04-16")
    prefs = store.run(chats.ensure_chat, CHAT)
    prefs = store.run(chats.set_topics, CHAT, ("film",))
    date, text = shown(store, prefs, "2026-04-16")
    assert date == DAY
    assert "最新一期（2026年4月16日）没有你选择的栏目（影视产业）的报道" in text
    assert "最近一期：2026年4月15日" in text
    assert "影视产业" in text


def test_an_issue_already_pushed_is_shown_again_and_says_so(store: Store) -> None:
    ingest_paths(store, [SAMPLE])
    prefs = store.run(chats.ensure_chat, CHAT)
    store.run(ledger.claim, CHAT, DAY, parts=["…"], article_ids=[1])
    store.run(ledger.mark_sent, CHAT, DAY)
    date, text = shown(store, prefs, DAY)
    assert date == DAY
    assert text.startswith("这一期已在每日推送中发给你，这里再显示一遍。")
    assert "县域亮点" in text


def test_nothing_in_the_chats_sections_says_so_and_offers_topics(store: Store) -> None:
    ingest_paths(store, [PAGES / "collections.txt"], date=DAY)
    store.run(chats.ensure_chat, CHAT)
    prefs = store.run(chats.set_topics, CHAT, ("film",))
    found = latest_for_chat(store, prefs, DAY)
    assert found.empty
    assert found.reason == "not_in_sections"
    (text,) = EditionHtml()(found)
    assert "都没有你选择的栏目（影视产业）的报道" in text
    assert "/topics" in text
    assert "推送" not in text  # not "already sent": nothing was


def test_undated_articles_only_say_that_they_have_no_date(store: Store) -> None:
    from briefings.pipeline import analyze_document

    doc = Document(kind="article", text="缙云茶叶丰收。", source="测试", date="", key="x")
    store.save_document(doc, analyze_document(doc))
    found = latest_for_chat(store, None, DAY)
    assert found.reason == "undated"
    assert "没有出版日期" in found.note


def test_an_empty_database_is_told_apart(store: Store) -> None:
    found = latest_for_chat(store, None, DAY)
    assert found.empty
    assert found.reason == "empty_store"
