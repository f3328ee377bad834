"""The portrait: scores from bands and peers, dimensions, weakest, attention, stability."""

from __future__ import annotations

import json
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.analysis.portrait import (
    FORMULA_EN,
    FORMULA_ZH,
    band_score,
    draw_portrait,
    peer_score,
    peer_z,
    score_indicator,
    specs_for,
)
from app.indicators.dictionary import ORGAN_KINDS, load_dictionary
from app.ratings.rules import Z_FACTOR

DICTIONARY = load_dictionary()
SPEC = {spec.code: spec for spec in DICTIONARY}


# --- banded indicators ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "value", "score"),
    [
        # CT01 up, green 95, red 85, band 10: 0 at 75, 100 at 105
        ("CT01", 85, 40),
        ("CT01", 95, 80),
        ("CT01", 90, 60),
        ("CT01", 80, 20),
        ("CT01", 75, 0),
        ("CT01", 40, 0),
        ("CT01", 100, 90),
        ("CT01", 105, 100),
        ("CT01", 300, 100),
        # CT03 down, green 60, red 90 days, band 30: 100 at 30 days, 0 at 120
        ("CT03", 60, 80),
        ("CT03", 90, 40),
        ("CT03", 75, 60),
        ("CT03", 45, 90),
        ("CT03", 30, 100),
        ("CT03", 105, 20),
        ("CT03", 200, 0),
        # CT02 up, 98 / 95, max 100: the dictionary's 100 % is nearer than 98 + 3
        ("CT02", 99, 90),
        ("CT02", 100, 100),
        ("CT02", 93.5, 20),
        # PR13 up, green 100 = the best possible: red → 40, green → 100
        ("PR13", 100, 100),
        ("PR13", 97.5, 70),
        ("PR13", 95, 40),
        ("PR13", 90, 0),
        # JB02 down, 0.2 / 0.5 ‰-style rate with min 0 nearer than 0.2 − 0.3
        ("JB02", 0.0, 100),
        ("JB02", 0.1, 90),
        ("JB02", 0.35, 60),
        # PS03, a year-on-year change that can be negative
        ("PS03", 0, 80),
        ("PS03", -5, 90),
        ("PS03", -10, 100),
        ("PS03", 15, 20),
        ("PS03", 25, 0),
    ],
)
def test_band_score(code, value, score):
    assert band_score(SPEC[code], value) == pytest.approx(score)


def test_band_score_of_missing_or_peer_rated_is_none():
    assert band_score(SPEC["CT01"], None) is None
    assert band_score(SPEC["CT01"], float("nan")) is None
    assert band_score(SPEC["CT05"], 100) is None


@pytest.mark.parametrize("code", [s.code for s in DICTIONARY if not s.peer_rated])
def test_band_score_never_gets_worse_as_the_value_gets_better(code):
    spec = SPEC[code]
    low, high = (
        max(spec.min, min(spec.green, spec.red) - 50),
        min(spec.max, max(spec.green, spec.red) + 50),
    )
    steps = [low + (high - low) * i / 400 for i in range(401)]
    scores = [band_score(spec, v) for v in steps]
    if spec.direction == "down":
        scores.reverse()
    assert all(0 <= s <= 100 for s in scores)
    assert all(a <= b + 1e-9 for a, b in pairwise(scores))


# --- peer-rated indicators --------------------------------------------------------------------

PEERS = [10.0, 11.0, 12.0, 13.0, 14.0]  # median 12, MAD 1


def test_peer_score_at_the_median_is_80():
    assert peer_score(SPEC["CT05"], 12.0, PEERS) == pytest.approx(80)


def test_peer_score_moves_ten_points_per_z():
    z = 2 * Z_FACTOR
    assert peer_z(SPEC["CT05"], 10.0, PEERS) == pytest.approx(z)  # below: the worse side
    assert peer_score(SPEC["CT05"], 10.0, PEERS) == pytest.approx(80 - 10 * z)
    assert peer_score(SPEC["CT05"], 14.0, PEERS) == pytest.approx(80 + 10 * z)


