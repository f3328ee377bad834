"""Schemas of the analyses: the trend table of an organ's indicator and the correlated
pairs of a congress's indicators (same style as ``app.api.schemas``, same ``parse``)."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from app.api.schemas import _indicator
from app.datamart.analysis import CAVEAT_EN, CAVEAT_ZH

MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"


def _month(**kwargs) -> fields.String:
    return fields.String(
        validate=validate.Regexp(MONTH, error="月份格式应为 2025-07 / a month is written 2025-07"),
        **kwargs,
    )


class AnalysisTrendQuerySchema(Schema):
    """``organ_id``: default an organ user's own organ, else the congress's first organ
    reporting monthly figures; ``indicator``: default the organ's first monthly one."""

    class Meta:
        unknown = EXCLUDE

    organ_id = fields.Integer(validate=validate.Range(min=1))
    indicator = _indicator()
    months = fields.Integer(load_default=24, validate=validate.Range(min=1, max=120))
    window = fields.Integer(load_default=3, validate=validate.Range(min=2, max=12))


class CorrelationQuerySchema(Schema):
    """Months ``period_from``…``period_to``; default the last 24 months with values."""

    class Meta:
        unknown = EXCLUDE

    period_from = _month()
    period_to = _month()

    @validates_schema
    def _in_order(self, data, **_kwargs):
        first, last = data.get("period_from"), data.get("period_to")
        if first and last and first > last:
            raise ValidationError(
                "起始月份不能晚于截止月份 / period_from must not be after period_to",
                "period_from",
            )


class IndicatorRefSchema(Schema):
    code = fields.String()
    name_zh = fields.String()
    name_en = fields.String()
    unit = fields.String()
    direction = fields.String()


class ChangeSchema(Schema):
    base = fields.Float()
    absolute = fields.Float()
    relative = fields.Float(allow_none=True)


class SeasonalSchema(Schema):
    baseline = fields.Float()
    anomaly = fields.Float()
    years = fields.Integer()
    effect = fields.Float(allow_none=True)
    adjusted = fields.Float(allow_none=True)


class TrendPointSchema(Schema):
    period = fields.String()
    value = fields.Float(allow_none=True)
    month_on_month = fields.Nested(ChangeSchema, allow_none=True)
    year_on_year = fields.Nested(ChangeSchema, allow_none=True)
    moving_average = fields.Float(allow_none=True)
    seasonal = fields.Nested(SeasonalSchema, allow_none=True)


class OrganRefSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    name_zh = fields.String()
    name_en = fields.String()


class OrganTrendSchema(Schema):
    organ = fields.Nested(OrganRefSchema)
    indicator = fields.Nested(IndicatorRefSchema, attribute="spec", allow_none=True)
    indicators = fields.List(fields.Nested(IndicatorRefSchema), attribute="choices")
    window = fields.Integer()
    points = fields.List(fields.Nested(TrendPointSchema))


class CoefficientSchema(Schema):
    r = fields.Float(attribute="coefficient")
    p = fields.Float(attribute="p_value")


class IndicatorPairSchema(Schema):
    x = fields.Nested(IndicatorRefSchema)
    y = fields.Nested(IndicatorRefSchema)
    n = fields.Integer()
    pearson = fields.Nested(CoefficientSchema)
    spearman = fields.Nested(CoefficientSchema)
    q = fields.Float(attribute="q_value")
    direction = fields.Function(lambda p: "together" if p.together else "opposite")
    direction_zh = fields.String()
    direction_en = fields.String()
    strength_zh = fields.Function(lambda p: p.strength[0])
    strength_en = fields.Function(lambda p: p.strength[1])
    description_zh = fields.Function(lambda p: p.sentence[0])
    description_en = fields.Function(lambda p: p.sentence[1])


class CorrelationScanSchema(Schema):
    period_from = fields.String(allow_none=True)
    period_to = fields.String(allow_none=True)
    min_n = fields.Integer()
    significance = fields.Float()
    organs = fields.Integer()
    tested = fields.Integer()
    insufficient = fields.Integer()
    pairs = fields.List(fields.Nested(IndicatorPairSchema))
    method_zh = fields.String()
    method_en = fields.String()
    caveat_zh = fields.Function(lambda _scan: CAVEAT_ZH)
    caveat_en = fields.Function(lambda _scan: CAVEAT_EN)
