"""Feed bytes to items: RSS 0.9x/1.0/2.0 and Atom through feedparser, JSON Feed as plain JSON.

feedparser does not read JSON Feed (it reports a SAX error and no entries), so JSON is decoded
here. Encodings are feedparser's business (HTTP charset, XML declaration, BOM; GB2312 is read as
GB18030); a feed whose bytes are not in the encoding it declares is refused rather than read as
mojibake. HTML bodies become paragraphs through ``briefings.htmltext``; links are resolved
against the address the feed was fetched from; an item's date is its ``pubDate``/``updated`` in
the paper's time zone, else the fetch date.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit
from zoneinfo import ZoneInfo

from briefings.errors import BriefingError
from briefings.htmltext import html_paragraphs, inline_text, looks_like_markup
from briefings.models import Document

PAPER_TZ = "Asia/Shanghai"
DEFAULT_MAX_ITEMS = 500
# feedparser falls back to these when the declared encoding does not decode the bytes.
_FALLBACK_ENCODINGS = frozenset({"windows-1252", "iso-8859-2"})
_HTML_TYPES = ("text/html", "application/xhtml+xml", "html", "xhtml")
_PARSED_DATES = ("published_parsed", "updated_parsed", "created_parsed")
_MAX_TITLE = 300
_MAX_AUTHOR = 40


class FeedError(BriefingError):
    """A response that cannot be read as a feed; the message says why, for the operator."""


@dataclass(frozen=True)
class FeedItem:
    """One item of a feed, as plain text ready for the article parser."""

    ident: str  # guid, else link, else title|date: what identifies it within its feed
    link: str  # absolute, without #fragment; "" if the item has none
    title: str
    text: str  # paragraphs separated by blank lines (the title alone for headline-only items)
    date: str  # yyyy-mm-dd in the paper's time zone
    dated: bool  # False when the item had no usable date and the fetch date was used
    author: str = ""
    shared_link: bool = False  # other items of the feed have the same link (a home page)

    @property
    def sha256(self) -> str:
        """Hash of what the reader sees: a changed title or body is a new version."""
        return hashlib.sha256(f"{self.title}\n\n{self.text}".encode()).hexdigest()


@dataclass(frozen=True)
class ParsedFeed:
    """What one response held: the feed's kind and title, and its items (capped)."""

    kind: str  # rss20, rss10, rss091u, atom10, json1.1 …
    title: str
    link: str
    items: tuple[FeedItem, ...]
    total: int = 0  # items in the feed before the cap
    undated: int = 0  # items given the fetch date
    empty: int = 0  # items with neither title nor text, skipped
    warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def capped(self) -> bool:
        return self.total > len(self.items) + self.empty


# ---- dates -----------------------------------------------------------------------------------


def _moment(raw: str) -> datetime | None:
    """RFC 822 (RSS) or ISO 8601 (Atom, JSON Feed) text as a datetime; naive if no zone given."""
    raw = raw.strip()
    if not raw:
        return None
    try:
        return email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        pass
    try:
        return datetime.fromisoformat(raw)
    except ValueError:
        return None


def item_date(
    raws: Iterable[str], parsed: Iterable[Any], fetched: datetime, zone: ZoneInfo
) -> tuple[str, bool]:
    """(yyyy-mm-dd in ``zone``, dated) from the first readable date; else the fetch date.

    A date without a zone is the paper's local time. Dates before 1990 or more than a day after
    the fetch are clock errors in the feed: the fetch date is used instead.
    """
    today = fetched.astimezone(zone).date()
    candidates: list[datetime] = []
    for raw in raws:
        moment = _moment(raw) if isinstance(raw, str) else None
        if moment is not None:
            candidates.append(moment if moment.tzinfo else moment.replace(tzinfo=zone))
    for struct in parsed:  # feedparser's own reading, in UTC
        if struct:
            try:
                candidates.append(datetime(*struct[:6], tzinfo=UTC))
            except (TypeError, ValueError):
                continue
    for moment in candidates:
        try:
            day = moment.astimezone(zone).date()
        except (OverflowError, ValueError):
            continue
        if date(1990, 1, 1) <= day <= today + timedelta(days=1):
            return day.isoformat(), True
    return today.isoformat(), False


# ---- bodies and links ------------------------------------------------------------------------


def _resolve(base: str, link: str) -> str:
    link = (link or "").strip()
    if not link:
        return ""
    absolute = urldefrag(urljoin(base, link))[0] if base else urldefrag(link)[0]
    return absolute if urlsplit(absolute).scheme in ("http", "https") else ""


def _body_text(value: str, kind: str) -> str:
    """Paragraph text of a body given as HTML (or as text that is really HTML)."""
    if not value:
        return ""
    if any(t in kind for t in _HTML_TYPES) or looks_like_markup(value):
        return "\n\n".join(html_paragraphs(value))
    lines = (line.strip(" \t\u3000\xa0") for line in value.replace("\r", "\n").split("\n"))
    return "\n\n".join(line for line in lines if line)


