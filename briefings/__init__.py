"""Domain library of the briefing bot: reading, parsing, understanding, storing and composing.

Nothing in this package imports ``telegram``; the bot layer lives in ``bot/``.
"""
