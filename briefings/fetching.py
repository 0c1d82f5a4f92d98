"""Polite HTTP for feeds (aiohttp): conditional requests, capped time and size, one clear reason
per failure.

Limits, each against a kind of bad server: a connect/read timeout (a dead host), a total time
cap for the whole response (a slow-loris server dribbling bytes forever), a size cap counted on
the decompressed body (a 50 MB page, a gzip bomb), a redirect cap (loops). Requests name the
project in their User-Agent and send ``If-None-Match``/``If-Modified-Since`` from the stored
ETag/Last-Modified, so an unchanged feed costs a 304 and nothing else.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from briefings.errors import BriefingError, InvalidArgument
from briefings.feeds import DEFAULT_MAX_ITEMS, PAPER_TZ
from briefings.sources import Source

USER_AGENT = "briefing-bot/0.1 (Zhejiang economic briefing bot; feed reader; +sources.toml)"
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, "
    "text/xml;q=0.9, application/json;q=0.8, */*;q=0.5"
)
DEFAULT_SOURCES_FILE = Path(__file__).resolve().parent.parent / "sources.toml"
_CHUNK = 64 * 1024


class FetchError(BriefingError):
    """A request that gave no feed: HTTP status, timeout, too large, redirect loop, network."""


@dataclass(frozen=True)
class FeedSettings:
    """How feeds are polled. ``from_env`` reads the FEED_* variables (README, Configuration)."""

    interval: float = 1800.0  # seconds between polls of one source
    lead: float = 600.0  # the extra poll runs this long before the earliest digest
    timeout: float = 20.0  # connect, and silence between two reads
    total_timeout: float = 60.0  # one whole response, however it trickles in
    max_bytes: int = 10 * 1024 * 1024
    max_items: int = DEFAULT_MAX_ITEMS
    max_backoff: float = 6 * 3600.0
    run_timeout: float = 900.0  # one poll of every due source
    concurrency: int = 4  # hosts at once (one request at a time per host, always)
    processes: int = 0  # worker processes for parsing and analysis (0: the bot's CPU thread)
    max_redirects: int = 5
    sources_file: Path = field(default=DEFAULT_SOURCES_FILE)
    timezone: str = PAPER_TZ
    user_agent: str = USER_AGENT

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, *, timezone: str = PAPER_TZ):
        env = os.environ if env is None else env
        numbers = {
            "interval": ("FEED_INTERVAL", float, 60.0),
            "lead": ("FEED_LEAD", float, 0.0),
            "timeout": ("FEED_TIMEOUT", float, 1.0),
            "total_timeout": ("FEED_TOTAL_TIMEOUT", float, 1.0),
            "max_bytes": ("FEED_MAX_BYTES", int, 1024),
            "max_items": ("FEED_MAX_ITEMS", int, 1),
            "max_backoff": ("FEED_MAX_BACKOFF", float, 60.0),
            "run_timeout": ("FEED_RUN_TIMEOUT", float, 10.0),
            "processes": ("FEED_PROCESSES", int, 0),
        }
        values: dict[str, object] = {}
        for attr, (name, kind, least) in numbers.items():
            raw = env.get(name, "").strip()
            if not raw:
                continue
            try:
                value = kind(raw)
            except ValueError:
                raise InvalidArgument(f"{name} 不是数字 (not a number): {raw!r}") from None
            if value < least:
                raise InvalidArgument(f"{name} 至少为 {least} (at least {least}): {raw!r}")
            values[attr] = value
        path = env.get("SOURCES_FILE", "").strip()
        if path:
            values["sources_file"] = Path(path).expanduser()
        return cls(timezone=timezone, **values)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Response:
    """A 200 with its body, or a 304 (``not_modified``) with none."""

    status: int
    data: bytes = b""
    content_type: str = ""
    url: str = ""  # after redirects: the base for relative links
    etag: str = ""
    last_modified: str = ""

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def new_session(settings: FeedSettings) -> aiohttp.ClientSession:
    """A session for one poll run: keep-alive between its requests, no cookies, proxies from
    the environment (HTTPS_PROXY, NO_PROXY)."""
    return aiohttp.ClientSession(
        headers={"User-Agent": settings.user_agent, "Accept": ACCEPT},
        cookie_jar=aiohttp.DummyCookieJar(),
        connector=aiohttp.TCPConnector(limit=max(settings.concurrency, 1) * 2),
        trust_env=True,
    )


def _too_large(settings: FeedSettings) -> FetchError:
    mb = settings.max_bytes / (1024 * 1024)
    return FetchError(f"响应过大 (response over {mb:g} MB)")


async def _read(resp: aiohttp.ClientResponse, settings: FeedSettings) -> bytes:
    if resp.content_length is not None and resp.content_length > settings.max_bytes:
        raise _too_large(settings)
    buf = bytearray()
    async for chunk in resp.content.iter_chunked(_CHUNK):
        buf += chunk
        if len(buf) > settings.max_bytes:
            raise _too_large(settings)
    return bytes(buf)


async def fetch(session: aiohttp.ClientSession, source: Source, settings: FeedSettings) -> Response:
    """GET a feed, conditionally. Raises FetchError with the reason for the operator."""
    headers: dict[str, str] = {}
    if source.etag:
        headers["If-None-Match"] = source.etag
    if source.last_modified:
        headers["If-Modified-Since"] = source.last_modified
    timeout = aiohttp.ClientTimeout(
        total=None, connect=settings.timeout, sock_connect=settings.timeout,
        sock_read=settings.timeout,
    )  # fmt: skip
    try:
        async with (
            asyncio.timeout(settings.total_timeout),
            session.get(
                source.url, headers=headers, timeout=timeout, max_redirects=settings.max_redirects
            ) as resp,
        ):
            if resp.status == 304:
                return Response(304, etag=source.etag, last_modified=source.last_modified)
            if resp.status != 200:
                reason = f" {resp.reason}" if resp.reason else ""
                raise FetchError(f"HTTP {resp.status}{reason}")
            data = await _read(resp, settings)
            return Response(
                200,
                data,
                content_type=resp.headers.get("Content-Type", ""),
                url=str(resp.url),
                etag=resp.headers.get("ETag", "")[:500],
                last_modified=resp.headers.get("Last-Modified", "")[:100],
            )
    except aiohttp.ServerTimeoutError:
        raise FetchError(f"超时 (timeout: no data for {settings.timeout:g} s)") from None
    except TimeoutError:
        raise FetchError(f"超时 (timeout: over {settings.total_timeout:g} s in all)") from None
    except aiohttp.TooManyRedirects:
        raise FetchError(f"重定向过多 (redirect loop, over {settings.max_redirects})") from None
    except aiohttp.ClientConnectorError as exc:
        raise FetchError(f"无法连接 (cannot connect: {exc.os_error or exc})") from None
    except aiohttp.ClientPayloadError as exc:
        raise FetchError(f"响应不完整 (broken response: {exc})") from None
    except aiohttp.ClientResponseError as exc:
        raise FetchError(f"HTTP {exc.status} {exc.message}".strip()) from None
    except aiohttp.InvalidURL as exc:
        raise FetchError(f"地址无效 (invalid URL: {exc})") from None
    except aiohttp.ClientError as exc:
        raise FetchError(f"网络错误 (network error: {type(exc).__name__}: {exc})") from None
