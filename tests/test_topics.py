"""Topic tagging: cue words, headline weight, structural county evidence, the `other` fallback."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from briefings.models import Figure, Region, RegionMention, TopicScore, Unit
from briefings.topics import THRESHOLD, best_topic, score_topics

JINYUN = Region("330722", "缙云县", "缙云", "county", "331100", "浙江省", "丽水市", "jinyun")


def unit(title: str = "", *paragraphs: str) -> Unit:
    return Unit(kind="article", title=title, paragraphs=list(paragraphs))


def test_film_statistics_are_film():
    u = unit(
        "为中国电影注入更多新的可能",
        "全省共有影视制作机构近4000家,影视文化上市公司26家。",
        "目前全省共有影院近900家,银幕总数近6000块,浙江电影票房近年来稳居全国前三。",
    )
    assert best_topic(score_topics(u)) == "film"


def test_insurance_and_loans_for_startups_are_scitech_finance():
    u = unit(
        "绍兴推出全流程科技成果转化保障机制",
        "已经拿到科创保险单,不用再为研发资金犯愁了。",
        "联合金融机构为企业提供保险保障和信贷资金各100万元,其中概念验证阶段保额10万元、贷款20万元。",
    )
    assert best_topic(score_topics(u)) == "finance"


def test_county_mentions_and_figures_make_county_economy():
    u = unit("山区县再造一个工业", "缙云规上工业总产值突破525亿元,五年再造了一个缙云工业。")
    mentions = [RegionMention(JINYUN, 2)]
    figures = [Figure("规上工业总产值", 5.25e10, "元", "525亿元", "突破", "", "缙云", "330722")]
    scores = score_topics(u, mentions, figures)
    assert best_topic(scores) == "county"


def test_sports_caption_is_other():
    u = Unit(
        kind="caption",
        paragraphs=[
            "4月14日,全国大学生篮球一级联赛东南赛区火热开赛。宁波大学男篮最终以72:56战胜对手。"
        ],
    )
    assert [t.topic for t in score_topics(u)] == ["other"]


def test_headline_cue_outweighs_the_same_cue_in_body():
    in_head = score_topics(unit("票房", "今天天气很好。"))
    in_body = score_topics(unit("今天", "票房。"))
    film_head = next((t.score for t in in_head if t.topic == "film"), 0.0)
    film_body = next((t.score for t in in_body if t.topic == "film"), 0.0)
    assert film_head > film_body


def test_multi_label_when_two_topics_are_strong():
    u = unit(
        "电影产业基金助力影视企业融资",
        "银行为影视企业提供贷款和融资服务,电影票房增长,科创金融产品覆盖影院和院线。",
    )
    labels = {t.topic for t in score_topics(u)}
    assert {"film", "finance"} <= labels


@given(st.text(max_size=300), st.text(max_size=40))
def test_scores_are_confidences_and_never_empty(body: str, title: str):
    scores = score_topics(unit(title, body))
    assert scores
    assert all(0.0 <= t.score <= 1.0 for t in scores)
    assert all(t.score >= THRESHOLD for t in scores if t.topic != "other")


def test_traditional_text_is_tagged_like_simplified():
    simplified = unit("浙江电影票房稳居全国前三", "全省共有影院近900家,银幕总数近6000块。")
    traditional = unit("浙江電影票房穩居全國前三", "全省共有影院近900家,銀幕總數近6000塊。")
    assert score_topics(traditional) == score_topics(simplified)


def test_best_topic_prefers_score_then_topic_order() -> None:
    assert best_topic([TopicScore("finance", 0.2), TopicScore("film", 0.9)]) == "film"
    assert best_topic([TopicScore("finance", 0.5), TopicScore("county", 0.5)]) == "county"
    assert best_topic([TopicScore("film", 0.0)]) == "other"
    assert best_topic([]) == "other"
