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
