"""Fault suite (issue 9): hostile command arguments cost bounded work, never hold up other chats
or the delivery ledger, and come back out clean (no bidi overrides, no lone surrogates).

The real Application runs against the fake Bot API. Latencies are compared with a baseline
measured in the same test (the machine is shared), with generous margins.
"""

from __future__ import annotations

import asyncio
import importlib.util
import statistics
import threading
import time
from pathlib import Path

import pytest
from botharness import USER_ID, Harness, assert_telegram_ok, buttons
from fakebotapi import make_message
from hypothesis import given, settings
from hypothesis import strategies as st

from briefings import arguments, ledger
from briefings import county as county_service
from briefings.regions import load_gazetteer

pytestmark = pytest.mark.faults

REPO = Path(__file__).resolve().parent.parent

OTHER_CHAT = 5151
EDITION = "2026-04-15"
# Characters of many region names: a query made of them shares a character with nearly every
# region, which is what made the old suggestions compare it with all 3,241 names.
NAME_CHARS = "江山阳城宁安平州海东西南北县区云和义乌"


def hostile_name(length: int) -> str:
    return (NAME_CHARS * (length // len(NAME_CHARS) + 1))[:length]


async def reply_latency(harness: Harness, chat_id: int, text: str) -> float:
    """Seconds from the update reaching the fake server to the bot's reply in ``chat_id``."""
    before = len(harness.fake.calls("sendMessage", chat_id=chat_id))
    start = time.perf_counter()
    harness.fake.push_update(make_message(chat_id, text))
    await harness.fake.wait_for("sendMessage", count=before + 1, chat_id=chat_id, timeout=60)
    return time.perf_counter() - start


async def ledger_latency(harness: Harness, chat_id: int) -> float:
    """Seconds for one delivery-ledger write through the SQLite worker thread."""
    store = harness.rt.store

    def write() -> bool:
        with store.lock:
            return ledger.mark_skipped(store.conn, chat_id, EDITION, "fault-suite probe")

    start = time.perf_counter()
    await harness.rt.call(write)
    return time.perf_counter() - start


def allowed(baseline: list[float]) -> float:
    """A generous bound over the baseline: ten times its median, and at least 2 s more."""
    median = statistics.median(baseline)
    return max(10 * median, median + 2.0)


async def test_hostile_county_argument_delays_neither_another_chat_nor_the_ledger(
    harness: Harness,
) -> None:
    replies = [await reply_latency(harness, OTHER_CHAT, "/county 缙云") for _ in range(5)]
    writes = [await ledger_latency(harness, OTHER_CHAT + i) for i in range(5)]
    hostile = hostile_name(4000)
    before = len(harness.fake.calls("sendMessage", chat_id=USER_ID))
    harness.fake.push_update(make_message(USER_ID, f"/county {hostile}"))
    await harness.fake.wait_for_poll()  # the bot has taken the hostile update
    reply, write = await asyncio.gather(
        reply_latency(harness, OTHER_CHAT, "/county 缙云"), ledger_latency(harness, OTHER_CHAT + 9)
    )
    assert reply <= allowed(replies), (reply, replies)
    assert write <= allowed(writes), (write, writes)
    (refusal,) = await harness.fake.wait_for("sendMessage", count=before + 1, chat_id=USER_ID)
    assert "太长" in refusal.params["text"]
    assert "40" in refusal.params["text"]


async def test_many_unknown_names_at_the_cap_leave_other_chats_and_the_ledger_alone(
    harness: Harness,
) -> None:
    replies = [await reply_latency(harness, OTHER_CHAT, "/county 缙云") for _ in range(5)]
    writes = [await ledger_latency(harness, OTHER_CHAT + i) for i in range(5)]
    senders = range(7000, 7020)
    name = hostile_name(arguments.MAX_REGION_CHARS)
    for chat in senders:
        harness.fake.push_update(make_message(chat, f"/county {name}"))
        harness.fake.push_update(make_message(chat, f"/follow {name[::-1]}"))
    await harness.fake.wait_for_poll()
    reply, write = await asyncio.gather(
        reply_latency(harness, OTHER_CHAT, "/county 缙云"), ledger_latency(harness, OTHER_CHAT + 9)
    )
    assert reply <= allowed(replies), (reply, replies)
    assert write <= allowed(writes), (write, writes)
    for chat in senders:
        answered = await harness.fake.wait_for("sendMessage", count=2, chat_id=chat, timeout=30)
        for call in answered:
            assert_telegram_ok(call.params)


async def test_suggestions_never_run_on_the_sqlite_thread(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[str] = []
    real = county_service.suggest_regions

    def recording(name: str):
        threads.append(threading.current_thread().name)
        return real(name)

    monkeypatch.setattr(county_service, "suggest_regions", recording)
    (county,) = await harness.say(USER_ID, "/county 缙去")
    (follow,) = await harness.say(USER_ID, "/follow 缙去")
    assert any("缙云" in b["text"] for b in buttons(county))
    assert any("缙云" in b["text"] for b in buttons(follow))
    assert len(threads) == 2
    assert all(name.startswith("cpu") for name in threads), threads


@pytest.mark.parametrize(
    ("command", "limit"),
    [
        ("/county", arguments.MAX_REGION_CHARS),
        ("/follow", arguments.MAX_REGION_CHARS),
        ("/unfollow", arguments.MAX_REGION_CHARS),
        ("/search", arguments.MAX_QUERY_CHARS),
        ("/time", arguments.MAX_SETTING_CHARS),
        ("/timezone", arguments.MAX_SETTING_CHARS),
        ("/subscribe", arguments.MAX_SETTING_CHARS),
        ("/article", arguments.MAX_SETTING_CHARS),
        ("/start", arguments.MAX_SETTING_CHARS),
    ],
)
async def test_every_argument_over_its_cap_gets_a_clear_reply(
    harness: Harness, command: str, limit: int
) -> None:
    (reply,) = await harness.say(USER_ID, f"{command} {'缙' * (limit + 1)}")
    assert_telegram_ok(reply)
    assert "太长" in reply["text"]
    assert str(limit) in reply["text"]


async def test_free_text_over_the_search_cap_gets_a_clear_reply(harness: Harness) -> None:
    (reply,) = await harness.say(USER_ID, "缙云" * arguments.MAX_QUERY_CHARS)
    assert "太长" in reply["text"]


async def test_too_many_search_words_get_a_clear_reply(harness: Harness) -> None:
    words = " ".join(f"词{i}" for i in range(arguments.MAX_QUERY_WORDS + 1))
    (reply,) = await harness.say(USER_ID, f"/search {words}")
    assert "太多" in reply["text"]


BIDI = ["\u202e", "\u202d", "\u202a", "\u202b", "\u2066", "\u2067", "\u2068", "\u200f", "\u061c"]


@pytest.mark.parametrize("control", BIDI)
async def test_bidi_controls_in_a_query_are_not_echoed(harness: Harness, control: str) -> None:
    (reply,) = await harness.say(USER_ID, f"/search 量子{control}gnissim 不存在")
    assert_telegram_ok(reply)
    assert "量子" in reply["text"]
    assert not any(c in reply["text"] for c in BIDI)


async def test_bidi_override_around_a_county_name_still_finds_it(harness: Harness) -> None:
    (reply,) = await harness.say(USER_ID, "/county \u202e缙云\u202c")
    assert "缙云" in reply["text"]
    assert "\u202e" not in reply["text"]


async def test_unknown_name_with_a_bidi_override_is_echoed_without_it(harness: Harness) -> None:
    (reply,) = await harness.say(USER_ID, "/county \u202e不存在的地方")
    assert "不存在的地方" in reply["text"]
    assert "\u202e" not in reply["text"]


# ---- the domain functions themselves ----------------------------------------------------------


def load_bench(name: str):
    """A module of bench/ (not a package), by path."""
    spec = importlib.util.spec_from_file_location(name, REPO / "bench" / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# The plain definition the indexed, C-backed suggest must agree with: the pure-Python edit
# distance over every name that suggest used before, kept as the benchmark's baseline.
reference_suggest = load_bench("bench_suggest").plain_suggest


@settings(max_examples=60, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(NAME_CHARS + "缙柯桥乐清临安县市"), min_size=1, max_size=8)
    | st.text(alphabet=st.sampled_from("jinyunkechngqiaoxl -'"), min_size=1, max_size=12)
)
def test_suggest_agrees_with_its_plain_definition(query: str) -> None:
    gaz = load_gazetteer()
    assert gaz.suggest(query) == reference_suggest(gaz, query)


def test_suggest_gives_nothing_for_text_longer_than_any_name() -> None:
    assert load_gazetteer().suggest(hostile_name(4000)) == []
    assert load_gazetteer().suggest("jinyun" * 700) == []


def test_clean_removes_bidi_controls_and_lone_surrogates() -> None:
    assert arguments.clean("\u202e缙云\u202c\u2066x\u2069") == "缙云x"
    assert arguments.clean("a\udcedb") == "a\ufffdb"
    assert arguments.has_surrogates("\ud800")
    assert not arguments.has_surrogates("缙云😀")
