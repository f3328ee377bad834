"""The rating rules: bands, the robust peer rule, the trend rule, and how rate() combines them."""

from __future__ import annotations

import json
import random
import time
from dataclasses import replace
from pathlib import Path

import pytest

from app.indicators.dictionary import load_dictionary
from app.ratings import rules
from app.ratings.rules import (
    Finding,
    Rating,
    bands,
    mad,
    median,
    peer_stats,
    peers,
    peers_from_stats,
    rate,
    trend,
)

DICTIONARY = load_dictionary()
CT01 = DICTIONARY.by_code("CT01")  # clearance rate, %, up, green >= 95, red < 85
CT03 = DICTIONARY.by_code("CT03")  # average disposition days, 天, down, green <= 60, red > 90
CT05 = DICTIONARY.by_code("CT05")  # cases closed per judge, up, peer-rated
CT17 = DICTIONARY.by_code("CT17")  # judicial transparency index, yearly
PR01 = DICTIONARY.by_code("PR01")  # prosecution reviews, neutral, peer-rated
PR13 = DICTIONARY.by_code("PR13")  # petitions answered within 7 days, up, green = 100


def roundtrip(obj: Finding | Rating) -> dict:
    data = obj.as_dict()
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    return data


def group_at(x: float) -> list[float]:
    """Seven peers including x whose median is exactly 100 and MAD exactly 1 (for x < 99)."""
    return [x, 99, 99, 100, 101, 101, 102]


# --- statistics -----------------------------------------------------------------------------


def test_median_and_mad():
    assert median([3, 1, 2]) == 2
    assert median([4, 1, 3, 2]) == 2.5
    assert mad([1, 1, 2, 2, 4, 6, 9]) == 1  # median 2, deviations 1 1 0 0 2 4 7
    assert mad([1, 2, 3, 4], center=0) == 2.5
    with pytest.raises(ValueError):
        median([])


def test_peer_stats_ignores_missing_values():
    assert peer_stats([1, None, 3, float("nan"), 2]) == (2, 1, 3)
    assert peer_stats([]) == (None, None, 0)
    assert peer_stats([None]) == (None, None, 0)
    x = 100 - 3.5 / 0.6745
    assert peer_stats(group_at(x)) == (100, 1, 7)


# --- rule 1: bands --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "value", "colour"),
    [
        (CT01, 95, "green"),
        (CT01, 100, "green"),
        (CT01, 94.99, "yellow"),
        (CT01, 85, "yellow"),
        (CT01, 84.99, "red"),
        (CT01, 0, "red"),
        (CT03, 60, "green"),
        (CT03, 12, "green"),
        (CT03, 60.01, "yellow"),
        (CT03, 90, "yellow"),
        (CT03, 90.01, "red"),
        (PR13, 100, "green"),
        (PR13, 99.99, "yellow"),
        (PR13, 95, "yellow"),
        (PR13, 94.99, "red"),
    ],
)
def test_band_boundaries_belong_to_the_better_colour(spec, value, colour):
    finding = bands(spec, value)
    assert finding is not None
    assert finding.rule == "bands"
    assert finding.colour == colour == spec.colour_for(value)
    assert finding.inputs == {
        "value": value,
        "green": spec.green,
        "red": spec.red,
        "direction": spec.direction,
        "unit": spec.unit,
    }
    roundtrip(finding)


def test_bands_colour_is_colour_for_for_every_shipped_indicator():
    rng = random.Random(7)
    for spec in DICTIONARY:
        if spec.peer_rated:
            continue
        edges = [spec.green, spec.red, spec.min, spec.max]
        values = edges + [e + d for e in edges[:2] for d in (-0.01, 0.01, -1e-9, 1e-9)]
        values += [rng.uniform(spec.min, spec.max) for _ in range(200)]
        for value in values:
            assert bands(spec, value).colour == spec.colour_for(value), (spec.code, value)


def test_bands_reasons_name_the_numbers():
    red = bands(CT01, 83.2)
    assert red.reason_zh == "结收比 83.2%，低于红色界限 85%"
    assert red.reason_en == "Clearance rate 83.2%, below the red bound 85%"
    green = bands(CT01, 96.5)
    assert green.reason_zh == "结收比 96.5%，在正常范围内（≥ 95%）"
    assert "(≥ 95%)" in green.reason_en
    yellow = bands(CT01, 90)
    assert "90%" in yellow.reason_zh and "95%" in yellow.reason_zh and "85%" in yellow.reason_zh
    slow = bands(CT03, 95.5)
    assert slow.colour == "red"
    assert slow.reason_zh == "平均审理天数 95.5 天，高于红色界限 90 天"
    assert slow.reason_en.endswith("95.5 days, above the red bound 90 days")
    assert "≤ 60 天" in bands(CT03, 45).reason_zh
    assert "100%" in bands(PR13, 100).reason_zh


