"""English replies through the real Application and the fake Bot API: every command, buttons,
inline results, chart captions and the scheduled digest, for a reader whose Telegram language is
English or whose chat chose it with /language; Chinese readers still get Chinese.

An English reply may hold Chinese only where the papers printed it or where a place is named
(tests/printed.py): article text, figures, paper and place names. Our own interface text in
Chinese is a leak.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from botharness import (
    ADMIN_ID,
    JINYUN,
    USER_ID,
    Harness,
    buttons,
    copy_db,
    running_bot,
)
from fakebotapi import FakeBotAPI, make_inline_query, make_message, make_my_chat_member
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from printed import Printed, runs

from bot import handlers, scheduling
from bot.app import open_runtime
from bot.config import Config
from bot.console import Console
from bot.telegram_html import visible_text
from briefings import chats
from briefings.i18n import LANGUAGES

EN_USER = 5151  # a private chat whose reader's Telegram language is English
# An article that does not exist: the answer (which names it, in groups too) comes last.
END_ID = "987654321987654321"
END = f"/article {END_ID}"


@pytest.fixture(scope="module")
def printed(seeded_db: Path) -> Printed:
    return Printed.of(seeded_db)


def continued_article(db: Path) -> int:
    """An article whose start is on another page: its reply carries our （续） marks."""
    conn = sqlite3.connect(db)
    try:
        row = conn.execute(
            "SELECT id FROM articles WHERE continued_from != '' AND part_of IS NULL ORDER BY id"
        ).fetchone()
    finally:
        conn.close()
    assert row is not None
    return row[0]


def shown(call: dict) -> list[str]:
    """The text a reader sees in a sent message or photo: text or caption, button labels."""
    texts = [call.get("text") or call.get("caption") or ""]
    return texts + [b["text"] for b in buttons(call)]


async def exchange(
    harness: Harness, chat_id: int, text: str, *, lang: str | None = "en"
) -> list[dict]:
    """Every message and photo the bot sends to ``chat_id`` for ``text``, in order. One chat's
    updates are handled in order, so the answer to END marks the end of the replies."""
    start = len(harness.fake.calls(chat_id=chat_id))
    harness.fake.push_update(make_message(chat_id, text, language_code=lang))
    harness.fake.push_update(make_message(chat_id, END, language_code=lang))

    def answered() -> list[dict] | None:
        sent = [
            c.params | {"_result": c.result}
            for c in harness.fake.calls(chat_id=chat_id)[start:]
            if c.method in ("sendMessage", "sendPhoto") and c.status
        ]
        if sent and END_ID in (sent[-1].get("text") or ""):
            return sent[:-1]
        return None

    async with asyncio.timeout(10):
        # Polling: the replies are calls recorded by the fake server, there is no event.
        while (found := answered()) is None:  # noqa: ASYNC110
            await asyncio.sleep(0.01)
    return found


# Every command with an argument that shows its main reply (the admin sees admin commands).
def _cases(article_id: int) -> dict[str, str]:
    return {
        "start": "",
        "help": "",
        "county": "jinyun",
        "film": "",
        "finance": "",
        "search": "票房",
        "article": str(article_id),
        "today": "",
        "subscribe": "07:30",
        "unsubscribe": "",
        "time": "08:00",
        "timezone": "Europe/London",
        "topics": "",
        "follow": "jinyun",
        "unfollow": "jinyun",
        "following": "",
        "stats": "",
        "ingest": "",
        "sources": "",
        "rank": "GDP",
        "compare": "jinyun kecheng",
        "chart": "GDP",
        "language": "",
    }


def test_the_cases_cover_every_command(seeded_db: Path) -> None:
    assert set(_cases(continued_article(seeded_db))) == set(handlers.COMMANDS)


@pytest.mark.parametrize("command", sorted(handlers.COMMANDS))
async def test_every_command_answers_an_english_reader_in_english(
    harness: Harness, printed: Printed, seeded_db: Path, command: str
) -> None:
    args = _cases(continued_article(seeded_db))[command]
    replies = await exchange(harness, ADMIN_ID, f"/{command} {args}".strip())
    assert replies, command
    for reply in replies:
        for text in shown(reply):
            assert not printed.leaks(text), (command, printed.leaks(text), text)
        assert any(c.isascii() and c.isalpha() for c in reply.get("text") or reply["caption"])


@pytest.mark.parametrize("command", sorted(handlers.COMMANDS))
async def test_every_command_still_answers_a_chinese_reader_in_chinese(
    harness: Harness, printed: Printed, seeded_db: Path, command: str
) -> None:
    args = _cases(continued_article(seeded_db))[command]
    replies = await exchange(harness, ADMIN_ID, f"/{command} {args}".strip(), lang="zh-hans")
    texts = [visible_text(t) for reply in replies for t in shown(reply)]
    ours = [r for t in texts for r in runs(t) if r in printed.interface]
    assert ours, (command, replies)  # our own Chinese words, not only the paper's


@pytest.mark.parametrize(
    "text",
    [
        "/county 缙去",  # unknown: suggestions as buttons
        "/county 朝阳",  # ambiguous: candidates
        "/time 25:00",
        "/time 明天",
        "/timezone Mars/Olympus",
        "/article abc",
        "/article 1",
        "/follow",
        "/compare jinyun",
        "/rank 不存在的指标",
        "/chart 柯城",
        "/search",
        "/search 量子纠缠",
        "/language klingon",
        "/nosuch",
        "jinyun",
        "人工智能",
        "/county " + "缙" * 60,  # over the cap: ArgumentTooLong names what was too long
    ],
)
async def test_errors_and_free_text_answer_in_english(
    harness: Harness, printed: Printed, text: str
) -> None:
    replies = await exchange(harness, EN_USER, text)
    assert replies
    for reply in replies:
        for shown_text in shown(reply):
            assert not printed.leaks(shown_text, text), (text, printed.leaks(shown_text, text))


async def test_buttons_answer_in_english(harness: Harness, printed: Printed) -> None:
    (card,) = await exchange(harness, EN_USER, "/county jinyun")
    message_id = card["_result"]["message_id"]
    (followed,) = await harness.press(EN_USER, message_id, f"follow:{JINYUN}", language_code="en")
    assert "Following" in " ".join(shown(followed))
    toast = harness.fake.calls("answerCallbackQuery")[-1].params
    assert toast.get("text", "").startswith("Following 缙云 (Jinyun)")
    (topics,) = await exchange(harness, EN_USER, "/topics")
    (toggled,) = await harness.press(
        EN_USER, topics["_result"]["message_id"], "topic:other", language_code="en"
    )
    assert "Other" in toggled["text"]
    for call in (followed, toggled):
        for text in shown(call):
            assert not printed.leaks(text), printed.leaks(text)


async def test_county_names_get_pinyin_in_english_only(harness: Harness) -> None:
    (en,) = await exchange(harness, EN_USER, "/county 缙云")
    assert "丽水市缙云县 (Jinyun)" in en["text"]
    (zh,) = await exchange(harness, USER_ID, "/county 缙云", lang="zh-hans")
    assert "<b>丽水市缙云县</b>" in zh["text"]
    assert "Jinyun" not in zh["text"]


async def test_dates_are_written_per_language(harness: Harness) -> None:
    en = await exchange(harness, EN_USER, "/today")
    zh = await exchange(harness, USER_ID, "/today", lang="zh-hans")
    assert "15 Apr 2026" in en[0]["text"]
    assert "2026年4月15日" in zh[0]["text"]


# ---- /language --------------------------------------------------------------------------------


async def test_language_command_switches_a_chinese_readers_chat_to_english(
    harness: Harness, printed: Printed
) -> None:
    (status,) = await exchange(harness, USER_ID, "/language", lang="zh-hans")
    assert "界面语言：中文" in status["text"]
    assert {b["callback_data"] for b in buttons(status)} == {"lang:en", "lang:zh", "lang:auto"}
    (done,) = await exchange(harness, USER_ID, "/language en", lang="zh-hans")
    assert "English" in done["text"]
    assert not printed.leaks(done["text"])
    (help_,) = await exchange(harness, USER_ID, "/help", lang="zh-hans")
    assert "Zhejiang Economic Briefing" in help_["text"]
    assert harness.prefs(USER_ID).lang == "en"
    (back,) = await exchange(harness, USER_ID, "/language 中文", lang="zh-hans")
    assert "界面语言已改为中文" in back["text"]


async def test_language_buttons_switch_in_place(harness: Harness, printed: Printed) -> None:
    (status,) = await exchange(harness, EN_USER, "/language")
    assert "Interface language: English" in status["text"]
    message_id = status["_result"]["message_id"]
    (zh,) = await harness.press(EN_USER, message_id, "lang:zh", language_code="en")
    assert "界面语言已改为中文" in zh["text"]
    assert harness.prefs(EN_USER).lang == "zh"
    (auto,) = await harness.press(EN_USER, message_id, "lang:auto", language_code="en")
    assert "Telegram language" in auto["text"]
    assert harness.prefs(EN_USER).lang == ""
    assert not printed.leaks(auto["text"])


async def test_only_group_admins_change_a_groups_language(harness: Harness) -> None:
    group = -100777  # its sender is a plain member (the fake's default)
    (refused,) = await exchange(harness, group, "/language en", lang="zh-hans")
    assert "只有群管理员" in refused["text"]
    assert harness.prefs(group) is None or harness.prefs(group).lang == ""


async def test_the_language_choice_survives_a_restart(fake_api: FakeBotAPI, bot_db: Path) -> None:
    async with running_bot(fake_api, bot_db) as bot:
        await exchange(bot, USER_ID, "/language en", lang="zh-hans")
    async with running_bot(fake_api, bot_db) as bot:  # a new process: nothing cached
        (help_,) = await exchange(bot, USER_ID, "/help", lang="zh-hans")
        assert "Zhejiang Economic Briefing" in help_["text"]
        (other,) = await exchange(bot, EN_USER, "/help", lang="zh-hans")
        assert "浙江经济简报" in other["text"], "another chat keeps following its reader"


# ---- scheduled digest -------------------------------------------------------------------------


async def _scheduled(harness: Harness, chat_id: int) -> list[dict]:
    before = len(harness.fake.sent_messages(chat_id))
    assert await scheduling.deliver_scheduled(harness.app, harness.rt, chat_id) == "sent"
    return harness.fake.sent_messages(chat_id)[before:]


async def test_scheduled_digest_for_an_english_reader_is_english(
    harness: Harness, printed: Printed
) -> None:
    await exchange(harness, EN_USER, "/subscribe 07:30")
    assert harness.prefs(EN_USER).seen_lang == "en"
    parts = await _scheduled(harness, EN_USER)
    assert parts
    assert "Zhejiang Economy Morning Briefing · 15 Apr 2026" in parts[0]["text"]
    assert "County highlights" in parts[0]["text"]
    for part in parts:
        assert not printed.leaks(part["text"]), printed.leaks(part["text"])
    stored = harness.rt.store.conn.execute(
        "SELECT part_texts FROM deliveries WHERE chat_id = ?", (EN_USER,)
    ).fetchone()[0]
    assert "County highlights" in stored, "the claim stores the parts in the chat's language"


async def test_a_group_added_by_an_english_reader_gets_english_briefings(harness: Harness) -> None:
    group = -100888
    harness.fake.push_update(
        make_my_chat_member(group, "left", "administrator", language_code="en")
    )
    await harness.eventually(lambda: (p := harness.prefs(group)) is not None and p.seen_lang)
    assert harness.prefs(group).language == "en"


async def test_scheduled_digest_follows_the_chats_choice_over_its_readers(
    harness: Harness,
) -> None:
    await exchange(harness, USER_ID, "/subscribe 07:30", lang="zh-hans")
    await exchange(harness, USER_ID, "/language en", lang="zh-hans")
    parts = await _scheduled(harness, USER_ID)
    assert "County highlights" in parts[0]["text"]


async def test_scheduled_digest_for_a_chinese_reader_stays_chinese(harness: Harness) -> None:
    await exchange(harness, USER_ID, "/subscribe 07:30", lang="zh-hans")
    parts = await _scheduled(harness, USER_ID)
    assert "浙江经济早报 · 2026年4月15日" in parts[0]["text"]
    assert "【县域亮点】" in parts[0]["text"]


# ---- inline mode ------------------------------------------------------------------------------


async def _inline(harness: Harness, user_id: int, query: str, lang: str) -> dict:
    before = len(harness.fake.calls("answerInlineQuery"))
    harness.fake.push_update(make_inline_query(user_id, query, language_code=lang))
    calls = await harness.fake.wait_for("answerInlineQuery", count=before + 1)
    return calls[before].params


async def test_inline_results_are_in_the_users_language(harness: Harness, printed: Printed) -> None:
    en = await _inline(harness, EN_USER, "缙云", "en")
    assert en["is_personal"] is True, "results in one user's language must not be cached for all"
    card = en["results"][0]
    assert card["title"] == "📍 丽水市缙云县 (Jinyun)"
    for r in en["results"]:
        labels = [b["text"] for row in r["reply_markup"]["inline_keyboard"] for b in row]
        for text in (r["title"], r["description"], r["input_message_content"]["message_text"]):
            assert not printed.leaks(text), printed.leaks(text)
        assert not any(printed.leaks(label) for label in labels)
    zh = await _inline(harness, USER_ID, "缙云", "zh-hans")
    assert "最新报道" in zh["results"][0]["input_message_content"]["message_text"]


async def test_inline_results_follow_the_private_chats_choice(harness: Harness) -> None:
    await exchange(harness, USER_ID, "/language en", lang="zh-hans")
    en = await _inline(harness, USER_ID, "缙云", "zh-hans")
    assert "Latest articles" in en["results"][0]["input_message_content"]["message_text"]


# ---- any text after /language -----------------------------------------------------------------


@pytest.fixture(scope="module")
def console(seeded_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    path = copy_db(seeded_db, tmp_path_factory.mktemp("lang") / "lang.db")
    rt = open_runtime(Config(db_path=str(path)))
    try:
        yield Console(rt, bot_username="briefing_test_bot", lang="en")
    finally:
        rt.close()


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(arg=st.text(max_size=80))
def test_any_text_after_language_gets_a_valid_reply(console: Console, arg: str) -> None:
    from fakebotapi import validate_telegram_html

    console.buttons = []
    replies = asyncio.run(console.send("/language " + arg))
    assert replies
    for reply in replies:
        assert reply.text
        assert validate_telegram_html(reply.text) is None
    chosen, _ = console.rt.store.run(chats.language_of, console.chat_id)
    assert chosen in ("", *LANGUAGES)
