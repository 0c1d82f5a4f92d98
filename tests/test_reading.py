"""Reading input: decoding, walking folders, telling pages, articles and JSON Lines apart, dates,
sources and document keys. Uses the real sample page and files written to tmp_path."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefings.errors import InputError, InvalidArgument
from briefings.reading import (
    date_from_name,
    date_from_text,
    decode_bytes,
    iter_input_files,
    looks_like_jsonl,
    normalize_date,
    read_documents,
)

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample_page_2026-04-15.txt"
PAGES = ROOT / "tests" / "pages"


@pytest.fixture(scope="module")
def sample_text() -> str:
    return SAMPLE.read_text(encoding="utf-8")


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


ARTICLE = """县域经济跑出加速度 一季度GDP增长6.1%

■ 本报记者 郑亚丽

本报杭州4月14日讯 今年一季度,全省县域经济稳中有进,增速高于全国平均水平。

多个县(市、区)规上工业增加值增速超过10%,新兴产业成为增长主引擎。
"""


# --- decode_bytes -------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be"])
def test_decodes_unicode_encodings_with_and_without_bom(sample_text: str, encoding: str) -> None:
    assert decode_bytes(sample_text.encode(encoding)) == sample_text


@pytest.mark.parametrize("encoding", ["gb18030", "gbk"])
def test_decodes_chinese_legacy_encodings(sample_text: str, encoding: str) -> None:
    assert decode_bytes(sample_text.encode(encoding)) == sample_text


def test_utf32_with_bom_is_decoded() -> None:
    assert decode_bytes("要闻\n缙云".encode("utf-32")) == "要闻\n缙云"


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_cr_and_crlf_become_newlines(sample_text: str, newline: str) -> None:
    assert decode_bytes(sample_text.replace("\n", newline).encode("utf-8")) == sample_text


def test_text_is_not_nfkc_normalised() -> None:
    original = "增速１９．７％，ＧＤＰ超３０００亿元"
    assert decode_bytes(original.encode("utf-8")) == original


def test_only_a_leading_bom_is_removed() -> None:
    assert decode_bytes("\ufeff要闻\ufeff".encode()) == "要闻\ufeff"


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "PNG"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF"),
        (b"PK\x03\x04\x14\x00\x06\x00" + b"word/document.xml", "ZIP"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG"),
    ],
)
def test_binary_files_are_rejected_by_magic_number(data: bytes, kind: str) -> None:
    with pytest.raises(InputError, match=kind):
        decode_bytes(data)


def test_nul_bytes_outside_utf16_are_rejected() -> None:
    with pytest.raises(InputError, match="NUL"):
        decode_bytes("要闻".encode() + b"\x00\x01\x02\x03\x00\xff\xfe\x10" * 3 + b"\x00")


def test_many_control_characters_are_rejected() -> None:
    with pytest.raises(InputError, match="control"):
        decode_bytes(b"\x01\x02\x03\x04\x05\x06\x07\x08" * 20 + "要闻".encode())


def test_undecodable_bytes_are_rejected() -> None:
    with pytest.raises(InputError, match="UTF-8"):
        decode_bytes(b"\x80\xff\x80\xff" * 20)


@settings(max_examples=200)
@given(
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Co"))),
    st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-32"]),
)
def test_any_printable_text_round_trips(text: str, encoding: str) -> None:
    text = text.lstrip("\ufeff")
    assert decode_bytes(text.encode(encoding)) == text


# --- iter_input_files ---------------------------------------------------------------------------


def test_folders_are_walked_recursively_sorted_and_hidden_entries_skipped(tmp_path: Path) -> None:
    for name in ["b.txt", "a.txt", "sub/c.jsonl", "sub/deeper/d.txt", ".hidden.txt", ".git/x.txt"]:
        write(tmp_path / name, "要闻")
    got = [p.relative_to(tmp_path).as_posix() for p in iter_input_files([tmp_path])]
    assert got == ["a.txt", "b.txt", "sub/c.jsonl", "sub/deeper/d.txt"]


def test_files_named_directly_come_in_the_given_order_once(tmp_path: Path) -> None:
    a = write(tmp_path / "a.txt", "要闻")
    b = write(tmp_path / "b.txt", "要闻")
    assert list(iter_input_files([b, str(a), tmp_path])) == [b, a]


def test_missing_path_raises_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="nope"):
        list(iter_input_files([tmp_path, tmp_path / "nope"]))


# --- dates --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "2026-04-15",
        "2026/4/15",
        "20260415",
        "2026年4月15日",
        "2026-04-15T08:00:00+08:00",
        " 2026.04.15 ",
    ],
)
def test_dates_normalise_to_iso(value: str) -> None:
    assert normalize_date(value) == "2026-04-15"


@pytest.mark.parametrize(
    "value", ["2026-02-30", "15/04/2026", "昨天", "2026-13-01", "", "2026-04-15abc"]
)
def test_invalid_dates_are_rejected(value: str) -> None:
    with pytest.raises(InvalidArgument):
        normalize_date(value)


@pytest.mark.parametrize(
    ("name", "iso"),
    [
        ("sample_page_2026-04-15.txt", "2026-04-15"),
        ("zjrb_20260415_A3.txt", "2026-04-15"),
        ("2026_04_15-page1.txt", "2026-04-15"),
        ("zjrb_2026.4.5.txt", "2026-04-05"),
        ("page_12345678.txt", ""),
        ("notes.txt", ""),
    ],
)
def test_date_from_file_name(name: str, iso: str) -> None:
    assert date_from_name(name) == iso


def test_dates_in_running_text_are_not_the_publication_date(sample_text: str) -> None:
    assert "1981年5月23日" in sample_text
    assert date_from_text(sample_text) == ""


def test_masthead_or_labelled_date_is_the_publication_date() -> None:
    assert (
        date_from_text((PAGES / "xinhua_datelines.txt").read_text(encoding="utf-8")) == "2026-04-16"
    )
    assert date_from_text("标题\n\n正文第一段。\n出版日期：2026年4月14日\n") == "2026-04-14"


# --- read_documents: pages and articles ---------------------------------------------------------


def test_sample_page_is_read_as_a_page_dated_from_its_file_name() -> None:
    [doc] = read_documents(SAMPLE)
    assert (doc.kind, doc.date, doc.source) == ("page", "2026-04-15", "浙江日报")
    assert doc.key == "浙江日报|2026-04-15|sample_page_2026-04-15"
    assert doc.text == SAMPLE.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(p.name for p in PAGES.glob("*.txt")))
def test_synthetic_pages_are_detected_as_pages(tmp_path: Path, name: str) -> None:
    path = write(tmp_path / name, (PAGES / name).read_text(encoding="utf-8"))
    assert read_documents(path)[0].kind == "page"


def test_date_argument_wins_over_file_name_and_text(tmp_path: Path, sample_text: str) -> None:
    path = write(tmp_path / "zjrb_2026-04-15.txt", sample_text)
    [doc] = read_documents(path, date="2026/4/16", source="钱江晚报")
    assert (doc.date, doc.source) == ("2026-04-16", "钱江晚报")
    assert doc.key == "钱江晚报|2026-04-16|zjrb_2026-04-15"


def test_invalid_date_argument_raises_invalid_argument() -> None:
    with pytest.raises(InvalidArgument):
        read_documents(SAMPLE, date="2026-02-30")


def test_printed_date_and_edition_label_are_used_without_a_dated_name(tmp_path: Path) -> None:
    path = write(tmp_path / "guonei.txt", (PAGES / "xinhua_datelines.txt").read_text("utf-8"))
    [doc] = read_documents(path)
    assert (doc.kind, doc.date, doc.page) == ("page", "2026-04-16", "5")
    assert doc.key == "浙江日报|2026-04-16|5"


def test_undated_file_has_empty_date(tmp_path: Path) -> None:
    [doc] = read_documents(write(tmp_path / "article.txt", ARTICLE))
    assert doc.date == ""


def test_single_article_file_is_read_as_an_article(tmp_path: Path) -> None:
    [doc] = read_documents(write(tmp_path / "county_2026-04-15.txt", ARTICLE))
    assert (doc.kind, doc.date) == ("article", "2026-04-15")
    assert doc.key == "浙江日报|2026-04-15|county_2026-04-15"


def test_corrected_reissue_of_a_page_keeps_its_key(tmp_path: Path, sample_text: str) -> None:
    first = read_documents(write(tmp_path / "a" / "zjrb_2026-04-15.txt", sample_text))[0]
    fixed = sample_text.replace("清金樾\n", "")
    second = read_documents(write(tmp_path / "b" / "zjrb_2026-04-15.txt", fixed))[0]
    assert first.key == second.key
    assert first.text != second.text


def test_windows_gbk_file_reads_like_the_utf8_original(tmp_path: Path, sample_text: str) -> None:
    path = write(tmp_path / "sample_page_2026-04-15.txt", sample_text.replace("\n", "\r\n"), "gbk")
    assert read_documents(path) == [
        d.__class__(**{**d.__dict__, "path": str(path)}) for d in read_documents(SAMPLE)
    ]


@pytest.mark.parametrize("content", [b"", b"   \n\r\n\t\xe3\x80\x80\n"])
def test_empty_or_blank_file_raises_naming_the_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "blank.txt"
    path.write_bytes(content)
    with pytest.raises(InputError, match=r"blank\.txt.*empty"):
        read_documents(path)


def test_binary_file_raises_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "scan.txt"
    path.write_bytes(b"%PDF-1.4\n" + bytes(range(256)))
    with pytest.raises(InputError, match=r"scan\.txt.*PDF"):
        read_documents(path)


# --- read_documents: JSON Lines -----------------------------------------------------------------


def record(**fields: object) -> str:
    base: dict[str, object] = {
        "title": "县域经济跑出加速度",
        "body": "今年一季度,全省县域经济稳中有进。",
    }
    base.update(fields)
    return json.dumps({k: v for k, v in base.items() if v is not None}, ensure_ascii=False)


def test_jsonl_records_become_documents_with_their_fields(tmp_path: Path) -> None:
    lines = [
        record(
            date="2026-04-14", source="钱江晚报", page=3, url="https://example.com/a", author="夏丹"
        ),
        record(title="第二篇", body=None, content="正文内容。"),
    ]
    docs = read_documents(write(tmp_path / "feed_2026-04-15.jsonl", "\n".join(lines)))
    first, second = docs
    assert (first.kind, first.date, first.source, first.page) == (
        "jsonl",
        "2026-04-14",
        "钱江晚报",
        "3",
    )
    assert (first.key, first.author, first.title) == (
        "https://example.com/a",
        "夏丹",
        "县域经济跑出加速度",
    )
    assert (second.text, second.date, second.source) == ("正文内容。", "2026-04-15", "浙江日报")
    assert second.key == "浙江日报|2026-04-15|第二篇"


def test_jsonl_is_detected_by_content_in_a_txt_file(tmp_path: Path) -> None:
    text = "\n".join([record(), "", record(title="第二篇")])
    assert looks_like_jsonl(text)
    assert [d.kind for d in read_documents(write(tmp_path / "export.txt", text))] == ["jsonl"] * 2


def test_json_array_file_is_read_as_records(tmp_path: Path) -> None:
    text = "[" + ",".join([record(), record(title="第二篇")]) + "]"
    assert len(read_documents(write(tmp_path / "export.json", text))) == 2


def test_bad_jsonl_lines_are_skipped_and_reported(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    lines = [
        record(),
        "{not json",
        record(title=""),
        record(date="2026-02-30"),
        "[1, 2]",
        record(title="好"),
    ]
    problems: list[str] = []
    feed = write(tmp_path / "feed.jsonl", "\n".join(lines))
    with caplog.at_level(logging.WARNING, logger="briefings.reading"):
        docs = read_documents(feed, problems=problems)
    assert [d.title for d in docs] == ["县域经济跑出加速度", "好"]
    assert [p.split(":")[1] for p in problems] == ["2", "3", "4", "5"]
    assert not caplog.records, "a caller collecting problems reports them itself"
    with caplog.at_level(logging.WARNING, logger="briefings.reading"):
        read_documents(feed)
    assert len(caplog.records) == 4


def test_jsonl_with_no_valid_record_raises(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"feed\.jsonl.*没有可用的记录") as err:
        read_documents(write(tmp_path / "feed.jsonl", "{not json\n" + record(body="")))
    assert str(err.value).count("feed.jsonl") == 1, "the file is named once"
    assert "第1行不是 JSON" in str(err.value)


def test_date_argument_wins_over_the_record_date(tmp_path: Path) -> None:
    path = write(tmp_path / "feed.jsonl", record(date="2026-04-14"))
    assert read_documents(path, date="20260420")[0].date == "2026-04-20"


def test_a_web_export_meta_line_gives_source_and_author(tmp_path):
    path = tmp_path / "web.txt"
    path.write_text(
        "衢州市柯城区：光电产业跑出“加速度”\n"
        "来源：衢州日报  发布时间：2026-06-05 08:30  作者：徐佳\n\n"
        "今年以来，柯城区光电产业持续发力，1至4月全区光电行业规上工业产值达45.6亿元。\n",
        encoding="utf-8",
    )
    (doc,) = read_documents(path)
    assert (doc.source, doc.author, doc.date) == ("衢州日报", "徐佳", "2026-06-05")
    (explicit,) = read_documents(path, source="浙江日报")
    assert explicit.source == "浙江日报"
