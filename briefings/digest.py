"""The daily briefing: pick and rank verbatim facts from one day's articles into an edition.

Every item is either a figure line built from a confident extracted figure (region ·
period+indicator · the figure's verbatim text) or one or two consecutive sentences copied from
the article body. Nothing is paraphrased, so every number a reader sees can be found in the
source; the score of each item is a sum of named parts (``Item.why``) so a ranking can always
be explained. An ``Edition`` is a neutral structure (sections of plain items with their article
ids and provenance): ``bot/edition_html.py`` renders it as Telegram HTML, ``render_text`` as
plain text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Literal

from briefings.figure_lines import figure_line, figure_problems, unprinted_numbers
from briefings.figures import shown_text
from briefings.i18n import N_, Translator, translator
from briefings.models import DEFAULT_TOPICS, ArticleBundle, StoredArticle
from briefings.normalize import nfkc
from briefings.numbers import number_tokens
from briefings.sentences import ends_statement, split_statements, statements
from briefings.stories import Headline, headline
from briefings.topics import THRESHOLD as TOPIC_THRESHOLD
from briefings.typography import CONTINUED_FROM, lead_marks_end

EDITION_TITLE = N_("浙江经济早报")

# Section key → heading, in display order (translated where shown). "other" is shown only to
# chats that ask for it.
SECTIONS: dict[str, str] = {
    "county": N_("县域亮点"),
    "film": N_("影视产业"),
    "finance": N_("科创金融"),
    "other": N_("其他要闻"),
}
# Interface words of an edition and of provenance lines (the paper's own words stay as printed).
BOOK_TITLE = N_("《{title}》")
ORIGINAL = N_("原文")
UNDATED = N_("日期不详")
NOTHING_TO_SEND = N_("这一天没有可推送的报道。")
SECTION_CAPS = {"county": 8, "film": 5, "finance": 5, "other": 5}
PER_COUNTY_CAP = 2  # county highlights: at most this many items about one county
NEAR_DUPLICATE = 0.8  # character-3-gram Jaccard of bodies at which two articles are one story
_FINGERPRINT_DF_CAP = 16  # a sentence key in more articles than this is boilerplate
_MIN_SHARED = 0.4  # share of fingerprints two candidate duplicates must have in common

# Score weights; Item.why names each part that contributed.
FOLLOW_BONUS = 10.0  # followed counties always rank first
W_FIGURE_ITEM = 2.0
W_PERIOD = 1.0
W_RATE_OR_MONEY = 0.5
W_EARLY = 1.0  # figure from the first paragraph, decaying over the next ten
W_LEAD = 1.5
W_ARTICLE_FIGURES = 0.5  # per figure of the article, at most 5
W_REGIONS = 0.3  # per region the article covers, at most 3
W_TOPIC = 2.0  # times the article's topic score
# Statistics matter more in the film section, news leads more elsewhere (per figure in the
# chosen sentence, at most 3).
W_SENTENCE_FIGURES = {"county": 0.5, "film": 0.8, "finance": 0.4, "other": 0.3}

SentenceKind = Literal["figure", "sentences"]


@dataclass(frozen=True)
class DigestPrefs:
    """What one chat wants: topic sections, followed region adcodes, articles already sent."""

    topics: frozenset[str] = frozenset(DEFAULT_TOPICS)
    follows: tuple[str, ...] = ()
    recently_sent: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Item:
    """One line of the briefing with its provenance. ``text`` is plain and verbatim.

    ``sentence`` is the source the text was taken from: the figure's sentence for figure lines,
    the text itself for sentence items. ``numbers`` lists every number shown, as printed.
    """

    kind: SentenceKind
    text: str
    article_id: int
    source: str
    date: str
    page: str
    region: str
    score: float
    why: str
    numbers: tuple[str, ...]
    title: str = ""
    adcode: str = ""
    sentence: str = ""
    headline: Headline = field(default_factory=Headline)  # names its article (stories.py)

    def source_label(self, limit: int = 48, tr: Translator | None = None) -> tuple[str, str]:
        """(the name of the item's article, what follows it in lighter type): 《title》 and its
        subtitle; a continuation's mark with its sub-heads or first words; else 原文."""
        tr = tr or translator()
        headline = self.headline.in_language(tr)
        h = headline.fitted(limit)
        if h.title and not h.mark:
            return tr(BOOK_TITLE, title=h.title), h.subtitle
        return (headline.plain(limit) or tr(ORIGINAL)), ""


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    items: list[Item]


@dataclass(frozen=True)
class Edition:
    """A composed briefing for one date and one chat's preferences."""

    date: str
    sections: list[Section]
    article_ids: list[int]
    empty: bool
    available: int = 0  # articles on that date before personalisation
    merged: dict[int, tuple[int, ...]] = field(default_factory=dict)  # kept id → duplicates
    already_sent: int = 0  # stories left out because the chat got them in the last days
    unsent: int = 0  # stories left after that (some may fall outside the chat's sections)


# --- sentences ----------------------------------------------------------------------------

# Items quote whole statements of the one sentence rule (briefings.sentences: sentences up to
# 。！？), so a figure's sentence is never cut by an item; datelines and continuation marks are
# typography's.
_MIN_SENTENCE, _MAX_SENTENCE, _PAIR_MAX = 12, 180, 140


@dataclass(frozen=True)
class _Sentence:
    text: str
    start: int  # offset in the body
    index: int  # position among the eligible sentences: 0 is the lead


def _is_quote_only(s: str) -> bool:
    """A sentence that is only a quotation (“……。”) says who-said-what without context."""
    s = s.strip()
    if not s.startswith(("“", "「")):
        return False
    close = "”" if s[0] == "“" else "」"
    return s.find(close) >= len(s) - 2  # the opening quote closes only at the very end


def _sentences(article: StoredArticle) -> list[_Sentence]:
    """Eligible verbatim sentences of the body: datelines stripped, quotes and fragments skipped."""
    body = article.body
    out: list[_Sentence] = []
    first = True
    for span_start, span_end in split_statements(body):
        start, text = span_start, body[span_start:span_end]
        if first and text.strip():
            first = False
            # The body may open with the dateline or a "continued from page 1" note; the text
            # after it is still verbatim, so strip the prefix rather than lose the lead.
            skip = lead_marks_end(text)
            mid = article.kind in ("continuation", "fragment") and not CONTINUED_FROM.match(text)
            start, text = start + skip, text[skip:]
            if mid:
                continue  # a continuation opens mid-sentence
        lead = text.lstrip()
        start += len(text) - len(lead)
        text = lead.rstrip()
        if not (_MIN_SENTENCE <= len(text) <= _MAX_SENTENCE):
            continue
        if not ends_statement(text) or _is_quote_only(text):
            continue
        if text.startswith(("■", "本报记者", "记者", "通讯员")):
            continue
        out.append(_Sentence(text, start, len(out)))
    return out


# --- near duplicates ----------------------------------------------------------------------

_NOT_TEXT = re.compile(r"[\s\W_]+")


def _norm(text: str) -> str:
    return _NOT_TEXT.sub("", nfkc(text)).lower()


def _grams(text: str) -> frozenset[str]:
    t = _norm(text)
    return frozenset(t[i : i + 3] for i in range(len(t) - 2))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def _fingerprints(body: str) -> set[str]:
    # Candidate keys: the head and tail of each sentence, and the heads of each pair of adjacent
    # sentences. Two versions of one story share most of them even when OCR noise touches every
    # sentence somewhere; pairs stay rare when single sentences are boilerplate.
    keys = set()
    heads = []
    for s in statements(body):
        n = _norm(s) if len(s) >= 8 else ""
        if len(n) >= 8:
            keys.add("h" + n[:8])
            keys.add("t" + n[-8:])
            heads.append(n[:8])
    keys.update("p" + a + b for a, b in pairwise(heads))
    return keys


def near_duplicate_groups(bundles: Sequence[ArticleBundle]) -> list[list[int]]:
    """Groups of indices into ``bundles`` that tell the same story (same normalised title, or
    3-gram Jaccard of bodies ≥ NEAR_DUPLICATE). Singletons are included.

    Exact Jaccard runs only on candidate pairs sharing a title or a sentence fingerprint, and
    fingerprints shared by very many articles (boilerplate) are ignored, so this stays fast.
    """
    parent = list(range(len(bundles)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        ri, rj = find(i), find(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)

    by_title: dict[str, int] = {}
    index: dict[str, list[int]] = {}
    for i, b in enumerate(bundles):
        title = _norm(b.article.title)
        if title:
            if title in by_title:
                union(by_title[title], i)
            else:
                by_title[title] = i
        for key in _fingerprints(b.article.body):
            index.setdefault(key, []).append(i)
    shared: dict[tuple[int, int], int] = {}
    sizes = [0] * len(bundles)  # fingerprints of each article that are not boilerplate
    for members in index.values():
        if len(members) > _FINGERPRINT_DF_CAP:
            continue
        for i in members:
            sizes[i] += 1
        if len(members) > 1:
            for x, a in enumerate(members):
                for b in members[x + 1 :]:
                    shared[a, b] = shared.get((a, b), 0) + 1
    # Bodies with 3-gram Jaccard ≥ 0.8 share most sentence heads and tails; a pair sharing few
    # fingerprints is a coincidence and is not worth the exact comparison.
    candidates = [
        pair for pair, n in shared.items() if n >= _MIN_SHARED * min(sizes[pair[0]], sizes[pair[1]])
    ]
    grams: dict[int, frozenset[str]] = {}
    for a, b in sorted(candidates):
        if find(a) == find(b):
            continue
        la, lb = len(bundles[a].article.body), len(bundles[b].article.body)
        if min(la, lb) < NEAR_DUPLICATE * 0.9 * max(la, lb):
            continue  # Jaccard ≥ 0.8 needs similar sizes
        ga = grams.setdefault(a, _grams(bundles[a].article.body))
        gb = grams.setdefault(b, _grams(bundles[b].article.body))
        if jaccard(ga, gb) >= NEAR_DUPLICATE:
            union(a, b)
    groups: dict[int, list[int]] = {}
    for i in range(len(bundles)):
        groups.setdefault(find(i), []).append(i)
    return list(groups.values())


def _richness(b: ArticleBundle) -> tuple[int, int, int]:
    """Which of several duplicates to keep: most figures, then longest body, then oldest id."""
    return (len(b.figures), len(b.article.body), -b.article.id)


# --- sections and items -------------------------------------------------------------------


def _section_of(article: StoredArticle, wanted: frozenset[str]) -> tuple[str, float] | None:
    """The best wanted topic scoring at least the threshold; "other" if none qualifies.

    One section per article, so no story is told twice in an edition.
    """
    scores = {t.topic: t.score for t in article.topics}
    ranked = sorted(
        ((s, k) for k, s in scores.items() if k != "other" and s >= TOPIC_THRESHOLD),
        reverse=True,
    )
    for score, key in ranked:
        if key in wanted and key in SECTIONS:
            return key, score
    if ranked:
        return None  # a strong topic the chat switched off: not "other" news for it
    return ("other", scores.get("other", 0.0)) if "other" in wanted else None


def _is_county_code(adcode: str) -> bool:
    return len(adcode) == 6 and adcode.isdigit() and not adcode.endswith("00")


def _followed(adcode: str, follows: frozenset[str]) -> bool:
    """A county is followed directly or through its city (330722 via 330700)."""
    return bool(adcode) and (adcode in follows or f"{adcode[:4]}00" in follows)


def _paragraph_of(body: str, sentence: str) -> int:
    pos = body.find(sentence) if sentence else -1
    return body.count("\n", 0, pos) if pos >= 0 else 10


def _figure_items(
    b: ArticleBundle,
    topic_score: float,
    follows: frozenset[str],
    names: Mapping[str, str],
) -> list[Item]:
    a = b.article
    items = []
    seen = set()
    for fig in b.figures:
        if not _is_county_code(fig.adcode) or not fig.sentence or fig.text not in fig.sentence:
            continue
        if not fig.confident:
            continue  # shown only when what, whose and where are read from its own sentence
        region = fig.region or names.get(fig.adcode, "")
        key = (fig.adcode, fig.indicator, fig.text)
        shown = figure_line(fig, region=region)
        if key in seen or shown.excerpt:
            continue
        line = shown.plain()
        seen.add(key)
        parts: list[tuple[float, str]] = [(W_FIGURE_ITEM, "figure")]
        if fig.period:
            parts.append((W_PERIOD, f"period {fig.period}"))
        if fig.unit in ("%", "元"):
            parts.append((W_RATE_OR_MONEY, "rate" if fig.unit == "%" else "money"))
        para = _paragraph_of(a.body, fig.sentence)
        early = W_EARLY * max(0.0, 1 - para / 10)
        if early:
            parts.append((early, f"paragraph {para + 1}"))
        parts.append((W_TOPIC * topic_score, f"topic {topic_score:.2f}"))
        if _followed(fig.adcode, follows):
            parts.append((FOLLOW_BONUS, f"followed {region or fig.adcode}"))
        items.append(
            _make_item(
                "figure",
                line,
                b,
                region=region,
                adcode=fig.adcode,
                parts=parts,
                sentence=fig.sentence,
            )
        )
    return items


def _sentence_item(
    b: ArticleBundle,
    section: str,
    topic_score: float,
    follows: frozenset[str],
    names: Mapping[str, str],
) -> Item | None:
    a = b.article
    sentences = _sentences(a)
    if not sentences:
        return None
    fig_texts = [f.text for f in b.figures if f.text]
    w_fig = W_SENTENCE_FIGURES.get(section, 0.3)

    def own(s: _Sentence) -> tuple[float, list[tuple[float, str]]]:
        parts: list[tuple[float, str]] = []
        if s.index == 0:
            parts.append((W_LEAD, "lead sentence"))
        elif s.index < 3:
            parts.append((W_LEAD / (1 + s.index), f"sentence {s.index + 1}"))
        nfig = min(3, sum(1 for t in fig_texts if t in s.text))
        if nfig:
            parts.append((w_fig * nfig, f"{_count(nfig, 'figure')} in text"))
        return sum(p for p, _ in parts), parts

    best = max(sentences, key=lambda s: (own(s)[0], -s.index))
    text = best.text
    nxt = next((s for s in sentences if s.index == best.index + 1), None)
    end = best.start + len(best.text)
    # A short sentence gets its neighbour when they touch in the body: still one verbatim run.
    if nxt and a.body[end : nxt.start] == "" and len(text) + len(nxt.text) <= _PAIR_MAX:
        text += nxt.text
    parts = own(best)[1]
    if b.figures:
        n = min(5, len(b.figures))
        parts.append((W_ARTICLE_FIGURES * n, _count(len(b.figures), "figure")))
    regions = sorted(b.regions, key=lambda r: (-r.count, r.adcode))
    if regions:
        parts.append((W_REGIONS * min(3, len(regions)), _count(len(regions), "region")))
    parts.append((W_TOPIC * topic_score, f"topic {topic_score:.2f}"))
    followed = [r for r in regions if _followed(r.adcode, follows)]
    main = followed[0] if followed else (regions[0] if regions else None)
    region = (main.name or names.get(main.adcode, "")) if main else ""
    adcode = main.adcode if main else ""
    if followed:
        parts.append((FOLLOW_BONUS, f"followed {region or adcode}"))
    return _make_item(
        "sentences", text, b, region=region, adcode=adcode, parts=parts, sentence=text
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' if n != 1 else ''}"


def _make_item(
    kind: SentenceKind,
    text: str,
    b: ArticleBundle,
    *,
    region: str,
    adcode: str,
    parts: list[tuple[float, str]],
    sentence: str,
) -> Item:
    a = b.article
    return Item(
        kind=kind,
        text=text,
        article_id=a.id,
        source=a.source,
        date=a.date,
        page=a.page,
        region=region,
        score=round(sum(p for p, _ in parts), 3),
        why=", ".join(label for _, label in parts),
        numbers=tuple(number_tokens(text)),
        title=a.title,
        adcode=adcode,
        sentence=sentence,
        headline=headline(a),
    )


def _cap_county(ranked: list[Item], limit: int, follows: frozenset[str]) -> list[Item]:
    """Followed counties first (up to PER_COUNTY_CAP each); then spread the rest over counties:
    each county's best item, then second-best ones. The result keeps score order."""
    chosen: list[Item] = []
    taken: dict[str, int] = {}

    def take(items: list[Item], cap: int) -> None:
        for it in items:
            county = it.adcode or f"article:{it.article_id}"
            if taken.get(county, 0) < cap and len(chosen) < limit:
                taken[county] = taken.get(county, 0) + 1
                chosen.append(it)

    take([it for it in ranked if _followed(it.adcode, follows)], PER_COUNTY_CAP)
    for round_ in range(1, PER_COUNTY_CAP + 1):
        take([it for it in ranked if it not in chosen], round_)
    return _rank(chosen)


def _rank(items: list[Item]) -> list[Item]:
    return sorted(items, key=lambda it: (-it.score, it.article_id, it.text))


def compose_edition(
    date: str,
    bundles: Sequence[ArticleBundle],
    prefs: DigestPrefs = DigestPrefs(),
    *,
    region_names: Mapping[str, str] | None = None,
) -> Edition:
    """Compose one chat's briefing for ``date`` from that day's article bundles.

    Near-duplicate articles are merged (the richest kept); a story already sent to the chat in
    any version is dropped; each article feeds one section (its best wanted topic); items are
    ranked by an explainable score with followed counties first and capped per section/county.
    """
    names = dict(region_names or {})
    follows = frozenset(prefs.follows)
    todays = [b for b in bundles if not date or b.article.date == date]
    kept: list[ArticleBundle] = []
    merged: dict[int, tuple[int, ...]] = {}
    already_sent = 0
    for group in near_duplicate_groups(todays):
        members = [todays[i] for i in group]
        # Any part of any version: a story sent before its parts were linked is still sent.
        if any(i in prefs.recently_sent for m in members for i in m.article.ids):
            already_sent += 1
            continue
        best = max(members, key=_richness)
        kept.append(best)
        others = tuple(sorted(m.article.id for m in members if m is not best))
        if others:
            merged[best.article.id] = others

    by_section: dict[str, list[Item]] = {key: [] for key in SECTIONS}
    for b in kept:
        placed = _section_of(b.article, prefs.topics)
        if placed is None:
            continue
        key, score = placed
        figure_items = _figure_items(b, score, follows, names) if key == "county" else []
        if figure_items:
            by_section[key].extend(figure_items)
        else:
            item = _sentence_item(b, key, score, follows, names)
            if item is not None:
                by_section[key].append(item)

    sections: list[Section] = []
    for key, title in SECTIONS.items():
        ranked = _rank(by_section[key])
        if key == "county":
            chosen = _cap_county(ranked, SECTION_CAPS[key], follows)
        else:
            chosen = ranked[: SECTION_CAPS[key]]
        if chosen:
            sections.append(Section(key, title, chosen))
    ids = sorted({it.article_id for s in sections for it in s.items})
    return Edition(
        date,
        sections,
        ids,
        empty=not ids,
        available=len(todays),
        merged=merged,
        already_sent=already_sent,
        unsent=len(kept),
    )


def edition_numbers_verified(edition: Edition, bundles: Sequence[ArticleBundle]) -> list[str]:
    """Problems found checking every number shown against its source; empty means all good.

    Two independent checks. Every number token of an item (``number_tokens``, built from the
    numerals the figure scan reads) must be printed in its source sentence (figure lines) or
    article body (sentence items). And the text itself: a sentence item is verbatim in its body;
    a figure line ends in the shown text of a figure of its article from the same sentence,
    which is verbatim in that sentence and whose value its text parses back to
    (``figure_lines.figure_problems``).
    """
    by_id = {b.article.id: b for b in bundles}
    problems: list[str] = []
    for section in edition.sections:
        for it in section.items:
            b = by_id.get(it.article_id)
            if b is None:
                problems.append(f"{it.article_id}: article missing for {it.text!r}")
                continue
            if it.kind == "sentences":
                source = b.article.body
                if it.text not in source:
                    problems.append(f"{it.article_id}: not verbatim: {it.text!r}")
            else:
                source = it.sentence
                shown = [
                    f
                    for f in b.figures
                    if f.sentence == it.sentence and f.text and it.text.endswith(shown_text(f))
                ]
                if not shown:
                    problems.append(f"{it.article_id}: no figure of the article for {it.text!r}")
                elif all(figure_problems(f) for f in shown):
                    found = "; ".join(figure_problems(shown[0]))
                    problems.append(f"{it.article_id}: {found} in {it.text!r}")
            for n in unprinted_numbers(it.text, source):
                problems.append(f"{it.article_id}: {n!r} not in source of {it.text!r}")
            if tuple(number_tokens(it.text)) != it.numbers:
                problems.append(f"{it.article_id}: numbers field out of date for {it.text!r}")
    return problems


# --- provenance and plain text ------------------------------------------------------------


def format_date(iso: str, *, year: bool = True, tr: Translator | None = None) -> str:
    """2026-04-15 → 2026年4月15日 (or 4月15日), 15 Apr 2026 in English; anything else is
    returned unchanged."""
    return (tr or translator()).date(iso, year=year)


def provenance(
    source: str,
    date: str,
    page: str = "",
    *,
    short_date: bool = False,
    sep: str = " · ",
    tr: Translator | None = None,
) -> str:
    """Where a shown item comes from: 浙江日报 · 4月15日 · 第1版 (第1、2版 for an article whose
    parts span two pages; ``p. 1`` and ``pp. 1, 2`` in English).

    ``short_date`` writes the date as 4月15日 (inside an edition, whose heading has the year);
    ``sep`` joins the parts. Line numbers of the source file are the parser's business, never a
    reader's.
    """
    tr = tr or translator()
    when = tr.date(date, year=False) if short_date and date else date or tr(UNDATED)
    parts = [p for p in (source, when) if p]
    if page:
        pages = page.split("、")
        parts.append(tr.ngettext("第{pages}版", "第{pages}版", len(pages), pages=tr.join(pages)))
    return sep.join(parts)


def item_provenance(it: Item, tr: Translator | None = None) -> str:
    """An edition item's source, date and page (the edition's heading carries the year)."""
    return provenance(it.source, it.date, it.page, short_date=True, tr=tr)


def render_text(edition: Edition, *, title: str = EDITION_TITLE) -> str:
    """Plain text for terminals and logs, with article ids to open with /article."""
    lines = [f"{title} · {format_date(edition.date)}"]
    if edition.empty:
        lines.append(NOTHING_TO_SEND)
    for section in edition.sections:
        lines += ["", f"【{section.title}】"]
        for it in section.items:
            lines.append(f"• {it.text}")
            label, sub = it.source_label()
            label += f" {sub}" if sub else ""
            lines.append(f"  ↳ {label} · {item_provenance(it)} · /article {it.article_id}")
    return "\n".join(lines)
