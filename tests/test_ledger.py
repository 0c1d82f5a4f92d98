"""The delivery ledger: claims, per-part records, final states, the no-repeat window, stats."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
import sqlite_utils
from hypothesis import given, settings
from hypothesis import strategies as st

from briefings import chats, ledger
from briefings.errors import InvalidArgument
from briefings.migrations import migrate

ED = "2026-04-15"


def _fresh(path) -> sqlite3.Connection:
    db = sqlite_utils.Database(path)
    migrate(db)
    return db.conn


@pytest.fixture
def conn(tmp_path):
    c = _fresh(tmp_path / "ledger.db")
    yield c
    c.close()


def test_first_claim_creates_a_sending_row_with_one_attempt(conn):
    row = ledger.claim(conn, 1, ED)
    assert row is not None
    assert (row.status, row.attempts, row.message_ids) == ("sending", 1, ())


def test_sent_edition_cannot_be_claimed_again(conn):
    ledger.claim(conn, 1, ED)
    ledger.mark_sent(conn, 1, ED, [10, 11], message_id=500)
    assert ledger.claim(conn, 1, ED) is None
    assert ledger.get(conn, 1, ED).message_ids == (500,)


def test_interrupted_row_resumes_after_its_recorded_parts(conn):
    ledger.claim(conn, 1, ED, parts=["一", "二", "三"])
    ledger.record_part(conn, 1, ED, 71)
    ledger.record_part(conn, 1, ED, 72)
    # A new process finds the row still "sending": the claim succeeds and keeps both parts.
    again = ledger.claim(conn, 1, ED)
    assert again is not None
    assert (again.attempts, again.parts, again.parts_sent) == (2, 3, 2)
    assert [d.chat_id for d in ledger.unfinished(conn)] == [1]


def test_a_second_claim_keeps_the_parts_the_first_one_stored(conn):
    ledger.claim(conn, 1, ED, parts=["<b>甲</b>", "乙"], article_ids=[5, 6])
    ledger.record_part(conn, 1, ED, 71)
    # Recomposed after a crash (another page ingested, topics changed): other parts.
    again = ledger.claim(conn, 1, ED, parts=["丙", "丁", "戊"], article_ids=[7])
    assert again.part_texts == ("<b>甲</b>", "乙")
    assert again.article_ids == (5, 6)
    assert again.parts == 2


def test_resplit_parts_are_stored_with_the_first_pieces_id(conn):
    ledger.claim(conn, 1, ED, parts=["长长的一段", "二"])
    ledger.record_part(conn, 1, ED, 10, parts=["长长的", "一段", "二"])
    row = ledger.get(conn, 1, ED)
    assert (row.part_texts, row.parts, row.message_ids) == (("长长的", "一段", "二"), 3, (10,))


def test_the_last_part_finishes_the_row_with_the_claimed_articles(conn):
    ledger.claim(conn, 1, ED, parts=["一", "二"], article_ids=[41, 42])
    ledger.record_part(conn, 1, ED, 1)
    ledger.record_part(conn, 1, ED, 2, final=True)
    row = ledger.get(conn, 1, ED)
    assert (row.status, row.message_ids) == ("sent", (1, 2))
    assert ledger.recent_article_ids(conn, 1, before="2026-04-16") == {41, 42}


def test_deferred_row_is_pending_with_its_parts_until_due(conn):
    now = datetime(2026, 4, 15, 0, 0, tzinfo=UTC)
    ledger.claim(conn, 1, ED, parts=["一", "二"], stale_at=now + timedelta(hours=16))
    ledger.record_part(conn, 1, ED, 9)
    error = "network: Bad Gateway"
    assert ledger.defer(conn, 1, ED, error, next_attempt=now + timedelta(seconds=30))
    row = ledger.get(conn, 1, ED)
    assert (row.status, row.last_error, row.message_ids) == ("pending", error, (9,))
    assert ledger.count_unfinished(conn, ED) == 1
    assert ledger.due(conn, now) == []
    assert [r.chat_id for r in ledger.due(conn, now + timedelta(seconds=31))] == [1]
    again = ledger.claim(conn, 1, ED, parts=["别的"])
    assert (again.status, again.attempts, again.part_texts, again.parts_sent) == (
        "sending",
        2,
        ("一", "二"),
        1,
    )
    assert again.next_attempt_at == ""


def test_a_started_row_is_never_skipped(conn):
    ledger.claim(conn, 1, ED, parts=["一", "二"])
    ledger.record_part(conn, 1, ED, 9)
    ledger.defer(conn, 1, ED, "timeout: x", next_attempt=datetime(2026, 4, 15, tzinfo=UTC))
    assert not ledger.mark_skipped(conn, 1, ED, "skipped: late")
    assert ledger.get(conn, 1, ED).status == "pending"


def test_record_part_survives_a_reopened_connection(tmp_path):
    path = tmp_path / "crash.db"
    first = _fresh(path)
    ledger.claim(first, 5, ED)
    ledger.record_part(first, 5, ED, 900)
    first.close()  # the process dies here; the commit must already be on disk
    second = _fresh(path)
    assert ledger.get(second, 5, ED).message_ids == (900,)
    second.close()


def test_failed_row_is_retried_only_when_asked(conn):
    ledger.claim(conn, 2, ED)
    ledger.mark_failed(conn, 2, ED, "network: Bad Gateway")
    assert ledger.claim(conn, 2, ED) is None
    retried = ledger.claim(conn, 2, ED, retry_failed=True)
    assert retried is not None
    assert retried.attempts == 2


def test_mark_failed_never_overwrites_sent(conn):
    ledger.claim(conn, 3, ED)
    ledger.mark_sent(conn, 3, ED, [], message_id=1)
    ledger.mark_failed(conn, 3, ED, "network: late")
    assert ledger.get(conn, 3, ED).status == "sent"


def test_skip_applies_only_before_sending_starts(conn):
    assert ledger.mark_skipped(conn, 4, ED, "skipped: after 12:00")
    assert ledger.get(conn, 4, ED).status == "skipped"
    assert ledger.claim(conn, 4, ED) is None
    ledger.claim(conn, 6, ED)
    assert not ledger.mark_skipped(conn, 6, ED, "too late")
    assert ledger.get(conn, 6, ED).status == "sending"


def test_recent_articles_cover_seven_days_before_the_edition_only(conn):
    for edition, article in [
        ("2026-04-07", 1),  # 8 days before: outside the window
        ("2026-04-08", 2),
        ("2026-04-14", 3),
        (ED, 4),  # the edition itself: excluded so a resumed send composes the same
    ]:
        ledger.claim(conn, 9, edition)
        ledger.mark_sent(conn, 9, edition, [article])
    assert ledger.recent_article_ids(conn, 9, days=7, before=ED) == {2, 3}
    assert ledger.recent_article_ids(conn, 8, days=7, before=ED) == frozenset()


def test_article_sent_again_later_moves_to_the_newer_edition(conn):
    ledger.claim(conn, 9, "2026-04-01")
    ledger.mark_sent(conn, 9, "2026-04-01", [42])
    ledger.claim(conn, 9, ED)
    ledger.mark_sent(conn, 9, ED, [42])
    assert ledger.recent_article_ids(conn, 9, before="2026-04-16") == {42}


def test_stats_count_every_status_and_failure_kind(conn):
    ledger.claim(conn, 1, ED)
    ledger.mark_sent(conn, 1, ED, [], message_id=1)
    ledger.claim(conn, 2, ED)
    ledger.mark_failed(conn, 2, ED, "forbidden: bot was blocked by the user")
    ledger.claim(conn, 3, ED)
    ledger.mark_failed(conn, 3, ED, "forbidden: user is deactivated")
    ledger.claim(conn, 4, ED)
    ledger.mark_failed(conn, 4, ED, "bad_request: chat not found")
    ledger.mark_skipped(conn, 5, ED, "skipped: late")
    ledger.claim(conn, 6, ED)
    s = ledger.stats(conn)
    assert s["sent"] == 1
    assert s["failed"] == 3
    assert s["skipped"] == 1
    assert s["sending"] == 1
    assert s["pending"] == 0
    assert s["total"] == 6
    assert s["error:forbidden"] == 2
    assert s["error:bad_request"] == 1
    assert ledger.stats(conn, "2026-01-01")["total"] == 0


def test_group_migration_carries_the_ledger_to_the_new_id(conn):
    chats.ensure_chat(conn, -100, "group")
    chats.subscribe(conn, -100)
    ledger.claim(conn, -100, ED)
    ledger.mark_sent(conn, -100, ED, [7], message_id=3)
    chats.migrate_chat(conn, -100, -1009)
    assert ledger.claim(conn, -1009, ED) is None
    assert ledger.recent_article_ids(conn, -1009, before="2026-04-16") == {7}


def test_malformed_edition_date_is_rejected(conn):
    with pytest.raises(InvalidArgument):
        ledger.claim(conn, 1, "15/04/2026")


_actions = st.lists(
    st.tuples(
        st.sampled_from(["claim", "retry", "part", "sent", "failed", "skipped"]),
        st.integers(1, 3),
    ),
    max_size=40,
)


@settings(max_examples=60, deadline=None)
@given(_actions)
def test_no_sequence_of_operations_reopens_a_sent_edition(tmp_path_factory, actions):
    conn = _fresh(tmp_path_factory.mktemp("prop") / "p.db")
    sent: set[int] = set()
    for action, chat in actions:
        edition = ED
        row = ledger.get(conn, chat, edition)
        if action in ("claim", "retry"):
            claimed = ledger.claim(conn, chat, edition, retry_failed=action == "retry")
            closed = {"sent", "skipped"} | ({"failed"} if action == "claim" else set())
            assert (claimed is None) == (row is not None and row.status in closed)
        elif row is not None and row.status == "sending":
            if action == "part":
                ledger.record_part(conn, chat, edition, 1)
            elif action == "sent":
                ledger.mark_sent(conn, chat, edition, [chat])
                sent.add(chat)
            elif action == "failed":
                ledger.mark_failed(conn, chat, edition, "network: x")
        elif action == "skipped":
            ledger.mark_skipped(conn, chat, edition, "late")
        for c in sent:
            assert ledger.get(conn, c, edition).status == "sent"
    assert ledger.stats(conn)["total"] == len(
        {c for a, c in actions if a in ("claim", "retry", "skipped")}
    )
    conn.close()


def test_the_console_chat_is_never_a_delivery_target(conn):
    chats.ensure_chat(conn, -1, "console")
    chats.subscribe(conn, -1)
    chats.subscribe(conn, 77)
    assert [p.chat_id for p in chats.subscribers(conn)] == [77]
