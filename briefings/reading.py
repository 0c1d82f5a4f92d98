"""Read input files into Documents: decode bytes, tell pages, articles and JSON Lines apart by
their content, and settle each document's date, source and idempotency key. Walking folders and
opening files safely (size limit, FIFOs, unreadable entries) is ``briefings.files``.

Text is kept as printed (no NFKC): users see the original; only line ends are normalised.
"""

from __future__ import annotations

import codecs
import datetime as dt
import html
import json
import logging
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from briefings.arguments import replace_surrogates
from briefings.errors import InputError, InvalidArgument
from briefings.files import (  # noqa: F401 - walking and opening files lived here before
    INPUT_SUFFIXES,
    display_name,
    display_path,
    is_input_name,
    iter_input_files,
    read_capped,
)
from briefings.marks import HAN, HAN_CHAR
from briefings.models import Document, InputKind, Unit

log = logging.getLogger(__name__)

DEFAULT_SOURCE = "浙江日报"
# A page or article file longer than this (about 100 newspaper pages) is not one: refused, and
# so is a JSON record whose body is longer. Longer articles are cut at ingest (pipeline).
MAX_TEXT_CHARS = 1_000_000

# Leading bytes of binary formats people drop into an inbox by mistake.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "PDF"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"PK\x03\x04", "ZIP/Office"),
    (b"PK\x05\x06", "ZIP"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "Office 97-2003"),
    (b"\x1f\x8b", "gzip"),
    (b"Rar!\x1a\x07", "RAR"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"\x7fELF", "ELF"),
    (b"SQLite format 3\x00", "SQLite"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"{\\rtf", "RTF"),
)
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def _binary_kind(data: bytes) -> str | None:
    for magic, name in _MAGIC:
        if data.startswith(magic):
            return name
    if data[:4] == b"RIFF" and data[8:12] in (b"WEBP", b"WAVE", b"AVI "):
        return data[8:12].decode().strip()
    return None


