"""Replies about the bot and the chat's settings: help, the command menu, subscriptions, follows,
language, admin replies, and what a fresh database says.

Pure formatting like ``bot.cards`` (``Reply`` values, Telegram HTML), in the reader's language
(``tr``, Chinese by default). County names are shown as printed, with their pinyin in English.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from bot.cards import Button, Reply, callback, clip, fit, place
from bot.telegram_html import escape
from briefings.i18n import CHINESE, LANGUAGE_NAMES, LANGUAGES, N_, Translator
from briefings.models import TOPICS, Region

# ---- help and the command menu ----------------------------------------------------------------

HELP = (
    N_("<b>浙江经济简报</b>：把地方报纸版面变成每日经济简报。"),
    "",
    N_("<b>查询</b>"),
    N_("/county 缙云 — 县（市、区）卡片：最新数据与报道"),
    N_("/search 知识产权 — 全文搜索，最新在前"),
    N_("/article 编号 — 阅读全文（附出处）"),
    N_("/today — 今日简报（今天还没有报纸时为最新一期）"),
    N_("/film — 影视产业最新数据"),
    N_("/finance — 科创金融最新动态"),
    N_("/rank GDP — 指标排名 · /compare 缙云 柯城 — 对比 · /chart 缙云 — 图表"),
    "",
    N_("<b>订阅</b>"),
    N_("/subscribe 07:30 — 每天定时推送简报（也可写 7点半、早上7点、晚上8点）"),
    N_("/unsubscribe — 取消订阅"),
    N_("/time 08:00 — 修改推送时间"),
    N_("/timezone Asia/Shanghai — 修改时区"),
    N_("/topics — 选择简报栏目"),
    N_("/follow 缙云 · /unfollow 缙云 · /following — 关注地区"),
    N_("/language — 界面语言：中文或英文（English）"),
    "",
    N_("直接发送县名（缙云、jinyun、縉雲）即可查看卡片，其他文字会被当作搜索。"),
    N_("在任意聊天中输入 @机器人 县名 即可分享卡片。"),
    N_("群组中只有管理员可以修改订阅设置。"),
)
HELP_ADMIN = (
    "",
    N_("<b>管理员</b>"),
    N_("/stats — 统计"),
    N_("/ingest — 发送版面文本文件即可导入"),
    N_("/sources — 订阅源（RSS/Atom/JSON Feed），私聊中管理"),
)
HELLO = N_("👋 你好！")

# Telegram's command menu (setMyCommands), set once per language.
MENU: tuple[tuple[str, str], ...] = (
    ("county", N_("县（市、区）卡片：/county 缙云")),
    ("search", N_("全文搜索：/search 关键词")),
    ("today", N_("今日简报")),
    ("film", N_("影视产业最新数据")),
    ("finance", N_("科创金融最新动态")),
    ("subscribe", N_("订阅每日简报：/subscribe 07:30")),
    ("unsubscribe", N_("取消订阅")),
    ("time", N_("修改推送时间")),
    ("timezone", N_("修改时区")),
    ("topics", N_("选择简报栏目")),
    ("follow", N_("关注地区")),
    ("unfollow", N_("取消关注地区")),
    ("following", N_("关注的地区")),
    ("article", N_("阅读全文：/article 编号")),
    ("rank", N_("指标排名：/rank GDP")),
    ("compare", N_("地区对比：/compare 缙云 柯城")),
    ("chart", N_("图表：/chart 缙云 或 /chart GDP")),
    ("language", N_("界面语言：中文 / English")),
    ("help", N_("帮助")),
)


def menu(tr: Translator = CHINESE) -> list[tuple[str, str]]:
    """The command menu in ``tr``'s language: (command, description)."""
    return [(command, tr(text)) for command, text in MENU]


def help_text(*, admin: bool = False, tr: Translator = CHINESE) -> str:
    """The /help text with one example per command."""
    lines = HELP + (HELP_ADMIN if admin else ())
    return "\n".join(tr(line) if line else "" for line in lines)


def welcome_text(*, admin: bool = False, tr: Translator = CHINESE) -> str:
    return f"{tr(HELLO)}\n\n" + help_text(admin=admin, tr=tr)


# ---- subscriptions ----------------------------------------------------------------------------

