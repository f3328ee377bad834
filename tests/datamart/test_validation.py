"""Row validation of uploaded indicator figures: one test per error code, valid batches of
every kind of value, a township tenant, and the speed of a 100,000-row file."""

from __future__ import annotations

import time
from datetime import datetime

import pytest

from app.datamart import validation as v
from app.datamart.files import Formula
from app.datamart.validation import ImportContext, OrganRef, RowError, ValidRow
from app.indicators.dictionary import load_dictionary

SPECS = {spec.code: spec for spec in load_dictionary()}
COURT, PROCURATORATE, POLICE, JUSTICE = (
    OrganRef(1, "西湖区人民法院", "court", "court"),
    OrganRef(2, "西湖区人民检察院", "procuratorate", "procuratorate"),
    OrganRef(3, "杭州市公安局西湖区分局", "public_security", "public_security"),
    OrganRef(4, "西湖区司法局", "justice_bureau", "justice_bureau"),
)
ORGANS = (COURT, PROCURATORATE, POLICE, JUSTICE)


def context(
    sources: str = "organ", allowed: tuple[OrganRef, ...] = ORGANS, **changes
) -> ImportContext:
    fields = {
        "level": "district",
        "organs": ORGANS,
        "allowed_organ_ids": frozenset(organ.id for organ in allowed),
        "specs": SPECS,
        "sources": frozenset({sources}),
        "current_period": "2026-11",
    }
    fields.update(changes)
    return ImportContext(**fields)


CTX = context()
ASSESSMENT = context("third_party")


def cells(**changes) -> dict:
    """A valid CT01 row for the court; keyword arguments replace or add cells."""
    row = {
        "period": "2026-10",
        "organ": "西湖区人民法院",
        "indicator": "CT01",
        "numerator": 90,
        "denominator": 100,
    }
    row.update(changes)
    return row


def only_error(result, code: str, column: str, row: int = 7) -> RowError:
    assert isinstance(result, list), result
    assert [(e.code, e.column) for e in result] == [(code, column)]
    error = result[0]
    assert error.row == row
    assert error.message_zh.startswith(f"第 {row} 行") and error.message_zh.strip()
    assert error.message_en.startswith(f"row {row}") and error.message_en.strip()
    return error


def mentions(error: RowError, *texts: str) -> None:
    for text in texts:
        assert text in error.message_zh, error.message_zh
        assert text in error.message_en, error.message_en


# --- one test per error code ----------------------------------------------------------------


def test_every_code_has_a_constant_and_both_messages():
    assert len(v.MESSAGES) == 18
    for code in v.MESSAGES:
        assert getattr(v, code.upper()) == code
    for zh, en in v.MESSAGES.values():
        assert "{row}" in zh and "{row}" in en


def test_ragged_row():
    error = only_error(v.validate_row(7, cells(__ragged__=True), CTX), v.RAGGED_ROW, "")
    assert "表头" in error.message_zh and "header" in error.message_en


def test_unknown_indicator():
    error = only_error(
        v.validate_row(7, cells(indicator="CT99"), CTX), v.UNKNOWN_INDICATOR, "indicator"
    )
    mentions(error, "CT99")


def test_unknown_organ():
    error = only_error(
        v.validate_row(7, cells(organ="东湖区人民法院"), CTX), v.UNKNOWN_ORGAN, "organ"
    )
    mentions(error, "东湖区人民法院")


def test_unknown_organ_id():
    error = only_error(v.validate_row(7, cells(organ=99), CTX), v.UNKNOWN_ORGAN, "organ")
    mentions(error, "99")


def test_wrong_organ():
    ctx = context(allowed=(COURT,))
    row = cells(
        organ="西湖区人民检察院", indicator="PR01", value=5, numerator=None, denominator=None
    )
    error = only_error(v.validate_row(7, row, ctx), v.WRONG_ORGAN, "organ")
    mentions(error, "西湖区人民检察院")