def test_bands_do_not_apply_to_peer_rated_or_missing_values():
    assert bands(PR01, 120) is None
    assert bands(CT05, 12) is None
    assert bands(CT01, None) is None
    assert bands(CT01, float("nan")) is None


# --- rule 2: peers --------------------------------------------------------------------------


def test_peers_needs_five_values():
    values = [90, 100, 100.5, 101, 102]
    assert peers(CT01, 90, values[:4]) is None
    assert peers(CT01, 90, values) is not None
    assert peers(CT01, 90, values, min_peers=6) is None
    assert peers(CT01, 90, [*values[:4], None]) is None  # a missing sibling is not a peer


def test_peers_skipped_when_mad_is_zero():
    assert peers(CT01, 80, [80, 96, 96, 96, 96, 96, 97]) is None
    assert peers_from_stats(CT01, 80, 96, 0, 7) is None
    assert peers(CT01, None, [90, 100, 100.5, 101, 102]) is None


def test_peers_exactly_at_the_yellow_threshold():
    x = 100 - 3.5 / 0.6745
    finding = peers(CT01, x, group_at(x))
    assert finding.colour == "yellow"
    assert finding.inputs == {
        "value": x,
        "median": 100,
        "mad": 1,
        "z": 3.5,
        "n": 7,
        "side": "below",
        "yellow_z": 3.5,
        "red_z": 5.0,
    }
    assert finding.reason_zh == "低于同级中位数 3.5 个 MAD（中位数 100%，n=7）"
    assert finding.reason_en == "3.5 MADs below the median of its 7 peers (median 100%)"
    just_inside = 100 - 3.49 / 0.6745
    assert peers(CT01, just_inside, group_at(just_inside)).colour == "green"
    roundtrip(finding)


def test_peers_exactly_at_the_red_threshold():
    x = 100 - 5.0 / 0.6745
    finding = peers(CT01, x, group_at(x))
    assert finding.colour == "red"
    assert finding.inputs["z"] == 5.0
    just_inside = 100 - 4.99 / 0.6745
    assert peers(CT01, just_inside, group_at(just_inside)).colour == "yellow"


def test_peers_custom_thresholds():
    x = 100 - 3.0 / 0.6745
    assert peers(CT01, x, group_at(x)).colour == "green"
    assert peers(CT01, x, group_at(x), yellow_z=2.5, red_z=3.0).colour == "red"


def test_peers_flag_only_the_worse_side():
    # CT01 is "up": far above the median is the better side, never flagged.
    high = 100 + 10 / 0.6745
    group = [high, 99, 99, 100, 101, 101, 98]  # median 100, MAD 1
    assert peer_stats(group)[:2] == (100, 1)
    up = peers(CT01, high, group)
    assert up.colour == "green"
    assert up.inputs["side"] == "above" and up.inputs["z"] == 10
    assert "较好" in up.reason_zh and "better side" in up.reason_en
    # CT03 is "down": far above the median (slow) is flagged, far below is not.
    assert peers(CT03, high, group).colour == "red"
    low = 100 - 10 / 0.6745
    low_group = group_at(low)
    assert peers(CT03, low, low_group).colour == "green"
    assert peers(CT01, low, low_group).colour == "red"


def test_peers_neutral_flags_both_sides():
    high = 100 + 4 / 0.6745
    low = 100 - 4 / 0.6745
    above = peers(PR01, high, [high, 99, 99, 100, 101, 101, 98])
    below = peers(PR01, low, group_at(low))
    assert above.colour == below.colour == "yellow"
    assert above.inputs["side"] == "above" and below.inputs["side"] == "below"
    assert above.reason_zh.startswith("高于同级中位数 4 个 MAD（中位数 100 件，n=7）")
    assert "above the median" in above.reason_en and "100 cases" in above.reason_en


def test_peers_value_at_the_median():
    finding = peers(PR01, 100, [100, 99, 99, 100, 101, 101, 102])
    assert finding.colour == "green"
    assert finding.inputs["side"] == "at" and finding.inputs["z"] == 0


