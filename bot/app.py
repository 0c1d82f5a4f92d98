"""The PTB Application: adapters from Telegram updates to ``bot.handlers``, start-up, running.

Each adapter builds a ``Ctx`` from the update, awaits the framework-free handler and sends the
``Reply`` values it returns (new messages, or edits of the message whose button was pressed).
Domain errors become messages through ``bot.errors``; anything else reaches ``on_error``, which
apologises to the chat, reports the traceback to the admins, and lets the bot keep running.
Each ``Ctx`` carries the reader's language (``bot/language.py``: the chat's /language choice,
else the sender's Telegram ``language_code``); the command menu is set in Chinese and English.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

from telegram import BotCommand, LinkPreviewOptions, Message, Update
from telegram.constants import ChatMemberStatus, ChatType, ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    ChosenInlineResultHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bot import (
    chatcards,
    errors,
    feeds,
    handlers,
    health,
    inline,
    language,
    photos,
    scheduling,
    startup,
)
from bot.cards import Reply
from bot.config import Config, quiet_token_logs
from bot.extbot import briefing_bot
from bot.markup import keyboard
from bot.processing import ChatOrderedProcessor
from bot.ratelimit import RateLimiter
from bot.runtime import RUNTIME_KEY, Runtime, runtime_of
from briefings import chats, county
from briefings.errors import BriefingError
from briefings.i18n import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    Translator,
    language_for,
    reader_language,
    translator,
)

log = logging.getLogger(__name__)

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample_page_2026-04-15.txt"
_ADMIN_STATUSES = (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR)
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


# ---- context ----------------------------------------------------------------------------------


async def _reschedule(app: Application, rt: Runtime, chat_id: int) -> None:
    """Re-plan a chat's delivery job after its subscription or time changed."""
    await scheduling.reschedule_chat(app, rt, chat_id)


async def make_ctx(update: Update, context: ContextTypes.DEFAULT_TYPE) -> handlers.Ctx:
    """The handler context of an update: chat, user, forum topic, admin checks, language."""
    rt = runtime_of(context)
    chat = update.effective_chat
    user = update.effective_user
    message = update.effective_message
    thread_id = (
        message.message_thread_id
        if isinstance(message, Message) and message.is_topic_message
        else None
    )
    chat_id = chat.id if chat else (user.id if user else 0)
    chat_type = chat.type if chat else ChatType.PRIVATE
    title = (chat.title or "") if chat else ""

    async def check_admin() -> bool:
        # Anonymous admins post as the group itself (from = GroupAnonymousBot).
        own = update.message
        if own is not None and own.sender_chat is not None and own.sender_chat.id == chat_id:
            return True
        if user is None:
            return False
        member = await context.bot.get_chat_member(chat_id, user.id)
        return member.status in _ADMIN_STATUSES

    async def changed(cid: int) -> None:
        await _reschedule(context.application, rt, cid)

    ctx = handlers.Ctx(
        rt=rt,
        chat_id=chat_id,
        chat_type=str(chat_type),
        user_id=user.id if user else 0,
        title=title,
        thread_id=thread_id,
        bot_username=context.bot.username or "",
        state=context.chat_data if context.chat_data is not None else {},
        is_bot_admin=bool(user) and user.id in rt.config.admin_ids,
        check_admin=check_admin,
        on_prefs_changed=changed,
    )
    return await language.localize(ctx, user.language_code if user else None)


def known_translator(update: object, context: ContextTypes.DEFAULT_TYPE) -> Translator:
    """The reader's language without a database trip (for the error handler): the chat's
    choice if this process has seen it, else the sender's Telegram language."""
    chat_data = context.chat_data if isinstance(context.chat_data, dict) else {}
    chosen, seen = chat_data.get(language.STATE_KEY, ("", ""))
    user = update.effective_user if isinstance(update, Update) else None
    return translator(reader_language(chosen, user.language_code if user else None, seen))


# ---- sending ----------------------------------------------------------------------------------


async def send_replies(
    update: Update, context: ContextTypes.DEFAULT_TYPE, replies: Sequence[Reply]
) -> None:
    """Send replies: edits go to the pressed message, the rest as new messages in the thread."""
    query = update.callback_query
    if query is not None:
        toast = next((r.toast for r in replies if r.toast), None)
        await query.answer(toast[:190] if toast else None)
    for reply in replies:
        await _send(update, context, reply)