def test_peer_score_neutral_is_worse_either_side():
    assert peer_score(SPEC["PR01"], 14.0, PEERS) == pytest.approx(80 - 20 * Z_FACTOR)
    assert peer_score(SPEC["PR01"], 10.0, PEERS) == pytest.approx(80 - 20 * Z_FACTOR)


def test_peer_score_is_clamped():
    peers = [*PEERS, 1000.0]
    assert peer_score(SPEC["CT05"], 1000.0, peers) == 100
    assert peer_score(SPEC["CT05"], -1000.0, [*PEERS, -1000.0]) == 0


def test_peer_score_needs_five_peers_and_a_spread():
    assert peer_score(SPEC["CT05"], 12.0, PEERS[:4]) is None
    assert peer_score(SPEC["CT05"], 5.0, [5.0, 5.0, 5.0, 5.0, 6.0]) is None  # MAD 0
    assert peer_score(SPEC["CT05"], None, PEERS) is None


def test_score_indicator_says_which_basis():
    assert score_indicator(SPEC["CT01"], 90).basis == "bands"
    assert score_indicator(SPEC["CT05"], 12.0, PEERS).basis == "peers"
    missing = score_indicator(SPEC["CT01"], None)
    assert missing.score is None and missing.basis is None
    assert score_indicator(SPEC["CT01"], 90).name_zh == "结收比"


# --- the portrait -----------------------------------------------------------------------------

COURT = {
    # 效率: 60, 90, 60, (missing), 80 → 72.5
    "CT01": 90,
    "CT02": 99,
    "CT03": 75,
    "CT04": None,
    "CT05": 12.0,
    # 公正: 40, 20, 40 → 33.3
    "CT06": 3.0,
    "CT07": 1.25,
    "CT08": 95,
    # 效果: 80, 80, 90, 40 → 72.5
    "CT09": 90,
    "CT10": 45,
    "CT11": 57.5,
    "CT12": 30,
    # 管理: 80, 100, 60 → 80
    "CT13": 40,
    "CT14": 100,
    "CT15": 50,
    # 满意度: (missing), 90, 60 → 75
    "CT17": 90,
    "CT18": 85,
}


def court_portrait():
    return draw_portrait("court", COURT, {"CT05": PEERS}, specs=DICTIONARY)


def test_dimensions_follow_the_dictionary():
    assert [d.name_zh for d in court_portrait().dimensions] == [
        "效率",
        "公正",
        "效果",
        "管理",
        "满意度",
    ]
    procuratorate = draw_portrait("procuratorate", {}, specs=DICTIONARY)
    assert [d.name_zh for d in procuratorate.dimensions] == [
        "办案数量",
        "效率",
        "效果",
        "监督质量",
        "满意度",
    ]


def test_dimension_scores_are_means_of_indicator_scores():
    portrait = court_portrait()
    scores = {d.name_zh: d.score for d in portrait.dimensions}
    assert scores == pytest.approx(
        {"效率": 72.5, "公正": 100 / 3, "效果": 72.5, "管理": 80, "满意度": 75}
    )
    assert portrait.overall == pytest.approx((72.5 + 100 / 3 + 72.5 + 80 + 75) / 5)
    efficiency = portrait.dimension("效率")
    assert efficiency.name_en == "efficiency"
    assert [i.code for i in efficiency.indicators] == ["CT01", "CT02", "CT03", "CT04", "CT05"]
    assert efficiency.indicators[3].score is None


def test_weakest_and_attention():
    portrait = court_portrait()
    assert portrait.weakest == ("公正",)
    assert [(i.code, i.score) for i in portrait.attention] == [
        ("CT07", pytest.approx(20)),
        ("CT06", pytest.approx(40)),
        ("CT08", pytest.approx(40)),
        ("CT12", pytest.approx(40)),
    ]
    assert [(t.code, t.indicators) for t in portrait.topics] == [
        ("judicial_fairness", ("CT07", "CT06", "CT08")),
        ("enforcement", ("CT12",)),
    ]


def test_weakest_are_the_lowest_two_when_none_is_below_60():
    values = {**COURT, "CT06": 1.5, "CT07": 0.5, "CT08": 98, "CT12": 40}  # 公正 → 80
    portrait = draw_portrait("court", values, {"CT05": PEERS}, specs=DICTIONARY)
    assert portrait.attention == ()
    assert portrait.topics == ()
    assert portrait.weakest == ("效率", "满意度")  # 72.5 and 75 (效果 is now 82.5)


