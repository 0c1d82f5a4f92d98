"""A local feed server (aiohttp on 127.0.0.1, in its own thread) for the feed tests and bench.

It serves the fixture feeds of tests/feeds/ with ETag and Last-Modified (and answers 304 to a
matching conditional request), feeds set at run time, and every fault a real feed source has:

    /feeds/NAME          a fixture file, conditional
    /plain/NAME          the same file without ETag/Last-Modified (always 200)
    /dyn/NAME            bytes set with ``set(NAME, data, content_type)``, conditional
    /status/CODE         that HTTP status
    /loop                a redirect to itself
    /huge                50 MB of XML-ish bytes, chunked (no Content-Length)
    /huge-declared       the same with Content-Length: 50 MB
    /slow                headers at once, then one byte every 0.2 s for a minute (slow-loris)
    /many                a valid RSS feed with 10,000 items
    /bad-encoding        the GBK fixture relabelled as UTF-8

``requests`` records (path, headers) of every request; ``max_in_flight`` is the most requests
it was answering at once. Runs in a thread so that sync code (the CLI's ``asyncio.run``) and
async tests can both use it.
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

FIXTURES = Path(__file__).resolve().parent / "feeds"
LAST_MODIFIED = "Wed, 15 Apr 2026 01:00:00 GMT"
HUGE = 50 * 1024 * 1024

_TYPES = {
    ".xml": "application/rss+xml; charset=utf-8",
    ".json": "application/feed+json",
    ".html": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}


def many_items_feed(count: int = 10_000) -> bytes:
    items = "".join(
        f"<item><title>条目 {i}</title><link>https://many.example/{i}</link>"
        f"<description>第 {i} 条。</description>"
        f"<pubDate>Wed, 15 Apr 2026 00:00:00 GMT</pubDate></item>"
        for i in range(count)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>很多条目</title>{items}</channel></rss>"
    ).encode()


@dataclass
class FeedServer:
    host: str = "127.0.0.1"
    port: int = 0
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    dynamic: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    max_in_flight: int = 0
    _in_flight: int = 0
    _loop: asyncio.AbstractEventLoop | None = None
    _thread: threading.Thread | None = None
    _runner: web.AppRunner | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # ---- control (any thread) ---------------------------------------------------------------

    def start(self) -> FeedServer:
        ready = threading.Event()
        self._loop = asyncio.new_event_loop()

        def run() -> None:
            assert self._loop is not None
            asyncio.set_event_loop(self._loop)
            self._loop.run_until_complete(self._start())
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, name="feedserver", daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def stop(self) -> None:
        if self._loop is None:
            return
        future = asyncio.run_coroutine_threadsafe(self._stop(), self._loop)
        future.result(15)
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)
        self._loop.close()
        self._loop = None

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}/{path.lstrip('/')}"

    def set(self, name: str, data: bytes, content_type: str = _TYPES[".xml"]) -> str:
        """Serve ``data`` at /dyn/NAME (replacing what was there); returns its URL."""
        with self._lock:
            self.dynamic[name] = (data, content_type)
        return self.url(f"dyn/{name}")

    def hits(self, path: str) -> list[dict[str, str]]:
        """Headers of the requests made to ``path`` (e.g. "/feeds/zjrb.xml"), in order."""
        with self._lock:
            return [h for p, h in self.requests if p == path]

    # ---- server ------------------------------------------------------------------------------

    async def _start(self) -> None:
        app = web.Application()
        app.middlewares.append(self._track)
        app.router.add_get("/feeds/{name}", self._fixture)
        app.router.add_get("/plain/{name}", self._plain)
        app.router.add_get("/dyn/{name}", self._dynamic)
        app.router.add_get("/status/{code}", self._status)
        app.router.add_get("/loop", self._loop_redirect)
        app.router.add_get("/huge", self._huge)
        app.router.add_get("/huge-declared", self._huge_declared)
        app.router.add_get("/slow", self._slow)
        app.router.add_get("/many", self._many)
        app.router.add_get("/bad-encoding", self._bad_encoding)
        self._runner = web.AppRunner(app, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def _stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    @web.middleware
    async def _track(self, request: web.Request, handler):
        with self._lock:
            self.requests.append((request.path, dict(request.headers)))
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
        try:
            # A moment of work per request, so overlapping requests would show in max_in_flight.
            await asyncio.sleep(0.005)
            return await handler(request)
        finally:
            with self._lock:
                self._in_flight -= 1

    @staticmethod
    def _conditional(request: web.Request, data: bytes, content_type: str) -> web.Response:
        etag = '"' + hashlib.sha1(data).hexdigest()[:16] + '"'
        if request.headers.get("If-None-Match") == etag or (
            "If-None-Match" not in request.headers
            and request.headers.get("If-Modified-Since") == LAST_MODIFIED
        ):
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(
            body=data,
            headers={"Content-Type": content_type, "ETag": etag, "Last-Modified": LAST_MODIFIED},
        )

    async def _fixture(self, request: web.Request) -> web.StreamResponse:
        path = FIXTURES / request.match_info["name"]
        if not path.is_file():
            raise web.HTTPNotFound()
        content_type = _TYPES.get(path.suffix, "application/octet-stream")
        if path.name.startswith("gbk"):
            content_type = "application/rss+xml"  # the XML declaration names the encoding
        return self._conditional(request, path.read_bytes(), content_type)

    async def _plain(self, request: web.Request) -> web.StreamResponse:
        path = FIXTURES / request.match_info["name"]
        if not path.is_file():
            raise web.HTTPNotFound()
        return web.Response(
            body=path.read_bytes(), content_type=_TYPES.get(path.suffix, "").split(";")[0]
        )

    async def _dynamic(self, request: web.Request) -> web.StreamResponse:
        with self._lock:
            found = self.dynamic.get(request.match_info["name"])
        if found is None:
            raise web.HTTPNotFound()
        return self._conditional(request, *found)

    async def _status(self, request: web.Request) -> web.StreamResponse:
        return web.Response(status=int(request.match_info["code"]), text="nope")

    async def _loop_redirect(self, request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound("/loop")

    async def _stream_huge(self, request: web.Request, *, declared: bool) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
        if declared:
            resp.content_length = HUGE
        await resp.prepare(request)
        chunk = b"<!-- padding -->" * 4096
        sent = 0
        try:
            while sent < HUGE:
                await resp.write(chunk)
                sent += len(chunk)
        except (ConnectionError, RuntimeError):
            pass  # the client gave up, as it should
        return resp

    async def _huge(self, request: web.Request) -> web.StreamResponse:
        return await self._stream_huge(request, declared=False)

    async def _huge_declared(self, request: web.Request) -> web.StreamResponse:
        return await self._stream_huge(request, declared=True)

    async def _slow(self, request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
        await resp.prepare(request)
        try:
            for _ in range(300):
                await resp.write(b" ")
                await asyncio.sleep(0.2)
        except (ConnectionError, RuntimeError):
            pass
        return resp

    async def _many(self, request: web.Request) -> web.StreamResponse:
        return web.Response(body=many_items_feed(), content_type="application/rss+xml")

    async def _bad_encoding(self, request: web.Request) -> web.StreamResponse:
        data = (FIXTURES / "gbk_rss.xml").read_bytes()
        data = data.replace(b'encoding="GBK"', b'encoding="UTF-8"')
        return web.Response(body=data, content_type="application/rss+xml")
