"""Delivery: the rate limiter in virtual time, then whole passes against the fake Bot API.

End-to-end tests run real python-telegram-bot requests against tests/fakebotapi.py with a store
built from the sample page, and check what the "server" received against the ledger.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import shutil
from collections.abc import AsyncIterator, Coroutine
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fakebotapi import BOT_USERNAME, FakeBotAPI
from hypothesis import given, settings
from hypothesis import strategies as st
from telegram.error import RetryAfter
from telegram.ext import ExtBot
from telegram.warnings import PTBDeprecationWarning

from bot.config import Config, load_config
from bot.delivery import Deliverer, delivery_bot, push
from bot.edition_html import EditionHtml
from bot.ratelimit import (
    GROUP_PER_MINUTE,
    LimitArgs,
    Priority,
    RateLimiter,
    message_chat,
    retry_after_seconds,
)
from bot.runtime import Runtime
from bot.telegram_html import visible_text
from briefings import chats, ledger
from briefings.delivery_plan import compose_parts
from briefings.errors import InvalidArgument
from briefings.pipeline import ingest_paths
from briefings.store import Store


class VirtualTime:
    """A clock and a sleep that jump: the earliest sleeper wakes once every task is blocked."""

    def __init__(self) -> None:
        self.now = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + max(0.0, seconds), next(self._seq), fut))
        await fut

    async def run(self, *coros: Coroutine[Any, Any, Any]) -> list[Any]:
        tasks = [asyncio.ensure_future(c) for c in coros]
        while not all(t.done() for t in tasks):
            for _ in range(10):
                await asyncio.sleep(0)
            if self._sleepers:
                when, _, fut = heapq.heappop(self._sleepers)
                self.now = max(self.now, when)
                fut.set_result(None)
        return [t.result() for t in tasks]


def _limiter(vt: VirtualTime, **kwargs: Any) -> RateLimiter:
    return RateLimiter(clock=vt.clock, sleep=vt.sleep, **kwargs)


async def _send(
    limiter: RateLimiter,
    vt: VirtualTime,
    chat: int,
    log: list,
    priority: Priority = Priority.DIGEST,
) -> None:
    async with limiter.slot(chat, priority):
        log.append((vt.now, chat))


def _max_in_window(times: list[float], window: float) -> int:
    """Most events in any half-open window [t, t + window): how Telegram's sliding window counts."""
    times = sorted(times)
    best = 0
    j = 0
    for i, t in enumerate(times):
        while times[j] <= t - window:
            j += 1
        best = max(best, i - j + 1)
    return best


async def test_overall_rate_stays_under_thirty_per_second():
    vt = VirtualTime()
    limiter = _limiter(vt)
    log: list = []
    await vt.run(*(_send(limiter, vt, chat, log) for chat in range(1, 151)))
    times = [t for t, _ in log]
    assert len(times) == 150
    assert _max_in_window(times, 1.0) <= 30
    # Not slower than needed either: 150 sends at 97 % of 30/s take about 5.15 s.
    assert max(times) < 150 / 30 / 0.97 + 0.1


async def test_one_chat_gets_at_most_one_message_per_second():
    vt = VirtualTime()
    limiter = _limiter(vt)
    log: list = []
    await vt.run(*(_send(limiter, vt, 7, log) for _ in range(6)))
    times = sorted(t for t, _ in log)
    assert all(b - a >= 1.0 for a, b in itertools.pairwise(times))


async def test_group_gets_at_most_twenty_messages_per_minute():
    vt = VirtualTime()
    limiter = _limiter(vt)
    log: list = []
    await vt.run(*(_send(limiter, vt, -100123, log) for _ in range(45)))
    times = sorted(t for t, _ in log)
    assert _max_in_window(times, 60.0) <= GROUP_PER_MINUTE
    assert times[GROUP_PER_MINUTE] - times[0] >= 60.0


async def test_retry_after_pauses_every_chat_not_just_the_one_limited():
    vt = VirtualTime()
    limiter = _limiter(vt)
    log: list = []
    paused_at: list[float] = []

    async def send_and_maybe_pause(chat: int) -> None:
        await _send(limiter, vt, chat, log)
        if chat == 10:
            paused_at.append(vt.now)
            limiter.pause(2.0)

    await vt.run(*(send_and_maybe_pause(chat) for chat in range(1, 61)))
    start = paused_at[0]
    assert len(log) == 60
    assert not [t for t, _ in log if start < t < start + 2.0]
    assert limiter.pauses == 1


