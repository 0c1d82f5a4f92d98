"""Interface text in Chinese and English: every marked string translated, placeholders and tags
kept, Chinese text in full-width punctuation, the reader's language chosen from Telegram's."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from briefings.i18n import (
    DOMAIN,
    LOCALE_DIR,
    PLACEHOLDER,
    TAG,
    language_for,
    normalize_language,
    translator,
)

REPO = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("i18n_script", REPO / "scripts" / "i18n.py")
assert _spec is not None
assert _spec.loader is not None
i18n_script = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(i18n_script)

HAN = "\u3400-\u9fff"


def _english() -> list:
    with (LOCALE_DIR / "en" / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as fh:
        return [m for m in read_po(fh, locale="en", domain=DOMAIN) if m.id]


def test_every_marked_string_has_an_english_translation() -> None:
    gaps = i18n_script.missing("en")
    assert not gaps, "run `python scripts/i18n.py update` and translate:\n" + "\n".join(gaps)


def test_the_check_reports_a_string_added_without_translation(tmp_path: Path) -> None:
    (tmp_path / "bot").mkdir()
    (tmp_path / "bot" / "new.py").write_text('def f(tr):\n    return tr("新的提示")\n', "utf-8")
    assert i18n_script.missing("en", root=tmp_path) == ["bot/new.py:2: 新的提示"]


def _pairs() -> list[tuple[str, str]]:
    out = []
    for m in _english():
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        out.extend((i, s) for i in ids for s in strings if s)
    return out


def test_translations_keep_every_placeholder_and_html_tag() -> None:
    for source, english in _pairs():
        assert sorted(PLACEHOLDER.findall(source)) == sorted(PLACEHOLDER.findall(english)) or (
            # A Chinese plural has one form; the English singular may drop {n}.
            set(PLACEHOLDER.findall(english)) <= set(PLACEHOLDER.findall(source))
        ), (source, english)
        assert sorted(TAG.findall(source)) == sorted(TAG.findall(english)), (source, english)


def _prose(text: str) -> str:
    """Text without placeholders, tags, commands (/county), times (07:30) and URLs."""
    for pattern in (PLACEHOLDER, TAG, re.compile(r"/[a-z_]+|https?://\S+|\d{1,2}:\d{2}")):
        text = pattern.sub(" ", text)
    return text


def test_chinese_interface_text_uses_full_width_punctuation() -> None:
    bad = re.compile(rf"[{HAN}][,:;!?()]|[,:;!?()][{HAN}]")
    offenders = [source for source, _ in _pairs() if bad.search(_prose(source))]
    assert not offenders, offenders


@pytest.mark.parametrize(
    ("code", "lang"),
    [("zh-hans", "zh"), ("zh-TW", "zh"), (None, "zh"), ("", "zh"), ("en", "en"),
     ("en-GB", "en"), ("de", "en")],
)  # fmt: skip
def test_reader_language_follows_telegram_language_code(code: str | None, lang: str) -> None:
    assert language_for(code) == lang


def test_language_argument_accepts_common_names() -> None:
    assert normalize_language("English") == "en"
    assert normalize_language(" 中文 ") == "zh"
    assert normalize_language("klingon") is None


def test_chinese_is_the_source_language_and_formats_its_placeholders() -> None:
    zh = translator("zh")
    assert zh("共 {n} 条", n=3) == "共 3 条"
    assert zh.ngettext("{n} 条结果", "{n} 条结果", 1) == "1 条结果"
    assert translator("xx") == zh, "an unknown language falls back to Chinese"


def test_place_names_get_pinyin_in_english_only() -> None:
    assert translator("en").place("缙云", "jinyun") == "缙云 (Jinyun)"
    assert translator("zh").place("缙云", "jinyun") == "缙云"


# ---- text composed before the reader is known ---------------------------------------------------


def test_text_is_chinese_and_says_itself_again_in_english() -> None:
    from briefings.i18n import Text

    forms = Text("可以写 07:30、7点半、早上7点 或 晚上8点")
    text = Text("看不懂这个时间：{text}。{forms}。", text="“x”", forms=forms)
    assert text == "看不懂这个时间：“x”。可以写 07:30、7点半、早上7点 或 晚上8点。"
    assert translator("zh").text(text) == str(text)
    english = translator("en").text(text)
    assert english.startswith("Cannot read this time: “x”.")
    assert "8pm" in english
    assert translator("en").text("缙云县规上工业") == "缙云县规上工业", "unmarked text stays"


def test_text_keeps_its_chinese_rendering_through_copy_and_pickle() -> None:
    import copy
    import pickle

    from briefings.stories import page_text

    page = page_text("第一版")
    assert page == "第一版"
    assert translator("en").text(page) == "p. 1"
    for clone in (copy.deepcopy(page), pickle.loads(pickle.dumps(page))):
        assert clone == "第一版"
        assert translator("en").text(clone) == "p. 1"


def test_domain_errors_keep_a_chinese_str_and_are_shown_in_the_readers_language() -> None:
    from bot.errors import domain_reply
    from briefings import arguments, chats
    from briefings.errors import InvalidArgument

    with pytest.raises(InvalidArgument) as caught:
        chats.parse_timezone("Mars/Olympus")
    assert str(caught.value).startswith("未知时区：Mars/Olympus")
    assert "Unknown time zone: Mars/Olympus" in domain_reply(caught.value, tr=translator("en")).text
    assert "未知时区" in domain_reply(caught.value).text
    with pytest.raises(InvalidArgument) as long:
        arguments.capped("缙" * 50, 40, arguments.QUERY)
    assert str(long.value).startswith("搜索内容太长了：最多 40 个字，收到 50 个字")
    english = translator("en").text(long.value.text)
    assert english.startswith("The search text is too long: at most 40 characters, got 50")


# ---- dates, lists, provenance, marks -----------------------------------------------------------


def test_dates_are_written_per_language() -> None:
    zh, en = translator("zh"), translator("en")
    assert zh.date("2026-04-15") == "2026年4月15日"
    assert en.date("2026-04-15") == "15 Apr 2026"
    assert zh.date("2026-04-15", year=False) == "4月15日"
    assert en.date("2026-04-15", year=False) == "15 Apr"
    assert en.date("not a date") == "not a date"


def test_provenance_names_pages_per_language() -> None:
    from briefings.digest import provenance

    assert provenance("浙江日报", "2026-04-15", "1") == "浙江日报 · 2026-04-15 · 第1版"
    assert provenance("浙江日报", "2026-04-15", "1、2") == "浙江日报 · 2026-04-15 · 第1、2版"
    en = translator("en")
    assert provenance("浙江日报", "2026-04-15", "1", tr=en) == "浙江日报 · 2026-04-15 · p. 1"
    assert provenance("浙江日报", "2026-04-15", "1、2", tr=en) == "浙江日报 · 2026-04-15 · pp. 1, 2"
    assert provenance("浙江日报", "", "", tr=en) == "浙江日报 · date unknown"


def test_our_headline_marks_are_translated_and_the_papers_words_are_not() -> None:
    from briefings.stories import Headline, continued_mark, page_label

    assert continued_mark("第一版") == "（续）上文见第一版"
    assert continued_mark("3") == "（续）上文见第3版"
    assert [page_label(p) for p in ("第一版", "第 12 版", "A1版", "3")] == ["1", "12", "A1", "3"]
    h = Headline("打好组合拳", "副题", continued_mark("第一版"))
    assert h.plain() == "（续）上文见第一版 打好组合拳｜副题"
    assert h.in_language(translator("en")).plain() == "(cont. from p. 1) 打好组合拳｜副题"


def test_indicator_names_are_translated_from_the_vocabulary() -> None:
    from briefings.comparable import display_name, indicator_for_key

    en = translator("en")
    gdp, iva, rev = (indicator_for_key(k) for k in ("gdp_growth", "iva", "rev:家电"))
    assert gdp is not None
    assert iva is not None
    assert rev is not None
    assert display_name(gdp, translator("zh")) == gdp.name == "GDP增速"
    assert display_name(gdp, en) == "GDP growth"
    assert display_name(iva, en) == "Industrial value added (above-size firms)"
    assert display_name(rev, en) == "家电 revenue"


# ---- the chat's language -----------------------------------------------------------------------


def test_reader_language_prefers_the_chats_choice_then_the_sender_then_the_last_seen() -> None:
    from briefings.i18n import reader_language

    assert reader_language("zh", "en", "en") == "zh"
    assert reader_language("", "en-US", "zh") == "en"
    assert reader_language("", None, "en") == "en"
    assert reader_language("", None, "") == "zh"
    assert reader_language("xx", None, "xx") == "zh"


def test_a_chats_language_is_stored_and_the_last_seen_one_remembered(tmp_path: Path) -> None:
    from briefings import chats
    from briefings.errors import InvalidArgument
    from briefings.store import Store

    with Store.open(tmp_path / "lang.db") as store:
        conn = store.conn
        assert "0017_i18n_chat_language" in {
            r[0] for r in conn.execute("SELECT name FROM _migrations")
        }
        assert not chats.note_language(conn, 7, "en"), "no row yet: nothing to remember"
        prefs = chats.ensure_chat(conn, 7, "private", "", seen_lang="en")
        assert (prefs.lang, prefs.seen_lang, prefs.language) == ("", "en", "en")
        assert chats.note_language(conn, 7, "zh")
        assert not chats.note_language(conn, 7, "zh"), "unchanged: no write"
        assert chats.get_chat(conn, 7).language == "zh"
        assert chats.set_language(conn, 7, "English").language == "en"
        assert chats.language_of(conn, 7) == ("en", "zh")
        assert chats.set_language(conn, 7, "auto").language == "zh"
        with pytest.raises(InvalidArgument):
            chats.set_language(conn, 7, "klingon")


def test_a_scheduled_edition_is_composed_in_the_chats_language(tmp_path: Path) -> None:
    from bot.edition_html import EditionHtml
    from briefings import chats, editions
    from briefings.pipeline import ingest_paths
    from briefings.store import Store

    with Store.open(tmp_path / "ed.db") as store:
        ingest_paths(store, [REPO / "data" / "sample_page_2026-04-15.txt"])
        chats.ensure_chat(store.conn, 1, "private", "", seen_lang="en")
        prefs = store.run(chats.get_chat, 1)
        edition = editions.compose_for_chat(store, prefs, "2026-04-15")
        assert edition.lang == "en"
        (first, *_) = EditionHtml()(edition)
        assert first.startswith("<b>Zhejiang Economy Morning Briefing · 15 Apr 2026</b>")
        chinese = editions.compose_for_chat(store, None, "2026-04-15")
        assert EditionHtml()(chinese)[0].startswith("<b>浙江经济早报 · 2026年4月15日</b>")


def test_ask_answers_as_to_an_english_speaking_user(
    seeded_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    from botharness import copy_db

    monkeypatch.setenv("BRIEFINGS_DB", str(copy_db(seeded_db, tmp_path / "ask.db")))
    spec = importlib.util.spec_from_file_location("bot_cli_i18n", REPO / "bot.py")
    assert spec is not None
    assert spec.loader is not None
    cli = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cli)
    assert cli.main(["ask", "--lang", "en", "/help"]) == 0
    assert "Zhejiang Economic Briefing" in capsys.readouterr().out
    assert cli.main(["ask", "/help"]) == 0
    assert "浙江经济简报" in capsys.readouterr().out


# ---- nothing a reader sees escapes the catalogue ------------------------------------------------

# Modules whose Chinese is for operators (logs, the CLI, health checks), not for readers.
OPERATOR_MODULES = {"config.py", "delivery.py", "health.py", "lease.py"}
# Chinese in reply modules that is not interface text: words people type (compare 缙云 对比 柯城),
# examples of input for Chinese readers, an industry key, the admins' traceback header.
NOT_INTERFACE = {
    "对比",
    "rev:家电",
    "规上工业增加值增速",
    "出口",
    "社会消费品零售总额",
    "家电营收",
    "⚠️ <b>未处理的异常</b> ",
}


def _unmarked_chinese(path: Path) -> list[str]:
    """String literals with Han characters in ``path`` that are neither marked (``N_``,
    ``tr``, ``ngettext``), docstrings, nor regular expressions."""
    import ast

    tree = ast.parse(path.read_text("utf-8"))
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            name = f.id if isinstance(f, ast.Name) else getattr(f, "attr", "")
            if name in ("N_", "tr", "ngettext", "compile"):
                skip.update(id(sub) for a in node.args for sub in ast.walk(a))
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            skip.add(id(body[0].value))
    return [
        f"{path.name}:{node.lineno}: {node.value!r}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and re.search(f"[{HAN}]", node.value)
        and id(node) not in skip
        and node.value not in NOT_INTERFACE
    ]


def test_every_chinese_string_a_reader_sees_is_marked_for_translation() -> None:
    found = [
        line
        for path in sorted((REPO / "bot").glob("*.py"))
        if path.name not in OPERATOR_MODULES
        for line in _unmarked_chinese(path)
    ]
    assert not found, "mark these with tr() or N_() and translate them:\n" + "\n".join(found)


def test_the_unmarked_check_finds_a_chinese_reply_written_in_code(tmp_path: Path) -> None:
    source = tmp_path / "new.py"
    source.write_text('def reply():\n    """说明。"""\n    return "已订阅"\n', "utf-8")
    assert _unmarked_chinese(source) == ["new.py:3: '已订阅'"]
