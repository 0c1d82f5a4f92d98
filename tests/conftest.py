"""Shared fixtures: a fake Bot API server and real PTB Applications pointed at it.

``fake_api``          a started FakeBotAPI (tests/fakebotapi.py) on 127.0.0.1 and a random port.
``ptb_app_factory``   ``factory(handlers=(), *, read_timeout=None, configure=None)`` builds a real
                      Application for ``fake_api``; start it with ``running_app(app)`` or
                      ``start_app(app)``. Every app it built is stopped before the server.
``seeded_db``         the sample page ingested once per session (and again as the day before).
``bot_db``            a private copy of it per test.
``harness``           the briefing bot itself running against ``fake_api`` (tests/botharness.py).
``feed_server``       a local feed server with the fixture feeds and faults (tests/feedserver.py).
"""

from __future__ import annotations

import os

# PTB 22 warns (an error under filterwarnings=error) whenever it hands out a duration as an int;
# opting in to datetime.timedelta, as the bot itself does, keeps tests clean. Set before any
# telegram object is created.
os.environ["PTB_TIMEDELTA"] = "true"

from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from botharness import (
    EARLIER_DATE,
    SAMPLE,
    SAMPLE_DATE,
    Harness,
    copy_db,
    running_bot,
)
from fakebotapi import FakeBotAPI, build_app, stop_app
from feedserver import FeedServer
from telegram.ext import Application, BaseHandler

from bot.app import open_runtime
from bot.config import Config
from briefings.pipeline import ingest_bytes


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


@pytest.fixture(scope="session")
def seeded_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample page ingested once per session (through the console's first-run seeding),
    plus the same page as the previous day's issue, so that searches have several pages."""
    path = tmp_path_factory.mktemp("seed") / "seed.db"
    rt = open_runtime(Config(db_path=str(path)), seed=True)
    try:
        assert rt.store.latest_date() == SAMPLE_DATE
        # Not the same bytes (those would be one document): the page as the day before.
        earlier = SAMPLE.read_bytes() + b"\n"
        rt.executor.submit(ingest_bytes, rt.store, f"zjrb_{EARLIER_DATE}.txt", earlier).result()
        assert rt.store.dates() == [SAMPLE_DATE, EARLIER_DATE]
    finally:
        rt.close()
    return path


@pytest.fixture
def bot_db(seeded_db: Path, tmp_path: Path) -> Path:
    """A private copy of the seeded database, so tests can change chats freely."""
    return copy_db(seeded_db, tmp_path / "bot.db")


@pytest.fixture
async def harness(fake_api: FakeBotAPI, bot_db: Path) -> AsyncIterator[Harness]:
    async with running_bot(fake_api, bot_db) as running:
        yield running


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    server = FeedServer().start()
    try:
        yield server
    finally:
        server.stop()
