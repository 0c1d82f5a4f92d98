"""Multi-label topic tagging: county economy, film industry, sci-tech finance, other.

Scores come from weighted cue words (headline cues count three times), plus structural evidence
for county economy (county mentions, figures attributed to counties). Each score is squashed to
0..1 so that it reads as confidence; a unit gets every label at or above ``THRESHOLD``, and
``other`` when none qualifies. Simple on purpose: every score can be explained by its cues.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from briefings.models import TOPICS, Figure, RegionMention, TopicScore, Unit
from briefings.normalize import fold_chars

THRESHOLD = 0.5

# Cue words with weights. Longer, more specific cues weigh more; generic words weigh little.
# fmt: off
CUES: dict[str, dict[str, float]] = {
    "county": {
        "县域": 3, "工业大县": 4, "强县": 3, "山区海岛县": 3, "县(市、区)": 2, "县城": 2,
        "规上工业": 3, "增加值": 2, "总产值": 2, "GDP": 2, "制造业": 1.5, "产业链": 1,
        "招商": 1.5, "营商环境": 1.5, "外贸": 1.5, "进出口": 1.5, "产值": 1, "营收": 1,
        "投资": 0.5, "企业": 0.3, "工业": 0.8, "经济": 0.5, "共同富裕": 1.5, "项目": 0.3,
        "开发区": 1, "产业": 0.5, "服务业": 1, "出海": 1, "跨境": 1,
    },
    "film": {
        "电影": 3, "影视": 3, "票房": 4, "影院": 3, "银幕": 3, "院线": 3, "金鸡奖": 4,
        "导演": 2, "横店": 3, "影片": 3, "编剧": 2, "电影节": 3, "拍摄": 1.5, "剧组": 3,
        "片场": 3, "影视基地": 4, "微短剧": 3, "短剧": 2, "观众": 1, "出品": 1.5,
    },
    "finance": {
        "科创": 3, "金融": 2.5, "保险": 2, "保单": 2, "信贷": 3, "贷款": 3, "授信": 3,
        "融资": 2.5, "银行": 2, "证券化": 3, "知识产权证券化": 2, "基金": 2, "风投": 3,
        "创投": 3, "科技成果转化": 3, "保贷联动": 4, "概念验证": 2, "中试": 1.5, "债券": 2,
        "上市": 1, "资本": 1.5, "利率": 2, "投保": 2, "保额": 3, "用信": 3, "贷": 1,
    },
}
# fmt: on

_CUE_PATTERNS = {
    topic: re.compile("|".join(re.escape(c) for c in sorted(cues, key=len, reverse=True)))
    for topic, cues in CUES.items()
}
# Saturation constant: the raw score at which confidence reaches 1 - 1/e ≈ 0.63.
_SCALE = {"county": 14.0, "film": 10.0, "finance": 10.0}


@dataclass(frozen=True)
class TopicEvidence:
    """Raw points per topic and the cues that earned them, for explaining a score."""

    points: dict[str, float]
    cues: dict[str, list[str]]


def evidence(
    unit: Unit,
    regions: Sequence[RegionMention] = (),
    figures: Sequence[Figure] = (),
    *,
    folded_body: str | None = None,
) -> TopicEvidence:
    """Count weighted cues in the headline (x3) and body, per 1,000 characters of body.

    ``folded_body`` may give ``fold_chars(unit.body)`` when the caller has it already."""
    # Cue words are simplified: match on the folded copy (traditional → simplified).
    head = fold_chars(
        " ".join(x for x in (unit.kicker, unit.title, unit.subtitle, *unit.subheads) if x)
    )
    body = fold_chars(unit.body) if folded_body is None else folded_body
    # Long bodies mention everything once; normalise by length so density matters.
    length_factor = 1.0 / max(1.0, math.sqrt(len(body) / 1000.0))
    points: dict[str, float] = {}
    cues: dict[str, list[str]] = {}
    for topic, pattern in _CUE_PATTERNS.items():
        weights = CUES[topic]
        total = 0.0
        in_head = pattern.findall(head)
        for cue in in_head:
            total += 3 * weights[cue]
        body_points = 0.0
        in_body = pattern.findall(body)
        for cue in in_body:
            body_points += weights[cue]
        points[topic] = total + body_points * length_factor
        cues[topic] = in_head + in_body
    # How much the unit talks about Zhejiang counties: every mention counts, up to a cap, so a
    # report on one county (桐庐 ×6) weighs like one that names six counties once.
    county_mentions = sum(
        m.count for m in regions if m.region.level == "county" and m.region.province == "浙江省"
    )
    # A province-wide figure (adcode …0000) says nothing about a county.
    county_figures = [f for f in figures if f.region and not f.adcode.endswith("0000")]
    points["county"] += 1.0 * min(county_mentions, 10) + 1.0 * min(len(county_figures), 8)
    if county_figures:
        cues["county"].append(f"{len(county_figures)} 个县域数据")
    return TopicEvidence(points, cues)


def score_topics(
    unit: Unit,
    regions: Sequence[RegionMention] = (),
    figures: Sequence[Figure] = (),
    *,
    folded_body: str | None = None,
) -> list[TopicScore]:
    """Labels with confidence in 0..1, best first; ``other`` when no topic reaches THRESHOLD."""
    ev = evidence(unit, regions, figures, folded_body=folded_body)
    scores = {t: 1 - math.exp(-p / _SCALE[t]) for t, p in ev.points.items()}
    labels = [TopicScore(t, s) for t, s in scores.items() if s >= THRESHOLD]
    best = max(scores.values(), default=0.0)
    if not labels:
        return [TopicScore("other", round(1 - best, 3))]
    return sorted(labels, key=lambda t: -t.score)


def best_topic(scores: Sequence[TopicScore]) -> str:
    """The one heading of an article (``articles.topic``: /film, /finance): the highest score;
    ties go to the earlier topic in ``TOPICS``; no positive score → ``other``."""
    order = {key: i for i, key in enumerate(TOPICS)}
    scored = [t for t in scores if t.score > 0]
    if not scored:
        return "other"
    return min(scored, key=lambda t: (-t.score, order.get(t.topic, len(order)))).topic