def test_peers_reason_uses_the_median_with_its_unit():
    values = [96.1, 95.0, 97.0, 96.5, 95.5, 96.3, 96.0, 95.9, 96.8, 97.2, 95.8, 96.2, 90.0]
    finding = peers(CT01, 90.0, values)
    centre, spread, n = peer_stats(values)
    assert finding.inputs["median"] == centre == 96.1
    assert n == 13
    assert finding.inputs["z"] == round(0.6745 * (96.1 - 90) / spread, 2)
    assert "中位数 96.1%，n=13" in finding.reason_zh
    assert "median of its 13 peers (median 96.1%)" in finding.reason_en


def test_peers_and_peers_from_stats_agree():
    values = [random.Random(seed).uniform(80, 100) for seed in range(13)]
    for value in values:
        assert peers(CT01, value, values) == peers_from_stats(CT01, value, *peer_stats(values))


# --- rule 3: trend --------------------------------------------------------------------------


def test_trend_three_worsening_periods_is_yellow():
    finding = trend(CT01, [97.1, 96.0, 94.8, 93.9])
    assert finding.colour == "yellow"
    assert finding.inputs == {"periods": 3, "values": [97.1, 96.0, 94.8, 93.9]}
    assert finding.reason_zh == "连续 3 个月下降（97.1 → 96.0 → 94.8 → 93.9）"
    assert finding.reason_en == "down 3 months in a row (97.1 → 96.0 → 94.8 → 93.9)"
    roundtrip(finding)


def test_trend_uses_only_the_last_periods():
    assert trend(CT01, [90, 99, 98, 97, 96]).inputs["values"] == [99, 98, 97, 96]
    assert trend(CT01, [None, 99, 98, 97, 96]).colour == "yellow"


def test_trend_two_worsening_periods_is_green():
    finding = trend(CT01, [95, 97.1, 96.0, 94.8])
    assert finding.colour == "green"
    assert finding.reason_zh.startswith("未连续 3 个月下降")


def test_trend_flat_period_breaks_the_run():
    assert trend(CT01, [97, 96, 96, 95]).colour == "green"
    assert trend(CT03, [50, 55, 55, 58]).colour == "green"


def test_trend_down_indicator_worsens_upwards():
    finding = trend(CT03, [50, 52.5, 55, 58])
    assert finding.colour == "yellow"
    assert finding.reason_zh == "连续 3 个月上升（50.0 → 52.5 → 55.0 → 58.0）"
    assert trend(CT03, [58, 55, 52, 50]).colour == "green"


def test_trend_skipped_on_gaps_short_history_or_neutral():
    assert trend(CT01, [97, None, 95, 94]) is None
    assert trend(CT01, [97, 96, 95, None]) is None
    assert trend(CT01, [96, 95, 94]) is None
    assert trend(CT01, []) is None
    assert trend(PR01, [400, 300, 200, 100]) is None


def test_trend_periods_parameter_and_wording():
    assert trend(CT01, [97, 96, 95], periods=2).colour == "yellow"
    assert trend(CT01, [97, 96, 95, 94, 93], periods=4).inputs["periods"] == 4
    yearly = trend(CT17, [85, 80, 75, 70])
    assert yearly.reason_zh.startswith("连续 3 年下降")
    assert yearly.reason_en.startswith("down 3 years in a row")
    quarterly = trend(replace(CT01, period="quarter"), [97, 96, 95, 94])
    assert quarterly.reason_zh.startswith("连续 3 个季度下降")


# --- rate() ---------------------------------------------------------------------------------


def test_rate_worst_wins_and_all_fired_reasons_are_joined():
    x = 90.0  # CT01 yellow band
    group = [x, 96.5, 96.5, 97, 97.5, 97.5, 98]  # median 97, MAD 0.5: z = 9.44 -> red
    rating = rate(CT01, x, group, [91, 92, 90.5, x])
    assert peer_stats(group) == (97, 0.5, 7)
    assert rating.colour == "red"
    assert [f.rule for f in rating.findings] == ["bands", "peers", "trend"]
    assert [f.colour for f in rating.findings] == ["yellow", "red", "green"]
    assert [f.rule for f in rating.fired] == ["peers"]
    assert rating.reason_zh == rating.fired[0].reason_zh
    assert "9.44 个 MAD" in rating.reason_zh


def test_rate_reasons_of_every_finding_with_the_final_colour():
    x = 83.2  # CT01 red band
    group = [x, 96.5, 96.5, 97, 97.5, 97.5, 98]  # peers red too (z = 18.62)
    rating = rate(CT01, x, group, [97.1, 96.0, 94.8, x])  # trend yellow
    assert rating.colour == "red"
    assert [f.rule for f in rating.fired] == ["bands", "peers"]
    assert rating.reason_zh == (
        "结收比 83.2%，低于红色界限 85%；低于同级中位数 18.62 个 MAD（中位数 97%，n=7）"
    )
    assert rating.reason_en == (
        "Clearance rate 83.2%, below the red bound 85%; "
        "18.62 MADs below the median of its 7 peers (median 97%)"
    )
    data = roundtrip(rating)
    assert Rating.from_dict(data) == rating
    assert [f["rule"] for f in data["fired"]] == ["bands", "peers"]
    assert len(data["findings"]) == 3


