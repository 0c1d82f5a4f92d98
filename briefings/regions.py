"""The gazetteer of Chinese administrative units and look-up of what a user typed.

``data/gazetteer.tsv`` (built by scripts/build_gazetteer.py) lists provinces, prefecture-level
cities and county-level units. Zhejiang is the focus: when a name is shared, the Zhejiang unit
wins. ``find_mentions`` recognises regions in running news text (the second half of this module).
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import re
from collections import Counter, defaultdict
from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from briefings.errors import AmbiguousRegion, UnknownRegion
from briefings.marks import HAN, is_han
from briefings.models import Region, RegionMention
from briefings.normalize import fold_chars, for_matching

GAZETTEER = Path(__file__).resolve().parent.parent / "data" / "gazetteer.tsv"
FOCUS_PROVINCE = "浙江省"
# Longer than this is not a place name: no suggestions (and no work spent looking for them).
MAX_SUGGEST_CHARS = 64


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_LEVEL_RANK = {"province": 0, "city": 1, "county": 2}
# Suffixes a user may add or get wrong (缙云市 for 缙云县); stripped as a last resort.
_ADMIN_SUFFIX = re.compile(
    r"(自治县|自治州|自治旗|特别行政区|自治区|地区|新区|林区|省|市|县|区|州|旗|盟)$"
)
_PINYIN_NOISE = re.compile(r"[\s'’\-_.]+")
_PINYIN_SUFFIX = re.compile(r"(county|district|city|province|shi|xian|qu|sheng)$")


class Gazetteer:
    """All regions, indexed by adcode, by every name they go by and by pinyin."""

    def __init__(self, regions: Iterable[Region]) -> None:
        self.regions: tuple[Region, ...] = tuple(regions)
        self._by_code = {r.adcode: r for r in self.regions}
        by_name: dict[str, list[Region]] = defaultdict(list)
        by_pinyin: dict[str, list[Region]] = defaultdict(list)
        for r in self.regions:
            for name in names_of(r):
                if r not in by_name[name]:
                    by_name[name].append(r)
            if r.pinyin:
                by_pinyin[r.pinyin].append(r)
        self._by_name = dict(by_name)
        self._by_pinyin = dict(by_pinyin)
        self._matcher = None  # built on first find_mentions (see _Matcher)
        self._suggest: _SuggestTables | None = None  # built on first suggest

    def by_adcode(self, adcode: str) -> Region | None:
        return self._by_code.get(adcode.strip())

    def named(self, name: str) -> list[Region]:
        """Regions whose full name, short name or alias is exactly ``name`` (normalised)."""
        return list(self._by_name.get(for_matching(name), ()))

    def zhejiang_counties(self) -> list[Region]:
        return [r for r in self.regions if r.level == "county" and r.province == FOCUS_PROVINCE]

    def contains(self, outer: Region, inner: Region) -> bool:
        """True when ``inner`` lies inside ``outer`` (a province or a prefecture)."""
        if outer.level == "province":
            return inner.province == outer.name and inner.adcode != outer.adcode
        if outer.level == "city":
            return inner.parent == outer.adcode
        return False

    def alternatives(self, region: Region) -> list[Region]:
        """Other units going by the same short or full name (舟山普陀 → 上海普陀)."""
        seen = {region.adcode}
        out = []
        for name in (region.short, region.name):
            for r in self._by_name.get(name, ()):
                if r.adcode not in seen:
                    seen.add(r.adcode)
                    out.append(r)
        return out

    def lookup(self, query: str, *, suggest: bool = True) -> Region:
        """Resolve what a user typed: 缙云, 缙云县, 丽水缙云, 縉雲, jinyun, 331122, 杭州 …

        Raises AmbiguousRegion when several units fit and none is preferred, UnknownRegion
        when nothing fits: with suggestions, unless ``suggest`` is False (free text that is not
        a place gets searched instead, and suggestions cost 2-50 ms).
        """
        q = for_matching(query).replace(" ", "")
        if not q:
            raise UnknownRegion(query, [])
        if q.isdigit():
            region = self._by_code.get(q[:6]) if len(q) in (6, 9, 12) else None
            if region is None:
                raise UnknownRegion(query, [])
            return region
        candidates = self._pinyin_candidates(q) if q.isascii() else self._name_candidates(q)
        if not candidates:
            raise UnknownRegion(query, self.suggest(query) if suggest else [])
        return self._pick(query, q, candidates)

    def _name_candidates(self, q: str) -> list[Region]:
        if q in self._by_name:
            return list(self._by_name[q])
        qualified = self._qualified_candidates(q)
        if qualified:
            return qualified
        stripped = _ADMIN_SUFFIX.sub("", q)
        if stripped != q and len(stripped) >= 2:
            return list(self._by_name.get(stripped, ()))
        return []

    def _qualified_candidates(self, q: str) -> list[Region]:
        """丽水缙云, 丽水市缙云县, 浙江省丽水市缙云县: an outer name, then an inner one."""
        found: list[Region] = []
        for cut in range(len(q) - 2, 1, -1):
            outers = [r for r in self._by_name.get(q[:cut], ()) if r.level != "county"]
            if not outers:
                continue
            inners = self._name_candidates(q[cut:])
            found += [i for i in inners for o in outers if self.contains(o, i)]
            if found:
                break
        return list(dict.fromkeys(found))

    def _pinyin_candidates(self, q: str) -> list[Region]:
        p = _PINYIN_NOISE.sub("", q.lower())
        if p in self._by_pinyin:
            return list(self._by_pinyin[p])
        stripped = _PINYIN_SUFFIX.sub("", p)
        return list(self._by_pinyin.get(stripped, ())) if stripped else []

    def _pick(self, query: str, q: str, candidates: list[Region]) -> Region:
        if len(candidates) == 1:
            return candidates[0]
        exact = [r for r in candidates if r.name == q]
        if len(exact) == 1:
            return exact[0]
        focus = [r for r in candidates if r.province == FOCUS_PROVINCE]
        if len(focus) == 1:
            return focus[0]
        if focus:
            candidates = focus
        namesake = self.namesake_city(candidates)
        if namesake is not None:
            return namesake
        raise AmbiguousRegion(query, sorted(candidates, key=_focus_first))

    def namesake_city(self, candidates: list[Region]) -> Region | None:
        """吉安 → 吉安市, not 吉安县: a prefecture wins over the namesake counties inside it."""
        cities = [r for r in candidates if r.level == "city"]
        if len(cities) != 1:
            return None
        city = cities[0]
        others = [r for r in candidates if r is not city]
        return city if all(self.contains(city, r) for r in others) else None

    def suggest(self, query: str, limit: int = 5) -> list[Region]:
        """Close names for an unknown query: shared characters, pinyin prefix, edit distance.

        Bounded work whatever the query: nothing longer than MAX_SUGGEST_CHARS is a place name
        (it gets no suggestions); pinyin is compared with every name in C (rapidfuzz), and a
        Chinese query only with the names that share the most characters with it (an index).
        """
        q = for_matching(query).replace(" ", "")
        if not q or len(q) > MAX_SUGGEST_CHARS:
            return []
        tables = self._suggest_tables()
        scored: list[tuple[tuple, Region]] = []
        if q.isascii():
            p = _PINYIN_NOISE.sub("", q.lower())
            close = process.extract(
                p,
                tables.pinyins,
                scorer=Levenshtein.distance,
                score_cutoff=max(1, len(p) // 4),
                limit=None,
            )
            dists = {k: dist for _, dist, k in close}
            for k in dists.keys() | set(tables.by_prefix.get(p[:3], ())):
                r = tables.pinyin_regions[k]
                if r.level == "province" and len(p) < 3:
                    continue
                dist = dists[k] if k in dists else edit_distance(p, r.pinyin)
                scored.append(((dist, not r.pinyin.startswith(p[:3]), *_focus_first(r)), r))
        else:
            core = _ADMIN_SUFFIX.sub("", q) or q
            shared = Counter(i for ch in set(core) for i in tables.by_char.get(ch, ()))
            if not shared:
                return []
            # Ranked by shared characters first: only names tied with the limit-th best can
            # make the list, so only they need an edit distance.
            floor = heapq.nlargest(limit, shared.values())[-1]
            for i, n in shared.items():
                if n >= floor:
                    r = self.regions[i]
                    scored.append(((-n, edit_distance(core, r.short), *_focus_first(r)), r))
        scored.sort(key=lambda pair: pair[0])
        return [r for _, r in scored[:limit]]

    def _suggest_tables(self) -> _SuggestTables:
        """The indexes ``suggest`` uses, built on its first call."""
        if self._suggest is None:
            by_char: dict[str, list[int]] = defaultdict(list)
            for i, r in enumerate(self.regions):
                for ch in set(r.short):
                    by_char[ch].append(i)
            with_pinyin = [r for r in self.regions if r.pinyin]
            by_prefix: dict[str, list[int]] = defaultdict(list)
            for k, r in enumerate(with_pinyin):
                for n in range(4):  # a query's first three letters may be fewer
                    by_prefix[r.pinyin[:n]].append(k)
            self._suggest = _SuggestTables(
                by_char={ch: tuple(ids) for ch, ids in by_char.items()},
                pinyins=[r.pinyin for r in with_pinyin],
                pinyin_regions=with_pinyin,
                by_prefix={p: tuple(ids) for p, ids in by_prefix.items()},
            )
        return self._suggest


@dataclass(frozen=True)
class _SuggestTables:
    by_char: dict[str, tuple[int, ...]]  # character -> positions in regions of short names with it
    pinyins: list[str]  # pinyin of every region that has one
    pinyin_regions: list[Region]  # the regions of ``pinyins``, position for position
    by_prefix: dict[str, tuple[int, ...]]  # first 0-3 letters -> positions in ``pinyins``


def names_of(region: Region) -> tuple[str, ...]:
    """Every name a region goes by: full, short and aliases (stored simplified, so already in
    the form ``for_matching`` gives a query)."""
    names = [region.name, *region.aliases]
    if len(region.short) >= 2:
        names.append(region.short)
    return tuple(dict.fromkeys(n for n in names if n))


def _focus_first(r: Region) -> tuple[bool, int, str]:
    return (r.province != FOCUS_PROVINCE, _LEVEL_RANK[r.level], r.adcode)


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insert, delete, substitute all cost 1), computed in C."""
    return Levenshtein.distance(a, b)