NO_TOPICS = N_("（未选择栏目）")
SUBSCRIBED_STATE = N_("已订阅")
UNSUBSCRIBED_STATE = N_("未订阅")
PAUSED = N_("（已暂停）")
STATE = N_("状态：{state}")
TIME_HERE = N_("时间：每天 {time}（{tz}），发送到本聊天")
TIME_TOPIC = N_("时间：每天 {time}（{tz}），发送到本话题")
SECTIONS = N_("栏目：{topics}")
FOLLOWS = N_("关注地区：{n} 个（/following）")
SUBSCRIBED = N_("✅ 已订阅每日简报。")
CHANGE_HOW = N_("修改：/time 08:00 · /timezone Asia/Shanghai · /topics")
UNSUBSCRIBED = N_("已取消订阅。你的栏目与关注设置会保留，发送 /subscribe 即可恢复。")
NOT_SUBSCRIBED = N_("（尚未订阅：发送 /subscribe 开始接收简报）")
TIME_NOW = N_("当前推送时间：{time}（{tz}）。修改：/time 08:00 或 /time 7点半")
TIME_CHANGED = N_("推送时间已改为 {time}")
TZ_NOW = N_("当前时区：{tz}。修改：/timezone Asia/Shanghai 或 /timezone 伦敦")
TZ_CHANGED = N_("时区已改为 {tz}")
TOPICS_TITLE = N_("<b>简报栏目</b>\n按下面的按钮切换栏目（✅ 已选，⬜ 未选）。当前：{topics}")
TOPIC_ON = N_("已开启：{topic}")
TOPIC_OFF = N_("已关闭：{topic}")


def topic_names(keys: Iterable[str], tr: Translator = CHINESE) -> str:
    wanted = set(keys)
    names = [tr(TOPICS[k]) for k in TOPICS if k in wanted]
    return tr.join(names) if names else tr(NO_TOPICS)


def prefs_summary(prefs, tr: Translator = CHINESE) -> str:
    """Current settings of a chat (``briefings.chats.ChatPrefs``), for confirmations."""
    state = tr(SUBSCRIBED_STATE if prefs.subscribed else UNSUBSCRIBED_STATE)
    when = TIME_TOPIC if prefs.thread_id else TIME_HERE
    lines = [
        tr(STATE, state=state) + ("" if prefs.active else tr(PAUSED)),
        tr(when, time=prefs.time, tz=prefs.tz),
        tr(SECTIONS, topics=topic_names(prefs.topics, tr)),
    ]
    if prefs.follows:
        lines.append(tr(FOLLOWS, n=len(prefs.follows)))
    return escape("\n".join(lines))


def subscribed(prefs, tr: Translator = CHINESE) -> Reply:
    return Reply(
        f"{escape(tr(SUBSCRIBED))}\n{prefs_summary(prefs, tr)}\n\n{escape(tr(CHANGE_HOW))}"
    )


def unsubscribed(prefs, tr: Translator = CHINESE) -> Reply:
    return Reply(escape(tr(UNSUBSCRIBED)))


def settings_changed(what: str, prefs, tr: Translator = CHINESE) -> Reply:
    """A setting changed: ``what`` (plain text, in the reader's language), then the settings."""
    tail = "" if prefs.subscribed else f"\n\n{escape(tr(NOT_SUBSCRIBED))}"
    return Reply(f"✅ {escape(what)}\n" + prefs_summary(prefs, tr) + tail)


def topics_keyboard(
    prefs, *, edit: bool = False, toast: str = "", tr: Translator = CHINESE
) -> Reply:
    """The /topics message: one toggle per section, ✅ on and ⬜ off."""
    rows = tuple(
        (
            Button(
                f"{'✅' if key in prefs.topics else '⬜'} {tr(label)}",
                data=callback(f"topic:{key}"),
            ),
        )
        for key, label in TOPICS.items()
    )
    text = tr(TOPICS_TITLE, topics=escape(topic_names(prefs.topics, tr)))
    return Reply(text, rows, edit=edit, toast=toast)


def topic_toast(key: str, on: bool, tr: Translator = CHINESE) -> str:
    return tr(TOPIC_ON if on else TOPIC_OFF, topic=tr(TOPICS[key]))


# ---- follows ----------------------------------------------------------------------------------

NO_FOLLOWS = N_("还没有关注任何地区。发送 /follow 缙云 关注一个县（市、区）。")
FOLLOWED_TITLE = N_("<b>关注的地区</b>")
FOLLOWED = N_("⭐ 已关注 {place}。简报会优先收录该地区的报道。")
ALREADY_FOLLOWED = N_("已经关注过 {place}。")
UNFOLLOWED = N_("已取消关注 {place}。")
NOT_FOLLOWED = N_("没有关注 {place}。")
FOLLOWED_TOAST = N_("已关注 {place}")
UNFOLLOWED_TOAST = N_("已取消关注 {place}")
FOLLOW_USAGE = N_("用法：/{command} 县名，例如 /{command} 缙云")


