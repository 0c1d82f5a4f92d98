"""What users see of a figure: only confident figures become figure lines; the rest are shown
as their sentence or left out. Also: subject, role and confident survive the store and JSON."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from pathlib import Path

import pytest

from bot.cards import figure_line
from briefings.digest import compose_edition, edition_numbers_verified
from briefings.migrations import MIGRATIONS
from briefings.models import (
    AnalyzedUnit,
    ArticleBundle,
    Document,
    Figure,
    StoredArticle,
    TopicScore,
    Unit,
)
from briefings.store import Store

SENTENCE = "义乌前两个月规上工业增加值仍增长13.1%,制造业投资猛增43.3%。"
GROWTH = Figure(
    indicator="规上工业增加值增速",
    value=13.1,
    unit="%",
    text="13.1%",
    period="前两个月",
    region="义乌",
    adcode="330782",
    sentence=SENTENCE,
    confident=True,
)
UNSURE = dataclasses.replace(
    GROWTH, indicator="制造业投资增速", value=43.3, text="43.3%", confident=False
)


def test_a_confident_figure_is_a_figure_line():
    line = figure_line(GROWTH, date="2026-04-15", source="浙江日报")
    assert "规上工业增加值增速" in line
    assert "<b>13.1%</b>" in line


def test_an_unconfident_figure_is_shown_as_its_sentence_with_the_number_in_bold():
    line = figure_line(UNSURE, date="2026-04-15", source="浙江日报")
    assert "制造业投资增速" not in line  # no indicator the text does not print
    assert "制造业投资猛增<b>43.3%</b>" in line
    assert "义乌前两个月规上工业增加值仍增长13.1%" in line


def bundle(*figures: Figure) -> ArticleBundle:
    article = StoredArticle(
        id=1,
        date="2026-04-15",
        source="浙江日报",
        page="1",
        kind="article",
        title="义乌工业增速领跑",
        subtitle="",
        kicker="",
        section="要闻",
        dateline="",
        body=SENTENCE,
        url="",
        topics=(TopicScore("county", 0.9),),
    )
    return ArticleBundle(article, (), figures)


def figure_items(figures: tuple[Figure, ...]) -> list[str]:
    edition = compose_edition("2026-04-15", [bundle(*figures)], region_names={"330782": "义乌"})
    assert edition_numbers_verified(edition, [bundle(*figures)]) == []
    return [it.text for s in edition.sections for it in s.items if it.kind == "figure"]


def test_the_digest_shows_figure_lines_only_for_confident_figures():
    items = figure_items((GROWTH, UNSURE))
    assert any("13.1%" in t for t in items)
    assert not any("43.3%" in t for t in items)


def test_an_old_value_is_never_a_figure_line():
    old = dataclasses.replace(GROWTH, role="from", confident=False)
    assert figure_items((old,)) == []


@pytest.fixture
def store(tmp_path: Path):
    with Store.open(tmp_path / "briefings.db") as s:
        yield s


def test_subject_role_and_confidence_are_stored_and_read_back(store: Store, tmp_path: Path):
    shared = Figure(
        indicator="家电营收",
        value=1e11,
        unit="元",
        text="超千亿元",
        qualifier="超",
        region="慈溪",
        adcode="330282",
        sentence="家电是慈溪最厚实的家底——超千亿元营收。",
        subject="家电",
        role="shared",
        confident=True,
    )
    unit = Unit(kind="article", title="慈溪", paragraphs=[shared.sentence])
    doc = Document(kind="page", text=shared.sentence, source="浙江日报", date="2026-04-15")
    store.save_document(doc, [AnalyzedUnit(unit, figures=[shared, GROWTH, UNSURE])])
    (read,) = store.articles_on("2026-04-15")
    assert read.figures == (shared, GROWTH, UNSURE)
    conn = sqlite3.connect(tmp_path / "briefings.db")
    try:
        rows = conn.execute("SELECT subject, role, confident FROM figures ORDER BY seq").fetchall()
    finally:
        conn.close()
    assert rows == [("家电", "shared", 1), ("", "current", 1), ("", "current", 0)]


def test_the_figure_columns_come_from_an_appended_migration():
    names = [name for name, _ in MIGRATIONS]
    # Appended after the schema it alters, never edited into an earlier migration.
    assert names.index("0010_figures_subject_role") > names.index("0003_mention_names")
    assert len(names) == len(set(names))


def test_figures_in_json_carry_subject_role_and_confidence():
    data = json.loads(json.dumps(dataclasses.replace(GROWTH, subject="义乌").to_json()))
    assert {k: data[k] for k in ("subject", "role", "confident")} == {
        "subject": "义乌",
        "role": "current",
        "confident": True,
    }
    assert {"indicator", "value", "unit", "text", "qualifier", "period", "region", "adcode"} <= set(
        data
    )


@pytest.mark.parametrize(
    ("sentence", "shown"),
    [
        ("全年缙云县茶叶产量达1850吨，同比增长5%。", "达1850吨"),
        ("全年縉雲縣茶葉產量達1850噸，同比增長5%。", "達1850噸"),
        ("全年缙云县茶叶产量达1850噸。", "达1850噸"),
        ("全年縉雲縣茶葉產量高達1850噸。", "高達1850噸"),
    ],
)
def test_a_qualifier_word_is_shown_in_traditional_text_too(sentence: str, shown: str):
    from briefings.figures import shown_text
    from briefings.parsing import parse_article
    from briefings.pipeline import analyze_unit

    unit = parse_article("縉雲茶葉豐收\n\n" + sentence)[0]
    texts = [shown_text(f) for f in analyze_unit(unit).figures]
    assert shown in texts
    assert all(t in sentence for t in texts)  # verbatim, as printed