def test_not_applicable_to_the_organ_family():
    error = only_error(
        v.validate_row(7, cells(organ="西湖区人民检察院"), CTX), v.NOT_APPLICABLE, "indicator"
    )
    mentions(error, "CT01", "西湖区人民检察院")
    assert "法院" in error.message_zh and "courts" in error.message_en


def test_source_mismatch_organ_upload_of_a_third_party_indicator():
    row = cells(indicator="CT17", period="2025", value=82.5, numerator=None, denominator=400)
    error = only_error(v.validate_row(7, row, CTX), v.SOURCE_MISMATCH, "indicator")
    mentions(error, "CT17")
    assert "第三方测评" in error.message_zh and "third-party" in error.message_en


def test_source_mismatch_assessment_upload_of_an_organ_indicator():
    error = only_error(v.validate_row(7, cells(), ASSESSMENT), v.SOURCE_MISMATCH, "indicator")
    mentions(error, "CT01")


@pytest.mark.parametrize(
    ("period", "indicator", "reason_zh", "reason_en"),
    [
        ("2026-13", "CT01", "01 到 12", "01 to 12"),
        ("2026-00", "CT01", "01 到 12", "01 to 12"),
        ("1999-12", "CT01", "2000", "2000"),
        ("2026/10", "CT01", "YYYY-MM", "YYYY-MM"),
        ("2025年10月", "CT01", "YYYY-MM", "YYYY-MM"),
        ("２０２５-10", "CT01", "YYYY-MM", "YYYY-MM"),
        ("2025", "CT01", "月度", "monthly"),
        (2025, "CT01", "月度", "monthly"),
        ("2025-10", "CT17", "年度", "yearly"),
        (datetime(2025, 10, 1), "CT17", "年度", "yearly"),
    ],
)
def test_bad_period(period, indicator, reason_zh, reason_en):
    ctx = CTX if indicator == "CT01" else ASSESSMENT
    row = cells(period=period, indicator=indicator)
    if indicator == "CT17":
        row.update(numerator=None, denominator=400, value=82.5)
    error = only_error(v.validate_row(7, row, ctx), v.BAD_PERIOD, "period")
    shown = period.strftime("%Y-%m-%d") if isinstance(period, datetime) else str(period)
    mentions(error, shown)
    assert reason_zh in error.message_zh and reason_en in error.message_en


@pytest.mark.parametrize("period", ["2026-11", "2026-12", "2027-01", datetime(2026, 11, 3)])
def test_future_period(period):
    error = only_error(v.validate_row(7, cells(period=period), CTX), v.FUTURE_PERIOD, "period")
    mentions(error, "2026-11")


def test_future_period_for_a_year_not_yet_ended():
    row = cells(indicator="CT17", period="2026", numerator=None, denominator=400, value=80)
    error = only_error(v.validate_row(7, row, ASSESSMENT), v.FUTURE_PERIOD, "period")
    mentions(error, "2026")


def test_missing_value():
    error = only_error(
        v.validate_row(7, cells(denominator=None), CTX), v.MISSING_VALUE, "denominator"
    )
    assert "收案数" in error.message_zh and "cases received" in error.message_en


@pytest.mark.parametrize("column", ["period", "organ", "indicator", "numerator"])
def test_missing_value_of_any_required_cell(column):
    only_error(v.validate_row(7, cells(**{column: "  "}), CTX), v.MISSING_VALUE, column)


def test_missing_value_of_a_count_and_an_index_weight():
    count = cells(organ="西湖区人民检察院", indicator="PR01", numerator=None, denominator=None)
    only_error(v.validate_row(7, count, CTX), v.MISSING_VALUE, "value")
    index = cells(indicator="CT17", period="2025", numerator=None, denominator="", value=80)
    error = only_error(v.validate_row(7, index, ASSESSMENT), v.MISSING_VALUE, "denominator")
    assert "权重" in error.message_zh


