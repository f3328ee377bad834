"""Deterministic demo values for every organ, indicator and period.

Each value is a pure function of (seed, tenant code, organ kind, indicator code,
period): every random draw is taken from a hash of those parts, never from a shared
random stream, so generating two years or five, today or next month, gives the same
figure for the same cell.

How a value is made. Each (organ, indicator) has a *position* ``t`` on the indicator's
colour scale: ``t = 0`` is the green bound, ``t = 1`` the red bound, so ``t <= 0`` is
green, ``0 < t <= 1`` yellow and ``t > 1`` red (for the usual "red below / above"
bands). A position is the organ's base (mostly green, with spread) plus a slow wander,
the month's season and a little noise; the planted stories (``PLANTED``) then bend it.
The position is mapped onto the indicator's value, and the value is realised as a
numerator and a denominator of a size fitting the tenant's level, so that roll-ups
(Σnumerator / Σdenominator) behave as with real data.

Indicators without bands (peer-rated) take a typical magnitude instead, scaled by the
organ's size and quality.
"""

from __future__ import annotations

import hashlib
import math
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from app.demo.tree import OrganSeed, TenantSeed


@dataclass(frozen=True, slots=True)
class ValueSeed:
    """One submitted figure, shaped as the dictionary's ``compute_value`` reads it:

    - rate: numerator / denominator × scale, numerator ≤ denominator, both whole;
    - average: numerator (a total, e.g. days) / denominator (a count, e.g. cases);
    - change: (numerator / denominator − 1) × scale, this year's count against last year's;
    - count: numerator = value, a whole number, no denominator;
    - index: numerator = value (0–100, one decimal), denominator = its weight (sample size).

    ``value`` is always computed from the parts, so they never disagree."""

    numerator: float | None
    denominator: float | None
    value: float


@dataclass(frozen=True, slots=True)
class Story:
    """A planted pattern: from ``since`` on, ``organ_kind`` of ``tenant_code`` sits in
    ``colour`` on ``indicator``, at position ``depth``; over the ``ramp_months`` before
    ``since`` it drifts there from where it was."""

    tenant_code: str
    organ_kind: str
    indicator: str
    colour: str
    since: str
    depth: float
    ramp_months: int
    note: str


PLANTED: tuple[Story, ...] = (
    # a) One problem shared by several districts, for common-problem detection and joint
    #    supervision (上下联动): execution amounts realised fall from 2025-07 on.
    Story("330109", "court", "CT11", "red", "2025-07", 1.8, 3, "萧山区法院执行到位率走低"),
    Story("330110", "court", "CT11", "red", "2025-07", 1.6, 3, "余杭区法院执行到位率走低"),
    Story("330113", "court", "CT11", "red", "2025-07", 1.5, 3, "临平区法院执行到位率走低"),
    Story("330111", "court", "CT11", "red", "2025-07", 1.4, 3, "富阳区法院执行到位率走低"),
    Story("330114", "court", "CT11", "yellow", "2025-07", 0.55, 3, "钱塘区法院执行到位率偏低"),
    # b) Single organs drifting.
    Story("330127", "court", "CT03", "red", "2026-01", 1.5, 5, "淳安县法院平均审理天数上升"),
    Story("330106", "public_security", "PS04", "yellow", "2026-03", 0.55, 3, "西湖区110到场变慢"),
    Story("330105", "procuratorate", "PR06", "red", "2025-10", 1.5, 4, "拱墅区检察院诉前羁押率高"),
    # c) The city's own court stays green on CT11 while several of its districts are red,
    #    so the parent's own organ differs from the roll-up of its children.
    Story("330100", "court", "CT11", "green", "2000-01", -0.7, 0, "杭州中院执行到位率正常"),
)

_STORIES = {(s.tenant_code, s.organ_kind, s.indicator): s for s in PLANTED}

# While a story holds, the position is kept inside its colour with a margin, so noise and
# season never flip it.
_STORY_BANDS = {"green": (-math.inf, -0.2), "yellow": (0.2, 0.8), "red": (1.2, math.inf)}