async def _send(update: Update, context: ContextTypes.DEFAULT_TYPE, reply: Reply) -> None:
    query = update.callback_query
    message = update.effective_message
    markup = keyboard(reply.buttons)
    # Previews are off through Defaults. Passing the option with every message instead would
    # make PTB merge it with the default into a new object on every send.
    preview: dict[str, Any] = {"link_preview_options": None} if reply.preview else {}
    if reply.photo is not None:  # a chart: sendPhoto, its text as caption (bot/photos.py)
        await photos.send_photo(update, context, reply, markup)
        return
    if reply.edit and query is not None and isinstance(query.message, Message):
        try:
            await query.edit_message_text(reply.text, reply_markup=markup, **preview)
        except BadRequest as exc:
            # Pressing a button that leads to the same text is not an error for users.
            if "not modified" not in str(exc).lower():
                raise
        return
    if not reply.text:
        return  # a toast-only reply
    if query is None and isinstance(message, Message):
        await message.reply_text(reply.text, reply_markup=markup, **preview)
    elif (chat := update.effective_chat) is not None:
        thread = (
            message.message_thread_id
            if isinstance(message, Message) and message.is_topic_message
            else None
        )
        await context.bot.send_message(
            chat.id,
            reply.text,
            reply_markup=markup,
            message_thread_id=thread,
            **preview,
        )


def command(name: str) -> Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]:
    """PTB callback for ``/name args`` (args = the raw text after the command)."""

    async def callback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None:
            return
        text = message.text or message.caption or ""
        parsed = handlers.parse_command(text, context.bot.username or "")
        args = parsed[1] if parsed else ""
        ctx = await make_ctx(update, context)
        await send_replies(update, context, await handlers.run_command(ctx, name, args))

    callback.__name__ = f"cmd_{name}"
    return callback


_COMMAND_CALLBACKS = {name: command(name) for name in handlers.COMMANDS}


async def on_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Every command of ``handlers.COMMANDS``, behind one CommandHandler: PTB tries each
    registered handler in turn for every update, so one handler for 18 commands saves 17
    checks per update that reaches the later handlers (free text, buttons)."""
    message = update.effective_message
    if message is None or not message.text or not message.entities:
        return
    # The name exactly as CommandHandler matched it: the first entity, before any @botname.
    name = message.text[1 : message.entities[0].length].split("@")[0].lower()
    await _COMMAND_CALLBACKS[name](update, context)


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is None or not message.text:
        return
    ctx = await make_ctx(update, context)
    await send_replies(update, context, await handlers.run_text(ctx, message.text))


async def on_unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is None or not message.text:
        return
    parsed = handlers.parse_command(message.text, context.bot.username or "")
    if parsed is None:
        if not handlers.addressed_elsewhere(message.text, context.bot.username or ""):
            await on_text(update, context)  # a "/" with no command name: plain text
        return
    ctx = await make_ctx(update, context)
    await send_replies(update, context, [chatcards.unknown_command(parsed[0], ctx.tr)])


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None:
        return
    ctx = await make_ctx(update, context)
    await send_replies(update, context, await handlers.run_button(ctx, query.data or ""))


async def on_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An uploaded file: admins ingest page files; everyone else gets a polite refusal."""
    message = update.effective_message
    if message is None or message.document is None:
        return
    ctx = await make_ctx(update, context)
    if not ctx.is_bot_admin:
        await send_replies(update, context, [chatcards.admin_only_bot(ctx.tr)])
        return
    doc = message.document
    if doc.file_size and doc.file_size > handlers.MAX_UPLOAD_BYTES:
        limit_mb = handlers.MAX_UPLOAD_BYTES // 2**20
        too_big = chatcards.text_reply(chatcards.UPLOAD_SPLIT, ctx.tr, mb=limit_mb)
        await send_replies(update, context, [too_big])
        return
    file = await doc.get_file()
    data = bytes(await file.download_as_bytearray())
    try:
        replies = await handlers.ingest_upload(ctx, doc.file_name or "upload.txt", data)
    except BriefingError as exc:
        replies = [errors.domain_reply(exc, tr=ctx.tr)]
    await send_replies(update, context, replies)