def following_list(regions: Sequence[Region], tr: Translator = CHINESE) -> Reply:
    if not regions:
        return Reply(escape(tr(NO_FOLLOWS)))
    lines = [tr(FOLLOWED_TITLE)] + [f"• {escape(place(r, tr))}" for r in regions]
    rows = tuple((Button(place(r, tr), data=callback(f"county:{r.adcode}")),) for r in regions[:20])
    return Reply(fit("\n".join(lines)), rows)


def followed(region: Region, added: bool, tr: Translator = CHINESE) -> Reply:
    return Reply(escape(tr(FOLLOWED if added else ALREADY_FOLLOWED, place=place(region, tr))))


def unfollowed(region: Region, removed: bool, tr: Translator = CHINESE) -> Reply:
    return Reply(escape(tr(UNFOLLOWED if removed else NOT_FOLLOWED, place=place(region, tr))))


def follow_toast(region: Region, follow: bool, tr: Translator = CHINESE) -> str:
    name = place(region, tr, full=False)
    return tr(FOLLOWED_TOAST if follow else UNFOLLOWED_TOAST, place=name)


def follow_usage(command: str, tr: Translator = CHINESE) -> Reply:
    return Reply(escape(tr(FOLLOW_USAGE, command=command)))


# ---- language ---------------------------------------------------------------------------------

LANGUAGE_NOW = N_("界面语言：{name}（{how}）。")
CHOSEN = N_("本聊天的设置")
FOLLOWS_TELEGRAM = N_("跟随你的 Telegram 语言")
LANGUAGE_HOW = N_(
    "修改：/language en、/language 中文，或按下面的按钮；/language auto 恢复跟随 Telegram。"
)
LANGUAGE_SET = N_("✅ 界面语言已改为中文。")
LANGUAGE_AUTO = N_("✅ 界面语言将跟随每位读者的 Telegram 语言（现在是中文）。")
AUTO_BUTTON = N_("跟随 Telegram")


def language_keyboard(chosen: str, tr: Translator = CHINESE) -> tuple[tuple[Button, ...], ...]:
    """One button per language and one to follow Telegram's, the chat's choice ticked."""
    row = [
        Button(("✅ " if chosen == lang else "") + LANGUAGE_NAMES[lang], data=f"lang:{lang}")
        for lang in LANGUAGES
    ]
    row.append(Button(("✅ " if not chosen else "") + tr(AUTO_BUTTON), data="lang:auto"))
    return (tuple(row),)


def language_status(chosen: str, tr: Translator = CHINESE, *, edit: bool = False) -> Reply:
    """/language with no argument: the language in use, why, and how to change it."""
    how = tr(CHOSEN) if chosen else tr(FOLLOWS_TELEGRAM)
    text = tr(LANGUAGE_NOW, name=LANGUAGE_NAMES[tr.lang], how=how) + "\n" + tr(LANGUAGE_HOW)
    return Reply(escape(text), language_keyboard(chosen, tr), edit=edit)


def language_changed(chosen: str, tr: Translator, *, edit: bool = False) -> Reply:
    """The confirmation, in the language now in use (``tr``)."""
    text = tr(LANGUAGE_SET) if chosen else tr(LANGUAGE_AUTO)
    return Reply(escape(text), language_keyboard(chosen, tr), edit=edit, toast=text)


# ---- refusals, admin --------------------------------------------------------------------------

ADMIN_ONLY_GROUP = N_("抱歉，只有群管理员可以修改本群的简报设置。")
ADMIN_ONLY_TOAST = N_("只有群管理员可以修改设置")
ADMIN_ONLY_FOLLOW_TOAST = N_("只有群管理员可以修改关注")
ADMIN_ONLY_BOT = N_("抱歉，这个命令只对机器人管理员开放。")
EXPIRED_BUTTON = N_("这个按钮已失效")
UNKNOWN_COMMAND = N_("未知命令 /{name}。发送 /help 查看可用命令。")
ARTICLE_USAGE = N_("用法：/article 编号，例如 /article 20558000001（编号见搜索结果）")
ARTICLE_ID_DIGITS = N_("文章编号应为数字，例如 /article 20558000001")
UPLOAD_TOO_BIG = N_("文件过大（上限 {mb} MB）")
UPLOAD_SPLIT = N_("文件过大，请拆分后再上传（上限 {mb} MB）。")
INGEST_USAGE = N_("请把版面文本文件（.txt / .jsonl）作为文件发送给我，说明可写 /ingest。")


def admin_only_group(tr: Translator = CHINESE) -> Reply:
    return Reply(escape(tr(ADMIN_ONLY_GROUP)), toast=tr(ADMIN_ONLY_TOAST))


