"""The unified indicator dictionary (统一指标) as plain Python: load, validate, rate, compute.

The dictionary lives in a TOML file (``data/dictionary.toml``), one ``[[indicator]]`` table per
indicator. This module has no Flask or SQLAlchemy import: the database copy in
``app.indicators.models`` is filled from what :func:`load_dictionary` returns.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields
from datetime import date
from os import PathLike
from pathlib import Path
from typing import Any

DEFAULT_PATH = Path(__file__).parent / "data" / "dictionary.toml"

# An organ's kind, including the township-level ones, mapped to the family whose indicators
# it reports (a tribunal reports court indicators, a police station public-security ones).
ORGAN_FAMILIES = {
    "court": "court",
    "tribunal": "court",
    "procuratorate": "procuratorate",
    "public_security": "public_security",
    "police_station": "public_security",
    "justice_bureau": "justice_bureau",
    "justice_office": "justice_bureau",
}

ORGAN_KINDS = ("court", "procuratorate", "public_security", "justice_bureau")
CODE_PREFIXES = {
    "CT": "court",
    "PR": "procuratorate",
    "PS": "public_security",
    "JB": "justice_bureau",
}
VALUE_KINDS = ("rate", "average", "count", "index", "change")
DIRECTIONS = ("up", "down", "neutral")
LEVELS = ("province", "city", "district", "township")
PERIODS = ("month", "quarter", "year")
SOURCES = ("organ", "third_party", "congress")
COLOURS = ("green", "yellow", "red")

# Roll-up must be exact, so each kind of value has exactly one roll-up rule.
ROLLUP_FOR_KIND = {
    "rate": "ratio_of_sums",
    "average": "ratio_of_sums",
    "change": "ratio_of_sums",
    "count": "sum",
    "index": "weighted_mean",
}
UNITS_FOR_KIND = {
    "rate": ("%", "‰"),
    "change": ("%",),
    "average": ("天", "分钟", "件/人"),
    "count": ("件",),
    "index": ("分",),
}
SCALE_FOR_UNIT = {"%": 100, "‰": 1000}  # every other unit has scale 1

_CODE_PATTERN = re.compile(r"^[A-Z]{2}\d{2}$")
_CHOICES = {
    "organ_kind": ORGAN_KINDS,
    "value_kind": VALUE_KINDS,
    "direction": DIRECTIONS,
    "period": PERIODS,
    "source": SOURCES,
}
_REQUIRED_TEXT = (
    "name_zh",
    "name_en",
    "dimension_zh",
    "dimension_en",
    "description_zh",
    "description_en",
)
_LABELS = ("numerator_zh", "numerator_en", "denominator_zh", "denominator_en")


class DictionaryError(ValueError):
    """A dictionary file that must not be loaded; the message is Chinese / English."""

    def __init__(self, code: str | None, key: str | None, message_zh: str, message_en: str):
        self.code = code
        self.key = key
        self.message_zh = message_zh
        self.message_en = message_en
        where_zh = f"指标 {code} 的 {key}：" if code else (f"{key}：" if key else "")
        where_en = f"indicator {code}, key {key}: " if code else (f"key {key}: " if key else "")
        super().__init__(f"{where_zh}{message_zh} / {where_en}{message_en}")


@dataclass(frozen=True)
class Band:
    """One colour's range of values; a ``None`` bound is unbounded on that side."""

    colour: str
    lower: float | None
    upper: float | None
    lower_inclusive: bool
    upper_inclusive: bool

    def contains(self, value: float) -> bool:
        above = (
            self.lower is None
            or value > self.lower
            or (self.lower_inclusive and value == self.lower)
        )
        below = (
            self.upper is None
            or value < self.upper
            or (self.upper_inclusive and value == self.upper)
        )
        return above and below