def parse_gazetteer(text: str) -> list[Region]:
    """Rows of gazetteer.tsv (``#`` lines are provenance, the first other line is the header)."""
    lines = [ln for ln in text.splitlines() if ln and not ln.startswith("#")]
    if not lines:
        return []
    columns = lines[0].split("\t")
    out = []
    for line in lines[1:]:
        row = dict(zip(columns, line.split("\t"), strict=True))
        out.append(
            Region(
                adcode=row["adcode"],
                name=row["name"],
                short=row["short"],
                level=row["level"],  # type: ignore[arg-type]
                parent=row["parent"],
                province=row["province"],
                city=row["city"],
                pinyin=row["pinyin"],
                aliases=tuple(a for a in row["aliases"].split("|") if a),
            )
        )
    return out


@lru_cache(maxsize=4)
def _load(path: Path) -> Gazetteer:
    return Gazetteer(parse_gazetteer(path.read_text(encoding="utf-8")))


def load_gazetteer(path: Path | None = None) -> Gazetteer:
    """The gazetteer from ``path`` (default data/gazetteer.tsv), parsed once per path."""
    # GAZETTEER is already absolute: skipping resolve() (a few stat calls) matters because
    # handlers call this once per update.
    return _load(GAZETTEER if path is None else Path(path).resolve())


