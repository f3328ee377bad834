"""The organ portrait (画像): a 0–100 score per dimension, overall, and what needs attention.

For one organ and one period. The dimensions are the dictionary's ``dimension_zh`` of the
indicators of the organ's kind (a procuratorate: 办案数量, 效率, 效果, 监督质量, 满意度), in
dictionary order.

The formula (also in ``FORMULA_ZH`` / ``FORMULA_EN`` for a page to show):

1. Each indicator gets a score from 0 to 100.

   *Banded indicators* (green and red bounds), measured in the better direction, with band
   width ``w = |green − red|``: the red bound scores 40, the green bound 80, linearly in
   between. Worse than red the score falls linearly to 0, reached one band width beyond the
   red bound or at the worst value the dictionary allows (``min`` for "higher is better",
   ``max`` for "lower is better") if that is nearer. Better than green it rises linearly to
   100, reached one band width beyond the green bound or at the best value the dictionary
   allows if that is nearer. When nothing better than the green bound is possible (PR13:
   green = 100 %), the green bound scores 100 instead of 80 (red → 40, green → 100 linearly
   in between), so that the best possible value always scores 100. Scores are clamped to
   [0, 100].

   *Peer-rated indicators* (no bounds): the modified z-score ``z = 0.6745·(x − median) / MAD``
   against the same indicator of the sibling organs (the organ itself included, as in the
   rating rule; at least 5 values and MAD > 0, otherwise no score). Signed so that positive
   is the worse side (below the median for "higher is better", above it for "lower is
   better", either side for neutral), the score is ``80 − 10·z`` clamped to [0, 100]: the
   median scores 80, the peer rule's yellow threshold (z = 3.5) 45, its red threshold (5) 30.

   A missing value has no score.
2. A dimension's score is the mean of its indicators' scores (those with a score); no
   indicator with a score, no dimension score.
3. The overall score is the mean of the dimension scores, each dimension counting once
   however many indicators it has.
4. The weakest dimensions are those below 60, worst first; if none is below 60, the lowest
   two. Indicators below 60 need attention, and so do the topics (执行难…) they belong to.

Stability: the score is continuous and piecewise linear in the value, so moving a value by
0.5 % of its band width moves its score by at most 0.3 points between the bounds and (for
the shipped dictionary) a few tenths elsewhere; the tests check that ±0.5 % never moves a
dimension score by 2 points.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from statistics import fmean
from typing import Any

from app.analysis.topics import DEFAULT_TOPICS, Topic
from app.indicators.dictionary import ORGAN_FAMILIES, IndicatorSpec, load_dictionary
from app.ratings.rules import MIN_PEERS, Z_FACTOR, peer_stats

RED_SCORE = 40.0
GREEN_SCORE = 80.0
PEER_MEDIAN_SCORE = 80.0
POINTS_PER_Z = 10.0
WEAK_BELOW = 60.0
WEAKEST_AT_LEAST = 2

FORMULA_ZH = "\n".join(
    (
        "画像评分方法（0–100分）：",
        "1. 单项指标得分。设有绿、红界限的指标：按“越好”的方向计算，"
        "红色界限记40分，绿色界限记80分，其间按线性插值；"
        "比红色界限更差时线性降至0分（在超出红色界限一个区间宽度处，或字典允许的最差值处，取较近者）；"
        "比绿色界限更好时线性升至100分（在超出绿色界限一个区间宽度处，或字典允许的最好值处，取较近者；"
        "若绿色界限已是最好可能值，如信访7日内程序回复率100%，则绿色界限记100分，"
        "红色界限至绿色界限间由40分线性升至100分）。区间宽度 = |绿色界限 − 红色界限|。",
        "同级比较的指标：以同级机关（含本机关，至少5个）的中位数和中位数绝对偏差（MAD）"
        "计算稳健Z值 z = 0.6745 ×（本值 − 中位数）÷ MAD，以较差一侧为正，"
        "得分 = 80 − 10 × z：等于中位数记80分，达到提醒界限（z = 3.5）记45分，"
        "达到预警界限（z = 5）记30分。",
        "所有得分限定在0至100分之间；未报送的指标不计分。",
        "2. 维度得分 = 该维度各有得分指标的平均分。",
        "3. 总体得分 = 各维度得分的平均分（每个维度权重相同）。",
        "4. 薄弱维度：低于60分的维度；若均不低于60分，则取得分最低的两个。"
        "低于60分的指标及其所属议题列为需关注事项。",
    )
)

FORMULA_EN = "\n".join(
    (
        "How the portrait is scored (0–100):",
        "1. Each indicator. Indicators with green and red bounds, measured in the better "
        "direction: the red bound scores 40 and the green bound 80, linearly in between. "
        "Worse than red, the score falls linearly to 0, reached one band width beyond the "
        "red bound or at the worst value the dictionary allows, whichever is nearer; "
        "better than green it rises linearly to 100, reached one band width beyond the "
        "green bound or at the best value the dictionary allows, whichever is nearer "
        "(when the green bound is already the best possible value, e.g. petitions "
        "answered within 7 days = 100 %, the green bound scores 100 and the band between "
        "red and green runs from 40 to 100). Band width = |green − red|.",
        "Peer-rated indicators: the robust z-score against the sibling organs (this one "
        "included, at least 5), z = 0.6745 × (value − median) ÷ MAD, positive on the "
        "worse side; score = 80 − 10 × z: the median scores 80, the reminder threshold "
        "(z = 3.5) 45, the warning threshold (z = 5) 30.",
        "Every score is clamped to 0–100; an indicator not submitted has no score.",
        "2. A dimension's score is the mean of its indicators' scores.",
        "3. The overall score is the mean of the dimension scores (each dimension weighs "
        "the same).",
        "4. Weakest dimensions: those below 60; if none is, the lowest two. Indicators "
        "below 60, and the topics they belong to, need attention.",
    )
)


@dataclass(frozen=True)
class IndicatorScore:
    code: str
    name_zh: str
    name_en: str
    value: float | None
    score: float | None
    basis: str | None  # "bands" | "peers" | None when there is no score


@dataclass(frozen=True)
class DimensionScore:
    name_zh: str
    name_en: str
    score: float | None
    indicators: tuple[IndicatorScore, ...]


@dataclass(frozen=True)
class AttentionTopic:
    code: str
    name_zh: str
    name_en: str
    indicators: tuple[str, ...]  # its indicators that scored below WEAK_BELOW


@dataclass(frozen=True)
class Portrait:
    organ_kind: str
    dimensions: tuple[DimensionScore, ...]
    overall: float | None
    weakest: tuple[str, ...]  # dimension_zh, worst first
    attention: tuple[IndicatorScore, ...]  # worst first
    topics: tuple[AttentionTopic, ...]

    def dimension(self, name_zh: str) -> DimensionScore:
        """The dimension called ``name_zh``; KeyError when the organ has none."""
        for dimension in self.dimensions:
            if dimension.name_zh == name_zh:
                return dimension
        raise KeyError(name_zh)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (for a radar chart: the dimensions' names and scores)."""
        return {
            "organ_kind": self.organ_kind,
            "overall": self.overall,
            "dimensions": [
                {
                    "name_zh": d.name_zh,
                    "name_en": d.name_en,
                    "score": d.score,
                    "indicators": [vars(i) for i in d.indicators],
                }
                for d in self.dimensions
            ],
            "weakest": list(self.weakest),
            "attention": [vars(i) for i in self.attention],
            "topics": [{**vars(t), "indicators": list(t.indicators)} for t in self.topics],
        }