@pytest.mark.parametrize(
    ("raw", "hint_zh", "hint_en"),
    [
        ("1,234", "千位分隔符", "thousands"),
        ("１２３", "半角", "half-width"),
        ("95%", "单位", "units"),
        ("约90", "阿拉伯数字", "plain number"),
        ("1e3", "阿拉伯数字", "plain number"),
        ("1_000", "阿拉伯数字", "plain number"),
        ("inf", "阿拉伯数字", "plain number"),
    ],
)
def test_not_a_number(raw, hint_zh, hint_en):
    row = cells(numerator=raw, denominator=5000)
    error = only_error(v.validate_row(7, row, CTX), v.NOT_A_NUMBER, "numerator")
    mentions(error, raw)
    assert hint_zh in error.message_zh and hint_en in error.message_en


def test_formula_not_allowed():
    row = cells(numerator=Formula("=B2+C2"))
    error = only_error(v.validate_row(7, row, CTX), v.FORMULA_NOT_ALLOWED, "numerator")
    mentions(error, "=B2+C2")
    assert "数值本身" in error.message_zh and "number itself" in error.message_en


@pytest.mark.parametrize("column", ["organ", "indicator", "period", "note"])
def test_formula_in_a_text_cell(column):
    row = cells(**{column: Formula("=Sheet2!A1")})
    error = only_error(v.validate_row(7, row, CTX), v.FORMULA_NOT_ALLOWED, column)
    mentions(error, "=Sheet2!A1")
    assert "text itself" in error.message_en


def test_infinity_is_not_a_number():
    row = cells(denominator=float("inf"))
    only_error(v.validate_row(7, row, CTX), v.NOT_A_NUMBER, "denominator")


def test_source_is_checked_even_when_the_organ_is_unknown():
    result = v.validate_row(7, cells(organ="某法院"), ASSESSMENT)
    assert {(e.column, e.code) for e in result} == {
        ("organ", v.UNKNOWN_ORGAN),
        ("indicator", v.SOURCE_MISMATCH),
    }


def test_negative():
    error = only_error(v.validate_row(7, cells(numerator=-3), CTX), v.NEGATIVE, "numerator")
    mentions(error, "-3")


def test_not_integer():
    error = only_error(v.validate_row(7, cells(numerator="90.5"), CTX), v.NOT_INTEGER, "numerator")
    mentions(error, "90.5")


def test_not_integer_count():
    row = cells(
        organ="西湖区人民检察院", indicator="PR01", numerator=None, denominator=None, value=12.5
    )
    error = only_error(v.validate_row(7, row, CTX), v.NOT_INTEGER, "value")
    mentions(error, "12.5")


def test_zero_denominator():
    row = cells(numerator=0, denominator=0)
    error = only_error(v.validate_row(7, row, CTX), v.ZERO_DENOMINATOR, "denominator")
    mentions(error, "0")
    assert "收案数" in error.message_zh


def test_zero_weight_of_an_index():
    row = cells(indicator="CT17", period="2025", numerator=None, denominator=0, value=80)
    only_error(v.validate_row(7, row, ASSESSMENT), v.ZERO_DENOMINATOR, "denominator")


def test_numerator_gt_denominator():
    row = cells(indicator="CT02", numerator=120, denominator=100)
    error = only_error(v.validate_row(7, row, CTX), v.NUMERATOR_GT_DENOMINATOR, "numerator")
    mentions(error, "120", "100")
    assert "审限内结案数" in error.message_zh and "cases closed" in error.message_en


def test_out_of_range_derived():
    row = cells(numerator=1100, denominator=100)  # CT01 may exceed 100 %, but not 1000 %
    error = only_error(v.validate_row(7, row, CTX), v.OUT_OF_RANGE, "value")
    mentions(error, "1100.00", "1000")


def test_out_of_range_given():
    row = cells(indicator="CT17", period="2025", numerator=None, denominator=400, value=120)
    error = only_error(v.validate_row(7, row, ASSESSMENT), v.OUT_OF_RANGE, "value")
    mentions(error, "120", "100")


