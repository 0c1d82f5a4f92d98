"""End-to-end tests of inline mode: `@bot 缙云` offers shareable cards linking back to the bot."""

from __future__ import annotations

from botharness import (
    JINYUN,
    SAMPLE_DATE,
    USER_ID,
    Harness,
)
from fakebotapi import BOT_USERNAME, make_inline_query, validate_telegram_html

from bot.telegram_html import utf16_len, visible_text

# The seeded database and the running bot (fixtures) come from the private-chat tests.


async def ask_inline(harness: Harness, query: str) -> list[dict]:
    before = len(harness.fake.calls("answerInlineQuery"))
    harness.fake.push_update(make_inline_query(USER_ID, query))
    calls = await harness.fake.wait_for("answerInlineQuery", count=before + 1)
    call = calls[before]
    assert call.ok, call.description
    return call.params["results"]


def check_results(results: list[dict]) -> None:
    assert len(results) <= 50
    ids = [r["id"] for r in results]
    assert len(set(ids)) == len(ids)
    for r in results:
        assert r["type"] == "article"
        assert 0 < len(r["id"].encode()) <= 64
        content = r["input_message_content"]
        assert content["parse_mode"] == "HTML"
        assert validate_telegram_html(content["message_text"]) is None
        assert utf16_len(visible_text(content["message_text"])) <= 4096
        urls = [b.get("url", "") for row in r["reply_markup"]["inline_keyboard"] for b in row]
        assert any(u.startswith(f"https://t.me/{BOT_USERNAME}?start=") for u in urls)


async def test_county_query_offers_the_card_first_with_a_deep_link(harness: Harness) -> None:
    results = await ask_inline(harness, "缙云")
    check_results(results)
    card = results[0]
    assert card["id"] == f"c{JINYUN}"
    assert "丽水市缙云县" in card["title"]
    keyboard = [b for row in card["reply_markup"]["inline_keyboard"] for b in row]
    urls = [b["url"] for b in keyboard if "url" in b]
    assert f"https://t.me/{BOT_USERNAME}?start=county_{JINYUN}" in urls
    assert any(b.get("switch_inline_query") == "缙云" for b in keyboard)
    # The county's latest articles follow the card, each linking to itself.
    assert any(r["id"].startswith("a") for r in results[1:])
    for r in results[1:]:
        urls = [b.get("url", "") for row in r["reply_markup"]["inline_keyboard"] for b in row]
        assert f"start=article_{r['id'][1:]}" in " ".join(urls)


async def test_empty_query_offers_latest_highlights(harness: Harness) -> None:
    results = await ask_inline(harness, "")
    check_results(results)
    assert results
    assert all(SAMPLE_DATE in r["input_message_content"]["message_text"] for r in results)


async def test_article_id_query_shares_that_article(harness: Harness) -> None:
    article = (await harness.rt.call(harness.rt.store.county_articles, JINYUN))[0]
    results = await ask_inline(harness, f"#{article.id}")
    check_results(results)
    assert [r["id"] for r in results] == [f"a{article.id}"]


async def test_other_text_is_searched_and_user_text_escaped(harness: Harness) -> None:
    results = await ask_inline(harness, "知识产权")
    check_results(results)
    assert results
    assert all(r["id"].startswith("a") for r in results)
    nothing = await ask_inline(harness, "<script>&量子纠缠")
    check_results(nothing)


async def test_chosen_result_is_counted(harness: Harness) -> None:
    harness.fake.push_update(
        {
            "chosen_inline_result": {
                "result_id": f"c{JINYUN}",
                "from": {"id": USER_ID, "is_bot": False, "first_name": "读者"},
                "query": "缙云",
            }
        }
    )
    await harness.eventually(lambda: harness.app.bot_data.get("shares"))
    assert harness.app.bot_data["shares"] == {f"c{JINYUN}": 1}