@dataclass(frozen=True)
class IndicatorSpec:
    """One entry of the dictionary; the fields are the TOML keys."""

    code: str
    name_zh: str
    name_en: str
    organ_kind: str
    dimension_zh: str
    dimension_en: str
    unit: str
    value_kind: str
    scale: int
    numerator_zh: str
    numerator_en: str
    denominator_zh: str
    denominator_en: str
    direction: str
    rollup: str
    levels: tuple[str, ...]
    period: str
    source: str
    green: float | None
    red: float | None
    peer_rated: bool
    min: float
    max: float
    description_zh: str
    description_en: str

    def bands(self) -> list[Band]:
        """Green, yellow and red ranges; each boundary value belongs to the better colour.

        Up: green is value >= green, red is value < red. Down: green is value <= green,
        red is value > red. Yellow lies in between. Peer-rated indicators have no bands.
        """
        if self.peer_rated or self.green is None or self.red is None:
            return []
        if self.direction == "up":
            return [
                Band("green", self.green, None, True, False),
                Band("yellow", self.red, self.green, True, False),
                Band("red", None, self.red, False, False),
            ]
        return [
            Band("green", None, self.green, False, True),
            Band("yellow", self.green, self.red, False, True),
            Band("red", self.red, None, False, False),
        ]

    def colour_for(self, value: float | None) -> str | None:
        """The colour of ``value``; None for peer-rated indicators or a missing value."""
        if value is None or math.isnan(value):
            return None
        return next((band.colour for band in self.bands() if band.contains(value)), None)

    def compute_value(self, numerator: float | None, denominator: float | None) -> float | None:
        """The indicator's value from its reported parts.

        rate: numerator / denominator × scale; average: numerator / denominator;
        change: (numerator / denominator − 1) × scale, i.e. this period against the same
        period last year. These are None when the denominator is 0 or missing.
        count and index carry the value itself in ``numerator``; for an index the
        denominator is its weight, which matters only when rolling up, so it is ignored here.
        """
        if numerator is None:
            return None
        if self.value_kind in ("count", "index"):
            return float(numerator)
        if not denominator:
            return None
        ratio = numerator / denominator
        if self.value_kind == "rate":
            return ratio * self.scale
        if self.value_kind == "change":
            return (ratio - 1) * self.scale
        return ratio

    def applies_to(self, level: str, organ_family: str) -> bool:
        """Whether an organ of this kind (e.g. ``tribunal``) at ``level`` reports it."""
        return level in self.levels and ORGAN_FAMILIES.get(organ_family) == self.organ_kind


@dataclass(frozen=True)
class Dictionary:
    version: int
    published: str
    note_zh: str
    note_en: str
    indicators: tuple[IndicatorSpec, ...]

    def by_code(self, code: str) -> IndicatorSpec:
        """The entry with ``code``; raises KeyError when there is none."""
        for spec in self.indicators:
            if spec.code == code:
                return spec
        raise KeyError(code)

    def __iter__(self) -> Iterator[IndicatorSpec]:
        return iter(self.indicators)

    def __len__(self) -> int:
        return len(self.indicators)


def load_dictionary(path: str | PathLike[str] | None = None) -> Dictionary:
    """Read and validate a dictionary file (default: the shipped version).

    Raises DictionaryError naming the indicator and key on the first problem found;
    a missing file raises the usual OSError.
    """
    path = Path(path) if path is not None else DEFAULT_PATH
    return load_dictionary_text(path.read_text(encoding="utf-8"))