def test_value_mismatch():
    row = cells(value=0.9)
    error = only_error(v.validate_row(7, row, CTX), v.VALUE_MISMATCH, "value")
    mentions(error, "0.9", "90.00")


def test_duplicate_row_names_the_first_row():
    rows = [(5, cells()), (6, cells(period="2026-09")), (9, cells(organ=" 1 ", numerator=91))]
    valid, errors = v.validate_rows(rows, CTX)
    assert [r.row for r in valid] == [5, 6]
    assert [(e.row, e.column, e.code) for e in errors] == [(9, "", v.DUPLICATE_ROW)]
    mentions(errors[0], "5", "西湖区人民法院", "CT01", "2026-10")
    assert "第 5 行" in errors[0].message_zh and "row 5" in errors[0].message_en


def test_duplicate_of_a_row_that_had_other_errors():
    rows = [(2, cells(numerator="x")), (3, cells())]
    valid, errors = v.validate_rows(rows, CTX)
    assert valid == []
    assert [(e.row, e.code) for e in errors] == [(2, v.NOT_A_NUMBER), (3, v.DUPLICATE_ROW)]


# --- several problems, valid batches --------------------------------------------------------


def test_a_row_with_three_problems_reports_three_errors():
    row = cells(organ="东湖区法院", period="2027-01", numerator="九十")
    result = v.validate_row(7, row, CTX)
    assert {(e.column, e.code) for e in result} == {
        ("organ", v.UNKNOWN_ORGAN),
        ("period", v.FUTURE_PERIOD),
        ("numerator", v.NOT_A_NUMBER),
    }
    assert all(e.row == 7 for e in result)


def test_at_most_one_error_per_column():
    row = cells(indicator="CT02", numerator=150, denominator=100, value="abc", note=Formula("=1"))
    result = v.validate_row(7, row, CTX)
    assert sorted(e.column for e in result) == ["note", "value"]


def test_number_cells_are_checked_even_for_an_unknown_indicator():
    result = v.validate_row(7, cells(indicator="XX01", numerator="1,000"), CTX)
    assert {(e.column, e.code) for e in result} == {
        ("indicator", v.UNKNOWN_INDICATOR),
        ("numerator", v.NOT_A_NUMBER),
    }


def test_valid_batch_of_every_kind_of_value():
    rows = [
        (2, cells(numerator=120, denominator=100, note=" 年底清积 ")),  # CT01 may exceed 100 %
        (3, cells(indicator="CT03", numerator="1234.5", denominator=30)),
        (
            4,
            cells(
                organ="西湖区人民检察院",
                indicator="PR01",
                numerator=None,
                denominator=None,
                value=" 57 ",
            ),
        ),
        (
            5,
            cells(
                organ="杭州市公安局西湖区分局", indicator="PS03", numerator=90, denominator=100.0
            ),
        ),
        (6, cells(organ=4, indicator="jb01", numerator=0, denominator=12, value="0.0")),
        (7, cells(indicator="CT11", numerator=1234.56, denominator="2500.5")),
    ]
    valid, errors = v.validate_rows(rows, CTX)
    assert errors == []
    assert valid[0] == ValidRow(2, 1, "CT01", "2026-10", 120.0, 100.0, 120.0, "年底清积")
    assert valid[1].value == pytest.approx(41.15)
    assert (valid[1].numerator, valid[1].denominator) == (1234.5, 30.0)
    assert valid[2] == ValidRow(4, 2, "PR01", "2026-10", 57.0, None, 57.0, "")
    assert valid[3].value == pytest.approx(-10.0)
    assert (valid[4].indicator, valid[4].organ_id, valid[4].value) == ("JB01", 4, 0.0)
    assert valid[5].value == pytest.approx(1234.56 / 2500.5 * 100)


