"""Formatting of what the bot says about the papers: county cards, search pages, articles, lists.

Pure functions from domain objects to ``Reply`` values (Telegram HTML text + buttons). Nothing
here talks to Telegram or SQLite, so the same replies are sent by PTB and printed by the console.
Every piece of user or article text goes through ``escape``; every message stays within
Telegram's 4096 UTF-16 units (counted after entity parsing) and callback data within 64 bytes.
Interface text is marked for translation and said in the reader's language (``tr``, Chinese by
default); article text, county names and figures are shown as printed, county names with their
pinyin in English (``tr.place``). Help and settings replies are in ``bot/chatcards.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from bot.telegram_html import MESSAGE_LIMIT, escape, escape_attr, split_html, visible_len
from briefings import digest, stories
from briefings.county import CountyView, region_by_adcode
from briefings.figure_lines import FigureLine
from briefings.figure_lines import figure_line as line_of
from briefings.i18n import CHINESE, N_, Translator
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


ARTICLE_NO_TITLE = N_("稿件 {id}")


def article_label(
    a: StoredArticle, limit: int = stories.HEADLINE_CHARS, tr: Translator = CHINESE
) -> str:
    """An article's headline as one line of plain text (``briefings.stories.headline``)."""
    return stories.headline(a).in_language(tr).plain(limit) or tr(ARTICLE_NO_TITLE, id=a.id)


def headline_html(
    h: Headline, limit: int = stories.HEADLINE_CHARS, tr: Translator = CHINESE
) -> str:
    """A headline in lists: the title in bold, the subtitle after it in plain type; a mark
    (``（续）上文见第一版``, in the reader's language) and first words are never bold, since they
    are not the paper's headline."""
    f = h.in_language(tr).fitted(limit)
    if f.title:
        text = f"<b>{escape(f.title)}</b>"
        if f.subtitle:
            text += escape(stories.SEPARATOR + f.subtitle)
    else:
        text = escape(f.opening)
    return replace(f, mark=escape(f.mark)).after_mark(text)


def article_headline(
    a: StoredArticle, limit: int = stories.HEADLINE_CHARS, tr: Translator = CHINESE
) -> str:
    """``headline_html`` of a stored article."""
    return headline_html(stories.headline(a), limit, tr)


def provenance(a: StoredArticle, tr: Translator = CHINESE) -> str:
    """Where an article comes from: 浙江日报 2026-04-15 第1版 (``p. 1`` in English)."""
    return digest.provenance(a.source, a.date, a.page, sep=" ", tr=tr)


def figure_html(line: FigureLine) -> str:
    """A figure line (``briefings.figure_lines.figure_line``) with its value in bold."""
    value = f"<b>{escape(line.value)}</b>" if line.value else ""
    if line.excerpt:
        return f"{escape(line.before)}{value}{escape(line.after)}"
    body = f"{escape(line.label)} {value}" if line.label else value
    return f"{escape(line.region)} · {body}" if line.region else body


def place_name(name: str, adcode: str, tr: Translator = CHINESE) -> str:
    """A place named as printed (余杭), with its pinyin in English (余杭 (Yuhang)) when the
    gazetteer knows its adcode."""
    if not tr.english or not name:
        return name
    region = region_by_adcode(adcode) if adcode else None
    return tr.place(name, region.pinyin if region else "")


def figure_line(
    f: Figure, *, date: str = "", source: str = "", region: str = "", tr: Translator = CHINESE
) -> str:
    """• 慈溪 · 家电营收 <b>超千亿元</b> — 浙江日报 2026-04-15

    The digest's rule (``briefings.figure_lines.figure_line``): the region is named unless it is
    ``region`` (the county the card is about); a figure the extractor is not confident about is
    shown as its sentence, number in bold: the reader judges what it measures. In English the
    region gets its pinyin.
    """
    where = " ".join(x for x in (source, date) if x)
    tail = f" — <i>{escape(where)}</i>" if where else ""
    line = line_of(f, known=region)
    if line.region and tr.english:
        line = replace(line, region=place_name(line.region, f.adcode, tr))
    return f"• {figure_html(line)}{tail}"