async def test_a_chat_waiting_for_its_next_part_does_not_hold_back_others():
    vt = VirtualTime()
    limiter = _limiter(vt)
    log: list = []

    async def three_parts() -> None:
        for _ in range(3):
            await _send(limiter, vt, 1, log)

    await vt.run(three_parts(), *(_send(limiter, vt, chat, log) for chat in range(2, 22)))
    others = [t for t, chat in log if chat != 1]
    assert max(others) < 1.0  # 20 single messages fit in the first second


async def test_scale_multiplies_every_rate():
    vt = VirtualTime()
    limiter = _limiter(vt, scale=10)
    log: list = []
    await vt.run(*(_send(limiter, vt, chat, log) for chat in range(1, 601)))
    times = [t for t, _ in log]
    assert _max_in_window(times, 1.0) <= 300
    assert max(times) < 600 / 300 / 0.97 + 0.05


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from([1, 2, 3, 4, -5, -6]), min_size=1, max_size=80))
def test_any_mix_of_chats_respects_every_limit(chats):
    async def main() -> list:
        vt = VirtualTime()
        limiter = _limiter(vt, scale=5)
        log: list = []
        await vt.run(*(_send(limiter, vt, chat, log) for chat in chats))
        return log

    log = asyncio.run(main())
    assert len(log) == len(chats)
    assert _max_in_window([t for t, _ in log], 1.0) <= 150
    for chat in set(chats):
        times = [t for t, c in log if c == chat]
        assert _max_in_window(times, 1.0 / 5) <= 1
        if chat < 0:
            assert _max_in_window(times, 60.0 / 5) <= GROUP_PER_MINUTE


async def test_a_reply_goes_out_before_digest_parts_already_waiting():
    vt = VirtualTime()
    limiter = _limiter(vt)
    log: list = []

    async def reply_later() -> None:
        await vt.sleep(0.5)
        await _send(limiter, vt, 9999, log, Priority.REPLY)

    await vt.run(reply_later(), *(_send(limiter, vt, chat, log) for chat in range(1, 101)))
    (reply_at,) = [t for t, chat in log if chat == 9999]
    # Released at the next free slot, not after the hundred parts queued before it.
    assert 0.5 <= reply_at <= 0.5 + limiter.interval + 1e-9
    assert len([t for t, chat in log if chat != 9999 and t > reply_at]) > 60
    assert _max_in_window([t for t, _ in log], 1.0) <= 30  # counting both
    assert limiter.released == {Priority.REPLY: 1, Priority.DIGEST: 100}


async def test_replies_skip_the_private_spacing_but_keep_the_group_limit():
    vt = VirtualTime()
    limiter = _limiter(vt)
    log: list = []

    async def one_after_another(chat: int, n: int) -> None:
        for _ in range(n):
            await _send(limiter, vt, chat, log, Priority.REPLY)

    await vt.run(one_after_another(7, 3), one_after_another(-5, 25))
    private = [t for t, chat in log if chat == 7]
    group = [t for t, chat in log if chat == -5]
    assert max(private) < 0.5  # a reply answers the user now: no 1 s between them
    assert _max_in_window(group, 60.0) <= GROUP_PER_MINUTE
    assert max(group) >= 60.0


async def test_a_digest_part_waits_a_second_after_a_reply_to_the_same_chat():
    vt = VirtualTime()
    limiter = _limiter(vt)
    log: list = []

    async def reply_then_part() -> None:
        await _send(limiter, vt, 7, log, Priority.REPLY)
        await _send(limiter, vt, 7, log, Priority.DIGEST)

    await vt.run(reply_then_part())
    (reply, part) = sorted(t for t, _ in log)
    assert part - reply >= 1.0


async def test_retry_after_pauses_everything_and_the_call_is_made_again():
    vt = VirtualTime()
    limiter = _limiter(vt, max_retries=2)
    answers = iter([RetryAfter(timedelta(seconds=0.5)), {"message_id": 1}])
    calls: list[float] = []

    async def call(*args: Any, **kwargs: Any) -> Any:
        calls.append(vt.now)
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    args = LimitArgs(Priority.DIGEST)
    (result,) = await vt.run(
        limiter.process_request(call, (), {}, "sendMessage", {"chat_id": 5}, args)
    )
    assert result == {"message_id": 1}
    assert args.retry_afters == 1
    assert calls[1] - calls[0] >= 0.5

    async def always_limited(*args: Any, **kwargs: Any) -> Any:
        raise RetryAfter(timedelta(seconds=0.1))

    with pytest.raises(RetryAfter):
        await vt.run(limiter.process_request(always_limited, (), {}, "getMe", {}, None))