def load_dictionary_text(text: str) -> Dictionary:
    """Parse and validate a dictionary given as TOML text (e.g. an uploaded new version)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DictionaryError(
            None, None, f"不是有效的 TOML 文件（{exc}）", f"not a valid TOML file ({exc})"
        ) from exc
    return parse_dictionary(data)


def parse_dictionary(data: Mapping[str, Any]) -> Dictionary:
    """Validate an already parsed dictionary document and build the Dictionary."""
    _check_header(data)
    entries = data.get("indicator")
    if not isinstance(entries, list) or not entries:
        raise DictionaryError(
            None, "indicator", "缺少 [[indicator]] 指标条目", "no [[indicator]] entries"
        )
    specs = tuple(_parse_indicator(entry, position) for position, entry in enumerate(entries))
    _check_unique_codes(specs)
    _check_dimension_names(specs)
    return Dictionary(data["version"], data["published"], data["note_zh"], data["note_en"], specs)


# --- the file header ------------------------------------------------------------------------


def _check_header(data: Mapping[str, Any]) -> None:
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise DictionaryError(None, "version", "版本号必须是正整数", "must be a positive integer")
    published = data.get("published")
    try:
        date.fromisoformat(published)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise DictionaryError(
            None,
            "published",
            "发布日期必须是 YYYY-MM-DD 格式的字符串",
            "must be a YYYY-MM-DD date string",
        ) from None
    for key in ("note_zh", "note_en"):
        if not isinstance(data.get(key), str):
            raise DictionaryError(None, key, "必须是字符串", "must be a string")


# --- one entry: keys and types --------------------------------------------------------------

_NUMBER = (int, float)
# key -> accepted TOML types; green and red are the only keys that may be left out.
_FIELD_TYPES: dict[str, tuple[type, ...]] = {field.name: (str,) for field in fields(IndicatorSpec)}
_FIELD_TYPES.update(
    scale=(int,),
    levels=(list,),
    peer_rated=(bool,),
    green=_NUMBER,
    red=_NUMBER,
    min=_NUMBER,
    max=_NUMBER,
)
_OPTIONAL = ("green", "red")


def _parse_indicator(entry: Any, position: int) -> IndicatorSpec:
    code = _code_of(entry, position)
    _check_keys(code, entry)
    values = {key: _typed(code, key, entry.get(key)) for key in _FIELD_TYPES}
    spec = IndicatorSpec(**values)
    for check in _ENTRY_CHECKS:
        check(spec)
    return spec


def _code_of(entry: Any, position: int) -> str:
    label = f"#{position + 1}"
    if not isinstance(entry, dict):
        raise DictionaryError(label, None, "不是一个表", "is not a table")
    code = entry.get("code")
    if not isinstance(code, str) or not _CODE_PATTERN.match(code):
        raise DictionaryError(
            label,
            "code",
            f"编码 {code!r} 应为两个大写字母加两位数字",
            f"{code!r} must be two capital letters and two digits",
        )
    return code


def _check_keys(code: str, entry: Mapping[str, Any]) -> None:
    # Unknown keys are rejected so that a misspelt "gren" is not silently ignored.
    for key in entry:
        if key not in _FIELD_TYPES:
            raise DictionaryError(code, key, "未知的键", "unknown key")
    for key in _FIELD_TYPES:
        if key not in entry and key not in _OPTIONAL:
            raise DictionaryError(code, key, "缺少必填的键", "required key is missing")


def _typed(code: str, key: str, value: Any) -> Any:
    if value is None:
        return None
    wanted = _FIELD_TYPES[key]
    # bool is an int subclass in Python; a TOML `true` is never a number here.
    if not isinstance(value, wanted) or (isinstance(value, bool) and bool not in wanted):
        names = "/".join(t.__name__ for t in wanted)
        raise DictionaryError(code, key, f"类型应为 {names}", f"must be of type {names}")
    if key == "levels":
        return tuple(value)
    if wanted is _NUMBER:
        return float(value)
    return value


# --- one entry: meaning ---------------------------------------------------------------------


def _check_text(spec: IndicatorSpec) -> None:
    for key in _REQUIRED_TEXT:
        if not getattr(spec, key).strip():
            raise DictionaryError(spec.code, key, "不能为空", "must not be empty")


def _check_choices(spec: IndicatorSpec) -> None:
    for key, allowed in _CHOICES.items():
        value = getattr(spec, key)
        if value not in allowed:
            raise DictionaryError(
                spec.code,
                key,
                f"无效的取值 {value!r}（可选：{', '.join(allowed)}）",
                f"unknown value {value!r} (allowed: {', '.join(allowed)})",
            )


def _check_code_prefix(spec: IndicatorSpec) -> None:
    expected = CODE_PREFIXES.get(spec.code[:2])
    if expected != spec.organ_kind:
        raise DictionaryError(
            spec.code,
            "organ_kind",
            f"编码前缀 {spec.code[:2]} 与机关类别 {spec.organ_kind} 不符",
            f"code prefix {spec.code[:2]} does not match {spec.organ_kind}",
        )


def _check_rollup(spec: IndicatorSpec) -> None:
    expected = ROLLUP_FOR_KIND[spec.value_kind]
    if spec.rollup != expected:
        raise DictionaryError(
            spec.code,
            "rollup",
            f"{spec.value_kind} 类指标的汇总方式必须是 {expected}",
            f"a {spec.value_kind} must roll up by {expected}",
        )


def _check_unit_and_scale(spec: IndicatorSpec) -> None:
    units = UNITS_FOR_KIND[spec.value_kind]
    if spec.unit not in units:
        raise DictionaryError(
            spec.code,
            "unit",
            f"{spec.value_kind} 类指标的单位应为 {'、'.join(units)}",
            f"a {spec.value_kind} must be in {', '.join(units)}",
        )
    expected = SCALE_FOR_UNIT.get(spec.unit, 1)
    if spec.scale != expected:
        raise DictionaryError(
            spec.code,
            "scale",
            f"单位 {spec.unit} 的倍数应为 {expected}",
            f"unit {spec.unit} needs scale {expected}",
        )


def _check_labels(spec: IndicatorSpec) -> None:
    """Rates, averages and changes name both parts; an index names only its weight."""
    wanted = {
        "count": (False, False, False, False),
        "index": (False, False, True, True),
    }.get(spec.value_kind, (True, True, True, True))
    for key, needed in zip(_LABELS, wanted, strict=True):
        if bool(getattr(spec, key).strip()) != needed:
            zh, en = (
                ("不能为空", "must not be empty")
                if needed
                else (f"{spec.value_kind} 类指标应留空", f"must be empty for a {spec.value_kind}")
            )
            raise DictionaryError(spec.code, key, zh, en)


def _check_levels(spec: IndicatorSpec) -> None:
    if not spec.levels:
        raise DictionaryError(spec.code, "levels", "至少要有一个层级", "needs at least one level")
    for level in spec.levels:
        if level not in LEVELS:
            raise DictionaryError(
                spec.code, "levels", f"未知的层级 {level!r}", f"unknown level {level!r}"
            )
    if len(set(spec.levels)) != len(spec.levels):
        raise DictionaryError(spec.code, "levels", "层级重复", "a level is listed twice")


def _check_range(spec: IndicatorSpec) -> None:
    if not spec.min < spec.max:
        raise DictionaryError(spec.code, "max", "max 必须大于 min", "max must exceed min")


def _check_thresholds(spec: IndicatorSpec) -> None:
    if spec.peer_rated:
        for key in _OPTIONAL:
            if getattr(spec, key) is not None:
                raise DictionaryError(
                    spec.code,
                    key,
                    "同级比较的指标不设绝对阈值",
                    "a peer-rated indicator has no absolute threshold",
                )
        return
    for key in _OPTIONAL:
        if getattr(spec, key) is None:
            raise DictionaryError(
                spec.code, key, "非同级比较的指标必须设阈值", "required unless peer_rated = true"
            )
    _check_threshold_sides(spec)
    for key in _OPTIONAL:
        if not spec.min <= getattr(spec, key) <= spec.max:
            raise DictionaryError(
                spec.code, key, "阈值超出 [min, max] 范围", "threshold lies outside [min, max]"
            )


def _check_threshold_sides(spec: IndicatorSpec) -> None:
    # Equal bounds would leave no yellow band, so the inequalities are strict.
    assert spec.green is not None and spec.red is not None
    if spec.direction == "neutral":
        raise DictionaryError(
            spec.code,
            "direction",
            "中性指标没有好坏方向，只能同级比较",
            "a neutral indicator has no better side; set peer_rated = true",
        )
    if spec.direction == "up" and not spec.green > spec.red:
        raise DictionaryError(
            spec.code,
            "red",
            "越高越好的指标，red 必须小于 green",
            "for direction up, red must be below green",
        )
    if spec.direction == "down" and not spec.green < spec.red:
        raise DictionaryError(
            spec.code,
            "red",
            "越低越好的指标，red 必须大于 green",
            "for direction down, red must be above green",
        )


_ENTRY_CHECKS = (
    _check_text,
    _check_choices,
    _check_code_prefix,
    _check_rollup,
    _check_unit_and_scale,
    _check_labels,
    _check_levels,
    _check_range,
    _check_thresholds,
)


# --- the whole set --------------------------------------------------------------------------


def _check_unique_codes(specs: tuple[IndicatorSpec, ...]) -> None:
    seen: set[str] = set()
    for spec in specs:
        if spec.code in seen:
            raise DictionaryError(spec.code, "code", "编码重复", "duplicate code")
        seen.add(spec.code)


def _check_dimension_names(specs: tuple[IndicatorSpec, ...]) -> None:
    # The portrait groups by dimension; one Chinese name with two English ones is a typo.
    english: dict[str, str] = {}
    for spec in specs:
        known = english.setdefault(spec.dimension_zh, spec.dimension_en)
        if known != spec.dimension_en:
            raise DictionaryError(
                spec.code,
                "dimension_en",
                f"维度 {spec.dimension_zh} 已对应 {known}",
                f"dimension {spec.dimension_zh} is already {known}",
            )
