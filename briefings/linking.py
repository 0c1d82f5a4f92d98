"""Linking parts of one article scattered on a page (a titled block and its continuation)."""

from __future__ import annotations

import operator
from collections import Counter

from briefings.headlines import has_column_tag
from briefings.models import Unit
from briefings.typography import _cjk


def _bigram_counts(unit: Unit) -> Counter[str]:
    s = _cjk("\n".join([unit.title, unit.subtitle, *unit.subheads, *unit.paragraphs]))
    return Counter(map(operator.add, s, s[1:]))


def _keywords(counts: Counter[str]) -> dict[str, float]:
    """Bigrams a unit keeps coming back to: at least 3 times and 1% of its bigrams."""
    total = sum(counts.values()) or 1
    return {g: c / total for g, c in counts.items() if c >= 3 and c / total >= 0.01}


def _strength(u: Unit) -> int:
    """2: the start of an article on this page; 1: a title-only block; 0: a fragment.

    A title with a subtitle or a column tag (（人民时评）) is a full headline: an article start.
    """
    if u.kind == "continuation" or u.byline or u.dateline or u.kicker or u.subtitle:
        return 2
    if has_column_tag(u.title):
        return 2
    return 1 if u.kind == "article" else 0


def link_parts(units: list[Unit]) -> None:
    """Set ``part_of`` on fragments and title-only blocks that clearly belong to another unit.

    Evidence: a keyword bigram the two units share that no third unit on the page uses as a
    keyword, strong in both (≥ 2% and 5 uses), or two such shared keywords. A part links only
    when exactly one unit qualifies, and only to a unit that looks more like an article start;
    a titled block links only to a continuation (紧接第一版): a titled block followed by its own
    text on the page is an article of its own.
    """
    idx = [k for k, u in enumerate(units) if u.kind != "caption"]
    strength = {k: _strength(units[k]) for k in idx}
    if all(strength[k] == 2 for k in idx):
        return  # only article starts: nothing to link (and counting bigrams is the cost here)
    counts = {k: _bigram_counts(units[k]) for k in idx}
    kws = {k: _keywords(counts[k]) for k in idx}
    owners = Counter(g for k in idx for g in kws[k])  # how many units use g as a keyword
    jumps = [h for h in idx if units[h].kind == "continuation"]
    for k in sorted(idx, key=lambda k: -strength[k]):
        if strength[k] == 2:
            continue
        hosts = []
        # A titled block is an article of its own, or the head of a jump: it links only to a
        # continuation. A fragment may belong to any stronger unit.
        for h in jumps if units[k].title else idx:
            if h == k or strength[h] <= strength[k]:
                continue
            # keywords the two share and no third unit uses
            shared = [g for g in kws[k].keys() & kws[h].keys() if owners[g] == 2]
            strong = [
                g
                for g in shared
                if min(kws[k][g], kws[h][g]) >= 0.02 and min(counts[k][g], counts[h][g]) >= 5
            ]
            if len(shared) >= 2 or strong:
                hosts.append(h)
        if len(hosts) == 1:
            host = hosts[0]
            units[k].part_of = units[host].part_of if units[host].part_of is not None else host