def test_valid_yearly_index_from_an_assessment():
    rows = [
        (2, cells(indicator="CT17", period="2025", numerator=None, denominator=400, value=82.5)),
        (3, cells(indicator="CT17", period=2024, numerator=None, denominator=380.5, value=80)),
        (4, cells(indicator="CT18", period=2023.0, numerator=450, denominator=500)),
    ]
    valid, errors = v.validate_rows(rows, ASSESSMENT)
    assert errors == []
    assert valid[0] == ValidRow(2, 1, "CT17", "2025", 82.5, 400.0, 82.5, "")
    assert [(r.period, r.value) for r in valid[1:]] == [("2024", 80.0), ("2023", 90.0)]


def test_accepted_spellings():
    ok = [
        cells(period=datetime(2026, 10, 1)),  # Excel turns a typed 2026-10 into a date
        cells(period=" 2026-10 ", organ=" 西湖区人民法院\u3000"),
        cells(organ=1),
        cells(organ=1.0),
        cells(organ="1"),
        cells(indicator=" ct01 "),
        cells(indicator=None, indicator_name="结收比"),
        cells(numerator=" 90 ", denominator="100.0", value="90.04"),  # agrees within 0.05
        cells(value=float("nan")),  # how some readers give an empty cell
    ]
    for row in ok:
        result = v.validate_row(3, row, CTX)
        assert isinstance(result, ValidRow), (row, result)
        assert (result.organ_id, result.indicator, result.period) == (1, "CT01", "2026-10")


def test_a_quarter_that_has_ended():
    assert v._ended_period("2026-Q3", "quarter", (2026, 11)) == "2026-Q3"
    assert v._ended_period("2026q3", "quarter", (2026, 11)) == "2026-Q3"
    with pytest.raises(v._Problem) as raised:
        v._ended_period("2026-Q4", "quarter", (2026, 11))
    assert raised.value.code == v.FUTURE_PERIOD


def test_township_tenant():
    tribunal = OrganRef(11, "五常人民法庭", "tribunal", "court")
    ctx = context(level="township", organs=(tribunal,), allowed=(tribunal,))
    ok = v.validate_row(3, cells(organ="五常人民法庭"), ctx)
    assert isinstance(ok, ValidRow) and ok.organ_id == 11
    row = cells(organ="五常人民法庭", indicator="CT06", numerator=1, denominator=50)
    error = only_error(v.validate_row(7, row, ctx), v.NOT_APPLICABLE, "indicator")
    mentions(error, "CT06", "五常人民法庭")
    assert "乡镇级" in error.message_zh and "township" in error.message_en


def test_context_rejects_a_malformed_current_period():
    with pytest.raises(ValueError, match="current_period"):
        context(current_period="2026-13")


# --- speed ----------------------------------------------------------------------------------

FAMILY_ROWS = {
    "court": ("CT01", {"numerator": 95, "denominator": 100}),
    "procuratorate": ("PR01", {"value": 57}),
    "public_security": ("PS03", {"numerator": 88, "denominator": 100}),
    "justice_bureau": ("JB01", {"numerator": 48.0, "denominator": 50.0}),
}


def test_hundred_thousand_rows_are_fast():
    families = list(FAMILY_ROWS)
    organs = tuple(OrganRef(n, f"机关{n}", families[n % 4], families[n % 4]) for n in range(1, 501))
    ctx = context(organs=organs, allowed=organs)
    months = [f"{2005 + m // 12}-{m % 12 + 1:02d}" for m in range(200)]
    rows = []
    for i in range(100_000):
        organ = organs[i % 500]
        code, figures = FAMILY_ROWS[organ.family]
        row = {"period": months[i // 500], "organ": organ.name_zh, "indicator": code}
        rows.append((i + 2, row | figures | {"note": ""}))
    started = time.perf_counter()
    valid, errors = v.validate_rows(iter(rows), ctx)
    elapsed = time.perf_counter() - started
    print(f"\nvalidate_rows: 100,000 rows in {elapsed:.3f} s")
    assert errors == [] and len(valid) == 100_000
    assert elapsed < 5
