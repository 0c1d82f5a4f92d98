"""UTF-16 lengths, escaping and safe splitting of Telegram HTML and plain text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.telegram_html import (
    escape,
    escape_attr,
    html_to_text,
    is_balanced,
    split_html,
    split_plain,
    utf16_len,
    visible_len,
    visible_text,
)

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample_page_2026-04-15.txt"
PAGE = SAMPLE.read_text(encoding="utf-8")
LIMIT = 4096


def test_utf16_len_counts_astral_characters_twice():
    assert utf16_len("浙江") == 2
    assert utf16_len("😀") == 2
    assert utf16_len("👩‍💻") == 5  # 👩 + ZWJ + 💻
    assert utf16_len("𠮷野家") == 4


def test_visible_len_ignores_tags_and_counts_entities_as_one():
    assert visible_len("<b>缙云</b>") == 2
    assert visible_len("a &amp; b &lt;i&gt;") == 9
    assert visible_len('<a href="https://t.me/x?start=article_1">原文</a>') == 2
    assert visible_len("&#128512;") == 2
    assert visible_len("&#x1F600;") == 2
    assert visible_len("&nbsp;") == 6  # not a Telegram entity: shown as typed


def test_escape_text_and_attributes():
    assert escape('<script>"a" & b</script>') == '&lt;script&gt;"a" &amp; b&lt;/script&gt;'
    assert escape_attr('x"><b>') == "x&quot;&gt;&lt;b&gt;"


@pytest.mark.parametrize(
    ("markup", "ok"),
    [
        ("<b>a<i>b</i></b>", True),
        ("<b>a<i>b</b></i>", False),
        ("<b>a", False),
        ("a</b>", False),
        ("a < b", False),
        ("a > b", False),
        ("AT&T", False),
        ("&nbsp;", False),
        ("&#8212; &quot;", True),
        ('<a href="x">y</a> &amp;', True),
        ('<pre><code class="language-python">x</code></pre>', True),
    ],
)
def test_is_balanced(markup, ok):
    assert is_balanced(markup) is ok


def test_html_to_text_keeps_link_targets():
    markup = '<b>柯城</b> &amp; <a href="https://t.me/b?start=article_1&amp;x=1">原文</a>'
    assert html_to_text(markup) == "柯城 & 原文 (https://t.me/b?start=article_1&x=1)"
    assert html_to_text('<a href="https://a.b">https://a.b</a>') == "https://a.b"


# --- split_html on concrete cases ------------------------------------------------------------


def test_blocks_that_fit_are_joined_with_newlines_into_one_message():
    assert split_html(["<b>一</b>", "二", "三"]) == ["<b>一</b>\n二\n三"]


def test_messages_break_only_between_blocks_when_every_block_fits():
    blocks = [f"<b>第{i}条</b> " + "缙云规上工业总产值突破525亿元。" * 20 for i in range(30)]
    messages = split_html(blocks)
    assert len(messages) > 1
    assert all(visible_len(m) <= LIMIT for m in messages)
    assert [b for m in messages for b in m.split("\n")] == blocks


def test_emoji_at_the_limit_is_never_cut_in_half():
    block = "a" + "😀" * 3000  # 6001 UTF-16 units; an odd start makes 4096 fall mid-emoji
    messages = split_html([block])
    assert [visible_len(m) for m in messages] == [4095, 1906]
    assert "".join(messages) == block
    for m in messages:
        m.encode("utf-8")  # would raise on a lone surrogate


def test_zwj_emoji_sequences_stay_whole():
    block = "👩‍💻" * 1000  # 5 units each
    messages = split_html([block], limit=4096)
    assert all(m.startswith("👩") and m.endswith("💻") for m in messages)
    assert "".join(messages) == block


def test_long_block_is_cut_at_a_sentence_end_with_tags_reopened():
    paragraph = "".join(re.findall(r"[^。\n]+。", PAGE))  # the whole page, one paragraph
    block = f'<blockquote><a href="https://t.me/b?start=article_7"><b>{escape(paragraph)}</b></a></blockquote>'
    messages = split_html([block], limit=1000)
    assert len(messages) > 3
    for m in messages:
        assert is_balanced(m)
        assert visible_len(m) <= 1000
        assert m.startswith('<blockquote><a href="https://t.me/b?start=article_7"><b>')
        assert m.endswith("</b></a></blockquote>")
    for m in messages[:-1]:
        assert visible_text(m).endswith(("。", "。”"))
    assert "".join(visible_text(m) for m in messages) == paragraph


def test_cut_prefers_clause_marks_when_a_sentence_is_too_long():
    block = "义乌,嘉善,乐清" * 200  # no sentence end at all
    messages = split_html([block], limit=100)
    assert all(visible_text(m).endswith(",") for m in messages[:-1])


def test_entities_are_never_split():
    block = "&amp;&lt;&gt;" * 2000
    messages = split_html([block], limit=1000)
    assert all(is_balanced(m) and visible_len(m) <= 1000 for m in messages)
    assert "".join(messages) == block


def test_raw_length_is_capped_too():
    block = '<a href="https://example.com/' + "x" * 60 + '">a</a>'
    blocks = [block] * 100
    messages = split_html(blocks, limit=4096, raw_limit=1000)
    assert len(messages) > 1
    assert all(len(m) <= 1000 for m in messages)


def test_blank_blocks_are_dropped_so_no_message_is_blank():
    assert split_html(["<b> </b>", "", "\n"]) == []
    assert split_html(["<b> </b>", "缙云"]) == ["缙云"]


def test_unbalanced_block_is_rejected():
    with pytest.raises(ValueError, match="unbalanced"):
        split_html(["<b>缙云"])


def test_impossible_limits_are_rejected():
    with pytest.raises(ValueError, match="limits"):
        split_html(['<a href="' + "x" * 100 + '">' + "y" * 50 + "</a>"], limit=10, raw_limit=50)


# --- split_html properties -------------------------------------------------------------------

TAGS = [("b", ""), ("i", ""), ("u", ""), ("s", ""), ("code", ""), ("blockquote", "")]
_pieces = st.sampled_from(
    [*"浙江缙云柯城。！？，、 ab1%", "😀", "👩‍💻", "🇨🇳", "é", "<", ">", "&", '"', "\n", "𠮷"]
)
_text = st.lists(_pieces, min_size=1, max_size=40).map("".join)


@st.composite
def html_block(draw, depth=0):
    """Random balanced HTML: escaped text and nested Telegram tags, one to a few parts."""
    parts = []
    for _ in range(draw(st.integers(1, 3))):
        if depth < 3 and draw(st.booleans()):
            inner = draw(html_block(depth + 1))
            if draw(st.booleans()):
                url = escape_attr(f"https://t.me/bot?start=article_{draw(st.integers(1, 999))}")
                parts.append(f'<a href="{url}">{inner}</a>')
            else:
                name, _ = draw(st.sampled_from(TAGS))
                parts.append(f"<{name}>{inner}</{name}>")
        else:
            parts.append(escape(draw(_text)))
    return "".join(parts)


def _dense(text: str) -> str:
    return re.sub(r"\s+", "", text)


@settings(max_examples=300, deadline=None)
@given(blocks=st.lists(html_block(), min_size=1, max_size=12), limit=st.integers(12, 300))
def test_split_html_messages_are_balanced_within_limits_and_lose_nothing(blocks, limit):
    raw_limit = limit * 8 + 400  # room for three nested links around a character
    messages = split_html(blocks, limit, raw_limit=raw_limit)
    for m in messages:
        assert is_balanced(m)
        assert 0 < visible_len(m) <= limit
        assert len(m) <= raw_limit
        assert visible_text(m).strip()
    expected = "".join(visible_text(b) for b in blocks)
    assert _dense("".join(visible_text(m) for m in messages)) == _dense(expected)
    # A block that fits is never cut: it appears whole inside one message.
    for b in blocks:
        if visible_len(b) <= limit and len(b) <= raw_limit and visible_text(b).strip():
            assert any(b in m for m in messages)


@settings(max_examples=200, deadline=None)
@given(text=st.lists(_pieces, min_size=1, max_size=400).map("".join), limit=st.integers(5, 64))
def test_split_html_of_escaped_text_never_breaks_a_grapheme_when_avoidable(text, limit):
    block = escape(text)
    messages = split_html([block], limit, raw_limit=limit * 8)
    assert _dense("".join(visible_text(m) for m in messages)) == _dense(text)
    for m in messages:
        assert visible_len(m) <= limit
        # 5 units fit the longest grapheme here (👩‍💻), so none is ever cut
        assert not m.startswith(("\u200d", "\U0001f4bb"))
        assert not m.endswith("\u200d")


# --- split_plain -----------------------------------------------------------------------------


def test_split_plain_cuts_the_sample_page_at_paragraphs():
    chunks = split_plain(PAGE, limit=500)
    assert len(chunks) > 5
    paragraphs = [p for p in PAGE.split("\n") if p.strip()]
    short = [p for p in paragraphs if utf16_len(p) <= 500]
    for p in short:  # every paragraph that fits stays whole in one chunk
        assert any(p in c for c in chunks)
    assert all(utf16_len(c) <= 500 for c in chunks)


def test_split_plain_cuts_a_long_paragraph_at_sentence_ends():
    paragraph = "".join(re.findall(r"[^。\n]+。", PAGE))
    chunks = split_plain(paragraph, limit=300)
    assert all(re.search(r"[。！？!?][”’]?$", c) for c in chunks[:-1])
    assert "".join(chunks) == paragraph


@settings(max_examples=300, deadline=None)
@given(text=st.lists(_pieces, max_size=600).map("".join), limit=st.integers(2, 200))
def test_split_plain_respects_the_limit_and_keeps_all_text(text, limit):
    chunks = split_plain(text, limit)
    assert all(0 < utf16_len(c) <= limit and c.strip() for c in chunks)
    assert _dense("".join(chunks)) == _dense(text)
