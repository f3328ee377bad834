"""Correlation: the incomplete beta function, Pearson and Spearman, and the careful wording.

Reference values were computed with SciPy (``scipy.stats.pearsonr``, ``spearmanr``,
``t.sf``, ``special.betainc``) and are pinned here; SciPy is not a dependency.
"""

from __future__ import annotations

import math

import pytest

from app.analysis.correlation import (
    adjusted_p_values,
    average_ranks,
    betainc,
    correlate,
    describe,
    paired,
    pearson,
    r_p_value,
    spearman,
    strength,
    t_two_sided_p,
)

# --- the incomplete beta function -------------------------------------------------------------


@pytest.mark.parametrize("x", [0.0, 0.1, 0.37, 0.5, 0.9, 1.0])
def test_betainc_of_one_one_is_x(x):
    assert betainc(1, 1, x) == pytest.approx(x, abs=1e-12)


@pytest.mark.parametrize(("a", "x"), [(2, 0.3), (3.5, 0.8), (0.5, 0.2)])
def test_betainc_with_b_one_is_a_power(a, x):
    assert betainc(a, 1, x) == pytest.approx(x**a, rel=1e-10)


@pytest.mark.parametrize("a", [0.5, 2, 7.5, 40])
def test_betainc_is_a_half_at_the_middle_when_symmetric(a):
    assert betainc(a, a, 0.5) == pytest.approx(0.5, abs=1e-12)


def test_betainc_known_values():
    # I_0.4(2, 3) = Σ_{j=2..4} C(4, j) 0.4^j 0.6^(4−j) = 0.5248
    assert betainc(2, 3, 0.4) == pytest.approx(0.5248, abs=1e-12)
    assert betainc(0.5, 0.5, 0.3) == pytest.approx(0.36901011956554536, abs=1e-12)


@pytest.mark.parametrize(("a", "b", "x"), [(0, 1, 0.5), (1, -1, 0.5), (1, 1, 1.5)])
def test_betainc_rejects_bad_arguments(a, b, x):
    with pytest.raises(ValueError):
        betainc(a, b, x)


@pytest.mark.parametrize(
    ("t", "df", "p"),
    [
        (2.0, 10, 0.07338803477074037),
        (1.0, 5, 0.3632174676491229),
        (1.0, 1, 0.5),  # Cauchy: 1 − 2/π·atan(1)
        (2.0, 2, 1 - 2 / math.sqrt(6)),  # closed form for df = 2
        (1.96, 1000, 0.050273184955748736),
        (3.5, 30, 0.0014768074376442532),
        (-2.0, 10, 0.07338803477074037),
        (0.0, 7, 1.0),
    ],
)
def test_student_t_two_sided_p(t, df, p):
    assert t_two_sided_p(t, df) == pytest.approx(p, rel=1e-9)


def test_a_perfect_correlation_has_p_zero():
    assert r_p_value(1.0, 12) == 0.0
    assert r_p_value(-1.0, 12) == 0.0
    assert t_two_sided_p(math.inf, 5) == 0.0


# --- coefficients -----------------------------------------------------------------------------

X = [3, 5, 2, 8, 7, 9, 4, 6, 10, 12, 11, 1, 13, 14]
Y = [2.1, 4.0, 2.5, 6.8, 6.1, 9.2, 3.0, 6.5, 8.1, 12.5, 9.9, 1.8, 11.0, 15.2]


def test_pearson_against_reference():
    result = pearson(X, Y)
    assert result.method == "pearson"
    assert result.n == 14
    assert result.coefficient == pytest.approx(0.9692812954658222, rel=1e-12)
    assert result.p_value == pytest.approx(1.1353973886498325e-08, rel=1e-6)
    assert not result.insufficient
    assert result.reason_zh == result.reason_en == ""


def test_spearman_against_reference():
    result = spearman(X, Y)
    assert result.coefficient == pytest.approx(0.9824175824175824, rel=1e-12)
    assert result.p_value == pytest.approx(4.1071830416421485e-10, rel=1e-6)


def test_average_ranks_share_ties():
    assert average_ranks([10, 20, 20, 30]) == [1, 2.5, 2.5, 4]
    assert average_ranks([5, 5, 5]) == [2, 2, 2]
    assert average_ranks([3, 1, 2]) == [3, 1, 2]
    assert average_ranks([]) == []


def test_spearman_with_ties_against_reference():
    a = [1, 2, 2, 3, 4, 5, 5, 5, 6, 7, 8, 9]
    b = [2, 1, 3, 3, 5, 4, 6, 6, 9, 7, 8, 8]
    assert spearman(a, b).coefficient == pytest.approx(0.9202185517670431, rel=1e-12)
    assert spearman(a, b).p_value == pytest.approx(2.2239200818744604e-05, rel=1e-6)
    assert pearson(a, b).coefficient == pytest.approx(0.8955439163275605, rel=1e-12)
    assert pearson(a, b).p_value == pytest.approx(8.199205748791799e-05, rel=1e-6)


def test_a_weak_correlation_is_not_significant():
    c = list(range(1, 13))
    d = [5, 3, 6, 2, 7, 1, 8, 4, 3, 9, 2, 6]
    result = pearson(c, d)
    assert result.coefficient == pytest.approx(0.1275286358462313, rel=1e-12)
    assert result.p_value == pytest.approx(0.6928666907408577, rel=1e-9)


