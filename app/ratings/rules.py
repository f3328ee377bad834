"""The rating rules, in plain Python (no Flask, no SQLAlchemy, no numpy).

Every rule looks at one submitted value and returns a :class:`Finding` — the rule's name,
its colour, the inputs it used and a Chinese and English reason — or ``None`` when it does
not apply (a peer-rated indicator has no bands, too few peers, a gap in the history…).
:func:`rate` runs the rules that apply and lets the worst colour win; the resulting
:class:`Rating` keeps every finding, so a deputy sees each rule's verdict and not only the
one that fired.

The rules:

``bands``
    The dictionary's green / yellow / red bounds, direction-aware; a boundary value belongs
    to the better colour (``IndicatorSpec.colour_for``). Not for peer-rated indicators.
``peers``
    The robust peer rule: the modified z-score ``0.6745·|x − median| / MAD`` (Iglewicz and
    Hoaglin) against the same indicator of the sibling organs (same level, same parent, same
    period). **The peer values include the organ's own value**, as is standard for the
    modified z-score (which is defined over one sample): every member of a group is measured
    against the same median and MAD, so they are computed once per group (:func:`peer_stats`)
    and the siblings' ratings are mutually consistent. Median and MAD are robust, so one
    outlier barely moves them; leaving it out would make it only slightly more extreme.
    Yellow at z ≥ 3.5, red at z ≥ 5 (the boundary belongs to the worse colour here; a
    floating-point error of up to 1e-9 is forgiven so that a value at the boundary is rated
    as being at it). Only the worse side is flagged: below the median for "up", above it for
    "down", both sides for "neutral". Skipped with fewer than 5 values or a MAD of 0.
``trend``
    Worse than the period before for 3 periods in a row → yellow (never red on its own).
    Not for neutral indicators; a flat period breaks the run.

In :func:`rate`, banded indicators get bands + peers + trend; peer-rated indicators get the
peer rule only. A missing value (None or NaN) is grey, a missing submission.

Speed: the engine rates ~300,000 values grouped by (indicator, period, parent). Compute
``peer_stats`` once per group and pass it to :func:`rate` as ``stats=``; rating then costs a
few microseconds per value (see the timing test).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from app.indicators.dictionary import IndicatorSpec

Z_FACTOR = 0.6745  # 0.6745 = Φ⁻¹(0.75): makes the MAD comparable to a standard deviation
YELLOW_Z = 3.5
RED_Z = 5.0
MIN_PEERS = 5
TREND_PERIODS = 3
_EPS = 1e-9

RANK = {"green": 0, "yellow": 1, "red": 2}
_BY_RANK = ("green", "yellow", "red")

PeerStats = tuple[float | None, float | None, int]  # (median, MAD, n)


# Findings and Ratings are treated as immutable, but not frozen: a frozen dataclass costs
# ~0.35 µs more per object, i.e. ~0.4 s over 300,000 ratings of four objects each.


@dataclass(slots=True)
class Finding:
    """One rule's verdict on one value. ``inputs`` holds only JSON types."""

    rule: str  # "bands" | "peers" | "trend" | "missing"
    colour: str  # "green" | "yellow" | "red" | "grey"
    inputs: dict[str, Any]
    reason_zh: str
    reason_en: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "colour": self.colour,
            "inputs": self.inputs,
            "reason_zh": self.reason_zh,
            "reason_en": self.reason_en,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Finding:
        return cls(
            data["rule"], data["colour"], dict(data["inputs"]), data["reason_zh"], data["reason_en"]
        )


@dataclass(slots=True)
class Rating:
    """The colour of one value and why.

    ``findings``: every rule that was evaluated; ``fired``: those whose colour is the final
    colour (empty when green); the reasons join the fired findings' reasons.
    """

    colour: str  # "green" | "yellow" | "red" | "grey"
    findings: tuple[Finding, ...]
    fired: tuple[Finding, ...]
    reason_zh: str
    reason_en: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "colour": self.colour,
            "findings": [f.as_dict() for f in self.findings],
            "fired": [f.as_dict() for f in self.fired],
            "reason_zh": self.reason_zh,
            "reason_en": self.reason_en,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Rating:
        return cls(
            data["colour"],
            tuple(Finding.from_dict(f) for f in data["findings"]),
            tuple(Finding.from_dict(f) for f in data["fired"]),
            data["reason_zh"],
            data["reason_en"],
        )