def admin_only_bot(tr: Translator = CHINESE) -> Reply:
    return Reply(escape(tr(ADMIN_ONLY_BOT)))


def toast(message: str, tr: Translator = CHINESE) -> Reply:
    """A toast-only answer to a button press (a marked message)."""
    return Reply("", toast=tr(message))


def unknown_command(name: str, tr: Translator = CHINESE) -> Reply:
    return Reply(escape(tr(UNKNOWN_COMMAND, name=clip(name, 30))))


def text_reply(message: str, tr: Translator = CHINESE, **params: object) -> Reply:
    """A one-line reply of a marked message (usage notes and the like)."""
    return Reply(escape(tr(message, **params)))


_STAT_LABELS = {
    "documents": N_("文档"),
    "articles": N_("稿件"),
    "figures": N_("数据"),
    "mentions": N_("地区提及"),
    "chats": N_("聊天"),
    "subscribers": N_("订阅者"),
    "deliveries_sent": N_("已送达"),
    "deliveries_failed": N_("失败"),
    "deliveries_pending": N_("待发送"),
    "sent": N_("已送达"),
    "failed": N_("失败"),
    "pending": N_("待发送"),
    "sending": N_("发送中"),
    "skipped": N_("已跳过"),
    "total": N_("合计"),
}
STATS = N_("📊 <b>统计</b>")
DELIVERIES = N_("<b>推送记录</b>")
STAT_LINE = N_("{label}：{value}")


def _stat(key: str, value: int, tr: Translator) -> str:
    label = tr(_STAT_LABELS[key]) if key in _STAT_LABELS else key
    return escape(tr(STAT_LINE, label=label, value=value))


def stats_reply(
    store_stats: Mapping[str, int],
    ledger_stats: Mapping[str, int] | None,
    tr: Translator = CHINESE,
) -> Reply:
    lines = [tr(STATS)]
    shown = {
        k: v for k, v in store_stats.items() if not (ledger_stats and k.startswith("deliveries_"))
    }
    lines += [_stat(k, v, tr) for k, v in shown.items()]
    if ledger_stats:
        lines += ["", tr(DELIVERIES)]
        lines += [_stat(k, v, tr) for k, v in ledger_stats.items()]
    return Reply(fit("\n".join(lines)))


INGESTED = N_(
    "{files} 个文件，{documents} 篇文档：新增 {added}，更新 {replaced}，未变 {unchanged}；"
    "{articles} 条稿件，{figures} 个数据"
)
INGEST_DUPLICATES = N_("重复 {n}")
INGEST_FAILED = N_("{n} 个文件出错")
INGEST_SKIPPED = N_("跳过 {n} 条无效记录")
INGEST_UNDATED = N_("{n} 篇没有日期（不进 /today 和早报）")
INGEST_OTHER = N_("{n} 条归入“其他”")


def ingest_summary(report, tr: Translator = CHINESE) -> str:
    """An upload's ``briefings.pipeline.IngestReport`` in the reader's language."""
    r = report
    parts = [
        tr(
            INGESTED,
            files=r.files,
            documents=r.documents,
            added=r.added,
            replaced=r.replaced,
            unchanged=r.unchanged,
            articles=r.articles,
            figures=r.figures,
        )
    ]
    for count, message in (
        (r.duplicates, INGEST_DUPLICATES),
        (len(r.errors), INGEST_FAILED),
        (len(r.skipped_records), INGEST_SKIPPED),
        (len(r.undated), INGEST_UNDATED),
        (r.other, INGEST_OTHER),
    ):
        if count:
            parts.append(tr(message, n=count))
    return tr.clauses(parts)


def ingest_reply(name: str, report, tr: Translator = CHINESE) -> Reply:
    """Summary of an admin upload: counts, then the first problems as the readers said them."""
    lines = [f"📥 <b>{escape(clip(name, 80))}</b>", escape(ingest_summary(report, tr))]
    for path, message in report.errors[:5]:
        lines.append(f"⚠️ {escape(clip(path, 60))}: {escape(clip(message, 200))}")
    return Reply(fit("\n".join(lines)))


def ingest_usage(tr: Translator = CHINESE) -> Reply:
    return Reply(escape(tr(INGEST_USAGE)))


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


def empty_store(*, admin: bool = False, tr: Translator = CHINESE) -> Reply:
    """What every query answers on a fresh database: how to get papers in, not 暂无报道."""
    how = EMPTY_STORE_ADMIN if admin else EMPTY_STORE_USER
    return Reply(f"{escape(tr(EMPTY_STORE))}\n{escape(tr(how))}")
