"""The offline console: pipe mode prints plain-text replies and exits 0, buttons can be typed as
numbers, ``ask`` returns the reply HTML as Telegram would get it, first run seeds the database.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

from botharness import copy_db
from fakebotapi import validate_telegram_html

from bot.config import Config
from bot.console import ask, run_console
from briefings.store import Store

REPO = Path(__file__).resolve().parent.parent

# The seeded database and the running bot (fixtures) come from the private-chat tests.


def run_lines(db: Path, *lines: str) -> str:
    out = io.StringIO()
    status = run_console(
        Config(db_path=str(db)), io.StringIO("".join(f"{x}\n" for x in lines)), out
    )
    assert status == 0
    return out.getvalue()


def test_pipe_mode_prints_the_county_card_as_plain_text(seeded_db: Path, tmp_path: Path) -> None:
    text = run_lines(copy_db(seeded_db, tmp_path / "c.db"), "/county 缙云")
    assert "丽水市缙云县" in text
    assert "<b>" not in text
    assert "&lt;" not in text
    assert "[1]" in text  # buttons listed as numbered choices


def test_typing_a_button_number_presses_it(seeded_db: Path, tmp_path: Path) -> None:
    text = run_lines(copy_db(seeded_db, tmp_path / "c.db"), "/county 缙去", "1")
    first, _, second = text.partition("\n\n")
    assert "没有找到" in first
    assert "📍" in second  # the suggestion opened a county card


def test_search_paging_and_topic_toggles_work_offline(seeded_db: Path, tmp_path: Path) -> None:
    db = copy_db(seeded_db, tmp_path / "c.db")
    text = run_lines(db, "/topics", "2")
    assert "⬜ 影视产业" in text.rstrip().split("\n\n")[-1]
    text = run_lines(db, "/search 浙江")
    assert "下一页" in text
    numbers = next(line for line in text.splitlines() if "下一页" in line)
    choice = numbers.split("下一页")[0].rsplit("[", 1)[1].split("]")[0]
    paged = run_lines(db, "/search 浙江", choice)
    assert "第 2" in paged


def test_first_run_creates_and_seeds_the_database(tmp_path: Path) -> None:
    db = tmp_path / "new" / "fresh.db"
    text = run_lines(db, "/today")
    assert db.exists()
    with Store.open(db) as store:
        assert store.latest_date() == "2026-04-15"
    assert "4月15日" in text


def test_ask_returns_the_html_as_sent(seeded_db: Path, tmp_path: Path) -> None:
    html = ask(Config(db_path=str(copy_db(seeded_db, tmp_path / "c.db"))), "/county 缙云")
    assert "<b>丽水市缙云县</b>" in html
    assert validate_telegram_html(html) is None


def test_unknown_command_and_empty_lines(seeded_db: Path, tmp_path: Path) -> None:
    text = run_lines(copy_db(seeded_db, tmp_path / "c.db"), "", "/nosuch", "   ")
    assert "/help" in text


def test_bot_py_in_a_pipe_exits_zero(seeded_db: Path, tmp_path: Path) -> None:
    db = copy_db(seeded_db, tmp_path / "c.db")
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    env |= {"BRIEFINGS_DB": str(db), "TELEGRAM_BOT_TOKEN": ""}
    proc = subprocess.run(
        [sys.executable, "bot.py"],
        input="/county 缙云\n/search 知识产权\n",
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "丽水市缙云县" in proc.stdout
    assert "知识产权" in proc.stdout