# ---- county cards -----------------------------------------------------------------------------


ADCODE = N_("区划代码 {adcode}")
LATEST_FIGURES = N_("<b>最新数据</b>")
LATEST_ARTICLES = N_("<b>最新报道</b>")
NOTHING_ON_PLACE = N_("还没有收录提到{place}的报道。")
FOLLOWING = N_("✅ 已关注（取消）")
FOLLOW = N_("⭐ 关注")
SHARE = N_("📤 分享")
CHART = N_("📈 图表")
MAYBE = N_("也可能是 {place}")


def place(region: Region, tr: Translator = CHINESE, *, full: bool = True) -> str:
    """A region's name as printed (丽水市缙云县, or its short name), with its pinyin in English:
    丽水市缙云县 (Jinyun)."""
    name = region.display if full else (region.short or region.name)
    return tr.place(name, region.pinyin)


def county_card(view: CountyView, *, edit: bool = False, tr: Translator = CHINESE) -> Reply:
    """Full name and parent, latest figures with period and source date, latest headlines;
    a 📈 button when the place has comparable figures (bot/chart_commands.py)."""
    region, articles, figures = view.region, view.articles, view.figures
    lines = [f"📍 <b>{escape(place(region, tr))}</b>"]
    # A province (or a city that is one) is not its own parent: 上海市, not 上海市 · 上海市.
    parent = region.province if region.province not in (region.name, region.display) else ""
    sub = " · ".join(x for x in (parent, tr(ADCODE, adcode=region.adcode)) if x)
    lines.append(f"<i>{escape(sub)}</i>")
    if figures:
        lines += ["", tr(LATEST_FIGURES)]
        lines += [
            figure_line(sf.figure, date=sf.date, source=sf.source, region=region.short, tr=tr)
            for sf in figures
        ]
    if articles:
        lines += ["", tr(LATEST_ARTICLES)]
        for i, a in enumerate(articles, 1):
            lines.append(f"{i}. {article_headline(a, 40, tr)} · {escape(a.date)}")
    if view.empty:
        lines += ["", escape(tr(NOTHING_ON_PLACE, place=place(region, tr, full=False)))]
    buttons: list[tuple[Button, ...]] = []
    reads = [
        Button(f"📄 {i}", data=callback(f"article:{a.id}"))
        for i, a in enumerate(articles, 1)
    ]
    if reads:
        buttons.append(tuple(reads))
    action = (
        Button(tr(FOLLOWING), data=callback(f"unfollow:{region.adcode}"))
        if view.followed
        else Button(tr(FOLLOW), data=callback(f"follow:{region.adcode}"))
    )
    row = [action, Button(tr(SHARE), inline_query=region.short or region.name)]
    if view.chartable:
        row.append(Button(tr(CHART), data=callback(f"chart:c:{region.adcode}")))
    buttons.append(tuple(row))
    if view.alternatives:
        buttons.append(
            tuple(
                Button(tr(MAYBE, place=place(r, tr)), data=callback(f"county:{r.adcode}"))
                for r in view.alternatives[:2]
            )
        )
    return Reply(fit("\n".join(lines)), tuple(buttons), edit=edit)


# The commands that name a place, and what pressing a suggested place does for each.
PLACE_COMMANDS = {"county": "county", "follow": "follow", "unfollow": "unfollow"}


AMBIGUOUS = N_("“{query}”对应多个地区，请选择：")
DID_YOU_MEAN = N_("没有找到“{query}”。你是不是要找：")
NO_PLACE = N_(
    "没有找到“{query}”。请输入县（市、区）名，例如 /{command} 缙云 或 /{command} jinyun。"
)
COUNTY_USAGE = N_("用法：/county 县名，例如 /county 缙云、/county 丽水缙云 或 /county jinyun")


