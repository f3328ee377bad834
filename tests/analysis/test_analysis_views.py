"""The analyses shown: the trend table and the correlated pairs through the API and the
page, with known numbers, for the congress, its organs and its ancestors.

西湖区's procuratorate reports, from 2024-01 to 2026-10 (34 months, 2026-08 missing):
PR04 = 20 + i (i = 0 in 2024-01), PR06 = 60 − i/2 (exactly opposite to PR04), PR07 a
pattern with no trend, PR12 = PR07 + i/10 (partly following PR04), and PR05 for five
months only (too few to pair)."""

from __future__ import annotations

import math
import statistics

import pytest

from app.analysis.periods import month_at, month_index
from app.datamart.models import IndicatorValue
from tenants.scoping import system_scope
from tests.support.http import login

TARGET = "330106"
FIRST, LAST, GAP = "2024-01", "2026-10", "2026-08"
MONTHS = [
    month_at(i) for i in range(month_index(FIRST), month_index(LAST) + 1) if month_at(i) != GAP
]


def pr04(period: str) -> float:
    return 20.0 + month_index(period) - month_index(FIRST)


def pr07(period: str) -> float:
    return 90.0 + (month_index(period) * 7) % 5


def pr12(period: str) -> float:
    return pr07(period) + (month_index(period) - month_index(FIRST)) / 10


SERIES = {
    "PR04": pr04,
    "PR06": lambda p: 60.0 - (month_index(p) - month_index(FIRST)) / 2,
    "PR07": pr07,
    "PR12": pr12,
}


@pytest.fixture
def reported(session, world):
    """The procuratorate's values (rolled back with the test)."""
    organ = world.organ_id(TARGET, "procuratorate")
    rows = [(code, period, fn(period)) for code, fn in SERIES.items() for period in MONTHS] + [
        ("PR05", period, 80.0 + n) for n, period in enumerate(MONTHS[-5:])
    ]
    with system_scope():
        for code, period, value in rows:
            session.add(
                IndicatorValue(
                    tenant_id=world.tenant_id(TARGET),
                    organ_id=organ,
                    indicator_code=code,
                    period=period,
                    value=value,
                    submitted_by="test",
                )
            )
        session.flush()
    return organ


def _trend(client, organ, **query):
    return client.get(
        f"/api/v1/t/{TARGET}/analysis/trend",
        query_string={"organ_id": organ, "indicator": "PR04", **query},
    )


def test_trend_of_an_organs_indicator_with_known_numbers(client, reported):
    login(client, f"{TARGET}-staff")
    body = _trend(client, reported, months=60).get_json()
    assert body["organ"]["id"] == reported and body["indicator"]["code"] == "PR04"
    assert body["window"] == 3
    points = {p["period"]: p for p in body["points"]}
    assert list(points) == MONTHS  # every reported month, oldest first; the gap left out
    last = points["2026-10"]
    assert last["value"] == 53
    assert last["month_on_month"] == pytest.approx({"base": 52, "absolute": 1, "relative": 1 / 52})
    assert last["year_on_year"] == pytest.approx({"base": 41, "absolute": 12, "relative": 12 / 41})
    # the window 2026-08…10 lacks August: no moving average; July's is (48 + 49 + 50) / 3
    assert last["moving_average"] is None
    assert points["2026-07"]["moving_average"] == pytest.approx(49)
    # October of 2024 (29) and 2025 (41); each 3.5 above its year's mean (25.5, 37.5)
    assert last["seasonal"] == pytest.approx(
        {"baseline": 35, "anomaly": 18, "years": 2, "effect": 3.5, "adjusted": 49.5}
    )
    assert points["2026-09"]["month_on_month"] is None  # August is missing
    assert points["2024-06"]["year_on_year"] is None and points["2024-06"]["seasonal"] is None
    assert [i["code"] for i in body["indicators"]] == ["PR04", "PR05", "PR06", "PR07", "PR12"]


