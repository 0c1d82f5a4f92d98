"""Continuations across pages: a front-page article and its `(紧接第一版)` rest on page 2 are one
article wherever a reader meets it, whatever order the pages come in; an unsure link is no link.

The pages are synthetic (tests/pages/issue/): page 1 carries three articles, one ending
`(下转第2版)`; page 2 opens with its continuation (a sub-head inside) and has one more article.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from briefings.continuations import choose_start, document_page, keywords, page_number
from briefings.pipeline import ingest_paths
from briefings.store import Store
from briefings.stories import headline

ISSUE = Path(__file__).resolve().parent / "pages" / "issue"
PAGE1 = ISSUE / "zjrb_2026-05-06_p01.txt"
PAGE2 = ISSUE / "zjrb_2026-05-06_p02.txt"
DATE = "2026-05-06"
TEA = "缙云茶产业全链条升级 茶农人均增收三成"


@pytest.fixture
def store(tmp_path: Path):
    with Store.open(tmp_path / "issue.db") as s:
        yield s


def tea(store: Store):
    """The tea article as the store reads it back."""
    (hit,) = [b for b in store.articles_on(DATE) if "茶" in b.article.body[:40]]
    return hit


def continuation_id(store: Store) -> int:
    (row,) = store.conn.execute(
        "SELECT id FROM articles WHERE continued_from != '' AND date = ?", (DATE,)
    ).fetchall()
    return row[0]


@pytest.mark.parametrize("order", [(PAGE1, PAGE2), (PAGE2, PAGE1)], ids=["p1-first", "p2-first"])
def test_a_continuation_joins_its_front_page_start_in_either_order(store: Store, order) -> None:
    for path in order:
        ingest_paths(store, [path])
    bundle = tea(store)
    a = bundle.article
    assert a.title == TEA
    assert len(a.parts) == 2
    assert a.page == "1、2"  # the provenance prints 第1、2版
    assert a.body.index("茶叶加工园区负责人") < a.body.index("茶企和茶农的合作")  # page order
    assert "茶旅融合打开新空间" in a.subheads
    assert not a.continued_from  # its start is known: no (续) mark
    assert headline(a).plain().startswith(TEA)
    # Every read path meets one article: the continuation's id opens the same one.
    assert store.article(continuation_id(store)) == a
    assert [h.article.id for h in store.search("茶旅融合").items] == [a.id]
    assert len([b for b in store.articles_on(DATE) if "茶" in b.article.body[:40]]) == 1
    # Figures and places of both pages belong to the article.
    assert {r.name for r in bundle.regions} >= {"缙云"}
    assert any("10万人次" in f.sentence for f in bundle.figures)


def test_without_its_front_page_a_continuation_says_where_it_starts(store: Store) -> None:
    ingest_paths(store, [PAGE2])
    a = store.article(continuation_id(store))
    assert a is not None
    assert a.continued_from == "第一版"
    assert headline(a).plain() == "（续）上文见第一版 茶旅融合打开新空间"


def test_a_replaced_front_page_is_linked_again(store: Store, tmp_path: Path) -> None:
    ingest_paths(store, [PAGE1, PAGE2])
    first = tea(store).article.id
    edited = tmp_path / PAGE1.name
    edited.write_text(PAGE1.read_text("utf-8").replace("27家", "28家"), "utf-8")
    report = ingest_paths(store, [edited], date=DATE)
    assert report.replaced == 1
    again = tea(store).article
    assert again.id != first  # the new version of page 1 has new ids
    assert len(again.parts) == 2
    assert "28家" in again.body


def test_without_the_jump_mark_on_the_start_nothing_is_linked(store: Store, tmp_path) -> None:
    """Shared words alone are no evidence: on the dev set's themed pages a decoy shares as
    many as the true start (bench/eval_reader.py). The continuation stays marked (续)."""
    unmarked = tmp_path / PAGE1.name
    unmarked.write_text(PAGE1.read_text("utf-8").replace("(下转第2版)", ""), "utf-8")
    ingest_paths(store, [unmarked, PAGE2])
    a = store.article(continuation_id(store))
    assert a is not None
    assert not a.parts
    assert headline(a).plain().startswith("（续）上文见第一版")


def test_a_page_of_another_day_or_paper_is_never_linked(store: Store, tmp_path: Path) -> None:
    ingest_paths(store, [PAGE1])
    for n, options in enumerate([{"date": "2026-05-07"}, {"source": "钱江晚报"}]):
        other = tmp_path / f"other{n}" / PAGE2.name
        other.parent.mkdir()
        other.write_text(PAGE2.read_text("utf-8") + f"\n（{n}）\n", "utf-8")  # not a duplicate
        assert ingest_paths(store, [other], **options).added == 1
    conts = store.conn.execute(
        "SELECT count(*), count(part_of) FROM articles WHERE continued_from != ''"
    ).fetchone()
    assert conts == (2, 0)


def test_two_continuations_claiming_one_start_are_both_left_alone(store: Store, tmp_path) -> None:
    twice = tmp_path / PAGE2.name
    text = PAGE2.read_text("utf-8")
    first = text.split("义乌小商品出口订单饱满")[0]
    twice.write_text(text + "\n" + first.split("第2版 要闻")[1], "utf-8")
    ingest_paths(store, [PAGE1, twice])
    conts = store.conn.execute(
        "SELECT count(*), count(part_of) FROM articles WHERE continued_from != ''"
    ).fetchone()
    assert conts == (2, 0)


# ---- the rule itself ------------------------------------------------------------------------


def kw(*words: str) -> Counter[str]:
    return keywords("，".join(w for w in words for _ in range(2)))


def test_a_marked_start_needs_one_shared_keyword_unless_the_marks_pair_up() -> None:
    cont = kw("茶叶", "茶园")
    assert choose_start(cont, [(1, True, kw("茶叶")), (2, False, kw("港口"))]) == 1
    assert choose_start(cont, [(1, True, kw("港口")), (2, False, kw("茶叶"))]) is None
    # The only jump from that page and the only continuation from it: the marks pair them.
    assert choose_start(cont, [(1, True, kw("港口")), (2, False, kw("茶叶"))], paired=True) == 1


def test_an_unmarked_start_is_never_chosen() -> None:
    cont = kw("茶叶", "茶园", "茶农", "加工")
    clear = [(1, False, kw("茶叶", "茶园", "茶农")), (2, False, kw("港口"))]
    assert choose_start(cont, clear) is None
    assert choose_start(cont, clear, paired=True) is None


def test_among_several_marked_starts_the_vocabulary_decides() -> None:
    cont = kw("茶叶", "茶园", "茶农", "加工")
    clear = [(1, True, kw("茶叶", "茶园", "茶农")), (2, True, kw("港口"))]
    assert choose_start(cont, clear) == 1
    close = [(1, True, kw("茶叶", "茶园")), (2, True, kw("茶农", "加工"))]
    assert choose_start(cont, close) is None


@pytest.mark.parametrize(
    ("label", "number"),
    [("第一版", "1"), ("一", "1"), ("第1版", "1"), ("01", "1"), ("第十二版", "12"),
     ("二十三", "23"), ("A2", "A2"), ("第A2版", "A2"), ("a3", "A3"), ("要闻", ""), ("", "")],
)  # fmt: skip
def test_page_labels_are_read_in_one_form(label: str, number: str) -> None:
    assert page_number(label) == number


@pytest.mark.parametrize(
    ("page", "path", "number"),
    [("", "pages/2020-01-02-p07.txt", "7"), ("3", "x-p07.txt", "3"), ("", "zjrb_第4版.txt", "4"),
     ("", "sample_page_2026-04-15.txt", ""), ("", "page12.txt", "12")],
)  # fmt: skip
def test_a_documents_page_comes_from_its_masthead_or_file_name(page, path, number) -> None:
    assert document_page(page, path) == number


_CN = "零一二三四五六七八九"


@given(st.integers(1, 99))
def test_every_page_number_reads_the_same_in_digits_and_chinese(n: int) -> None:
    tens, ones = divmod(n, 10)
    cn = _CN[n] if n < 10 else ("" if tens == 1 else _CN[tens]) + "十" + (_CN[ones] if ones else "")
    assert page_number(f"第{cn}版") == page_number(f"第{n}版") == page_number(f"{n:02d}") == str(n)