def region_choices(
    query: str,
    regions: Sequence[Region],
    *,
    ambiguous: bool,
    command: str = "county",
    tr: Translator = CHINESE,
) -> Reply:
    """Unknown or ambiguous name: say so, and offer the candidates as buttons that do what the
    user asked (``/follow 缙去`` suggests following 缙云, not its card)."""
    command = command if command in PLACE_COMMANDS else "county"
    q = clip(query, 30)
    if ambiguous:
        head = tr(AMBIGUOUS, query=q)
    elif regions:
        head = tr(DID_YOU_MEAN, query=q)
    else:
        head = tr(NO_PLACE, query=q, command=command)
    action = PLACE_COMMANDS[command]
    rows = tuple(
        (Button(place(r, tr), data=callback(f"{action}:{r.adcode}")),) for r in regions[:8]
    )
    return Reply(escape(head), rows)


def county_usage(tr: Translator = CHINESE) -> Reply:
    return Reply(escape(tr(COUNTY_USAGE)))


# ---- search -----------------------------------------------------------------------------------


NO_RESULTS = N_(
    "🔎 没有找到与“{query}”相关的报道。\n试试更短的关键词，或用 /county 县名 查看地区。"
)
NO_MORE = N_("🔎 “{query}”没有更多结果了。")
PREVIOUS = N_("‹ 上一页")
NEXT = N_("下一页 ›")
SEARCH_USAGE = N_("用法：/search 关键词，例如 /search 知识产权 证券化")
SEARCH_EXPIRED = N_("这个搜索已过期，请重新发送 /search 关键词")


