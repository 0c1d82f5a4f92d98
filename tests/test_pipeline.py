"""The whole pipeline on the sample page, against expectations written by reading the page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefings.models import Document
from briefings.pipeline import analyze_document
from briefings.reading import read_documents

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "data" / "sample_page_2026-04-15.txt"
EXPECTED = json.loads(
    (Path(__file__).parent / "expected" / "sample_page_analysis.json").read_text()
)


@pytest.fixture(scope="module")
def units():
    (doc,) = read_documents(SAMPLE)
    return [u.to_json() for u in analyze_document(doc)]


def test_sample_page_date_comes_from_the_file_name():
    (doc,) = read_documents(SAMPLE)
    assert doc.date == "2026-04-15"
    assert doc.source == "浙江日报"
    assert doc.kind == "page"


def test_sample_page_has_the_expected_units(units):
    assert [u["kind"] for u in units] == [e["kind"] for e in EXPECTED["units"]]
    for got, want in zip(units, EXPECTED["units"], strict=True):
        for key in ("title", "subtitle", "dateline", "continued_from", "subheads"):
            if key in want:
                assert got[key] == want[key], (key, got[key])


@pytest.mark.parametrize("index", range(len(EXPECTED["units"])))
def test_county_mentions_are_counted_per_unit(units, index):
    want = EXPECTED["units"][index]
    got = {r["name"]: r for r in units[index]["regions"] if r["level"] == "county"}
    zhejiang = {name: r["count"] for name, r in got.items() if r["province"] == "浙江省"}
    assert zhejiang == want["counties"]
    for name, province in want.get("out_of_province", {}).items():
        assert got[name]["province"] == province
    for name, adcode in want.get("adcodes", {}).items():
        assert got[name]["adcode"] == adcode
    for name in want.get("not_counties", []):
        assert name not in got


@pytest.mark.parametrize("index", range(len(EXPECTED["units"])))
def test_required_figures_are_extracted_and_attributed(units, index):
    want = EXPECTED["units"][index]
    figures = units[index]["figures"]
    for w in want.get("figures", []):
        matches = [
            f for f in figures if f["text"] == w["text"] and w["indicator"] in f["indicator"]
        ]
        assert matches, f"missing {w} in {[(f['indicator'], f['text']) for f in figures]}"
        f = matches[0]
        assert f["region"] == w["region"], (w, f)
        if w["period"] is not None:
            assert f["period"] == w["period"], (w, f)
    texts = [f["text"] for f in figures]
    for bad in want.get("not_figures", []):
        assert bad not in texts
    for text in want.get("unattributed", []):
        assert [f["region"] for f in figures if f["text"] == text] == [""]


@pytest.mark.parametrize("index", range(len(EXPECTED["units"])))
def test_topics_match_what_the_unit_is_about(units, index):
    want = EXPECTED["units"][index]
    if "topics" in want:
        assert units[index]["topics"][0]["topic"] == want["topics"][0]


def test_every_figure_is_verbatim_from_its_sentence_and_the_sentence_from_the_page(units):
    page = SAMPLE.read_text(encoding="utf-8").replace("\n", "")
    for u in units:
        for f in u["figures"]:
            assert f["text"] in f["sentence"]
            assert f["sentence"] in u["body"].replace("\n", "")
            # Column breaks are rejoined, so compare against the page without line ends.
            assert f["text"] in page


def test_film_parts_scattered_on_the_page_are_linked(units):
    film_block = next(i for i, u in enumerate(units) if u["title"] == "为中国电影注入更多新的可能")
    continuation = next(i for i, u in enumerate(units) if u["kind"] == "continuation")
    assert (
        units[film_block]["part_of"] == continuation or units[continuation]["part_of"] == film_block
    )


PIECES = "缙云县义乌前两个月增长13.1%,。超千亿元■本报记者\n ——(紧接第一版)"


@settings(max_examples=60, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(
            list("缙云县义乌前两个月增长13.1%,。超千亿元■本报记者\n ——(紧接第一版)")
        ),
        max_size=400,
    )
)
def test_analysis_never_raises_and_figures_stay_verbatim(text):
    doc = Document(kind="page", text=text, source="浙江日报", date="2026-04-15")
    for unit in analyze_document(doc):
        for f in unit.figures:
            assert f.text in f.sentence


def test_a_city_named_in_the_headline_takes_the_unattributed_figures():
    text = (
        "宁波前4个月外贸进出口增长9.6%\n\n"
        "本报讯 今年前4个月,宁波外贸进出口总值4860.3亿元,同比增长9.6%。\n\n"
        "从贸易方式看,一般贸易进出口3680亿元,占比75.7%。\n\n"
        "从区域看,北仑、鄞州进出口额位居前列。其中北仑进出口1120亿元,同比增长10.8%。\n\n"
        "北仑港区建设加快推进。\n"
    )
    doc = Document(kind="article", text=text, source="宁波日报", date="2026-06-03")
    (unit,) = analyze_document(doc)
    by_text = {f.text: f.region for f in unit.figures}
    assert by_text["3680亿元"] == "宁波"
    assert by_text["1120亿元"] == "北仑"
