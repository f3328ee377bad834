"""The indicator dictionary: the shipped version 1, its bands, its formulas, its validation."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.indicators.dictionary import (
    ORGAN_FAMILIES,
    Band,
    DictionaryError,
    load_dictionary,
    load_dictionary_text,
)

DICTIONARY = load_dictionary()

TOWNSHIP = {"CT01", "CT02", "CT03", "CT09", "CT10", "PS04", "PS07", "JB01", "JB02", "JB03"}
PEER_RATED = {"CT05", "PR01", "PR02", "PR03", "PR11", "JB04"}
THIRD_PARTY = {"CT17", "CT18", "PR14", "PS10", "JB09", "JB10"}

# Version 1 is published: ratings made under it must stay reproducible, so its defaults are
# pinned here exactly as DOMAIN.md gives them (code: direction, green, red).
V1_THRESHOLDS = {
    "CT01": ("up", 95, 85), "CT02": ("up", 98, 95), "CT03": ("down", 60, 90),
    "CT04": ("down", 1, 3), "CT06": ("down", 1.5, 3), "CT07": ("down", 0.5, 1),
    "CT08": ("up", 98, 95), "CT09": ("up", 90, 85), "CT10": ("up", 45, 35),
    "CT11": ("up", 50, 35), "CT12": ("up", 40, 30), "CT13": ("up", 40, 30),
    "CT14": ("up", 90, 80), "CT15": ("up", 60, 40), "CT16": ("down", 0.5, 1),
    "CT17": ("up", 80, 60), "CT18": ("up", 90, 80),
    "PR04": ("down", 20, 30), "PR05": ("up", 85, 75), "PR06": ("down", 30, 40),
    "PR07": ("up", 95, 85), "PR08": ("down", 3, 5), "PR09": ("down", 1, 2),
    "PR10": ("up", 60, 40), "PR12": ("up", 98, 95), "PR13": ("up", 100, 95),
    "PR14": ("up", 90, 80),
    "PS01": ("up", 60, 40), "PS02": ("up", 98, 95), "PS03": ("down", 0, 10),
    "PS04": ("down", 10, 15), "PS05": ("down", 10, 20), "PS06": ("up", 95, 90),
    "PS07": ("up", 98, 95), "PS08": ("down", 2, 5), "PS09": ("up", 98, 95),
    "PS10": ("up", 95, 90),
    "JB01": ("up", 95, 90), "JB02": ("down", 0.2, 0.5), "JB03": ("up", 98, 95),
    "JB05": ("up", 90, 80), "JB06": ("up", 98, 95), "JB07": ("up", 95, 85),
    "JB08": ("down", 5, 10), "JB09": ("up", 95, 90), "JB10": ("up", 90, 80),
}  # fmt: skip


# --- the shipped version 1 ----------------------------------------------------------------


def test_version_one_has_52_unique_codes():
    codes = [spec.code for spec in DICTIONARY]
    assert DICTIONARY.version == 1
    assert DICTIONARY.published == "2024-01-01"
    assert len(codes) == 52
    assert len(set(codes)) == 52


def test_counts_per_organ_kind():
    counts = Counter(spec.organ_kind for spec in DICTIONARY)
    assert counts == {"court": 18, "procuratorate": 14, "public_security": 10, "justice_bureau": 10}


def test_thresholds_are_the_published_defaults():
    rated = {spec.code: (spec.direction, spec.green, spec.red) for spec in DICTIONARY}
    assert {code: rated[code] for code in V1_THRESHOLDS} == V1_THRESHOLDS
    assert set(rated) - set(V1_THRESHOLDS) == PEER_RATED


def test_peer_rated_have_no_bounds_and_no_colour():
    for spec in DICTIONARY:
        assert spec.peer_rated == (spec.code in PEER_RATED), spec.code
    for code in PEER_RATED:
        spec = DICTIONARY.by_code(code)
        assert (spec.green, spec.red) == (None, None)
        assert spec.bands() == []
        assert spec.colour_for(50.0) is None


def test_township_subset_is_exactly_the_ten_codes():
    assert {spec.code for spec in DICTIONARY if "township" in spec.levels} == TOWNSHIP
    for spec in DICTIONARY:
        assert {"province", "city", "district"} <= set(spec.levels), spec.code


def test_third_party_indicators_are_yearly():
    for spec in DICTIONARY:
        third = spec.code in THIRD_PARTY
        assert spec.source == ("third_party" if third else "organ"), spec.code
        assert spec.period == ("year" if third else "month"), spec.code


def test_names_and_kinds_of_some_entries():
    ct01, ct17, ps03 = (DICTIONARY.by_code(c) for c in ("CT01", "CT17", "PS03"))
    assert (ct01.name_zh, ct01.numerator_zh, ct01.denominator_zh) == ("结收比", "结案数", "收案数")
    assert (ct17.value_kind, ct17.rollup, ct17.unit) == ("index", "weighted_mean", "分")
    assert ct17.denominator_zh == "权重(样本量)"
    assert (ps03.value_kind, ps03.min, ps03.max) == ("change", -100.0, 10000.0)
    assert DICTIONARY.by_code("CT16").unit == "%"


def test_by_code_unknown_raises_key_error():
    with pytest.raises(KeyError):
        DICTIONARY.by_code("XX99")


# --- bands and colours --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "value", "colour"),
    [
        ("CT01", 95.0, "green"),
        ("CT01", 94.999, "yellow"),
        ("CT01", 85.0, "yellow"),
        ("CT01", 84.99, "red"),
        ("CT03", 60.0, "green"),
        ("CT03", 60.01, "yellow"),
        ("CT03", 90.0, "yellow"),
        ("CT03", 90.01, "red"),
        ("PR13", 100.0, "green"),
        ("PR13", 99.9, "yellow"),
        ("PR13", 95.0, "yellow"),
        ("PR13", 94.9, "red"),
        ("PS03", 0.0, "green"),
        ("PS03", -30.0, "green"),
        ("PS03", 10.5, "red"),
    ],
)
def test_colour_at_band_edges(code, value, colour):
    assert DICTIONARY.by_code(code).colour_for(value) == colour


def test_bands_of_an_up_indicator():
    assert DICTIONARY.by_code("CT01").bands() == [
        Band("green", 95.0, None, True, False),
        Band("yellow", 85.0, 95.0, True, False),
        Band("red", None, 85.0, False, False),
    ]


def test_bands_of_a_down_indicator():
    assert DICTIONARY.by_code("CT03").bands() == [
        Band("green", None, 60.0, False, True),
        Band("yellow", 60.0, 90.0, False, True),
        Band("red", 90.0, None, False, False),
    ]


def test_missing_value_has_no_colour():
    assert DICTIONARY.by_code("CT01").colour_for(None) is None
    assert DICTIONARY.by_code("CT01").colour_for(float("nan")) is None


@given(
    code=st.sampled_from(sorted(V1_THRESHOLDS)),
    value=st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
)
def test_bands_cover_every_value_exactly_once(code, value):
    spec = DICTIONARY.by_code(code)
    assert sum(band.contains(value) for band in spec.bands()) == 1
    assert spec.colour_for(spec.green) == "green"
    assert spec.colour_for(spec.red) == "yellow"


# --- values -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "numerator", "denominator", "expected"),
    [
        ("CT01", 950, 1000, 95.0),  # rate, %
        ("CT01", 1100, 1000, 110.0),  # clearing a backlog
        ("CT01", 5, 0, None),
        ("CT03", 6000, 100, 60.0),  # average: total days / cases
        ("CT03", 0, 0, None),
        ("CT05", 300, 12, 25.0),  # average: cases per judge
        ("PS03", 110, 100, 10.0),  # change: +10 % on last year
        ("PS03", 50, 100, -50.0),
        ("PS03", 7, 0, None),
        ("PR01", 120, None, 120.0),  # count: the value itself
        ("PR01", 120, 0, 120.0),
        ("CT17", 82.5, 300, 82.5),  # index: the score; the weight counts only in roll-up
        ("CT17", 82.5, 0, 82.5),
        ("CT01", None, 100, None),
    ],
)
def test_compute_value(code, numerator, denominator, expected):
    value = DICTIONARY.by_code(code).compute_value(numerator, denominator)
    if expected is None:
        assert value is None
    else:
        assert value == pytest.approx(expected)


def test_per_mille_rate_uses_scale_1000(tmp_path):
    spec = _load(tmp_path, [_rate(unit="‰", scale=1000, min=0.0, max=1000.0)]).by_code("CT01")
    assert spec.compute_value(3, 1000) == pytest.approx(3.0)


# --- who reports what ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "level", "organ", "expected"),
    [
        ("CT01", "township", "tribunal", True),
        ("CT01", "district", "court", True),
        ("CT04", "township", "tribunal", False),
        ("CT01", "district", "procuratorate", False),
        ("PS04", "township", "police_station", True),
        ("JB02", "township", "justice_office", True),
        ("PR05", "province", "procuratorate", True),
        ("PR05", "province", "unknown_kind", False),
    ],
)
def test_applies_to(code, level, organ, expected):
    assert DICTIONARY.by_code(code).applies_to(level, organ) is expected


def test_organ_families_map_township_organs_to_their_family():
    assert ORGAN_FAMILIES["tribunal"] == "court"
    assert ORGAN_FAMILIES["police_station"] == "public_security"
    assert ORGAN_FAMILIES["justice_office"] == "justice_bureau"
    assert set(ORGAN_FAMILIES.values()) == {spec.organ_kind for spec in DICTIONARY}


# --- validation ---------------------------------------------------------------------------

HEADER = {"version": 2, "published": "2025-01-01", "note_zh": "测试", "note_en": "test"}


def _rate(**changes):
    entry = {
        "code": "CT01", "name_zh": "结收比", "name_en": "Clearance rate",
        "organ_kind": "court", "dimension_zh": "效率", "dimension_en": "efficiency",
        "unit": "%", "value_kind": "rate", "scale": 100,
        "numerator_zh": "结案数", "numerator_en": "cases closed",
        "denominator_zh": "收案数", "denominator_en": "cases received",
        "direction": "up", "rollup": "ratio_of_sums",
        "levels": ["province", "city", "district"], "period": "month", "source": "organ",
        "green": 95.0, "red": 85.0, "peer_rated": False, "min": 0.0, "max": 1000.0,
        "description_zh": "结案数除以收案数。", "description_en": "Closed over received.",
    }  # fmt: skip
    return _changed(entry, changes)


def _count(**changes):
    entry = _rate(
        code="PR01", organ_kind="procuratorate", dimension_zh="办案数量",
        dimension_en="case_volume", unit="件", value_kind="count", scale=1,
        numerator_zh="", numerator_en="", denominator_zh="", denominator_en="",
        direction="neutral", rollup="sum", green=None, red=None, peer_rated=True,
        max=10000000.0,
    )  # fmt: skip
    return _changed(entry, changes)


def _changed(entry, changes):
    """The entry with ``changes`` applied; a change to None removes the key."""
    merged = {**entry, **changes}
    return {key: value for key, value in merged.items() if value is not None}


def _toml(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return repr(value)


def _write(tmp_path, entries, header=HEADER):
    lines = [f"{key} = {_toml(value)}" for key, value in header.items()]
    for entry in entries:
        lines += ["", "[[indicator]]"] + [f"{k} = {_toml(v)}" for k, v in entry.items()]
    path = tmp_path / "dictionary.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _load(tmp_path, entries, header=HEADER):
    return load_dictionary(_write(tmp_path, entries, header))


def test_a_small_valid_file_loads(tmp_path):
    dictionary = _load(tmp_path, [_rate(), _count()])
    assert dictionary.version == 2
    assert [spec.code for spec in dictionary] == ["CT01", "PR01"]
    assert dictionary.by_code("CT01").levels == ("province", "city", "district")


def test_load_dictionary_text_reads_the_same_file():
    from app.indicators.dictionary import DEFAULT_PATH

    assert load_dictionary_text(DEFAULT_PATH.read_text(encoding="utf-8")) == DICTIONARY


BROKEN_ENTRIES = [
    pytest.param([_rate(value_kind="ratio")], "CT01", "value_kind", id="unknown-value-kind"),
    pytest.param([_rate(organ_kind="army")], "CT01", "organ_kind", id="unknown-organ-kind"),
    pytest.param([_rate(direction="sideways")], "CT01", "direction", id="unknown-direction"),
    pytest.param([_rate(period="week")], "CT01", "period", id="unknown-period"),
    pytest.param([_rate(source="rumour")], "CT01", "source", id="unknown-source"),
    pytest.param([_rate(green=85.0, red=95.0)], "CT01", "red", id="up-red-above-green"),
    pytest.param([_rate(green=90.0, red=90.0)], "CT01", "red", id="up-no-yellow-band"),
    pytest.param(
        [_rate(direction="down", green=90.0, red=60.0)], "CT01", "red", id="down-red-below-green"
    ),
    pytest.param([_rate(green=None)], "CT01", "green", id="missing-green"),
    pytest.param([_rate(red=None)], "CT01", "red", id="missing-red"),
    pytest.param([_count(green=5.0)], "PR01", "green", id="peer-rated-with-threshold"),
    pytest.param([_rate(direction="neutral")], "CT01", "direction", id="neutral-with-bands"),
    pytest.param([_rate(), _rate()], "CT01", "code", id="duplicate-code"),
    pytest.param([_rate(rollup="sum")], "CT01", "rollup", id="rate-rolled-up-by-sum"),
    pytest.param([_count(rollup="ratio_of_sums")], "PR01", "rollup", id="count-rolled-up-ratio"),
    pytest.param([_rate(green=1200.0)], "CT01", "green", id="green-above-max"),
    pytest.param([_rate(red=-1.0)], "CT01", "red", id="red-below-min"),
    pytest.param([_rate(min=100.0, max=100.0)], "CT01", "max", id="empty-range"),
    pytest.param([_rate(unit="天")], "CT01", "unit", id="unit-wrong-for-kind"),
    pytest.param([_rate(scale=1)], "CT01", "scale", id="scale-wrong-for-unit"),
    pytest.param([_rate(gren=95.0)], "CT01", "gren", id="unknown-key"),
    pytest.param([_rate(unit=None)], "CT01", "unit", id="missing-key"),
    pytest.param([_rate(scale="100")], "CT01", "scale", id="scale-not-int"),
    pytest.param([_rate(green=True)], "CT01", "green", id="bool-as-number"),
    pytest.param([_rate(peer_rated="no")], "CT01", "peer_rated", id="peer-rated-not-bool"),
    pytest.param([_rate(name_zh=" ")], "CT01", "name_zh", id="empty-name"),
    pytest.param([_rate(denominator_zh="")], "CT01", "denominator_zh", id="rate-no-denominator"),
    pytest.param([_count(numerator_zh="件数")], "PR01", "numerator_zh", id="count-numerator"),
    pytest.param([_rate(levels=[])], "CT01", "levels", id="no-levels"),
    pytest.param([_rate(levels=["city", "village"])], "CT01", "levels", id="unknown-level"),
    pytest.param([_rate(levels=["city", "city"])], "CT01", "levels", id="duplicate-level"),
    pytest.param([_rate(code="PR20")], "PR20", "organ_kind", id="prefix-not-organ-kind"),
    pytest.param([_rate(code="C1")], "#1", "code", id="malformed-code"),
    pytest.param(
        [_rate(), _rate(code="CT02", dimension_en="speed")], "CT02", "dimension_en",
        id="one-dimension-two-english-names",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("entries", "code", "key"), BROKEN_ENTRIES)
def test_broken_entry_is_refused(tmp_path, entries, code, key):
    with pytest.raises(DictionaryError) as caught:
        _load(tmp_path, entries)
    assert (caught.value.code, caught.value.key) == (code, key)
    assert code in str(caught.value) and key in str(caught.value)


def test_index_needs_a_weight_label(tmp_path):
    index = _rate(
        code="CT17", value_kind="index", unit="分", scale=1, rollup="weighted_mean",
        numerator_zh="", numerator_en="", denominator_zh="", denominator_en="",
        green=80.0, red=60.0, max=100.0,
    )  # fmt: skip
    with pytest.raises(DictionaryError) as caught:
        _load(tmp_path, [index])
    assert caught.value.key == "denominator_zh"
    weighted = _changed(index, {"denominator_zh": "权重", "denominator_en": "weight"})
    assert _load(tmp_path, [weighted]).by_code("CT17").rollup == "weighted_mean"


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ({**HEADER, "version": 0}, "version"),
        ({**HEADER, "version": "2"}, "version"),
        ({**HEADER, "published": "2025-13-01"}, "published"),
        ({**HEADER, "note_en": 3}, "note_en"),
    ],
)
def test_broken_header_is_refused(tmp_path, header, key):
    with pytest.raises(DictionaryError) as caught:
        _load(tmp_path, [_rate()], header)
    assert caught.value.key == key


def test_file_without_indicators_is_refused(tmp_path):
    with pytest.raises(DictionaryError) as caught:
        _load(tmp_path, [])
    assert caught.value.key == "indicator"


def test_invalid_toml_is_refused():
    with pytest.raises(DictionaryError, match="TOML"):
        load_dictionary_text('version = 1\n[[indicator]\ncode = "CT01"\n')


def test_error_message_is_bilingual_and_a_value_error(tmp_path):
    with pytest.raises(ValueError) as caught:
        _load(tmp_path, [_rate(value_kind="ratio")])
    message = str(caught.value)
    assert "指标 CT01 的 value_kind" in message
    assert "indicator CT01, key value_kind" in message