# --- statistics -----------------------------------------------------------------------------


def _clean(values: Sequence[float | None]) -> list[float]:
    return [v for v in values if v is not None and v == v]  # drops None and NaN


def median(values: Sequence[float]) -> float:
    """The median (mean of the two middle values for an even count); ValueError if empty."""
    ordered = sorted(values)
    n = len(ordered)
    if not n:
        raise ValueError("median of no values")
    mid = n // 2
    return float(ordered[mid]) if n % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def mad(values: Sequence[float], center: float | None = None) -> float:
    """The median absolute deviation from ``center`` (default: the median); unscaled."""
    if center is None:
        center = median(values)
    return median([abs(v - center) for v in values])


def peer_stats(values: Sequence[float | None]) -> PeerStats:
    """(median, MAD, n) of a peer group, ignoring None and NaN; (None, None, 0) if empty.

    Call once per (indicator, period, parent) group — the values of all siblings, the
    organ itself included — and pass the result to :func:`rate` / :func:`peers_from_stats`.
    """
    clean = _clean(values)
    if not clean:
        return None, None, 0
    centre = median(clean)
    return centre, mad(clean, centre), len(clean)


# --- formatting -----------------------------------------------------------------------------

_UNIT_EN = {
    "天": " days",
    "分钟": " min",
    "件/人": " cases/person",
    "件": " cases",
    "分": " points",
}
_PERIOD_WORDS = {
    "month": ("个月", "months"),
    "quarter": ("个季度", "quarters"),
    "year": ("年", "years"),
}


def _num(x: float) -> str:
    """At most two decimals, trailing zeros dropped: 85.0 → "85", 83.20 → "83.2"."""
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


@lru_cache(maxsize=64)
def _suffixes(unit: str) -> tuple[str, str]:
    """How a number carries its unit, in Chinese and English: "83.2%", "65 天", "65 days"."""
    return (unit if unit in ("%", "‰") else f" {unit}"), _UNIT_EN.get(unit, unit)


def _series(values: Sequence[float]) -> str:
    """Values with a common number of decimals (at most 2): "97.1 → 96.0 → 94.8"."""
    texts = [f"{v:.2f}" for v in values]
    if all(t.endswith("00") for t in texts):
        texts = [t[:-3] for t in texts]
    elif all(t.endswith("0") for t in texts):
        texts = [t[:-1] for t in texts]
    return " → ".join(texts)


# --- rule 1: bands --------------------------------------------------------------------------


@lru_cache(maxsize=1024)
def _band_texts(
    name_zh: str, name_en: str, unit: str, up: bool, green: float, red: float
) -> tuple[tuple[str, str], dict[str, tuple[str, str]], tuple[str, str]]:
    """Everything in the band reasons but the value: built once per indicator, not per value.

    Returns the heads "<name> " (zh, en), per colour the text after "<name> <value><unit>",
    and the unit suffixes (zh, en)."""
    sz, se = _suffixes(unit)
    g_zh, g_en = f"{_num(green)}{sz}", f"{_num(green)}{se}"
    r_zh, r_en = f"{_num(red)}{sz}", f"{_num(red)}{se}"
    sign = "≥" if up else "≤"
    lower_zh, lower_en = ("低于", "below") if up else ("高于", "above")
    tails = {
        "green": (f"，在正常范围内（{sign} {g_zh}）", f", within the normal range ({sign} {g_en})"),
        "yellow": (
            f"，{lower_zh}绿色界限 {g_zh}，未{'低于' if up else '超过'}红色界限 {r_zh}",
            f", {lower_en} the green bound {g_en} but not {lower_en} the red bound {r_en}",
        ),
        "red": (f"，{lower_zh}红色界限 {r_zh}", f", {lower_en} the red bound {r_en}"),
    }
    return (f"{name_zh} ", f"{name_en} "), tails, (sz, se)


