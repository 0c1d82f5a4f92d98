"""What names an article and how its parts join (briefings/stories.py): only printed headings
are ever a headline, a missing start is marked, parts keep their order and their words."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from briefings.models import StoredArticle, TopicScore
from briefings.stories import HEADLINE_CHARS, Headline, headline, join


def article(
    id: int = 1,
    *,
    kind: str = "article",
    title: str = "",
    subtitle: str = "",
    subheads: tuple[str, ...] = (),
    body: str = "正文。",
    continued_from: str = "",
    topics: tuple[TopicScore, ...] = (),
    page: str = "",
) -> StoredArticle:
    return StoredArticle(
        id, "2026-04-15", "浙江日报", page, kind, title, subtitle, "", "", "", body, "",  # type: ignore[arg-type]
        topics, subheads=subheads, continued_from=continued_from,
    )  # fmt: skip


def test_title_and_subtitle_are_shown_together() -> None:
    a = article(title="绍兴推出全流程科技成果转化保障机制", subtitle="保贷联动,守护科创星星之火")
    assert headline(a).plain() == "绍兴推出全流程科技成果转化保障机制｜保贷联动,守护科创星星之火"


def test_a_long_subtitle_gives_way_before_the_title() -> None:
    a = article(title="标" * 40, subtitle="副" * 40)
    shown = headline(a).plain(50)
    assert shown.startswith("标" * 40 + "｜")
    assert len(shown) <= 50


def test_a_continuation_without_its_start_is_marked_and_named_by_its_sub_heads() -> None:
    a = article(kind="continuation", subheads=("打好“电影+”组合拳",), continued_from="第一版")
    h = headline(a)
    assert (h.mark, h.title) == ("（续）上文见第一版", "打好“电影+”组合拳")
    bare = article(kind="continuation", body="绍兴人谢晋是电影艺术家。", continued_from="第1版")
    assert headline(bare).plain() == "（续）上文见第1版 绍兴人谢晋是电影艺术家。…"


def test_a_fragment_shows_its_first_words_as_cut_off() -> None:
    a = article(kind="fragment", body="睛”,周边的风浪、船只、障碍物等,能看得一清二楚。")
    h = headline(a)
    assert h.title == ""
    assert h.plain().startswith("（续）…睛”")


def test_parts_join_in_order_and_their_titles_read_as_sub_heads() -> None:
    film = TopicScore("film", 0.9)
    host = article(
        8, kind="continuation", subheads=("打好“电影+”组合拳",), body="甲。",
        continued_from="第一版", topics=(film,), page="2",
    )  # fmt: skip
    part = article(
        4, title="为中国电影注入更多新的可能", body="乙乙乙。",
        topics=(TopicScore("film", 0.6),), page="2",
    )  # fmt: skip
    whole = join([host, part])
    assert whole.id == 8
    assert whole.body == "甲。\n乙乙乙。"
    assert whole.ids == (8, 4)
    assert whole.subheads == ("打好“电影+”组合拳", "为中国电影注入更多新的可能")
    assert [p.heading for p in whole.parts] == ["", "为中国电影注入更多新的可能"]
    assert whole.page == "2"
    assert whole.continued_from == "第一版"
    # Topic scores weighted by the parts' lengths.
    (score,) = whole.topics
    assert 0.6 < score.score < 0.9


text = st.text(alphabet="缙云茶叶产业增收报道新的可能，。", max_size=60)


units = st.builds(
    article,
    kind=st.sampled_from(["article", "continuation", "fragment", "caption"]),
    title=text,
    subtitle=text,
    subheads=st.lists(text, max_size=3).map(tuple),
    body=text,
    continued_from=st.sampled_from(["", "第一版", "2"]),
)


@given(units, st.integers(20, 120))
def test_only_printed_headings_are_ever_a_headline(a: StoredArticle, limit: int) -> None:
    kind, title, subtitle, subheads = a.kind, a.title, a.subtitle, a.subheads
    h = headline(a)
    assert h.title in {"", title, subtitle, *subheads}
    assert h.subtitle in {"", subtitle, *subheads}
    if h.title:
        assert not h.opening  # first words never stand beside a headline
    f = h.fitted(limit)
    assert len(f.title) + (len(f.subtitle) + 1 if f.subtitle else 0) <= max(
        limit - (len(h.mark) + 1 if h.mark else 0), 24
    )
    if kind == "fragment" and not title:
        assert h.mark == "（续）"


def test_the_default_fits_a_list_line() -> None:
    h = Headline("标" * 100, "副" * 100)
    assert len(h.plain()) <= HEADLINE_CHARS