def _title_text(value: str, kind: str) -> str:
    if any(t in kind for t in _HTML_TYPES) or looks_like_markup(value):
        value = inline_text(value)
    return " ".join(value.split())[:_MAX_TITLE]


def _make_item(
    *,
    guid: str,
    link: str,
    title: str,
    body: str,
    date_: tuple[str, bool],
    author: str,
) -> FeedItem | None:
    text = body or title
    if not text.strip():
        return None
    day, dated = date_
    ident = guid.strip() or link or f"{title}|{day}"
    return FeedItem(
        ident=ident[:2000],
        link=link,
        title=title,
        text=text,
        date=day,
        dated=dated,
        author=" ".join(author.split())[:_MAX_AUTHOR],
    )


def _collect(
    kind: str, title: str, link: str, entries: list[Any], build, *, max_items: int
) -> ParsedFeed:
    items: list[FeedItem] = []
    seen: set[str] = set()
    empty = undated = 0
    for entry in entries[:max_items]:
        item = build(entry)
        if item is None:
            empty += 1
            continue
        if item.ident in seen:
            continue
        seen.add(item.ident)
        undated += not item.dated
        items.append(item)
    links = Counter(it.link for it in items if it.link)
    items = [replace(it, shared_link=True) if links[it.link] > 1 else it for it in items]
    return ParsedFeed(kind, title, link, tuple(items), len(entries), undated, empty)


# ---- JSON Feed -------------------------------------------------------------------------------


