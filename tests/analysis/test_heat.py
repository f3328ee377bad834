"""Heat matrices: cells, red/yellow totals, and the severity order."""

from __future__ import annotations

import json

import pytest

from app.analysis.heat import (
    EMPTY,
    HeatCell,
    Totals,
    children_by_indicator,
    heat_matrix,
    organ_by_period,
    worst_colour,
)

# Three districts × four indicators; 西湖 has one red, 萧山 two yellows, 上城 one yellow.
CELLS = {
    ("上城区", "CT01"): ("green", 96.0),
    ("上城区", "CT02"): ("yellow", 97.0),
    ("上城区", "CT03"): ("green", 55.0),
    ("西湖区", "CT01"): ("red", 80.0),
    ("西湖区", "CT02"): ("green", 99.0),
    ("西湖区", "CT03"): ("green", 50.0),
    ("萧山区", "CT01"): ("yellow", 90.0),
    ("萧山区", "CT02"): ("yellow", 96.0),
    ("萧山区", "CT03"): ("grey", None),
}
CHILDREN = ("上城区", "西湖区", "萧山区")
INDICATORS = ("CT01", "CT02", "CT03", "CT04")


def test_children_by_indicator_totals_and_order():
    matrix = children_by_indicator(CELLS, CHILDREN, INDICATORS)
    # one red outweighs two yellows; equally severe keep the given order
    assert matrix.rows == ("西湖区", "萧山区", "上城区")
    assert matrix.columns == ("CT01", "CT02", "CT03", "CT04")
    assert matrix.row_totals["西湖区"] == Totals(red=1, yellow=0)
    assert matrix.row_totals["萧山区"] == Totals(red=0, yellow=2)
    assert matrix.column_totals["CT01"] == Totals(red=1, yellow=1)
    assert matrix.column_totals["CT02"] == Totals(red=0, yellow=2)
    assert matrix.column_totals["CT04"] == Totals()
    assert matrix.total == Totals(red=1, yellow=3)


def test_cells_keep_colour_and_value():
    matrix = children_by_indicator(CELLS, CHILDREN, INDICATORS)
    assert matrix.cell("西湖区", "CT01") == HeatCell("red", 80.0)
    assert matrix.cell("萧山区", "CT03") == HeatCell("grey", None)
    assert matrix.cell("上城区", "CT04") is EMPTY  # never rated
    assert matrix.grid()[0] == [
        HeatCell("red", 80.0),
        HeatCell("green", 99.0),
        HeatCell("green", 50.0),
        EMPTY,
    ]


def test_columns_sort_by_severity_too():
    cells = {("A", "X"): "yellow", ("A", "Y"): "red", ("B", "Z"): "yellow", ("B", "X"): "green"}
    matrix = heat_matrix(cells)
    assert matrix.rows == ("A", "B")
    assert matrix.columns == ("Y", "X", "Z")  # red; then X and Z tie on one yellow, X met first


def test_labels_default_to_those_met_and_rows_without_cells_stay():
    matrix = heat_matrix({("A", "X"): "red"}, rows=["B", "A"])
    assert matrix.rows == ("A", "B")
    assert matrix.row_totals["B"] == Totals()
    assert heat_matrix({}).rows == ()


def test_cells_outside_the_given_labels_are_left_out():
    matrix = children_by_indicator(CELLS, ["上城区"], ["CT01", "CT02"])
    assert matrix.total == Totals(red=0, yellow=1)
    assert set(matrix.cells) == {("上城区", "CT01"), ("上城区", "CT02")}


def test_unknown_colour_is_rejected():
    with pytest.raises(ValueError):
        heat_matrix({("A", "X"): ("purple", 1.0)})


def test_organ_by_period_keeps_time_order():
    cells = {
        ("法院", "2025-03"): "red",
        ("法院", "2025-01"): "green",
        ("检察院", "2025-02"): "yellow",
        ("检察院", "2025-03"): "yellow",
        ("公安", "2025-01"): HeatCell("green", 1.0),
    }
    matrix = organ_by_period(cells)
    assert matrix.columns == ("2025-01", "2025-02", "2025-03")
    assert matrix.rows == ("法院", "检察院", "公安")
    assert matrix.column_totals["2025-03"] == Totals(red=1, yellow=1)
    given = organ_by_period(cells, periods=["2025-03", "2025-02"])
    assert given.columns == ("2025-02", "2025-03")


def test_as_dict_is_json_ready_and_in_the_sorted_order():
    data = children_by_indicator(CELLS, CHILDREN, INDICATORS[:2]).as_dict()
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert data["rows"] == ["西湖区", "萧山区", "上城区"]
    assert data["columns"] == ["CT01", "CT02"]
    assert data["grid"][0] == [{"colour": "red", "value": 80.0}, {"colour": "green", "value": 99.0}]
    assert data["row_totals"][1] == {"red": 0, "yellow": 2}
    assert data["total"] == {"red": 1, "yellow": 3}


def test_worst_colour():
    assert worst_colour(["green", "yellow", None, "grey"]) == "yellow"
    assert worst_colour(["green", "grey"]) == "grey"
    assert worst_colour(["red", "yellow"]) == "red"
    assert worst_colour([None]) is None
    assert worst_colour([]) is None