def test_trend_shows_the_last_months_and_takes_its_window(client, reported):
    login(client, f"{TARGET}-staff")
    body = _trend(client, reported, months=2, window=2).get_json()
    assert [p["period"] for p in body["points"]] == ["2026-09", "2026-10"]
    assert body["points"][1]["moving_average"] == pytest.approx((52 + 53) / 2)


def test_trend_defaults_and_refusals(client, world, reported):
    login(client, f"{TARGET}-staff")
    # no organ named: the congress's first organ reporting monthly (its court, CT01)
    body = client.get(f"/api/v1/t/{TARGET}/analysis/trend").get_json()
    assert body["organ"]["id"] == world.organ_id(TARGET, "court")
    assert body["indicator"]["code"] == "CT01" and len(body["points"]) == 2
    yearly = _trend(client, reported, indicator="PR14")
    assert yearly.status_code == 422 and yearly.get_json()["error"]["code"] == "not_monthly"
    assert _trend(client, reported, indicator="XX99").status_code == 422
    assert _trend(client, reported, months=0).status_code == 422
    other = world.organ_id("330105", "procuratorate")
    assert _trend(client, other).status_code == 404  # another tenant's organ


def test_an_organ_user_sees_its_own_organ_only(client, world, reported):
    login(client, f"{TARGET}-court")
    assert _trend(client, reported).status_code == 404
    own = client.get(f"/api/v1/t/{TARGET}/analysis/trend").get_json()
    assert own["organ"]["id"] == world.organ_id(TARGET, "court")
    # its correlations read its own values only: the court reports one indicator
    pairs = client.get(f"/api/v1/t/{TARGET}/analysis/correlations").get_json()
    assert pairs["organs"] == 1 and pairs["pairs"] == [] and pairs["tested"] == 0


def test_the_procuratorate_itself_and_the_city_read_the_trend(client, reported):
    login(client, f"{TARGET}-procuratorate")
    assert _trend(client, reported).status_code == 200
    city = client.application.test_client()
    login(city, "330100-staff")
    assert _trend(city, reported).get_json()["points"][-1]["value"] == 53


def _correlations(client, **query):
    return client.get(
        f"/api/v1/t/{TARGET}/analysis/correlations",
        query_string={"period_from": FIRST, "period_to": LAST, **query},
    )


def test_correlations_with_n_r_p_and_the_words(client, reported):
    login(client, f"{TARGET}-staff")
    body = _correlations(client).get_json()
    n = len(MONTHS)
    # six pairs among PR04, PR06, PR07, PR12; PR05 pairs with each of them five times only
    assert body["tested"] == 6 and body["insufficient"] == 4 and body["min_n"] == 12
    pairs = {(p["x"]["code"], p["y"]["code"]): p for p in body["pairs"]}
    assert list(pairs) == [("PR04", "PR06"), ("PR07", "PR12"), ("PR04", "PR12"), ("PR06", "PR12")]
    opposite = pairs[("PR04", "PR06")]
    assert opposite["n"] == n
    assert opposite["pearson"] == pytest.approx({"r": -1.0, "p": 0.0})
    assert opposite["spearman"] == pytest.approx({"r": -1.0, "p": 0.0})
    assert opposite["direction"] == "opposite" and opposite["direction_zh"] == "反向变动"
    assert "反向变动" in opposite["description_zh"]
    assert "opposite directions" in opposite["description_en"]
    # PR12 follows PR04 in part: the textbook r, moderately, in the same direction
    partly = pairs[("PR04", "PR12")]
    xs, ys = [pr04(p) for p in MONTHS], [pr12(p) for p in MONTHS]
    assert partly["pearson"]["r"] == pytest.approx(statistics.correlation(xs, ys), abs=1e-12)
    assert partly["pearson"]["r"] == pytest.approx(0.5461, abs=1e-4)
    assert partly["pearson"]["p"] == pytest.approx(0.0010096, rel=1e-3)
    # Benjamini–Hochberg: the 4th smallest of 6 p-values (tied with the 3rd) times 6/4
    assert partly["q"] == pytest.approx(partly["pearson"]["p"] * 6 / 4)
    assert partly["direction"] == "together" and partly["direction_zh"] == "同向变动"
    assert "中等程度的同向变动" in partly["description_zh"]
    # PR07 has no trend: its pairs with PR04 and PR06 are tested and not listed
    assert ("PR04", "PR07") not in pairs and ("PR06", "PR07") not in pairs
    assert "相关不等于因果" in body["caveat_zh"] and "not causation" in body["caveat_en"]
    assert "Benjamini" in body["method_zh"] and "12" in body["method_zh"]