def search_page(
    page, page_no: int, key: str, *, edit: bool = False, tr: Translator = CHINESE
) -> Reply:
    """One page of results (``briefings.search.SearchPage``) with read and paging buttons."""
    q = clip(page.query, 40)
    if not page.items:
        if page_no == 0:
            return Reply(escape(tr(NO_RESULTS, query=q)), edit=edit)
        return Reply(escape(tr(NO_MORE, query=q)), edit=edit)
    total = page.total_label
    pages = -(-page.total // SEARCH_PAGE_SIZE)
    of = f"{page_no + 1}/{pages}" if not page.total_capped else f"{page_no + 1}"
    head = tr.ngettext(
        "🔎 “{query}” 共 {total} 条结果 · 第 {page} 页",
        "🔎 “{query}” 共 {total} 条结果 · 第 {page} 页",
        page.total,
        query=q,
        total=total,
        page=of,
    )
    lines = [escape(head), ""]
    reads = []
    for i, hit in enumerate(page.items, 1):
        a = hit.article
        lines.append(f"{i}. {article_headline(a, tr=tr)}")
        lines.append(f"   <i>{escape(provenance(a, tr))}</i>")
        if hit.snippet:
            lines.append(f"   {escape(clip(hit.snippet, 120))}")
        reads.append(Button(f"📄 {i}", data=callback(f"article:{a.id}")))
    nav = []
    if page_no > 0:
        nav.append(Button(tr(PREVIOUS), data=callback(f"search:{page_no - 1}:{key}")))
    more = page.total_capped or (page_no + 1) * SEARCH_PAGE_SIZE < page.total
    if more:
        nav.append(Button(tr(NEXT), data=callback(f"search:{page_no + 1}:{key}")))
    rows: list[tuple[Button, ...]] = [tuple(reads)]
    if nav:
        rows.append(tuple(nav))
    return Reply(fit("\n".join(lines)), tuple(rows), edit=edit)


def search_usage(tr: Translator = CHINESE) -> Reply:
    return Reply(escape(tr(SEARCH_USAGE)))


def search_expired(tr: Translator = CHINESE) -> Reply:
    return Reply("", toast=tr(SEARCH_EXPIRED))


# ---- articles ---------------------------------------------------------------------------------


# Where the start of an article shown on its own is, when the parser or the linker could not
# find it (its headline is elsewhere): said once, above the text.
_FRAGMENT_NOTE = N_("（续）这是一篇报道的后半部分，开头不在这一版")
_CONTINUED_NOTE = N_("（续）这是一篇报道的后半部分，上文见{page}")
_PAGE_MARK = "（{i}/{n}）"
ARTICLE_ID = N_("编号 {id}")
REGIONS = N_("地区：{names}")
ORIGINAL_LINK = N_("原文链接")
NOT_FOUND = N_("找不到编号为 {id} 的文章。编号见搜索结果或县卡片。")


def _article_head(a: StoredArticle, tr: Translator) -> list[str]:
    """Headline lines of ``/article``: title in bold and subtitle in italics; an article whose
    start is missing says so instead of dressing its sub-heads or first words as a title."""
    h = stories.headline(a)
    head: list[str] = []
    if a.kind == "fragment" and not a.title:
        head.append(f"<i>{escape(tr(_FRAGMENT_NOTE))}</i>")
    elif a.continued_from:
        note = tr(_CONTINUED_NOTE, page=stories.page_text(a.continued_from))
        head.append(f"<i>{escape(note)}</i>")
    if a.title or a.subtitle:
        head.append(f"<b>{escape(clip(a.title or a.subtitle, 200))}</b>")
        if a.title and a.subtitle:
            head.append(f"<i>{escape(clip(a.subtitle, 200))}</i>")
    elif a.kind == "continuation" and h.title:  # its printed sub-heads, as in lists
        head.append(headline_html(replace(h, mark=""), 200))
    return head


def article_messages(
    bundle: ArticleBundle, *, bot_username: str = "", tr: Translator = CHINESE
) -> list[Reply]:
    """The full article: its headline and provenance, then its text part by part (a later
    part's heading in bold between them), split safely over messages."""
    a = bundle.article
    head = _article_head(a, tr)
    head.append(f"📰 {escape(provenance(a, tr))} · {escape(tr(ARTICLE_ID, id=a.id))}")
    if a.byline:
        people = " ".join(f"{p.role}{p.name}" if p.role else p.name for p in a.byline[:8])
        head.append(escape(clip(people, 200)))
    if bundle.regions:
        names = tr.join(r.name for r in bundle.regions[:10])
        head.append(escape(tr(REGIONS, names=clip(names, 200))))
    if a.url:
        head.append(f'<a href="{escape_attr(a.url)}">{escape(tr(ORIGINAL_LINK))}</a>')
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
    share = (Button(tr(SHARE), inline_query=f"#{a.id}"),)
    replies = [Reply(t) for t in texts]
    replies[-1] = Reply(texts[-1], (share,))
    return replies


def article_not_found(raw: str, tr: Translator = CHINESE) -> Reply:
    return Reply(escape(tr(NOT_FOUND, id=clip(raw, 30))))


# ---- topic lists (/film, /finance) ------------------------------------------------------------

TOPIC_EMPTY = N_("{icon} 暂无{topic}相关报道。")
TOPIC_HEAD = N_("{icon} <b>{topic}</b> · 最新动态")


def topic_list(
    topic: str, bundles: Sequence[ArticleBundle], *, icon: str, tr: Translator = CHINESE
) -> Reply:
    """Latest articles of one topic with their figures and sources, one read button each."""
    label = tr(TOPICS[topic]) if topic in TOPICS else topic
    if not bundles:
        return Reply(escape(tr(TOPIC_EMPTY, icon=icon, topic=label)))
    lines = [tr(TOPIC_HEAD, icon=icon, topic=escape(label))]
    reads = []
    for i, b in enumerate(bundles[:LIST_ITEMS], 1):
        a = b.article
        lines += ["", f"{i}. {article_headline(a, tr=tr)}"]
        lines.append(f"   <i>{escape(provenance(a, tr))}</i>")
        for f in b.figures[:4]:
            lines.append("   " + figure_line(f, tr=tr))
        reads.append(Button(f"📄 {i}", data=callback(f"article:{a.id}")))
    return Reply(fit("\n".join(lines)), (tuple(reads),))
