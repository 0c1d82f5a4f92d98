"""Jobs of a running bot: each chat's daily briefing, retries, catch-up after downtime, the
inbox job (its ingest is briefings.inbox).

PTB's JobQueue (APScheduler underneath) keeps jobs in memory only, so they are rebuilt from
SQLite at start-up, one per chat under the fixed name ``briefing:{chat_id}``; scheduling a chat
removes its old job first, so restarts and /time changes never leave two. What is sent is
decided by the ledger, not by the job, so even a duplicate job could not send twice. Deciding
what the catch-up and the retries owe is domain work (briefings/delivery_plan.py); here it is
run on the SQLite worker thread and handed to the application's ``Deliverer``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from telegram.ext import Application, CallbackContext

from bot.delivery import Deliverer, DeliveryReport
from bot.lease import DeliveryBusy
from bot.runtime import Runtime
from briefings import chats, delivery_plan, ledger
from briefings.editions import MAX_ISSUE_AGE_DAYS, issue_for
from briefings.inbox import InboxResult, ingest_inbox
from briefings.localtime import clock_time, local_today, zone

log = logging.getLogger(__name__)

JOB_PREFIX = "briefing:"
INBOX_JOB = "inbox"
CATCHUP_JOB = "catchup"
RETRY_JOB = "delivery-retry"
DELIVERER_KEY = "deliverer"
# Seconds between looks for deliveries whose retry is due (their own backoff decides when).
RETRY_INTERVAL = 30.0
# APScheduler drops a run that starts later than this (a busy loop at 07:30 sharp).
MISFIRE_GRACE_SECONDS = 600


def job_name(chat_id: int) -> str:
    return f"{JOB_PREFIX}{chat_id}"


# --- the deliverer of a running application ---------------------------------------------------


async def get_deliverer(application: Application, rt: Runtime) -> Deliverer:
    """The application's one Deliverer, created on first use.

    It sends with ``application.bot``, whose rate limiter (bot/ratelimit.py) every reply also
    passes, so digest parts and replies share one 30/s budget and replies go first.
    """
    existing = application.bot_data.get(DELIVERER_KEY)
    if isinstance(existing, Deliverer):
        return existing
    deliverer = Deliverer(rt, application.bot)
    application.bot_data[DELIVERER_KEY] = deliverer
    return deliverer


async def close_deliverer(application: Application) -> None:
    """Give up the delivery lock if a pass was cut short (call from post_shutdown)."""
    deliverer = application.bot_data.pop(DELIVERER_KEY, None)
    if isinstance(deliverer, Deliverer):
        await deliverer.close()


# --- per-chat jobs ----------------------------------------------------------------------------


@dataclass(frozen=True)
class JobData:
    rt: Runtime
    chat_id: int


def _unschedule(application: Application, chat_id: int) -> int:
    assert application.job_queue is not None, "install python-telegram-bot[job-queue]"
    jobs = application.job_queue.get_jobs_by_name(job_name(chat_id))
    for job in jobs:
        job.schedule_removal()
    return len(jobs)


def _schedule(application: Application, rt: Runtime, prefs: chats.ChatPrefs) -> None:
    _unschedule(application, prefs.chat_id)
    if not (prefs.subscribed and prefs.active):
        return
    assert application.job_queue is not None
    at = clock_time(prefs.time).replace(tzinfo=zone(prefs.tz))
    name = job_name(prefs.chat_id)
    application.job_queue.run_daily(
        briefing_job,
        time=at,
        name=name,
        data=JobData(rt, prefs.chat_id),
        job_kwargs={
            "id": name,
            "replace_existing": True,
            "misfire_grace_time": MISFIRE_GRACE_SECONDS,
            "coalesce": True,
        },
    )


async def reschedule_chat(application: Application, rt: Runtime, chat_id: int) -> None:
    """Re-read one chat's preferences and (re)create or remove its daily job.

    Call after /subscribe, /unsubscribe, /time, /timezone, /start after a block, migration.
    """
    prefs = await rt.db(chats.get_chat, chat_id)
    if prefs is None:
        _unschedule(application, chat_id)
        return
    _schedule(application, rt, prefs)


async def schedule_all(application: Application, rt: Runtime, *, catchup: bool = True) -> int:
    """Rebuild every briefing job from SQLite, start inbox ingest and retries, queue the catch-up.

    Call from ``post_init``. Returns the number of chats scheduled.
    """
    assert application.job_queue is not None, "install python-telegram-bot[job-queue]"
    subs = await rt.db(chats.subscribers)
    wanted = {job_name(p.chat_id) for p in subs}
    for job in application.job_queue.jobs(f"^{JOB_PREFIX}"):
        if job.name not in wanted:
            job.schedule_removal()
    for prefs in subs:
        _schedule(application, rt, prefs)
    for name in (INBOX_JOB, CATCHUP_JOB, RETRY_JOB):
        for job in application.job_queue.get_jobs_by_name(name):
            job.schedule_removal()
    if rt.config.inbox_interval > 0:
        application.job_queue.run_repeating(
            inbox_job,
            interval=rt.config.inbox_interval,
            first=1.0,
            name=INBOX_JOB,
            data=rt,
            job_kwargs={"id": INBOX_JOB, "replace_existing": True, "coalesce": True},
        )
    application.job_queue.run_repeating(
        retry_job,
        interval=RETRY_INTERVAL,
        first=RETRY_INTERVAL,
        name=RETRY_JOB,
        data=rt,
        job_kwargs={"id": RETRY_JOB, "replace_existing": True, "coalesce": True},
    )
    if catchup:  # as a job, so a long catch-up never delays the start of polling
        application.job_queue.run_once(catchup_job, when=0.5, name=CATCHUP_JOB, data=rt)
    log.info("scheduled the briefing for %d chats", len(subs))
    return len(subs)


async def briefing_job(context: CallbackContext) -> None:
    """A chat's daily job: send it the newest issue it has not had (see issue_for)."""
    assert context.job is not None
    data: JobData = context.job.data  # type: ignore[assignment]
    await deliver_scheduled(context.application, data.rt, data.chat_id)


