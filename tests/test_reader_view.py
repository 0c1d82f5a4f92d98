"""The replies as a reader sees them: every command on the sample page and on the synthetic pages
of tests/pages/ (briefs, collections, jumps and fragments, a two-page issue), checked for what a
reader must never meet (tests/replycheck.py): ``(无标题)``, line numbers, doubled phrases, a body
sentence dressed as a headline, invalid Telegram HTML, a choice without buttons. Then the done-
when of issue 14, on the sample page: the film article continued from page 1 is one article in
/search, /film, /today and /article, and /finance names 保贷联动.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from botharness import SAMPLE, fixed_clock
from replycheck import all_problems, headings

from bot.app import open_runtime
from bot.cards import Reply
from bot.config import Config
from bot.console import Console, ask
from bot.runtime import Runtime
from briefings.pipeline import ingest_paths

PAGES = Path(__file__).resolve().parent / "pages"
SAMPLE_DAY = "2026-04-15"
OTHER_DAY = "2026-04-14"  # the synthetic single pages go in as the day before
FILM_PART, FILM_CONTINUATION = 20558000004, 20558000008  # ids of the sample's two film parts

QUERIES = [
    "/search 票房",
    "/search 浙江",
    "/search 茶叶",
    "/search 飞地",
    "/film",
    "/finance",
    "/today",
    "/county 杭州",
    "/county 缙云",
    "/county 丽水",
    "/county 上海",
    "/county 开化",
    "/county 缙去",
    "/topics",
    "/follow 不存在",
    "/follow 缙去",
    "/unfollow 缙去",
    "/subscribe 7点半",
    "/time 晚上8点",
    "/time",
    "/following",
    "/help",
    "/start",
    "缙云",
    "电影 票房",
    "@bot",
    "@bot 票房",
    "@bot 杭州",
]


def run(rt: Runtime, text: str) -> list[Reply]:
    return asyncio.run(Console(rt).send(text))


@pytest.fixture(scope="module")
def reader_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample page, every synthetic page of tests/pages/ and the two-page issue."""
    path = tmp_path_factory.mktemp("reader") / "reader.db"
    rt = open_runtime(Config(db_path=str(path)), seed=True)
    try:
        singles = sorted(PAGES.glob("*.txt"))
        rt.executor.submit(ingest_paths, rt.store, singles, date=OTHER_DAY).result()
        rt.executor.submit(ingest_paths, rt.store, [PAGES / "issue"]).result()
    finally:
        rt.close()
    return path


def opened(db: Path) -> Iterator[Runtime]:
    """The bot's runtime on ``db``, its clock at 09:00 on the sample's day."""
    rt = open_runtime(Config(db_path=str(db)))
    rt.clock = fixed_clock(f"{SAMPLE_DAY}T09:00:00+08:00")
    try:
        yield rt
    finally:
        rt.close()


@pytest.fixture
def reader(reader_db: Path) -> Iterator[Runtime]:
    yield from opened(reader_db)


@pytest.mark.parametrize("query", QUERIES)
def test_no_reply_shows_machinery_or_false_headlines(reader: Runtime, query: str) -> None:
    known = headings(reader.store.conn)
    replies = run(reader, query)
    assert replies
    assert not all_problems(replies, known), [r.text for r in replies]


def test_every_article_opens_whole_and_well_named(reader: Runtime) -> None:
    known = headings(reader.store.conn)
    ids = [r[0] for r in reader.store.conn.execute("SELECT id FROM articles ORDER BY id")]
    seen: dict[int, str] = {}
    for aid in ids:
        replies = run(reader, f"/article {aid}")
        assert not all_problems(replies, known, article=True), (aid, replies[0].text)
        whole = reader.store.article(aid)
        assert whole is not None
        # A part opens its whole article: the same messages whichever part was asked for.
        first = seen.setdefault(whole.id, replies[0].text)
        assert replies[0].text == first


def test_today_on_each_issue_day_is_clean(reader: Runtime) -> None:
    known = headings(reader.store.conn)
    for day in (SAMPLE_DAY, OTHER_DAY, "2026-05-06", "2026-06-01"):
        reader.clock = fixed_clock(f"{day}T09:00:00+08:00")
        replies = run(reader, "/today")
        assert not all_problems(replies, known), (day, replies[0].text)


def test_the_checks_catch_what_issue_14_saw() -> None:
    """The checker itself fails on the replies the issue quoted."""
    known = {"为中国电影注入更多新的可能", "打好“电影+”组合拳"}
    bad = [
        Reply("1. <b>(无标题)</b>"),
        Reply("📰 浙江日报 2026-04-15 第97–101行 · 编号 20558000002"),
        Reply("📍 <b>上海市</b>\n<i>上海市 · 上海市 · 区划代码 310000</i>"),
        Reply("本地区暂无收录的报道(暂无报道)。"),
        Reply("1. <b>绍兴人谢晋是助推思想解放、拨乱反正的电影艺术家…</b>"),
        Reply("<b>简报栏目</b>\n按下面的按钮开启或关闭栏目。"),
        Reply("• 文字\n  ↳ 原文 /article 20558000008 · 浙江日报"),
    ]
    for reply in bad:
        assert all_problems([reply], known), reply.text


# ---- issue 14, done when: the sample page alone --------------------------------------------------


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sample") / "sample.db"
    open_runtime(Config(db_path=str(path)), seed=True).close()
    return path


