"""Replies of the admins' /sources command (feed sources): pure formatting, like ``bot.cards``."""

from __future__ import annotations

from collections.abc import Sequence

from bot.cards import Reply, clip, fit
from bot.telegram_html import escape
from briefings.sources import Source, local_time

USAGE = (
    "<b>订阅源</b>(RSS / Atom / JSON Feed)\n"
    "/sources — 列表与最近状态\n"
    "/sources add 网址 [名称] — 添加,例如\n"
    "<code>/sources add http://localhost:1200/zjol/paper/zjrb 浙江日报</code>\n"
    "/sources remove 编号 — 删除\n"
    "/sources enable 编号 · /sources disable 编号 — 启用 / 停用"
)


def _line(s: Source, tz: str) -> list[str]:
    mark = ("✅" if s.ok else "⚠️") if s.enabled else "⏸"
    paper = f" → {escape(s.source)}" if s.source else ""
    status = s.last_status or "尚未抓取"
    return [
        f"{mark} <b>#{s.id} {escape(clip(s.label, 40))}</b>{paper}",
        f"<code>{escape(clip(s.url, 120))}</code>",
        f"<i>{escape(local_time(s.last_checked, tz))}</i> {escape(clip(status, 200))}",
        f"已收 {s.items} 条 · 连续失败 {s.failures} · 下次 "
        f"{escape(local_time(s.next_poll, tz) if s.enabled else '—')}",
    ]


def source_list(sources: Sequence[Source], tz: str) -> Reply:
    if not sources:
        return Reply("还没有订阅源。\n\n" + USAGE)
    lines = [f"📡 <b>订阅源</b> {len(sources)} 个"]
    for s in sources:
        lines += ["", *_line(s, tz)]
    lines += ["", "添加:/sources add 网址 [名称] · 删除:/sources remove 编号"]
    return Reply(fit("\n".join(lines)))


def source_added(s: Source, added: bool, interval_min: int) -> Reply:
    if not added:
        return Reply(f"已经有这个订阅源:#{s.id} {escape(clip(s.label, 40))}")
    return Reply(
        f"✅ 已添加订阅源 #{s.id} {escape(clip(s.label, 40))}\n"
        f"<code>{escape(clip(s.url, 200))}</code>\n"
        f"将在下一次定时抓取时读取(每 {interval_min} 分钟一次),结果见 /sources。"
    )


def source_removed(s: Source) -> Reply:
    return Reply(f"已删除订阅源 #{s.id} {escape(clip(s.label, 40))}。已收录的稿件保留。")


def source_toggled(s: Source) -> Reply:
    state = "已启用" if s.enabled else "已停用"
    return Reply(f"{state}订阅源 #{s.id} {escape(clip(s.label, 40))}。")


def private_only() -> Reply:
    return Reply("订阅源只能在与机器人的私聊中管理。")


def usage() -> Reply:
    return Reply(USAGE)
