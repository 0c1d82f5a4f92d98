"""Why a figure read right may still not stand alone as a figure line.

A confident figure is shown as ``region · indicator · value · period`` without its sentence, so
it must be a statistic of the place that says what it measures. Each check here is a class of
figure an editor would recognise that is true in its sentence but misleads as a line: an
organisation's own figure, a gift, a share named only by its whole, the size of one facility.
Such figures are shown as their sentence (the number in bold) instead; none is dropped.
"""

from __future__ import annotations

import re

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


def _owner(text: str, end: int, named_words: str) -> bool:
    """An organisation is the actor of the sentence before ``end`` and the figure does not name
    it: the source of a statistic (据…协会统计) and counted organisations do not count."""
    sources = [m.span() for m in W.SOURCE.finditer(text, 0, end)]
    # The actor of the figure's clause, or the subject the sentence opens with.
    clause = clause_start(text, end)
    opening = clause_end(text, 0)
    for m in W.ORG_OWNER.finditer(text, 0, end):
        if opening <= m.start() < clause:
            continue
        if any(s <= m.start() < e for s, e in sources):
            continue
        if _COUNTED_BEFORE.search(text, max(0, m.start() - 8), m.start()):
            continue
        if m.group() in named_words or _NOT_ACTOR_AFTER.match(text, m.end()):
            continue
        return True
    return False


_SENTENCE_DOMAINS = ("law and enforcement", "health")


def _domain_before(before: str) -> str:
    """A word of law or health earlier in the sentence (查缴盗版光盘50余万张,光盘生产线11条;
    132例确诊病例中…中药使用率达98.5%): the figures after it are what was seized or treated."""
    for m in W.NON_ECONOMIC_WORDS.finditer(before):
        domain = W.NON_ECONOMIC[m.group()]
        if domain in _SENTENCE_DOMAINS and m.group() != "问题":
            return domain
    return ""


_NOT_A_NAME = re.compile("[的个各每全该本这那些]")


def _village_before(before: str, named_words: str) -> bool:
    """A village or town named in the sentence before the figure (…大进镇红旗村,…2000亩茶园):
    the figure is the village's, unless the indicator names it (北红村共接待游客)."""
    for m in W.VILLAGE.finditer(before):
        if m.group() in named_words or _NOT_A_NAME.search(m.group()):
            continue  # 过50万元的村, 122个村: villages counted, not one named
        if not W.GENERIC_VILLAGE.search(before[max(0, m.start() - 2) : m.end()]):
            return True
    return False


def _names_a_clause(indicator: str) -> bool:
    """An indicator that is a clause, not a name (仅上海局集团公司每年就可节支创效: adverbs and
    conjunctions inside), or that ends in a word that only qualifies a noun (国有)."""
    tags = segment.tag(indicator)
    if not tags:
        return False
    if tags[-1][1] == "b":
        return True
    return any(t in _CLAUSE_TAGS and w not in _NAME_ADVERBS for w, t in tags)


# Adverbs (jieba tags d) do not occur in the name of a measure; the few that do are listed
# (jieba tags 介词 and 连词 too often inside nouns: 通过量, 占比).
_CLAUSE_TAGS = frozenset(("d",))
_NAME_ADVERBS = frozenset(("最", "非", "不"))


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
    ``""``. ``indicator`` is what it measures without the subject; ``region_source`` the
    evidence of its region (see ``briefings.figures``); ``before_indicator`` that of the
    figure before it in the sentence."""
    before = text[: num.start]
    start = clause_start(text, num.start)
    clause = text[start : num.start]
    named_words = f"{subject}{indicator}"
    if W.DONATION.search(text):
        return "donation"
    if W.RULE_ARTICLE.match(text):
        return "rule"
    if W.EXAMPLE.search(before):
        return "example"
    domain = _domain_before(before)
    if domain:
        return domain
    if W.CLOSURE.search(clause):
        return "closure"
    if _village_before(before, named_words):
        return "village"
    if W.POLITICAL.search(text):
        return "political work"
    if not subject and _owner(text, num.start, named_words):
        return "organisation"
    if not subject and W.SHARE_ONLY.search(indicator):
        return "share of a whole"
    if num.kind == "ratio" and (
        W.SHARE_OF_SET.search(clause) or W.SHARE_SAID_AFTER.match(text, num.end)
    ):
        return "share of a set"
    if num.kind == "ratio" and num.unit != "倍" and not W.RATIO_NOUN.search(shown or indicator):
        return "ratio of what"
    if W.PERIOD_WORD.fullmatch(indicator) or indicator in W.ACTION_ONLY:
        return "names no measure"
    if num.kind == "count" and W.AMOUNT_NOUN.search(indicator):
        return "names no measure"
    if indicator.endswith(("人民币", "美元", "欧元")):
        return "names no measure"
    bare = W.PERIOD_WORD.sub("", indicator)
    if not subject and (
        indicator in W.BARE_ALONE or (bare != indicator and bare in W.BARE_MEASURES)
    ):
        return "names no measure"
    if (
        _names_a_clause(indicator)
        or any(ch.isdigit() for ch in indicator)
        or W.DEMONSTRATIVE.search(named_words)
        or (subject and not ends_in_noun(subject))
    ):
        return "names no measure"
    if (
        num.kind in ("money", "measure")
        and not subject
        and W.HEAD.sub("", clause.strip()) == indicator
        and W.MEASURE_NOUN.search(before_indicator)
        and not W.MEASURE_NOUN.search(indicator)
    ):
        return "part of the figure before"
    if not subject and _owner_dropped(text, masked, num.start, indicator):
        return "owner dropped"
    if W.PER_YEAR_AFTER.match(text, num.end):
        return "per year"
    if (
        region_source in ("scope", "none", "unknown province")
        and W.FOREIGN.search(text)
        and not W.FOREIGN.search(named_words)
        and not W.NATIONAL_SCOPE.search(named_words)
    ):
        return "country not named"
    if num.kind == "measure" and (
        W.FACILITY_AFTER.match(text, num.end)
        or W.SPEC_AFTER.match(text, num.end)
        or W.STRUCTURE.search(before)
        or W.FACILITY_BEFORE.search(clause)
        or (W.SITE_SIZE.search(f"{indicator}{clause}") and not W.SITE_AGGREGATE.search(clause))
        or any(
            m.start() < num.start < m.end()
            for m in W.PLANT_CAPACITY.finditer(text, start, clause_end(text, num.end))
        )
    ):
        return "one facility"
    if W.RESPECTIVELY.search(clause) and not (num.item or num.item_region):
        return "unread list"
    return ""
