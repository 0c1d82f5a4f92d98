"""Offline console chat: the bot's own handlers without Telegram, over the bundled sample data.

``python bot.py`` with no token runs this. On a terminal it is an interactive chat (a prompt;
buttons are listed as numbered choices and typing the number presses one); from a pipe it reads
line by line, prints each reply as plain text and exits 0 at the end of input. ``ask`` runs one
command and returns the reply HTML exactly as it would be sent to Telegram. ``lang`` plays the
user's Telegram language (``--lang en``): the console chat's own /language choice still wins,
as it would in Telegram.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from bot import chatcards, errors, handlers, language
from bot.cards import Button, Reply
from bot.config import Config
from bot.runtime import Runtime
from bot.telegram_html import escape, html_to_text
from briefings.i18n import N_, Translator, language_for, translator

log = logging.getLogger(__name__)

# The console is one chat; a negative id far from real ones (never a Telegram chat).
CONSOLE_CHAT_ID = -1
CONSOLE_USER_ID = 1
BANNER = N_(
    "离线控制台：机器人在这里回答你，不连接 Telegram（数据库里没有报纸时先导入示例版面）。"
    "输入 /help 查看命令，输入数字按按钮，@bot 关键词 试分享，Ctrl-D 退出。\n"
    "连接 Telegram：设置 TELEGRAM_BOT_TOKEN（向 @BotFather 申请）后同样运行 python bot.py，"
    "见 README 的“Run it for real”。"
)
LINK = N_("链接：{url}")
NOTHING_TO_SHARE = N_("@bot {query}：没有可分享的结果。")
CHART_SAVED = N_("📈 图表已保存：{path}")


def default_photo_dir() -> Path:
    """Where the console writes charts unless told: a folder in the system's temporary one."""
    return Path(tempfile.gettempdir()) / "briefing-bot-charts"


@dataclass
class Console:
    """One offline chat session: send text, press buttons, read the replies."""

    rt: Runtime
    bot_username: str = ""
    chat_id: int = CONSOLE_CHAT_ID
    state: dict = field(default_factory=dict)
    buttons: list[Button] = field(default_factory=list)  # the last reply's, numbered from 1
    # Where charts (photo replies) are written, and the file each one went to, by its key.
    photo_dir: Path = field(default_factory=default_photo_dir)
    saved: dict[str, Path] = field(default_factory=dict)
    lang: str | None = None  # the user's Telegram language_code (None: not given)
    tr: Translator = field(init=False)  # the language of the last reply

    def __post_init__(self) -> None:
        self.tr = translator(language_for(self.lang))

    def ctx(self) -> handlers.Ctx:
        """The console's request context, in the language of its last reply."""
        return handlers.Ctx(
            rt=self.rt,
            chat_id=self.chat_id,
            chat_type="console",
            user_id=CONSOLE_USER_ID,
            bot_username=self.bot_username,
            state=self.state,
            is_bot_admin=True,  # whoever runs the console owns the database
            tr=self.tr,
        )

    async def localized_ctx(self) -> handlers.Ctx:
        """The context of the next message, its language resolved as the bot does."""
        ctx = await language.localize(self.ctx(), self.lang)
        self.tr = ctx.tr
        return ctx

    async def send(self, text: str) -> list[Reply]:
        """What the bot answers to ``text``: a command, a button number, or free text."""
        line = text.strip()
        if line.isdigit() and self.buttons and 1 <= int(line) <= len(self.buttons):
            return await self.press(int(line))
        if line.startswith("@bot ") or line == "@bot":  # what an inline query would offer
            replies = await self.inline(line.removeprefix("@bot").strip())
            self._remember(replies)
            return replies
        try:
            parsed = handlers.parse_command(line, self.bot_username)
            ctx = await self.localized_ctx()
            if parsed is not None:
                replies = await handlers.run_command(ctx, *parsed)
            elif line.startswith("/"):
                name = line[1:].split()[0] if line[1:] else ""
                replies = [chatcards.unknown_command(name, ctx.tr)]
            else:
                replies = await handlers.run_text(ctx, line)
        except Exception as exc:  # the console never dies on a bug: report it like the bot does
            log.exception("console: error handling %r", line)
            replies = [errors.apology(self.tr), Reply(errors.admin_report(exc, line))]
        self._remember(replies)
        return replies

    async def press(self, number: int) -> list[Reply]:
        """Press button ``number`` (1-based) of the last reply."""
        button = self.buttons[number - 1]
        if button.url:
            replies = [Reply(escape(self.tr(LINK, url=button.url)))]
        elif button.inline_query:
            replies = await self.inline(button.inline_query)
        else:
            try:
                replies = await handlers.run_button(await self.localized_ctx(), button.data)
            except Exception as exc:
                log.exception("console: error pressing %r", button.data)
                replies = [errors.apology(self.tr), Reply(errors.admin_report(exc, button.data))]
        self._remember(replies)
        return replies

    async def inline(self, query: str) -> list[Reply]:
        """What ``@bot query`` would offer for sharing, one reply per result."""
        from bot import inline

        lang = await self.rt.call(inline.user_language, self.rt.store, self.chat_id, self.lang)
        tr = translator(lang)
        items = await inline.inline_items(self.rt, query, self.bot_username, tr)
        if not items:
            return [Reply(escape(tr(NOTHING_TO_SHARE, query=query)))]
        return [Reply(it.text, it.buttons) for it in items[:5]]

    def _remember(self, replies: list[Reply]) -> None:
        self.saved.update(save_photos(replies, self.photo_dir))
        pressed = [b for r in replies for row in r.buttons for b in row]
        if pressed or any(r.text for r in replies):
            self.buttons = pressed


