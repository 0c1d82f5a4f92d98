"""End-to-end tests of the bot in groups, supergroups and forum topics: commands with and without
@botname, admin-only settings (anonymous admins included), migration to a supergroup.
"""

from __future__ import annotations

import asyncio

from botharness import (
    JINYUN,
    Harness,
    assert_telegram_ok,
    buttons,
)
from fakebotapi import (
    BOT_USERNAME,
    DEFAULT_GROUP_USER_ID,
    make_message,
    make_migrate_message,
    make_my_chat_member,
)

from briefings import chats

GROUP = -4001
SUPERGROUP = -1004002
ADMIN = 5001

# The seeded database and the running bot (fixtures) come from the private-chat tests.


async def test_commands_work_with_and_without_the_bot_name(harness: Harness) -> None:
    (plain,) = await harness.say(GROUP, "/county 缙云")
    (named,) = await harness.say(GROUP, f"/county@{BOT_USERNAME} 缙云")
    for reply in (plain, named):
        assert_telegram_ok(reply)
        assert "丽水市缙云县" in reply["text"]
    # Replies in groups quote the command they answer.
    assert "reply_parameters" in plain


async def test_commands_for_another_bot_are_ignored(harness: Harness) -> None:
    harness.fake.push_update(make_message(GROUP, "/county@other_bot 缙云"))
    await harness.settle()
    await asyncio.sleep(0.1)
    assert not harness.fake.calls("sendMessage", chat_id=GROUP)


async def test_free_text_in_a_group_is_ignored(harness: Harness) -> None:
    harness.fake.push_update(make_message(GROUP, "缙云"))
    await harness.settle()
    await asyncio.sleep(0.1)
    assert not harness.fake.calls("sendMessage", chat_id=GROUP)


async def test_non_admin_cannot_subscribe_or_change_the_group(harness: Harness) -> None:
    for command in ("/subscribe", "/time 09:00", "/timezone UTC", "/topics", "/follow 缙云"):
        (reply,) = await harness.say(GROUP, command)
        assert "只有群管理员" in reply["text"], command
    prefs = harness.prefs(GROUP)
    assert prefs is None or (not prefs.subscribed and prefs.time == "07:30" and not prefs.follows)
    assert harness.fake.calls("getChatMember", chat_id=GROUP)


async def test_admin_subscribes_the_group(harness: Harness) -> None:
    harness.fake.set_admins(GROUP, [ADMIN])
    (reply,) = await harness.say(GROUP, "/subscribe 08:30", user_id=ADMIN)
    assert_telegram_ok(reply)
    prefs = harness.prefs(GROUP)
    assert prefs.subscribed
    assert prefs.time == "08:30"
    assert prefs.type == "group"
    (t,) = await harness.say(GROUP, f"/time@{BOT_USERNAME} 9:00", user_id=ADMIN)
    assert harness.prefs(GROUP).time == "09:00"
    assert "09:00" in t["text"]


async def test_group_creator_counts_as_admin(harness: Harness) -> None:
    harness.fake.set_admins(GROUP, [], creator=ADMIN)
    await harness.say(GROUP, "/subscribe", user_id=ADMIN)
    assert harness.prefs(GROUP).subscribed


async def test_anonymous_admin_may_subscribe(harness: Harness) -> None:
    (reply,) = await harness.say(SUPERGROUP, "/subscribe 07:00", anonymous_admin=True)
    assert "已订阅" in reply["text"]
    prefs = harness.prefs(SUPERGROUP)
    assert prefs.subscribed
    assert prefs.type == "supergroup"


async def test_subscribe_in_a_forum_topic_stores_the_thread(harness: Harness) -> None:
    harness.fake.set_admins(SUPERGROUP, [ADMIN])
    (reply,) = await harness.say(
        SUPERGROUP, "/subscribe", user_id=ADMIN, message_thread_id=77, is_topic_message=True
    )
    assert reply["message_thread_id"] == 77  # the confirmation lands in the topic too
    prefs = harness.prefs(SUPERGROUP)
    assert prefs.subscribed
    assert prefs.thread_id == 77
    assert "本话题" in reply["text"]


async def test_only_admins_toggle_group_topics(harness: Harness) -> None:
    harness.fake.set_admins(GROUP, [ADMIN])
    (menu,) = await harness.say(GROUP, "/topics", user_id=ADMIN)
    msg_id = menu["_result"]["message_id"]
    (answer,) = await harness.press(
        GROUP, msg_id, "topic:film", method="answerCallbackQuery", user_id=DEFAULT_GROUP_USER_ID
    )
    assert "管理员" in answer["text"]
    assert "film" in harness.prefs(GROUP).topics
    (edit,) = await harness.press(GROUP, msg_id, "topic:film", user_id=ADMIN)
    assert "film" not in harness.prefs(GROUP).topics
    assert any(b["text"].startswith("⬜") for b in buttons(edit))


async def test_migration_to_a_supergroup_keeps_the_subscription(harness: Harness) -> None:
    harness.fake.set_admins(GROUP, [ADMIN])
    await harness.say(GROUP, "/subscribe 06:15", user_id=ADMIN)
    await harness.say(GROUP, "/follow 缙云", user_id=ADMIN)
    new_id = -1009999
    harness.fake.push_update(make_migrate_message(GROUP, new_id))
    await harness.eventually(lambda: harness.prefs(new_id) is not None)
    assert harness.prefs(GROUP) is None
    moved = harness.prefs(new_id)
    assert moved.subscribed
    assert moved.time == "06:15"
    assert moved.follows == (JINYUN,)
    assert moved.type == "supergroup"


async def test_chat_migrated_error_on_reply_moves_the_subscription(harness: Harness) -> None:
    await harness.rt.call(chats.ensure_chat, harness.conn, GROUP, "group", "测试群")
    await harness.rt.call(chats.subscribe, harness.conn, GROUP, time="10:00")
    new_id = -1008888
    harness.fake.migrate(GROUP, new_id)
    harness.fake.push_update(make_message(GROUP, "/help"))
    await harness.fake.wait_for("sendMessage", chat_id=GROUP, ok=False)
    await harness.eventually(lambda: harness.prefs(new_id) is not None)
    moved = harness.prefs(new_id)
    assert moved is not None
    assert moved.subscribed
    assert moved.time == "10:00"


async def test_bot_removed_from_group_keeps_settings_and_readding_resumes(
    harness: Harness,
) -> None:
    harness.fake.set_admins(GROUP, [ADMIN])
    await harness.say(GROUP, "/subscribe 07:45", user_id=ADMIN)
    harness.fake.push_update(make_my_chat_member(GROUP, "member", "left"))
    await harness.eventually(lambda: not harness.prefs(GROUP).active)
    harness.fake.push_update(make_my_chat_member(GROUP, "left", "member"))
    await harness.eventually(lambda: harness.prefs(GROUP).active)
    prefs = harness.prefs(GROUP)
    assert prefs.active
    assert prefs.subscribed
    assert prefs.time == "07:45"