def _utf16_without_bom(data: bytes) -> str | None:
    """Guess UTF-16 from where the NUL bytes sit: ASCII (newlines, digits) has a zero high byte."""
    sample = data[:8192]
    if len(sample) < 4 or len(data) % 2:
        return None
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    total = even + odd
    if total < max(2, len(sample) // 100):
        return None
    # Han characters at U+xx00 (一 is U+4E00) put some NULs on the other side: a clear majority
    # is enough.
    if odd >= 3 * even:
        return "utf-16-le"
    if even >= 3 * odd:
        return "utf-16-be"
    return None


# Category Cc less tab, LF, VT, FF and CR; then Co (private use) and Cs (surrogates).
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_PRIVATE = re.compile(r"[\ue000-\uf8ff\U000f0000-\U0010ffff\ud800-\udfff]")


def _looks_like_text(text: str) -> bool:
    """Few control characters and little private-use debris: the decoding is plausible."""
    if not text:
        return True
    controls = len(_CONTROLS.findall(text))
    private = len(_PRIVATE.findall(text))
    return controls <= max(2, len(text) // 200) and private <= max(2, len(text) // 50)


def decode_bytes(data: bytes) -> str:
    """Decode a text file: UTF-8 (BOM or not), UTF-16/32 (BOM, or UTF-16 by NUL pattern), GB18030.

    Raises InputError for binary data (known magic numbers, NUL bytes outside UTF-16, many
    control characters) and for text in no supported encoding. CR and CRLF become \\n and a
    leading BOM is removed; nothing else changes.
    """
    if kind := _binary_kind(data):
        raise InputError(f"这是 {kind} 文件，不是文本")
    encodings: list[str] = []
    for bom, enc in _BOMS:
        if data.startswith(bom):
            data, encodings = data[len(bom) :], [enc]
            break
    else:
        if guess := _utf16_without_bom(data):
            encodings = [guess]
        elif b"\x00" in data:
            raise InputError("文件含有 NUL 字节,像是二进制文件 (contains NUL bytes: binary?)")
        else:
            encodings = ["utf-8", "gb18030"]
    for enc in encodings:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if not _looks_like_text(text):
            raise InputError(
                "文件含有大量控制字符,像是二进制文件 (many control characters: binary?)"
            )
        text = text.removeprefix("\ufeff").rstrip("\x1a")  # \x1a: DOS end-of-file mark
        return text.replace("\r\n", "\n").replace("\r", "\n")
    raise InputError(
        "无法识别文件编码,请另存为 UTF-8 (not UTF-8, UTF-16 or GB18030 text; save it as UTF-8)"
    )


# ---------------------------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------------------------

_DATE_FORMS = (
    re.compile(r"(?<!\d)(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"),
    re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)"),
)
_NAME_DATE = re.compile(r"(?<!\d)(\d{4})([-_.]?)(\d{2})\2(\d{2})(?!\d)")
_NAME_DATE_SHORT = re.compile(r"(?<!\d)(\d{4})([-_.])(\d{1,2})\2(\d{1,2})(?!\d)")
_DATE_LABEL = re.compile(r"^\s*(?:出版日期|日期|发布时间|发布日期|时间)\s*[:：]?\s*")


def _iso(y: str, m: str, d: str) -> str | None:
    try:
        day = dt.date(int(y), int(m), int(d))
    except ValueError:
        return None
    return day.isoformat() if 1900 <= day.year <= 2100 else None


def normalize_date(value: str) -> str:
    """`2026-04-15`, `2026/4/15`, `20260415`, `2026年4月15日`, `2026-04-15T08:00+08:00` → ISO.

    Raises InvalidArgument for anything else, including impossible days (2026-02-30).
    """
    s = value.strip()
    m = re.fullmatch(r"(\d{4})(\d{2})(\d{2})", s)
    if m is None:
        for form in _DATE_FORMS:
            m = form.match(s)
            if m is not None:
                rest = s[m.end() :]
                if rest and not re.match(r"^(?:[T\s]\d{1,2}:\d{2}|\s*(?:星期|周)\S)", rest):
                    m = None
                break
    iso = _iso(*m.groups()) if m else None
    if iso is None:
        raise InvalidArgument(f"日期格式不对,应为 2026-04-15 (not a valid date: {value!r})")
    return iso


def date_from_name(name: str) -> str:
    """A date in a file name: 2026-04-15, 20260415, 2026_04_15, 2026.4.15; "" if none is valid."""
    for pattern in (_NAME_DATE, _NAME_DATE_SHORT):
        for m in pattern.finditer(name):
            if iso := _iso(m.group(1), m.group(3), m.group(4)):
                return iso
    return ""


def date_from_text(text: str) -> str:
    """The publication date printed on the document, "" if none.

    Only a `出版日期`/`日期`/`发布时间` line, or a short masthead-like line among the first ten
    (no sentence punctuation), counts: dates in running text (1981年5月23日) are events.
    """
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    for k, line in enumerate(lines):
        labelled = _DATE_LABEL.match(line)
        head = k < 10 and len(line) <= 40 and not re.search(r"[。，,；;！？!?]", line)
        if not (labelled or head):
            continue
        for form in _DATE_FORMS:
            if (m := form.search(line)) and (iso := _iso(*m.groups())):
                return iso
    return ""


# ---------------------------------------------------------------------------------------------
# Documents
# ---------------------------------------------------------------------------------------------


def _json_object(line: str) -> dict[str, Any] | None:
    try:
        value = json.loads(line)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def _loads(text: str) -> Any:
    """json.loads; JSON nested deeper than Python's recursion limit is a ValueError too."""
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError("JSON 嵌套太深 (nested too deep)") from None


def _is_record(obj: dict[str, Any] | None) -> bool:
    return obj is not None and "title" in obj and ("body" in obj or "content" in obj)


def looks_like_jsonl(text: str) -> bool:
    """Every non-empty line is a JSON object with `title` and `body` (or `content`)."""
    lines = [ln for ln in text.split("\n") if ln.strip()]
    return bool(lines) and all(_is_record(_json_object(ln)) for ln in lines)


def _page_facts(text: str) -> tuple[bool, str, tuple[Unit, ...]]:
    """(is it a page, its page label, its units) from one run of the page parser.

    Units that begin an article (``parsing.starts_article``: byline, dateline, kicker, subtitle,
    column tag), continuations and fragments are counted: two or more, or a section or edition
    line on top, make a page.
    """
    from briefings.parsing import parse_page_full, starts_article

    parsed = parse_page_full(text)
    starts = sum(1 for u in parsed.units if starts_article(u))
    is_page = starts >= 2 or bool(parsed.section or parsed.page_label)
    return is_page, parsed.page_label, tuple(parsed.units)


def _records(text: str, path: Path) -> list[tuple[int, Any]]:
    """(line number, decoded value) of a JSON Lines file, or of a JSON array/object file."""
    stripped = text.strip()
    if stripped.startswith("[") or (stripped.startswith("{") and "\n" in stripped):
        try:
            value = _loads(stripped)
        except ValueError:
            value = None
        if isinstance(value, list):
            return [(k + 1, v) for k, v in enumerate(value)]
        if isinstance(value, dict):
            return [(1, value)]
    out: list[tuple[int, Any]] = []
    for no, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            try:
                out.append((no, _loads(line)))
            except ValueError as exc:
                # The caller names the file and the line: the reason says only what is wrong.
                reason = str(exc) if "嵌套" in str(exc) else "不是 JSON"
                out.append((no, ValueError(reason)))
    return out


# Crawlers often keep the page's HTML in ``content``: block tags end paragraphs.
_HTML_TAG = re.compile(r"</?(?:p|br|div|span|strong|b|i|em|img|a|section|h\d)\b[^>]*>", re.I)
_HTML_BREAK = re.compile(r"<br\s*/?>|</(?:p|div|section|h\d|li)>", re.I)
_ANY_TAG = re.compile(r"<[^>]{0,500}>")


def html_to_paragraphs(text: str) -> str:
    """Crawled HTML as plain text: one paragraph per line, tags dropped, entities decoded."""
    text = _ANY_TAG.sub("", _HTML_BREAK.sub("\n", text))
    text = html.unescape(text).replace("\xa0", " ")
    lines = (line.strip() for line in text.split("\n"))
    return "\n\n".join(line for line in lines if line)


def _text_field(rec: dict[str, Any], name: str) -> str:
    # A "\ud800" escape decodes to a lone surrogate, which nothing downstream can encode.
    value = rec.get(name)
    if value is None:
        return ""
    if isinstance(value, list):
        return replace_surrogates(" ".join(str(v) for v in value))
    if isinstance(value, (str, int, float)):
        return replace_surrogates(str(value))
    raise ValueError(f"字段 {name} 类型不对 (field {name!r} has the wrong type)")


def _record_document(
    rec: Any, path: Path, *, source: str | None, date: str | None, name_date: str
) -> Document:
    if not isinstance(rec, dict):
        raise ValueError("不是 JSON 对象 (not a JSON object)")
    title = _text_field(rec, "title").strip()
    body = _text_field(rec, "body") or _text_field(rec, "content")
    if not title or not body.strip():
        raise ValueError("缺少 title 或 body/content (missing title or body/content)")
    if len(body) > MAX_TEXT_CHARS:
        raise ValueError(f"正文太长 ({len(body)} 字, 上限 {MAX_TEXT_CHARS} 字) (body too long)")
    rec_date = _text_field(rec, "date")
    if date is not None:
        day = date
    elif rec_date.strip():
        day = normalize_date(rec_date)  # InvalidArgument: reported as a bad record
    else:
        day = name_date
    src = source if source is not None else (_text_field(rec, "source").strip() or DEFAULT_SOURCE)
    url = _text_field(rec, "url").strip()
    page = _text_field(rec, "page").strip()
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    if _HTML_TAG.search(body):
        body = html_to_paragraphs(body)
        title = html_to_paragraphs(title).replace("\n", " ")
    return Document(
        kind="jsonl",
        text=body,
        source=src,
        date=day,
        path=display_path(path),
        page=page,
        url=url,
        title=title,
        author=_text_field(rec, "author").strip(),
        key=url or f"{src}|{day}|{title}",
    )


def _read_records(
    text: str,
    path: Path,
    *,
    source: str | None,
    date: str | None,
    problems: list[str] | None,
) -> list[Document]:
    docs: list[Document] = []
    bad: list[tuple[int, str]] = []
    name_date = date_from_name(display_name(path.name))
    for no, rec in _records(text, path):
        try:
            if isinstance(rec, Exception):
                raise rec
            docs.append(_record_document(rec, path, source=source, date=date, name_date=name_date))
        except (ValueError, InvalidArgument) as exc:
            bad.append((no, str(exc)))
    if not docs:
        # One error naming the file once: the first bad line says why, the count says how many.
        first = f"第{bad[0][0]}行{bad[0][1]}" if bad else "文件里没有记录"
        more = f"，共 {len(bad)} 行无效" if len(bad) > 1 else ""
        raise InputError(f"{display_path(path)}: 没有可用的记录（{first}{more}）")
    lines = [f"{display_path(path)}:{no}: {reason}" for no, reason in bad]
    # A caller that collects the problems reports them itself; otherwise they go to the log.
    if problems is not None:
        problems.extend(lines)
    else:
        for msg in lines:
            log.warning("skipped record %s", msg)
    return docs


_PROSE_LINE = re.compile(rf"[{HAN}][^\n]{{0,400}}?[，,、。！？；]")


def has_prose(text: str) -> bool:
    """Whether the text holds at least one Chinese sentence: a line with 15+ Han characters
    and sentence punctuation. Word lists, tables and logs have none; every page and article has.
    """
    for line in text.splitlines():
        if len(line) >= 15 and _PROSE_LINE.search(line) and len(HAN_CHAR.findall(line)) >= 15:
            return True
    return False


# Web exports carry a meta line under the headline: `来源：衢州日报  发布时间：… 作者：徐佳`.
_META_SOURCE = re.compile(r"(?:^|\s)(?:来源|稿源)\s*[:：]\s*([^\s:：|｜]{2,20})")
_META_AUTHOR = re.compile(
    r"(?:^|\s)(?:作者|记者)\s*[:：]\s*([^:：|｜\n]{2,40}?)\s*(?=$|\s\S+[:：])"
)


def _meta_fields(text: str) -> tuple[str, str]:
    """(source, author) printed in a meta line among the first lines of a file, or ''."""
    source = author = ""
    for line in text.split("\n", 8)[:8]:
        if not source and (m := _META_SOURCE.search(line)):
            source = m.group(1)
        if not author and (m := _META_AUTHOR.search(line)):
            author = m.group(1).strip()
    return source, author


def read_documents(
    path: Path,
    *,
    source: str | None = None,
    date: str | None = None,
    problems: list[str] | None = None,
) -> list[Document]:
    """Read one file into Documents, detecting JSON Lines, single articles and OCR pages.

    The file must be a regular file within the size limit (``files.read_capped``). Then see
    ``documents_from_bytes``.
    """
    path = Path(path)
    return documents_from_bytes(
        read_capped(path), path, source=source, date=date, problems=problems
    )


def documents_from_bytes(
    data: bytes,
    path: Path,
    *,
    source: str | None = None,
    date: str | None = None,
    problems: list[str] | None = None,
) -> list[Document]:
    """The Documents of a file's bytes; ``path`` gives its name (dates, keys) and the messages.

    Date: ``date`` (the --date argument), the record's field, a date in the file name, a date
    printed on the document, else "". Source: ``source``, the record's field, else 浙江日报.
    Bad JSON records are skipped and described in ``problems`` (and the log); a file with no
    good record, an empty file, an undecodable one or a page/article text over MAX_TEXT_CHARS
    raises InputError naming the file.
    """
    path = Path(path)
    name = display_path(path)
    try:
        text = decode_bytes(data)
    except InputError as exc:
        raise InputError(f"{name}: {exc}") from exc
    if not text.strip():
        raise InputError(f"{name}: 文件是空的 (the file is empty)")
    day = normalize_date(date) if date is not None else None
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".json", ".ndjson") or looks_like_jsonl(text):
        return _read_records(text, path, source=source, date=day, problems=problems)
    if len(text) > MAX_TEXT_CHARS:
        raise InputError(
            f"{name}: 文本太长 ({len(text)} 字, 上限 {MAX_TEXT_CHARS} 字), 不像一版报纸或一篇文章; "
            "请拆分后再导入 (text too long for a page or an article)"
        )
    if not has_prose(text):
        raise InputError(f"{name}: 没有找到中文正文 (no Chinese prose: not a page or an article)")
    printed_source, author = _meta_fields(text)
    src = source if source is not None else (printed_source or DEFAULT_SOURCE)
    file_name = display_name(path.name)
    day = day if day is not None else (date_from_name(file_name) or date_from_text(text))
    is_page, label, units = _page_facts(text)
    kind: InputKind = "page" if is_page else "article"
    page = label if is_page else ""
    key = f"{src}|{day}|{page or display_name(path.stem)}"
    doc = Document(
        kind=kind, text=text, source=src, date=day, path=name, page=page, key=key,
        author="" if is_page else author,
    )  # fmt: skip
    return [replace(doc, parsed=units) if is_page else doc]
