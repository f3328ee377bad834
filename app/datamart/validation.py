"""Row-by-row checks of an uploaded indicator file (plain Python: no Flask, no SQLAlchemy).

``app.datamart.files`` turns an Excel or CSV file into ``(row_number, cells)`` pairs whose
cells are keyed by canonical column name. This module decides for each row whether it is a
figure the uploader may submit and, if not, says exactly what is wrong, in Chinese and in
English, naming the offending value. Every problem of a row is reported (at most one per
column) so that a user can fix a whole file in one round rather than one error per upload.

Values follow the dictionary's ``compute_value`` convention: a rate, average or change is
derived from its numerator and denominator (a typed value is only compared, never trusted);
a count or an index carries its value as the numerator, and an index's denominator is its
weight, so that roll-ups (Σnumerator / Σdenominator, sums, weighted means) stay exact.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property, lru_cache
from typing import Any

from app.datamart.files import Formula
from app.indicators.dictionary import IndicatorSpec

# --- error codes and their messages ---------------------------------------------------------

RAGGED_ROW = "ragged_row"
UNKNOWN_INDICATOR = "unknown_indicator"
UNKNOWN_ORGAN = "unknown_organ"
WRONG_ORGAN = "wrong_organ"
NOT_APPLICABLE = "not_applicable"
SOURCE_MISMATCH = "source_mismatch"
BAD_PERIOD = "bad_period"
FUTURE_PERIOD = "future_period"
MISSING_VALUE = "missing_value"
NOT_A_NUMBER = "not_a_number"
FORMULA_NOT_ALLOWED = "formula_not_allowed"
NEGATIVE = "negative"
NOT_INTEGER = "not_integer"
ZERO_DENOMINATOR = "zero_denominator"
NUMERATOR_GT_DENOMINATOR = "numerator_gt_denominator"
OUT_OF_RANGE = "out_of_range"
VALUE_MISMATCH = "value_mismatch"
DUPLICATE_ROW = "duplicate_row"

# Templates are filled with str.format; every message gets {row}, {value} (the offending
# value as the user wrote it), {label_zh} and {label_en} (the column, named after the
# indicator's own numerator or denominator where there is one), plus the keys it names.
MESSAGES: dict[str, tuple[str, str]] = {
    RAGGED_ROW: (
        "第 {row} 行 的单元格多于表头的列数，多出的内容对应不到任何列；"
        "请删除多余的单元格，或给含逗号的文字加上引号",
        "row {row}: the row has more cells than the header has columns, so the extra cells "
        "belong to no column; delete them, or quote text that contains commas",
    ),
    UNKNOWN_INDICATOR: (
        "第 {row} 行 指标「{value}」不在现行指标字典中；请填写字典中的指标编码，如 CT01",
        'row {row}: indicator "{value}" is not in the dictionary in force; '
        "use a code from the dictionary, e.g. CT01",
    ),
    UNKNOWN_ORGAN: (
        "第 {row} 行 机关「{value}」不是本地区的机关；请填写机关全称（与系统中一致）或机关编号",
        'row {row}: organ "{value}" is not an organ of this area; '
        "give its full Chinese name as registered, or its id",
    ),
    WRONG_ORGAN: (
        "第 {row} 行 您无权为机关「{value}」报送数据；请删除该行，或由该机关自行报送",
        'row {row}: you may not submit figures for organ "{value}"; '
        "remove the row or let that organ submit it",
    ),
    NOT_APPLICABLE: (
        "第 {row} 行 指标 {value}（{name_zh}）不适用于「{organ}」：{reason_zh}；请删除该行",
        'row {row}: indicator {value} ({name_en}) does not apply to "{organ}": '
        "{reason_en}; remove the row",
    ),
    SOURCE_MISMATCH: (
        "第 {row} 行 指标 {value}（{name_zh}）的数据来源是{source_zh}，"
        "本次上传只接受来源为{allowed_zh}的指标；请删除该行或改用相应的上传入口",
        "row {row}: indicator {value} ({name_en}) comes from {source_en}, but this upload "
        "accepts only indicators from {allowed_en}; remove the row or use the matching upload",
    ),
    BAD_PERIOD: (
        "第 {row} 行 期间「{value}」无效：{reason_zh}",
        'row {row}: period "{value}" is invalid: {reason_en}',
    ),
    FUTURE_PERIOD: (
        "第 {row} 行 期间 {value} 尚未结束（当前为 {current}），只能报送已结束期间的数据",
        "row {row}: period {value} has not ended yet (it is now {current}); "
        "only figures for ended periods can be submitted",
    ),
    MISSING_VALUE: (
        "第 {row} 行 {label_zh} 为空，请填写",
        "row {row}: {label_en} is empty; please fill it in",
    ),
    NOT_A_NUMBER: (
        "第 {row} 行 {label_zh}「{value}」不是数字：{hint_zh}",
        'row {row}: {label_en} "{value}" is not a number: {hint_en}',
    ),
    FORMULA_NOT_ALLOWED: (
        "第 {row} 行 {label_zh} 是公式「{value}」：请直接填写{what_zh}本身，不要填写公式"
        "（可复制后“选择性粘贴 → 数值”）",
        'row {row}: {label_en} is a formula "{value}": enter the {what_en} itself, '
        "not a formula (copy, then paste as values)",
    ),
    NEGATIVE: (
        "第 {row} 行 {label_zh} 为负数 {value}，应为 0 或正数",
        "row {row}: {label_en} is negative ({value}); it must be 0 or more",
    ),
    NOT_INTEGER: (
        "第 {row} 行 {label_zh} {value} 不是整数；件数、人数等计数应为整数",
        "row {row}: {label_en} {value} is not a whole number; counts of cases or people "
        "must be whole",
    ),
    ZERO_DENOMINATOR: (
        "第 {row} 行 {label_zh} 为 {value}，必须大于 0 才能计算；"
        "若本期没有可统计的事项，请删除该行",
        "row {row}: {label_en} is {value} but must be greater than 0 to compute the value; "
        "if there was nothing to count this period, remove the row",
    ),
    NUMERATOR_GT_DENOMINATOR: (
        "第 {row} 行 {label_zh} {value} 大于{other_zh} {other}，该指标不能超过 {max}{unit}；请核对",
        "row {row}: {label_en} {value} exceeds {other_en} {other}, and this indicator cannot "
        "exceed {max}{unit}; please check both figures",
    ),
    OUT_OF_RANGE: (
        "第 {row} 行 {label_zh} {value} 超出允许范围 {min}–{max}{unit}；请核对",
        "row {row}: {label_en} {value} is outside the allowed range {min}–{max}{unit}; "
        "please check it",
    ),
    VALUE_MISMATCH: (
        "第 {row} 行 填写的值 {value} 与由分子、分母算出的 {derived} 相差超过 0.05；"
        "该值由系统计算，请留空或改为 {derived}",
        "row {row}: the value {value} you entered differs from {derived}, computed from the "
        "numerator and denominator, by more than 0.05; leave it empty, it is computed",
    ),
    DUPLICATE_ROW: (
        "第 {row} 行 与第 {first} 行重复（{value}）；"
        "同一机关、指标、期间只能填一行，请删除其中一行",
        "row {row} repeats row {first} ({value}); give each organ, indicator and period "
        "only once and remove one of the two rows",
    ),
}

ROW = ""  # the column of a problem that concerns the whole row, not one cell
_COLUMNS = {
    ROW: ("整行", "the row"),
    "period": ("期间", "period"),
    "organ": ("机关", "organ"),
    "indicator": ("指标", "indicator"),
    "numerator": ("分子", "numerator"),
    "denominator": ("分母", "denominator"),
    "value": ("值", "value"),
    "note": ("备注", "note"),
}
_KEY_COLUMNS = frozenset({"period", "organ", "indicator"})
_FAMILIES = {
    "court": ("法院", "courts"),
    "procuratorate": ("检察院", "procuratorates"),
    "public_security": ("公安机关", "public security organs"),
    "justice_bureau": ("司法行政机关", "justice bureaus"),
}
_LEVELS = {
    "province": ("省级", "the province level"),
    "city": ("市级", "the city level"),
    "district": ("区县级", "the district level"),
    "township": ("乡镇级", "the township level"),
}
_SOURCES = {
    "organ": ("机关自报", "the organs' own reports"),
    "third_party": ("第三方测评", "third-party assessments"),
    "congress": ("人大评议", "congress appraisals"),
}
_PERIOD_FORMS = {
    "month": (
        "月度指标的期间应写成 YYYY-MM，如 2025-10",
        "a monthly indicator needs YYYY-MM, e.g. 2025-10",
    ),
    "quarter": (
        "季度指标的期间应写成 YYYY-Qn，如 2025-Q3",
        "a quarterly indicator needs YYYY-Qn, e.g. 2025-Q3",
    ),
    "year": ("年度指标的期间应写成 YYYY，如 2025", "a yearly indicator needs YYYY, e.g. 2025"),
    None: ("应写成 YYYY-MM、YYYY-Qn 或 YYYY", "write YYYY-MM, YYYY-Qn or YYYY"),
}
_NUMBER_HINTS = {
    "separator": (
        "请去掉千位分隔符（逗号），如 1234",
        "remove the thousands separators, e.g. 1234",
    ),
    "wide": ("请使用半角数字（切换到英文输入法）", "use half-width (ASCII) digits"),
    "unit": ("请只填数字，不要带 %、件、天等单位", "enter the bare number, without % or units"),
    "other": ("请只填写阿拉伯数字", "enter a plain number"),
}
_MISMATCH_TOLERANCE = 0.05  # a typed value may differ from the derived one by rounding only
_FIRST_YEAR = 2000


# --- the public types -----------------------------------------------------------------------


@dataclass(frozen=True)
class OrganRef:
    """An organ of the tenant; ``family`` is the kind whose indicators it reports."""

    id: int
    name_zh: str
    kind: str
    family: str


@dataclass(frozen=True)
class ImportContext:
    """What a file is checked against: the tenant, the uploader's rights and the time.

    ``sources`` is {"organ"} for an organ's own submission and {"third_party"} for an
    evaluator's assessment upload. ``current_period`` is the month in progress ("2026-11");
    only periods that have ended before it are accepted.
    """

    level: str
    organs: tuple[OrganRef, ...]
    allowed_organ_ids: frozenset[int]
    specs: Mapping[str, IndicatorSpec]
    sources: frozenset[str]
    current_period: str

    def __post_init__(self) -> None:
        self.current_month  # noqa: B018 -- fail at construction, not on the first row

    @cached_property
    def current_month(self) -> tuple[int, int]:
        match = _MONTH.fullmatch(self.current_period)
        if not match or not 1 <= int(match[2]) <= 12:
            raise ValueError(f"current_period must be YYYY-MM, not {self.current_period!r}")
        return int(match[1]), int(match[2])

    @cached_property
    def organs_by_name(self) -> dict[str, OrganRef]:
        return {organ.name_zh: organ for organ in self.organs}

    @cached_property
    def organs_by_id(self) -> dict[int, OrganRef]:
        return {organ.id: organ for organ in self.organs}

    @cached_property
    def specs_by_name(self) -> dict[str, IndicatorSpec]:
        return {spec.name_zh: spec for spec in self.specs.values()}


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    code: str
    message_zh: str
    message_en: str


@dataclass(frozen=True)
class ValidRow:
    row: int
    organ_id: int
    indicator: str
    period: str
    numerator: float | None
    denominator: float | None
    value: float
    note: str


def validate_row(
    row_number: int, cells: Mapping[str, Any], ctx: ImportContext
) -> ValidRow | list[RowError]:
    """The row as a ValidRow, or the list of everything wrong with it (duplicates aside:
    they need the rest of the file, see :func:`validate_rows`)."""
    return _Row(row_number, cells, ctx).check()


def validate_rows(
    rows: Iterable[tuple[int, Mapping[str, Any]]], ctx: ImportContext
) -> tuple[list[ValidRow], list[RowError]]:
    """Check a stream of rows; only the key of each row seen is kept besides the results."""
    valid: list[ValidRow] = []
    errors: list[RowError] = []
    first_rows: dict[tuple[int, str, str], int] = {}
    for number, cells in rows:
        row = _Row(number, cells, ctx)
        result = row.check()
        if row.key is not None:
            first = first_rows.setdefault(row.key, number)
            if first != number:
                result = row.duplicate_of(first)
        if isinstance(result, ValidRow):
            valid.append(result)
        else:
            errors.extend(result)
    return valid, errors


# --- one row --------------------------------------------------------------------------------


class _Problem(Exception):
    """One thing wrong with one cell; it becomes a RowError once row and column are known."""

    def __init__(self, code: str, **params: Any):
        super().__init__(code)
        self.code = code
        self.params = params


class _Row:
    """The checks of one row; ``errors`` keeps the first problem of each column."""

    def __init__(self, number: int, cells: Mapping[str, Any], ctx: ImportContext):
        self.number = number
        self.cells = cells
        self.ctx = ctx
        self.spec: IndicatorSpec | None = None
        self.key: tuple[int, str, str] | None = None
        self.errors: dict[str, RowError] = {}

    def check(self) -> ValidRow | list[RowError]:
        if self.cells.get("__ragged__"):
            self.fail(ROW, _Problem(RAGGED_ROW))
        self.spec = self.run("indicator", _indicator, self.cells, self.ctx)
        organ = self.run("organ", _organ, self.cells.get("organ"), self.ctx)
        if self.spec is not None:
            self.run("indicator", _fits, self.spec, organ, self.ctx)
        period = self.run("period", _period, self.cells.get("period"), self.spec, self.ctx)
        figures = _figures(self)
        note = self.run("note", _note, self.cells.get("note"))
        if organ and self.spec and period and not self.errors.keys() & _KEY_COLUMNS:
            self.key = (organ.id, self.spec.code, period)
        if self.errors or figures is None:
            return list(self.errors.values())
        assert self.key is not None
        return ValidRow(self.number, *self.key, *figures, note or "")

    def run(self, column: str, check: Any, *args: Any) -> Any:
        """``check(*args)``, or None after recording the problem it raised."""
        try:
            return check(*args)
        except _Problem as problem:
            self.fail(column, problem)
            return None

    def fail(self, column: str, problem: _Problem) -> None:
        if column in self.errors:
            return  # one error per column: the first is the cause, the rest follow from it
        params = {"row": self.number, "value": _show(self.cells.get(column))}
        params.update(zip(("label_zh", "label_en"), self.label(column), strict=True))
        params.update(problem.params)
        zh, en = MESSAGES[problem.code]
        self.errors[column] = RowError(
            self.number, column, problem.code, zh.format(**params), en.format(**params)
        )

    def label(self, column: str) -> tuple[str, str]:
        """The column's name, with the indicator's own wording where it has one."""
        zh, en = _COLUMNS.get(column, (column, column))
        spec = self.spec
        if spec is None or column not in ("numerator", "denominator", "value"):
            return zh, en
        if column == "value":
            return f"{zh}({spec.name_zh})", f"{en} ({spec.name_en})"
        own_zh, own_en = getattr(spec, f"{column}_zh"), getattr(spec, f"{column}_en")
        return (f"{zh}({own_zh})", f"{en} ({own_en})") if own_zh else (zh, en)

    def duplicate_of(self, first: int) -> list[RowError]:
        assert self.key is not None
        organ_id, code, period = self.key
        name = self.ctx.organs_by_id[organ_id].name_zh
        self.fail(ROW, _Problem(DUPLICATE_ROW, first=first, value=f"{name} / {code} / {period}"))
        return list(self.errors.values())


# --- organ, indicator, period, note ---------------------------------------------------------


def _indicator(cells: Mapping[str, Any], ctx: ImportContext) -> IndicatorSpec:
    """The spec named by the code, or failing a code by the Chinese name."""
    code = _name(cells.get("indicator"))
    name = "" if code else _name(cells.get("indicator_name"))
    if code:
        spec = ctx.specs.get(code.upper())
    elif name:
        spec = ctx.specs_by_name.get(name)
    else:
        raise _Problem(MISSING_VALUE)
    if spec is None:
        raise _Problem(UNKNOWN_INDICATOR, value=code or name)
    return spec


def _organ(raw: Any, ctx: ImportContext) -> OrganRef:
    if not _name(raw):
        raise _Problem(MISSING_VALUE)
    organ = _find_organ(raw, ctx)
    if organ is None:
        raise _Problem(UNKNOWN_ORGAN)
    if organ.id not in ctx.allowed_organ_ids:
        raise _Problem(WRONG_ORGAN, value=organ.name_zh)
    return organ


def _find_organ(raw: Any, ctx: ImportContext) -> OrganRef | None:
    """By exact Chinese name, or by id given as a number or as digits."""
    if type(raw) is str:
        text = raw.strip()
        found = ctx.organs_by_name.get(text)
        if found is None and text.isascii() and text.isdigit():
            found = ctx.organs_by_id.get(int(text))
        return found
    if type(raw) is float and raw.is_integer():
        raw = int(raw)  # Excel stores every number as a float
    return ctx.organs_by_id.get(raw) if type(raw) is int else None


def _fits(spec: IndicatorSpec, organ: OrganRef | None, ctx: ImportContext) -> None:
    """Whether this organ (if known) reports this indicator here, in this kind of upload."""
    if organ is not None and not spec.applies_to(ctx.level, organ.family):
        wrong_level = ctx.level not in spec.levels
        reason_zh, reason_en = (
            (f"该指标不在{_LEVELS[ctx.level][0]}使用", f"it is not used at {_LEVELS[ctx.level][1]}")
            if wrong_level
            else _family_reason(spec.organ_kind)
        )
        raise _Problem(
            NOT_APPLICABLE,
            **_about(spec),
            organ=organ.name_zh,
            reason_zh=reason_zh,
            reason_en=reason_en,
        )
    if spec.source not in ctx.sources:
        allowed = [_SOURCES.get(source, (source, source)) for source in sorted(ctx.sources)]
        source_zh, source_en = _SOURCES.get(spec.source, (spec.source, spec.source))
        raise _Problem(
            SOURCE_MISMATCH,
            **_about(spec),
            source_zh=source_zh,
            source_en=source_en,
            allowed_zh="、".join(zh for zh, _ in allowed),
            allowed_en=" or ".join(en for _, en in allowed),
        )


def _family_reason(family: str) -> tuple[str, str]:
    zh, en = _FAMILIES.get(family, (family, family))
    return f"该指标只由{zh}报送", f"only {en} report it"


def _about(spec: IndicatorSpec) -> dict[str, str]:
    return {"value": spec.code, "name_zh": spec.name_zh, "name_en": spec.name_en}


_MONTH = re.compile(r"(\d{4})-(\d{2})", re.ASCII)
_QUARTER = re.compile(r"(\d{4})-?Q([1-4])", re.ASCII | re.IGNORECASE)
_YEAR = re.compile(r"\d{4}", re.ASCII)


def _period(raw: Any, spec: IndicatorSpec | None, ctx: ImportContext) -> str:
    """The period in canonical form: "2025-10", "2025-Q3" or "2025"."""
    if not _name(raw):
        raise _Problem(MISSING_VALUE)
    return _ended_period(raw, spec.period if spec else None, ctx.current_month)


@lru_cache(maxsize=1024)
def _ended_period(raw: Any, granularity: str | None, current: tuple[int, int]) -> str:
    # Cached: a file repeats a handful of periods over and over (problems are not cached).
    form, year, part = _read_period(raw, granularity)
    if granularity is not None and form != granularity:
        raise _bad_period(*_PERIOD_FORMS[granularity])
    if year < _FIRST_YEAR:
        raise _bad_period(
            f"年份不能早于 {_FIRST_YEAR} 年", f"years before {_FIRST_YEAR} are not accepted"
        )
    if form == "month" and not 1 <= part <= 12:
        raise _bad_period("月份应在 01 到 12 之间", "the month must be 01 to 12")
    period = {"month": f"{year:04d}-{part:02d}", "quarter": f"{year:04d}-Q{part}"}.get(
        form, f"{year:04d}"
    )
    last_month = {"month": part, "quarter": part * 3}.get(form, 12)
    if (year, last_month) >= current:
        raise _Problem(FUTURE_PERIOD, value=period, current=f"{current[0]:04d}-{current[1]:02d}")
    return period


def _read_period(raw: Any, granularity: str | None) -> tuple[str, int, int]:
    """(form, year, month or quarter) as written, not yet checked for range."""
    if isinstance(raw, date):  # an Excel date cell, which Excel makes of a typed "2025-10"
        return "month", raw.year, raw.month
    if type(raw) in (int, float) and float(raw).is_integer():
        raw = str(int(raw))  # Excel stores a typed 2025 as a number
    text = raw.strip() if isinstance(raw, str) else ""
    for form, pattern in (("month", _MONTH), ("quarter", _QUARTER)):
        match = pattern.fullmatch(text)
        if match:
            return form, int(match[1]), int(match[2])
    if _YEAR.fullmatch(text):
        return "year", int(text), 0
    raise _bad_period(*_PERIOD_FORMS[granularity])


def _bad_period(reason_zh: str, reason_en: str) -> _Problem:
    return _Problem(BAD_PERIOD, reason_zh=reason_zh, reason_en=reason_en)


def _note(raw: Any) -> str:
    return _name(raw)


# --- the figures ----------------------------------------------------------------------------

# column -> (required, whole, may be negative), by kind of value. A typed value of a derived
# kind is optional and only compared; an average's numerator is a total (e.g. of days), a
# sum that need not be whole; an index is a score and its weight may be fractional.
_WHOLE = (True, True, False)
_TYPED = (False, False, True)
_RULES: dict[str, dict[str, tuple[bool, bool, bool]]] = {
    "rate": {"numerator": _WHOLE, "denominator": _WHOLE, "value": _TYPED},
    "change": {"numerator": _WHOLE, "denominator": _WHOLE, "value": _TYPED},
    "average": {"numerator": (True, False, False), "denominator": _WHOLE, "value": _TYPED},
    "count": {"value": _WHOLE},
    "index": {"value": (True, False, False), "denominator": (True, False, False)},
}
_ANY_NUMBER = {column: (False, False, False) for column in ("numerator", "denominator", "value")}


def _figures(row: _Row) -> tuple[float | None, float | None, float] | None:
    """(numerator, denominator, value) as stored, or None when any of them is wrong."""
    spec = row.spec
    rules = _RULES[spec.value_kind] if spec else _ANY_NUMBER
    numbers = {
        column: row.run(column, _figure, row.cells.get(column), *rule, _is_amount(spec, column))
        for column, rule in rules.items()
    }
    if spec is None or row.errors.keys() & numbers.keys():
        return None
    if spec.value_kind in ("count", "index"):
        return _given(row, spec, numbers)
    return _derived(row, spec, numbers)


def _figure(raw: Any, required: bool, whole: bool, signed: bool, amount: bool) -> float | None:
    number = _number(raw)
    if number is None:
        if required:
            raise _Problem(MISSING_VALUE)
        return None
    if number < 0 and not signed:
        raise _Problem(NEGATIVE)
    if whole and not amount and not number.is_integer():
        raise _Problem(NOT_INTEGER)
    return number


def _is_amount(spec: IndicatorSpec | None, column: str) -> bool:
    """Whether the column is a sum of money (CT11 in 10,000 yuan), which need not be whole.

    The dictionary has no flag for this, so the English label is read."""
    if spec is None or column not in ("numerator", "denominator"):
        return False
    return "amount" in getattr(spec, f"{column}_en")


def _given(row: _Row, spec: IndicatorSpec, numbers: dict[str, float | None]) -> Any:
    value, weight = numbers["value"], numbers.get("denominator")
    assert value is not None
    if weight is not None and weight <= 0:
        row.fail("denominator", _Problem(ZERO_DENOMINATOR))
        return None
    if not spec.min <= value <= spec.max:
        row.fail("value", _out_of_range(spec, value, given=True))
        return None
    return value, weight, value


def _derived(row: _Row, spec: IndicatorSpec, numbers: dict[str, float | None]) -> Any:
    numerator, denominator, typed = numbers["numerator"], numbers["denominator"], numbers["value"]
    assert numerator is not None and denominator is not None
    if denominator == 0:
        row.fail("denominator", _Problem(ZERO_DENOMINATOR))
        return None
    if spec.value_kind == "rate" and spec.max <= spec.scale and numerator > denominator:
        row.fail("numerator", _too_big(row, spec, numerator, denominator))
        return None  # the value is then out of range too, for the same reason
    value = spec.compute_value(numerator, denominator)
    assert value is not None
    if not spec.min <= value <= spec.max:
        row.fail("value", _out_of_range(spec, value, given=False))
    elif typed is not None and abs(typed - value) > _MISMATCH_TOLERANCE:
        row.fail("value", _Problem(VALUE_MISMATCH, derived=f"{value:.2f}"))
    return None if row.errors else (numerator, denominator, value)


def _too_big(row: _Row, spec: IndicatorSpec, numerator: float, denominator: float) -> _Problem:
    other_zh, other_en = row.label("denominator")
    return _Problem(
        NUMERATOR_GT_DENOMINATOR,
        value=_number_text(numerator),
        other=_number_text(denominator),
        other_zh=other_zh,
        other_en=other_en,
        max=_number_text(spec.max),
        unit=spec.unit,
    )


def _out_of_range(spec: IndicatorSpec, value: float, *, given: bool) -> _Problem:
    shown = _number_text(value) if given else f"{value:.2f}"
    labels = (
        {}
        if given
        else {
            "label_zh": f"算出的值({spec.name_zh})",
            "label_en": f"computed value ({spec.name_en})",
        }
    )
    return _Problem(
        OUT_OF_RANGE,
        value=shown,
        min=_number_text(spec.min),
        max=_number_text(spec.max),
        unit=spec.unit,
        **labels,
    )


_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)", re.ASCII)


def _number(raw: Any) -> float | None:
    """A number cell's value; None when empty.

    Only plain ASCII decimals pass: float() would also take "1_000", "inf", "1e3" and
    full-width digits, none of which a person filling in a form means as a number.
    """
    kind = type(raw)
    if kind is float or kind is int:
        if math.isfinite(raw):
            return float(raw)
        if raw != raw:
            return None  # NaN: how some readers give an empty cell
        raise _not_a_number(_show(raw))
    if kind is str:
        text = raw.strip()
        if not text:
            return None
        if _DECIMAL.fullmatch(text):
            return float(text)
        raise _not_a_number(text)
    if raw is None:
        return None
    if isinstance(raw, Formula):
        raise _Problem(FORMULA_NOT_ALLOWED, what_zh="数值", what_en="number")
    raise _not_a_number(_show(raw))


def _not_a_number(text: str) -> _Problem:
    if _DECIMAL.fullmatch(text.replace(",", "").replace("，", "")):
        hint = "separator"
    elif any(char.isdigit() and not char.isascii() for char in text):
        hint = "wide"
    elif _DECIMAL.fullmatch(text.rstrip("%‰件天人分钟 ")):
        hint = "unit"
    else:
        hint = "other"
    hint_zh, hint_en = _NUMBER_HINTS[hint]
    return _Problem(NOT_A_NUMBER, hint_zh=hint_zh, hint_en=hint_en)


# --- showing values -------------------------------------------------------------------------


def _name(raw: Any) -> str:
    """A cell that names something (organ, indicator, period, note) as stripped text."""
    if isinstance(raw, Formula):
        raise _Problem(FORMULA_NOT_ALLOWED, what_zh="内容", what_en="text")
    return _text(raw)


def _text(raw: Any) -> str:
    """The cell as stripped text ("" when empty), for cells that name something."""
    if raw is None or (type(raw) is float and raw != raw):
        return ""
    return raw.strip() if type(raw) is str else _show(raw)


def _show(raw: Any) -> str:
    """A cell as the user would recognise it in a message."""
    if raw is None:
        return ""
    if isinstance(raw, Formula):
        return raw.text
    if isinstance(raw, datetime) and raw.time() == datetime.min.time():
        return raw.date().isoformat()
    if isinstance(raw, date):
        return raw.isoformat()
    if type(raw) in (int, float):
        return _number_text(float(raw))
    return str(raw).strip()


def _number_text(number: float) -> str:
    if number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    return f"{number:.15g}"
