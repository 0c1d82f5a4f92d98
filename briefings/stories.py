"""A linked article as one article: its parts joined in reading order, and the headline a
reader sees for it.

Pages scatter articles: a block of the same article higher up the page, the continuation of a
front-page article (``(紧接第一版)``). The parser links parts on one page and
``briefings/continuations.py`` links continuations across pages, both in ``articles.part_of``;
the store's read paths join every part into its host (``join``), so search, cards, sections,
the digest, inline results and ``/article`` all meet one article. ``headline`` is the one rule
for what names an article wherever it is listed: its printed title and subtitle; for a part
whose start is missing, a mark that says so (``（续）上文见第一版``) with its printed sub-heads or
its first words, never a body sentence dressed as a headline.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from briefings.i18n import N_, Text, Translator
from briefings.models import ArticlePart, StoredArticle, TopicScore

# Characters of a listed headline (title, subtitle and mark together) unless a caller asks
# otherwise; a title alone is never cut below this.
HEADLINE_CHARS = 60
# First words shown for an article with no printed heading.
OPENING_CHARS = 24
# A subtitle squeezed below this many characters says nothing: it is left out instead.
MIN_SUBTITLE_CHARS = 6
ELLIPSIS = "…"
SEPARATOR = "｜"  # between title and subtitle in plain text


def _clip(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: max(limit - 1, 0)] + ELLIPSIS


# Our marks, not the paper's: said in the reader's language (``Headline.in_language``).
CONTINUED = N_("（续）")
CONTINUED_FROM = N_("（续）上文见{page}")
PHOTO = N_("（图）")
PAGE = N_("第{page}版")
_CN_NUMERALS = "一二三四五六七八九十"


def page_label(page: str) -> str:
    """The bare label of a printed page: 第一版 → 1, 第 2 版 → 2, A1版 → A1, 3 → 3."""
    label = "".join(page.split()).removeprefix("第").removesuffix("版")
    if label and all(c in _CN_NUMERALS for c in label):
        from briefings.numbers import parse_number

        value = parse_number(label)
        if value is not None and value == int(value):
            return str(int(value))
    return label


def page_text(page: str) -> Text:
    """A page named as printed (第一版, or 第2版 for a bare ``2``), ``p. 1`` in English."""
    where = page if page.startswith("第") or page.endswith("版") else f"第{page}版"
    return Text(PAGE, page=page_label(page), zh=where)


def continued_mark(page: str) -> str:
    """``（续）上文见第一版`` for a continuation whose start is on ``page`` (第一版, 1, A1)."""
    if not page:
        return Text(CONTINUED)
    return Text(CONTINUED_FROM, page=page_text(page))


@dataclass(frozen=True)
class Headline:
    """What names an article in a list, as printed: title and subtitle, or (when the article's
    start is missing) a mark and its sub-heads or first words.

    ``title`` and ``subtitle`` are printed headings (the subtitle is shown lighter); ``mark`` is
    our note, not the paper's (``（续）上文见第一版``, ``（续）``, ``（图）``); ``opening`` is the
    first words of the text, shown as text, never as a headline.
    """

    title: str = ""
    subtitle: str = ""
    mark: str = ""
    opening: str = ""

    def fitted(self, limit: int = HEADLINE_CHARS) -> Headline:
        """The same headline within about ``limit`` characters: the opening and the subtitle
        give way first; the title is cut only when it alone is longer."""
        room = max(limit - (len(self.mark) + 1 if self.mark else 0), OPENING_CHARS)
        title = _clip(self.title, room) if self.title else ""
        subtitle = ""
        if self.subtitle and title:
            left = room - len(title) - 1
            if left >= MIN_SUBTITLE_CHARS:
                subtitle = _clip(self.subtitle, left)
        opening = ""
        if self.opening and not title:
            opening = _clip(self.opening, min(room, OPENING_CHARS))
            if not opening.endswith(ELLIPSIS):
                opening += ELLIPSIS
        return Headline(title, subtitle, self.mark, opening)

    def plain(self, limit: int = HEADLINE_CHARS) -> str:
        """One line of plain text: ``title｜subtitle``, ``（续）上文见第一版 小标题``."""
        h = self.fitted(limit)
        return h.after_mark(h.title + (SEPARATOR + h.subtitle if h.subtitle else "") + h.opening)

    def in_language(self, tr: Translator) -> Headline:
        """The same headline with our mark said in ``tr``'s language; the paper's words as
        printed."""
        return replace(self, mark=tr.text(self.mark)) if self.mark else self

    def after_mark(self, text: str) -> str:
        """``text`` after the mark: a blank between them unless the mark ends in a full-width
        bracket."""
        if not self.mark:
            return text
        gap = "" if self.mark.endswith("）") or not text else " "
        return f"{self.mark}{gap}{text}"


def opening_words(body: str, *, mid_sentence: bool = False) -> str:
    """The first words of a text, marked as cut off at the start when it begins mid-sentence."""
    flat = " ".join(body.split())
    if not flat:
        return ""
    return (ELLIPSIS if mid_sentence else "") + flat


def headline(a: StoredArticle) -> Headline:
    """The one rule for naming an article in lists, cards, search, the digest and inline."""
    if a.kind == "fragment" and not a.title:
        return Headline(mark=Text(CONTINUED), opening=opening_words(a.body, mid_sentence=True))
    mark = continued_mark(a.continued_from) if a.continued_from else ""
    if a.title:
        return Headline(a.title, a.subtitle, mark)
    if a.subtitle:  # a subtitle without a title is the only heading printed
        return Headline(a.subtitle, "", mark)
    if a.kind == "continuation" and a.subheads:
        # Sub-heads are printed headings of this part: they say what it is about.
        rest = a.subheads[1] if len(a.subheads) > 1 else ""
        return Headline(a.subheads[0], rest, mark or Text(CONTINUED))
    if a.kind == "continuation":
        return Headline(mark=mark or Text(CONTINUED), opening=opening_words(a.body))
    if a.kind == "caption":
        return Headline(mark=Text(PHOTO), opening=opening_words(a.body))
    return Headline(opening=opening_words(a.body))


def _heading(a: StoredArticle) -> str:
    return a.title or a.subtitle


def _topics(members: Sequence[StoredArticle]) -> tuple[TopicScore, ...]:
    """Topic scores of the whole: the parts' scores weighted by their length."""
    weights = [max(len(m.body), 1) for m in members]
    total = sum(weights)
    scores: dict[str, float] = defaultdict(float)
    order: list[str] = []
    for m, w in zip(members, weights, strict=True):
        for t in m.topics:
            if t.topic not in scores:
                order.append(t.topic)
            scores[t.topic] += t.score * w / total
    return tuple(TopicScore(k, round(scores[k], 4)) for k in order)


def join(members: Sequence[StoredArticle]) -> StoredArticle:
    """One article from its stored parts in reading order (the first is the host).

    The host gives id, title, byline and provenance; the body is every part's text in order;
    the later parts' headings read as sub-heads. Pages are listed when the parts span several
    (``1、2``: the provenance prints 第1、2版).
    """
    if not members:
        raise ValueError("an article has at least one part")
    host = members[0]
    if len(members) == 1:
        return host
    subheads = list(host.subheads)
    for m in members[1:]:
        subheads += [h for h in (_heading(m), *m.subheads) if h and h not in subheads]
    pages: list[str] = []
    for m in members:
        if m.page and m.page not in pages:
            pages.append(m.page)
    parts = tuple(
        ArticlePart(m.id, m.page, "" if i == 0 else _heading(m), m.body)
        for i, m in enumerate(members)
    )
    return replace(
        host,
        body="\n".join(m.body for m in members if m.body),
        subheads=tuple(subheads),
        topics=_topics(members),
        page="、".join(pages),
        byline=tuple(dict.fromkeys(p for m in members for p in m.byline)),
        notes=tuple(n for m in members for n in m.notes),
        url=host.url or next((m.url for m in members if m.url), ""),
        parts=parts,
    )