def _str(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return ""


def _json_author(entry: Mapping[str, Any]) -> str:
    authors = entry.get("authors")
    if isinstance(authors, list) and authors and isinstance(authors[0], dict):
        return _str(authors[0].get("name"))
    author = entry.get("author")
    return _str(author.get("name")) if isinstance(author, dict) else ""


def parse_json_feed(
    data: bytes, *, url: str, fetched: datetime, zone: ZoneInfo, max_items: int
) -> ParsedFeed:
    """A JSON Feed (version 1 or 1.1: https://jsonfeed.org/version/1.1)."""
    try:
        obj = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise FeedError(f"JSON 格式错误 (malformed JSON: {exc})") from None
    version = _str(obj.get("version")) if isinstance(obj, dict) else ""
    if not version.startswith("https://jsonfeed.org/version/"):
        raise FeedError("不是订阅源 (not a feed: JSON without a JSON Feed version)")
    items = obj.get("items")
    if not isinstance(items, list):
        raise FeedError("不是订阅源 (not a feed: JSON Feed without items)")
    base = url or _str(obj.get("feed_url"))

    def build(entry: Any) -> FeedItem | None:
        if not isinstance(entry, dict):
            return None
        link = _resolve(base, _str(entry.get("url")) or _str(entry.get("external_url")))
        html = _str(entry.get("content_html"))
        body = (
            _body_text(html, "html")
            if html
            else _body_text(_str(entry.get("content_text")) or _str(entry.get("summary")), "text")
        )
        return _make_item(
            guid=_str(entry.get("id")),
            link=link,
            title=_title_text(_str(entry.get("title")), "text"),
            body=body,
            date_=item_date(
                (_str(entry.get("date_published")), _str(entry.get("date_modified"))),
                (),
                fetched,
                zone,
            ),
            author=_json_author(entry),
        )

    kind = "json" + version.rsplit("/", 1)[-1]
    home = _resolve(base, _str(obj.get("home_page_url")))
    title = _title_text(_str(obj.get("title")), "text")
    return _collect(kind, title, home, items, build, max_items=max_items)


# ---- RSS and Atom ----------------------------------------------------------------------------


def _looks_like_html(data: bytes, content_type: str) -> bool:
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return "html" in content_type.lower() or head.startswith((b"<!doctype html", b"<html"))


def _check_bozo(parsed: Any) -> list[str]:
    """Refuse what feedparser could only read by guessing; return the harmless warnings."""
    import feedparser

    exc = parsed.get("bozo_exception")
    if not parsed.get("bozo") or exc is None:
        return []
    if isinstance(exc, feedparser.CharacterEncodingUnknown):
        raise FeedError(f"编码错误 (bad encoding: {exc})")
    if isinstance(exc, feedparser.CharacterEncodingOverride):
        if parsed.get("encoding", "").lower() in _FALLBACK_ENCODINGS:
            raise FeedError(f"编码错误 (bad encoding: {exc})")
        return [str(exc)]
    if isinstance(exc, feedparser.NonXMLContentType):
        return [] if "no Content-type" in str(exc) else [str(exc)]
    message = str(getattr(exc, "getMessage", lambda: exc)())
    if "undefined entity" in message:  # &nbsp; and friends in XML: feedparser reads them fine
        return [message]
    line = getattr(exc, "getLineNumber", lambda: None)()
    where = f", line {line}" if line else ""
    raise FeedError(f"XML 格式错误 (malformed XML: {message}{where})")


def _entry_body(entry: Any) -> str:
    """The fullest body an entry has: content (content:encoded, Atom content), else summary."""
    best, best_kind = "", ""
    for content in entry.get("content") or ():
        value = content.get("value") or ""
        if len(value) > len(best):
            best, best_kind = value, content.get("type") or ""
    summary = entry.get("summary") or ""
    if len(summary) > len(best):
        detail = entry.get("summary_detail") or {}
        best, best_kind = summary, detail.get("type") or "text/html"
    return _body_text(best, best_kind)


def parse_xml_feed(
    data: bytes,
    *,
    url: str,
    content_type: str,
    fetched: datetime,
    zone: ZoneInfo,
    max_items: int,
) -> ParsedFeed:
    """RSS 0.9x/1.0/2.0 or Atom, through feedparser (bytes only: a str could be read as a path)."""
    import feedparser

    headers = {"content-location": url} if url else {}
    if content_type:
        headers["content-type"] = content_type
    # Our own HTML reader replaces feedparser's sanitizer and URI rewriting (half its time).
    parsed = feedparser.parse(
        bytes(data), response_headers=headers, sanitize_html=False, resolve_relative_uris=False
    )
    version = parsed.get("version") or ""
    if not version and not parsed.entries:
        if _looks_like_html(data, content_type):
            raise FeedError("不是订阅源 (not a feed: an HTML page)")
        exc = parsed.get("bozo_exception")
        looks_xml = data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")
        if looks_xml and exc is not None:
            _check_bozo(parsed)
        raise FeedError("不是订阅源 (not a feed: no RSS, Atom or JSON Feed found)")
    warnings = _check_bozo(parsed)
    feed = parsed.get("feed") or {}
    base = url

    def build(entry: Any) -> FeedItem | None:
        title_detail = entry.get("title_detail") or {}
        link = _resolve(base, entry.get("link") or "")
        return _make_item(
            guid=entry.get("id") or "",
            link=link,
            title=_title_text(entry.get("title") or "", title_detail.get("type") or ""),
            body=_entry_body(entry),
            # dict.get: feedparser's own get() maps a missing "updated" to "published" and
            # warns about it.
            date_=item_date(
                (dict.get(entry, k) or "" for k in ("published", "updated", "created")),
                (dict.get(entry, k) for k in _PARSED_DATES),
                fetched,
                zone,
            ),
            author=entry.get("author") or "",
        )

    title_detail = feed.get("title_detail") or {}
    title = _title_text(feed.get("title") or "", title_detail.get("type") or "")
    result = _collect(
        version or "xml", title, _resolve(base, feed.get("link") or ""), parsed.entries, build,
        max_items=max_items,
    )  # fmt: skip
    return replace(result, warnings=tuple(warnings))


def _is_json(data: bytes, content_type: str) -> bool:
    if "json" in content_type.lower():
        return True
    return data[:64].lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{")


def parse_feed(
    data: bytes,
    *,
    url: str = "",
    content_type: str = "",
    fetched: datetime | None = None,
    tz: str = PAPER_TZ,
    max_items: int = DEFAULT_MAX_ITEMS,
) -> ParsedFeed:
    """Read a feed response. Raises FeedError (not a feed, malformed, bad encoding)."""
    if not data or not data.strip():
        raise FeedError("响应为空 (empty response)")
    zone = ZoneInfo(tz)
    moment = fetched or datetime.now(UTC)
    if _is_json(data, content_type):
        return parse_json_feed(
            data.removeprefix(b"\xef\xbb\xbf"), url=url, fetched=moment, zone=zone,
            max_items=max_items,
        )  # fmt: skip
    return parse_xml_feed(
        data, url=url, content_type=content_type, fetched=moment, zone=zone, max_items=max_items
    )


def item_document(item: FeedItem, *, source: str, key: str) -> Document:
    """The Document of a feed item, for ``analyze_document`` and ``Store.save_document``."""
    return Document(
        kind="feed",
        text=item.text,
        source=source,
        date=item.date,
        url=item.link,
        title=item.title,
        author=item.author,
        key=key,
    )


def document_key(item: FeedItem, source: str) -> str:
    """The documents.key of a new item: its link (as JSON Lines records with a url use) unless
    other items share it, else its guid, else source, date and title."""
    if item.link and not item.shared_link:
        return item.link
    if item.ident and item.ident != f"{item.title}|{item.date}":
        return f"guid:{item.ident}"
    return f"{source}|{item.date}|{item.title}"
