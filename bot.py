"""The briefing bot: entry point and operator CLI.

Usage:
    python bot.py                      run the bot (long polling, or webhook with WEBHOOK_URL);
                                       with no TELEGRAM_BOT_TOKEN, a local console chat on the
                                       bundled sample data
    python bot.py ask "/county 缙云"    run one command offline, print the reply as sent (HTML);
                                       ask "/chart 缙云" --out DIR writes the chart as PNG;
                                       ask --lang en "/help" answers an English-speaking user
    python bot.py ingest PATH...       ingest page files, article files, JSON Lines, folders
    python bot.py parse FILE --json    print the parsed units as JSON, without touching the DB
    python bot.py reanalyse [--since D]  re-run figures, regions and topics over stored articles
                                       (after an upgrade; article ids and texts stay)
    python bot.py search QUERY         full-text search, newest first
    python bot.py county NAME          a county's articles and figures
    python bot.py digest [--date D] [--chat ID]   print the edition as that chat would get it
    python bot.py push [--date D]      one delivery pass now (sends nothing twice)
    python bot.py sources add URL [--name N] [--source 浙江日报] | list | remove ID | enable ID
                                       | disable ID      feed sources (RSS, Atom, JSON Feed)
    python bot.py fetch                poll every enabled feed source once (exit 1 if any failed)
    python bot.py backup OUT.db        a verified copy of the database, safe while the bot runs
    python bot.py health               exit 0 when the running bot's heartbeat is fresh

Every subcommand's --help shows an example. Errors are one line on stderr and a non-zero exit.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from briefings.errors import BriefingError

REPO = Path(__file__).resolve().parent
SAMPLE = REPO / "data" / "sample_page_2026-04-15.txt"


class CliError(Exception):
    """An operator error: printed as one line, exit status 1."""


def _db_location(db: str | None, *, create: bool) -> Path:
    """The database path; a read-only command never creates it, nor any folder but data/.

    A mistyped ``--db`` must say so, not answer "0 results" from a new empty file.
    """
    from briefings.store import db_path

    path = db_path(db)
    if path.exists():
        return path
    if not create:
        raise CliError(
            f"数据库不存在：{path}（先导入：python bot.py ingest 文件，或用 --db 指定已有的数据库）"
        )
    if not path.parent.is_dir():
        if path.parent.resolve() != (REPO / "data").resolve():
            raise CliError(f"文件夹不存在：{path.parent}（数据库 {path.name} 放在那里）")
        path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _open_store(db: str | None, *, create: bool = False):
    from briefings.store import Store

    return Store.open(_db_location(db, create=create))


def _progress(files: list[Path]) -> Iterable[Path]:
    """The files, under a tqdm bar on stderr when there are many and stderr is a terminal."""
    if len(files) < 5 or not sys.stderr.isatty():
        return files
    from tqdm import tqdm

    return tqdm(files, total=len(files), unit="file", file=sys.stderr)


def cmd_ingest(args: argparse.Namespace) -> int:
    """Ingest files and folders (recursively): OCR pages, one-article files, JSON Lines.

    Example:
        python bot.py ingest data/sample_page_2026-04-15.txt
        python bot.py ingest ~/pages --date 2026-04-15 --source 浙江日报
    """
    from briefings.pipeline import ingest_paths

    with _open_store(args.db, create=True) as store:
        report = ingest_paths(
            store, args.paths, source=args.source, date=args.date, progress=_progress
        )
    # Each problem on one line that names its file once.
    for path, message in report.errors:
        print(_one_line(f"跳过 {path}：{message.removeprefix(f'{path}: ')}"), file=sys.stderr)
    for path, message in report.ignored:
        print(_one_line(f"忽略 {path}：{message}"), file=sys.stderr)
    for record in report.skipped_records:
        where, _, reason = record.rpartition(": ")
        name, _, line = where.rpartition(":")
        shown = f"{name} 第{line}行：{reason}" if line.isdigit() else record
        print(_one_line(f"跳过记录 {shown}"), file=sys.stderr)
    for note in report.notes:
        print(_one_line(f"注意 {note}"), file=sys.stderr)
    for path in report.undated:
        print(
            _one_line(
                f"没有日期 {path}：文件名和版面上都找不到出版日期，它不会进入 /today 和早报；"
                "用 --date YYYY-MM-DD 再导入一次，或在文件名里写上日期（2026-04-15）"
            ),
            file=sys.stderr,
        )
    print(report.summary())
    if report.errors and report.documents == 0:
        return 1
    return 0


def cmd_reanalyse(args: argparse.Namespace) -> int:
    """Re-run the analysis (regions, figures, topics) over stored articles, after an upgrade.

    Pages ingested before keep the reading of the version that ingested them, and ingesting
    the same files again changes nothing; this gives them the current rules. Article ids and
    texts stay (links and the delivery ledger keep working); each document is rewritten in one
    transaction. The bot may keep running meanwhile.

    Example:
        python bot.py reanalyse
        python bot.py --db /srv/bot/briefings.db reanalyse --since 2026-04-01
    """
    from briefings.reanalysis import reanalyse

    with _open_store(args.db) as store:
        report = reanalyse(store, since=args.since)
    print(report.summary())
    return 0


def cmd_parse(args: argparse.Namespace) -> int:
    """Parse one file and print its units (kind, title, byline, regions, figures, topics …).

    Example:
        python bot.py parse data/sample_page_2026-04-15.txt --json
    """
    from briefings.figure_lines import figure_line
    from briefings.pipeline import analyze_document
    from briefings.reading import read_documents

    path = Path(args.file)
    if not path.exists():
        raise CliError(f"文件不存在: {path}")
    if path.is_dir():
        raise CliError(f"{path} 是文件夹; parse 只读一个文件")
    units = []
    figures = []
    for doc in read_documents(path, source=args.source, date=args.date):
        for analysed in analyze_document(doc):
            item = analysed.to_json()
            item.update({"date": doc.date, "source": doc.source, "page": doc.page})
            units.append(item)
            figures.append(analysed.figures)
    if args.json:
        json.dump(units, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    for i, (u, found) in enumerate(zip(units, figures, strict=True)):
        title = u["title"] or u["body"][:30]
        print(f"[{i}] {u['kind']:<12} {title}")
        for f in found:
            print(f"      {figure_line(f).plain()}")
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    """Full-text search over stored articles, newest first.

    Example:
        python bot.py search 保贷联动
        python bot.py search "人工智能 余杭" --limit 5
    """
    from briefings.stories import headline

    with _open_store(args.db) as store:
        page = store.search(args.query, limit=args.limit)
    more = "+" if page.total_capped else ""
    print(f"“{args.query}”: {page.total}{more} 条结果")
    for hit in page.items:
        a = hit.article
        print(f"#{a.id}  {a.date}  {a.source}  {headline(a).plain()}")
        print(f"      {hit.snippet}")
    return 0


def cmd_county(args: argparse.Namespace) -> int:
    """A county's latest articles and figures.

    Example:
        python bot.py county 缙云
        python bot.py county jinyun
    """
    from briefings.county import county_view, lookup
    from briefings.figure_lines import figure_line
    from briefings.stories import headline

    region = lookup(args.name)
    with _open_store(args.db) as store:
        view = county_view(store, region, articles=args.limit, figures=20)
    print(f"{region.display} ({region.adcode})")
    if view.empty:
        last = view.last_mention
        print("还没有收录提到它的报道" + (f"（最近一次提及：{last}）" if last else ""))
        return 0
    for sf in view.figures:
        line = figure_line(sf.figure, known=region.short).plain()
        print(f"  {line}  [{sf.source} {sf.date} #{sf.article_id}]")
    for a in view.articles:
        print(f"  #{a.id} {a.date} {headline(a).plain()}")
    return 0


def cmd_digest(args: argparse.Namespace) -> int:
    """Print the edition of a date as a chat would get it (plain text on a terminal).

    Example:
        python bot.py digest --date 2026-04-15
        python bot.py digest --chat 12345 --html
    """
    from bot.edition_html import EditionHtml
    from bot.telegram_html import html_to_text
    from briefings import chats, editions
    from briefings.reading import normalize_date

    with _open_store(args.db) as store:
        prefs = None
        if args.chat is not None:
            prefs = store.run(chats.get_chat, args.chat)
            if prefs is None:
                raise CliError(f"没有 chat {args.chat} 的记录 (它还没有和 bot 对话过)")
        date = normalize_date(args.date) if args.date else store.latest_date()
        if date is None:
            raise CliError("数据库里还没有稿件: 先运行 python bot.py ingest PATH")
        messages = EditionHtml()(editions.compose_for_chat(store, prefs, date))
    if args.html:
        print("\n\n".join(messages))
    else:
        print("\n\n".join(html_to_text(m) for m in messages))
    return 0


EXIT_PENDING = 3


def cmd_push(args: argparse.Namespace) -> int:
    """Run one delivery pass now; running it twice sends nothing new.

    Chats whose delivery failed for a passing reason (network, 5xx, timeout, 429) stay pending:
    the next push (or the running bot) tries them again until the edition is stale. Exit status
    3 when some are still pending, 1 when another process (the bot or a push) is delivering.

    Example:
        python bot.py push --date 2026-04-15
    """
    from bot.config import load_config
    from bot.delivery import push
    from bot.lease import DeliveryBusy

    config = load_config()
    if not config.has_token:
        raise CliError("push 需要 TELEGRAM_BOT_TOKEN (TELEGRAM_BASE_URL 可指向其他服务器)")
    if args.db:
        from dataclasses import replace

        config = replace(config, db_path=args.db)
    try:
        report = asyncio.run(push(config, args.date))
    except DeliveryBusy as exc:
        raise CliError(f"{exc}; 稍后再试") from exc
    print(report.summary())
    if report.pending:
        print(
            f"{report.pending} 个会话仍待重试: 再次运行 push 或由运行中的 bot 重试",
            file=sys.stderr,
        )
        return EXIT_PENDING
    if report.failed and not report.sent and not report.already:
        return 1  # every chat tried failed for good: worth an operator's look
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    """Run one command offline and print the reply as sent (HTML); a chart is written as PNG
    into --out (default: a folder in the system's temporary one) and its file named.

    --lang is the asking user's Telegram language (en: English replies), as in Telegram a
    /language choice stored for the console chat wins over it.

    Example:
        python bot.py ask "/county 缙云"
        python bot.py ask --lang en "/county jinyun"
        python bot.py ask "/chart 缙云" --out charts/
    """
    from dataclasses import replace

    from bot.config import load_config
    from bot.console import ask

    config = load_config()
    if args.db:
        config = replace(config, db_path=args.db)
    _db_location(config.db_path or None, create=True)
    out = Path(args.out) if args.out else None
    print(ask(config, " ".join(args.text), out, lang=getattr(args, "lang", None)))
    return 0


def _feed_settings():
    from bot.config import load_config
    from briefings.fetching import FeedSettings

    return FeedSettings.from_env(timezone=load_config().timezone)


def _seed_sources(store, settings) -> None:
    """Add the sources.toml entries the table has never seen; problems on stderr."""
    from briefings.sources import seed_from_toml

    report = store.run(seed_from_toml, settings.sources_file)
    for problem in report.problems:
        print(f"sources.toml: {problem}", file=sys.stderr)


def cmd_sources(args: argparse.Namespace) -> int:
    """Feed sources polled by the bot and by `fetch` (RSS 0.9x/1.0/2.0, Atom, JSON Feed).

    Example:
        python bot.py sources add http://localhost:1200/zjol/paper/zjrb --source 浙江日报
        python bot.py sources list
        python bot.py sources disable 2
        python bot.py sources remove http://localhost:1200/zjol/paper/qjwb
    """
    from briefings import sources

    settings = _feed_settings()
    # Adding a source, or seeding from sources.toml, writes; listing an empty set does not.
    seeds = settings.sources_file is not None and Path(settings.sources_file).is_file()
    with _open_store(args.db, create=args.action == "add" or seeds) as store:
        _seed_sources(store, settings)
        run = store.run
        if args.action == "add":
            found, added = run(sources.add_source, args.url, name=args.name, source=args.source)
            print(f"{'已添加' if added else '已存在'} #{found.id} {found.label} <{found.url}>")
        elif args.action in ("remove", "enable", "disable"):
            if args.action == "remove":
                found = run(sources.remove_source, args.ref)
                print(f"已删除 #{found.id} {found.label} <{found.url}>")
            else:
                found = run(sources.set_enabled, args.ref, args.action == "enable")
                state = "已启用" if found.enabled else "已停用"
                print(f"{state} #{found.id} {found.label} <{found.url}>")
        else:
            listed = run(sources.list_sources)
            if not listed:
                print("还没有订阅源: python bot.py sources add URL")
            for line in (ln for s in listed for ln in sources.describe(s, settings.timezone)):
                print(line)
    return 0


async def _poll_all(store, settings):
    from briefings.polling import Poller

    poller = Poller(store, settings)
    try:
        async with asyncio.timeout(settings.run_timeout):
            return await poller.poll(due_only=False)
    finally:
        poller.close()


def cmd_fetch(args: argparse.Namespace) -> int:
    """Poll every enabled feed source once and store new items; exit 1 if any source failed.

    Example:
        python bot.py fetch
        python bot.py fetch --db data/briefings.db
    """
    settings = _feed_settings()
    polling_log = logging.getLogger("briefings.polling")
    level = polling_log.level
    if "LOG_LEVEL" not in os.environ:  # the failures are printed below, one line each
        polling_log.setLevel(logging.ERROR)
    try:
        with _open_store(args.db, create=True) as store:
            _seed_sources(store, settings)
            report = asyncio.run(_poll_all(store, settings))
    finally:
        polling_log.setLevel(level)
    for r in report.failed:
        print(f"失败 #{r.source.id} {r.source.label} <{r.source.url}>: "
              f"{r.status.removeprefix('失败 (failed): ')}", file=sys.stderr)  # fmt: skip
    if not report.results:
        print("没有启用的订阅源: python bot.py sources add URL")
        return 0
    print(report.summary())
    return 1 if report.failed else 0


def cmd_run(args: argparse.Namespace) -> int:
    """Run the bot; without TELEGRAM_BOT_TOKEN, a console chat over the sample data.

    Example:
        python bot.py
        printf '/county 缙云\\n' | python bot.py
    """
    from dataclasses import replace

    from bot.config import load_config
    from bot.startup import ConfigurationError

    try:
        config = load_config()
    except BriefingError as exc:  # a bad setting will not fix itself by restarting
        raise ConfigurationError(str(exc)) from exc
    if args.db:
        config = replace(config, db_path=args.db)
    _db_location(config.db_path or None, create=True)
    if config.has_token:
        from bot.app import run

        run(config)
        return 0
    from bot.console import run_console

    return run_console(config, sys.stdin, sys.stdout, lang=getattr(args, "lang", None))


def cmd_backup(args: argparse.Namespace) -> int:
    """Copy the database while the bot runs, verified (integrity check, row counts).

    The copy is taken from one consistent snapshot with SQLite's online backup API and is
    moved into place only after it checks out, so a failed backup never looks like a good one.

    Example:
        python bot.py backup /var/backups/briefings-2026-12-04.db
        python bot.py --db /srv/bot/briefings.db backup backup.db --force
    """
    from briefings.backup import backup_database
    from briefings.store import db_path

    print(backup_database(db_path(args.db), args.out, force=args.force).summary())
    return 0


def cmd_health(args: argparse.Namespace) -> int:
    """Exit 0 when the running bot's heartbeat is fresh and its database opens (for Docker).

    Example:
        python bot.py health
    """
    from bot.health import check
    from briefings.store import db_path

    result = check(db_path(args.db))
    print(result.message, file=sys.stdout if result.ok else sys.stderr)
    return 0 if result.ok else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bot.py",
        usage=(
            "python bot.py [--db DB]                start the bot (no COMMAND)\n"
            "       python bot.py [--db DB] COMMAND …      an operator command (below)"
        ),
        description=(
            "浙江经济早报 bot: ingest newspaper pages, search them, brief subscribers.\n\n"
            "Start the bot: python bot.py (no COMMAND). With TELEGRAM_BOT_TOKEN set it serves\n"
            "Telegram; without it, a local console chat over the bundled sample page.\n"
            "启动机器人：python bot.py（不带命令）。设置了 TELEGRAM_BOT_TOKEN 就连接 Telegram，\n"
            "没有设置则打开本机的离线控制台（示例版面）。"
        ),
        epilog=(
            "examples:\n"
            "  python bot.py                          start the bot (or the offline console)\n"
            "  python bot.py ingest pages/            ingest a folder of page files\n"
            '  python bot.py ask "/search 票房"         one command offline, the reply as sent\n'
            "  python bot.py COMMAND --help           a command's options and examples"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--db", help="SQLite file (default: $BRIEFINGS_DB or data/briefings.db)")
    parser.add_argument(
        "--lang", help="console: the user's Telegram language (en for English replies)"
    )
    parser.set_defaults(func=cmd_run)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", prog="python bot.py")

    def add(name: str, func: Callable, help_: str) -> argparse.ArgumentParser:
        p = sub.add_parser(
            name,
            help=help_,
            description=func.__doc__,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        p.add_argument("--db", default=argparse.SUPPRESS, help="SQLite file")
        p.set_defaults(func=func)
        return p

    p = add("ingest", cmd_ingest, "ingest files and folders")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--date", help="publication date (yyyy-mm-dd), overrides file and text")
    p.add_argument("--source", help="source name (default 浙江日报 or the JSON field)")
    p = add("parse", cmd_parse, "parse one file, print units")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--json", action="store_true", help="print a JSON array")
    p.add_argument("--date")
    p.add_argument("--source")
    p = add("reanalyse", cmd_reanalyse, "re-run the analysis over stored articles")
    p.add_argument("--since", metavar="YYYY-MM-DD", help="only documents of this date or later")
    p = add("search", cmd_search, "full-text search")
    p.add_argument("query", metavar="QUERY")
    p.add_argument("--limit", type=int, default=10)
    p = add("county", cmd_county, "a county's articles and figures")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--limit", type=int, default=10)
    p = add("digest", cmd_digest, "print an edition")
    p.add_argument("--date")
    p.add_argument("--chat", type=int)
    p.add_argument("--html", action="store_true", help="print the HTML messages as sent")
    p = add("push", cmd_push, "one delivery pass now")
    p.add_argument("--date")
    p = add("ask", cmd_ask, "one command offline")
    p.add_argument("text", nargs="+", metavar="TEXT")
    p.add_argument(
        "--lang",
        default=argparse.SUPPRESS,
        help="the asking user's Telegram language: en answers in English (default: Chinese)",
    )
    p.add_argument("--out", metavar="DIR", help="folder for the PNG of a chart reply")
    p = add("sources", cmd_sources, "feed sources: add, list, remove, enable, disable")
    p.set_defaults(action="list")
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    a = actions.add_parser("add", help="add a feed URL")
    a.add_argument("url", metavar="URL")
    a.add_argument("--name", help="label shown in lists")
    a.add_argument("--source", help="paper name recorded on its items (default: the feed title)")
    actions.add_parser("list", help="every source with its last status")
    for action in ("remove", "enable", "disable"):
        actions.add_parser(action, help=f"{action} a source").add_argument("ref", metavar="ID|URL")
    add("fetch", cmd_fetch, "poll every enabled feed source once")
    p = add("backup", cmd_backup, "a verified copy of the database, safe while the bot runs")
    p.add_argument("out", metavar="OUT.db")
    p.add_argument("--force", action="store_true", help="replace OUT.db if it exists")
    add("health", cmd_health, "exit 0 when the running bot is alive (heartbeat)")
    return parser


# Arguments that are file names: undecodable bytes in them are part of a real name (a file
# named in GBK on a UTF-8 system) and the readers cope; in any other argument they are a
# mistake the operator must hear about.
_PATH_ARGUMENTS = frozenset({"paths", "file"})


def _undecodable_argument(args: argparse.Namespace) -> str | None:
    """The name of the first text argument holding a lone surrogate (undecodable bytes)."""
    from briefings.arguments import has_surrogates

    for name, value in vars(args).items():
        values = value if isinstance(value, list) else [value]
        if name in _PATH_ARGUMENTS or name == "func":
            continue
        if any(isinstance(v, str) and has_surrogates(v) for v in values):
            return name
    return None


def _one_line(text: str) -> str:
    """An error message as one printable line: blanks folded, no lone surrogates."""
    from briefings.arguments import replace_surrogates

    return " ".join(replace_surrogates(text).split())


def main(argv: Sequence[str] | None = None) -> int:
    # PTB 22 hands out durations (RetryAfter.retry_after, …) as timedelta only when asked, and
    # warns otherwise; the bot reads them as timedelta. Set before any telegram object exists.
    os.environ["PTB_TIMEDELTA"] = "true"
    from bot import logs
    from bot.redact import redact
    from bot.startup import EXIT_CONFIG, ConfigurationError

    logs.configure(os.environ.get("LOG_LEVEL"), os.environ.get("LOG_FORMAT"))
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "db"):
        args.db = None
    if bad := _undecodable_argument(args):
        print(
            f"错误: 参数 {bad} 含有无法解码的字节 (not valid UTF-8): 请检查终端或脚本的编码",
            file=sys.stderr,
        )
        return 2
    try:
        return args.func(args)
    except ConfigurationError as exc:
        print(f"错误: {_one_line(redact(str(exc)))}", file=sys.stderr)
        return EXIT_CONFIG
    except (BriefingError, CliError) as exc:
        print(f"错误: {_one_line(redact(str(exc)))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # the operator gets one line, never a traceback
        logging.getLogger("bot").debug("unexpected error", exc_info=True)
        print(f"错误: {_one_line(redact(f'{type(exc).__name__}: {exc}'))}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
