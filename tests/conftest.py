"""Shared fixtures: a fake Bot API server and real PTB Applications pointed at it.

``fake_api``          a started FakeBotAPI (tests/fakebotapi.py) on 127.0.0.1 and a random port.
``ptb_app_factory``   ``factory(handlers=(), *, read_timeout=None, configure=None)`` builds a real
                      Application for ``fake_api``; start it with ``running_app(app)`` or
                      ``start_app(app)``. Every app it built is stopped before the server.
"""

from __future__ import annotations

import os

# PTB 22 warns (an error under filterwarnings=error) whenever it hands out a duration as an int;
# opting in to datetime.timedelta, as the bot itself does, keeps tests clean. Set before any
# telegram object is created.
os.environ["PTB_TIMEDELTA"] = "true"

from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any

import pytest
from fakebotapi import FakeBotAPI, build_app, stop_app
from telegram.ext import Application, BaseHandler


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeBotAPI]:
    fake = FakeBotAPI()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


@pytest.fixture
async def ptb_app_factory(
    fake_api: FakeBotAPI,
) -> AsyncIterator[Callable[..., Application]]:
    apps: list[Application] = []

    def factory(handlers: Iterable[BaseHandler[Any, Any, Any]] = (), **kwargs: Any) -> Application:
        app = build_app(fake_api, **kwargs)
        for handler in handlers:
            app.add_handler(handler)
        apps.append(app)
        return app

    yield factory
    for app in reversed(apps):
        await stop_app(app)
