"""The reader's language: resolved for each update, stored per chat, changed with ``/language``.

Resolution (``briefings.i18n.reader_language``): the chat's ``/language`` choice, else the
sender's Telegram ``language_code``, else the language last seen in the chat, else Chinese.
The chat row keeps both the choice (``chats.lang``, '' = follow each reader's Telegram language)
and the language of the last reader who wrote in it (``chats.seen_lang``): a scheduled digest has
no sender, so it goes out in the choice, else that last-seen language. Both are cached in the
chat's memory (``Ctx.state``, PTB's chat_data), so an update costs no query once the chat is
known; a write happens only when the choice or the last-seen language changes.
"""

from __future__ import annotations

from bot import chatcards
from bot.cards import Reply
from briefings import chats
from briefings.i18n import language_for, reader_language, translator

STATE_KEY = "language"  # Ctx.state: (the chat's choice, the language last seen in it)


async def stored(ctx) -> tuple[str, str]:
    """The chat's (choice, last-seen language), from the chat's memory or the database."""
    cached = ctx.state.get(STATE_KEY)
    if cached is None:
        cached = await ctx.rt.db(chats.language_of, ctx.chat_id)
        ctx.state[STATE_KEY] = cached
    return cached


async def localize(ctx, language_code: str | None):
    """Set ``ctx.tr`` for this update (``language_code``: the sender's, None when Telegram gave
    none) and remember the sender's language as the one last seen in the chat."""
    chosen, seen = await stored(ctx)
    sender = language_for(language_code) if language_code else ""
    if sender and sender != seen:
        await ctx.rt.db(chats.note_language, ctx.chat_id, sender)
        ctx.state[STATE_KEY] = (chosen, sender)
    ctx.user_lang = sender
    ctx.tr = translator(reader_language(chosen, sender, seen))
    return ctx


async def _choose(ctx, text: str, *, edit: bool) -> list[Reply]:
    """Store the chat's choice; the confirmation is in the language now in use."""
    if not await ctx.can_manage():
        refusal = chatcards.admin_only_group(ctx.tr)
        return [Reply("", toast=refusal.toast)] if edit else [refusal]
    await ctx.rt.call(ctx.ensure)
    prefs = await ctx.rt.db(chats.set_language, ctx.chat_id, text)
    _, seen = await stored(ctx)
    ctx.state[STATE_KEY] = (prefs.lang, seen)
    ctx.tr = translator(reader_language(prefs.lang, ctx.user_lang, seen))
    return [chatcards.language_changed(prefs.lang, ctx.tr, edit=edit)]


async def cmd_language(ctx, args: str) -> list[Reply]:
    """/language [en | 中文 | auto]: show the language in use with buttons, or change it."""
    text = args.strip()
    if not text:
        chosen, _ = await stored(ctx)
        return [chatcards.language_status(chosen, ctx.tr)]
    return await _choose(ctx, text, edit=False)


async def on_button(ctx, rest: str) -> list[Reply]:
    """``lang:<en|zh|auto>``: the chooser's buttons (the message is edited in place)."""
    if rest not in ("en", "zh", "auto"):
        return [chatcards.toast(chatcards.EXPIRED_BUTTON, ctx.tr)]
    return await _choose(ctx, rest, edit=True)
