"""Why a figure read right may still not stand alone as a figure line.

A confident figure is shown as ``region · indicator · value · period`` without its sentence, so
it must be a statistic of the place that says what it measures. Each check here is a class of
figure an editor would recognise that is true in its sentence but misleads as a line: an
organisation's or a village's own figure, a gift, a share named only by its whole, the size of
one facility, an example, what was seized. Such figures are shown as their sentence (the number
in bold) instead; none is dropped. The word lists are in ``briefings.figure_words``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from briefings import figure_words as W
from briefings import segment
from briefings.indicators import MASK, ends_in_noun
from briefings.statements import Candidate, clause_end, clause_start

# A number and a count unit right before an organisation word: the organisations are counted
# (4.1万个社会组织开展了…), a statistic of many, not one organisation's own figure.
_COUNTED_BEFORE = re.compile("[0-9一二两三四五六七八九十百千万亿](?:多|余)?[家个所]$")
# An organisation named as a source (从银行结售汇数据看, 从…集团有限公司获悉) or as an example
# of what is counted (…集团等20余家优质企业) is not the actor.
_NOT_ACTOR_AFTER = re.compile("等|[^，,。；;]{0,8}?(?:数据|统计|获悉|了解到|发布|显示|消息)")
# 过50万元的村, 122个村: villages counted, not one named.
_NOT_A_NAME = re.compile("[的个各每全该本这那些]")
# Words of these domains anywhere before a figure make it what was seized or treated.
_SENTENCE_DOMAINS = ("law and enforcement", "health")
# Adverbs (jieba tag d) do not occur in the name of a measure (jieba tags prepositions and
# conjunctions too often inside nouns to use them: 通过量, 占比).
_NAME_ADVERBS = frozenset(("最", "非", "不"))


@dataclass(frozen=True)
class _Facts:
    """What a sentence says once, whatever figure of it is judged."""

    sentence_wide: str  # a doubt for every figure of the sentence, or ""
    example_at: int  # where 比如/例如 … is, or -1
    domain_at: int  # where the first word of law or health is, or -1
    domain: str
    villages: tuple[tuple[int, str], ...]  # villages and towns named: (start, name)
    orgs: tuple[tuple[int, str], ...]  # organisations that may act: (start, word)
    opening: int  # end of the sentence's first clause
    foreign: bool


@lru_cache(maxsize=4096)
def _facts(text: str) -> _Facts:
    if W.DONATION.search(text):
        wide = "donation"
    elif W.RULE_ARTICLE.match(text):
        wide = "rule"
    elif W.POLITICAL.search(text):
        wide = "political work"
    else:
        wide = ""
    example = W.EXAMPLE.search(text)
    domain_at, domain = -1, ""
    for m in W.NON_ECONOMIC_WORDS.finditer(text):
        d = W.NON_ECONOMIC[m.group()]
        if d in _SENTENCE_DOMAINS and m.group() != "问题":
            domain_at, domain = m.start(), d
            break
    villages = tuple(
        (m.start(), m.group())
        for m in W.VILLAGE.finditer(text)
        if not _NOT_A_NAME.search(m.group())
        and not W.GENERIC_VILLAGE.search(text, max(0, m.start() - 2), m.end())
    )
    sources = [m.span() for m in W.SOURCE.finditer(text)]
    orgs = tuple(
        (m.start(), m.group())
        for m in W.ORG_OWNER.finditer(text)
        if not any(s <= m.start() < e for s, e in sources)
        and not _COUNTED_BEFORE.search(text, max(0, m.start() - 8), m.start())
        and not _NOT_ACTOR_AFTER.match(text, m.end())
    )
    return _Facts(
        sentence_wide=wide,
        example_at=example.start() if example else -1,
        domain_at=domain_at,
        domain=domain,
        villages=villages,
        orgs=orgs,
        opening=clause_end(text, 0),
        foreign=W.FOREIGN.search(text) is not None,
    )


def _owner(facts: _Facts, clause_at: int, end: int, named_words: str) -> bool:
    """An organisation is the actor of the figure's clause or the subject the sentence opens
    with, and the figure does not name it (…有限公司招聘的600名员工, 公司是当地龙头企业…)."""
    return any(
        at < end and not (facts.opening <= at < clause_at) and word not in named_words
        for at, word in facts.orgs
    )


@lru_cache(maxsize=4096)
def _names_a_clause(indicator: str) -> bool:
    """An indicator that is a clause, not a name (仅上海局集团公司每年就可节支创效: adverbs
    inside), or that ends in a word that only qualifies a noun (国有)."""
    tags = segment.tag(indicator)
    if not tags:
        return False
    if tags[-1][1] == "b":
        return True
    return any(t == "d" and w not in _NAME_ADVERBS for w, t in tags)


def _owner_dropped(text: str, masked: str, end: int, indicator: str) -> bool:
    """A modifier before 的 names whose figure it is, and the indicator left it out
    (我国家政服务业的经营规模 → 经营规模; 纳入粮食产业经济统计的企业 → 企业)."""
    start = clause_start(text, end)
    clause = masked[start:end]
    at = clause.rfind(indicator)
    if at <= 0 or clause[at - 1] != "的":
        return False
    owner = clause[: at - 1].split(MASK)[-1]
    owner = W.HEAD.sub("", W.NATIONAL_SCOPE.sub("", W.PROVINCE_SCOPE.sub("", owner)))
    return len(owner) >= 2 and owner not in indicator


def _names_no_measure(num: Candidate, indicator: str, subject: str, named_words: str) -> bool:
    """The indicator says not what is measured: a period (年度), an action (建设), a bare measure
    without its subject (面积, 年产值), a count of an amount (21家…余额), a clause."""
    if W.PERIOD_WORD.fullmatch(indicator) or indicator in W.ACTION_ONLY:
        return True
    if num.kind == "count" and W.AMOUNT_NOUN.search(indicator):
        return True
    if indicator.endswith(("人民币", "美元", "欧元")) or any(ch.isdigit() for ch in indicator):
        return True
    bare = W.PERIOD_WORD.sub("", indicator)
    if not subject and (
        indicator in W.BARE_ALONE or (bare != indicator and bare in W.BARE_MEASURES)
    ):
        return True
    if W.DEMONSTRATIVE.search(named_words) or (subject and not ends_in_noun(subject)):
        return True
    return _names_a_clause(indicator)


def _one_facility(text: str, num: Candidate, indicator: str, start: int, clause: str) -> bool:
    """A measure of one building, plot, road or plant (3公里路段, 20亩试验田收获了4万斤,
    站房总建筑面积, 年产3万吨…装置, 两万吨重载列车)."""
    if (
        W.FACILITY_AFTER.match(text, num.end)
        or W.SPEC_AFTER.match(text, num.end)
        or W.STRUCTURE.search(text, 0, num.start)
        or W.FACILITY_BEFORE.search(clause)
    ):
        return True
    if W.SITE_SIZE.search(f"{indicator}{clause}") and not W.SITE_AGGREGATE.search(clause):
        return True
    return any(
        m.start() < num.start < m.end()
        for m in W.PLANT_CAPACITY.finditer(text, start, clause_end(text, num.end))
    )


def doubt(
    text: str,
    masked: str,
    num: Candidate,
    *,
    indicator: str,
    subject: str,
    region_source: str,
    before_indicator: str = "",
    shown: str = "",
) -> str:
    """The class of doubt that keeps the figure at ``num`` of ``text`` (a folded sentence;
    ``masked`` with its places and periods blanked) from being shown as a line on its own, or
    ``""``. ``indicator`` is what it measures without the subject, ``shown`` with its suffixes;
    ``region_source`` the evidence of its region (see ``briefings.figures``);
    ``before_indicator`` what the figure before it in the sentence measures."""
    facts = _facts(text)
    if facts.sentence_wide:
        return facts.sentence_wide
    if 0 <= facts.example_at < num.start:
        return "example"
    if 0 <= facts.domain_at < num.start:
        return facts.domain
    start = clause_start(text, num.start)
    clause = text[start : num.start]
    named_words = f"{subject}{indicator}"
    if W.CLOSURE.search(clause):
        return "closure"
    if any(at < num.start and name not in named_words for at, name in facts.villages):
        return "village"
    if not subject and _owner(facts, start, num.start, named_words):
        return "organisation"
    if num.kind == "ratio":
        if not subject and W.SHARE_ONLY.search(indicator):
            return "share of a whole"
        if W.SHARE_OF_SET.search(clause) or W.SHARE_SAID_AFTER.match(text, num.end):
            return "share of a set"
        if num.unit != "倍" and not W.RATIO_NOUN.search(shown or indicator):
            return "ratio of what"
    elif not subject and W.SHARE_ONLY.search(indicator):
        return "share of a whole"
    if _names_no_measure(num, indicator, subject, named_words):
        return "names no measure"
    if (
        num.kind in ("money", "measure")
        and not subject
        and W.MEASURE_NOUN.search(before_indicator)
        and not W.MEASURE_NOUN.search(indicator)
        and W.HEAD.sub("", clause.strip()) == indicator
    ):
        return "part of the figure before"  # 中晚籼稻价格1.26元,粳稻1.30元
    if not subject and _owner_dropped(text, masked, num.start, indicator):
        return "owner dropped"
    if W.PER_YEAR_AFTER.match(text, num.end):
        return "per year"
    if (
        facts.foreign
        and region_source in ("scope", "none", "unknown province")
        and not W.FOREIGN.search(named_words)
        and not W.NATIONAL_SCOPE.search(named_words)
    ):
        return "country not named"
    if num.kind == "measure" and _one_facility(text, num, indicator, start, clause):
        return "one facility"
    if W.RESPECTIVELY.search(clause) and not (num.item or num.item_region):
        return "unread list"
    return ""
