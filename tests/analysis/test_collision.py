"""Data collision: difficulty, hot and weak tags with their evidence; three tags make a focus."""

from __future__ import annotations

from datetime import date

import pytest

from app.analysis.collision import (
    DIFFICULTY,
    HOT,
    WEAKNESS,
    CollisionRules,
    ColourRecord,
    DocumentRecord,
    PeerRecord,
    collide,
    difficulty_tag,
    focus_issues,
    hot_tag,
    weakness_tag,
)
from app.analysis.topics import DEFAULT_TOPICS, Topic, topic_by_code
from app.indicators.dictionary import load_dictionary

DICTIONARY = load_dictionary()
ENFORCEMENT = topic_by_code("enforcement")  # 执行难: CT11, CT12
AS_OF = "2025-06"  # the window is 2025-01 … 2025-06

COURT = "西湖区人民法院"
RED_CT11 = [
    ColourRecord("CT11", "2024-12", "red", COURT, ref=100),  # before the window
    ColourRecord("CT11", "2025-02", "red", COURT, ref=102),
    ColourRecord("CT11", "2025-04", "red", COURT, ref=104),
    ColourRecord("CT11", "2025-05", "yellow", COURT, ref=105),
    ColourRecord("CT11", "2025-06", "red", COURT, ref=106),
]
DOCUMENTS = [
    DocumentRecord(
        1, "petitions", "执行款迟迟不到位", "申请执行两年，执行款仍未到账。", date(2025, 3, 2)
    ),
    DocumentRecord(
        2, "deputy_motions", "关于破解执行难的建议", "建议加强联合惩戒老赖。", date(2025, 5, 20)
    ),
    DocumentRecord(3, "hot_topics", "网友热议老赖", "……", date(2024, 11, 30)),  # too old
    DocumentRecord(4, "work_news", "执行难攻坚推进会召开", "", date(2025, 4, 1)),  # not a source
    DocumentRecord(5, "hot_topics", "电信诈骗新套路", "冒充客服", date(2025, 6, 30)),  # other topic
]
PEERS = [
    PeerRecord("CT12", "2025-05", z=4.2, organ=COURT, ref=205),
    PeerRecord("CT11", "2025-04", z=1.0, organ=COURT, ref=204),  # not far enough
    PeerRecord("CT01", "2025-05", z=9.0, organ=COURT, ref=206),  # not 执行难's
]


# --- 难点 difficulty -------------------------------------------------------------------------


def test_red_in_three_of_the_last_six_periods_is_a_difficulty():
    tag = difficulty_tag(ENFORCEMENT, AS_OF, RED_CT11)
    assert tag is not None and tag.kind == DIFFICULTY and tag.label_zh == "难点"
    assert [(e.period, e.targets, e.indicator, e.organ) for e in tag.evidence] == [
        ("2025-02", (102,), "CT11", COURT),
        ("2025-04", (104,), "CT11", COURT),
        ("2025-06", (106,), "CT11", COURT),
    ]
    assert tag.evidence[0].what_zh == "执行到位率 2025-02 红色"
    assert tag.evidence[0].what_en == "Execution amount realised: red in 2025-02"
    assert tag.reason_zh == "执行到位率在近 6 期中有 3 期为红色"


def test_two_reds_in_the_window_are_not_enough():
    assert difficulty_tag(ENFORCEMENT, AS_OF, RED_CT11[:3]) is None
    assert difficulty_tag(ENFORCEMENT, "2025-07", RED_CT11) is not None  # 2025-02 … 2025-07
    assert difficulty_tag(ENFORCEMENT, "2025-08", RED_CT11) is None  # February falls out


def test_reds_of_different_organs_do_not_add_up():
    records = [
        ColourRecord("CT11", "2025-02", "red", "A"),
        ColourRecord("CT11", "2025-03", "red", "A"),
        ColourRecord("CT11", "2025-04", "red", "B"),
    ]
    assert difficulty_tag(ENFORCEMENT, AS_OF, records) is None