# --- one indicator ----------------------------------------------------------------------------


def _clamp(score: float) -> float:
    return max(0.0, min(100.0, score))


def band_score(spec: IndicatorSpec, value: float | None) -> float | None:
    """The score of a banded indicator's value (module docstring, 1); None if not banded."""
    if value is None or value != value or spec.peer_rated or spec.green is None:
        return None
    assert spec.red is not None
    # Mirror "lower is better" so that larger is always better below.
    sign = 1.0 if spec.direction == "up" else -1.0
    u, green, red = sign * value, sign * spec.green, sign * spec.red
    worst, best = sorted((sign * spec.min, sign * spec.max))
    width = green - red
    top = min(best, green + width)
    # Nothing better than green possible: the band itself climbs to 100, so that the best
    # possible value scores 100 and the score stays continuous.
    at_green = GREEN_SCORE if top > green else 100.0
    if u >= green:
        if top <= green:
            return 100.0
        return _clamp(GREEN_SCORE + (100 - GREEN_SCORE) * (u - green) / (top - green))
    if u >= red:
        return RED_SCORE + (at_green - RED_SCORE) * (u - red) / width
    bottom = max(worst, red - width)
    if bottom >= red:
        return 0.0
    return _clamp(RED_SCORE * (u - bottom) / (red - bottom))


def peer_z(
    spec: IndicatorSpec, value: float | None, peer_values: Sequence[float | None]
) -> float | None:
    """The modified z-score of ``value`` among ``peer_values`` (which include it), signed so
    that positive is the worse side; None with too few peers or a MAD of 0."""
    if value is None or value != value:
        return None
    centre, spread, n = peer_stats(peer_values)
    if n < MIN_PEERS or not spread or centre is None:
        return None
    z = Z_FACTOR * (value - centre) / spread
    if spec.direction == "up":
        return -z
    return z if spec.direction == "down" else abs(z)