def test_a_dimension_without_values_has_no_score():
    portrait = draw_portrait("court", {"CT01": 95}, specs=DICTIONARY)
    assert portrait.dimension("效率").score == pytest.approx(80)
    assert portrait.dimension("公正").score is None
    assert portrait.overall == pytest.approx(80)
    assert portrait.weakest == ("效率",)
    empty = draw_portrait("court", {}, specs=DICTIONARY)
    assert empty.overall is None
    assert empty.weakest == ()


def test_a_township_tribunal_has_its_subset():
    portrait = draw_portrait("tribunal", {"CT01": 95}, level="township", specs=DICTIONARY)
    assert [d.name_zh for d in portrait.dimensions] == ["效率", "效果"]
    codes = [i.code for d in portrait.dimensions for i in d.indicators]
    assert codes == ["CT01", "CT02", "CT03", "CT09", "CT10"]


def test_unknown_organ_kind():
    with pytest.raises(ValueError):
        draw_portrait("army", {}, specs=DICTIONARY)


def test_the_shipped_dictionary_is_the_default():
    assert draw_portrait("court", COURT, {"CT05": PEERS}) == court_portrait()


def test_as_dict_is_json_ready():
    data = court_portrait().as_dict()
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert data["weakest"] == ["公正"]
    assert data["dimensions"][0]["indicators"][0]["code"] == "CT01"


def test_the_formula_can_be_shown_in_both_languages():
    for text in ("红色界限记40分", "绿色界限记80分", "80 − 10 × z", "低于60分"):
        assert text in FORMULA_ZH
    for text in ("red bound scores 40", "green bound 80", "80 − 10 × z", "below 60"):
        assert text in FORMULA_EN


# --- stability --------------------------------------------------------------------------------

SIBLINGS = 7


def _band_width(spec) -> float:
    return abs(spec.green - spec.red)


@st.composite
def organ_with_perturbation(draw):
    """An organ's values (and its siblings' for peer-rated indicators), and the same moved by
    up to ±0.5 % of each band width (for peers: of the robust spread MAD / 0.6745)."""
    kind = draw(st.sampled_from(ORGAN_KINDS))
    values, moved, peers, moved_peers = {}, {}, {}, {}
    nudge = st.floats(-1, 1)
    for spec in specs_for(kind, DICTIONARY):
        if spec.peer_rated:
            group = draw(st.lists(st.floats(0, 1000), min_size=5, max_size=SIBLINGS))
            ordered = sorted(group)
            centre = ordered[len(ordered) // 2]
            spread = sorted(abs(v - centre) for v in group)[len(group) // 2] / Z_FACTOR
            shifted = [v + 0.005 * spread * draw(nudge) for v in group]
            values[spec.code], moved[spec.code] = group[0], shifted[0]
            peers[spec.code], moved_peers[spec.code] = group, shifted
            continue
        width = _band_width(spec)
        low = max(spec.min, min(spec.green, spec.red) - 2 * width)
        high = min(spec.max, max(spec.green, spec.red) + 2 * width)
        value = draw(st.floats(low, high))
        values[spec.code] = value
        moved[spec.code] = min(spec.max, max(spec.min, value + 0.005 * width * draw(nudge)))
    return kind, values, moved, peers, moved_peers


@settings(max_examples=300, deadline=None)
@given(organ_with_perturbation())
def test_a_tiny_move_of_every_value_barely_moves_a_dimension(case):
    kind, values, moved, peers, moved_peers = case
    before = draw_portrait(kind, values, peers, specs=DICTIONARY)
    after = draw_portrait(kind, moved, moved_peers, specs=DICTIONARY)
    for old, new in zip(before.dimensions, after.dimensions, strict=True):
        assert (old.score is None) == (new.score is None)
        if old.score is not None:
            assert abs(old.score - new.score) <= 2, (old.name_zh, old.score, new.score)
    if before.overall is not None:
        assert abs(before.overall - after.overall) <= 2