def test_rules_are_adjustable():
    rules = CollisionRules(red_periods=2, window=3)  # 2025-04 … 2025-06
    tag = difficulty_tag(ENFORCEMENT, AS_OF, RED_CT11, rules)
    assert [e.period for e in tag.evidence] == ["2025-04", "2025-06"]


def test_a_yearly_indicator_counts_its_years():
    topic = Topic("transparency", "司法透明", "Transparency", ("透明",), ("CT17",))
    records = [
        ColourRecord("CT17", year, "red", COURT) for year in ("2019", "2021", "2023", "2025")
    ]
    tag = difficulty_tag(topic, AS_OF, records)  # the last 6 years: 2020 … 2025
    assert [e.period for e in tag.evidence] == ["2021", "2023", "2025"]


def test_a_quarterly_window_counts_quarters():
    records = [ColourRecord("CT11", q, "red", COURT) for q in ("2024-Q1", "2024-Q3", "2025-Q2")]
    assert difficulty_tag(ENFORCEMENT, AS_OF, records) is not None  # 2024-Q1 … 2025-Q2
    assert difficulty_tag(ENFORCEMENT, "2025-09", records) is None  # 2024-Q2 … 2025-Q3


# --- 热点 hot ---------------------------------------------------------------------------------


def test_two_documents_mentioning_the_topic_make_it_hot():
    tag = hot_tag(ENFORCEMENT, AS_OF, DOCUMENTS)
    assert tag is not None and tag.kind == HOT and tag.label_zh == "热点"
    assert [(e.period, e.targets) for e in tag.evidence] == [
        ("2025-03-02", (1,)),
        ("2025-05-20", (2,)),
    ]
    assert tag.evidence[0].what_zh == "【信访】执行款迟迟不到位（提及：执行款）"
    assert tag.evidence[1].what_zh == "【代表建议/议案】关于破解执行难的建议（提及：执行难、老赖）"
    assert tag.evidence[1].what_en.startswith("[deputies' motion] ")


def test_one_document_is_not_hot():
    assert hot_tag(ENFORCEMENT, AS_OF, DOCUMENTS[:1]) is None
    assert hot_tag(ENFORCEMENT, AS_OF, [DOCUMENTS[0], DOCUMENTS[0]]) is None  # counted once
    assert hot_tag(ENFORCEMENT, AS_OF, DOCUMENTS, CollisionRules(hot_documents=3)) is None


def test_the_document_window_is_in_months():
    assert hot_tag(ENFORCEMENT, "2025-08", DOCUMENTS) is not None  # 2025-03 … 2025-08
    assert hot_tag(ENFORCEMENT, "2025-09", DOCUMENTS) is None  # March falls out
    # 2024-11 … 2025-04: November's hot topic counts, May's motion is not yet there
    assert [e.targets for e in hot_tag(ENFORCEMENT, "2025-04", DOCUMENTS).evidence] == [(3,), (1,)]
    assert hot_tag(ENFORCEMENT, "2024-12", DOCUMENTS) is None


def test_keywords_match_case_insensitively():
    topic = Topic("x", "x", "x", ("App",), ())
    assert topic.mentioned_in("some APP fraud") == ("App",)
    assert topic.mentioned_in("nothing") == ()


# --- 弱点 weakness ----------------------------------------------------------------------------


def test_worse_than_peers_by_the_peer_rule_is_a_weakness():
    tag = weakness_tag(ENFORCEMENT, AS_OF, PEERS)
    assert tag is not None and tag.kind == WEAKNESS and tag.label_zh == "弱点"
    assert [(e.indicator, e.period, e.targets) for e in tag.evidence] == [
        ("CT12", "2025-05", (205,))
    ]
    assert tag.evidence[0].what_zh == "实际执结率 2025-05 处于同级较差一侧（z = 4.2）"
    assert tag.reason_zh == "实际执结率处于同级较差一侧"


