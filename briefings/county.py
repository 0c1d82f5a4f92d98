"""What a reader's text names, and what the bot shows about a place.

``place_or_search`` is the one rule deciding whether free text (a private message, an inline
query) names a place or is a search; ``county_view`` gathers what a county card shows. Both are
blocking (the gazetteer, SQLite): the bot runs them on its worker thread, and region
suggestions, which need no database, on its CPU pool (``suggest_regions``).
"""

from __future__ import annotations

from dataclasses import dataclass

from briefings import chats, segment
from briefings.errors import AmbiguousRegion, BriefingError
from briefings.models import Region, StoredArticle, StoredFigure
from briefings.ranking import has_comparables
from briefings.regions import Gazetteer, find_mentions, load_gazetteer
from briefings.search import SearchPage

# Free text longer than this (after folding blanks) is not a place name: it is searched.
MAX_PLACE_CHARS = 24
# What a county view holds by default: the latest articles naming the place, its latest figures.
VIEW_ARTICLES = 5
VIEW_FIGURES = 6


def _gazetteer() -> Gazetteer:
    return load_gazetteer()


def warm_up() -> None:
    """Load what the first county card or search would otherwise wait for (blocking)."""
    find_mentions("丽水市缙云县")  # builds the gazetteer's matcher and loads the segmenter
    segment.cut("缙云")


def lookup(name: str, *, suggest: bool = True) -> Region:
    """The region ``name`` names (缙云, 丽水缙云, 縉雲, jinyun, 331122); UnknownRegion (with
    suggestions unless ``suggest`` is False) or AmbiguousRegion otherwise."""
    return _gazetteer().lookup(name, suggest=suggest)


def quiet_lookup(name: str) -> Region:
    """``lookup`` without suggestions (2-50 ms): free text that is not a place is searched
    instead, and a caller that wants them computes them off the SQLite thread."""
    return lookup(name, suggest=False)


def suggest_regions(name: str) -> list[Region]:
    """Close names for an unknown one (CPU only, bounded)."""
    return _gazetteer().suggest(name)


def region_by_adcode(adcode: str) -> Region | None:
    return _gazetteer().by_adcode(adcode)


@dataclass(frozen=True)
class PlaceMatch:
    """What free text names: one place, several equally good candidates, or nothing."""

    regions: tuple[Region, ...] = ()
    ambiguous: bool = False

    @property
    def place(self) -> Region | None:
        """The one place named, if exactly one is."""
        return self.regions[0] if len(self.regions) == 1 and not self.ambiguous else None


def place_or_search(text: str) -> PlaceMatch:
    """The one rule for free text: short text the gazetteer reads as a place names it (or its
    candidates, when ambiguous); anything else (long text, unknown names) is a search."""
    folded = " ".join(text.split())
    if not folded or len(folded) > MAX_PLACE_CHARS:
        return PlaceMatch()
    try:
        return PlaceMatch((quiet_lookup(folded),))
    except AmbiguousRegion as exc:
        return PlaceMatch(tuple(exc.candidates), ambiguous=True)
    except BriefingError:
        return PlaceMatch()


@dataclass(frozen=True)
class CountyView:
    """What the bot shows about a place: its latest articles and figures, when it was last
    mentioned, whether the chat follows it, and other places going by the same name."""

    region: Region
    articles: tuple[StoredArticle, ...]
    figures: tuple[StoredFigure, ...]
    last_mention: str | None
    followed: bool = False
    alternatives: tuple[Region, ...] = ()
    chartable: bool = False  # has comparable figures: /chart can draw something (ranking.py)

    @property
    def empty(self) -> bool:
        return not self.articles and not self.figures


def county_view(
    store,
    region: Region,
    *,
    chat_id: int | None = None,
    articles: int = VIEW_ARTICLES,
    figures: int = VIEW_FIGURES,
) -> CountyView:
    """A place's view for ``chat_id`` (None: nobody's, so not followed)."""
    followed = chat_id is not None and region.adcode in store.run(chats.follows, chat_id)
    return CountyView(
        region=region,
        articles=tuple(store.county_articles(region.adcode, limit=articles)),
        figures=tuple(store.county_figures(region.adcode, limit=figures)),
        last_mention=store.last_mention_date(region.adcode),
        followed=followed,
        alternatives=tuple(_gazetteer().alternatives(region)),
        chartable=store.run(has_comparables, region.adcode),
    )


def named_view(store, name: str, *, chat_id: int | None = None) -> CountyView:
    """The view of the place ``name`` names, in one trip to the worker thread (no suggestions:
    an UnknownRegion gets them from the CPU pool)."""
    return county_view(store, quiet_lookup(name), chat_id=chat_id)


def view_or_search(
    store, text: str, *, chat_id: int | None = None, search_limit: int = 5
) -> CountyView | SearchPage:
    """Free text: the view of the one place it names, else the first page of its search."""
    place = place_or_search(text).place
    if place is not None:
        return county_view(store, place, chat_id=chat_id)
    return store.search(text, limit=search_limit)