# Township organs report the indicator of their district counterpart.
UPPER_KIND = {
    "tribunal": "court",
    "police_station": "public_security",
    "justice_office": "justice_bureau",
}
PREFIX_KIND = {
    "CT": "court",
    "PR": "procuratorate",
    "PS": "public_security",
    "JB": "justice_bureau",
}

# Used only when the spec does not say which levels it applies to (DOMAIN.md's example).
TOWNSHIP_CODES = frozenset(
    {"CT01", "CT02", "CT03", "CT09", "CT10", "PS04", "PS07", "JB01", "JB02", "JB03"}
)

# Denominator (or count, or sample size) of a district organ in a month.
BASE_SIZE = {
    "CT01": 2000, "CT02": 1900, "CT03": 1900, "CT04": 3000, "CT05": 60, "CT06": 1200,
    "CT07": 1500, "CT08": 150, "CT09": 900, "CT10": 1200, "CT11": 20000, "CT12": 600,
    "CT13": 800, "CT14": 1200, "CT15": 1500, "CT16": 1900, "CT17": 100, "CT18": 400,
    "PR04": 120, "PR05": 120, "PR06": 150, "PR07": 20, "PR08": 60, "PR09": 120,
    "PR10": 8, "PR12": 40, "PR13": 30, "PR14": 400,
    "PS01": 400, "PS02": 3, "PS03": 150, "PS04": 3000, "PS05": 150, "PS06": 100,
    "PS07": 1500, "PS08": 20, "PS09": 500, "PS10": 600,
    "JB01": 600, "JB02": 800, "JB03": 40, "JB05": 2000, "JB06": 30, "JB07": 20,
    "JB08": 20, "JB09": 300, "JB10": 500,
}  # fmt: skip
DEFAULT_SIZE = 200
LEVEL_SIZE = {"township": 0.08, "district": 1.0, "city": 3.0, "province": 10.0}

# Typical value of a peer-rated indicator for a district organ in a month.
PEER_TYPICAL = {"CT05": 25, "PR01": 120, "PR02": 5, "PR03": 8, "PR11": 4, "JB04": 70}
# Per-person figures (closures per judge) do not grow with the size of the tenant, and
# their denominator (judges) not with the season.
INTENSIVE = frozenset({"CT05"})

# Season, as a shift of position (positive = worse): the Spring Festival dip in January
# and February, a half-year push in June, the National Day week in October, and the
# year-end closing push (年底结案冲刺) in December.
SEASON_SHIFT = {1: 0.15, 2: 0.25, 3: 0.05, 4: 0.0, 5: 0.0, 6: -0.1,
                7: 0.05, 8: 0.05, 9: 0.0, 10: 0.05, 11: -0.1, 12: -0.4}  # fmt: skip
# Caseloads follow the same calendar.
SEASON_VOLUME = {1: 0.95, 2: 0.7, 3: 1.05, 4: 1.0, 5: 1.0, 6: 1.05,
                 7: 1.0, 8: 0.95, 9: 1.0, 10: 0.85, 11: 1.05, 12: 1.25}  # fmt: skip
# Closure and clearance figures feel the season fully, the rest a little.
SEASONAL = frozenset({"CT01", "CT02", "CT03", "CT04", "CT11", "CT12", "PR04", "PS01", "JB06"})
MILD_SEASON = 0.3


# --- hashing ---------------------------------------------------------------------------


_WORDS = struct.Struct(">4Q")
_UNIT = 2.0**-53


def _uniforms(*parts: object) -> tuple[float, float, float, float]:
    """Four uniforms in (0, 1) drawn from a hash of ``parts``: the same parts, the same
    draws, whatever else was generated before."""
    digest = hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=32).digest()
    a, b, c, d = _WORDS.unpack(digest)
    # The top 53 bits of each word, centred in their interval: never exactly 0 or 1.
    return (
        ((a >> 11) + 0.5) * _UNIT,
        ((b >> 11) + 0.5) * _UNIT,
        ((c >> 11) + 0.5) * _UNIT,
        ((d >> 11) + 0.5) * _UNIT,
    )