def bands(spec: IndicatorSpec, value: float | None) -> Finding | None:
    """The dictionary's bounds; None for peer-rated indicators or a missing value.

    The colour is exactly ``spec.colour_for(value)`` (boundary → the better colour), worked
    out inline because building the Band objects per value would dominate the cost.
    """
    green, red = spec.green, spec.red
    if value is None or value != value or spec.peer_rated or green is None or red is None:
        return None
    up = spec.direction == "up"
    if up:
        colour = "green" if value >= green else ("red" if value < red else "yellow")
    else:
        colour = "green" if value <= green else ("red" if value > red else "yellow")
    unit = spec.unit
    (head_zh, head_en), tails, (sz, se) = _band_texts(
        spec.name_zh, spec.name_en, unit, up, green, red
    )
    tail_zh, tail_en = tails[colour]
    v = _num(value)
    inputs = {"value": value, "green": green, "red": red, "direction": spec.direction, "unit": unit}
    return Finding(
        "bands", colour, inputs, f"{head_zh}{v}{sz}{tail_zh}", f"{head_en}{v}{se}{tail_en}"
    )


# --- rule 2: peers --------------------------------------------------------------------------


def peers(
    spec: IndicatorSpec,
    value: float | None,
    peer_values: Sequence[float | None],
    *,
    yellow_z: float = YELLOW_Z,
    red_z: float = RED_Z,
    min_peers: int = MIN_PEERS,
) -> Finding | None:
    """The robust peer rule; ``peer_values`` are the siblings' values INCLUDING this one."""
    centre, spread, n = peer_stats(peer_values)
    return peers_from_stats(
        spec, value, centre, spread, n, yellow_z=yellow_z, red_z=red_z, min_peers=min_peers
    )


def peers_from_stats(
    spec: IndicatorSpec,
    value: float | None,
    median: float | None,
    mad: float | None,
    n: int,
    *,
    yellow_z: float = YELLOW_Z,
    red_z: float = RED_Z,
    min_peers: int = MIN_PEERS,
) -> Finding | None:
    """The peer rule against precomputed :func:`peer_stats`.

    None when the value is missing, there are fewer than ``min_peers`` values, or the MAD
    is 0 (more than half the peers share one value: any difference would be "infinite").
    """
    if value is None or value != value or n < min_peers or not mad or median is None:
        return None
    diff = value - median
    z = Z_FACTOR * abs(diff) / mad
    side = "below" if diff < 0 else ("above" if diff > 0 else "at")
    direction = spec.direction
    flaggable = (
        (direction == "up" and side == "below")
        or (direction == "down" and side == "above")
        or (direction == "neutral" and side != "at")
    )
    if flaggable and z + _EPS >= red_z:
        colour = "red"
    elif flaggable and z + _EPS >= yellow_z:
        colour = "yellow"
    else:
        colour = "green"
    z_text, m = _num(z), _num(median)
    sz, se = _suffixes(spec.unit)
    m_zh, m_en = f"{m}{sz}", f"{m}{se}"
    if side == "at":
        zh = f"等于同级中位数（中位数 {m_zh}，n={n}）"
        en = f"at the median of its {n} peers (median {m_en})"
    else:
        side_zh = "低于" if side == "below" else "高于"
        zh = f"{side_zh}同级中位数 {z_text} 个 MAD（中位数 {m_zh}，n={n}）"
        en = f"{z_text} MADs {side} the median of its {n} peers (median {m_en})"
        if colour == "green" and flaggable:
            zh += f"，未达提醒界限 {_num(yellow_z)}"
            en += f", under the yellow threshold {_num(yellow_z)}"
        elif colour == "green":
            zh += "，属较好的一侧"
            en += ", the better side"
    inputs = {
        "value": value,
        "median": median,
        "mad": mad,
        "z": round(z, 2),
        "n": n,
        "side": side,
        "yellow_z": yellow_z,
        "red_z": red_z,
    }
    return Finding("peers", colour, inputs, zh, en)


# --- rule 3: trend --------------------------------------------------------------------------