def test_perfect_lines():
    xs = list(range(12))
    assert pearson(xs, [2 * x + 1 for x in xs]).coefficient == pytest.approx(1.0)
    assert pearson(xs, [-x for x in xs]).coefficient == pytest.approx(-1.0)
    assert pearson(xs, [-x for x in xs]).p_value == 0.0
    # Spearman sees any monotone relation as perfect
    assert spearman(xs, [math.exp(x) for x in xs]).coefficient == pytest.approx(1.0)


def test_too_few_pairs_report_nothing():
    result = pearson(X[:11], Y[:11])
    assert result.insufficient
    assert result.n == 11
    assert result.coefficient is None and result.p_value is None
    assert "n = 11" in result.reason_zh and "12" in result.reason_zh
    assert "at least 12" in result.reason_en
    assert not pearson(X[:11], Y[:11], min_n=10).insufficient
    assert pearson(X[:2], Y[:2], min_n=0).insufficient  # never fewer than 3


def test_zero_variance_reports_nothing():
    result = spearman(X, [7.0] * len(X))
    assert result.insufficient
    assert "方差为零" in result.reason_zh
    assert "zero variance" in result.reason_en


def test_lengths_must_match():
    with pytest.raises(ValueError):
        pearson([1, 2, 3], [1, 2])


# --- pairing by (organ, period) ---------------------------------------------------------------


def test_pairs_are_matched_by_key_not_position():
    x = {("A", "2025-01"): 1.0, ("A", "2025-02"): 2.0, ("B", "2025-01"): None, ("B", "2025-02"): 4}
    y = {("A", "2025-02"): 20.0, ("A", "2025-01"): 10.0, ("B", "2025-02"): math.nan}
    keys, xs, ys = paired(x, y)
    assert keys == [("A", "2025-01"), ("A", "2025-02")]
    assert xs == [1.0, 2.0]
    assert ys == [10.0, 20.0]


def test_correlate_two_indicators():
    x = {(organ, f"2025-{m:02d}"): float(m + organ) for organ in range(3) for m in range(1, 6)}
    y = {key: 100 - 2 * value for key, value in x.items()}
    y[(0, "2025-01")] = None  # one pair lost
    result = correlate(x, y)
    assert result.n == 14
    assert result.coefficient == pytest.approx(-1.0)
    assert correlate(x, y, method="spearman").coefficient == pytest.approx(-1.0)
    with pytest.raises(ValueError):
        correlate(x, y, method="kendall")


# --- words ------------------------------------------------------------------------------------

CAUSAL = (
    "导致",
    "因为",
    "造成",
    "引起",
    "由于",
    "所以",
    "影响",
    "致使",
    "cause",
    "because",
    "due to",
    "leads to",
    "drive",
    "result in",
    "effect on",
)
NAMES = (("结收比", "Clearance rate"), ("平均审理天数", "Average disposition time"))


def assert_not_causal(*texts: str) -> None:
    for text in texts:
        for word in CAUSAL:
            assert word not in text.lower(), (word, text)


def test_together_is_said_without_cause():
    zh, en = describe(pearson(X, Y), *NAMES)
    assert "同向变动" in zh and "强" in zh
    assert "move strongly together" in en
    assert "r = 0.97" in zh and "n = 14" in en and "p < 0.001" in en
    assert_not_causal(zh, en)


def test_opposite_directions_are_said_without_cause():
    zh, en = describe(pearson(X, [-y for y in Y]), *NAMES)
    assert "反向变动" in zh
    assert "in opposite directions" in en
    assert_not_causal(zh, en)


def test_no_clear_co_movement_when_not_significant():
    result = pearson(list(range(1, 13)), [5, 3, 6, 2, 7, 1, 8, 4, 3, 9, 2, 6])
    zh, en = describe(result, *NAMES)
    assert "未见明显的同步变动" in zh
    assert "no clear co-movement" in en
    assert "p = 0.693" in en
    assert_not_causal(zh, en)


def test_insufficient_is_said_with_its_reason():
    zh, en = describe(pearson(X[:5], Y[:5]), *NAMES)
    assert "配对观测不足" in zh and "n = 5" in zh
    assert "too few paired observations" in en
    assert_not_causal(zh, en)


@pytest.mark.parametrize(
    ("r", "zh"), [(0.9, "强"), (-0.5, "中等程度"), (0.25, "弱"), (-0.1, "极弱")]
)
def test_strength_words(r, zh):
    assert strength(r)[0] == zh


# --- many pairs: Benjamini–Hochberg -------------------------------------------------------------


def test_adjusted_p_values_by_hand():
    # sorted: 0.005 (×4/1 = 0.02), 0.01 (×4/2 = 0.02), 0.03 (×4/3 = 0.04), 0.04 (×4/4)
    assert adjusted_p_values([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.02, 0.04, 0.04, 0.02])


def test_adjusted_p_values_take_the_smaller_of_the_later_ones_and_stop_at_one():
    # 0.02 × 3/1 = 0.06 > 0.03 × 3/2 = 0.045: the first takes the second's; 0.9 × 3/3
    assert adjusted_p_values([0.02, 0.03, 0.9]) == pytest.approx([0.045, 0.045, 0.9])
    assert adjusted_p_values([0.5, 0.6]) == pytest.approx([0.6, 0.6])
    assert max(adjusted_p_values([0.9, 0.95, 0.99])) <= 1


def test_adjusted_p_values_of_nothing_and_of_one():
    assert adjusted_p_values([]) == []
    assert adjusted_p_values([0.04]) == [0.04]