async def on_my_chat_member(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Blocked/unblocked, removed/added: flip ``active`` and keep every preference."""
    change = update.my_chat_member
    if change is None:
        return
    rt = runtime_of(context)
    chat = change.chat
    status = change.new_chat_member.status
    active = status not in (ChatMemberStatus.BANNED, ChatMemberStatus.LEFT)
    # Whoever added or unblocked the bot is the first reader the chat is known to have.
    code = change.from_user.language_code if change.from_user else None
    seen = language_for(code) if code else ""
    await rt.db(chats.ensure_chat, chat.id, str(chat.type), chat.title or "", seen)
    if isinstance(context.chat_data, dict):
        context.chat_data.pop(language.STATE_KEY, None)  # read the stored language again
    await rt.db(chats.set_active, chat.id, active)
    log.info("chat %s is now %s", chat.id, "active" if active else "inactive")
    await _reschedule(context.application, rt, chat.id)


async def _migrate(context: ContextTypes.DEFAULT_TYPE, old_id: int, new_id: int) -> None:
    rt = runtime_of(context)
    await rt.db(chats.migrate_chat, old_id, new_id)
    log.info("chat %s migrated to %s", old_id, new_id)
    await _reschedule(context.application, rt, new_id)


async def on_migrate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A group became a supergroup: move its subscription to the new chat id."""
    message = update.effective_message
    if message is None:
        return
    if message.migrate_to_chat_id:
        await _migrate(context, message.chat.id, message.migrate_to_chat_id)
    elif message.migrate_from_chat_id:
        await _migrate(context, message.migrate_from_chat_id, message.chat.id)


def _describe(update: object) -> str:
    if isinstance(update, Update):
        chat = update.effective_chat
        user = update.effective_user
        msg = update.effective_message
        text = (msg.text or "")[:200] if msg else ""
        if update.callback_query:
            text = f"[button] {update.callback_query.data}"
        return f"chat {chat.id if chat else '-'} user {user.id if user else '-'}: {text}"
    return ""


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The one error handler: apology to the chat, escaped traceback to the admins."""
    exc = context.error
    if exc is None:
        return
    if isinstance(exc, ChatMigrated) and isinstance(update, Update) and update.effective_chat:
        await _migrate(context, update.effective_chat.id, exc.new_chat_id)
        return
    chat = update.effective_chat if isinstance(update, Update) else None
    if isinstance(exc, Forbidden) and chat is not None:
        rt = runtime_of(context)
        await rt.db(chats.set_active, chat.id, False)
        return
    log.error("error while handling %s", _describe(update), exc_info=exc)
    apology = errors.apology(known_translator(update, context))
    try:
        if isinstance(update, Update) and update.callback_query is not None:
            await update.callback_query.answer(apology.toast)
        elif chat is not None:
            await context.bot.send_message(chat.id, apology.text)
    except Exception:  # the chat may be unreachable; the admins still hear about it
        log.warning("could not send the apology", exc_info=True)
    report = errors.admin_report(exc, _describe(update))
    for admin in runtime_of(context).config.admin_ids:
        try:
            await context.bot.send_message(admin, report, parse_mode=ParseMode.HTML)
        except Exception:
            log.warning("could not report the error to admin %s", admin, exc_info=True)


# ---- start-up ---------------------------------------------------------------------------------


async def post_init(app: Application) -> None:
    """Menu commands in Chinese (the default) and in each other language for its users;
    delivery jobs from the database."""
    for lang in LANGUAGES:
        menu = [BotCommand(c, d) for c, d in chatcards.menu(translator(lang))]
        code = None if lang == DEFAULT_LANGUAGE else lang
        await app.bot.set_my_commands(menu, language_code=code)
    rt: Runtime = app.bot_data[RUNTIME_KEY]
    await scheduling.schedule_all(app, rt)
    await feeds.start_feeds(app, rt)  # feed sources polled on their own jobs (bot/feeds.py)
    # Load the gazetteer and the segmenter now (≈0.3 s), not on the first user's /county.
    await rt.call(county.warm_up)
    health.beat(rt.store.path)
    log.info("%s", (await rt.call(_start_line, app.bot.username, rt)).text())
    if app.job_queue is not None:
        interval = health.HEARTBEAT_SECONDS
        app.job_queue.run_repeating(_heartbeat, interval, first=interval, name="heartbeat")


def _start_line(username: str, rt: Runtime) -> startup.StartLine:
    """The one line said at start-up: who, how, where, how much, and when the next digest goes."""
    stats = rt.store.stats()
    config = rt.config
    return startup.StartLine(
        username=username,
        mode=f"webhook {config.webhook_url}" if config.webhook_url else "polling",
        database=str(rt.store.path),
        articles=stats["articles"],
        latest=rt.store.latest_date(),
        subscribers=stats["subscribers"],
        next_digest=chats.next_delivery(rt.store.run(chats.subscribers), rt.clock()),
    )


async def _heartbeat(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Touch the heartbeat file that `python bot.py health` (Docker's HEALTHCHECK) reads."""
    health.beat(runtime_of(context).store.path)


async def post_shutdown(app: Application) -> None:
    """Give up the delivery lock if shutdown cut a delivery pass short."""
    await scheduling.close_deliverer(app)
    await feeds.stop_feeds(app)


def add_handlers(app: Application) -> None:
    """Register every adapter. Commands work with and without @botname in groups."""
    private = filters.ChatType.PRIVATE
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, on_migrate))
    app.add_handler(ChatMemberHandler(on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_handler(
        CommandHandler(list(handlers.COMMANDS), on_command, filters=filters.UpdateType.MESSAGE)
    )
    app.add_handler(
        MessageHandler(
            filters.Document.ALL & (private | filters.CaptionRegex(r"^/ingest\b")),
            on_document,
        )
    )
    app.add_handler(MessageHandler(filters.COMMAND & private, on_unknown_command))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND & private, on_text))
    app.add_handler(CallbackQueryHandler(on_button))
    app.add_handler(InlineQueryHandler(inline.on_inline_query))
    app.add_handler(ChosenInlineResultHandler(inline.on_chosen_result))
    app.add_error_handler(on_error)