# --- Recognising regions in running news text ------------------------------------------------
#
# Aho-Corasick over every full name, short name and alias, on a copy of the text normalised
# character by character (so offsets stay those of the original). A match counts only where
# it starts and ends on a jieba token boundary: that alone rejects 江山 in 半壁江山, 范县 in 示范县
# and 钱塘 in 钱塘江. The rules below handle what segmentation cannot.

# Short names that in running text mean a landmark, not the district: 杭州西湖 is the lake, 嘉兴南湖
# the lake of the red boat. Only 西湖区/南湖区 count.
_LANDMARKS = frozenset({"西湖", "南湖"})
# Zhejiang short names that are everyday words (路桥 roads and bridges, 天台 rooftop, 临海 coastal,
# 海盐 sea salt, 滨江 riverside, 江山 the realm …): counted only with support — a qualifier, the
# same region named unambiguously elsewhere in the text, or its city or a sibling county nearby.
_WEAK_SHORTS = _words(
    "路桥 临海 天台 滨江 玉环 浦江 常山 江山 平阳 龙湾 三门 龙泉 文成 开化 海盐 衢江"
)
# Prefecture short names that are mostly words or brands (朝阳产业, 阿里, 白银价格, 来宾, 日照时间).
_WEAK_CITIES = _words(
    "朝阳 阿里 白银 来宾 日照 长治 大同 中山 黄山 大庆 普洱 海西 海北 兴安 山南 "
    "安康 白山 和田 红河 怒江 咸宁 吉安 永安 长安 太平"
)
# Names of units outside Zhejiang that are everyday words (惠民 benefiting the people, 合作
# cooperation, 比如 for example, 桃园 a peach orchard, 清远 lofty, 城关 a county seat, 东方 the
# east …), chosen from the names jieba's dictionary tags as verbs, adjectives or common nouns.
# Such a name counts only where the text ties it to the unit: written in full or qualified
# (和平区, 沈阳和平), or the same unit named so within _CONTEXT_WINDOW. Its city, a sibling county
# or the same name far away in another story of the page is not enough.
_WORDLIKE = _words(
    "和平 合作 比如 南部 解放 东方 前进 港口 公安 友好 通道 共和 城中 城北 城东 城西 城区 光明 "
    "平安 安定 延长 东风 红旗 新兴 振兴 向阳 互助 清新 富裕 复兴 宏伟 平和 丰满 安居 新华 太和 "
    "永和 大方 惠民 桃园 清远 城关 工农 民权 爱民 回民 新民 富民 同心 大观 运河 天涯 海棠 灯塔 "
    "白云 温泉 友谊 宝塔 元宝 博爱 方正 龙凤 延寿 和顺 七星 新星 万年 三元 中方 南岸 台前 无为 "
    "平定 长安 新城 新市 石门 长寿 平原 定远 桃源 太平 前锋"
)
# Regions of the country that are not administrative units (华南, 苏北, 江淮): a name listed
# with one of them (西南地区东部、江汉、江南、华南等地; 转战苏北、淮北、淮南) is such a region
# too. Names that are also units (江汉, 江南, 湘西) are left out, so that a list of Wuhan's
# districts (江汉、江岸、硚口) stays a list of places.
_MACRO_REGIONS = re.compile(
    "华北|华东|华南|华中|华西|西南|西北|东北|江淮|黄淮|关中|苏北|苏南|苏中|皖南|皖北|陕北|陕南|"
    "豫西|豫南|鲁西|川西|川东|闽南|闽西|粤东|粤西|粤北|岭南|中原|塞北|两广|两湖"
)
_LIST_ITEM = re.compile(f"[{HAN}]{{1,8}}")
_LIST_ITEM_BEFORE = re.compile(f"[{HAN}]{{1,8}}$")  # the item that ends where a search stops
# Compounds naming a company, a product or an idiom, not the place inside them.
_COMPOUNDS = _words(
    "镇海炼化 镇海石化 宁德时代 阿里巴巴 阿里云 安吉物流 江山如画 大好江山 锦绣江山 "
    "万里江山 打江山 江山社稷 一统江山"
)
# Surnames that are not also common function words (于, 向, 和, 应 are left out): a two-character
# place name right after one of these, the surname standing as its own token, is a person
# (王江山, 陈永康), not the place.
_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭萧田董潘袁蔡蒋叶杜苏魏程吕丁"
    "沈任姚卢傅钟姜崔谭廖范汪陆戴贾韦夏邱侯邹熊孟秦阎薛尹段雷黎史陶贺顾毛郝龚邵钱严覃洪汤楼俞翁"
    "庄骆柴鲍祝赖耿葛聂阮詹庞邢裴滕殷欧"
)
# How far (characters) a city, province or sibling county may be and still decide a shared name.
_CONTEXT_WINDOW = 200
# A short name continued by one of these is part of another place or a landmark: 象山村 (a
# village in Thailand), 吕梁山, 杭州湾, 锦江两岸. Not 港: 义乌港 and 宁波港 are the places' ports.
_LANDMARK_AFTER = re.compile(
    "村|镇|乡(?!村)|街道|社区|路|街|巷|湖|江|河|溪|湾|岛|桥|寺|庙|塔|宫|公园|大道|广场|"
    "山(?!区|市)|[东南西北]?麓|畔|两岸|沿岸|之滨|之畔|流域|水域|咖啡"
)
# A person, not a place: 瑞安·克罗克 (a transliterated name), 常金华说 (surname + given name,
# then a verb of speech or a title).
_NAME_DOT = frozenset("·•・")
# …and the first part of one that jieba cut after a place name: 安吉涅斯卡·菲海尔.
_NAME_BEFORE_DOT = re.compile(f"[{HAN}]{{1,4}}[·•・]")
_ORGS_BEFORE_DOT = "联盟|集团|中心|公司|协会|平台|频道|网|社|报|台"
_ORG_BEFORE_DOT = re.compile(f"(?:{_ORGS_BEFORE_DOT})$")
# What may stand between a place name and a dot without making them a personal name: 共享联盟·,
# 安吉县·, 舟山港·.
_NOT_NAME_BEFORE_DOT = re.compile(
    f"(?:{_ORGS_BEFORE_DOT}|县|市|区|镇|乡|村|街道|港|湾|山|岛)[·•・]$"
)
_PERSON_AFTER = re.compile(
    "说|表示|介绍|认为|告诉|指出|坦言|回忆|笑着|同志|先生|女士|书记|主任|局长|县长|市长|处长|"
    "部长|经理|董事长|总经理|教授|老师|博士|院士|夫妇|一家"
)
# Common nouns after a place name that another name may swallow: 宁德城区 is 宁德 + 城区, not
# 宁 + 德城区.
_AREA_WORDS = ("城区", "市区", "县城", "城", "新区", "地区", "郊区")
# Single characters that may stand next to a place name as words of their own.
_FUNCTION_CHARS = frozenset(
    "的了在和与及是为从到对向等也都就还又并而或被把让给将于以由自至往去来说有在省市县区镇乡村州"
    "、，。；：！？“”‘’（）《》 \n"
)