def _gauss(*parts: object) -> float:
    """A standard normal draw (Box–Muller) fixed by ``parts``."""
    u1, u2, _, _ = _uniforms(*parts)
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


# --- periods ---------------------------------------------------------------------------


def _ordinal(period: str) -> int:
    """Months since year 0; a year counts as its December, when it is complete."""
    if len(period) == 4:
        return int(period) * 12 + 11
    year, month = period.split("-")
    if len(year) != 4 or not 1 <= int(month) <= 12:
        raise ValueError(f"bad period {period!r}; expected 'YYYY-MM' or 'YYYY'")
    return int(year) * 12 + int(month) - 1


def _month_label(ordinal: int) -> str:
    return f"{ordinal // 12:04d}-{ordinal % 12 + 1:02d}"


def demo_periods(years: int, until: str) -> list[str]:
    """The ``years * 12`` months ending with ``until`` ("2026-10"), oldest first."""
    end = _ordinal(until)
    return [_month_label(o) for o in range(end - years * 12 + 1, end + 1)]


def periods_for(spec: Any, months: Iterable[str]) -> list[str]:
    """The periods a spec is reported for within ``months``: the months themselves for a
    monthly indicator, the years all of whose twelve months are present for a yearly one."""
    months = list(months)
    if spec.period == "month":
        return months
    if spec.period == "year":
        counts: dict[str, int] = {}
        for month in set(months):
            counts[month[:4]] = counts.get(month[:4], 0) + 1
        return sorted(year for year, n in counts.items() if n == 12)
    raise ValueError(f"{spec.code}: unsupported period {spec.period!r}")


def _check_period(spec: Any, period: str) -> None:
    expected = {"month": 7, "year": 4}.get(spec.period)
    if expected is None:
        raise ValueError(f"{spec.code}: unsupported period {spec.period!r}")
    if len(period) != expected:
        raise ValueError(f"{spec.code} is reported by {spec.period}, not as {period!r}")
    _ordinal(period)


# --- which organs report what ------------------------------------------------------------


def applies_to(spec: Any, tenant: TenantSeed, organ: OrganSeed) -> bool:
    """Whether this organ reports this indicator: the organ kind must match (a township's
    tribunal reports court indicators, and so on) and the tenant's level must be one the
    indicator applies to."""
    spec_kind = getattr(spec, "organ_kind", None) or PREFIX_KIND.get(spec.code[:2])
    if UPPER_KIND.get(spec_kind, spec_kind) != UPPER_KIND.get(organ.kind, organ.kind):
        return False
    levels = getattr(spec, "levels", None)
    if levels:
        aliases = {"district": {"district", "county"}}.get(tenant.level, {tenant.level})
        return bool(aliases & set(levels))
    return tenant.level != "township" or spec.code in TOWNSHIP_CODES


def _bounds(spec: Any) -> tuple[float, float]:
    """The feasible range of a value: the spec's min and max, narrowed by its kind."""
    kind_bounds = {
        "rate": (0.0, float(spec.scale or 100)),
        "index": (0.0, 100.0),
        "change": (-100.0, math.inf),
    }.get(spec.value_kind, (0.0, math.inf))
    low = _first_set(spec, "min", "min_value")
    high = _first_set(spec, "max", "max_value")
    low = kind_bounds[0] if low is None else max(low, kind_bounds[0])
    high = kind_bounds[1] if high is None else min(high, kind_bounds[1])
    return low, high


def _first_set(spec: Any, *names: str) -> float | None:
    for name in names:
        value = getattr(spec, name, None)
        if value is not None:
            return float(value)
    return None


def _banded(spec: Any) -> bool:
    return not getattr(spec, "peer_rated", False) and None not in (spec.green, spec.red)


