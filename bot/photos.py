"""Sending a ``Reply`` that carries a photo (a chart): ``sendPhoto`` with the caption and
buttons, through the bot's one rate limiter like every other call.

Telegram keeps every photo it received and names it by a file id: a chart already sent once
(same key, so same bytes) is sent again by that id, without uploading it. The ids are kept per
application in ``bot_data`` (at most ``MAX_FILE_IDS``).
"""

from __future__ import annotations

from collections import OrderedDict

from telegram import InlineKeyboardMarkup, InputFile, Message, Update
from telegram.ext import ContextTypes

from bot.cards import Reply

MAX_FILE_IDS = 256
_FILE_IDS = "photo_file_ids"


def _file_ids(context: ContextTypes.DEFAULT_TYPE) -> OrderedDict[str, str]:
    return context.application.bot_data.setdefault(_FILE_IDS, OrderedDict())


async def send_photo(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    reply: Reply,
    markup: InlineKeyboardMarkup | None,
) -> Message | None:
    """Send ``reply.photo`` with ``reply.text`` as caption: as a reply to the user's message,
    or into the chat (and forum topic) of a pressed button."""
    photo = reply.photo
    if photo is None:
        return None
    known = _file_ids(context)
    file_id = known.get(photo.key)
    media = file_id or InputFile(photo.png, filename=photo.name)
    caption = reply.text or None
    message = update.effective_message
    if update.callback_query is None and isinstance(message, Message):
        sent = await message.reply_photo(media, caption=caption, reply_markup=markup)
    elif (chat := update.effective_chat) is not None:
        thread = (
            message.message_thread_id
            if isinstance(message, Message) and message.is_topic_message
            else None
        )
        sent = await context.bot.send_photo(
            chat.id, media, caption=caption, reply_markup=markup, message_thread_id=thread
        )
    else:
        return None
    if sent.photo:
        known[photo.key] = sent.photo[-1].file_id
        known.move_to_end(photo.key)
        while len(known) > MAX_FILE_IDS:
            known.popitem(last=False)
    return sent
