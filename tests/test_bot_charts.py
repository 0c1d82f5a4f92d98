"""/rank, /compare, /chart and the 📈 buttons end to end: the real PTB Application against the
fake Bot API, charts sent as multipart sendPhoto through the bot's rate limiter, in private
chats and groups, with a 429 on the way; and any text through the new commands' parsers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from botharness import USER_ID, Harness, assert_telegram_ok, buttons, copy_db
from fakebotapi import Upload, validate_telegram_html
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import open_runtime
from bot.chart_commands import compare_names, indicator_splits
from bot.config import Config
from bot.console import Console
from bot.telegram_html import utf16_len, visible_text

GROUP = -4101
YUHANG = "330110"


def _ranked(text: str) -> list[str]:
    return re.findall(r"^\d+\. (\S+) (\S+)", visible_text(text), re.M)


async def test_rank_gdp_lists_the_four_counties_each_over_3000(harness: Harness) -> None:
    (reply,) = await harness.say(USER_ID, "/rank GDP")
    assert_telegram_ok(reply)
    rows = _ranked(reply["text"])
    assert sorted(c for c, _ in rows) == sorted(["余杭", "北仑", "慈溪", "鄞州"])
    assert all(v.startswith(">3000亿元") for _, v in rows)
    assert reply["text"].count("start=article_") >= 4  # each value links to its source
    assert any(b["text"].startswith("📈") for b in buttons(reply))


async def test_unknown_indicator_gets_suggestions(harness: Harness) -> None:
    (reply,) = await harness.say(USER_ID, "/rank 规上工业增加")
    assert "可比指标" in reply["text"]
    offered = [b["callback_data"] for b in buttons(reply)]
    assert "rank:iva_growth" in offered
    (edited,) = await harness.press(USER_ID, reply["_result"]["message_id"], "rank:iva_growth")
    assert "柯城" in edited["text"]
    assert "19.7%" in edited["text"]


async def test_an_empty_ranking_offers_related_indicators_with_figures(harness: Harness) -> None:
    (reply,) = await harness.say(USER_ID, "/rank 工业增加值")
    assert "暂无" in reply["text"]
    offered = {b["callback_data"] for b in buttons(reply)}
    assert {"rank:ind_va_growth", "rank:iva_growth"} <= offered


async def test_chart_gdp_is_sent_as_a_multipart_photo_and_then_by_file_id(
    harness: Harness,
) -> None:
    (sent,) = await harness.say(USER_ID, "/chart GDP", method="sendPhoto")
    photo = sent["photo"]
    assert isinstance(photo, Upload)
    assert photo.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert photo.filename == "chart-gdp.png"
    assert validate_telegram_html(sent["caption"]) is None
    assert "地区生产总值" in sent["caption"]
    assert "2026-04" in sent["caption"]
    assert sent["_result"]["photo"][0]["width"] >= 900
    (again,) = await harness.say(USER_ID, "/chart GDP", method="sendPhoto")
    assert again["photo"] == sent["_result"]["photo"][0]["file_id"]  # no second upload


async def test_chart_of_a_county_with_one_dated_figure_answers_in_text(harness: Harness) -> None:
    (reply,) = await harness.say(USER_ID, "/chart 柯城")
    assert_telegram_ok(reply)
    assert "至少需要两个" in reply["text"]
    assert "19.7%" in reply["text"]
    assert not harness.fake.calls("sendPhoto")


async def test_county_card_button_sends_the_chart_in_a_group(harness: Harness) -> None:
    (card,) = await harness.say(GROUP, "/county 余杭")
    chart = [b for b in buttons(card) if b["text"].startswith("📈")]
    assert chart == [{"text": "📈 图表", "callback_data": f"chart:c:{YUHANG}"}]
    (reply,) = await harness.press(
        GROUP, card["_result"]["message_id"], chart[0]["callback_data"], method="sendMessage"
    )
    # The sample page has one period per indicator: a text answer, in the group.
    assert "至少需要两个" in reply["text"]


async def test_a_county_without_comparable_figures_has_no_chart_button(harness: Harness) -> None:
    (card,) = await harness.say(USER_ID, "/county 桐庐")  # only a company's 订单 there
    assert "桐庐" in card["text"]
    assert not [b for b in buttons(card) if b["text"].startswith("📈")]


async def test_rank_button_sends_the_bar_chart_through_the_limiter_after_a_429(
    harness: Harness,
) -> None:
    (reply,) = await harness.say(GROUP, "/rank@briefing_test_bot GDP")
    data = next(b["callback_data"] for b in buttons(reply) if b["text"].startswith("📈"))
    harness.fake.inject("sendPhoto", chat_id=GROUP, status=429)
    throttled, photo = await harness.press(
        GROUP, reply["_result"]["message_id"], data, method="sendPhoto", expect=2
    )
    # Retried after retry_after by the bot's one limiter, not lost.
    assert [throttled["_status"], photo["_status"]] == [429, 200]
    assert photo["chat_id"] == GROUP
    assert isinstance(photo["photo"], Upload)


async def test_compare_puts_counties_side_by_side(harness: Harness) -> None:
    (reply,) = await harness.say(USER_ID, "/compare 柯城 鄞州")
    assert_telegram_ok(reply)
    text = visible_text(reply["text"])
    assert "规上工业增加值增速" in text
    assert "柯城 19.7%" in text
    assert "鄞州 >3000亿元" in text
    assert "暂无" in text


async def test_compare_of_an_unknown_place_offers_suggestions(harness: Harness) -> None:
    (reply,) = await harness.say(USER_ID, "/compare 柯城 缙去")
    assert "没有找到" in reply["text"]


def test_ask_writes_the_chart_and_prints_its_caption(tmp_path: Path, seeded_db: Path) -> None:
    from bot.console import ask

    db = copy_db(seeded_db, tmp_path / "ask.db")
    out = ask(Config(db_path=str(db)), "/chart GDP", tmp_path / "charts")
    png = tmp_path / "charts" / "chart-gdp.png"
    assert png.read_bytes()[:4] == b"\x89PNG"
    assert out.startswith(f"📈 {png}\n")
    assert "地区生产总值" in out
    text = ask(Config(db_path=str(db)), "/rank GDP")
    assert text.count("/article ") >= 4


# ---- any text ---------------------------------------------------------------------------------

HOSTILE = "<>&\"'/@#:;%*_`~\\\n\t 　👩‍💻ＡGDPgdp缙云柯城浙江出口增速目标营收、，vs"
text = st.text(
    alphabet=st.one_of(st.sampled_from(HOSTILE), st.characters(codec="utf-8")), max_size=80
)


@pytest.fixture(scope="module")
def console(seeded_db: Path, tmp_path_factory: pytest.TempPathFactory):
    path = copy_db(seeded_db, tmp_path_factory.mktemp("chartprops") / "p.db")
    rt = open_runtime(Config(db_path=str(path)))
    try:
        yield Console(rt, photo_dir=tmp_path_factory.mktemp("photos"))
    finally:
        rt.close()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(command=st.sampled_from(["/rank ", "/compare ", "/chart "]), arg=text)
def test_any_text_gives_a_valid_reply(console: Console, command: str, arg: str) -> None:
    import asyncio

    replies = asyncio.run(console.send(command + arg))
    assert replies
    for reply in replies:
        assert reply.text or reply.toast
        if reply.text:
            assert validate_telegram_html(reply.text) is None, reply.text
            limit = 1024 if reply.photo else 4096
            assert 0 < utf16_len(visible_text(reply.text)) <= limit
        assert "Traceback" not in reply.text


@given(arg=text)
def test_parsers_accept_any_text(arg: str) -> None:
    splits = indicator_splits(arg)
    assert splits[0][0] == arg.strip()
    assert all(name.strip() == name and name for name in compare_names(arg))