async def deliver_scheduled(application: Application, rt: Runtime, chat_id: int) -> str:
    """What the daily job does for one chat; returns the delivery outcome, or "no-edition" when
    no recent issue exists.

    If another process (a ``push``) is delivering, the job waits for it to finish.
    """
    prefs = await rt.db(chats.get_chat, chat_id)
    if prefs is None or not (prefs.subscribed and prefs.active):
        return "inactive"
    today = local_today(rt.clock(), prefs.tz)
    date = await rt.call(issue_for, rt.store, today)
    if date is None:
        log.info("chat %s: no issue within %d days of %s", chat_id, MAX_ISSUE_AGE_DAYS, today)
        return "no-edition"
    deliverer = await get_deliverer(application, rt)
    bundles = await deliverer.bundles(date)
    return await deliverer.deliver_chat(chat_id, date, bundles, DeliveryReport(date=date))


# --- retries ----------------------------------------------------------------------------------


async def retry_due(application: Application, rt: Runtime) -> DeliveryReport:
    """Try again the deliveries whose retry is due (and any left ``sending`` by a dead process).

    Skipped, with a log line, while another process holds the delivery lock: the next run
    (every RETRY_INTERVAL seconds) looks again.
    """
    report = DeliveryReport()
    plan = await rt.call(delivery_plan.plan_retries, rt.store, rt.clock())
    if not plan:
        return report  # the usual case: no lock taken, nothing written
    deliverer = await get_deliverer(application, rt)
    try:
        async with deliverer.lease(wait=0):
            for date, chat_ids in sorted(plan.items()):
                report.add(await deliverer.deliver_issue(date, chat_ids=chat_ids))
    except DeliveryBusy as exc:
        log.info("retries skipped this time: delivery lock held by %s", exc.holder.describe())
        return report
    if report.sent or report.failed or report.pending:
        log.info("retries: %s", report.summary())
    return report


async def retry_job(context: CallbackContext) -> None:
    assert context.job is not None
    await retry_due(context.application, context.job.data)  # type: ignore[arg-type]


# --- catch-up ---------------------------------------------------------------------------------


async def catch_up(
    application: Application, rt: Runtime, *, skip_late: bool = True
) -> DeliveryReport:
    """Deliver what downtime made us miss (delivery_plan.plan_catchup); log and record the rest."""
    plan = await rt.call(
        delivery_plan.plan_catchup,
        rt.store,
        rt.clock(),
        rt.config.catchup_until,
        skip_late=skip_late,
    )
    report = DeliveryReport()
    for chat_id, date, reason in plan.skip:
        done = await rt.db(ledger.mark_skipped, chat_id, date, reason)
        if done:
            report.skipped += 1
            log.info("chat %s, edition %s %s", chat_id, date, reason)
    for chat_id, date in plan.abandon:
        await rt.db(
            ledger.mark_failed,
            chat_id,
            date,
            "abandoned: interrupted, too old to resume",
        )
        report.failed += 1
        report.errors["abandoned"] = report.errors.get("abandoned", 0) + 1
    if plan.deliver:
        deliverer = await get_deliverer(application, rt)
        by_date: dict[str, list[int]] = {}
        for chat_id, date in plan.deliver:
            by_date.setdefault(date, []).append(chat_id)
        for date, chat_ids in sorted(by_date.items()):
            report.add(await deliverer.deliver_issue(date, chat_ids=chat_ids))
    if plan.deliver or plan.skip or plan.abandon:
        log.info(
            "catch-up: %d to deliver, %d skipped, %d abandoned: %s",
            len(plan.deliver),
            len(plan.skip),
            len(plan.abandon),
            report.summary(),
        )
    return report


async def catchup_job(context: CallbackContext) -> None:
    assert context.job is not None
    await catch_up(context.application, context.job.data)  # type: ignore[arg-type]


# --- inbox ------------------------------------------------------------------------------------


async def run_inbox(application: Application, rt: Runtime) -> InboxResult:
    """Ingest the inbox; if an issue arrived, deliver it to chats whose time has already passed.

    A late paper reaches morning readers before the catch-up limit; it is never marked skipped
    here (the next scheduled run sends it instead), so a paper that always arrives late is
    still delivered, a day behind.
    """
    result = await rt.call(
        ingest_inbox, rt.store, Path(rt.config.inbox_dir), source=rt.config.source
    )  # the ingest itself is briefings.inbox; this is only the JobQueue glue
    if result.changed:
        deliverer = application.bot_data.get(DELIVERER_KEY)
        if isinstance(deliverer, Deliverer):
            deliverer.forget_bundles()
        await catch_up(application, rt, skip_late=False)
    return result


async def inbox_job(context: CallbackContext) -> None:
    assert context.job is not None
    await run_inbox(context.application, context.job.data)  # type: ignore[arg-type]
