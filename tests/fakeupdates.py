"""Bot API updates as plain dicts, the way Telegram sends them to a bot: messages (with command
entities), callback queries, inline queries, membership changes, group migrations. No
``update_id``: FakeBotAPI.push_update numbers them. Users speak Chinese (``language_code``
zh-hans) unless a builder is given another ``language_code`` (None: Telegram sent none).
"""

from __future__ import annotations

import itertools
import time
from typing import Any

from telegram_html import utf16_len

BOT_ID = 123456
BOT_USERNAME = "briefing_test_bot"
ANONYMOUS_ADMIN_BOT_ID = 1087968824  # "GroupAnonymousBot": the `from` of anonymous admins' posts
DEFAULT_GROUP_USER_ID = 424242

_user_message_ids = itertools.count(1000)
_query_ids = itertools.count(1)


CHINESE = "zh-hans"


def make_user(
    user_id: int,
    *,
    first_name: str | None = None,
    username: str | None = None,
    language_code: str | None = CHINESE,
) -> dict:
    """A Bot API User; the bot and GroupAnonymousBot get their real shapes."""
    if user_id == BOT_ID:
        return {"id": BOT_ID, "is_bot": True, "first_name": "Briefing", "username": BOT_USERNAME}
    if user_id == ANONYMOUS_ADMIN_BOT_ID:
        return {
            "id": ANONYMOUS_ADMIN_BOT_ID,
            "is_bot": True,
            "first_name": "Group",
            "username": "GroupAnonymousBot",
        }
    user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name or "读者"}
    if language_code is not None:
        user["language_code"] = language_code
    if username:
        user["username"] = username
    return user


def _infer_chat_type(chat_id: int | str) -> str:
    if isinstance(chat_id, str):
        return "channel"
    if chat_id > 0:
        return "private"
    return "supergroup" if str(chat_id).startswith("-100") else "group"


def make_chat(chat_id: int, chat_type: str | None = None, *, is_forum: bool = False) -> dict:
    """A Bot API Chat; the type is inferred from the id (-100… supergroup, other < 0 group)."""
    chat_type = chat_type or _infer_chat_type(chat_id)
    if chat_type == "private":
        return {"id": chat_id, "type": "private", "first_name": "读者"}
    chat: dict[str, Any] = {"id": chat_id, "type": chat_type, "title": f"测试群 {chat_id}"}
    if is_forum:
        chat["is_forum"] = True
    return chat


def chat_member_json(user: dict, status: str, *, is_anonymous: bool = False) -> dict:
    """A ChatMember of the given status, with every field PTB requires."""
    if status == "creator":
        return {"status": "creator", "user": user, "is_anonymous": is_anonymous}
    if status == "administrator":
        rights = [
            "can_manage_chat",
            "can_delete_messages",
            "can_manage_video_chats",
            "can_restrict_members",
            "can_change_info",
            "can_invite_users",
        ]
        member = {"status": status, "user": user, "can_be_edited": False}
        member |= {"is_anonymous": is_anonymous, "can_promote_members": False}
        member |= dict.fromkeys(rights, True)
        member |= dict.fromkeys(
            ["can_post_stories", "can_edit_stories", "can_delete_stories"], False
        )
        return member
    if status == "kicked":
        return {"status": "kicked", "user": user, "until_date": 0}
    if status in ("member", "left"):
        return {"status": status, "user": user}
    raise ValueError(f"unsupported chat member status {status!r}")


def _command_entities(text: str) -> list[dict]:
    # CommandHandler only sees a bot_command entity at offset 0; its length is the whole
    # "/cmd@bot" token measured in UTF-16 units.
    if not text.startswith("/"):
        return []
    token = text.split(maxsplit=1)[0]
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(token)}]


