"""The one place where failures become messages: domain errors for users, tracebacks for admins.

Domain errors (``briefings.errors``) carry a message meant for people, so users see it, in their
language (``exc.text`` said again by ``tr``; ``str(exc)`` stays Chinese for the CLI and logs).
Unknown and ambiguous regions also get their candidates as buttons. Anything else is a bug: the
user gets a short apology and the bot's admins the escaped traceback (in Chinese, for operators).
"""

from __future__ import annotations

import traceback

from bot import cards
from bot.cards import Reply
from bot.redact import redact
from bot.telegram_html import MESSAGE_LIMIT, escape, visible_len
from briefings.errors import AmbiguousRegion, BriefingError, UnknownRegion
from briefings.i18n import CHINESE, N_, Translator

APOLOGY = N_("抱歉，处理这条消息时出错了，管理员已收到通知。请稍后再试。")
APOLOGY_TOAST = N_("出错了，请稍后再试")

# Room left for the header around the traceback in an admin message.
_TRACE_BUDGET = 3600


def domain_reply(exc: BriefingError, command: str = "county", tr: Translator = CHINESE) -> Reply:
    """What the user sees for an expected failure: the message, or region candidates offered
    for the command the user typed (``/follow 缙去`` suggests following a place)."""
    if isinstance(exc, AmbiguousRegion):
        return cards.region_choices(
            exc.query, exc.candidates, ambiguous=True, command=command, tr=tr
        )
    if isinstance(exc, UnknownRegion):
        return cards.region_choices(
            exc.query, exc.suggestions, ambiguous=False, command=command, tr=tr
        )
    text = tr.text(getattr(exc, "text", None) or str(exc))
    return Reply(f"⚠️ {escape(cards.clip(text, 500))}", toast=cards.clip(text, 190))


def apology(tr: Translator = CHINESE) -> Reply:
    """The user's side of an unexpected error: short, no internals."""
    return Reply(escape(tr(APOLOGY)), toast=tr(APOLOGY_TOAST))


def _tail(text: str, budget: int) -> str:
    """The end of a traceback (where the cause is), cut at a line start to fit ``budget``."""
    if len(text) <= budget:
        return text
    cut = text[-budget:]
    nl = cut.find("\n")
    return "…\n" + (cut[nl + 1 :] if 0 <= nl < 200 else cut)


def admin_report(exc: BaseException, where: str = "") -> str:
    """HTML for admins: where it happened and the escaped traceback, trimmed to one message."""
    # Bot API errors carry the request URL, and so the token: never send it to a chat.
    trace = redact("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
    head = f"⚠️ <b>未处理的异常</b> {escape(type(exc).__name__)}"
    if where:
        head += f"\n{escape(cards.clip(redact(where), 300))}"
    body = _tail(trace, _TRACE_BUDGET)
    text = f"{head}\n<pre>{escape(body)}</pre>"
    while visible_len(text) > MESSAGE_LIMIT and len(body) > 100:
        body = _tail(body, len(body) // 2)
        text = f"{head}\n<pre>{escape(body)}</pre>"
    return text
