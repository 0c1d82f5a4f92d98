"""Our reply buttons (``bot.cards.Button`` rows) as Telegram's inline keyboards.

Shared by the PTB adapters of commands (``bot.app``) and of inline mode (``bot.inline``), so
that neither imports the other.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.cards import Keyboard


def keyboard(rows: Keyboard) -> InlineKeyboardMarkup | None:
    """Our Button rows as Telegram's inline keyboard (None when there are no buttons)."""
    if not rows:
        return None
    out = []
    for row in rows:
        line = []
        for b in row:
            if b.url:
                line.append(InlineKeyboardButton(b.text, url=b.url))
            elif b.inline_query:
                line.append(InlineKeyboardButton(b.text, switch_inline_query=b.inline_query))
            else:
                line.append(InlineKeyboardButton(b.text, callback_data=b.data))
        out.append(line)
    return InlineKeyboardMarkup(out)