def make_message(
    chat_id: int,
    text: str | None = None,
    *,
    chat_type: str | None = None,
    user_id: int | None = None,
    message_id: int | None = None,
    message_thread_id: int | None = None,
    is_topic_message: bool = False,
    sender_chat: dict | None = None,
    anonymous_admin: bool = False,
    document: dict | None = None,
    caption: str | None = None,
    language_code: str | None = CHINESE,
) -> dict:
    """An update with a user's message; a leading /command gets its bot_command entity.

    ``anonymous_admin=True`` posts as the group itself (sender_chat = chat, from =
    GroupAnonymousBot), which is how anonymous administrators appear to bots.
    """
    chat = make_chat(chat_id, chat_type, is_forum=is_topic_message)
    if anonymous_admin:
        sender_chat = chat
    if user_id is None:
        if sender_chat is not None:
            user_id = ANONYMOUS_ADMIN_BOT_ID
        else:
            user_id = chat_id if chat["type"] == "private" else DEFAULT_GROUP_USER_ID
    message: dict[str, Any] = {
        "message_id": message_id if message_id is not None else next(_user_message_ids),
        "from": make_user(user_id, language_code=language_code),
        "chat": chat,
        "date": int(time.time()),
    }
    if sender_chat is not None:
        message["sender_chat"] = sender_chat
    if message_thread_id is not None:
        message["message_thread_id"] = message_thread_id
    if is_topic_message:
        message["is_topic_message"] = True
    if text is not None:
        message["text"] = text
        if entities := _command_entities(text):
            message["entities"] = entities
    if document is not None:
        message["document"] = document
    if caption is not None:
        message["caption"] = caption
    return {"message": message}


def make_callback_query(
    chat_id: int,
    message_id: int,
    data: str,
    *,
    user_id: int | None = None,
    chat_type: str | None = None,
    message_text: str = "…",
    query_id: str | None = None,
    language_code: str | None = CHINESE,
) -> dict:
    """An update with a button press on the bot's message ``message_id`` in ``chat_id``."""
    chat = make_chat(chat_id, chat_type)
    if user_id is None:
        user_id = chat_id if chat["type"] == "private" else DEFAULT_GROUP_USER_ID
    message = {
        "message_id": message_id,
        "from": make_user(BOT_ID),
        "chat": chat,
        "date": int(time.time()),
        "text": message_text,
    }
    query = {
        "id": query_id or f"cbq{next(_query_ids)}",
        "from": make_user(user_id, language_code=language_code),
        "chat_instance": f"ci{chat_id}",
        "message": message,
        "data": data,
    }
    return {"callback_query": query}


def make_inline_query(
    user_id: int,
    query: str,
    offset: str = "",
    *,
    query_id: str | None = None,
    language_code: str | None = CHINESE,
) -> dict:
    """An update with an inline query typed by ``user_id``."""
    inline = {
        "id": query_id or f"iq{next(_query_ids)}",
        "from": make_user(user_id, language_code=language_code),
        "query": query,
        "offset": offset,
        "chat_type": "private",
    }
    return {"inline_query": inline}


def make_my_chat_member(
    chat_id: int,
    old_status: str,
    new_status: str,
    *,
    user_id: int | None = None,
    chat_type: str | None = None,
    language_code: str | None = CHINESE,
) -> dict:
    """The bot's own membership changing: private member→kicked is "blocked", kicked→member
    "unblocked"; in groups left→member (or administrator) is "added"."""
    chat = make_chat(chat_id, chat_type)
    if user_id is None:
        user_id = chat_id if chat["type"] == "private" else DEFAULT_GROUP_USER_ID
    bot = make_user(BOT_ID)
    update = {
        "chat": chat,
        "from": make_user(user_id, language_code=language_code),
        "date": int(time.time()),
        "old_chat_member": chat_member_json(bot, old_status),
        "new_chat_member": chat_member_json(bot, new_status),
    }
    return {"my_chat_member": update}


def make_migrate_message(old_chat_id: int, new_chat_id: int) -> dict:
    """The service message in the old group saying it became supergroup ``new_chat_id``."""
    message = {
        "message_id": next(_user_message_ids),
        "from": make_user(DEFAULT_GROUP_USER_ID),
        "chat": make_chat(old_chat_id, "group"),
        "date": int(time.time()),
        "migrate_to_chat_id": new_chat_id,
    }
    return {"message": message}
