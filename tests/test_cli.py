"""The operator CLI: ingest, parse, search, county, digest; one-line errors, never a traceback."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# bot.py shares its name with the bot/ package, so load the script by path.
_spec = importlib.util.spec_from_file_location("bot_cli", REPO / "bot.py")
assert _spec is not None
assert _spec.loader is not None
cli = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cli)
SAMPLE = REPO / "data" / "sample_page_2026-04-15.txt"
PARSE_FIELDS = {
    "kind", "title", "subtitle", "kicker", "section", "byline", "dateline", "subheads", "body",
    "continued_from", "continued_to", "regions", "figures", "topics",
}  # fmt: skip


@pytest.fixture
def db(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "cli.db"
    monkeypatch.setenv("BRIEFINGS_DB", str(path))
    return path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_parse_json_prints_one_object_per_unit_with_every_field(capsys, db):
    code, out, _ = run(capsys, "parse", str(SAMPLE), "--json")
    assert code == 0
    units = json.loads(out)
    assert len(units) >= 6
    for unit in units:
        assert unit.keys() >= PARSE_FIELDS
    figures = [f for u in units for f in u["figures"]]
    assert {"indicator", "value", "unit", "text", "qualifier", "period", "region", "sentence"} <= (
        figures[0].keys()
    )
    regions = [r for u in units for r in u["regions"]]
    assert {"name", "full_name", "adcode", "level", "province", "count"} <= regions[0].keys()
    assert not db.exists(), "parse must not touch the database"


def test_ingest_twice_adds_nothing_the_second_time(capsys, db):
    code, out, _ = run(capsys, "ingest", str(SAMPLE))
    assert code == 0
    assert "新增 1" in out
    code, out, _ = run(capsys, "ingest", str(SAMPLE))
    assert code == 0
    assert "新增 0" in out
    assert "未变 1" in out


def test_corrected_reissue_replaces_the_earlier_version(capsys, db, tmp_path):
    page = tmp_path / "zjrb_2026-04-15.txt"
    page.write_text(SAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    run(capsys, "ingest", str(page))
    page.write_text(SAMPLE.read_text(encoding="utf-8").replace("19.7%", "19.8%"), encoding="utf-8")
    code, out, _ = run(capsys, "ingest", str(page))
    assert code == 0
    assert "更新 1" in out
    code, out, _ = run(capsys, "county", "柯城")
    assert "19.8%" in out
    assert "19.7%" not in out


@pytest.mark.parametrize("encoding", ["gb18030", "utf-16", "utf-8-sig"])
def test_ingest_detects_the_encoding_and_search_finds_the_county(capsys, db, tmp_path, encoding):
    page = tmp_path / "page_2026-04-15.txt"
    text = SAMPLE.read_text(encoding="utf-8").replace("\n", "\r\n")
    page.write_bytes(text.encode(encoding))
    code, _, err = run(capsys, "ingest", str(page))
    assert code == 0, err
    code, out, _ = run(capsys, "search", "缙云")
    assert "大块头求稳重质" in out


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("缙云", "大块头求稳重质"),
        ("保贷联动", "绍兴推出全流程科技成果转化保障机制"),
        ("知识产权证券化", "大块头求稳重质"),
        # jieba joins 大县 only in context (工业大县); out of context it cuts 大 | 县
        ("大县", "大块头求稳重质"),
    ],
)
def test_search_finds_the_article(capsys, db, query, title):
    run(capsys, "ingest", str(SAMPLE))
    code, out, _ = run(capsys, "search", query)
    assert code == 0
    assert title in out


@pytest.mark.parametrize("query", ['"', "AND *", "(缙云", "NEAR(a b)", "🙂", "col:缙云", "^"])
def test_search_accepts_any_query_text(capsys, db, query):
    run(capsys, "ingest", str(SAMPLE))
    code, out, err = run(capsys, "search", query)
    assert code == 0
    assert "Traceback" not in out + err


def test_county_card_shows_full_name_with_parent_and_figures(capsys, db):
    run(capsys, "ingest", str(SAMPLE))
    code, out, _ = run(capsys, "county", "jinyun")
    assert code == 0
    assert "丽水市缙云县" in out
    assert "525亿元" in out


def test_date_option_beats_the_date_in_the_file_name(capsys, db):
    _, out, _ = run(capsys, "parse", str(SAMPLE), "--json", "--date", "2026-05-01")
    assert {u["date"] for u in json.loads(out)} == {"2026-05-01"}


def test_jsonl_records_become_articles_with_their_own_dates(capsys, db, tmp_path):
    feed = tmp_path / "crawl.jsonl"
    records = [
        {
            "title": "缙云规上工业总产值突破525亿元",
            "body": "缙云县规上工业总产值突破525亿元,五年再造了一个缙云工业。",
            "date": "2026-04-16",
            "source": "丽水日报",
            "url": "https://example.org/a",
        },
        {
            "title": "柯城光电产业加速",
            "content": "前两个月柯城规上工业增加值增速高达19.7%,高居所有发言单位之首。",
            "date": "20260417",
        },
    ]
    feed.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), "utf-8")
    code, out, err = run(capsys, "ingest", str(feed))
    assert code == 0, err
    assert "2 篇文档" in out
    code, out, _ = run(capsys, "search", "柯城")
    assert "2026-04-17" in out


def test_digest_prints_the_sections_of_the_latest_issue(capsys, db):
    run(capsys, "ingest", str(SAMPLE))
    code, out, _ = run(capsys, "digest")
    assert code == 0
    assert "县域亮点" in out
    assert "19.7%" in out


def test_digest_for_an_unknown_chat_is_a_clear_error(capsys, db):
    run(capsys, "ingest", str(SAMPLE))
    code, _, err = run(capsys, "digest", "--chat", "424242")
    assert code == 1
    assert err.startswith("错误:")
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("picture.png", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4),
        ("empty.txt", b""),
        ("blank.txt", b"   \n\n  \n"),
        ("binary.txt", bytes(range(256)) * 8),
        ("words.txt", "缙云 1000 ns\n柯桥 1000 ns\n".encode()),
    ],
)
def test_unreadable_files_are_one_line_errors(capsys, db, tmp_path, name, content):
    bad = tmp_path / name
    bad.write_bytes(content)
    code, out, err = run(capsys, "ingest", str(bad))
    assert code == 1
    assert "Traceback" not in out + err
    assert str(bad) in err
    assert len(err.strip().splitlines()) == 1


def test_missing_path_is_an_error_and_nothing_is_ingested(capsys, db, tmp_path):
    code, _, err = run(capsys, "ingest", str(SAMPLE), str(tmp_path / "nope.txt"))
    assert code == 1
    assert "nope.txt" in err
    code, out, _ = run(capsys, "search", "缙云")
    assert "0 条结果" in out


def test_a_bad_file_in_a_folder_is_reported_and_the_rest_go_in(capsys, db, tmp_path):
    folder = tmp_path / "inbox"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "page_2026-04-15.txt").write_text(SAMPLE.read_text("utf-8"), "utf-8")
    (folder / "broken.txt").write_bytes(b"\x00\x01\x02" * 100)
    (folder / "notes.md").write_text("# notes", "utf-8")
    code, out, err = run(capsys, "ingest", str(folder))
    assert code == 0
    assert "新增 1" in out
    assert "broken.txt" in err
    assert "notes.md" in err


def test_every_command_has_help_with_an_example():
    parser = cli.build_parser()
    subparsers = next(a for a in parser._actions if a.dest == "command")
    for name, sub in subparsers.choices.items():
        assert "Example:" in (sub.description or ""), name


def test_cli_errors_in_a_real_process_are_one_line_without_traceback(tmp_path):
    result = subprocess.run(
        [sys.executable, str(REPO / "bot.py"), "parse", str(tmp_path / "missing.txt")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0


def test_crawled_html_becomes_paragraphs_and_bad_records_are_listed(capsys, db, tmp_path):
    feed = tmp_path / "crawl.jsonl"
    good = {
        "title": "瓯海时尚智造产业集群产值突破千亿",
        "content": "<p>　　2025年瓯海时尚智造产业集群产值达1026亿元，同比增长8.7%。</p>"
        "<p>其中，眼镜产业产值&nbsp;126亿元。</p>",
        "date": "2026-06-07",
    }
    feed.write_text(json.dumps(good, ensure_ascii=False) + "\nnot json\n", "utf-8")
    code, out, err = run(capsys, "ingest", str(feed))
    assert code == 0
    assert "跳过 1 条无效记录" in out
    assert f"{feed} 第2行：不是 JSON" in err
    _, out, _ = run(capsys, "parse", str(feed), "--json")
    (unit,) = json.loads(out)
    assert "<p>" not in unit["body"]
    assert "&nbsp;" not in unit["body"]
    assert len(unit["body"].split("\n")) == 2
    assert [f["text"] for f in unit["figures"]][:2] == ["1026亿元", "8.7%"]


def test_ask_chart_writes_the_png_into_out_and_prints_its_caption(capsys, db, tmp_path):
    out_dir = tmp_path / "charts"
    code, out, err = run(capsys, "ask", "/chart GDP", "--out", str(out_dir))
    assert code == 0, err
    png = out_dir / "chart-gdp.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert out.startswith(f"📈 {png}\n")
    assert "地区生产总值" in out
    code, out, _ = run(capsys, "ask", "/chart 柯城", "--out", str(out_dir))
    assert code == 0
    assert "至少需要两个" in out  # one dated figure: a text answer, no file
    assert sorted(p.name for p in out_dir.iterdir()) == ["chart-gdp.png"]