# --- position on the colour scale ---------------------------------------------------------


# The per-organ draws are the same for every period; caching them spares most of the
# hashing when a seeder walks an organ's periods one after another.
@lru_cache(maxsize=4096)
def _organ_draws(seed: int, tenant_code: str, kind: str, code: str) -> tuple[float, float, float]:
    """This organ's base position on this indicator, and its wander's length and phase.

    The base is an organ-wide quality shared by all its indicators plus this indicator's
    own level: mostly green (mean -0.75), a few organs yellow. The wander is a slow swing
    over one and a half to three and a half years."""
    organ_quality = 0.2 * _gauss(seed, tenant_code, kind, "quality")
    base = -0.75 + 0.3 * _gauss(seed, tenant_code, kind, code, "base")
    u_length, u_phase, _, _ = _uniforms(seed, tenant_code, kind, code, "wander")
    return organ_quality + base, 18 + 24 * u_length, u_phase


def _wander(length: float, phase: float, ordinal: int) -> float:
    # A function of the month alone, so it does not depend on the window generated.
    return 0.12 * math.sin(2 * math.pi * (ordinal / length + phase))


def _season(spec: Any, period: str) -> float:
    if spec.period != "month":
        return 0.0
    weight = 1.0 if spec.code in SEASONAL else MILD_SEASON
    return weight * SEASON_SHIFT[int(period[5:7])]


def _volume(spec: Any, period: str) -> float:
    return SEASON_VOLUME[int(period[5:7])] if spec.period == "month" else 12.0


def position(spec: Any, tenant: TenantSeed, organ: OrganSeed, period: str, seed: int) -> float:
    """The cell's position on the colour scale (0 = green bound, 1 = red bound)."""
    base, length, phase = _organ_draws(seed, tenant.code, organ.kind, spec.code)
    ordinal = _ordinal(period)
    noise = 0.15 * _gauss(seed, tenant.code, organ.kind, spec.code, period, "noise")
    t = base + _wander(length, phase, ordinal) + _season(spec, period) + noise
    story = _STORIES.get((tenant.code, organ.kind, spec.code))
    return t if story is None else _told(story, t, base, ordinal)


def _told(story: Story, t: float, base: float, ordinal: int) -> float:
    """Bend a position by a planted story: drift during the ramp, then hold the colour."""
    since = _ordinal(story.since)
    if ordinal >= since:
        low, high = _STORY_BANDS[story.colour]
        return min(max(t - base + story.depth, low), high)
    start = since - story.ramp_months
    if ordinal < start:
        return t
    share = (ordinal - start + 1) / (story.ramp_months + 1)
    return t + share * (story.depth - base)


# --- from position to value ---------------------------------------------------------------


def _banded_value(spec: Any, t: float, low: float, high: float) -> float:
    """Linear between the green and red bounds and beyond them on the bad side. On the
    good side it approaches, without reaching, a best value one band-width past green
    and inside the feasible range, so that a 'lower is better' rate with green at 1 %
    does not pile up at zero and a very good organ still moves from month to month."""
    green, red = float(spec.green), float(spec.red)
    if t >= 0:
        target = green + t * (red - green)
    else:
        best = min(max(green - (red - green), low), high)
        target = green + (1.0 - math.exp(t)) * (best - green)
    return min(max(target, low), high)


def _peer_value(spec: Any, tenant: TenantSeed, t: float, period: str, seed: int) -> float:
    """A peer-rated figure: a typical magnitude, larger for a better organ (where higher
    is better) and, for counts, for a bigger tenant and a busier season; plus noise."""
    sign = {"up": 1.0, "down": -1.0}.get(spec.direction, 0.0)
    noise = 0.1 * _gauss(seed, tenant.code, spec.code, period, "peer")
    target = _typical(spec) * math.exp(-0.4 * sign * t + noise)
    if spec.value_kind == "count" and spec.code not in INTENSIVE:
        size = _tenant_size(seed, tenant.code) * LEVEL_SIZE[tenant.level]
        target *= size * _volume(spec, period)
    return target