@pytest.fixture
def sample(sample_db: Path) -> Iterator[Runtime]:
    yield from opened(sample_db)


CONTINUED = "（续）上文见第一版"


def test_search_shows_the_film_article_once_as_a_continued_article(sample: Runtime) -> None:
    (reply,) = run(sample, "/search 票房")
    assert "共 1 条结果" in reply.text
    item = reply.text.split("\n")[2]
    assert item.startswith(f"1. {CONTINUED} <b>打好“电影+”组合拳</b>")
    assert "为中国电影注入更多新的可能" in item
    assert "谢晋" not in item.split("</b>")[0]  # no body sentence in bold
    assert "无标题" not in reply.text


def test_film_lists_the_continued_article_once_named_by_its_sub_heads(sample: Runtime) -> None:
    (reply,) = run(sample, "/film")
    items = [line for line in reply.text.split("\n") if line[:2] in ("1.", "2.", "3.")]
    assert len(items) == 1, items  # the two parts are one article
    assert items[0] == (
        f"1. {CONTINUED} <b>打好“电影+”组合拳</b>｜为中国电影注入更多新的可能"
    )
    assert "绍兴人谢晋是助推思想解放" not in reply.text


def test_finance_shows_title_and_subtitle(sample: Runtime) -> None:
    (reply,) = run(sample, "/finance")
    assert "<b>绍兴推出全流程科技成果转化保障机制</b>｜保贷联动,守护科创星星之火" in reply.text


def test_today_cites_the_film_article_by_its_name_not_as_yuanwen(sample: Runtime) -> None:
    replies = run(sample, "/today")
    text = "\n".join(r.text for r in replies)
    film = text.split("【影视产业】")[1].split("【")[0]
    assert f"↳ {CONTINUED} 打好“电影+”组合拳｜为中国电影注入更多新的可能" in film
    assert "原文" not in text
    assert "保贷联动" in text


def test_article_joins_the_two_parts_in_reading_order(sample: Runtime) -> None:
    part = run(sample, f"/article {FILM_PART}")
    whole = run(sample, f"/article {FILM_CONTINUATION}")
    assert [r.text for r in part] == [r.text for r in whole]
    text = "\n".join(r.text for r in whole)
    assert text.startswith("<i>（续）这是一篇报道的后半部分，上文见第一版</i>")
    assert text.index("绍兴人谢晋") < text.index("<b>为中国电影注入更多新的可能</b>")
    assert text.index("<b>为中国电影注入更多新的可能</b>") < text.index("到现在,浙江已形成")
    assert "行" not in text.split("\n")[2]  # the provenance line: no line numbers


def test_a_fragment_is_shown_as_one(sample: Runtime) -> None:
    (card,) = run(sample, "/county 杭州")
    assert "（续）…睛”,周边的风浪" in card.text
    assert "<b>睛" not in card.text
    (article,) = run(sample, "/article 20558000002")
    assert article.text.startswith("<i>（续）这是一篇报道的后半部分，开头不在这一版</i>")


def test_county_cards_name_a_place_once(sample: Runtime) -> None:
    (card,) = run(sample, "/county 上海")
    assert "上海市 · 上海市" not in card.text
    assert "还没有收录提到上海的报道。" in card.text
    assert "暂无" not in card.text


def test_suggestions_keep_the_command_typed(sample: Runtime) -> None:
    (reply,) = run(sample, "/follow 不存在")
    assert "/follow 缙云" in reply.text
    assert "/county" not in reply.text
    (reply,) = run(sample, "/follow 缙去")
    assert [b.data for row in reply.buttons for b in row] == ["follow:331122"]


def test_ask_prints_the_buttons_of_a_choice(sample_db: Path, tmp_path: Path) -> None:
    from botharness import copy_db

    text = ask(Config(db_path=str(copy_db(sample_db, tmp_path / "a.db"))), "/topics")
    assert "[✅ 县域经济]" in text
    assert "[⬜ 其他]" in text


def test_a_fresh_database_says_how_to_get_papers_in(tmp_path: Path) -> None:
    rt = open_runtime(Config(db_path=str(tmp_path / "fresh.db")))
    try:
        for query in ("/today", "/search 票房", "/film", "/finance", "/county 缙云", "缙云"):
            (reply,) = run(rt, query)
            assert "python bot.py ingest" in reply.text, query
            assert "/sources add" in reply.text, query
            assert "暂无" not in reply.text
    finally:
        rt.close()


def test_the_console_banner_says_how_to_run_the_bot_for_real(tmp_path: Path, capsys) -> None:
    import io

    from bot.console import run_console

    out = io.StringIO()
    run_console(Config(db_path=str(tmp_path / "c.db")), io.StringIO("/help\n"), out)
    banner = capsys.readouterr().err
    assert "离线控制台" in banner
    assert "TELEGRAM_BOT_TOKEN" in banner
    assert "python bot.py" in banner
    assert "离线控制台" not in out.getvalue()  # piped output is the replies alone


def test_help_says_that_no_command_starts_the_bot(capsys) -> None:
    import bot as entry  # bot.py is shadowed by the bot package: load the file itself

    del entry
    import importlib.util

    spec = importlib.util.spec_from_file_location("bot_entry", SAMPLE.parent.parent / "bot.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with pytest.raises(SystemExit):
        module.main(["--help"])
    text = capsys.readouterr().out
    assert "python bot.py [--db DB]                start the bot (no COMMAND)" in text
    assert "启动机器人：python bot.py（不带命令）" in text