def build_application(
    config: Config,
    rt: Runtime,
    *,
    configure: Callable[[ApplicationBuilder], ApplicationBuilder] | None = None,
    limiter: RateLimiter | None = None,
) -> Application:
    """The bot's Application: HTML parse mode, no link previews, local timezone, all handlers.

    Every Bot API call of the application, replies and the morning delivery alike, passes one
    ``RateLimiter`` (Telegram's limits; ``limiter`` replaces the default one, e.g. scaled).
    """
    quiet_token_logs()
    defaults = Defaults(
        parse_mode=ParseMode.HTML,
        link_preview_options=_NO_PREVIEW,
        tzinfo=ZoneInfo(config.timezone),
    )
    # aiohttp and JSON bodies: a fraction of PTB's default HTTP cost per call (bot/request.py).
    bot = briefing_bot(config, limiter or RateLimiter(), defaults=defaults)
    builder = (
        ApplicationBuilder()
        .bot(bot)
        # Chats at once, each chat in order: no chat waits for another's round trip.
        .concurrent_updates(ChatOrderedProcessor(config.concurrent_updates))
        .post_init(post_init)
        .post_shutdown(post_shutdown)
    )
    if configure is not None:
        builder = configure(builder)
    app = builder.build()
    app.bot_data[RUNTIME_KEY] = rt
    add_handlers(app)
    return app


def open_runtime(config: Config, *, seed: bool = False) -> Runtime:
    """Open (creating) the store; ``seed`` ingests the bundled sample page into an empty one."""
    from briefings.store import Store, db_path

    path = db_path(config.db_path or None)
    store = Store.open(path)
    rt = Runtime(config=config, store=store)
    if seed and store.latest_date() is None and SAMPLE.exists():
        from briefings.pipeline import ingest_paths

        report = rt.executor.submit(ingest_paths, store, [SAMPLE]).result()
        log.info("seeded %s: %s", path, report.summary())
    return rt


def run(config: Config) -> None:
    """Run the bot until interrupted: long polling, or a webhook when WEBHOOK_URL is set.

    Telegram is reached first with our own patient loop (bot/startup.py): a bot started before
    the network waits, and a rejected token raises ConfigurationError (exit 78) in one line.
    """
    quiet_token_logs()
    rt = open_runtime(config)
    app = build_application(config, rt)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)  # run_polling/run_webhook take the current loop
    try:
        loop.run_until_complete(startup.wait_for_telegram(app.bot))
        # The bot is initialised now; the rest of start-up (deleteWebhook, setWebhook) retries
        # on network errors too, for as long as it takes.
        if config.webhook_url:
            path = urlparse(config.webhook_url).path.lstrip("/")
            app.run_webhook(
                listen=config.webhook_listen,
                port=config.webhook_port,
                url_path=path,
                webhook_url=config.webhook_url,
                secret_token=config.webhook_secret or None,
                allowed_updates=Update.ALL_TYPES,
                bootstrap_retries=-1,
            )
        else:
            app.run_polling(allowed_updates=Update.ALL_TYPES, bootstrap_retries=-1)
    except KeyboardInterrupt:
        pass  # Ctrl-C while still waiting for Telegram
    finally:
        if not loop.is_closed():
            loop.run_until_complete(app.bot.shutdown())
            loop.close()
        rt.close()
