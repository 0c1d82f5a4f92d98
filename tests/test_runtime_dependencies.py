"""The run-time requirements are what the bot uses: it ingests, answers and composes with the
development-only packages (plain jieba, pypinyin) and the dropped sniffio made unimportable."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "data" / "sample_page_2026-04-15.txt"
NOT_AT_RUN_TIME = ("jieba", "pypinyin", "sniffio")

# Runs bot.py's CLI in a fresh interpreter where importing any of NOT_AT_RUN_TIME fails.
_SCRIPT = """
import runpy, sys
blocked = set(sys.argv[1].split(","))

class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in blocked:
            raise ImportError(f"{name} is not a run-time dependency")
        return None

sys.meta_path.insert(0, Block())
sys.argv = ["bot.py", *sys.argv[2:]]
runpy.run_path("bot.py", run_name="__main__")
"""


def _cli(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _SCRIPT, ",".join(NOT_AT_RUN_TIME), "--db", str(db), *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"PATH": "/usr/bin:/bin", "LOG_LEVEL": "ERROR"},
    )


def test_ingest_search_county_digest_and_ask_need_no_dev_only_package(tmp_path: Path):
    db = tmp_path / "runtime.db"
    for args, expected in (
        (("ingest", str(SAMPLE)), "新增 1"),
        (("search", "保贷联动"), "保贷联动"),
        (("county", "缙云"), "丽水市缙云县"),
        (("digest",), "县域亮点"),
        (("ask", "/county 缙云"), "丽水市缙云县"),
    ):
        run = _cli(*args, db=db)
        assert run.returncode == 0, (args, run.stderr[-2000:])
        assert expected in run.stdout, (args, run.stdout[-2000:])
        assert "not a run-time dependency" not in run.stderr