def trend(
    spec: IndicatorSpec, history: Sequence[float | None], *, periods: int = TREND_PERIODS
) -> Finding | None:
    """Worse than the period before for ``periods`` periods in a row → yellow.

    ``history``: the organ's values for consecutive periods, oldest first, ENDING WITH THE
    CURRENT VALUE. None for neutral indicators, with fewer than ``periods + 1`` values, or
    when one of the last ``periods + 1`` is missing.
    """
    direction = spec.direction
    if direction == "neutral" or periods < 1 or len(history) < periods + 1:
        return None
    used = history[-(periods + 1) :]
    up = direction == "up"
    worse = True
    prev = used[0]
    if prev is None or prev != prev:
        return None
    for v in used[1:]:
        if v is None or v != v:
            return None
        if worse and not (v < prev if up else v > prev):
            worse = False
        prev = v
    verb_zh, verb_en = ("下降", "down") if up else ("上升", "up")
    word_zh, word_en = _PERIOD_WORDS.get(spec.period, ("期", "periods"))
    inputs = {"periods": periods, "values": list(used)}
    if not worse:
        # Most values are here: the series stays in the inputs, not spelt out in words
        # (formatting it for every green value was a tenth of a full rating's time).
        return Finding(
            "trend",
            "green",
            inputs,
            f"未连续 {periods} {word_zh}{verb_zh}",
            f"not {verb_en} {periods} {word_en} in a row",
        )
    series = _series(used)  # type: ignore[arg-type]
    zh = f"连续 {periods} {word_zh}{verb_zh}（{series}）"
    en = f"{verb_en} {periods} {word_en} in a row ({series})"
    return Finding("trend", "yellow", inputs, zh, en)


# --- combining ------------------------------------------------------------------------------


def _grey() -> Rating:
    missing = Finding("missing", "grey", {"value": None}, "未报送", "not submitted")
    return Rating("grey", (missing,), (missing,), "未报送", "not submitted")


def rate(
    spec: IndicatorSpec,
    value: float | None,
    peer_values: Sequence[float | None] = (),
    history: Sequence[float | None] = (),
    *,
    stats: PeerStats | None = None,
    yellow_z: float = YELLOW_Z,
    red_z: float = RED_Z,
    min_peers: int = MIN_PEERS,
    periods: int = TREND_PERIODS,
) -> Rating:
    """Rate one value: the worst colour of the rules that apply wins.

    ``peer_values``: the siblings' values including this one (ignored when ``stats`` — the
    group's :func:`peer_stats` — is given); ``history``: consecutive periods, oldest first,
    ending with the current value. Banded indicators: bands, peers, trend; peer-rated
    indicators: peers only. A missing value is grey ("未报送" / "not submitted").
    If no rule could be evaluated (a peer-rated value with too few peers or MAD 0), the
    rating is green and its reason says so.
    """
    if value is None or value != value:
        return _grey()
    centre, spread, n = stats if stats is not None else peer_stats(peer_values)
    found = []
    if not spec.peer_rated:
        banded = bands(spec, value)
        if banded is not None:
            found.append(banded)
    peer = peers_from_stats(
        spec, value, centre, spread, n, yellow_z=yellow_z, red_z=red_z, min_peers=min_peers
    )
    if peer is not None:
        found.append(peer)
    if not spec.peer_rated:
        trended = trend(spec, history, periods=periods)
        if trended is not None:
            found.append(trended)
    worst = 0
    for finding in found:
        rank = RANK[finding.colour]
        if rank > worst:
            worst = rank
    if worst == 0:
        if found:
            return Rating("green", tuple(found), (), "各项规则均正常", "all rules normal")
        return Rating(
            "green",
            (),
            (),
            f"无可评价的规则（同级少于 {min_peers} 个或离散度为 0），按正常处理",
            f"no rule could be evaluated (fewer than {min_peers} peers or no spread); "
            "treated as normal",
        )
    colour = _BY_RANK[worst]
    fired = [f for f in found if f.colour == colour]
    if len(fired) == 1:
        only = fired[0]
        return Rating(colour, tuple(found), (only,), only.reason_zh, only.reason_en)
    return Rating(
        colour,
        tuple(found),
        tuple(fired),
        "；".join([f.reason_zh for f in fired]),
        "; ".join([f.reason_en for f in fired]),
    )
