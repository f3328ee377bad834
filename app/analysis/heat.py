"""Heat analysis (热力分析): colour matrices as data, for a chart or a table to draw.

A heat matrix has rows, columns and a cell (colour, value) where they cross; each row and
column carries its count of red and yellow cells, and rows (and, where it makes sense,
columns) are sorted by severity: most red first, then most yellow, then the order given.
Two uses:

* :func:`children_by_indicator` — the child tenants' (or an organ's subordinate organs') ×
  indicators: where in the territory the problems are, and which indicators are worst;
* :func:`organ_by_period` — organs × periods: who has been in trouble, and since when. The
  periods stay in time order; only the organs are sorted.

Colours are the ratings' ("green", "yellow", "red", "grey" for not submitted); a cell that
was never rated is absent and reads as ``EMPTY``.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

COLOURS = ("green", "yellow", "red", "grey")
# Worst first: a missing submission (grey) is worse than a green value, better than a warning.
SEVERITY = ("red", "yellow", "grey", "green")


@dataclass(frozen=True)
class HeatCell:
    colour: str | None  # None: no rating at all
    value: float | None = None


EMPTY = HeatCell(None, None)


@dataclass(frozen=True)
class Totals:
    red: int = 0
    yellow: int = 0

    @property
    def severity(self) -> tuple[int, int]:
        """The sort key, larger is worse: red cells outweigh any number of yellow ones."""
        return self.red, self.yellow


@dataclass(frozen=True)
class HeatMatrix:
    rows: tuple[Hashable, ...]  # sorted worst first (see the module docstring)
    columns: tuple[Hashable, ...]
    cells: Mapping[tuple[Hashable, Hashable], HeatCell]
    row_totals: Mapping[Hashable, Totals]
    column_totals: Mapping[Hashable, Totals]
    total: Totals

    def cell(self, row: Hashable, column: Hashable) -> HeatCell:
        return self.cells.get((row, column), EMPTY)

    def grid(self) -> list[list[HeatCell]]:
        """The cells row by row, in the sorted order."""
        return [[self.cell(r, c) for c in self.columns] for r in self.rows]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: labels, a row-major grid of {colour, value} and the totals."""
        return {
            "rows": list(self.rows),
            "columns": list(self.columns),
            "grid": [[{"colour": c.colour, "value": c.value} for c in row] for row in self.grid()],
            "row_totals": [_totals_dict(self.row_totals[r]) for r in self.rows],
            "column_totals": [_totals_dict(self.column_totals[c]) for c in self.columns],
            "total": _totals_dict(self.total),
        }


def _totals_dict(totals: Totals) -> dict[str, int]:
    return {"red": totals.red, "yellow": totals.yellow}


CellInput = HeatCell | tuple[str | None, float | None] | str | None


def heat_matrix(
    cells: Mapping[tuple[Hashable, Hashable], CellInput],
    rows: Iterable[Hashable] | None = None,
    columns: Iterable[Hashable] | None = None,
    *,
    sort_rows: bool = True,
    sort_columns: bool = True,
) -> HeatMatrix:
    """Build a matrix from {(row, column): cell}; a cell is a HeatCell, (colour, value) or a
    colour alone.

    ``rows``/``columns`` fix the labels and their order before sorting (rows without any
    cell are kept, empty); by default they are the labels met in ``cells``, in that order.
    Cells outside the given rows and columns are left out. Sorting is stable: equally severe
    rows keep their given order.
    """
    normal = {key: _cell(value) for key, value in cells.items()}
    row_labels = _labels(rows, (r for r, _ in normal))
    column_labels = _labels(columns, (c for _, c in normal))
    kept = {(r, c): v for (r, c), v in normal.items() if r in row_labels and c in column_labels}
    row_totals = {r: _count(kept.get((r, c)) for c in column_labels) for r in row_labels}
    column_totals = {c: _count(kept.get((r, c)) for r in row_labels) for c in column_labels}
    total = _count(kept.values())
    if sort_rows:
        row_labels = sorted(row_labels, key=lambda r: row_totals[r].severity, reverse=True)
    if sort_columns:
        column_labels = sorted(column_labels, key=lambda c: column_totals[c].severity, reverse=True)
    return HeatMatrix(
        tuple(row_labels), tuple(column_labels), kept, row_totals, column_totals, total
    )


def _cell(value: CellInput) -> HeatCell:
    if isinstance(value, HeatCell):
        cell = value
    elif isinstance(value, tuple):
        cell = HeatCell(*value)
    else:
        cell = HeatCell(value)
    if cell.colour is not None and cell.colour not in COLOURS:
        raise ValueError(f"unknown colour {cell.colour!r}")
    return cell


def worst_colour(colours: Iterable[str | None]) -> str | None:
    """The most severe of some colours (red, yellow, grey, green); None if there are none."""
    present = {c for c in colours if c is not None}
    return next((c for c in SEVERITY if c in present), None)


def _labels(given: Iterable[Hashable] | None, met: Iterable[Hashable]) -> list[Hashable]:
    # dict.fromkeys keeps the first occurrence's position and drops repeats
    return list(dict.fromkeys(given if given is not None else met))


def _count(cells: Iterable[HeatCell | None]) -> Totals:
    colours = [cell.colour for cell in cells if cell is not None]
    return Totals(colours.count("red"), colours.count("yellow"))


def children_by_indicator(
    cells: Mapping[tuple[Hashable, str], CellInput],
    children: Iterable[Hashable] | None = None,
    indicators: Iterable[str] | None = None,
) -> HeatMatrix:
    """{(child, indicator code): cell} → children × indicators, both sorted by severity.

    Pass ``indicators`` in dictionary order so that equally severe indicators keep it.
    """
    return heat_matrix(cells, children, indicators)


def organ_by_period(
    cells: Mapping[tuple[Hashable, str], CellInput],
    organs: Iterable[Hashable] | None = None,
    periods: Iterable[str] | None = None,
) -> HeatMatrix:
    """{(organ, period): cell} → organs × periods; organs by severity, periods in time order.

    The cell is typically the organ's worst colour in that period, or one indicator's colour.
    """
    ordered = sorted(periods if periods is not None else {p for _, p in cells})
    return heat_matrix(cells, organs, ordered, sort_columns=False)
