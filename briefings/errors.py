"""Domain errors. Each carries a message fit to show a user or an operator as one line.

BriefingError
 ├── InputError        an unreadable file or record (binary, empty, undecodable, missing)
 ├── UnknownRegion     a region name that matches nothing (carries suggestions)
 ├── AmbiguousRegion   a region name that matches several units (carries the candidates)
 └── InvalidArgument   a command argument that is malformed (time, date, id)

``str(exc)`` is Chinese (the CLI and the logs print it); ``exc.text`` is the same message as a
``briefings.i18n.Text``, so the bot shows it in the reader's language (``bot/errors.py``) when it
was raised with a marked message and its parameters: ``InvalidArgument(TOO_LONG, n=3)``.
"""

from __future__ import annotations

from briefings.i18n import N_, Text

UNKNOWN_REGION = N_("找不到地区“{query}”")
UNKNOWN_REGION_HINT = N_("找不到地区“{query}”；你是不是要找：{names}")
AMBIGUOUS_REGION = N_("“{query}”对应多个地区：{names}")


def _names(regions: list | None) -> str:
    return "、".join(getattr(r, "display", str(r)) for r in (regions or [])[:8])


class BriefingError(Exception):
    """Base class: the message is safe and meant for people.

    ``message`` is a marked string (``N_``) formatted with ``params``, or text already composed
    (shown as it is in every language).
    """

    def __init__(self, message: str = "", /, **params: object) -> None:
        text = message if isinstance(message, Text) and not params else Text(message, **params)
        super().__init__(text)
        self.text: Text = text


class InputError(BriefingError):
    """A file or record that cannot be read."""


class InvalidArgument(BriefingError):
    """A malformed argument: a time, a date, an id."""


class UnknownRegion(BriefingError):
    """No region goes by this name."""

    def __init__(self, query: str, suggestions: list | None = None) -> None:
        if suggestions:
            super().__init__(UNKNOWN_REGION_HINT, query=query, names=_names(suggestions))
        else:
            super().__init__(UNKNOWN_REGION, query=query)
        self.query = query
        self.suggestions = list(suggestions or [])


class AmbiguousRegion(BriefingError):
    """Several regions go by this name."""

    def __init__(self, query: str, candidates: list) -> None:
        super().__init__(AMBIGUOUS_REGION, query=query, names=_names(candidates))
        self.query = query
        self.candidates = list(candidates)
