"""The domain services behind /county, free text and inline queries: what a county view holds,
and the one rule deciding whether text names a place or is a search."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefings import chats
from briefings.county import (
    MAX_PLACE_CHARS,
    CountyView,
    county_view,
    named_view,
    place_or_search,
    quiet_lookup,
    region_by_adcode,
    view_or_search,
)
from briefings.errors import AmbiguousRegion, BriefingError, UnknownRegion
from briefings.models import Region
from briefings.search import SearchPage
from briefings.store import Store

JINYUN = "331122"
KAIHUA = "330824"  # a county the sample page does not mention


@pytest.fixture
def store(bot_db: Path) -> Iterator[Store]:
    with Store.open(bot_db) as s:
        yield s


def test_a_county_view_holds_the_latest_articles_and_figures_of_the_place(store: Store):
    jinyun = region_by_adcode(JINYUN)
    assert jinyun is not None
    view = county_view(store, jinyun)
    assert view.region == jinyun
    assert view.articles
    assert view.articles == tuple(sorted(view.articles, key=lambda a: -a.id))  # newest first
    assert any("525亿元" in sf.figure.text for sf in view.figures)
    assert all(sf.figure.adcode == JINYUN for sf in view.figures)
    assert view.last_mention == view.articles[0].date
    assert not view.followed
    assert not view.empty


def test_a_county_view_is_capped_and_says_when_nothing_is_stored(store: Store):
    jinyun = region_by_adcode(JINYUN)
    kaihua = region_by_adcode(KAIHUA)
    assert jinyun is not None
    assert kaihua is not None
    small = county_view(store, jinyun, articles=1, figures=1)
    assert (len(small.articles), len(small.figures)) == (1, 1)
    empty = county_view(store, kaihua)
    assert empty.empty
    assert empty.last_mention is None


def test_a_county_view_knows_whether_the_chat_follows_the_place(store: Store):
    jinyun = region_by_adcode(JINYUN)
    assert jinyun is not None
    store.run(chats.ensure_chat, 77, "private")
    store.run(chats.follow, 77, JINYUN)
    assert county_view(store, jinyun, chat_id=77).followed
    assert not county_view(store, jinyun, chat_id=78).followed
    assert not county_view(store, jinyun).followed  # nobody's view


def test_a_view_names_other_places_of_the_same_name():
    putuo = quiet_lookup("普陀")
    assert putuo.adcode.startswith("3309")  # 舟山's, the focus province first
    with Store.open(":memory:") as empty:
        view = county_view(empty, putuo)
    assert any(r.adcode.startswith("31") for r in view.alternatives)  # 上海's 普陀


def test_named_view_looks_up_without_suggestions(store: Store):
    assert named_view(store, "jinyun").region.adcode == JINYUN
    with pytest.raises(UnknownRegion) as caught:
        named_view(store, "缙去")
    assert caught.value.suggestions == []


@pytest.mark.parametrize(
    "text", ["缙云", "缙云县", "丽水缙云", "縉雲", "jinyun", "331122", " 缙云 "]
)
def test_text_naming_one_place_is_that_place(text: str):
    match = place_or_search(text)
    assert match.place is not None
    assert match.place.adcode == JINYUN


def test_an_ambiguous_name_offers_its_candidates_and_no_single_place():
    match = place_or_search("鼓楼")
    assert match.ambiguous
    assert match.place is None
    assert len(match.regions) >= 2


@pytest.mark.parametrize(
    "text", ["保贷联动", "缙去", "", "   ", "缙云" * 13, "浙江省丽水市缙云县的规上工业总产值是多少"]
)
def test_other_text_is_a_search(text: str):
    assert place_or_search(text).regions == ()


def test_free_text_gives_the_view_of_a_place_or_the_first_search_page(store: Store):
    found = view_or_search(store, "缙云", chat_id=5)
    assert isinstance(found, CountyView)
    assert found.region.adcode == JINYUN
    page = view_or_search(store, "保贷联动", search_limit=3)
    assert isinstance(page, SearchPage)
    assert page.items
    assert len(page.items) <= 3
    assert isinstance(view_or_search(store, "鼓楼"), SearchPage)  # ambiguous: searched


_PLACE_LIKE = st.sampled_from(
    ["缙云", "缙云县", "丽水缙云", "縉雲", "jinyun", "331122", "普陀", "鼓楼", "缙去", "杭州"]
)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(max_size=40),
        _PLACE_LIKE,
        st.tuples(st.text(" \t\n\u3000", max_size=3), _PLACE_LIKE).map("".join),
        _PLACE_LIKE.map(lambda s: s * 9),
    )
)
def test_place_or_search_on_any_text_agrees_with_the_gazetteer(text: str):
    match = place_or_search(text)  # never raises
    folded = " ".join(text.split())
    if not folded or len(folded) > MAX_PLACE_CHARS:
        assert match.regions == ()
        return
    expected: Region | BriefingError
    try:
        expected = quiet_lookup(folded)
    except BriefingError as exc:
        expected = exc
    if isinstance(expected, AmbiguousRegion):
        assert match.ambiguous
        assert match.place is None
        assert match.regions == tuple(expected.candidates)
    elif isinstance(expected, BriefingError):
        assert match.regions == ()
    else:
        assert match.place == expected
        assert not match.ambiguous
