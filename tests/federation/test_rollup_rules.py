"""The pure rules at their edges: what a value contributes to a roll-up and what follows
from summed parts (``federation.rollup``); when a problem is common, concurrent or
persistent, and which form of supervision it suggests (``federation.common``)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.indicators.dictionary import load_dictionary
from federation.common import (
    FORM_NAMES,
    PERSIST_M,
    PERSIST_N,
    Signal,
    detect,
    threshold,
    worse,
)
from federation.rollup import (
    NOTHING,
    Parts,
    mean_of_values,
    parts_of,
    sums_of,
    total,
    value_of,
)

DICTIONARY = load_dictionary()
RATE = DICTIONARY.by_code("CT01")  # %, scale 100
PERMILLE = replace(RATE, code="XX01", unit="‰", scale=1000)  # the dictionary has none yet
AVERAGE = DICTIONARY.by_code("CT03")
CHANGE = DICTIONARY.by_code("PS03")
COUNT = DICTIONARY.by_code("PR01")
INDEX = DICTIONARY.by_code("CT17")


def test_the_specs_are_of_the_kinds_tested():
    kinds = {s.code: (s.value_kind, s.rollup, s.scale) for s in (RATE, AVERAGE)}
    assert kinds == {
        "CT01": ("rate", "ratio_of_sums", 100),
        "CT03": ("average", "ratio_of_sums", 1),
    }
    assert (CHANGE.value_kind, CHANGE.rollup) == ("change", "ratio_of_sums")
    assert (COUNT.value_kind, COUNT.rollup) == ("count", "sum")
    assert (INDEX.value_kind, INDEX.rollup) == ("index", "weighted_mean")


# --- federation.rollup ---------------------------------------------------------------------


@pytest.mark.parametrize("spec", [RATE, AVERAGE, CHANGE])
@pytest.mark.parametrize(
    ("numerator", "denominator"), [(None, 10.0), (5.0, None), (5.0, 0.0), (5.0, -3.0)]
)
def test_a_ratio_without_both_parts_contributes_nothing(spec, numerator, denominator):
    assert parts_of(spec, 50.0, numerator, denominator) is NOTHING
    assert not parts_of(spec, 50.0, numerator, denominator)


@pytest.mark.parametrize("spec", [RATE, AVERAGE, CHANGE])
def test_a_ratio_contributes_its_parts_not_its_value(spec):
    # the submitted value disagrees with its parts: the parts are what roll up
    assert parts_of(spec, 99.0, 3.0, 4.0) == Parts(1, 3.0, 4.0)
    assert parts_of(spec, None, 0.0, 4.0) == Parts(1, 0.0, 4.0)  # zero is a figure


def test_a_count_contributes_its_value_even_zero():
    assert parts_of(COUNT, 0.0, None, None) == Parts(1, 0.0, 0.0)
    assert parts_of(COUNT, 0.0, None, None)  # n = 1: it reported
    assert parts_of(COUNT, 7.0, 123.0, 5.0) == Parts(1, 7.0, 0.0)  # the value, nothing else
    assert parts_of(COUNT, None, 7.0, None) is NOTHING


@pytest.mark.parametrize(("value", "weight"), [(None, 10.0), (80.0, None), (80.0, 0.0), (80, -1)])
def test_an_index_needs_a_value_and_a_positive_weight(value, weight):
    assert parts_of(INDEX, value, value, weight) is NOTHING


def test_an_index_contributes_value_times_weight():
    assert parts_of(INDEX, 80.0, 80.0, 25.0) == Parts(1, 2000.0, 25.0)


def test_values_follow_from_the_sums_by_each_kind_s_formula():
    parts = Parts(3, 30.0, 40.0)
    assert value_of(RATE, parts) == pytest.approx(75.0)
    assert value_of(PERMILLE, parts) == pytest.approx(750.0)
    assert value_of(AVERAGE, parts) == pytest.approx(0.75)
    assert value_of(CHANGE, parts) == pytest.approx(-25.0)
    assert value_of(CHANGE, Parts(1, 40.0, 40.0)) == pytest.approx(0.0)
    assert value_of(INDEX, Parts(2, 2000.0 + 60.0 * 75.0, 100.0)) == pytest.approx(65.0)
    assert value_of(COUNT, Parts(2, 12.0, 0.0)) == 12.0
    assert value_of(COUNT, Parts(1, 0.0, 0.0)) == 0.0  # a reported zero is zero, not None


@pytest.mark.parametrize("spec", [RATE, AVERAGE, CHANGE, COUNT, INDEX])
def test_nothing_has_no_value(spec):
    assert value_of(spec, NOTHING) is None
    assert value_of(spec, total([])) is None


def test_parts_add_and_total_folds():
    assert Parts(1, 2.0, 3.0) + Parts(2, 5.0, 7.0) == Parts(3, 7.0, 10.0)
    assert Parts(1, 2.0, 3.0) + NOTHING == Parts(1, 2.0, 3.0)
    assert total([Parts(1, 1.0, 2.0), NOTHING, Parts(1, 3.0, 4.0)]) == Parts(2, 4.0, 6.0)


def test_a_ratio_of_sums_is_not_the_mean_of_ratios():
    # A big district at 90 % (900/1000) and a small one at 50 % (5/10).
    children = {"a": Parts(1, 900.0, 1000.0), "b": Parts(1, 5.0, 10.0)}
    exact = value_of(RATE, total(children.values()))
    assert exact == pytest.approx(905 / 1010 * 100)  # 89.6 %
    assert mean_of_values(RATE, children) == pytest.approx(70.0)
    # With equal denominators the two agree, which is why the mean looks plausible.
    even = {"a": Parts(1, 90.0, 100.0), "b": Parts(1, 50.0, 100.0)}
    assert mean_of_values(RATE, even) == pytest.approx(value_of(RATE, total(even.values())))


def test_mean_of_values_skips_children_without_a_value():
    assert mean_of_values(RATE, {}) is None
    assert mean_of_values(RATE, {"a": NOTHING}) is None
    assert mean_of_values(RATE, {"a": NOTHING, "b": Parts(1, 1.0, 2.0)}) == pytest.approx(50.0)


def test_sums_from_sql_aggregates_over_no_rows_are_nothing():
    empty = dict.fromkeys(
        (
            "n_ratio",
            "num",
            "den",
            "n_value",
            "sum_value",
            "n_weighted",
            "sum_weighted",
            "sum_weight",
        )
    )
    for spec in (RATE, COUNT, INDEX):
        assert sums_of(spec, empty) == NOTHING
        assert value_of(spec, sums_of(spec, empty)) is None


def test_sums_from_sql_aggregates_pick_each_kind_s_columns():
    row = {
        "n_ratio": 2,
        "num": 3.0,
        "den": 4.0,
        "n_value": 5,
        "sum_value": 6.0,
        "n_weighted": 1,
        "sum_weighted": 70.0,
        "sum_weight": 8.0,
    }
    assert sums_of(RATE, row) == Parts(2, 3.0, 4.0)
    assert sums_of(CHANGE, row) == Parts(2, 3.0, 4.0)
    assert sums_of(COUNT, row) == Parts(5, 6.0, 0.0)
    assert sums_of(INDEX, row) == Parts(1, 70.0, 8.0)


# --- federation.common: the threshold --------------------------------------------------------


@pytest.mark.parametrize(
    ("children", "k"),
    [(0, 3), (1, 3), (4, 3), (12, 3), (13, 4), (16, 4), (17, 5), (40, 10), (41, 11), (90, 23)],
)
def test_threshold_is_max_of_three_and_a_quarter_rounded_up(children, k):
    assert threshold(children) == k


def test_threshold_takes_other_minimum_and_share():
    assert threshold(10, minimum=2, share=0.5) == 5
    assert threshold(3, minimum=2, share=0.5) == 2


# --- federation.common: worse() --------------------------------------------------------------


def sig(colour: str, detail: str = "") -> Signal:
    return Signal(colour, 1.0, "organ", detail)


def test_worse_orders_red_yellow_grey_green():
    order = ["green", "grey", "yellow", "red"]
    for i, a in enumerate(order):
        for j, b in enumerate(order):
            want = a if i >= j else b
            assert worse(sig(a), sig(b)).colour == want, (a, b)


def test_worse_keeps_the_first_on_a_tie_and_skips_none():
    first, second = sig("red", "court"), sig("red", "roll-up")
    assert worse(first, second) is first
    assert worse(None, second) is second
    assert worse(first, None) is first
    assert worse(None, None) is None


def test_an_unknown_colour_is_better_than_green():
    odd, green = sig("blue"), sig("green")
    assert worse(odd, green) is green
    assert worse(green, odd) is green


# --- federation.common: detect() -------------------------------------------------------------

PERIOD = "2026-10"
WINDOW = ["2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]


def children(n: int) -> dict[str, str]:
    return {f"3301{i:02d}": f"区{i}" for i in range(1, n + 1)}


def flagged(now: dict[str, str], history: dict[str, list[str]] | None = None) -> dict:
    """Signals: ``now`` child → colour in PERIOD; ``history`` child → earlier periods
    (yellow)."""
    out = {(code, PERIOD): sig(colour, f"{code} court") for code, colour in now.items()}
    for code, periods in (history or {}).items():
        for period in periods:
            out[(code, period)] = sig("yellow")
    return out


def each(codes, periods: list[str]) -> dict[str, list[str]]:
    return {code: list(periods) for code in codes}


def test_window_is_six_periods_and_three_make_persistence():
    assert (PERSIST_M, PERSIST_N) == (3, 6) and len(WINDOW) == PERSIST_N


def test_below_threshold_is_no_problem():
    kids = children(13)  # threshold 4
    signals = flagged({"330101": "red", "330102": "red", "330103": "red"})
    assert detect(PERIOD, WINDOW, kids, signals) is None


def test_threshold_yellows_are_concurrent_and_ask_joint_supervision():
    kids = children(13)
    signals = flagged(dict.fromkeys(("330101", "330102", "330103", "330104"), "yellow"))
    problem = detect(PERIOD, WINDOW, kids, signals)
    assert problem.threshold == 4 and problem.n_children == 13
    assert (problem.concurrent, problem.persistent) == (True, False)
    assert (problem.n_flagged, problem.n_red) == (4, 0)
    assert problem.suggested_form == "joint_supervision"
    assert FORM_NAMES["joint_supervision"][0] in problem.reason_zh
    assert "4 of 13 children yellow or red" in problem.reason_en


def test_threshold_reds_without_persistence_ask_an_inquiry():
    kids = children(13)
    signals = flagged(dict.fromkeys(("330101", "330102", "330103", "330104"), "red"))
    problem = detect(PERIOD, WINDOW, kids, signals)
    assert (problem.concurrent, problem.persistent, problem.n_red) == (True, False, 4)
    assert problem.suggested_form == "inquiry"


def test_threshold_reds_and_persistence_ask_interpellation():
    kids = children(13)
    reds = ("330101", "330102", "330103", "330104")
    signals = flagged(dict.fromkeys(reds, "red"), each(reds, ["2026-08", "2026-09"]))
    problem = detect(PERIOD, WINDOW, kids, signals)
    assert (problem.concurrent, problem.persistent) == (True, True)
    assert problem.suggested_form == "interpellation"
    assert all(e["periods_flagged"] == ["2026-08", "2026-09", PERIOD] for e in problem.evidence)


def test_persistence_needs_three_of_the_last_six_periods():
    kids = children(8)  # threshold 3
    two = flagged({}, each(("330101", "330102", "330103"), ["2026-06", "2026-08"]))
    assert detect(PERIOD, WINDOW, kids, two) is None
    three = flagged({}, each(("330101", "330102", "330103"), ["2026-05", "2026-06", "2026-08"]))
    problem = detect(PERIOD, WINDOW, kids, three)
    assert (problem.concurrent, problem.persistent, problem.n_flagged) == (False, True, 0)
    assert problem.suggested_form == "joint_supervision"  # persistent, but nothing red now
    assert [e["colour"] for e in problem.evidence] == [None, None, None]


def test_flags_before_the_window_do_not_count():
    kids = children(8)
    old = flagged({}, each(("330101", "330102", "330103"), ["2026-02", "2026-03", "2026-04"]))
    assert detect(PERIOD, WINDOW, kids, old) is None


def test_persistent_with_one_red_now_asks_an_inquiry():
    kids = children(8)
    history = each(("330101", "330102", "330103"), ["2026-06", "2026-07", "2026-08"])
    problem = detect(PERIOD, WINDOW, kids, flagged({"330101": "red"}, history))
    assert (problem.concurrent, problem.persistent, problem.n_red) == (False, True, 1)
    assert problem.suggested_form == "inquiry"


def test_evidence_lists_flagged_and_persisting_children_in_code_order():
    kids = children(13)
    now = {"330105": "yellow", "330102": "red", "330109": "red", "330103": "yellow"}
    history = {"330111": ["2026-05", "2026-06", "2026-07"], "330112": ["2026-09"]}
    signals = flagged(now, history)
    signals[("330199", PERIOD)] = sig("red")  # not a child: ignored
    problem = detect(PERIOD, WINDOW, kids, signals)
    codes = [e["code"] for e in problem.evidence]
    assert codes == ["330102", "330103", "330105", "330109", "330111"]  # 330112: once only
    by_code = {e["code"]: e for e in problem.evidence}
    assert by_code["330102"]["colour"] == "red" and by_code["330102"]["name"] == "区2"
    assert by_code["330102"]["detail"] == "330102 court" and by_code["330102"]["source"] == "organ"
    assert by_code["330111"]["colour"] is None and by_code["330111"]["detail"] == ""
    assert (problem.n_flagged, problem.n_red) == (4, 2)


def test_few_children_still_need_three():
    kids = children(3)
    assert detect(PERIOD, WINDOW, kids, flagged({"330101": "red", "330102": "red"})) is None
    all_three = flagged(dict.fromkeys(kids, "red"))
    assert detect(PERIOD, WINDOW, kids, all_three).suggested_form == "inquiry"
