"""PTB's HTTP layer on aiohttp, with JSON bodies: the bot's every call to the Bot API goes here.

PTB's default ``HTTPXRequest`` spends about 500 µs of CPU per call in httpx, httpcore and anyio
(cancel scopes, sniffio lookups, cookie extraction): half of what a bare echo bot costs per
update. aiohttp's client does the same call in about a fifth of that. Bodies are JSON (the Bot
API accepts ``application/json``): PTB's form encoding runs ``urllib.parse.urlencode``, a
per-byte Python loop, about 100 µs for a 700-character Chinese reply. Uploads stay multipart.
Figures: bench/RESULTS.md.

Timeouts keep PTB's meaning: ``connect`` to open a connection, ``pool`` to wait for a free one,
``read`` between bytes of the answer (a long poll passes its own). aiohttp has no per-write
timeout: a request that carries files gets an overall limit instead (PTB's media write timeout,
20 s, plus the others). Proxies come from
``HTTPS_PROXY``/``HTTP_PROXY``/``NO_PROXY`` like httpx's, which matters where Telegram is
reachable only through one. They are looked up once per origin: aiohttp's ``trust_env`` reads
the whole environment on every request, which cost more than the rest of the call.
"""

from __future__ import annotations

import urllib.request
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData

USER_AGENT = HTTPXRequest.USER_AGENT  # "python-telegram-bot v22.8 (...)", as PTB sends it
_JSON = {"Content-Type": "application/json"}


def _pick(value: object, default: float | None) -> float | None:
    """A timeout PTB passed, or ours where it passed its "not given" marker (``DEFAULT_NONE``)."""
    if value is None or isinstance(value, (int, float)):
        return value
    return default


def _sum(*parts: float | None) -> float | None:
    """None (no limit) if any part is unlimited."""
    return None if any(p is None for p in parts) else sum(p for p in parts if p is not None)


class AiohttpRequest(BaseRequest):
    """A ``BaseRequest`` on one ``aiohttp.ClientSession`` (created in the running loop)."""

    def __init__(
        self,
        connection_pool_size: int = 256,
        *,
        read_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read = read_timeout
        self._connect = connect_timeout
        self._pool = pool_timeout
        self._media_write = media_write_timeout
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[str, str | None] = {}  # origin -> proxy URL (None: direct)

    @property
    def read_timeout(self) -> float | None:
        return self._read

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                headers={"User-Agent": USER_AGENT},
                cookie_jar=aiohttp.DummyCookieJar(),  # the Bot API sets no cookies
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(  # noqa: PLR0917 (PTB's signature)
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            await self.initialize()
        assert self._session is not None
        read = _pick(read_timeout, self._read)
        connect = _pick(connect_timeout, self._connect)
        pool = _pick(pool_timeout, self._pool)
        kwargs: dict[str, Any] = {"proxy": self._proxy_for(url)}
        total = None
        if request_data is not None and request_data.contains_files:
            kwargs["data"] = _multipart(request_data)
            total = _sum(connect, pool, _pick(write_timeout, self._media_write), read)
        elif request_data is not None:
            kwargs["data"] = request_data.json_payload
            kwargs["headers"] = _JSON
        # aiohttp's ``connect`` covers waiting for a pooled connection and opening a new one.
        timeout = aiohttp.ClientTimeout(
            total=total, connect=_sum(pool, connect), sock_connect=connect, sock_read=read
        )
        try:
            async with self._session.request(method, url, timeout=timeout, **kwargs) as res:
                return res.status, await res.read()
        except TimeoutError as err:  # aiohttp's timeouts are TimeoutErrors
            if isinstance(err, aiohttp.ConnectionTimeoutError) and pool is not None:
                raise TimedOut(
                    "Pool or connect timeout: no connection to the Bot API became available."
                ) from err
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{err.__class__.__name__}: {err}") from err

    def _proxy_for(self, url: str) -> str | None:
        """The proxy the environment names for ``url``'s origin (HTTPS_PROXY, NO_PROXY...)."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._proxies:
            bypass = parts.hostname is None or urllib.request.proxy_bypass(parts.hostname)
            proxy = None if bypass else urllib.request.getproxies().get(parts.scheme)
            self._proxies[origin] = proxy
        return self._proxies[origin]


def _multipart(request_data: RequestData) -> aiohttp.FormData:
    """An upload as PTB builds it: parameters as text fields (JSON inside where not strings),
    files as (file name, content, MIME type) parts."""
    form = aiohttp.FormData(quote_fields=False)
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mimetype) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form