def test_the_flag_wins_over_the_z_score():
    flagged = [PeerRecord("CT11", "2025-03", below_peers=True)]
    assert weakness_tag(ENFORCEMENT, AS_OF, flagged).evidence[0].targets == ()
    cleared = [PeerRecord("CT12", "2025-05", z=9.0, below_peers=False)]
    assert weakness_tag(ENFORCEMENT, AS_OF, cleared) is None


def test_a_weakness_outside_the_window_does_not_count():
    assert weakness_tag(ENFORCEMENT, "2025-12", PEERS) is None
    assert weakness_tag(ENFORCEMENT, AS_OF, [PeerRecord("CT12", "2025-05", z=None)]) is None


# --- the collision ----------------------------------------------------------------------------


def test_three_tags_make_a_focus_issue_with_its_evidence():
    findings = collide(AS_OF, colours=RED_CT11, documents=DOCUMENTS, peers=PEERS)
    first = findings[0]
    assert first.topic.code == "enforcement"
    assert first.is_focus
    assert first.kinds == (DIFFICULTY, HOT, WEAKNESS)
    assert [e.targets for e in first.tag(HOT).evidence] == [(1,), (2,)]
    assert [e.targets for e in first.tag(DIFFICULTY).evidence] == [(102,), (104,), (106,)]
    assert focus_issues(findings) == [first]


def test_two_tags_are_not_a_focus_issue():
    findings = collide(AS_OF, colours=RED_CT11, documents=DOCUMENTS)
    enforcement = next(f for f in findings if f.topic.code == "enforcement")
    assert enforcement.kinds == (DIFFICULTY, HOT)
    assert not enforcement.is_focus
    assert enforcement.tag(WEAKNESS) is None
    assert focus_issues(findings) == []


def test_findings_are_ordered_focus_first_then_by_tags():
    fraud_red = [ColourRecord("PS03", f"2025-0{m}", "red", "公安") for m in (1, 2, 3)]
    findings = collide(AS_OF, colours=RED_CT11 + fraud_red, documents=DOCUMENTS, peers=PEERS)
    # one tag each; equally tagged topics keep the list's order
    assert [f.topic.code for f in findings[:3]] == [
        "enforcement",
        "trial_efficiency",
        "telecom_fraud",
    ]
    assert findings[1].kinds == (WEAKNESS,)  # CT01 far below its peers
    assert findings[2].kinds == (DIFFICULTY,)  # one fraud document is not hot
    assert all(f.tags == () for f in findings[3:])
    assert len(findings) == len(DEFAULT_TOPICS)


def test_names_for_the_evidence_can_be_given():
    names = {"CT11": ("到位率", "realised")}
    findings = collide(AS_OF, topics=[ENFORCEMENT], colours=RED_CT11, names=names)
    assert findings[0].tag(DIFFICULTY).evidence[0].what_zh == "到位率 2025-02 红色"


def test_as_of_must_be_a_month():
    with pytest.raises(ValueError):
        collide("2025")


# --- the default topics -----------------------------------------------------------------------


def test_default_topics_use_real_indicator_codes():
    codes = {spec.code for spec in DICTIONARY}
    for topic in DEFAULT_TOPICS:
        assert topic.keywords, topic.code
        assert topic.indicators, topic.code
        assert set(topic.indicators) <= codes, topic.code
    assert len({t.code for t in DEFAULT_TOPICS}) == len(DEFAULT_TOPICS)


def test_default_topics_include_the_usual_ones():
    names = {t.name_zh for t in DEFAULT_TOPICS}
    assert {"执行难", "审判效率", "未成年人保护", "电信诈骗", "矛盾纠纷化解"} <= names
    assert topic_by_code("telecom_fraud").indicators[0] == "PS03"
    with pytest.raises(KeyError):
        topic_by_code("nothing")
