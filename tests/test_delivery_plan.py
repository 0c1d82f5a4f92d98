"""briefings/delivery_plan.py and briefings/delivery_lock.py on real SQLite files: claims that
keep their parts, retry deadlines, the catch-up's view of retries, the one-deliverer lock."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.edition_html import EditionHtml
from briefings import chats, delivery_lock, delivery_plan, ledger
from briefings.delivery_plan import Claimed, PrepareRequest
from briefings.pipeline import ingest_paths
from briefings.store import Store

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "data" / "sample_page_2026-04-15.txt"
ED = "2026-04-15"
NOW = datetime(2026, 4, 15, 0, 30, tzinfo=UTC)  # 08:30 in Shanghai


@pytest.fixture
def store(bot_db: Path):
    """The sample issue in a private database (conftest.py)."""
    s = Store.open(bot_db)
    yield s
    s.close()


def _subscribe(store: Store, chat_id: int) -> None:
    chats.ensure_chat(store.conn, chat_id, "private")
    chats.subscribe(store.conn, chat_id)


def _request(store: Store, chat_id: int, now: datetime = NOW, **kwargs) -> PrepareRequest:
    return PrepareRequest(chat_id, ED, store.articles_on(ED), now, EditionHtml(limit=300), **kwargs)


# --- claims ---------------------------------------------------------------------------------


def test_a_claim_stores_the_composed_parts_and_later_claims_reuse_them(store):
    _subscribe(store, 1)
    first = delivery_plan.prepare(store, _request(store, 1))
    assert isinstance(first, Claimed)
    assert len(first.parts) >= 2
    ledger.record_part(store.conn, 1, ED, 11)
    # The reader changes topics and a page arrives before the interrupted send resumes.
    chats.set_topics(store.conn, 1, ("film",))
    assert ingest_paths(store, [REPO / "tests" / "pages" / "hard_cases.txt"], date=ED).articles
    prefs = chats.get_chat(store.conn, 1)
    fresh, _ = delivery_plan.compose_parts(
        store, prefs, ED, store.articles_on(ED), render=EditionHtml(None, 300)
    )
    assert fresh != list(first.parts)
    again = delivery_plan.prepare(store, _request(store, 1))
    assert isinstance(again, Claimed)
    assert (again.parts, again.start, again.article_ids) == (first.parts, 1, first.article_ids)


def test_the_first_claim_sets_the_end_of_the_chats_local_day_as_deadline(store):
    _subscribe(store, 1)
    chats.set_timezone(store.conn, 1, "Europe/London")
    delivery_plan.prepare(store, _request(store, 1))
    assert ledger.get(store.conn, 1, ED).stale_at == "2026-04-15T23:00:00.000+00:00"


def test_stale_deadline_is_the_next_local_midnight_or_a_number_of_hours():
    assert delivery_plan.stale_deadline(NOW, "Asia/Shanghai") == datetime(
        2026, 4, 15, 16, tzinfo=UTC
    )
    assert delivery_plan.stale_deadline(NOW, "America/New_York") == datetime(
        2026, 4, 15, 4, tzinfo=UTC
    )
    assert delivery_plan.stale_deadline(NOW, "Asia/Shanghai", 6) == NOW + timedelta(hours=6)


def test_retry_delay_doubles_per_attempt_up_to_its_cap():
    delays = [delivery_plan.retry_delay(n, base=15, cap=600) for n in range(1, 9)]
    assert delays == [15, 30, 60, 120, 240, 480, 600, 600]


def test_a_stale_delivery_with_nothing_sent_is_given_up_before_composing(store):
    _subscribe(store, 1)
    delivery_plan.prepare(store, _request(store, 1))
    ledger.defer(store.conn, 1, ED, "network: Bad Gateway", next_attempt=NOW)
    late = NOW + timedelta(hours=16)
    assert delivery_plan.prepare(store, _request(store, 1, late)) == delivery_plan.STALE
    row = ledger.get(store.conn, 1, ED)
    assert row.status == "failed"
    assert row.last_error.startswith("stale:")
    assert "network: Bad Gateway" in row.last_error


def test_a_stale_delivery_with_parts_out_is_still_finished(store):
    _subscribe(store, 1)
    delivery_plan.prepare(store, _request(store, 1))
    ledger.record_part(store.conn, 1, ED, 11)
    ledger.defer(store.conn, 1, ED, "timeout: x", next_attempt=NOW)
    again = delivery_plan.prepare(store, _request(store, 1, NOW + timedelta(hours=20)))
    assert isinstance(again, Claimed)
    assert again.start == 1


def test_an_unfinished_delivery_of_a_chat_that_left_is_closed(store):
    _subscribe(store, 1)
    delivery_plan.prepare(store, _request(store, 1))
    chats.unsubscribe(store.conn, 1)
    assert delivery_plan.prepare(store, _request(store, 1)) == delivery_plan.INACTIVE
    assert ledger.get(store.conn, 1, ED).last_error.startswith("inactive:")


def test_a_retry_that_would_come_after_the_deadline_is_given_up_now(store):
    _subscribe(store, 1)
    delivery_plan.prepare(store, _request(store, 1))
    soon = {"now": NOW, "base": 60.0, "cap": 600.0}
    assert delivery_plan.defer_or_give_up(store, 1, ED, "network: x", **soon) == "pending"
    assert ledger.get(store.conn, 1, ED).next_attempt_at == "2026-04-15T00:31:00.000+00:00"
    delivery_plan.prepare(store, _request(store, 1))
    near_midnight = {**soon, "now": datetime(2026, 4, 15, 15, 59, 30, tzinfo=UTC)}
    assert delivery_plan.defer_or_give_up(store, 1, ED, "network: x", **near_midnight) == "failed"
    assert ledger.get(store.conn, 1, ED).last_error == "stale: network: x"


def test_catch_up_continues_a_pending_retry_after_the_skip_hour(store):
    _subscribe(store, 1)
    _subscribe(store, 2)
    delivery_plan.prepare(store, _request(store, 1))
    ledger.defer(store.conn, 1, ED, "network: x", next_attempt=NOW)
    afternoon = datetime(2026, 4, 15, 6, 0, tzinfo=UTC)  # 14:00 in Shanghai
    plan = delivery_plan.plan_catchup(store, afternoon, "12:00")
    assert plan.deliver == [(1, ED)]
    assert [s[:2] for s in plan.skip] == [(2, ED)]


def test_retry_plan_lists_due_retries_and_interrupted_sends(store):
    for chat_id in (1, 2, 3):
        _subscribe(store, chat_id)
        delivery_plan.prepare(store, _request(store, chat_id))
    ledger.defer(store.conn, 1, ED, "network: x", next_attempt=NOW + timedelta(seconds=30))
    ledger.defer(store.conn, 2, ED, "network: x", next_attempt=NOW + timedelta(seconds=90))
    # 3 stays "sending": a deliverer died holding it
    assert delivery_plan.plan_retries(store, NOW + timedelta(seconds=60)) == {ED: [1, 3]}


# --- the delivery lock -------------------------------------------------------------------------


def _lock(store: Store, owner: str, now: datetime = NOW, **kwargs) -> delivery_lock.Holder:
    return delivery_lock.acquire(store.conn, owner, "push", now=now, ttl=60, **kwargs)


def test_the_lock_has_one_holder_until_released(store):
    assert _lock(store, "a").owner == "a"
    other = _lock(store, "b")
    assert other.owner == "a"
    assert other.describe().startswith("push (pid ")
    delivery_lock.release(store.conn, "b")  # not b's to release
    assert _lock(store, "b").owner == "a"
    delivery_lock.release(store.conn, "a")
    assert _lock(store, "b").owner == "b"


def test_a_holder_that_stops_beating_loses_the_lock_when_it_expires(store):
    _lock(store, "a")
    assert delivery_lock.heartbeat(store.conn, "a", now=NOW + timedelta(seconds=50), ttl=60)
    assert _lock(store, "b", NOW + timedelta(seconds=100)).owner == "a"  # renewed at 50 s
    assert _lock(store, "b", NOW + timedelta(seconds=111)).owner == "b"
    assert not delivery_lock.heartbeat(store.conn, "a", now=NOW + timedelta(seconds=112), ttl=60)


def test_a_dead_holder_on_this_host_loses_the_lock_at_once(store):
    _lock(store, "a")
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    store.conn.execute("UPDATE delivery_lock SET pid = ?", (int(gone.stdout),))
    assert _lock(store, "b").owner == "b"


def test_a_holder_on_another_host_is_trusted_until_it_expires(store):
    _lock(store, "a")
    store.conn.execute("UPDATE delivery_lock SET host = 'elsewhere', pid = 1")
    assert _lock(store, "b", alive=lambda pid: False).owner == "a"