def save_photos(replies: list[Reply], out_dir: Path) -> dict[str, Path]:
    """Write the photo of every reply that carries one into ``out_dir`` (PNG); key → file."""
    written: dict[str, Path] = {}
    for reply in replies:
        if reply.photo is None:
            continue
        out_dir.mkdir(parents=True, exist_ok=True)
        path = out_dir / reply.photo.name
        path.write_bytes(reply.photo.png)
        written[reply.photo.key] = path
    return written


def render(
    replies: list[Reply], saved: dict[str, Path] | None = None, tr: Translator | None = None
) -> str:
    """Replies as terminal text: plain text, numbered buttons, toasts in brackets, and where
    each chart was written."""
    tr = tr or translator()
    out: list[str] = []
    n = 0
    for reply in replies:
        if reply.photo is not None and saved and reply.photo.key in saved:
            out.append(tr(CHART_SAVED, path=saved[reply.photo.key]))
        if reply.text:
            out.append(html_to_text(reply.text))
        elif reply.toast:
            out.append(f"[{reply.toast}]")
        choices = []
        for row in reply.buttons:
            for b in row:
                n += 1
                label = f"{b.text} → @bot {b.inline_query}" if b.inline_query else b.text
                choices.append(f"[{n}] {label}")
        if choices:
            out.append("  ".join(choices))
    return "\n\n".join(out)


def open_console_runtime(config: Config) -> Runtime:
    from bot.app import open_runtime

    return open_runtime(config, seed=True)


def run_console(
    config: Config, stdin: TextIO, stdout: TextIO, lang: str | None = None
) -> int:
    """Chat with the bot offline until end of input; 0 on a clean exit. ``lang``: the user's
    Telegram language to play (``--lang en``)."""
    interactive = stdin.isatty() and stdout.isatty()
    rt = open_console_runtime(config)
    loop = asyncio.new_event_loop()
    try:
        console = Console(rt, bot_username=config.bot_username, lang=lang)
        # On a terminal the banner opens the chat; from a pipe it goes to stderr, so that
        # the output is the replies alone.
        (stdout if interactive else sys.stderr).write(console.tr(BANNER) + "\n")
        while True:
            if interactive:
                stdout.write("> ")
                stdout.flush()
            line = stdin.readline()
            if not line:
                break
            if not line.strip():
                continue
            replies = loop.run_until_complete(console.send(line))
            stdout.write(render(replies, console.saved, console.tr) + "\n\n")
            stdout.flush()
    finally:
        loop.close()
        rt.close()
    return 0


def button_rows(reply: Reply) -> list[str]:
    """A reply's buttons as lines of ``[label]``, one keyboard row a line (escaped, so the
    text stays valid Telegram HTML): what a reader would see under the message."""
    rows = []
    for row in reply.buttons:
        labels = []
        for b in row:
            target = f"@bot {b.inline_query}" if b.inline_query else b.url
            labels.append(f"[{escape(b.text + (f' → {target}' if target else ''))}]")
        rows.append(" ".join(labels))
    return rows


def ask(
    config: Config, text: str, out_dir: Path | None = None, lang: str | None = None
) -> str:
    """Run one command offline; return the reply HTML as it would be sent (messages joined),
    each message followed by its buttons, one ``[label]`` per button. ``lang`` is the asking
    user's Telegram language (``en`` answers as to an English-speaking user).

    A chart is written into ``out_dir`` (default: ``default_photo_dir()``) as PNG and named on
    the line before its caption.
    """
    rt = open_console_runtime(config)
    try:
        console = Console(rt, bot_username=config.bot_username, lang=lang)
        if out_dir is not None:
            console.photo_dir = out_dir
        replies = asyncio.run(console.send(text))
    finally:
        rt.close()
    parts = []
    for r in replies:
        if r.photo is not None and r.photo.key in console.saved:
            text_ = f"📈 {console.saved[r.photo.key]}\n{r.text}"
        else:
            text_ = r.text or r.toast
        parts.append("\n".join([text_, *button_rows(r)]))
    return "\n\n".join(parts)