def peer_score(
    spec: IndicatorSpec, value: float | None, peer_values: Sequence[float | None]
) -> float | None:
    """``80 − 10·z`` on the worse-side z-score, clamped (module docstring, 1)."""
    z = peer_z(spec, value, peer_values)
    return None if z is None else _clamp(PEER_MEDIAN_SCORE - POINTS_PER_Z * z)


def score_indicator(
    spec: IndicatorSpec, value: float | None, peer_values: Sequence[float | None] = ()
) -> IndicatorScore:
    """One indicator's score: by its bands, or by its peers if it is peer-rated."""
    if spec.peer_rated:
        score, basis = peer_score(spec, value, peer_values), "peers"
    else:
        score, basis = band_score(spec, value), "bands"
    return IndicatorScore(
        spec.code, spec.name_zh, spec.name_en, value, score, basis if score is not None else None
    )


# --- the portrait -----------------------------------------------------------------------------


def specs_for(
    organ_kind: str, specs: Iterable[IndicatorSpec], level: str | None = None
) -> list[IndicatorSpec]:
    """The indicators an organ of ``organ_kind`` (court, tribunal…) reports, at ``level`` if
    given, in dictionary order."""
    family = ORGAN_FAMILIES.get(organ_kind)
    if family is None:
        raise ValueError(f"unknown organ kind {organ_kind!r}")
    return [
        s
        for s in specs
        if s.organ_kind == family and (level is None or s.applies_to(level, organ_kind))
    ]


def draw_portrait(
    organ_kind: str,
    values: Mapping[str, float | None],
    peer_values: Mapping[str, Sequence[float | None]] | None = None,
    *,
    specs: Iterable[IndicatorSpec] | None = None,
    level: str | None = None,
    topics: Iterable[Topic] = DEFAULT_TOPICS,
) -> Portrait:
    """The portrait of one organ in one period.

    ``values``: {indicator code: value}; ``peer_values``: {code: the sibling organs' values
    in the same period, this organ's included}, needed only for peer-rated indicators;
    ``specs``: the dictionary (default: the shipped one); ``level`` narrows the indicators
    to those the organ's level reports (a township tribunal reports a subset).
    """
    peer_values = peer_values or {}
    mine = specs_for(organ_kind, specs if specs is not None else load_dictionary(), level)
    grouped: dict[str, list[IndicatorSpec]] = {}
    for spec in mine:
        grouped.setdefault(spec.dimension_zh, []).append(spec)
    dimensions = tuple(_dimension(group, values, peer_values) for group in grouped.values())
    scored = [d.score for d in dimensions if d.score is not None]
    attention = _attention(dimensions)
    return Portrait(
        organ_kind,
        dimensions,
        fmean(scored) if scored else None,
        weakest_dimensions(dimensions),
        attention,
        _topics(topics, attention),
    )


def _dimension(
    group: list[IndicatorSpec],
    values: Mapping[str, float | None],
    peer_values: Mapping[str, Sequence[float | None]],
) -> DimensionScore:
    items = tuple(
        score_indicator(spec, values.get(spec.code), peer_values.get(spec.code, ()))
        for spec in group
    )
    scored = [i.score for i in items if i.score is not None]
    return DimensionScore(
        group[0].dimension_zh, group[0].dimension_en, fmean(scored) if scored else None, items
    )


def weakest_dimensions(dimensions: Sequence[DimensionScore]) -> tuple[str, ...]:
    """Dimensions below 60, worst first; if there are none, the lowest two (ties: in order)."""
    scored = sorted((d for d in dimensions if d.score is not None), key=lambda d: d.score)
    weak = [d for d in scored if d.score < WEAK_BELOW]  # type: ignore[operator]
    return tuple(d.name_zh for d in (weak or scored[:WEAKEST_AT_LEAST]))


def _attention(dimensions: Sequence[DimensionScore]) -> tuple[IndicatorScore, ...]:
    low = [
        i for d in dimensions for i in d.indicators if i.score is not None and i.score < WEAK_BELOW
    ]
    return tuple(sorted(low, key=lambda i: i.score))  # type: ignore[arg-type, return-value]


def _topics(
    topics: Iterable[Topic], attention: Sequence[IndicatorScore]
) -> tuple[AttentionTopic, ...]:
    """The topics with an indicator needing attention, the one with the worst indicator first."""
    low = [i.code for i in attention]  # worst first
    out = []
    for topic in topics:
        hit = tuple(code for code in low if code in topic.indicators)
        if hit:
            out.append(AttentionTopic(topic.code, topic.name_zh, topic.name_en, hit))
    return tuple(sorted(out, key=lambda t: low.index(t.indicators[0])))
