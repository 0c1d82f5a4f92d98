"""bot/request.py: the aiohttp HTTP layer under PTB, against small local servers.

What PTB expects of a BaseRequest: JSON bodies for plain calls, multipart for uploads, PTB's
timeouts mapped to ``TimedOut`` and transport failures to ``NetworkError``.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from aiohttp import web
from telegram import Bot, InputFile
from telegram.error import Forbidden, NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.request import USER_AGENT, AiohttpRequest

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@pytest.fixture
async def serve() -> AsyncIterator[Callable[[Handler], Awaitable[str]]]:
    """Start a one-route aiohttp server on 127.0.0.1; returns its base URL."""
    runners: list[web.AppRunner] = []

    async def start(handler: Handler) -> str:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", handler)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        runners.append(runner)
        port = runner.addresses[0][1]
        return f"http://127.0.0.1:{port}"

    yield start
    for runner in runners:
        await runner.cleanup()


class _Capture(BaseRequest):
    """Keeps the ``RequestData`` PTB builds for a call, as any BaseRequest receives it."""

    def __init__(self) -> None:
        self.data: RequestData | None = None

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    @property
    def read_timeout(self) -> float | None:
        return None

    async def do_request(self, url: str, method: str, request_data=None, **_: object):
        self.data = request_data
        message = {"message_id": 1, "date": 0, "chat": {"id": 7, "type": "private"}}
        return 200, json.dumps({"ok": True, "result": message}).encode()


async def _data(method: str, **params: object) -> RequestData:
    """The request data PTB's own ``Bot.<method>(**params)`` hands to its HTTP layer."""
    capture = _Capture()
    await getattr(Bot("1:T", request=capture), method)(**params)
    assert capture.data is not None
    return capture.data


async def test_plain_call_posts_json_with_ptbs_user_agent(serve) -> None:
    seen: dict = {}

    async def handler(request: web.Request) -> web.Response:
        seen["type"] = request.content_type
        seen["agent"] = request.headers["User-Agent"]
        seen["body"] = json.loads(await request.read())
        return web.json_response({"ok": True, "result": True})

    url = await serve(handler)
    req = AiohttpRequest()
    await req.initialize()
    data = await _data("send_message", chat_id=7, text="缙云 <b>&", reply_markup=None)
    try:
        status, body = await req.do_request(f"{url}/sendMessage", "POST", data)
    finally:
        await req.shutdown()
    assert (status, json.loads(body)) == (200, {"ok": True, "result": True})
    assert seen["type"] == "application/json"
    assert seen["agent"] == USER_AGENT
    assert seen["body"] == {"chat_id": "7", "text": "缙云 <b>&"}  # PTB's values, None dropped


async def test_upload_goes_multipart_with_fields_and_file(serve) -> None:
    seen: dict = {}

    async def handler(request: web.Request) -> web.Response:
        seen["type"] = request.content_type
        form = await request.post()
        seen["chat_id"] = form["chat_id"]
        part = form["document"]
        seen["file"] = (part.filename, part.file.read(), part.content_type)
        return web.json_response({"ok": True, "result": True})

    url = await serve(handler)
    req = AiohttpRequest()
    page = "浙江日报 第一版\n".encode()
    try:
        status, _ = await req.do_request(
            f"{url}/sendDocument",
            "POST",
            await _data("send_document", chat_id=7, document=InputFile(page, filename="page.txt")),
        )
    finally:
        await req.shutdown()
    assert status == 200
    assert seen["type"] == "multipart/form-data"
    assert seen["chat_id"] == "7"
    assert seen["file"] == ("page.txt", page, "text/plain")


async def test_slow_answer_is_timed_out(serve) -> None:
    async def handler(request: web.Request) -> web.Response:
        await asyncio.sleep(2)
        return web.json_response({"ok": True, "result": True})

    url = await serve(handler)
    req = AiohttpRequest(read_timeout=0.2)
    try:
        with pytest.raises(TimedOut):
            await req.do_request(f"{url}/getMe", "POST")
        # A per-call read timeout (PTB passes one for long polls) replaces the default.
        with pytest.raises(TimedOut):
            await req.do_request(f"{url}/getMe", "POST", read_timeout=0.1)
    finally:
        await req.shutdown()


async def test_busy_pool_times_out_without_sending(serve) -> None:
    arrived: list[str] = []
    release = asyncio.Event()

    async def handler(request: web.Request) -> web.Response:
        arrived.append(request.path)
        await release.wait()
        return web.json_response({"ok": True, "result": True})

    url = await serve(handler)
    req = AiohttpRequest(connection_pool_size=1, pool_timeout=0.2, connect_timeout=0.2)
    try:
        first = asyncio.create_task(req.do_request(f"{url}/first", "POST"))
        await asyncio.sleep(0.1)
        with pytest.raises(TimedOut, match="no connection"):
            await req.do_request(f"{url}/second", "POST")
        release.set()
        assert (await first)[0] == 200
    finally:
        await req.shutdown()
    assert arrived == ["/first"]


async def test_refused_connection_is_a_network_error() -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    req = AiohttpRequest()
    try:
        with pytest.raises(NetworkError, match="aiohttp"):
            await req.do_request(f"http://127.0.0.1:{port}/getMe", "POST")
    finally:
        await req.shutdown()


async def test_status_and_body_reach_ptb_for_its_error_mapping(serve) -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.json_response(
            {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked"},
            status=403,
        )

    url = await serve(handler)
    bot = Bot("1:T", base_url=f"{url}/bot", request=AiohttpRequest())
    await bot.request.initialize()  # what Bot.initialize does, without its getMe
    try:
        with pytest.raises(Forbidden, match="blocked"):
            await bot.send_message(7, "你好")
    finally:
        await bot.request.shutdown()


async def test_usable_again_after_shutdown(serve) -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.json_response({"ok": True, "result": True})

    url = await serve(handler)
    req = AiohttpRequest()
    await req.initialize()
    await req.shutdown()
    try:
        assert (await req.do_request(f"{url}/getMe", "POST"))[0] == 200
    finally:
        await req.shutdown()


async def test_http_proxy_from_the_environment_carries_the_call(serve, monkeypatch) -> None:
    seen: list[str] = []

    async def proxy(request: web.Request) -> web.Response:
        seen.append(str(request.url))
        return web.json_response({"ok": True, "result": True})

    url = await serve(proxy)
    monkeypatch.setenv("HTTP_PROXY", url)
    monkeypatch.setenv("NO_PROXY", "localhost")
    req = AiohttpRequest()
    try:
        status, _ = await req.do_request("http://api.telegram.invalid/bot1:T/getMe", "POST")
    finally:
        await req.shutdown()
    assert status == 200
    assert seen == ["http://api.telegram.invalid/bot1:T/getMe"]


def test_no_proxy_hosts_go_direct(monkeypatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,.internal")
    req = AiohttpRequest()
    assert req._proxy_for("https://api.telegram.org/bot1:T/getMe") == "http://proxy.example:3128"
    assert req._proxy_for("https://botapi.internal/bot1:T/getMe") is None
    assert req._proxy_for("http://127.0.0.1:8081/bot1:T/getMe") is None
