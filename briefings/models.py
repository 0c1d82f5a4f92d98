"""Dataclasses shared by every stage: parsed units, regions, figures, topics and stored articles.

These are the contracts between modules; keep them small, typed and free of behaviour beyond
serialisation helpers.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from briefings.i18n import N_

UnitKind = Literal["article", "continuation", "fragment", "caption"]
RegionLevel = Literal["province", "city", "county"]
InputKind = Literal["page", "article", "jsonl", "feed"]

# Topic labels, in display order (translated where shown: ``tr(TOPICS[key])``). Keys are stable
# identifiers stored in the database.
TOPICS: dict[str, str] = {
    "county": N_("县域经济"),
    "film": N_("影视产业"),
    "finance": N_("科创金融"),
    "other": N_("其他"),
}
# The briefing sections a chat gets until it chooses (/topics): every topic but "other".
DEFAULT_TOPICS: tuple[str, ...] = ("county", "film", "finance")


@dataclass(frozen=True)
class Person:
    """One name from a byline, with the role printed before it (本报记者, 通讯员 …)."""

    name: str
    role: str


@dataclass
class Unit:
    """One block of a page: an article, a continuation, a fragment or a photo caption.

    ``paragraphs`` hold the original text (column breaks rejoined, nothing else changed);
    ``line_start``/``line_end`` are 1-based inclusive line numbers in the source file.
    ``part_of`` is the index (in the same page) of the unit this one belongs to, when the parser
    linked scattered parts of one article. ``notes`` are lines printed after the text that are
    not part of it, verbatim: photo credits (杨梅清摄（影像中国）), author notes (（作者为…）),
    graphics and data credits, a column's contact line.
    """

    kind: UnitKind
    title: str = ""
    subtitle: str = ""
    kicker: str = ""
    section: str = ""
    byline: list[Person] = field(default_factory=list)
    dateline: str = ""
    subheads: list[str] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    continued_from: str = ""
    continued_to: str = ""
    line_start: int = 0
    line_end: int = 0
    part_of: int | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def body(self) -> str:
        return "\n".join(self.paragraphs)


@dataclass(frozen=True)
class Region:
    """A gazetteer entry: one administrative unit with its adcode and the names it goes by."""

    adcode: str
    name: str  # full official name: 缙云县
    short: str  # short alias: 缙云
    level: RegionLevel
    parent: str  # parent adcode, "" for provinces
    province: str  # full province name: 浙江省
    city: str  # full prefecture name, "" for provinces and cities themselves
    pinyin: str = ""  # toneless, no spaces: jinyun
    aliases: tuple[str, ...] = ()

    @property
    def display(self) -> str:
        """Name with its parent, as shown on county cards: 丽水市缙云县."""
        if self.level == "county" and self.city and self.city != self.name:
            return f"{self.city}{self.name}"
        return self.name


@dataclass(frozen=True)
class RegionMention:
    """How often one region is named in a text, and where (character offsets in the text)."""

    region: Region
    count: int
    spans: tuple[tuple[int, int], ...] = ()

    def to_json(self) -> dict[str, Any]:
        r = self.region
        return {
            "name": r.short,
            "full_name": r.name,
            "adcode": r.adcode,
            "level": r.level,
            "province": r.province,
            "count": self.count,
        }


FigureRole = Literal["current", "from", "goal", "each", "shared"]


@dataclass(frozen=True)
class Figure:
    """An economic figure. ``text`` is verbatim from ``sentence`` (近6000块).

    ``value`` is the number with magnitudes applied: 超千亿元 → value 1e11, unit 元;
    19.7% → value 19.7, unit %. ``indicator`` names what is measured with its subject
    (家电营收); ``subject`` is that subject alone when the figure belongs to something other
    than its region (家电, 《热辣滚烫》, 和同信息公司). ``role``: current; from (the old value of a
    from–to change or a comparison's baseline); goal (a target or forecast); each (各100万元);
    shared (one statement about several places, given to each). ``confident`` is set only when
    indicator, value and region are all read from the figure's own sentence: only then may the
    figure be shown as a line without its sentence.
    """

    indicator: str
    value: float
    unit: str
    text: str
    qualifier: str = ""
    period: str = ""
    region: str = ""  # short name of the region it is attributed to, "" if none
    adcode: str = ""
    sentence: str = ""
    subject: str = ""
    role: FigureRole = "current"
    confident: bool = False

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("adcode")
        d["adcode"] = self.adcode
        return d


@dataclass(frozen=True)
class TopicScore:
    topic: str  # a key of TOPICS
    score: float


@dataclass
class AnalyzedUnit:
    """A unit together with what the understanding stages found in it."""

    unit: Unit
    regions: list[RegionMention] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    topics: list[TopicScore] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        u = self.unit
        return {
            "kind": u.kind,
            "title": u.title,
            "subtitle": u.subtitle,
            "kicker": u.kicker,
            "section": u.section,
            "byline": [{"name": p.name, "role": p.role} for p in u.byline],
            "dateline": u.dateline,
            "subheads": list(u.subheads),
            "body": u.body,
            "continued_from": u.continued_from,
            "continued_to": u.continued_to,
            "lines": [u.line_start, u.line_end],
            "part_of": u.part_of,
            "notes": list(u.notes),
            "regions": [m.to_json() for m in self.regions],
            "figures": [f.to_json() for f in self.figures],
            "topics": [{"topic": t.topic, "score": round(t.score, 3)} for t in self.topics],
        }


@dataclass
class Document:
    """One input document after reading: a page, a single article, or one JSON Lines record.

    ``text`` is the decoded original (line ends normalised to \\n). ``page`` is the page label
    (\"1\", \"A3\") when known. ``key`` identifies the document for idempotent re-ingest: the same
    key with different content replaces the earlier version.
    """

    kind: InputKind
    text: str
    source: str
    date: str  # ISO yyyy-mm-dd, "" if unknown
    path: str = ""
    page: str = ""
    url: str = ""
    title: str = ""  # given by JSON Lines input
    author: str = ""
    key: str = ""
    # Units from the page parse the reader ran to tell a page from an article, so the
    # pipeline does not parse the same page twice.
    parsed: tuple[Unit, ...] | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class ArticlePart:
    """One stored unit of an article whose parts were linked (``part_of``): a block of the same
    page, or the continuation on a later page. ``heading`` is what the part printed above its
    text (its title, or its jump headline), empty for the first part."""

    id: int
    page: str
    heading: str
    body: str


@dataclass(frozen=True)
class StoredArticle:
    """An article as read back from the store, with provenance for every item shown to users.

    Read paths return whole articles (``briefings/stories.py``): when parts were linked, ``id``
    is the first part's, ``body`` their texts in reading order and ``parts`` the parts
    themselves. ``continued_from`` (第一版) says that its start is on a page not in the store.
    """

    id: int
    date: str
    source: str
    page: str
    kind: UnitKind
    title: str
    subtitle: str
    kicker: str
    section: str
    dateline: str
    body: str
    url: str
    topics: tuple[TopicScore, ...]
    line_start: int = 0
    line_end: int = 0
    byline: tuple[Person, ...] = ()
    subheads: tuple[str, ...] = ()
    # Author notes, credits, sources and signatures printed after the text, as printed; never
    # part of ``body``.
    notes: tuple[str, ...] = ()
    continued_from: str = ""
    parts: tuple[ArticlePart, ...] = ()

    @property
    def ids(self) -> tuple[int, ...]:
        """Every stored unit this article is made of (its own id first)."""
        return tuple(p.id for p in self.parts) or (self.id,)


@dataclass(frozen=True)
class StoredFigure:
    """A figure as read back from the store, with its article id and publication date."""

    article_id: int
    date: str
    source: str
    figure: Figure


@dataclass(frozen=True)
class ArticleRegion:
    """A region as attached to a stored article: adcode, short name and mention count."""

    adcode: str
    name: str
    count: int


@dataclass(frozen=True)
class ArticleBundle:
    """A stored article with its regions and figures: the input of digests and cards."""

    article: StoredArticle
    regions: tuple[ArticleRegion, ...] = ()
    figures: tuple[Figure, ...] = ()
