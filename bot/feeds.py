"""Feed polling in the running bot: JobQueue glue around ``briefings.polling``.

Jobs (PTB's JobQueue, APScheduler underneath; rebuilt at every start like the briefing jobs):
- ``feeds`` every FEED_INTERVAL, phased so that its runs fall on the pre-digest moment;
- ``feeds:pre-digest`` daily at FEED_LEAD before the earliest subscriber's delivery time (read
  from the chats table), which also re-phases ``feeds`` after it;
- ``feeds:startup`` once, a few seconds after start-up, for sources that are overdue.
Each run polls only sources that are due (``sources.next_poll``), so a source is read at most once
per interval whatever fires. A run has its own time cap and runs beside the briefing jobs: a
digest never waits for a feed, and a failing source only delays itself (backoff).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date, datetime, timedelta
from datetime import time as dtime
from typing import Any
from zoneinfo import ZoneInfo

from telegram.ext import Application, CallbackContext

from bot.runtime import Runtime
from briefings import chats
from briefings.errors import InvalidArgument
from briefings.fetching import FeedSettings
from briefings.localtime import clock_time
from briefings.localtime import zone as zone_of
from briefings.polling import Poller, PollReport
from briefings.sources import seed_from_toml

log = logging.getLogger(__name__)

FEEDS_JOB = "feeds"
PRE_DIGEST_JOB = "feeds:pre-digest"
STARTUP_JOB = "feeds:startup"
POLLER_KEY = "feed_poller"
SETTINGS_KEY = "feed_settings"  # preset it before start-up to override the FEED_* variables
_ANCHOR_KEY = "feed_anchor"
STARTUP_DELAY = 5.0


def earliest_delivery(conn, tz: str) -> dtime | None:
    """The earliest daily delivery time among active subscribers, as a wall time in ``tz``."""
    zone = ZoneInfo(tz)
    today = datetime.now(zone).date()
    times = []
    for prefs in chats.subscribers(conn):
        moment = datetime.combine(today, clock_time(prefs.time), zone_of(prefs.tz))
        times.append(moment.astimezone(zone).time())
    return min(times) if times else None


def pre_digest_time(earliest: dtime, lead: float) -> dtime:
    """``lead`` seconds before ``earliest``, wrapping around midnight."""
    moment = datetime.combine(date(2000, 1, 2), earliest) - timedelta(seconds=lead)
    return moment.time()


def next_aligned(now: datetime, anchor: dtime, interval: float, zone: ZoneInfo) -> datetime:
    """The first moment after ``now`` of the series anchor + k × interval (anchor taken today)."""
    start = datetime.combine(now.astimezone(zone).date(), anchor, zone)
    step = timedelta(seconds=interval)
    k = (now - start) // step + 1
    return start + k * step


def _settings(app: Application, rt: Runtime) -> FeedSettings:
    settings = app.bot_data.get(SETTINGS_KEY)
    if not isinstance(settings, FeedSettings):
        try:
            settings = FeedSettings.from_env(timezone=rt.config.timezone)
        except InvalidArgument as exc:  # a typo in FEED_* must not keep the bot from starting
            log.error("feeds: %s; using the defaults", exc)
            settings = FeedSettings(timezone=rt.config.timezone)
        app.bot_data[SETTINGS_KEY] = settings
    return settings


def _seed(store: Any, settings: FeedSettings) -> list[str]:
    report = store.run(seed_from_toml, settings.sources_file)
    for source in report.added:
        log.info("sources.toml: added %s <%s>", source.label, source.url)
    return report.problems


def _earliest(store: Any, tz: str) -> dtime | None:
    return store.run(earliest_delivery, tz)


async def start_feeds(app: Application, rt: Runtime) -> None:
    """Seed sources from sources.toml, create the poller and schedule its jobs (post_init)."""
    settings = _settings(app, rt)
    for problem in await rt.call(_seed, rt.store, settings):
        log.warning("sources.toml: %s", problem)
    if not isinstance(app.bot_data.get(POLLER_KEY), Poller):
        # SQLite on the bot's worker thread; parsing and analysis on its CPU pool, or in
        # FEED_PROCESSES worker processes (started by the first poll, STARTUP_DELAY after
        # start-up: loading the gazetteer and segmenter takes them a second or two).
        app.bot_data[POLLER_KEY] = Poller(
            rt.store, settings, run_store=rt.call, run_cpu=rt.compute, clock=rt.clock
        )
    await schedule_feeds(app, rt)
    assert app.job_queue is not None
    app.job_queue.run_once(feed_job, when=STARTUP_DELAY, name=STARTUP_JOB, data=rt)


async def stop_feeds(app: Application) -> None:
    """Drop the poller (post_shutdown); the threads it used are the runtime's."""
    poller = app.bot_data.pop(POLLER_KEY, None)
    if isinstance(poller, Poller):
        poller.close()


