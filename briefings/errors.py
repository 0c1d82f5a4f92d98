"""Domain errors. Each carries a message fit to show a user or an operator as one line.

BriefingError
 ├── InputError        an unreadable file or record (binary, empty, undecodable, missing)
 ├── UnknownRegion     a region name that matches nothing (carries suggestions)
 ├── AmbiguousRegion   a region name that matches several units (carries the candidates)
 └── InvalidArgument   a command argument that is malformed (time, date, id)
"""

from __future__ import annotations


def _names(regions: list | None) -> str:
    return "、".join(getattr(r, "display", str(r)) for r in (regions or [])[:8])


class BriefingError(Exception):
    """Base class: the message is safe and meant for people."""


class InputError(BriefingError):
    """A file or record that cannot be read."""


class InvalidArgument(BriefingError):
    """A malformed argument: a time, a date, an id."""


class UnknownRegion(BriefingError):
    """No region goes by this name."""

    def __init__(self, query: str, suggestions: list | None = None) -> None:
        hint = f"; 你是不是要找: {_names(suggestions)}" if suggestions else ""
        super().__init__(f"找不到地区“{query}”{hint}")
        self.query = query
        self.suggestions = list(suggestions or [])


class AmbiguousRegion(BriefingError):
    """Several regions go by this name."""

    def __init__(self, query: str, candidates: list) -> None:
        super().__init__(f"“{query}”对应多个地区: {_names(candidates)}")
        self.query = query
        self.candidates = list(candidates)
