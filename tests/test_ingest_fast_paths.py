"""The ingest shortcuts give exactly what the plain definitions give.

Each shortcut skips work the plain form would do (normalising text NFKC cannot change, trying a
pattern where no match can start, searching a line that cannot hold a credit); these tests hold
them to the plain form on real page text and on generated text built from the characters and
words the patterns care about.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
import zhconv
from hypothesis import given, settings
from hypothesis import strategies as st

from briefings import normalize, search, segment
from briefings.figures import _FIGURE, _figure_matches
from briefings.normalize import char_table, fold_spaces, for_matching, nfkc, zhconv_tables
from briefings.sentences import _END, split_sentences
from briefings.typography import _CREDIT_LAST, _CREDIT_TAIL, _HAN, _WS, CONTINUED_TO, _cjk, _vis

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample_page_2026-04-15.txt"
SAMPLE_TEXT = SAMPLE.read_text(encoding="utf-8")
FULL_WIDTH = str.maketrans({c: chr(ord(c) + 0xFEE0) for c in ",:;()!?0123456789%ABCabc"})

zhconv_tables()  # load zhconv's tables by path first: its own loader leaves the file open
# Text variants a reader meets: as printed, full-width punctuation, traditional characters.
PAGES = {
    "sample": SAMPLE_TEXT,
    "full_width": SAMPLE_TEXT.translate(FULL_WIDTH),
    "traditional": zhconv.convert(SAMPLE_TEXT, "zh-tw"),
}

# Characters NFKC treats specially: combining marks (reordered, composed), Hangul jamo (composed
# into syllables), compatibility forms, full-width forms, ligatures, an astral compatibility
# ideograph, traditional characters, blanks of every kind.
TRICKY = (
    "e\u0301\u0327\u0316a\u030aA\u0308\u1100\u1161\u11a8\uac00\u11a8\u0b47\u0b3e\u0bc6\u0bbe"
    "…⋯①㎡℃½²ﬁ\uf900\ufa0e\U0002f800\U0001d400ＡＢ１２，：；（）！？\u3000\u00a0\u2002\u200b\ufeff"
    "縉雲義烏經濟發展億萬個樣與為國資產證券化柯城缙云增长19.7%，。！？“”《》\n\t "
)
tricky_text = st.text(alphabet=st.sampled_from(TRICKY), max_size=60) | st.text(max_size=60)


@settings(max_examples=400, deadline=None)
@given(tricky_text)
def test_nfkc_shortcut_equals_unicodedata(text: str) -> None:
    assert nfkc(text) == unicodedata.normalize("NFKC", text)


@settings(max_examples=400, deadline=None)
@given(tricky_text)
def test_for_matching_equals_its_plain_definition(text: str) -> None:
    plain = fold_spaces(unicodedata.normalize("NFKC", text).translate(char_table())).lower()
    assert for_matching(text) == plain


@pytest.mark.parametrize("name", sorted(PAGES))
def test_index_text_of_real_pages_equals_the_plain_definition(name: str) -> None:
    text = PAGES[name]
    tokens = segment.cut_for_search(for_matching(text))
    plain = re.sub(r"[^\w]+", " ", " ".join(tokens)).strip()
    assert search.index_text(text) == plain


def test_blocks_skipped_when_listing_unstable_characters_hold_none() -> None:
    # What _unstable() would add for these blocks if it did not skip them: nothing.
    seconds = set(range(0x1161, 0x1176)) | set(range(0x11A8, 0x11C3))
    for cp in range(0x10000):
        parts = unicodedata.decomposition(chr(cp)).split()
        if len(parts) == 2 and not parts[0].startswith("<"):
            seconds.add(int(parts[1], 16))
    for start, end in normalize._STABLE_BLOCKS:
        for cp in range(start, end + 1):
            ch = chr(cp)
            if 0xD800 <= cp <= 0xDFFF:
                continue
            assert cp not in seconds, hex(cp)
            assert not unicodedata.combining(ch), hex(cp)
            assert unicodedata.normalize("NFKC", ch) == ch, hex(cp)


# --- figures: trying only numeral runs finds what scanning every character finds ---------------

FIGURE_PIECES = [
    *"近超逾约上百千万亿十两一二三四五六七八九零〇第前数几:-—~至到.．,%％成多余来",
    *"0123456789０１２",
    "百分之", "个百分点", "亿元", "万人", "家", "个", "人次", "年", "月", "以上", "左右",
    "最近", "签约", "赶超", "超过", "1,234", "19.7", "十四五", "增长", "达", "，", "。", "企业",
]  # fmt: skip


def _spans(matches) -> list[tuple[tuple[int, int], dict[str, str | None]]]:
    return [(m.span(), m.groupdict()) for m in matches]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(FIGURE_PIECES), max_size=20).map("".join))
def test_figure_scan_finds_what_the_full_regex_scan_finds(text: str) -> None:
    assert _spans(_figure_matches(text)) == _spans(_FIGURE.finditer(text))


def test_figure_scan_on_every_line_of_the_sample_page() -> None:
    for line in SAMPLE_TEXT.split("\n"):
        assert _spans(_figure_matches(line)) == _spans(_FIGURE.finditer(line))


# --- sentences --------------------------------------------------------------------------------


def _plain_split(paragraph: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for m in _END.finditer(paragraph):
        spans.append((start, m.end()))
        start = m.end()
    if start < len(paragraph):
        spans.append((start, len(paragraph)))
    return spans


@settings(max_examples=500, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from("。！？!?；;…⋯..\n”’」）)】》\"' \t\u3000\u00a0增长a1"),
        max_size=40,
    )
)
def test_sentence_split_equals_scanning_every_character(text: str) -> None:
    assert split_sentences(text) == _plain_split(text)


def test_sentence_split_of_every_paragraph_of_the_sample_page() -> None:
    for para in SAMPLE_TEXT.split("\n\n"):
        assert split_sentences(para) == _plain_split(para)


# --- page parsing -----------------------------------------------------------------------------

blank_text = st.text(
    alphabet=st.sampled_from(" \t\u3000\u00a0\u2002\n\x0b\x1c縉云a，"), max_size=30
)


@given(blank_text | st.text(max_size=30))
def test_visible_length_ignores_what_the_regex_calls_blank(text: str) -> None:
    assert _vis(text) == len(_WS.sub("", text))


@given(st.text(max_size=40))
def test_han_only_copy_equals_collecting_han_characters(text: str) -> None:
    assert _cjk(text) == "".join(_HAN.findall(text))


CREDIT_PIECES = [
    "文",
    "摄",
    "图",
    "/",
    "／",
    "摄影",
    "供图",
    "视频",
    "绘",
    " ",
    "本报记者",
    "张三",
    "影",
]


@given(st.lists(st.sampled_from(CREDIT_PIECES), min_size=1, max_size=8).map("".join))
def test_a_credit_always_ends_in_one_of_the_checked_characters(text: str) -> None:
    s = text.strip()
    if s and s[-1] not in _CREDIT_LAST:
        assert _CREDIT_TAIL.search(s) is None


@given(
    st.lists(
        st.sampled_from(["(", "（", "下转", "转", "转至", "第", "3", "A", "版", ")", "）", " "])
    )
)
def test_a_continued_to_mark_always_holds_zhuan(pieces: list[str]) -> None:
    text = "".join(pieces)
    if "转" not in text:
        assert CONTINUED_TO.search(text) is None