def _remove(app: Application, *names: str) -> None:
    assert app.job_queue is not None
    for name in names:
        for job in app.job_queue.get_jobs_by_name(name):
            job.schedule_removal()


async def schedule_feeds(app: Application, rt: Runtime, *, after_pre_digest: bool = False) -> None:
    """(Re)create the repeating poll and the pre-digest poll from the chats table."""
    assert app.job_queue is not None, "install python-telegram-bot[job-queue]"
    settings = _settings(app, rt)
    zone = ZoneInfo(settings.timezone)
    earliest = await rt.call(_earliest, rt.store, settings.timezone)
    anchor = pre_digest_time(earliest, settings.lead) if earliest else None
    app.bot_data[_ANCHOR_KEY] = anchor
    now = rt.clock()
    if after_pre_digest:
        first = now + timedelta(seconds=settings.interval)
    elif anchor is not None:
        first = next_aligned(now, anchor, settings.interval, zone)
    else:
        first = now + timedelta(seconds=settings.interval)
    _remove(app, FEEDS_JOB, PRE_DIGEST_JOB)
    common = {"coalesce": True, "misfire_grace_time": int(settings.interval)}
    app.job_queue.run_repeating(
        feed_job,
        interval=settings.interval,
        first=first,
        name=FEEDS_JOB,
        data=rt,
        job_kwargs={"id": FEEDS_JOB, "replace_existing": True, **common},
    )
    if anchor is not None:
        app.job_queue.run_daily(
            pre_digest_job,
            time=anchor.replace(tzinfo=zone),
            name=PRE_DIGEST_JOB,
            data=rt,
            job_kwargs={"id": PRE_DIGEST_JOB, "replace_existing": True, **common},
        )
    log.info("feeds: every %d min; before the digest at %s", settings.interval // 60, anchor)


async def run_feeds(app: Application, rt: Runtime) -> PollReport | None:
    """One poll of the due sources, capped in time; then whatever a new issue calls for."""
    poller = app.bot_data.get(POLLER_KEY)
    if not isinstance(poller, Poller):
        return None
    if poller.busy:
        log.info("feeds: the previous poll is still running; this run is skipped")
        return None
    try:
        async with asyncio.timeout(poller.settings.run_timeout):
            report = await poller.poll()
    except TimeoutError:
        cap = poller.settings.run_timeout
        log.warning("feeds: poll stopped after %d s (FEED_RUN_TIMEOUT)", cap)
        return None
    if report.results:
        log.info("feeds: %s", report.summary())
    if report.changed:
        await _issue_changed(app, rt)
    settings = _settings(app, rt)
    earliest = await rt.call(_earliest, rt.store, settings.timezone)
    anchor = pre_digest_time(earliest, settings.lead) if earliest else None
    if anchor != app.bot_data.get(_ANCHOR_KEY):
        await schedule_feeds(app, rt)  # a subscriber's time moved the earliest delivery
    return report


async def _issue_changed(app: Application, rt: Runtime) -> None:
    """New items: count editions, drop cached bundles, and send a late paper (as the inbox does)."""
    from bot.delivery import Deliverer
    from bot.scheduling import DELIVERER_KEY, catch_up
    from briefings.inbox import record_issue_sizes

    await rt.call(record_issue_sizes, rt.store)
    deliverer = app.bot_data.get(DELIVERER_KEY)
    if isinstance(deliverer, Deliverer):
        deliverer.forget_bundles()
    await catch_up(app, rt, skip_late=False)


async def feed_job(context: CallbackContext) -> None:
    assert context.job is not None
    await run_feeds(context.application, context.job.data)  # type: ignore[arg-type]


async def pre_digest_job(context: CallbackContext) -> None:
    """The poll shortly before the earliest digest; the repeating poll restarts from here."""
    assert context.job is not None
    rt: Runtime = context.job.data  # type: ignore[assignment]
    await run_feeds(context.application, rt)
    await schedule_feeds(context.application, rt, after_pre_digest=True)