def test_retry_after_is_read_through_ptbs_public_attribute(monkeypatch):
    assert retry_after_seconds(RetryAfter(timedelta(seconds=0.25))) == 0.25
    monkeypatch.delenv("PTB_TIMEDELTA")  # PTB's older int form, with its deprecation warning
    with pytest.warns(PTBDeprecationWarning):
        assert retry_after_seconds(RetryAfter(3)) == 3.0


@pytest.mark.parametrize(
    ("endpoint", "data", "chat"),
    [
        ("sendMessage", {"chat_id": 42}, 42),
        ("sendDocument", {"chat_id": "-100123"}, -100123),
        ("sendMessage", {"chat_id": "@channel"}, "@channel"),
        ("editMessageText", {"chat_id": 7, "message_id": 1}, 7),
        ("editMessageText", {"inline_message_id": "abc"}, None),
        ("sendChatAction", {"chat_id": 42}, None),
        ("answerCallbackQuery", {"callback_query_id": "1"}, None),
        ("getChatMember", {"chat_id": 42, "user_id": 1}, None),
    ],
)
def test_only_calls_that_post_a_message_count_against_the_limits(endpoint, data, chat):
    assert message_chat(endpoint, data) == chat


async def _send_over_network(
    limiter: RateLimiter, vt: VirtualTime, send: tuple[int, float, float], log: list
) -> None:
    """A send (chat, up, down): at the server ``up`` s after release, answered ``down`` s later."""
    chat, up, down = send
    async with limiter.slot(chat, Priority.DIGEST):
        await vt.sleep(up)
        log.append((vt.now, chat))  # when the server counts it
        await vt.sleep(down)


async def test_slow_sends_then_fast_ones_never_arrive_bunched():
    # The first sends take half a second to arrive, the next ones none: paced by release time
    # alone, a second at the server would hold both the late and the prompt ones.
    vt = VirtualTime()
    limiter = _limiter(vt)
    log: list = []
    await vt.run(
        *(
            _send_over_network(limiter, vt, (chat, 0.5 if chat <= 100 else 0.0, 0.01), log)
            for chat in range(1, 201)
        )
    )
    arrivals = [t for t, _ in log]
    assert len(arrivals) == 200
    assert _max_in_window(arrivals, 1.0) <= 30
    # A send counts from release to a second after its answer, so 0.51 s round trips slow the
    # first hundred to 30 per 1.51 s; the prompt ones then go at the full pace.
    assert max(arrivals) < 100 * 1.51 / 30 + 100 / (30 * 0.97) + 0.5


async def test_round_trip_time_costs_little_throughput():
    vt = VirtualTime()
    limiter = _limiter(vt)
    log: list = []
    await vt.run(*(_send_over_network(limiter, vt, (c, 0.01, 0.01), log) for c in range(1, 301)))
    arrivals = sorted(t for t, _ in log)
    rate = (len(arrivals) - 1) / (arrivals[-1] - arrivals[0])
    assert 0.95 * 30 <= rate <= 30


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from([1, 2, 3, 4, -5, -6, *range(10, 40)]),
            st.floats(0.0, 0.4),
            st.floats(0.0, 0.2),
        ),
        min_size=1,
        max_size=120,
    )
)
def test_limits_hold_at_the_server_whatever_the_network_delays(sends):
    async def main() -> list:
        vt = VirtualTime()
        limiter = _limiter(vt)
        log: list = []
        await vt.run(*(_send_over_network(limiter, vt, send, log) for send in sends))
        return log

    log = asyncio.run(main())
    assert len(log) == len(sends)
    assert _max_in_window([t for t, _ in log], 1.0) <= 30
    for chat in {c for c, _, _ in sends}:
        times = [t for t, c in log if c == chat]
        assert _max_in_window(times, 1.0) <= 1
        if chat < 0:
            assert _max_in_window(times, 60.0) <= GROUP_PER_MINUTE


