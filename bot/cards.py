"""Formatting of everything the bot says: county cards, search pages, articles, lists, help.

Pure functions from domain objects to ``Reply`` values (Telegram HTML text + buttons). Nothing
here talks to Telegram or SQLite, so the same replies are sent by PTB and printed by the console.
Every piece of user or article text goes through ``escape``; every message stays within
Telegram's 4096 UTF-16 units (counted after entity parsing) and callback data within 64 bytes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from bot.telegram_html import MESSAGE_LIMIT, escape, escape_attr, split_html, visible_len
from briefings import digest, stories
from briefings.county import CountyView
from briefings.figure_lines import FigureLine
from briefings.figure_lines import figure_line as line_of
from briefings.i18n import N_
from briefings.models import (
    TOPICS,
    ArticleBundle,
    ArticlePart,
    Figure,
    Region,
    StoredArticle,
)
from briefings.stories import Headline

MAX_CALLBACK_BYTES = 64
SEARCH_PAGE_SIZE = 5
LIST_ITEMS = 6


@dataclass(frozen=True)
class Button:
    """One inline-keyboard button: exactly one of callback data, URL or inline-query switch."""

    text: str
    data: str = ""  # callback_data, ≤ 64 bytes
    url: str = ""
    inline_query: str = ""  # switch_inline_query: opens the chat picker with "@bot <query>"


Keyboard = tuple[tuple[Button, ...], ...]


@dataclass(frozen=True)
class Photo:
    """An image to send with ``sendPhoto``: PNG bytes, a file name, and a key naming what it
    shows (the same key and bytes may be re-sent by Telegram's file id)."""

    png: bytes = field(repr=False)
    name: str
    key: str


@dataclass(frozen=True)
class Reply:
    """One message the bot sends (or, with ``edit``, the new version of the message pressed).

    ``toast`` is the short notice shown when answering a button press. With ``photo`` the
    message is that image and ``text`` its caption (at most 1024 characters).
    """

    text: str
    buttons: Keyboard = ()
    edit: bool = False
    toast: str = ""
    preview: bool = False
    photo: Photo | None = None


def clip(text: str, limit: int) -> str:
    """Shorten to at most ``limit`` characters on one line, marking the cut with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: max(limit - 1, 0)] + "…"


def callback(data: str) -> str:
    """Check a callback payload against Telegram's 64-byte limit (a bug if it fails)."""
    if len(data.encode("utf-8")) > MAX_CALLBACK_BYTES:
        raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {data!r}")
    return data


def fit(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """Last-resort guard: drop whole lines from the end until the visible text fits."""
    if visible_len(text) <= limit:
        return text
    lines = text.split("\n")
    while len(lines) > 1 and visible_len("\n".join(lines)) > limit - 2:
        lines.pop()
    return "\n".join(lines) + "\n…"


def article_label(a: StoredArticle, limit: int = stories.HEADLINE_CHARS) -> str:
    """An article's headline as one line of plain text (``briefings.stories.headline``)."""
    return stories.headline(a).plain(limit) or f"稿件 {a.id}"


def headline_html(h: Headline, limit: int = stories.HEADLINE_CHARS) -> str:
    """A headline in lists: the title in bold, the subtitle after it in plain type; a mark
    (``（续）上文见第一版``) and first words are never bold, since they are not the paper's
    headline."""
    f = h.fitted(limit)
    if f.title:
        text = f"<b>{escape(f.title)}</b>"
        if f.subtitle:
            text += escape(stories.SEPARATOR + f.subtitle)
    else:
        text = escape(f.opening)
    return replace(f, mark=escape(f.mark)).after_mark(text)


def article_headline(a: StoredArticle, limit: int = stories.HEADLINE_CHARS) -> str:
    """``headline_html`` of a stored article."""
    return headline_html(stories.headline(a), limit)


def provenance(a: StoredArticle) -> str:
    """Where an article comes from: 浙江日报 2026-04-15 第1版."""
    return digest.provenance(a.source, a.date, a.page, sep=" ")


def figure_html(line: FigureLine) -> str:
    """A figure line (``briefings.figure_lines.figure_line``) with its value in bold."""
    value = f"<b>{escape(line.value)}</b>" if line.value else ""
    if line.excerpt:
        return f"{escape(line.before)}{value}{escape(line.after)}"
    body = f"{escape(line.label)} {value}" if line.label else value
    return f"{escape(line.region)} · {body}" if line.region else body


def figure_line(f: Figure, *, date: str = "", source: str = "", region: str = "") -> str:
    """• 慈溪 · 家电营收 <b>超千亿元</b> — 浙江日报 2026-04-15

    The digest's rule (``briefings.figure_lines.figure_line``): the region is named unless it is
    ``region`` (the county the card is about); a figure the extractor is not confident about is
    shown as its sentence, number in bold: the reader judges what it measures.
    """
    where = " ".join(x for x in (source, date) if x)
    tail = f" — <i>{escape(where)}</i>" if where else ""
    return f"• {figure_html(line_of(f, known=region))}{tail}"


# ---- help -------------------------------------------------------------------------------------


def help_text(*, admin: bool = False) -> str:
    """The /help text with one example per command."""
    lines = [
        "<b>浙江经济简报</b>：把地方报纸版面变成每日经济简报。",
        "",
        "<b>查询</b>",
        "/county 缙云 — 县（市、区）卡片：最新数据与报道",
        "/search 知识产权 — 全文搜索，最新在前",
        "/article 编号 — 阅读全文（附出处）",
        "/today — 今日简报（今天还没有报纸时为最新一期）",
        "/film — 影视产业最新数据",
        "/finance — 科创金融最新动态",
        "/rank GDP — 指标排名 · /compare 缙云 柯城 — 对比 · /chart 缙云 — 图表",
        "",
        "<b>订阅</b>",
        "/subscribe 07:30 — 每天定时推送简报（也可写 7点半、早上7点、晚上8点）",
        "/unsubscribe — 取消订阅",
        "/time 08:00 — 修改推送时间",
        "/timezone Asia/Shanghai — 修改时区",
        "/topics — 选择简报栏目",
        "/follow 缙云 · /unfollow 缙云 · /following — 关注地区",
        "",
        "直接发送县名（缙云、jinyun、縉雲）即可查看卡片，其他文字会被当作搜索。",
        "在任意聊天中输入 @机器人 县名 即可分享卡片。",
        "群组中只有管理员可以修改订阅设置。",
    ]
    if admin:
        lines += ["", "<b>管理员</b>", "/stats — 统计", "/ingest — 发送版面文本文件即可导入"]
        lines.append("/sources — 订阅源(RSS/Atom/JSON Feed),私聊中管理")
    return "\n".join(lines)


def welcome_text(*, admin: bool = False) -> str:
    return "👋 你好!\n\n" + help_text(admin=admin)


# ---- county cards -----------------------------------------------------------------------------


def county_card(view: CountyView, *, edit: bool = False) -> Reply:
    """Full name and parent, latest figures with period and source date, latest headlines;
    a 📈 button when the place has comparable figures (bot/chart_commands.py)."""
    region, articles, figures = view.region, view.articles, view.figures
    lines = [f"📍 <b>{escape(region.display)}</b>"]
    # A province (or a city that is one) is not its own parent: 上海市, not 上海市 · 上海市.
    parent = region.province if region.province not in (region.name, region.display) else ""
    sub = " · ".join(x for x in (parent, f"区划代码 {region.adcode}") if x)
    lines.append(f"<i>{escape(sub)}</i>")
    if figures:
        lines += ["", "<b>最新数据</b>"]
        lines += [
            figure_line(sf.figure, date=sf.date, source=sf.source, region=region.short)
            for sf in figures
        ]
    if articles:
        lines += ["", "<b>最新报道</b>"]
        for i, a in enumerate(articles, 1):
            lines.append(f"{i}. {article_headline(a, 40)} · {escape(a.date)}")
    if view.empty:
        lines += ["", f"还没有收录提到{escape(region.short or region.name)}的报道。"]
    buttons: list[tuple[Button, ...]] = []
    reads = [
        Button(f"📄 {i}", data=callback(f"article:{a.id}"))
        for i, a in enumerate(articles, 1)
    ]
    if reads:
        buttons.append(tuple(reads))
    action = (
        Button("✅ 已关注（取消）", data=callback(f"unfollow:{region.adcode}"))
        if view.followed
        else Button("⭐ 关注", data=callback(f"follow:{region.adcode}"))
    )
    row = [action, Button("📤 分享", inline_query=region.short or region.name)]
    if view.chartable:
        row.append(Button("📈 图表", data=callback(f"chart:c:{region.adcode}")))
    buttons.append(tuple(row))
    if view.alternatives:
        buttons.append(
            tuple(
                Button(f"也可能是 {r.display}", data=callback(f"county:{r.adcode}"))
                for r in view.alternatives[:2]
            )
        )
    return Reply(fit("\n".join(lines)), tuple(buttons), edit=edit)


# The commands that name a place, and what pressing a suggested place does for each.
PLACE_COMMANDS = {"county": "county", "follow": "follow", "unfollow": "unfollow"}


def region_choices(
    query: str, regions: Sequence[Region], *, ambiguous: bool, command: str = "county"
) -> Reply:
    """Unknown or ambiguous name: say so, and offer the candidates as buttons that do what the
    user asked (``/follow 缙去`` suggests following 缙云, not its card)."""
    command = command if command in PLACE_COMMANDS else "county"
    q = escape(clip(query, 30))
    if ambiguous:
        head = f"“{q}”对应多个地区，请选择："
    elif regions:
        head = f"没有找到“{q}”。你是不是要找："
    else:
        head = f"没有找到“{q}”。请输入县（市、区）名，例如 /{command} 缙云 或 /{command} jinyun。"
    action = PLACE_COMMANDS[command]
    rows = tuple(
        (Button(r.display, data=callback(f"{action}:{r.adcode}")),) for r in regions[:8]
    )
    return Reply(head, rows)


def county_usage() -> Reply:
    return Reply("用法：/county 县名，例如 /county 缙云、/county 丽水缙云 或 /county jinyun")


# ---- search -----------------------------------------------------------------------------------


def search_page(page, page_no: int, key: str, *, edit: bool = False) -> Reply:
    """One page of results (``briefings.search.SearchPage``) with read and paging buttons."""
    q = escape(clip(page.query, 40))
    if not page.items:
        if page_no == 0:
            return Reply(
                f"🔎 没有找到与“{q}”相关的报道。\n试试更短的关键词,或用 /county 县名 查看地区。",
                edit=edit,
            )
        return Reply(f"🔎 “{q}”没有更多结果了。", edit=edit)
    total = page.total_label
    pages = -(-page.total // SEARCH_PAGE_SIZE)
    of = f"{page_no + 1}/{pages}" if not page.total_capped else f"{page_no + 1}"
    lines = [f"🔎 “{q}” 共 {total} 条结果 · 第 {of} 页", ""]
    reads = []
    for i, hit in enumerate(page.items, 1):
        a = hit.article
        lines.append(f"{i}. {article_headline(a)}")
        lines.append(f"   <i>{escape(provenance(a))}</i>")
        if hit.snippet:
            lines.append(f"   {escape(clip(hit.snippet, 120))}")
        reads.append(Button(f"📄 {i}", data=callback(f"article:{a.id}")))
    nav = []
    if page_no > 0:
        nav.append(Button("‹ 上一页", data=callback(f"search:{page_no - 1}:{key}")))
    more = page.total_capped or (page_no + 1) * SEARCH_PAGE_SIZE < page.total
    if more:
        nav.append(Button("下一页 ›", data=callback(f"search:{page_no + 1}:{key}")))
    rows: list[tuple[Button, ...]] = [tuple(reads)]
    if nav:
        rows.append(tuple(nav))
    return Reply(fit("\n".join(lines)), tuple(rows), edit=edit)


def search_usage() -> Reply:
    return Reply("用法:/search 关键词,例如 /search 知识产权 证券化")


def search_expired() -> Reply:
    return Reply("", toast="这个搜索已过期,请重新发送 /search 关键词")


# ---- articles ---------------------------------------------------------------------------------


# Where the start of an article shown on its own is, when the parser or the linker could not
# find it (its headline is elsewhere): said once, above the text.
_FRAGMENT_NOTE = "（续）这是一篇报道的后半部分，开头不在这一版"
_CONTINUED_NOTE = "（续）这是一篇报道的后半部分，上文见{page}"
_PAGE_MARK = "（{i}/{n}）"


def _article_head(a: StoredArticle) -> list[str]:
    """Headline lines of ``/article``: title in bold and subtitle in italics; an article whose
    start is missing says so instead of dressing its sub-heads or first words as a title."""
    h = stories.headline(a)
    head: list[str] = []
    if a.kind == "fragment" and not a.title:
        head.append(f"<i>{escape(_FRAGMENT_NOTE)}</i>")
    elif a.continued_from:
        page = stories.continued_mark(a.continued_from).removeprefix("（续）上文见")
        head.append(f"<i>{escape(_CONTINUED_NOTE.format(page=page))}</i>")
    if a.title or a.subtitle:
        head.append(f"<b>{escape(clip(a.title or a.subtitle, 200))}</b>")
        if a.title and a.subtitle:
            head.append(f"<i>{escape(clip(a.subtitle, 200))}</i>")
    elif a.kind == "continuation" and h.title:  # its printed sub-heads, as in lists
        head.append(headline_html(replace(h, mark=""), 200))
    return head


def article_messages(bundle: ArticleBundle, *, bot_username: str = "") -> list[Reply]:
    """The full article: its headline and provenance, then its text part by part (a later
    part's heading in bold between them), split safely over messages."""
    a = bundle.article
    head = _article_head(a)
    head.append(f"📰 {escape(provenance(a))} · 编号 {a.id}")
    if a.byline:
        people = " ".join(f"{p.role}{p.name}" if p.role else p.name for p in a.byline[:8])
        head.append(escape(clip(people, 200)))
    if bundle.regions:
        names = "、".join(r.name for r in bundle.regions[:10])
        head.append(f"地区：{escape(clip(names, 200))}")
    if a.url:
        head.append(f'<a href="{escape_attr(a.url)}">原文链接</a>')
    blocks = ["\n".join(head) + "\n"]
    parts = a.parts or (ArticlePart(a.id, a.page, "", a.body),)
    for part in parts:
        if part.heading:
            blocks.append(f"\n<b>{escape(clip(part.heading, 200))}</b>")
        blocks += [escape(p) for p in part.body.split("\n") if p.strip()]
    room = MESSAGE_LIMIT - len(_PAGE_MARK.format(i=99, n=99)) - 1
    texts = split_html(blocks, room)
    if len(texts) > 1:
        n = len(texts)
        marks = [f"\n<i>{_PAGE_MARK.format(i=i, n=n)}</i>" for i in range(1, n)]
        texts = [t + m for t, m in zip(texts, marks, strict=False)] + texts[len(marks) :]
    share = (Button("📤 分享", inline_query=f"#{a.id}"),)
    replies = [Reply(t) for t in texts]
    replies[-1] = Reply(texts[-1], (share,))
    return replies


def article_not_found(raw: str) -> Reply:
    return Reply(f"找不到编号为 {escape(clip(raw, 30))} 的文章。编号见搜索结果或县卡片。")


# ---- topic lists (/film, /finance) ------------------------------------------------------------


def topic_list(topic: str, bundles: Sequence[ArticleBundle], *, icon: str) -> Reply:
    """Latest articles of one topic with their figures and sources, one read button each."""
    label = TOPICS.get(topic, topic)
    if not bundles:
        return Reply(f"{icon} 暂无{escape(label)}相关报道。")
    lines = [f"{icon} <b>{escape(label)}</b> · 最新动态"]
    reads = []
    for i, b in enumerate(bundles[:LIST_ITEMS], 1):
        a = b.article
        lines += ["", f"{i}. {article_headline(a)}"]
        lines.append(f"   <i>{escape(provenance(a))}</i>")
        for f in b.figures[:4]:
            lines.append("   " + figure_line(f))
        reads.append(Button(f"📄 {i}", data=callback(f"article:{a.id}")))
    return Reply(fit("\n".join(lines)), (tuple(reads),))


# ---- subscriptions ----------------------------------------------------------------------------


def topic_names(keys: Iterable[str]) -> str:
    names = [TOPICS[k] for k in TOPICS if k in set(keys)]
    return "、".join(names) if names else "（未选择栏目）"


def prefs_summary(prefs) -> str:
    """Current settings of a chat (``briefings.chats.ChatPrefs``), for confirmations."""
    state = "已订阅" if prefs.subscribed else "未订阅"
    where = "本话题" if prefs.thread_id else "本聊天"
    lines = [
        f"状态：{state}" + ("" if prefs.active else "（已暂停）"),
        f"时间：每天 {escape(prefs.time)}（{escape(prefs.tz)}），发送到{where}",
        f"栏目：{escape(topic_names(prefs.topics))}",
    ]
    if prefs.follows:
        lines.append(f"关注地区：{len(prefs.follows)} 个（/following）")
    return "\n".join(lines)


def subscribed(prefs) -> Reply:
    return Reply(
        "✅ 已订阅每日简报。\n"
        + prefs_summary(prefs)
        + "\n\n修改：/time 08:00 · /timezone Asia/Shanghai · /topics"
    )


def unsubscribed(prefs) -> Reply:
    return Reply("已取消订阅。你的栏目与关注设置会保留,发送 /subscribe 即可恢复。")


def settings_changed(what: str, prefs) -> Reply:
    tail = "" if prefs.subscribed else "\n\n（尚未订阅：发送 /subscribe 开始接收简报）"
    return Reply(f"✅ {what}\n" + prefs_summary(prefs) + tail)


def topics_keyboard(prefs, *, edit: bool = False, toast: str = "") -> Reply:
    """The /topics message: one toggle per section, ✅ on and ⬜ off."""
    rows = tuple(
        (Button(f"{'✅' if key in prefs.topics else '⬜'} {label}", data=callback(f"topic:{key}")),)
        for key, label in TOPICS.items()
    )
    text = "<b>简报栏目</b>\n按下面的按钮切换栏目（✅ 已选，⬜ 未选）。当前：" + escape(
        topic_names(prefs.topics)
    )
    return Reply(text, rows, edit=edit, toast=toast)


def following_list(regions: Sequence[Region]) -> Reply:
    if not regions:
        return Reply("还没有关注任何地区。发送 /follow 缙云 关注一个县(市、区)。")
    lines = ["<b>关注的地区</b>"] + [f"• {escape(r.display)}" for r in regions]
    rows = tuple((Button(r.display, data=callback(f"county:{r.adcode}")),) for r in regions[:20])
    return Reply(fit("\n".join(lines)), rows)


def followed(region: Region, added: bool) -> Reply:
    if added:
        return Reply(f"⭐ 已关注 {escape(region.display)}。简报会优先收录该地区的报道。")
    return Reply(f"已经关注过 {escape(region.display)}。")


def unfollowed(region: Region, removed: bool) -> Reply:
    if removed:
        return Reply(f"已取消关注 {escape(region.display)}。")
    return Reply(f"没有关注 {escape(region.display)}。")


def admin_only_group() -> Reply:
    return Reply("抱歉,只有群管理员可以修改本群的简报设置。", toast="只有群管理员可以修改设置")


def admin_only_bot() -> Reply:
    return Reply("抱歉,这个命令只对机器人管理员开放。")


# ---- admin ------------------------------------------------------------------------------------

_STAT_LABELS = {
    "documents": "文档",
    "articles": "稿件",
    "figures": "数据",
    "mentions": "地区提及",
    "chats": "聊天",
    "subscribers": "订阅者",
    "deliveries_sent": "已送达",
    "deliveries_failed": "失败",
    "deliveries_pending": "待发送",
    "sent": "已送达",
    "failed": "失败",
    "pending": "待发送",
    "sending": "发送中",
    "skipped": "已跳过",
    "total": "合计",
}


def stats_reply(store_stats: Mapping[str, int], ledger_stats: Mapping[str, int] | None) -> Reply:
    lines = ["📊 <b>统计</b>"]
    shown = {
        k: v for k, v in store_stats.items() if not (ledger_stats and k.startswith("deliveries_"))
    }
    lines += [f"{escape(_STAT_LABELS.get(k, k))}:{v}" for k, v in shown.items()]
    if ledger_stats:
        lines += ["", "<b>推送记录</b>"]
        lines += [f"{escape(_STAT_LABELS.get(k, k))}:{v}" for k, v in ledger_stats.items()]
    return Reply(fit("\n".join(lines)))


def ingest_reply(name: str, report) -> Reply:
    """Summary of an admin upload (``briefings.pipeline.IngestReport``)."""
    lines = [f"📥 <b>{escape(clip(name, 80))}</b>", escape(report.summary())]
    for path, message in report.errors[:5]:
        lines.append(f"⚠️ {escape(clip(path, 60))}: {escape(clip(message, 200))}")
    return Reply(fit("\n".join(lines)))


def ingest_usage() -> Reply:
    return Reply("请把版面文本文件(.txt / .jsonl)作为文件发送给我,说明可写 /ingest。")


EMPTY_STORE = N_("📭 还没有导入任何报纸，所以暂时没有可看的报道。")
EMPTY_STORE_ADMIN = N_(
    "导入的办法（任选其一）：\n"
    "• 在服务器上运行 python bot.py ingest 版面文件.txt（也可以是文件夹或 .jsonl）\n"
    "• 把版面文本文件直接发给我\n"
    "• 用 /sources add 订阅源网址 添加 RSS/Atom 订阅源，报纸会按时自动到达"
)
EMPTY_STORE_USER = N_(
    "请机器人的管理员先导入版面（python bot.py ingest 文件）或添加订阅源（/sources add 网址）。"
)


def empty_store(*, admin: bool = False) -> Reply:
    """What every query answers on a fresh database: how to get papers in, not 暂无报道."""
    how = EMPTY_STORE_ADMIN if admin else EMPTY_STORE_USER
    return Reply(f"{escape(EMPTY_STORE)}\n{escape(how)}")


def unknown_command(name: str) -> Reply:
    return Reply(f"未知命令 /{escape(clip(name, 30))}。发送 /help 查看可用命令。")
