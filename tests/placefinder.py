"""A stand-in for briefings.regions.find_mentions in figure tests: place names → adcodes, found
with str.find, as the ``locate`` callback of ``extract_figures`` takes them."""

from __future__ import annotations

from collections.abc import Callable, Mapping

Span = tuple[int, int, str, str]


def locator(
    places: Mapping[str, str], short: Mapping[str, str] | None = None
) -> Callable[[str], list[Span]]:
    """``locate(sentence)``: every occurrence of every name, as (start, end, short name,
    adcode); ``short`` gives the short name of a name printed in full (甘孜州 → 甘孜)."""
    names = dict(short or {})

    def locate(sentence: str) -> list[Span]:
        found = []
        for name, code in places.items():
            i = sentence.find(name)
            while i >= 0:
                found.append((i, i + len(name), names.get(name, name), code))
                i = sentence.find(name, i + 1)
        return sorted(found)

    return locate