# --- end to end against the fake Bot API ------------------------------------------------------

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "data" / "sample_page_2026-04-15.txt"
ED = "2026-04-15"
# Smaller than Telegram's 4096 so that the sample edition needs several messages.
PART_LIMIT = 700


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample page ingested once per session; tests work on copies."""
    path = tmp_path_factory.mktemp("template") / "briefings.db"
    store = Store.open(path)
    report = ingest_paths(store, [SAMPLE])
    assert report.articles > 0, report.errors
    store.close()
    return path


@pytest.fixture
def store_path(sample_db: Path, tmp_path: Path) -> Path:
    target = tmp_path / "briefings.db"
    shutil.copy(sample_db, target)
    return target


@pytest.fixture
async def rt(store_path: Path, fake_api: FakeBotAPI) -> AsyncIterator[Runtime]:
    config = Config(
        token=fake_api.token,
        base_url=fake_api.base_url,
        base_file_url=fake_api.base_file_url,
        db_path=str(store_path),
    )
    runtime = Runtime(config, Store.open(store_path), clock=lambda: MORNING)
    yield runtime
    runtime.close()


@pytest.fixture
async def bot(rt: Runtime) -> AsyncIterator[ExtBot]:
    async with delivery_bot(rt.config, RateLimiter(scale=10), read_timeout=2.0) as b:
        yield b


MORNING = datetime(2026, 4, 15, 0, 30, tzinfo=UTC)  # 08:30 in Shanghai


def subscribe(rt: Runtime, *chat_ids: int, **kwargs: Any) -> None:
    for chat_id in chat_ids:
        chats.ensure_chat(rt.store.conn, chat_id, "group" if chat_id < 0 else "private")
        chats.subscribe(rt.store.conn, chat_id, **kwargs)


def expected_parts(rt: Runtime, chat_id: int, limit: int = PART_LIMIT) -> list[str]:
    prefs = chats.get_chat(rt.store.conn, chat_id)
    parts, _ = compose_parts(
        rt.store, prefs, ED, rt.store.articles_on(ED), render=EditionHtml(BOT_USERNAME, limit)
    )
    return parts


def deliverer(rt: Runtime, bot: ExtBot, **kwargs: Any) -> Deliverer:
    kwargs.setdefault("backoff", 0.01)
    kwargs.setdefault("part_limit", PART_LIMIT)
    return Deliverer(rt, bot, **kwargs)


def texts(fake: FakeBotAPI, chat_id: int) -> list[str]:
    return [m["text"] for m in fake.sent_messages(chat_id)]


async def test_every_subscriber_gets_every_part_once(rt, bot, fake_api):
    ids = [*range(101, 111), -2001, -2002]
    subscribe(rt, *ids)
    expected = {c: expected_parts(rt, c) for c in ids}
    assert all(len(p) >= 2 for p in expected.values())  # several parts: the split is exercised
    report = await deliverer(rt, bot).deliver_issue(ED)
    assert (report.sent, report.failed, report.already) == (len(ids), 0, 0)
    assert report.messages == sum(len(p) for p in expected.values())
    for chat_id in ids:
        assert texts(fake_api, chat_id) == expected[chat_id]
        row = ledger.get(rt.store.conn, chat_id, ED)
        assert row.status == "sent"
        assert list(row.message_ids) == [m["message_id"] for m in fake_api.sent_messages(chat_id)]
    assert ledger.recent_article_ids(rt.store.conn, 101, before="2026-04-16")


async def test_second_pass_sends_nothing_new(rt, bot, fake_api):
    subscribe(rt, 1, 2, 3)
    d = deliverer(rt, bot)
    await d.deliver_issue(ED)
    before = len(fake_api.calls("sendMessage"))
    again = await d.deliver_issue(ED)
    assert (again.sent, again.already, again.messages) == (0, 3, 0)
    assert len(fake_api.calls("sendMessage")) == before


async def test_one_process_never_sends_a_chat_twice_at_once(rt, bot, fake_api):
    # The daily job and the retry job (or a catch-up) may reach the same chat together; both
    # would find the row claimable ("sending" is what a crash leaves) without the guard.
    subscribe(rt, 1, 2, 3)
    d = deliverer(rt, bot)
    first, second = await asyncio.gather(d.deliver_issue(ED), d.deliver_issue(ED))
    assert first.sent + second.sent == 3
    assert first.already + second.already == 3
    for chat_id in (1, 2, 3):
        assert texts(fake_api, chat_id) == expected_parts(rt, chat_id)


async def test_fan_out_never_trips_telegram_limits(rt, bot, fake_api):
    ids = [*range(1, 61), -10, -11, -12]
    subscribe(rt, *ids)
    fake_api.enforce_limits(scale=10)
    report = await deliverer(rt, bot).deliver_issue(ED)
    assert report.sent == len(ids)
    assert report.rate_limited == 0
    assert fake_api.stats.throttled == 0


async def test_429_storm_pauses_all_sends_and_everyone_is_delivered(rt, bot, fake_api):
    ids = list(range(1, 31))
    subscribe(rt, *ids)
    fake_api.inject("sendMessage", status=429, parameters={"retry_after": 0.3}, times=3)
    report = await deliverer(rt, bot, part_limit=4096).deliver_issue(ED)
    assert report.sent == len(ids)
    assert report.rate_limited == 3
    limited = fake_api.calls("sendMessage", status=429)
    assert len(limited) == 3  # no further 429 once we paused
    accepted = fake_api.calls("sendMessage", ok=True)
    for hit in limited:
        # Requests already on the wire may land just after the 429; nothing new is sent after.
        inside = [c for c in accepted if hit.time + 0.05 < c.time < hit.time + 0.3]
        assert not inside
    for chat_id in ids:
        assert len(texts(fake_api, chat_id)) == len(expected_parts(rt, chat_id, 4096))


async def test_blocked_chat_is_marked_inactive_and_keeps_preferences(rt, bot, fake_api):
    subscribe(rt, 1, 2)
    conn = rt.store.conn
    chats.set_time(conn, 2, "06:45")
    chats.set_topics(conn, 2, ("film",))
    chats.follow(conn, 2, "331122")
    before = chats.get_chat(conn, 2)
    fake_api.block(2)
    report = await deliverer(rt, bot).deliver_issue(ED)
    assert (report.sent, report.failed) == (1, 1)
    after = chats.get_chat(conn, 2)
    assert not after.active
    assert (after.subscribed, after.time, after.topics, after.follows) == (
        before.subscribed,
        before.time,
        before.topics,
        before.follows,
    )
    row = ledger.get(conn, 2, ED)
    assert row.status == "failed"
    assert row.last_error.startswith("forbidden:")
    assert ledger.stats(conn)["error:forbidden"] == 1
    assert len(fake_api.calls("sendMessage", chat_id=2)) == 1  # never retried


async def test_migrated_group_gets_the_edition_at_its_new_id(rt, bot, fake_api):
    subscribe(rt, -100)
    parts = expected_parts(rt, -100)
    fake_api.migrate(-100, -1009)
    report = await deliverer(rt, bot).deliver_issue(ED)
    assert (report.sent, report.migrated) == (1, 1)
    assert texts(fake_api, -1009) == parts
    conn = rt.store.conn
    assert chats.get_chat(conn, -100) is None
    assert chats.get_chat(conn, -1009).subscribed
    assert ledger.get(conn, -1009, ED).status == "sent"


async def test_server_errors_are_retried_until_the_send_succeeds(rt, bot, fake_api):
    subscribe(rt, 5)
    fake_api.fail_5xx("sendMessage", times=2, chat_id=5)
    report = await deliverer(rt, bot).deliver_issue(ED)
    assert (report.sent, report.retries) == (1, 2)
    assert texts(fake_api, 5) == expected_parts(rt, 5)


async def test_persistent_server_errors_leave_the_chat_pending_for_a_retry(rt, bot, fake_api):
    subscribe(rt, 5, 6)
    fake_api.inject("sendMessage", chat_id=5, status=502, description="Bad Gateway", times=None)
    d = deliverer(rt, bot, max_attempts=3)
    report = await d.deliver_issue(ED)
    assert (report.sent, report.pending, report.failed) == (1, 1, 0)
    assert len(fake_api.calls("sendMessage", chat_id=5)) == 3
    row = ledger.get(rt.store.conn, 5, ED)
    assert (row.status, row.last_error) == ("pending", "network: Bad Gateway")
    assert row.next_attempt_at > ledger.utc_iso(MORNING)
    assert ledger.stats(rt.store.conn)["pending"] == 1


async def test_a_chat_that_left_while_pending_is_closed_by_the_next_pass(rt, bot, fake_api):
    subscribe(rt, 5, 6)
    fake_api.inject("sendMessage", chat_id=5, status=502, times=None)
    d = deliverer(rt, bot)
    assert (await d.deliver_issue(ED)).pending == 1
    chats.unsubscribe(rt.store.conn, 5)  # /unsubscribe while a retry was due
    fake_api.clear_faults()
    again = await d.deliver_issue(ED)
    assert (again.skipped, again.already, again.pending) == (1, 1, 0)
    row = ledger.get(rt.store.conn, 5, ED)
    assert (row.status, row.last_error) == ("failed", "inactive: unsubscribed or blocked")
    assert ledger.count_unfinished(rt.store.conn, ED) == 0
    assert not fake_api.sent_messages(5)


async def test_timeout_is_retried_and_the_edition_completes(rt, bot, fake_api):
    subscribe(rt, 8)
    parts = expected_parts(rt, 8)
    fake_api.inject("sendMessage", chat_id=8, delay=0.8, times=1)
    report = await deliverer(rt, bot, read_timeout=0.3).deliver_issue(ED)
    assert (report.sent, report.retries) == (1, 1)
    got = texts(fake_api, 8)
    # The timed-out request may still have been delivered: at most that one part twice.
    assert got in (parts, [parts[0], *parts])
    assert ledger.get(rt.store.conn, 8, ED).status == "sent"


async def test_message_too_long_is_split_again_and_sent(rt, bot, fake_api):
    subscribe(rt, 9)
    parts = expected_parts(rt, 9)
    fake_api.inject(
        "sendMessage", chat_id=9, status=400, description="Bad Request: message is too long"
    )
    report = await deliverer(rt, bot).deliver_issue(ED)
    assert report.sent == 1
    got = texts(fake_api, 9)
    assert len(got) > len(parts)
    assert visible_text("".join(got)).replace("\n", "") == visible_text("".join(parts)).replace(
        "\n", ""
    )
    row = ledger.get(rt.store.conn, 9, ED)
    assert row.parts == len(got) == len(row.message_ids)
    assert list(row.part_texts) == got  # a resume would send the finer parts


async def test_other_bad_requests_are_recorded_and_not_retried(rt, bot, fake_api):
    subscribe(rt, 10)
    fake_api.inject(
        "sendMessage", chat_id=10, status=400, description="Bad Request: chat not found"
    )
    report = await deliverer(rt, bot).deliver_issue(ED)
    assert report.failed == 1
    assert len(fake_api.calls("sendMessage", chat_id=10)) == 1
    assert ledger.get(rt.store.conn, 10, ED).last_error == "bad_request: Chat not found"


async def test_forum_chat_gets_html_without_previews_in_its_topic(rt, bot, fake_api):
    subscribe(rt, -300, thread_id=77)
    await deliverer(rt, bot).deliver_issue(ED)
    sent = fake_api.sent_messages(-300)
    assert sent
    for params in sent:
        assert params["message_thread_id"] == 77
        assert params["parse_mode"] == "HTML"
        assert params["link_preview_options"]["is_disabled"] is True


async def test_chat_with_nothing_new_gets_a_short_note_not_an_empty_message(rt, bot, fake_api):
    subscribe(rt, 11)
    chats.set_topics(rt.store.conn, 11, ())
    await deliverer(rt, bot).deliver_issue(ED)
    (note,) = texts(fake_api, 11)
    assert visible_text(note).strip()
    assert ledger.recent_article_ids(rt.store.conn, 11, before="2026-04-16") == frozenset()
    assert ledger.get(rt.store.conn, 11, ED).status == "sent"


async def test_date_without_articles_sends_nothing(rt, bot, fake_api):
    subscribe(rt, 1)
    report = await deliverer(rt, bot).deliver_issue("2026-04-16")
    assert report.sent == 0
    assert report.note
    assert not fake_api.calls("sendMessage")


async def test_push_sends_the_newest_issue_once(rt, fake_api):
    subscribe(rt, 21, 22)
    # A day after the issue, in Shanghai: the newest issue on or before today is still sent.
    clock = lambda: datetime(2026, 4, 16, 1, 0, tzinfo=UTC)  # noqa: E731
    first = await push(rt.config, None, clock=clock)
    second = await push(rt.config, None, clock=clock)
    assert (first.date, first.sent, first.failed) == (ED, 2, 0)
    assert (second.sent, second.already) == (0, 2)
    assert texts(fake_api, 21) == expected_parts(rt, 21, 4096)


def test_retry_deadline_hours_come_from_the_environment():
    assert load_config({}, dotenv=False).stale_after_hours == 0.0  # the end of the chat's day
    assert load_config({"DELIVERY_STALE_HOURS": "6"}, dotenv=False).stale_after_hours == 6.0
    for bad in ("soon", "-1", "1000", "nan"):
        with pytest.raises(InvalidArgument, match="DELIVERY_STALE_HOURS"):
            load_config({"DELIVERY_STALE_HOURS": bad}, dotenv=False)
