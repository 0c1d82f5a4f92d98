"""Telegram layer of the briefing bot: handlers, formatting, delivery and scheduling.

Everything here is glue: parse the update, call ``briefings``, format, reply.
"""
