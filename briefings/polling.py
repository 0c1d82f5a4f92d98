"""One poll of the feed sources: fetch, parse, decide, analyse, store; bad sources never hurt good
ones.

Each source goes through its own pipeline and ends in exactly one state change of its row: a
success (items and ETag in one transaction), a 304, or a failure with its reason and the next
poll backed off. Fetching is async (one request at a time per host, a few hosts at once);
parsing and analysis run on a CPU thread; every SQLite call runs through ``run_store`` (the
bot's single SQLite worker), one short call at a time, so a digest running meanwhile never waits
for a whole poll.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from multiprocessing import get_context
from typing import Any, TypeVar

from briefings import feedstore, sources
from briefings.daycopies import DayIndex, merge_day
from briefings.errors import BriefingError
from briefings.feeds import FeedError, ParsedFeed, parse_feed
from briefings.fetching import FeedSettings, FetchError, fetch, new_session
from briefings.localtime import local_today
from briefings.models import AnalyzedUnit, Document
from briefings.sources import Source

log = logging.getLogger(__name__)
T = TypeVar("T")
Runner = Callable[..., Awaitable[Any]]
# Days whose feed and page copies are merged at the end of every poll (see feedstore).
MERGE_DAYS = 2


@dataclass(frozen=True)
class SourceResult:
    """How one source fared in one poll."""

    source: Source
    ok: bool
    status: str  # the line stored as its last_status
    written: feedstore.Written | None = None
    not_modified: bool = False


@dataclass
class PollReport:
    results: list[SourceResult] = field(default_factory=list)
    merged: int = 0  # copies dropped by the end-of-poll merge of recent days

    @property
    def failed(self) -> list[SourceResult]:
        return [r for r in self.results if not r.ok]

    @property
    def changed(self) -> bool:
        return self.merged > 0 or any(r.written and r.written.changed for r in self.results)

    def total(self, name: str) -> int:
        return sum(getattr(r.written, name) for r in self.results if r.written)

    def summary(self) -> str:
        ok = sum(1 for r in self.results if r.ok and not r.not_modified)
        same = sum(1 for r in self.results if r.not_modified)
        return (
            f"{len(self.results)} 个订阅源: 成功 {ok}, 未变化 {same}, 失败 {len(self.failed)}; "
            f"新增 {self.total('added')}, 更新 {self.total('replaced')}, "
            f"重复 {self.total('duplicates')}"
        )


# What analysing one item gives: its units and their full-text columns, or why it failed.
Analysis = tuple[list[AnalyzedUnit], list[tuple[str, str]]] | str


def analyse_documents(docs: Sequence[Document]) -> list[Analysis]:
    """Regions, figures and topics of each document, and its full-text index columns; a
    BriefingError or ValueError becomes its message. Pure: runs on the CPU thread, or in a
    worker process."""
    from briefings.pipeline import analyze_document
    from briefings.store import fts_texts

    out: list[Analysis] = []
    for doc in docs:
        try:
            units = analyze_document(doc)
            out.append((units, fts_texts(units)))
        except (BriefingError, ValueError) as exc:
            out.append(str(exc))
    return out


def _assemble(
    planned: Sequence[feedstore.Planned], results: Sequence[Analysis]
) -> tuple[list[feedstore.Analysed], list[str]]:
    """The items to write, each with its analysis, and one line per item that failed."""
    out: list[feedstore.Analysed] = []
    failed: list[str] = []
    todo = iter(results)
    for p in planned:
        if p.action == "duplicate":
            out.append((p, [], []))
            continue
        result = next(todo)
        if isinstance(result, str):
            failed.append(f"{p.item.title[:40]}: {result}")
        else:
            out.append((p, *result))
    return out, failed


def _analyse(planned: Sequence[feedstore.Planned]) -> tuple[list[feedstore.Analysed], list[str]]:
    """Regions, figures and topics of the items to store (pure; runs on the CPU thread)."""
    return _assemble(planned, analyse_documents(_to_analyse(planned)))


def _to_analyse(planned: Sequence[feedstore.Planned]) -> list[Document]:
    return [p.doc for p in planned if p.action != "duplicate"]


def _warm_worker() -> None:
    """Load the gazetteer, the segmenter and the conversion tables in a new worker process."""
    logging.getLogger("jieba").setLevel(logging.WARNING)
    text = "丽水市缙云县规上工业增加值增长19.7%。"
    analyse_documents([Document(kind="article", text=text, source="", date="")])


def _ready() -> bool:
    return True


def _with_store(store, fn: Callable[..., T], *args: Any) -> T:
    with store.transaction() as conn:
        return fn(conn, *args)


def _merge_recent(store, today: str, days: int, index: DayIndex) -> int:
    from datetime import date as Date

    start = Date.fromisoformat(today)
    merged = 0
    with store.transaction() as conn:
        for k in range(days):
            merged += merge_day(conn, index, (start - timedelta(days=k)).isoformat())
    return merged


def record_as(source: Source, parsed: ParsedFeed) -> str:
    """The paper name items are stored under: the source's, else the feed's title, else host."""
    name = source.source or " ".join(parsed.title.split())[:30] or source.host
    return name or source.url[:30]


class Poller:
    """Polls sources into one store. ``run_store`` runs a blocking SQLite call (default: a
    private single thread); ``run_cpu`` runs parsing and analysis (default: another thread).

    With ``processes`` > 0 (default: ``settings.processes``, FEED_PROCESSES), parsing and
    analysis run in that many worker processes instead (spawned, each loading the gazetteer and
    segmenter once): they then use other cores while this process fetches and writes.
    Everything else stays as it is: SQLite only here, one transaction per fetch. A worker that
    dies makes the pool be built again; that source's poll fails like any other error and is
    retried on its schedule.
    """

    def __init__(
        self,
        store,
        settings: FeedSettings,
        *,
        run_store: Runner | None = None,
        run_cpu: Runner | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        processes: int | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        self._executors: list[ThreadPoolExecutor] = []
        self.run_store = run_store or self._runner("feeds-sqlite")
        self.run_cpu = run_cpu or self._runner("feeds-cpu")
        self._running = asyncio.Lock()
        self.processes = max(settings.processes if processes is None else processes, 0)
        self._pool: ProcessPoolExecutor | None = None

    def _workers(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                self.processes, mp_context=get_context("spawn"), initializer=_warm_worker
            )
        return self._pool

    async def warm(self) -> None:
        """Start the worker processes and let each load what analysis needs (no-op without
        them): the bot does this at start-up, so the first poll does not wait for it."""
        if self.processes:
            loop = asyncio.get_running_loop()
            pool = self._workers()
            await asyncio.gather(
                *(loop.run_in_executor(pool, _ready) for _ in range(self.processes))
            )

    async def _compute(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Run pure CPU work on a worker process, or on the CPU runner without them."""
        if not self.processes:
            return await self.run_cpu(fn, *args, **kwargs)
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(
                self._workers(), functools.partial(fn, *args, **kwargs)
            )
        except BrokenProcessPool:
            pool, self._pool = self._pool, None  # a worker died: the next call builds anew
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)
            raise

    def _runner(self, name: str) -> Runner:
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._executors.append(executor)

        async def run(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(executor, functools.partial(fn, *args, **kwargs))

        return run

    def close(self) -> None:
        for executor in self._executors:
            executor.shutdown(wait=True)
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    @property
    def busy(self) -> bool:
        return self._running.locked()

    async def poll(self, *, due_only: bool = True) -> PollReport:
        """Poll due sources (every enabled one with ``due_only=False``).

        One poll at a time: a call while another runs waits for it. Cancelling (a time cap)
        leaves every source either fully written or untouched.
        """
        async with self._running:
            now = self.clock()
            if due_only:
                todo = await self.run_store(self.store.run, sources.due_sources, now)
            else:
                todo = await self.run_store(self.store.run, sources.enabled_sources)
            report = PollReport()
            index = DayIndex()  # titles of the days this poll touches, shared by its sources
            if todo:
                limit = asyncio.Semaphore(max(self.settings.concurrency, 1))
                hosts: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
                async with new_session(self.settings) as session:
                    report.results = list(
                        await asyncio.gather(
                            *(self._one(session, s, limit, hosts, index) for s in todo)
                        )
                    )
            today = local_today(now, self.settings.timezone).isoformat()
            report.merged = await self.run_store(
                _merge_recent, self.store, today, MERGE_DAYS, index
            )
            return report

    async def _one(
        self,
        session,
        source: Source,
        limit: asyncio.Semaphore,
        hosts: defaultdict[str, asyncio.Lock],
        index: DayIndex,
    ) -> SourceResult:
        started = self.clock()
        settings = self.settings
        nxt = started + timedelta(seconds=settings.interval)
        try:
            async with limit, hosts[source.host]:
                resp = await fetch(session, source, settings)
            if resp.not_modified:
                await self.run_store(
                    _with_store, self.store, feedstore.record_not_modified, source.id, started, nxt
                )
                log.info("feed %s: not modified", source.label)
                return SourceResult(source, True, "未变化 (304 not modified)", not_modified=True)
            parsed = await self._compute(
                parse_feed, resp.data, url=resp.url, content_type=resp.content_type,
                fetched=started, tz=settings.timezone, max_items=settings.max_items,
            )  # fmt: skip
            name = record_as(source, parsed)
            plan = await self.run_store(
                feedstore.plan_items, self.store, source, parsed.items, name, index
            )
            if self.processes:
                results = await self._compute(analyse_documents, _to_analyse(plan.items))
                analysed, failed = _assemble(plan.items, results)
            else:
                analysed, failed = await self.run_cpu(_analyse, plan.items)
            written = await self.run_store(
                feedstore.write_fetch, self.store, source, analysed,
                parsed=parsed, etag=resp.etag, last_modified=resp.last_modified,
                status="正常 (ok)", known=plan.known, now=started, next_poll=nxt,
                failed=failed, index=index,
            )  # fmt: skip
        except (FetchError, FeedError) as exc:
            return await self._failed(source, str(exc), started)
        except Exception as exc:  # a bug must not stop the other sources
            log.debug("feed %s: unexpected error", source.label, exc_info=True)
            return await self._failed(
                source, f"内部错误 (internal error: {type(exc).__name__}: {exc})", started
            )
        status = feedstore.status_line("正常 (ok)", written, parsed, known=plan.known)
        log.info("feed %s: %s", source.label, status)
        return SourceResult(source, True, status, written)

    async def _failed(self, source: Source, reason: str, started: datetime) -> SourceResult:
        s = self.settings
        delay = sources.backoff(source.failures + 1, s.interval, s.max_backoff)
        nxt = started + timedelta(seconds=delay)
        await self.run_store(
            _with_store, self.store, feedstore.record_failure, source.id, reason, started, nxt
        )
        log.warning("feed %s (%s) failed: %s; next try in %d min", source.label, source.url,
                    reason, delay // 60)  # fmt: skip
        return SourceResult(source, False, f"失败 (failed): {reason}")
