"""End-to-end tests of the bot's commands in private chats: the real PTB Application (built by
``bot.app.build_application``) against the fake Bot API, over a database ingested from the sample
page. The shared harness is in tests/botharness.py, its fixtures in tests/conftest.py.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import pytest
from botharness import (
    ADMIN_ID,
    JINYUN,
    KAIHUA,
    SAMPLE,
    SAMPLE_DATE,
    USER_ID,
    Harness,
    assert_telegram_ok,
    buttons,
    fixed_clock,
)
from fakebotapi import (
    make_my_chat_member,
)

from bot.scheduling import job_name
from bot.telegram_html import utf16_len, visible_text
from briefings import chats
from briefings.pipeline import ingest_bytes

# ---- start, help, menu ------------------------------------------------------------------------


async def test_startup_sets_menu_in_chinese_and_english(harness: Harness) -> None:
    zh = [c["command"] for c in harness.fake.commands()]
    en = harness.fake.commands(language_code="en")
    assert "county" in zh
    assert "subscribe" in zh
    assert "search" in zh
    assert {c["command"] for c in en} == set(zh)
    assert any("县" in c["description"] for c in harness.fake.commands())
    assert all(c["description"].isascii() for c in en)


async def test_start_welcomes_and_reactivates_a_blocked_chat(harness: Harness) -> None:
    await harness.rt.call(chats.subscribe, harness.conn, USER_ID, time="06:45")
    await harness.rt.call(chats.set_active, harness.conn, USER_ID, False)
    (reply,) = await harness.say(USER_ID, "/start")
    assert_telegram_ok(reply)
    assert "/county" in reply["text"]
    prefs = harness.prefs(USER_ID)
    assert prefs.active
    assert prefs.subscribed
    assert prefs.time == "06:45"


async def test_start_deep_link_opens_the_county_card(harness: Harness) -> None:
    (reply,) = await harness.say(USER_ID, f"/start county_{JINYUN}")
    assert_telegram_ok(reply)
    assert "丽水市缙云县" in reply["text"]


async def test_start_deep_link_opens_an_article(harness: Harness) -> None:
    article = (await harness.rt.call(harness.rt.store.county_articles, JINYUN))[0]
    replies = await harness.say(USER_ID, f"/start article_{article.id}")
    assert_telegram_ok(replies[0])
    assert f"编号 {article.id}" in replies[0]["text"]


async def test_help_lists_commands_with_examples(harness: Harness) -> None:
    (reply,) = await harness.say(USER_ID, "/help")
    assert_telegram_ok(reply)
    for example in ("/county 缙云", "/search", "/subscribe 07:30", "/topics"):
        assert example in reply["text"]
    assert "/stats" not in reply["text"]  # admin commands only for admins
    (admin,) = await harness.say(ADMIN_ID, "/help")
    assert "/stats" in admin["text"]


# ---- county cards -----------------------------------------------------------------------------


async def test_county_card_has_full_name_figures_highlights_and_buttons(harness: Harness) -> None:
    (reply,) = await harness.say(USER_ID, "/county 缙云")
    assert_telegram_ok(reply)
    text = reply["text"]
    assert "丽水市缙云县" in text
    assert "最新报道" in text
    assert SAMPLE_DATE in text
    datas = [b.get("callback_data", "") for b in buttons(reply)]
    assert any(d.startswith("article:") for d in datas)
    assert f"follow:{JINYUN}" in datas
    share = [b for b in buttons(reply) if "switch_inline_query" in b]
    assert share
    assert share[0]["switch_inline_query"] == "缙云"
    assert reply["link_preview_options"]["is_disabled"] is True


@pytest.mark.parametrize("name", ["缙云县", "丽水缙云", "縉雲", "jinyun", "ＪＩＮＹＵＮ", JINYUN])
async def test_county_accepts_every_way_of_naming_it(harness: Harness, name: str) -> None:
    (reply,) = await harness.say(USER_ID, f"/county {name}")
    assert "丽水市缙云县" in reply["text"]


async def test_county_card_read_button_sends_the_article(harness: Harness) -> None:
    (card,) = await harness.say(USER_ID, "/county 缙云")
    data = next(
        b["callback_data"] for b in buttons(card) if b["callback_data"].startswith("article:")
    )
    replies = await harness.press(
        USER_ID, card["_result"]["message_id"], data, method="sendMessage"
    )
    assert_telegram_ok(replies[0])
    assert f"编号 {data.split(':')[1]}" in replies[0]["text"]


async def test_unknown_county_offers_suggestions_that_open_the_card(harness: Harness) -> None:
    (reply,) = await harness.say(USER_ID, "/county 缙去")
    assert_telegram_ok(reply)
    assert "没有找到" in reply["text"]
    assert "缙去" in reply["text"]
    datas = [b["callback_data"] for b in buttons(reply)]
    assert datas
    assert all(d.startswith("county:") for d in datas)
    assert f"county:{JINYUN}" in datas
    (edit,) = await harness.press(USER_ID, reply["_result"]["message_id"], f"county:{JINYUN}")
    assert_telegram_ok(edit)
    assert "丽水市缙云县" in edit["text"]


async def test_ambiguous_county_lists_the_candidates(harness: Harness) -> None:
    (reply,) = await harness.say(USER_ID, "/county 朝阳")  # 北京朝阳区, 辽宁朝阳市, 长春朝阳区 …
    assert_telegram_ok(reply)
    assert "多个地区" in reply["text"]
    assert len(buttons(reply)) >= 2


async def test_county_without_coverage_says_so(harness: Harness) -> None:
    (reply,) = await harness.say(USER_ID, f"/county {KAIHUA}")
    assert "开化县" in reply["text"]
    assert "还没有收录提到开化的报道。" in reply["text"]
    assert "暂无报道" not in reply["text"]


async def test_county_without_a_name_explains_usage(harness: Harness) -> None:
    (reply,) = await harness.say(USER_ID, "/county")
    assert "/county 缙云" in reply["text"]


async def test_follow_button_edits_the_card_in_place(harness: Harness) -> None:
    (card,) = await harness.say(USER_ID, "/county 缙云")
    msg_id = card["_result"]["message_id"]
    (edit,) = await harness.press(USER_ID, msg_id, f"follow:{JINYUN}")
    assert f"unfollow:{JINYUN}" in [b.get("callback_data") for b in buttons(edit)]
    assert JINYUN in harness.prefs(USER_ID).follows
    toast = harness.fake.calls("answerCallbackQuery")[-1].params
    assert "已关注" in toast.get("text", "")


# ---- search and articles ----------------------------------------------------------------------


async def test_search_pages_edit_the_message_in_place(harness: Harness) -> None:
    (first,) = await harness.say(USER_ID, "/search 浙江")
    assert_telegram_ok(first)
    nav = [b["callback_data"] for b in buttons(first) if b["text"].startswith("下一页")]
    assert nav, "the sample page has more than one page of results for 浙江"
    assert len(nav[0].encode()) <= 64
    msg_id = first["_result"]["message_id"]
    (second,) = await harness.press(USER_ID, msg_id, nav[0])
    assert_telegram_ok(second)
    assert second["message_id"] == msg_id
    assert "第 2" in second["text"]
    assert second["text"] != first["text"]
    back = [b["callback_data"] for b in buttons(second) if b["text"].startswith("‹")]
    (again,) = await harness.press(USER_ID, msg_id, back[0])
    assert again["text"] == first["text"]


async def test_long_search_query_pages_through_a_stored_key(harness: Harness) -> None:
    query = "浙江 " * 20
    (first,) = await harness.say(USER_ID, f"/search {query}")
    nav = [b["callback_data"] for b in buttons(first) if b["text"].startswith("下一页")]
    assert nav
    assert len(nav[0].encode()) <= 64
    assert "浙江 浙江" not in nav[0]
    (second,) = await harness.press(USER_ID, first["_result"]["message_id"], nav[0])
    assert "第 2" in second["text"]


async def test_search_with_no_results_says_so_and_escapes_the_query(harness: Harness) -> None:
    (reply,) = await harness.say(USER_ID, "/search <b>不存在的词</b> & 量子")
    assert_telegram_ok(reply)
    assert "没有找到" in reply["text"]
    assert "&lt;b&gt;" in reply["text"]
    assert "&amp;" in reply["text"]


async def test_article_shows_provenance_and_full_text(harness: Harness) -> None:
    article = (await harness.rt.call(harness.rt.store.county_articles, JINYUN))[0]
    replies = await harness.say(USER_ID, f"/article {article.id}")
    for r in replies:
        assert_telegram_ok(r)
    text = "\n".join(visible_text(r["text"]) for r in replies)
    assert SAMPLE_DATE in text
    assert article.source in text
    assert "行" in text
    body_start = article.body.split("\n")[0][:20]
    assert body_start in text


async def test_article_rejects_bad_and_unknown_ids(harness: Harness) -> None:
    (bad,) = await harness.say(USER_ID, "/article 12ab")
    assert "数字" in bad["text"]
    (missing,) = await harness.say(USER_ID, "/article 999")
    assert "找不到" in missing["text"]


async def test_long_article_is_split_into_valid_messages(harness: Harness) -> None:
    paragraph = max(SAMPLE.read_text(encoding="utf-8").split("\n\n"), key=len)
    long_page = "要闻\n\n长文测试<标题>&amp;\n\n" + "\n\n".join([paragraph] * 40)
    await harness.rt.call(ingest_bytes, harness.rt.store, "long_2026-04-20.txt", long_page.encode())
    hits = await harness.rt.call(harness.rt.store.articles_on, "2026-04-20")
    longest = max(hits, key=lambda b: len(b.article.body)).article
    assert utf16_len(longest.body) > 4096
    n = -(-utf16_len(longest.body) // 4096)
    replies = await harness.say(USER_ID, f"/article {longest.id}", expect=n)
    for r in replies:
        assert_telegram_ok(r)
    joined = "".join(re.sub(r"\s+", "", visible_text(r["text"])) for r in replies)
    assert re.sub(r"\s+", "", longest.body)[:2000] in joined


# ---- topics lists and today -------------------------------------------------------------------


@pytest.mark.parametrize(("command", "label"), [("/film", "影视产业"), ("/finance", "科创金融")])
async def test_topic_lists_show_figures_and_sources(
    harness: Harness, command: str, label: str
) -> None:
    (reply,) = await harness.say(USER_ID, command)
    assert_telegram_ok(reply)
    assert label in reply["text"]
    bundles = await harness.rt.call(harness.rt.store.topic_bundles, command[1:])
    if bundles:
        assert "浙江日报" in reply["text"]
        assert SAMPLE_DATE in reply["text"]
        assert buttons(reply)


async def test_today_gives_the_edition_of_the_day(harness: Harness) -> None:
    replies = await harness.say(USER_ID, "/today")
    for r in replies:
        assert_telegram_ok(r)
    assert "4月15日" in replies[0]["text"]
    assert "最新一期" not in replies[0]["text"]


async def test_today_without_a_new_page_gives_the_latest_issue_with_its_date(
    harness: Harness,
) -> None:
    harness.rt.clock = fixed_clock("2026-05-01T08:00:00+08:00")
    replies = await harness.say(USER_ID, "/today")
    assert_telegram_ok(replies[0])
    head = replies[0]["text"].split("\n")[0]
    assert "今天（2026年5月1日）还没有新的报纸" in head
    assert "2026年4月15日" in head  # the day shown, named


# ---- subscriptions ----------------------------------------------------------------------------


async def test_subscribe_time_and_timezone_are_stored_and_validated(harness: Harness) -> None:
    (sub,) = await harness.say(USER_ID, "/subscribe 8:05")
    assert_telegram_ok(sub)
    assert "08:05" in sub["text"]
    prefs = harness.prefs(USER_ID)
    assert prefs.subscribed
    assert prefs.time == "08:05"
    assert prefs.thread_id is None
    jobs = harness.app.job_queue.get_jobs_by_name(job_name(USER_ID))
    assert len(jobs) == 1  # the delivery job was planned right away
    (bad,) = await harness.say(USER_ID, "/time 25:61")
    assert_telegram_ok(bad)
    assert "⚠️" in bad["text"]
    assert harness.prefs(USER_ID).time == "08:05"
    await harness.say(USER_ID, "/time ０７：３０")
    assert harness.prefs(USER_ID).time == "07:30"
    (tz,) = await harness.say(USER_ID, "/timezone europe/london")
    assert "Europe/London" in tz["text"]
    (badtz,) = await harness.say(USER_ID, "/timezone Mars/Olympus")
    assert "时区" in badtz["text"]
    assert harness.prefs(USER_ID).tz == "Europe/London"
    (unsub,) = await harness.say(USER_ID, "/unsubscribe")
    await harness.eventually(lambda: not harness.app.job_queue.get_jobs_by_name(job_name(USER_ID)))
    assert "取消" in unsub["text"]
    prefs = harness.prefs(USER_ID)
    assert not prefs.subscribed
    assert prefs.time == "07:30"
    assert prefs.tz == "Europe/London"


async def test_topic_buttons_toggle_and_edit_in_place(harness: Harness) -> None:
    (menu,) = await harness.say(USER_ID, "/topics")
    assert_telegram_ok(menu)
    film = next(b for b in buttons(menu) if b["callback_data"] == "topic:film")
    assert film["text"].startswith("✅")
    msg_id = menu["_result"]["message_id"]
    (edit,) = await harness.press(USER_ID, msg_id, "topic:film")
    film = next(b for b in buttons(edit) if b["callback_data"] == "topic:film")
    assert film["text"].startswith("⬜")
    assert "film" not in harness.prefs(USER_ID).topics
    (edit,) = await harness.press(USER_ID, msg_id, "topic:other")
    assert "other" in harness.prefs(USER_ID).topics


async def test_follow_unfollow_and_following(harness: Harness) -> None:
    (f,) = await harness.say(USER_ID, "/follow 丽水缙云")
    assert "已关注" in f["text"]
    assert "丽水市缙云县" in f["text"]
    await harness.say(USER_ID, "/follow jinyun")
    assert harness.prefs(USER_ID).follows == (JINYUN,)
    (lst,) = await harness.say(USER_ID, "/following")
    assert "丽水市缙云县" in lst["text"]
    assert f"county:{JINYUN}" in [b["callback_data"] for b in buttons(lst)]
    (u,) = await harness.say(USER_ID, "/unfollow 缙云")
    assert "取消关注" in u["text"]
    assert harness.prefs(USER_ID).follows == ()
    (unknown,) = await harness.say(USER_ID, "/follow 不存在县")
    assert "没有找到" in unknown["text"]


async def test_blocking_and_unblocking_keeps_preferences(harness: Harness) -> None:
    await harness.say(USER_ID, "/subscribe 06:30")
    await harness.say(USER_ID, "/follow 缙云")
    await harness.press(USER_ID, 0, "topic:finance", method="answerCallbackQuery")
    before = harness.prefs(USER_ID)
    harness.fake.push_update(make_my_chat_member(USER_ID, "member", "kicked"))
    await harness.eventually(lambda: not harness.prefs(USER_ID).active)
    blocked = harness.prefs(USER_ID)
    assert not blocked.active
    assert replace(blocked, active=True) == before
    assert USER_ID not in [p.chat_id for p in chats.subscribers(harness.conn)]
    harness.fake.push_update(make_my_chat_member(USER_ID, "kicked", "member"))
    await harness.eventually(lambda: harness.prefs(USER_ID).active)
    assert harness.prefs(USER_ID) == before


# ---- free text --------------------------------------------------------------------------------


async def test_free_text_naming_a_county_gives_its_card(harness: Harness) -> None:
    (reply,) = await harness.say(USER_ID, "縉雲縣")
    assert "丽水市缙云县" in reply["text"]


async def test_other_free_text_is_a_search(harness: Harness) -> None:
    (reply,) = await harness.say(USER_ID, "知识产权")
    assert_telegram_ok(reply)
    assert "🔎" in reply["text"]
    assert "知识产权" in reply["text"]


async def test_unknown_command_points_to_help(harness: Harness) -> None:
    (reply,) = await harness.say(USER_ID, "/frobnicate")
    assert "/help" in reply["text"]


# ---- admin ------------------------------------------------------------------------------------


async def test_stats_for_admins_only(harness: Harness) -> None:
    (refused,) = await harness.say(USER_ID, "/stats")
    assert "管理员" in refused["text"]
    (stats,) = await harness.say(ADMIN_ID, "/stats")
    assert_telegram_ok(stats)
    articles = (await harness.rt.call(harness.rt.store.stats))["articles"]
    assert f"稿件：{articles}" in stats["text"]  # full-width, like all Chinese interface text
    assert "订阅者" in stats["text"]


async def test_admin_uploads_a_page_file_to_ingest(harness: Harness) -> None:
    text = SAMPLE.read_text(encoding="utf-8").replace("缙云", "云和")
    doc = harness.fake.add_file(text.encode(), file_name="zjrb_2026-04-16.txt")
    (reply,) = await harness.say(ADMIN_ID, None, document=doc, caption="/ingest")
    assert_telegram_ok(reply)
    assert "新增 1" in reply["text"]
    assert harness.fake.calls("getFile")
    assert await harness.rt.call(harness.rt.store.articles_on, "2026-04-16")


async def test_non_admin_upload_is_refused_and_not_ingested(harness: Harness) -> None:
    doc = harness.fake.add_file("要闻\n\n标题\n\n正文。".encode(), file_name="x_2026-04-17.txt")
    (reply,) = await harness.say(USER_ID, None, document=doc)
    assert "管理员" in reply["text"]
    assert not harness.fake.calls("getFile")
    assert not await harness.rt.call(harness.rt.store.articles_on, "2026-04-17")


# ---- errors -----------------------------------------------------------------------------------


async def test_unexpected_error_apologises_and_reports_to_admins(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk <on> fire & smoke")

    monkeypatch.setattr(harness.rt.store, "search", broken)
    before = len(harness.fake.calls("sendMessage", chat_id=ADMIN_ID))
    (apology,) = await harness.say(USER_ID, "/search 浙江")
    assert "抱歉" in apology["text"]
    assert "fire" not in apology["text"]
    calls = await harness.fake.wait_for("sendMessage", count=before + 1, chat_id=ADMIN_ID)
    report = calls[-1].params["text"]
    assert_telegram_ok(calls[-1].params)
    assert "RuntimeError" in report
    assert "disk &lt;on&gt; fire &amp; smoke" in report
    monkeypatch.undo()
    (ok,) = await harness.say(USER_ID, "/county 缙云")  # the bot keeps running
    assert "丽水市缙云县" in ok["text"]


# ---- issue 14: one article, real headlines, through Telegram ----------------------------------


async def test_the_film_article_reaches_telegram_as_one_continued_article(
    harness: Harness,
) -> None:
    for command in ("/search 票房", "/film", "/today"):
        replies = await harness.say(USER_ID, command)
        text = "\n".join(r["text"] for r in replies)
        for r in replies:
            assert_telegram_ok(r)
        assert "（续）上文见第一版" in text, command
        assert "打好“电影+”组合拳" in text, command
        assert "无标题" not in text
        assert "<b>绍兴人谢晋" not in text
    (finance,) = await harness.say(USER_ID, "/finance")
    assert "保贷联动" in finance["text"]