def test_a_pair_needs_its_months_within_the_span(client, reported):
    login(client, f"{TARGET}-staff")
    # 2026-01…2026-10 less August: nine months, fewer than twelve: nothing is reported
    body = _correlations(client, period_from="2026-01").get_json()
    assert body["tested"] == 0 and body["pairs"] == []
    assert body["insufficient"] == 10
    assert (body["period_from"], body["period_to"]) == ("2026-01", LAST)


def test_correlation_span_defaults_to_the_last_24_months(client, reported):
    login(client, f"{TARGET}-staff")
    body = client.get(f"/api/v1/t/{TARGET}/analysis/correlations").get_json()
    assert (body["period_from"], body["period_to"]) == ("2024-11", "2026-10")
    listed = {(p["x"]["code"], p["y"]["code"]): p["n"] for p in body["pairs"]}
    # 24 months less August; over these, PR12's drift is too slight to count against PR04
    assert listed == {("PR04", "PR06"): 23, ("PR07", "PR12"): 23}


def test_correlation_query_is_validated(client, reported):
    login(client, f"{TARGET}-staff")
    assert _correlations(client, period_from="2026-13").status_code == 422
    assert _correlations(client, period_from="2026-10", period_to="2026-01").status_code == 422


def test_the_page_shows_the_table_the_pairs_and_the_caveat(client, reported):
    login(client, f"{TARGET}-staff")
    page = client.get(
        f"/t/{TARGET}/analysis",
        query_string={"organ": reported, "indicator": "PR04", "period_from": FIRST},
    )
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "趋势分析" in html and "关联分析" in html and "3个月移动平均" in html
    assert html.count('data-testid="trend-row"') == 24  # the last 24 months, newest first
    assert html.index('data-period="2026-10"') < html.index('data-period="2026-09"')
    july = html[html.index('data-period="2026-07"') :]
    assert '<td class="num" data-testid="moving-average">49</td>' in july[:1200]
    assert 'data-x="PR04" data-y="PR06"' in html and "反向变动" in html
    assert "相关不等于因果" in html
    english = client.get(
        f"/t/{TARGET}/analysis",
        query_string={"organ": reported, "indicator": "PR04", "lang": "en"},
    ).get_data(as_text=True)
    assert "Trend analysis" in english and "Correlation is not causation" in english
    assert "move in opposite directions" in english and "相关不等于因果" not in english


def test_the_page_of_another_organ_opens_on_that_organs_indicator(client, world, reported):
    login(client, f"{TARGET}-staff")
    html = client.get(
        f"/t/{TARGET}/analysis",
        query_string={"organ": world.organ_id(TARGET, "court"), "indicator": "PR04"},
    ).get_data(as_text=True)
    assert 'value="CT01" selected' in html and html.count('data-testid="trend-row"') == 2


def test_an_organ_user_gets_404_for_another_organs_page(client, world, reported):
    login(client, f"{TARGET}-court")
    assert client.get(f"/t/{TARGET}/analysis", query_string={"organ": reported}).status_code == 404
    own = client.get(f"/t/{TARGET}/analysis")
    assert own.status_code == 200 and 'name="organ"' not in own.get_data(as_text=True)


def test_p_values_are_finite_numbers(client, reported):
    login(client, f"{TARGET}-staff")
    for pair in _correlations(client).get_json()["pairs"]:
        assert all(math.isfinite(pair[m]["p"]) for m in ("pearson", "spearman"))
