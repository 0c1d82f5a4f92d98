"""Replies of the admins' /sources command (feed sources): pure formatting, like ``bot.cards``,
in the reader's language (``tr``). A source's last status is the poller's own line, shown as
stored."""

from __future__ import annotations

from collections.abc import Sequence

from bot.cards import Reply, clip, fit
from bot.telegram_html import escape
from briefings.i18n import CHINESE, N_, Translator
from briefings.sources import Source, local_time

USAGE = N_(
    "<b>订阅源</b>（RSS / Atom / JSON Feed）\n"
    "/sources — 列表与最近状态\n"
    "/sources add 网址 [名称] — 添加，例如\n"
    "<code>/sources add http://localhost:1200/zjol/paper/zjrb 浙江日报</code>\n"
    "/sources remove 编号 — 删除\n"
    "/sources enable 编号 · /sources disable 编号 — 启用 / 停用"
)
NOT_POLLED = N_("尚未抓取")
COUNTS = N_("已收 {items} 条 · 连续失败 {failures} · 下次 {next}")
NO_SOURCES = N_("还没有订阅源。")
LIST_HEAD = N_("📡 <b>订阅源</b> {n} 个")
LIST_HOW = N_("添加：/sources add 网址 [名称] · 删除：/sources remove 编号")
ALREADY = N_("已经有这个订阅源：#{id} {label}")
ADDED = N_("✅ 已添加订阅源 #{id} {label}")
ADDED_WHEN = N_("将在下一次定时抓取时读取（每 {minutes} 分钟一次），结果见 /sources。")
REMOVED = N_("已删除订阅源 #{id} {label}。已收录的稿件保留。")
ENABLED = N_("已启用订阅源 #{id} {label}。")
DISABLED = N_("已停用订阅源 #{id} {label}。")
PRIVATE_ONLY = N_("订阅源只能在与机器人的私聊中管理。")


def _line(s: Source, tz: str, tr: Translator) -> list[str]:
    mark = ("✅" if s.ok else "⚠️") if s.enabled else "⏸"
    paper = f" → {escape(s.source)}" if s.source else ""
    status = s.last_status or tr(NOT_POLLED)
    nxt = local_time(s.next_poll, tz) if s.enabled else "—"
    return [
        f"{mark} <b>#{s.id} {escape(clip(s.label, 40))}</b>{paper}",
        f"<code>{escape(clip(s.url, 120))}</code>",
        f"<i>{escape(local_time(s.last_checked, tz))}</i> {escape(clip(status, 200))}",
        escape(tr(COUNTS, items=s.items, failures=s.failures, next=nxt)),
    ]


def source_list(sources: Sequence[Source], tz: str, tr: Translator = CHINESE) -> Reply:
    if not sources:
        return Reply(f"{escape(tr(NO_SOURCES))}\n\n{tr(USAGE)}")
    lines = [tr(LIST_HEAD, n=len(sources))]
    for s in sources:
        lines += ["", *_line(s, tz, tr)]
    lines += ["", escape(tr(LIST_HOW))]
    return Reply(fit("\n".join(lines)))


def source_added(s: Source, added: bool, interval_min: int, tr: Translator = CHINESE) -> Reply:
    label = clip(s.label, 40)
    if not added:
        return Reply(escape(tr(ALREADY, id=s.id, label=label)))
    return Reply(
        f"{escape(tr(ADDED, id=s.id, label=label))}\n"
        f"<code>{escape(clip(s.url, 200))}</code>\n"
        f"{escape(tr(ADDED_WHEN, minutes=interval_min))}"
    )


def source_removed(s: Source, tr: Translator = CHINESE) -> Reply:
    return Reply(escape(tr(REMOVED, id=s.id, label=clip(s.label, 40))))


def source_toggled(s: Source, tr: Translator = CHINESE) -> Reply:
    message = ENABLED if s.enabled else DISABLED
    return Reply(escape(tr(message, id=s.id, label=clip(s.label, 40))))


def private_only(tr: Translator = CHINESE) -> Reply:
    return Reply(escape(tr(PRIVATE_ONLY)))


def usage(tr: Translator = CHINESE) -> Reply:
    return Reply(tr(USAGE))
