"""The fake Bot API, exercised through a real python-telegram-bot Application and Bot."""

from __future__ import annotations

import asyncio
import html
import io
import time
from datetime import timedelta

import pytest
from fakebotapi import (
    BOT_USERNAME,
    FakeBotAPI,
    make_callback_query,
    make_inline_query,
    make_message,
    make_migrate_message,
    make_my_chat_member,
    parse_telegram_html,
    running_app,
    utf16_len,
    validate_telegram_html,
)
from hypothesis import given
from hypothesis import strategies as st
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Update,
)
from telegram.constants import ChatMemberStatus, ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import (
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

PRIVATE = 42
GROUP = -1001234567890


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Replies with the command's arguments, so a test sees which message was handled."""
    assert update.effective_message is not None
    await update.effective_message.reply_text("echo: " + " ".join(context.args or []))


def _parsed(update: dict) -> Update:
    """The builder's dict as PTB reads it (push_update adds update_id)."""
    return Update.de_json({**update, "update_id": 1}, None)


# --- end to end through an Application ------------------------------------------------------


async def test_private_command_gets_a_reply(fake_api: FakeBotAPI, ptb_app_factory) -> None:
    app = ptb_app_factory(handlers=[CommandHandler("echo", echo)])
    async with running_app(app):
        fake_api.push_update(make_message(PRIVATE, "/echo 缙云 工业"))
        await fake_api.wait_for("sendMessage", chat_id=PRIVATE)
    assert [m["text"] for m in fake_api.sent_messages(PRIVATE)] == ["echo: 缙云 工业"]
    assert [c.method for c in fake_api.calls()][:2] == ["getMe", "deleteWebhook"]


async def test_pushed_update_ends_a_long_poll_at_once(
    fake_api: FakeBotAPI, ptb_app_factory
) -> None:
    app = ptb_app_factory(handlers=[CommandHandler("echo", echo)])
    async with running_app(app, poll_timeout=30):
        await fake_api.wait_for_poll()
        started = time.monotonic()
        fake_api.push_update(make_message(PRIVATE, "/echo"))
        await fake_api.wait_for("sendMessage")
        assert time.monotonic() - started < 1.0


async def test_group_command_addressed_to_this_bot_only(
    fake_api: FakeBotAPI, ptb_app_factory
) -> None:
    app = ptb_app_factory(handlers=[CommandHandler("echo", echo)])
    async with running_app(app):
        fake_api.push_update(make_message(GROUP, "/echo@other_bot 别处"))
        fake_api.push_update(make_message(GROUP, f"/echo@{BOT_USERNAME} 本群"))
        await fake_api.wait_for("sendMessage", chat_id=GROUP)
        await asyncio.sleep(0.05)
    sent = fake_api.sent_messages(GROUP)
    assert [m["text"] for m in sent] == ["echo: 本群"]
    # reply_text quotes in groups: the quoted message must be one the server knows.
    assert sent[0]["reply_parameters"]["message_id"] > 0


async def test_callback_query_is_answered_and_message_edited(
    fake_api: FakeBotAPI, ptb_app_factory
) -> None:
    async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("已订阅")
        await query.edit_message_text(f"订阅了 {query.data}")

    app = ptb_app_factory(handlers=[CallbackQueryHandler(on_button)])
    async with running_app(app):
        keyboard = InlineKeyboardMarkup(
            [[InlineKeyboardButton("缙云", callback_data="sub:331122")]]
        )
        sent = await app.bot.send_message(PRIVATE, "选择县市", reply_markup=keyboard)
        fake_api.push_update(make_callback_query(PRIVATE, sent.message_id, "sub:331122"))
        await fake_api.wait_for("editMessageText")
    (answer,) = fake_api.calls("answerCallbackQuery", ok=True)
    assert answer.params["text"] == "已订阅"
    (edit,) = fake_api.calls("editMessageText", ok=True)
    assert edit.result["text"] == "订阅了 sub:331122"
    assert edit.result["message_id"] == sent.message_id


async def test_inline_query_is_answered(fake_api: FakeBotAPI, ptb_app_factory) -> None:
    async def on_inline(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.inline_query is not None
        results = [
            InlineQueryResultArticle(
                f"r{i}", f"结果 {i}", InputTextMessageContent(f"<b>{i}</b>", parse_mode="HTML")
            )
            for i in range(3)
        ]
        await update.inline_query.answer(results, cache_time=0)

    app = ptb_app_factory(handlers=[InlineQueryHandler(on_inline)])
    async with running_app(app):
        fake_api.push_update(make_inline_query(7, "缙云"))
        (call,) = await fake_api.wait_for("answerInlineQuery", ok=True)
    assert [r["id"] for r in call.params["results"]] == ["r0", "r1", "r2"]


async def test_my_chat_member_and_migration_updates_reach_handlers(
    fake_api: FakeBotAPI, ptb_app_factory
) -> None:
    seen: list[tuple[str, str]] = []
    migrations: list[tuple[int, int]] = []

    async def on_member(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        change = update.my_chat_member
        assert change is not None
        seen.append((change.old_chat_member.status, change.new_chat_member.status))

    async def on_migrate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None
        assert message.migrate_to_chat_id is not None
        migrations.append((message.chat_id, message.migrate_to_chat_id))
        await context.bot.send_message(message.migrate_to_chat_id, "已迁移")

    app = ptb_app_factory(
        handlers=[
            ChatMemberHandler(on_member, ChatMemberHandler.MY_CHAT_MEMBER),
            MessageHandler(filters.StatusUpdate.MIGRATE, on_migrate),
        ]
    )
    async with running_app(app):
        fake_api.push_update(make_my_chat_member(PRIVATE, "member", "kicked"))
        fake_api.push_update(make_my_chat_member(-555, "left", "administrator"))
        fake_api.push_update(make_migrate_message(-555, GROUP))
        await fake_api.wait_for("sendMessage", chat_id=GROUP)
    assert seen == [
        (ChatMemberStatus.MEMBER, ChatMemberStatus.BANNED),
        (ChatMemberStatus.LEFT, ChatMemberStatus.ADMINISTRATOR),
    ]
    assert migrations == [(-555, GROUP)]


async def test_uploaded_document_can_be_downloaded_by_a_handler(
    fake_api: FakeBotAPI, ptb_app_factory
) -> None:
    page = "浙江日报 2026-04-15\n缙云县工业增加值增长19.7%".encode()

    async def on_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None
        assert message.document is not None
        buffer = io.BytesIO()
        await (await message.document.get_file()).download_to_memory(buffer)
        await message.reply_text(f"收到 {len(buffer.getvalue())} 字节")

    app = ptb_app_factory(handlers=[MessageHandler(filters.Document.ALL, on_document)])
    document = fake_api.add_file(page, file_name="page.txt")
    async with running_app(app):
        fake_api.push_update(make_message(PRIVATE, document=document))
        await fake_api.wait_for("sendMessage")
    assert fake_api.sent_messages()[0]["text"] == f"收到 {len(page)} 字节"


# --- the Bot API surface, through a bare Bot --------------------------------------------------


async def test_sent_document_is_recorded_and_downloadable(
    fake_api: FakeBotAPI, ptb_app_factory
) -> None:
    app = ptb_app_factory()
    async with app:
        message = await app.bot.send_document(
            PRIVATE, document=b"briefing", filename="b.txt", caption="<i>PDF</i>", parse_mode="HTML"
        )
        downloaded = await (
            await app.bot.get_file(message.document.file_id)
        ).download_as_bytearray()
    assert bytes(downloaded) == b"briefing"
    (sent,) = fake_api.sent_documents(PRIVATE)
    assert sent["document"].content == b"briefing"
    assert message.caption == "PDF"


async def test_commands_are_stored_per_scope(fake_api: FakeBotAPI, ptb_app_factory) -> None:
    from telegram import BotCommand, BotCommandScopeAllGroupChats

    app = ptb_app_factory()
    async with app:
        await app.bot.set_my_commands([BotCommand("today", "今日简报")])
        await app.bot.set_my_commands(
            [BotCommand("subscribe", "订阅")], scope=BotCommandScopeAllGroupChats()
        )
        private = await app.bot.get_my_commands()
        groups = await app.bot.get_my_commands(scope=BotCommandScopeAllGroupChats())
        with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
            await app.bot.set_my_commands([BotCommand("Today!", "坏")])
        await app.bot.delete_my_commands()
        assert await app.bot.get_my_commands() == ()
    assert [c.command for c in private] == ["today"]
    assert [c.command for c in groups] == ["subscribe"]


async def test_chat_member_configuration(fake_api: FakeBotAPI, ptb_app_factory) -> None:
    fake_api.set_admins(GROUP, [7, 8], creator=1, anonymous=[8])
    app = ptb_app_factory()
    async with app:
        admin = await app.bot.get_chat_member(GROUP, 7)
        member = await app.bot.get_chat_member(GROUP, 9)
        admins = await app.bot.get_chat_administrators(GROUP)
        with pytest.raises(BadRequest, match=r"(?i)private chat"):
            await app.bot.get_chat_administrators(PRIVATE)
    assert admin.status == ChatMemberStatus.ADMINISTRATOR
    assert member.status == ChatMemberStatus.MEMBER
    assert {(a.user.id, a.status, a.is_anonymous) for a in admins} == {
        (7, ChatMemberStatus.ADMINISTRATOR, False),
        (8, ChatMemberStatus.ADMINISTRATOR, True),
        (1, ChatMemberStatus.OWNER, False),
    }


def test_anonymous_admin_message_posts_as_the_group() -> None:
    update = _parsed(make_message(GROUP, "/setup", anonymous_admin=True))
    message = update.effective_message
    assert message.sender_chat is not None
    assert message.sender_chat.id == GROUP
    assert message.from_user.username == "GroupAnonymousBot"


async def test_edits_follow_telegram_rules(fake_api: FakeBotAPI, ptb_app_factory) -> None:
    app = ptb_app_factory()
    async with app:
        sent = await app.bot.send_message(PRIVATE, "原文")
        with pytest.raises(BadRequest, match=r"(?i)not modified"):
            await app.bot.edit_message_text("原文", PRIVATE, sent.message_id)
        with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
            await app.bot.edit_message_text("新", PRIVATE, sent.message_id + 1)
        assert await app.bot.delete_message(PRIVATE, sent.message_id)
        with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
            await app.bot.delete_message(PRIVATE, sent.message_id)
        button = InlineKeyboardButton("x", callback_data="x" * 65)
        with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
            await app.bot.send_message(PRIVATE, "y", reply_markup=InlineKeyboardMarkup([[button]]))


async def test_query_ids_are_single_use(fake_api: FakeBotAPI, ptb_app_factory) -> None:
    query_id = make_callback_query(PRIVATE, 1, "a")["callback_query"]["id"]
    app = ptb_app_factory()
    async with app:
        with pytest.raises(BadRequest, match=r"(?i)query ID is invalid"):
            await app.bot.answer_callback_query(query_id)
        fake_api.push_update(make_callback_query(PRIVATE, 1, "a", query_id=query_id))
        assert await app.bot.answer_callback_query(query_id)
        with pytest.raises(BadRequest, match=r"(?i)query ID is invalid"):
            await app.bot.answer_callback_query(query_id)


@pytest.mark.parametrize(
    ("results", "error"),
    [
        ([("r", "x")] * 2, "RESULT_ID_DUPLICATE"),
        ([(f"r{i}", "x") for i in range(51)], "RESULTS_TOO_MUCH"),
        ([("r" * 65, "x")], "RESULT_ID_INVALID"),
        ([("r", "<b>x")], "can't parse entities"),
    ],
)
async def test_inline_answers_are_validated(
    fake_api: FakeBotAPI, ptb_app_factory, results: list[tuple[str, str]], error: str
) -> None:
    update = make_inline_query(7, "q")
    fake_api.push_update(update)
    articles = [
        InlineQueryResultArticle(i, "t", InputTextMessageContent(text, parse_mode="HTML"))
        for i, text in results
    ]
    app = ptb_app_factory()
    async with app:
        with pytest.raises(BadRequest, match=f"(?i){error}"):
            await app.bot.answer_inline_query(update["inline_query"]["id"], articles)


async def test_allowed_updates_filter_and_offset(fake_api: FakeBotAPI, ptb_app_factory) -> None:
    fake_api.push_update(make_message(PRIVATE, "hi"))
    fake_api.push_update(make_callback_query(PRIVATE, 1, "a"))
    last = fake_api.push_update(make_message(PRIVATE, "again"))
    app = ptb_app_factory()
    async with app:
        updates = await app.bot.get_updates(allowed_updates=["message"], timeout=0)
        assert [u.update_id for u in updates if u.message] == [last - 2, last]
        assert all(u.callback_query is None for u in updates)
        assert await app.bot.get_updates(offset=last + 1, timeout=0) == ()


async def test_webhook_blocks_get_updates(fake_api: FakeBotAPI, ptb_app_factory) -> None:
    from telegram.error import Conflict

    app = ptb_app_factory()
    async with app:
        await app.bot.set_webhook("https://example.org/hook")
        with pytest.raises(Conflict):
            await app.bot.get_updates(timeout=0)
        await app.bot.delete_webhook()
        assert await app.bot.get_updates(timeout=0) == ()


async def test_wrong_token_is_rejected(fake_api: FakeBotAPI, ptb_app_factory) -> None:
    app = ptb_app_factory(configure=lambda b: b.token("999:WRONG"))
    with pytest.raises(InvalidToken):
        await app.initialize()


async def test_wait_for_reports_what_it_saw(fake_api: FakeBotAPI) -> None:
    with pytest.raises(AssertionError, match=r"1 sendMessage; calls: \[\]"):
        await fake_api.wait_for("sendMessage", timeout=0.05)


# --- message validation ---------------------------------------------------------------------


async def test_invalid_html_and_overlong_messages_are_bad_requests(
    fake_api: FakeBotAPI, ptb_app_factory
) -> None:
    app = ptb_app_factory()
    async with app:
        with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
            await app.bot.send_message(PRIVATE, "利润 < 成本", parse_mode=ParseMode.HTML)
        with pytest.raises(BadRequest, match=r"(?i)message is too long"):
            await app.bot.send_message(PRIVATE, "经" * 4097)
        with pytest.raises(BadRequest, match=r"(?i)message is too long"):
            await app.bot.send_message(PRIVATE, "𠀀" * 2049)  # 2 UTF-16 units each
        with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
            await app.bot.send_message(PRIVATE, "<b> </b>", parse_mode=ParseMode.HTML)
        # The limit applies after entity parsing: 4096 visible characters pass.
        await app.bot.send_message(PRIVATE, "&lt;" * 4096, parse_mode=ParseMode.HTML)
        await app.bot.send_message(PRIVATE, "𠀀" * 2048)
        await app.bot.send_message(PRIVATE, "<b>" + "经" * 4096 + "</b>", parse_mode="HTML")
    assert len(fake_api.sent_messages(PRIVATE)) == 3
    assert len(fake_api.calls("sendMessage", ok=False)) == 4


@pytest.mark.parametrize(
    "text",
    [
        "<b>粗</b> <i>斜</i> <u>下</u> <s>删</s> <tg-spoiler>剧透</tg-spoiler>",
        '<a href="https://zjrb.zjol.com.cn/?a=1&amp;b=2">链接</a>',
        '<pre><code class="language-python">x &lt; 1</code></pre>',
        "<blockquote expandable>引用 <b>嵌<i>套</i></b></blockquote>",
        '<span class="tg-spoiler">隐</span> &#20013;&#x6587; &quot;&amp;&gt;',
        "<B>大写标签</B>",
        "增长 > 19.7%",
    ],
)
def test_valid_telegram_html_is_accepted(text: str) -> None:
    assert validate_telegram_html(text) is None


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("利润 < 成本", 'Unsupported start tag ""'),
        ("AT&T", "Unsupported HTML entity"),
        ("&nbsp;", "Unsupported HTML entity"),
        ("&#xD800;", "Unsupported HTML entity"),
        ("第一行<br>第二行", 'Unsupported start tag "br"'),
        ("<b>粗<i>斜</b></i>", 'expected "</i>", found "</b>"'),
        ("<b>未闭合", 'start tag "b"'),
        ("多余</b>", "Unexpected end tag"),
        ('<span class="x">隐</span>', 'must have class "tg-spoiler"'),
        ("<!-- 注释 -->", "Unsupported start tag"),
        ("<b", "Unclosed start tag"),
    ],
)
def test_invalid_telegram_html_is_rejected(text: str, error: str) -> None:
    message = validate_telegram_html(text)
    assert message is not None
    assert message.startswith("can't parse entities: ")
    assert error in message


def test_html_errors_give_utf8_byte_offsets() -> None:
    assert validate_telegram_html("浙江<br>").endswith("at byte offset 6")


_TAGS = ["b", "i", "u", "s", "code", "tg-spoiler", "blockquote"]


@st.composite
def _markup(draw: st.DrawFn, depth: int = 0) -> tuple[str, str]:
    """(Telegram HTML, its visible text), built from escaped text nested in allowed tags."""
    parts = draw(st.lists(st.text(max_size=8), min_size=1, max_size=3))
    html_parts = [html.escape(p, quote=False) for p in parts]
    visible = "".join(parts)
    rendered = "".join(html_parts)
    if depth < 3 and draw(st.booleans()):
        inner_html, inner_text = draw(_markup(depth + 1))
        rendered += inner_html
        visible += inner_text
    tag = draw(st.sampled_from([*_TAGS, None]))
    if tag is not None:
        rendered = f"<{tag}>{rendered}</{tag}>"
    return rendered, visible


@given(_markup())
def test_escaped_text_in_nested_tags_parses_to_the_text(markup: tuple[str, str]) -> None:
    rendered, visible = markup
    assert parse_telegram_html(rendered) == visible


@given(st.text(), st.sampled_from(_TAGS), st.sampled_from(_TAGS))
def test_crossed_tags_are_always_rejected(text: str, outer: str, inner: str) -> None:
    body = html.escape(text, quote=False)
    crossed = f"<{outer}><{inner}>{body}</{outer}></{inner}>"
    assert (validate_telegram_html(crossed) is None) == (outer == inner)


_WORD = st.text(st.characters(exclude_categories=("Z", "C")), min_size=1, max_size=12)


@given(_WORD, st.text())
def test_command_entity_covers_the_command_in_utf16_units(command: str, args: str) -> None:
    # PTB slices entities in UTF-16 units, so astral characters (𠀀, emoji) would expose a
    # length counted in code points.
    update = _parsed(make_message(PRIVATE, f"/{command} {args}"))
    (entity,) = update.message.entities
    assert entity.offset == 0
    assert update.message.parse_entity(entity) == f"/{command}"
    assert entity.length == utf16_len(command) + 1


# --- faults ---------------------------------------------------------------------------------


async def test_injected_429_raises_retry_after(fake_api: FakeBotAPI, ptb_app_factory) -> None:
    fake_api.inject("sendMessage", chat_id=PRIVATE, parameters={"retry_after": 0.2})
    app = ptb_app_factory()
    async with app:
        with pytest.raises(RetryAfter) as caught:
            await app.bot.send_message(PRIVATE, "一")
        await app.bot.send_message(PRIVATE, "二")  # the fault was used up
    assert caught.value.retry_after == timedelta(seconds=0.2)
    assert [m["text"] for m in fake_api.sent_messages()] == ["二"]
    assert len(fake_api.calls(status=429)) == 1


async def test_blocked_chat_is_forbidden_until_unblocked(
    fake_api: FakeBotAPI, ptb_app_factory
) -> None:
    fake_api.block(PRIVATE)
    app = ptb_app_factory()
    async with app:
        with pytest.raises(Forbidden, match=r"(?i)blocked by the user"):
            await app.bot.send_message(PRIVATE, "早报")
        await app.bot.send_message(PRIVATE + 1, "别人照常")
        fake_api.unblock(PRIVATE)
        await app.bot.send_message(PRIVATE, "早报")


async def test_migrated_group_raises_chat_migrated(fake_api: FakeBotAPI, ptb_app_factory) -> None:
    fake_api.migrate(-555, GROUP)
    app = ptb_app_factory()
    async with app:
        with pytest.raises(ChatMigrated) as caught:
            await app.bot.send_message(-555, "早报")
        await app.bot.send_message(GROUP, "早报")
    assert caught.value.new_chat_id == GROUP


async def test_server_errors_raise_network_error_not_bad_request(
    fake_api: FakeBotAPI, ptb_app_factory
) -> None:
    fake_api.fail_5xx("sendMessage", times=2, status=502)
    app = ptb_app_factory()
    async with app:
        for _ in range(2):
            with pytest.raises(NetworkError) as caught:
                await app.bot.send_message(PRIVATE, "早报")
            assert not isinstance(caught.value, BadRequest)
        await app.bot.send_message(PRIVATE, "早报")


async def test_slow_answer_raises_timed_out(fake_api: FakeBotAPI, ptb_app_factory) -> None:
    fake_api.inject("sendMessage", delay=1.0)
    app = ptb_app_factory(read_timeout=0.1)
    async with app:
        with pytest.raises(TimedOut):
            await app.bot.send_message(PRIVATE, "早报")
        await app.bot.send_message(PRIVATE, "早报")
    assert len(fake_api.sent_messages()) == 1


async def test_cleared_faults_no_longer_apply(fake_api: FakeBotAPI, ptb_app_factory) -> None:
    fake_api.inject("sendMessage", status=403, times=None)
    app = ptb_app_factory()
    async with app:
        with pytest.raises(Forbidden):
            await app.bot.send_message(PRIVATE, "早报")
        fake_api.clear_faults()
        await app.bot.send_message(PRIVATE, "早报")
    assert len(fake_api.sent_messages()) == 1


# --- rate limits ----------------------------------------------------------------------------


async def _send_burst(app, chat_ids: list[int]) -> list[RetryAfter]:
    """Send one message per entry as fast as possible; return the RetryAfter errors."""
    throttled = []
    for chat_id in chat_ids:
        try:
            await app.bot.send_message(chat_id, "快讯")
        except RetryAfter as exc:
            throttled.append(exc)
    return throttled


async def test_burst_to_one_chat_is_throttled(fake_api: FakeBotAPI, ptb_app_factory) -> None:
    fake_api.enforce_limits()
    app = ptb_app_factory()
    async with app:
        throttled = await _send_burst(app, [PRIVATE] * 40)
        assert fake_api.stats.accepted_per_chat[PRIVATE] == 1
        assert fake_api.stats.throttled == len(throttled) == 39
        # Waiting as told is enough to be accepted again.
        await asyncio.sleep(max(e.retry_after for e in throttled).total_seconds())
        await app.bot.send_message(PRIVATE, "再来")
    assert all(timedelta(0) < e.retry_after <= timedelta(seconds=1) for e in throttled)


async def test_global_and_group_limits(fake_api: FakeBotAPI, ptb_app_factory) -> None:
    fake_api.enforce_limits(scale=10)  # 300/s overall, 10/s per chat, 200/min per group
    app = ptb_app_factory()
    async with app:
        await _send_burst(app, [PRIVATE] * 15)
        await _send_burst(app, [-1] * 15)
    assert fake_api.stats.accepted_per_chat == {PRIVATE: 10, -1: 10}

    fake_api.enforce_limits(global_per_sec=30)
    app = ptb_app_factory()
    async with app:
        throttled = await _send_burst(app, list(range(1000, 1040)))
    assert len(throttled) == 10
    assert len(fake_api.calls("sendMessage", status=429)) == 5 + 5 + 10

    fake_api.enforce_limits(per_chat_per_sec=100, per_group_per_min=20)
    app = ptb_app_factory()
    async with app:
        throttled = await _send_burst(app, [-2] * 25)
    assert len(throttled) == 5
    assert min(e.retry_after for e in throttled) > timedelta(seconds=50)