def test_rate_band_yellow_and_trend_yellow_both_fire():
    rating = rate(CT01, 90, [], [97, 95, 92, 90])
    assert rating.colour == "yellow"
    assert [f.rule for f in rating.fired] == ["bands", "trend"]
    assert "；连续 3 个月下降" in rating.reason_zh


def test_rate_green():
    rating = rate(CT01, 97, [97, 96, 96.5, 97.5, 98], [95, 96, 96.5, 97])
    assert rating.colour == "green"
    assert len(rating.findings) == 3
    assert rating.fired == ()
    assert (rating.reason_zh, rating.reason_en) == ("各项规则均正常", "all rules normal")
    roundtrip(rating)


def test_rate_peer_rated_uses_only_the_peer_rule():
    low = 100 - 6 / 0.6745
    history = [200, 150, 120, low]  # falling, but trend does not apply to peer-rated
    rating = rate(CT05, low, group_at(low), history)
    assert rating.colour == "red"
    assert [f.rule for f in rating.findings] == ["peers"]
    neutral = rate(PR01, 100, [100, 99, 99, 100, 101, 101, 102], [400, 300, 200, 100])
    assert neutral.colour == "green"
    assert [f.rule for f in neutral.findings] == ["peers"]


def test_rate_peer_rated_with_too_few_peers_is_green_and_says_why():
    rating = rate(PR01, 100, [100, 120, 80], [])
    assert rating.colour == "green"
    assert rating.findings == ()
    assert "同级少于 5 个" in rating.reason_zh and "fewer than 5 peers" in rating.reason_en


def test_rate_missing_value_is_grey():
    for value in (None, float("nan")):
        rating = rate(CT01, value, [90, 95, 96, 97, 98], [95, 96, 97, None])
        assert rating.colour == "grey"
        assert (rating.reason_zh, rating.reason_en) == ("未报送", "not submitted")
        assert [f.rule for f in rating.fired] == ["missing"]
        assert roundtrip(rating)["colour"] == "grey"


def test_rate_accepts_precomputed_stats():
    group = [90.0, 96, 96.5, 97, 97.5, 98, 98.5]
    stats = peer_stats(group)
    assert rate(CT01, 90.0, group, []) == rate(CT01, 90.0, (), [], stats=stats)


def test_every_shipped_indicator_can_be_rated():
    values = [50.0, 51.0, 52.0, 53.0, 54.0, 80.0]
    for spec in DICTIONARY:
        for value in (spec.min, spec.max, 80.0):
            rating = rate(spec, value, [*values, value], [value + 3, value + 2, value + 1, value])
            assert rating.colour in ("green", "yellow", "red")
            json.dumps(rating.as_dict(), ensure_ascii=False)


# --- speed ----------------------------------------------------------------------------------


def test_rating_300000_values_in_groups_of_13():
    rng = random.Random(20240601)
    specs = [CT01, CT03, CT05, PR01]
    groups = []
    for g in range(300_000 // 13 + 1):
        spec = specs[g % len(specs)]
        centre = 90.0 if spec.direction != "down" else 70.0
        groups.append((spec, [rng.gauss(centre, 5) for _ in range(13)]))
    histories = [[rng.gauss(90, 5) for _ in range(3)] for _ in range(64)]

    start = time.perf_counter()
    rated = 0
    colours = {"green": 0, "yellow": 0, "red": 0, "grey": 0}
    for g, (spec, values) in enumerate(groups):
        stats = peer_stats(values)
        for i, value in enumerate(values):
            history = histories[(g + i) % 64]
            rating = rate(spec, value, values, [*history, value], stats=stats)
            rating.as_dict()  # the engine stores every rating's findings as JSON
            colours[rating.colour] += 1
            rated += 1
            if rated == 300_000:
                break
    elapsed = time.perf_counter() - start
    print(f"\nrated {rated} values in groups of 13 in {elapsed:.2f} s: {colours}")
    assert rated == 300_000
    assert elapsed < 10


def test_module_has_no_framework_imports():
    source = Path(rules.__file__).read_text(encoding="utf-8")
    for name in ("flask", "sqlalchemy", "numpy"):
        assert f"import {name}" not in source and f"from {name}" not in source