def match_key(text: str) -> str:
    """The length-preserving normal form used for matching names in running text."""
    return fold_chars(text)


class _Hit:
    """One accepted occurrence of a name, and what it may refer to."""

    __slots__ = ("consumed", "end", "entries", "key", "qualified", "region", "start")

    def __init__(self, start: int, end: int, key: str, entries: tuple) -> None:
        self.start, self.end, self.key = start, end, key
        self.entries: list[tuple[Region, bool]] = list(entries)  # (region, written in full)
        self.qualified = False  # narrowed by an adjacent province/city name: 舟山市普陀区
        self.consumed = False  # this hit is itself such a qualifier
        self.region: Region | None = None


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def _bytewise(text: str) -> str:
    """Each character as two Latin-1 characters (its UTF-16-BE bytes).

    pyahocorasick looks up a node's children in a list; over raw Chinese the root has about
    2,000 of them, over bytes at most 256, and matching runs about 4x faster. Astral characters
    (never in a place name) become U+FFFD first so that every character is exactly two bytes
    and offsets map back by halving.
    """
    if _ASTRAL.search(text):
        text = _ASTRAL.sub("\ufffd", text)
    return text.encode("utf-16-be").decode("latin-1")


class _Matcher:
    def __init__(self, gaz: Gazetteer) -> None:
        import ahocorasick

        self.gaz = gaz
        table: dict[str, list[tuple[Region, bool]]] = defaultdict(list)
        for r in gaz.regions:
            for form, full in _forms(r):
                key = match_key(form)
                if (r, full) not in table[key] and (r, True) not in table[key]:
                    table[key].append((r, full))
        self.automaton = ahocorasick.Automaton()
        # What the rules ask of a name again and again, worked out once per name.
        self.full: dict[str, bool] = {}  # some region goes by it written in full
        self.outer: dict[str, tuple[Region, ...]] = {}  # the provinces and cities it names
        for key, entries in table.items():
            self.automaton.add_word(_bytewise(key), (key, tuple(entries)))
            self.full[key] = any(f for _, f in entries)
            self.outer[key] = tuple(r for r, _ in entries if r.level != "county")
        self.automaton.make_automaton()
        self._free: dict[str, tuple[list[tuple[Region, str]], Region | None]] = {}
        self.compounds: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for compound in _COMPOUNDS:
            for key in table:
                if key in compound and len(key) >= 2:
                    self.compounds[key].append((compound, compound.index(key)))

    def hits(
        self, norm: str, bounds: Container[int]
    ) -> tuple[list[_Hit], list[tuple[int, Region]]]:
        """Matches on token boundaries (longest first, no overlaps), and context hints.

        A hint is a province or city name inside a longer token (重庆 in 重庆江北机场, 宁波 in
        宁波大学): not a mention, but it still says which 江北 a text is about.
        """
        raw = []
        hints = []
        every: list[tuple[int, int, str, tuple]] = []
        for last, (key, entries) in self.automaton.iter(_bytewise(norm)):
            first = last - 2 * len(key) + 1
            if first % 2:
                continue  # matched across character boundaries (the tail of one, head of next)
            every.append((first // 2, first // 2 + len(key), key, entries))
        by_start: dict[int, list[tuple[int, int, str, tuple]]] = defaultdict(list)
        for item in every:
            by_start[item[0]].append(item)
        chained = self._chains(every, by_start, bounds)
        starts = sorted(by_start)
        for start, end, key, entries in every:
            if (start in bounds and end in bounds) or (start, end) in chained:
                if self._swallowed((start, end, key, entries), by_start, starts, norm, bounds):
                    continue
                raw.append((start, -len(key), key, entries))
            elif key not in _WEAK_CITIES:
                outer = self.outer[key]
                if len(outer) == 1:
                    hints.append((start, outer[0]))
        raw.sort()
        out: list[_Hit] = []
        reach = 0
        for start, neg_len, key, entries in raw:
            if start >= reach:
                out.append(_Hit(start, start - neg_len, key, entries))
                reach = start - neg_len
        return out, hints

    def _chains(self, every, by_start, bounds: Container[int]) -> set[tuple[int, int]]:
        """Names jieba keeps in one token (上海市浦东新区): accepted when the token is a chain of
        an outer name (province or city) and the names after it, end to end."""
        out: set[tuple[int, int]] = set()
        for start, end, key, _ in every:
            if end not in by_start or not self.outer[key]:
                continue
            if start not in bounds or end in bounds:
                continue
            for nxt in by_start.get(end, ()):
                if nxt[1] in bounds:
                    out.update({(start, end), (nxt[0], nxt[1])})
        return out

    def _swallowed(
        self,
        item: tuple[int, int, str, tuple],
        by_start,
        starts: list[int],
        norm: str,
        bounds: Container[int],
    ) -> bool:
        """A short name overlapping another name (长沙湾: 长沙 and 沙湾) is neither; a full name
        that swallowed the end of a place before it (宁德城区) is that place and a noun. A name
        starting inside a word does not count (江安 in 浙江安吉: 浙江 is one token).

        ``starts`` are the keys of ``by_start`` in order."""
        start, end, key, _ = item
        full = self.full[key]
        if not full and len(key) != 2:
            return False
        lo = bisect.bisect_left(starts, start - 12)
        hi = bisect.bisect_left(starts, start, lo)
        earlier = (x for s2 in starts[lo:hi] for x in by_start[s2])
        for s2, e2, _, _ in earlier:
            if not (s2 < start < e2 < end):
                continue
            if full and norm[e2:end] in _AREA_WORDS:
                return True
            if not full and len(key) == 2 and s2 in bounds:
                return True
        return False

    def blocked(self, hit: _Hit, norm: str, bounds: Container[int]) -> bool:
        for compound, offset in self.compounds.get(hit.key, ()):
            at = hit.start - offset
            if at >= 0 and norm.startswith(compound, at):
                return True
        before = hit.start - 1
        if norm[hit.end : hit.end + 1] in _NAME_DOT:
            return True  # 瑞安·克罗克: a transliterated personal name
        if (
            before >= 0
            and norm[before] in _NAME_DOT
            and not _ORG_BEFORE_DOT.search(norm, max(0, before - 3), before)
        ):
            return True  # 保罗·瑞安; but 共享联盟·普陀 is an organisation's local branch
        if not self.full[hit.key]:
            tail = _NAME_BEFORE_DOT.match(norm, hit.end)
            if tail and not _NOT_NAME_BEFORE_DOT.search(tail.group()):
                return True  # 安吉涅斯卡·菲海尔: the first part of a transliterated name
            listed = norm[hit.end : hit.end + 1] == "、" or norm[before : hit.start] == "、"
            if listed and _listed_with_macro_region(norm, hit.start, hit.end):
                return True  # 西南地区东部、江汉、江南、华南等地
        if len(hit.key) == 2 and not self.full[hit.key]:
            if hit.key in _LANDMARKS:
                return True
            if before >= 0 and norm[before] in _SURNAMES and before in bounds:
                return True
            # Cheap character tests first: asking for token boundaries segments text.
            prev_ch, next_ch = norm[before] if before >= 0 else "", norm[hit.end : hit.end + 1]
            cjk_before = is_han(prev_ch)
            person = cjk_before and _PERSON_AFTER.match(norm, hit.end)
            inside = (
                cjk_before
                and prev_ch not in _FUNCTION_CHARS
                and is_han(next_ch)
                and next_ch not in _FUNCTION_CHARS
            )
            if (person or inside) and before in bounds and (before == 0 or before - 1 in bounds):
                if person:
                    return True  # 常金华说: a surname, a given name, a verb of speech
                if hit.end + 1 in bounds:
                    return True  # 渔乐山庄: a place name inside an unknown word
            if _LANDMARK_AFTER.match(norm, hit.end) and not hit.key.endswith(
                norm[hit.end : hit.end + 1]
            ):
                return True  # 象山村, 吕梁山, 锦江两岸
        return False

    def find(
        self, text: str, *, provinces: bool = False, folded: str | None = None
    ) -> list[RegionMention]:
        from briefings import segment

        norm = match_key(text) if folded is None else folded
        bounds = segment.LazyBoundaries(norm)
        found, hints = self.hits(norm, bounds)
        blocked = [h for h in found if self.blocked(h, norm, bounds)]
        # A city read as a landmark (南京江北新区: 南京江 a river) still says where the text is.
        hints += [
            (h.start, self.outer[h.key][0])
            for h in blocked
            if len(self.outer[h.key]) == 1 and h.key not in _WEAK_CITIES
        ]
        # One sense per text: once 象山 is a village (象山村), a bare 象山 is that village too.
        landmarks = {h.key for h in blocked if _LANDMARK_AFTER.match(norm, h.end)}
        full_keys = {h.key for h in found if self.full[h.key]}
        hits = [
            h
            for h in found
            if h not in blocked
            and not (h.key in landmarks and h.key not in full_keys and len(h.key) == 2)
        ]
        self._qualify(hits)
        self._resolve(hits, hints)
        counted: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for h in hits:
            if h.region is None or h.consumed:
                continue
            if h.region.level != "province" or provinces:
                counted[h.region.adcode].append((h.start, h.end))
        mentions = [
            RegionMention(self.gaz._by_code[code], len(spans), tuple(spans))
            for code, spans in counted.items()
        ]
        mentions.sort(key=lambda m: (-m.count, m.spans[0][0]))
        return mentions

    def _qualify(self, hits: list[_Hit]) -> None:
        """舟山市普陀区, 衢州市柯城, 深圳南山区: an outer name just before narrows the next."""
        for prev, hit in itertools.pairwise(hits):
            if prev.end != hit.start:
                continue
            outers = [r for r, _ in prev.entries if r.level != "county"]
            pairs = [(o, e) for o in outers for e in hit.entries if self.gaz.contains(o, e[0])]
            if not pairs:
                continue
            hit.entries = list(dict.fromkeys(e for _, e in pairs))
            hit.qualified = True
            prev.consumed = True
            prev.entries = [(o, True) for o in dict.fromkeys(o for o, _ in pairs)]
            if len(prev.entries) == 1:
                prev.region = prev.entries[0][0]
            if len(hit.entries) == 1:
                hit.region = hit.entries[0][0]

    def _standing(self, hit: _Hit, region: Region, full: bool) -> str:
        """'ok' (may count on its own) or 'support' (counts only with context)."""
        if hit.qualified or region.level == "province":
            return "ok"
        if not full and hit.key in _WORDLIKE:
            return "support"
        if region.level == "city":
            return "support" if not full and hit.key in _WEAK_CITIES else "ok"
        if region.province == FOCUS_PROVINCE:
            return "support" if not full and hit.key in _WEAK_SHORTS else "ok"
        if full and len(hit.key) >= 3:
            return "ok"
        return "support"  # elsewhere in China, written short: 南山, 普陀 (上海) need context

    def _resolve(self, hits: list[_Hit], hints: list[tuple[int, Region]]) -> None:
        """First the names that need no context; they then serve as context for the rest."""
        pending = []
        for h in hits:
            if h.region is None:
                options, h.region = self._context_free(h)
                if h.region is None:
                    pending.append((h, options))
        anchors = [(h.start, h.region) for h in hits if h.region is not None]
        same: dict[str, int] = defaultdict(int)
        for _, region in anchors:
            same[region.adcode] += 1
        anchors += hints
        for h, options in pending:
            h.region = self._by_context(h, options, anchors, same)

    def _context_free(self, hit: _Hit) -> tuple[list[tuple[Region, str]], Region | None]:
        """The hit's options with their standing, and the region they give without context:
        worked out once per name for hits whose entries are the name's own."""
        if hit.qualified or hit.consumed:  # entries narrowed by a neighbouring name
            options = [(r, self._standing(hit, r, full)) for r, full in hit.entries]
            return options, self._without_context(options)
        found = self._free.get(hit.key)
        if found is None:
            options = [(r, self._standing(hit, r, full)) for r, full in hit.entries]
            found = self._free[hit.key] = (options, self._without_context(options))
        return found

    def _without_context(self, options: list[tuple[Region, str]]) -> Region | None:
        regions = [r for r, _ in options]
        provinces = [r for r in regions if r.level == "province"]
        if provinces:
            return provinces[0]  # 吉林, 海南: the province before its namesake city or prefecture
        if any(s == "support" for _, s in options):
            city = self.gaz.namesake_city(regions)  # 南昌: the city, not 南昌县
            return city if city is not None and dict(options)[city] == "ok" else None
        if len(regions) == 1:
            return regions[0]
        return self.gaz.namesake_city(regions)

    def _by_context(
        self,
        h: _Hit,
        options: list[tuple[Region, str]],
        anchors: list[tuple[int, Region]],
        same: dict[str, int],
    ) -> Region | None:
        """Resolve a shared or weak name from the rest of the text, else prefer Zhejiang."""
        if h.key in _WORDLIKE:
            return self._named_nearby(h, options, anchors)
        # One sense per text: the same name resolved unambiguously elsewhere decides.
        seen = [r for r, _ in options if same[r.adcode]]
        if len(seen) == 1:
            return seen[0]
        best: tuple[int, Region] | None = None
        for r, standing in options:
            # A province is too broad to make a short name from outside Zhejiang count (海南 …
            # 东方); a municipality is not (上海 … 普陀).
            broad_ok = standing == "ok" or r.province.endswith("市")
            for at, anchor in anchors:
                dist = abs(at - h.start)
                near = dist <= _CONTEXT_WINDOW and (best is None or dist < best[0])
                if anchor.level == "province" and not broad_ok:
                    continue
                if near and self._related(anchor, r):
                    best = (dist, r)
        if best is not None:
            return best[1]
        ok = [r for r, s in options if s == "ok"]
        focus = [r for r in ok if r.province == FOCUS_PROVINCE]
        if len(focus) == 1:
            return focus[0] if self._focus_nearby(h, anchors) else None
        if len(ok) == 1:
            return ok[0]
        return self.gaz.namesake_city(ok)

    @staticmethod
    def _named_nearby(
        h: _Hit, options: list[tuple[Region, str]], anchors: list[tuple[int, Region]]
    ) -> Region | None:
        """The option named unambiguously within _CONTEXT_WINDOW of the hit, if exactly one is."""
        near = {anchor.adcode for at, anchor in anchors if abs(at - h.start) <= _CONTEXT_WINDOW}
        found = [r for r, _ in options if r.adcode in near]
        return found[0] if len(found) == 1 else None

    @staticmethod
    def _focus_nearby(h: _Hit, anchors: list[tuple[int, Region]]) -> bool:
        """Whether a name shared with other provinces may default to Zhejiang's unit: not when
        the nearest place named within _CONTEXT_WINDOW lies in another province (南京江北新区,
        武汉市协和江北医院)."""
        near = [
            (abs(at - h.start), anchor)
            for at, anchor in anchors
            if abs(at - h.start) <= _CONTEXT_WINDOW
        ]
        if not near:
            return True
        nearest = min(near, key=lambda pair: pair[0])[1]
        return FOCUS_PROVINCE in (nearest.province, nearest.name)

    def _related(self, anchor: Region, region: Region) -> bool:
        if anchor.adcode == region.adcode or self.gaz.contains(anchor, region):
            return True
        return (
            anchor.level == "county" and region.level == "county" and anchor.parent == region.parent
        )


def _listed_with_macro_region(norm: str, start: int, end: int) -> bool:
    """Whether the name at ``norm[start:end]`` is an item of a 、-list (up to three items
    either side) holding a region of the country that is no administrative unit (华南, 苏北)."""
    at = start
    for _ in range(3):
        if at < 2 or norm[at - 1] != "、":
            break
        item = _LIST_ITEM_BEFORE.search(norm, max(0, at - 9), at - 1)
        if not item:
            break
        if _MACRO_REGIONS.search(item.group()):
            return True
        at = item.start()
    at = end
    for _ in range(3):
        if norm[at : at + 1] != "、":
            break
        item = _LIST_ITEM.match(norm, at + 1)
        if not item:
            break
        if _MACRO_REGIONS.search(item.group()):
            return True
        at = item.end()
    return False


def _forms(region: Region) -> list[tuple[str, bool]]:
    """(form, written in full) pairs: full name and suffixed aliases are full, the rest short."""
    forms = [(region.name, True)]
    for alias in region.aliases:
        forms.append((alias, alias[-1] in "县区市州旗盟" and len(alias) >= 3))
    if len(region.short) >= 2 and region.short != region.name:
        forms.append((region.short, False))
    return forms


def find_mentions(
    text: str,
    gazetteer: Gazetteer | None = None,
    *,
    provinces: bool = False,
    folded: str | None = None,
) -> list[RegionMention]:
    """County- and city-level regions named in ``text``, most mentioned first.

    Spans are offsets into ``text`` itself. A province or city name that only qualifies the
    next name (舟山市 in 舟山市普陀区) is not counted on its own; provinces are returned only
    when ``provinces`` is true (figures can belong to a province: 湖南省建档立卡贫困劳动力…).
    ``folded`` may give ``match_key(text)`` when the caller has it already.
    """
    gaz = gazetteer or load_gazetteer()
    if gaz._matcher is None:
        gaz._matcher = _Matcher(gaz)
    return gaz._matcher.find(text, provinces=provinces, folded=folded)


def common_parent(gaz: Gazetteer, adcodes: Sequence[str]) -> Region | None:
    """The smallest city or province holding every region of ``adcodes`` (甘孜州, 阿坝州 and
    木里县 → 四川省), or None when they share none."""
    regions = [gaz.by_adcode(c) for c in adcodes]
    if not regions or any(r is None for r in regions):
        return None
    for width, suffix in ((4, "00"), (2, "0000")):
        prefixes = {r.adcode[:width] for r in regions if r is not None}
        if len(prefixes) == 1:
            found = gaz.by_adcode(prefixes.pop() + suffix)
            if found is not None and all(r is None or r.adcode != found.adcode for r in regions):
                return found
            if found is not None and len(regions) > 1:
                return found
    return None