def _typical(spec: Any) -> float:
    if spec.code in PEER_TYPICAL:
        return PEER_TYPICAL[spec.code]
    scale = float(spec.scale or 100)
    typical = {"rate": 0.5 * scale, "index": 75.0, "average": 30.0, "change": 0.0}
    return typical.get(spec.value_kind, 20.0)


@lru_cache(maxsize=1024)
def _tenant_size(seed: int, tenant_code: str) -> float:
    """How busy this tenant is against others of its level (余杭 is not 淳安); shared by
    all its organs. Log-normal, median 1."""
    return math.exp(0.35 * _gauss(seed, tenant_code, "size"))


def _size(spec: Any, tenant: TenantSeed, organ: OrganSeed, period: str, seed: int) -> int:
    """A denominator fitting the tenant: its level, its own size (shared by its organs),
    the period's caseload, and a little noise."""
    noise = 1.0 + 0.08 * _gauss(seed, tenant.code, organ.kind, spec.code, period, "size")
    size = BASE_SIZE.get(spec.code, DEFAULT_SIZE) * _tenant_size(seed, tenant.code) * noise
    if _is_survey(spec):
        return max(1, round(size * math.sqrt(LEVEL_SIZE[tenant.level])))
    if spec.code not in INTENSIVE:
        size *= _volume(spec, period)
    return max(1, round(size * LEVEL_SIZE[tenant.level]))


def _is_survey(spec: Any) -> bool:
    """Third-party figures rest on a sample, which does not grow with the period."""
    return spec.value_kind == "index" or getattr(spec, "source", None) == "third_party"


def _realise(spec: Any, target: float, size: int, low: float, high: float) -> ValueSeed:
    """Turn a target value into the numbers an organ would submit."""
    kind = spec.value_kind
    if kind == "rate":
        scale = float(spec.scale or 100)
        num = _whole_between(target / scale * size, low / scale * size, high / scale * size)
        return ValueSeed(float(num), float(size), num / size * scale)
    if kind == "average":
        num = _whole_between(target * size, low * size, high * size)
        return ValueSeed(float(num), float(size), num / size)
    if kind == "change":
        scale = float(spec.scale or 100)
        num = _whole_between(size * (1 + target / scale), size * (1 + low / scale),
                             size * (1 + high / scale))  # fmt: skip
        return ValueSeed(float(num), float(size), (num / size - 1) * scale)
    # A count or an index carries its value as the numerator (the dictionary's
    # compute_value reads it there); an index's denominator is its weight.
    if kind == "index":
        value = min(max(round(target, 1), low), high)
        return ValueSeed(value, float(size), value)
    if kind == "count":
        value = float(_whole_between(target, low, high))
        return ValueSeed(value, None, value)
    raise ValueError(f"{spec.code}: unknown value kind {kind!r}")


def _whole_between(x: float, low: float, high: float) -> int:
    """The whole number nearest ``x`` that stays within [low, high] (either may be
    infinite)."""
    whole = round(x)
    if whole < low:
        whole = math.ceil(low)
    if whole > high:
        whole = math.floor(high)
    return int(whole)


def generate_value(
    spec: Any, tenant: TenantSeed, organ: OrganSeed, period: str, seed: int
) -> ValueSeed | None:
    """The demo value of one cell, or None where this organ does not report the
    indicator. ``period`` must match the spec ("2025-07" monthly, "2025" yearly)."""
    if not applies_to(spec, tenant, organ):
        return None
    _check_period(spec, period)
    low, high = _bounds(spec)
    t = position(spec, tenant, organ, period, seed)
    if _banded(spec):
        target = _banded_value(spec, t, low, high)
    else:
        target = min(max(_peer_value(spec, tenant, t, period, seed), low), high)
    return _realise(spec, target, _size(spec, tenant, organ, period, seed), low, high)
