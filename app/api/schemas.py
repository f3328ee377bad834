"""One way to validate and serialise: a marshmallow schema per resource."""

from __future__ import annotations

from marshmallow import Schema, fields, validate, validates_schema

from app.auth.models import ROLES
from federation.models import ACTION_KINDS


class LoginSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=256))


class TokenCreateSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=80))


class TokenSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    prefix = fields.String()
    created_at = fields.DateTime()
    last_used_at = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)


class TenantRefSchema(Schema):
    code = fields.String()
    name_zh = fields.String()
    name_en = fields.String()
    level = fields.String()


class OrganSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    family = fields.String()
    name_zh = fields.String()
    name_en = fields.String()
    active = fields.Boolean()


class TenantSchema(TenantRefSchema):
    parent = fields.Nested(TenantRefSchema, allow_none=True)
    path = fields.Method("codes")
    children = fields.Method("visible_children")

    def codes(self, tenant) -> list[str]:
        return tenant.path.strip("/").split("/")

    def visible_children(self, tenant):
        return TenantRefSchema(many=True).dump(tenant.children)


class MeSchema(Schema):
    username = fields.String()
    display_name = fields.String()
    role = fields.String(validate=validate.OneOf(tuple(ROLES)))
    role_zh = fields.Method("role_label")
    tenant = fields.Nested(TenantRefSchema)
    organ = fields.Nested(OrganSchema, allow_none=True)
    email = fields.String(allow_none=True)  # /me and the login answer: the user's own only

    def role_label(self, user) -> str:
        return ROLES[user.role][0]


class BandSchema(Schema):
    colour = fields.String()
    lower = fields.Float(allow_none=True)
    upper = fields.Float(allow_none=True)
    lower_inclusive = fields.Boolean()
    upper_inclusive = fields.Boolean()


class IndicatorSchema(Schema):
    code = fields.String()
    name_zh = fields.String()
    name_en = fields.String()
    organ_kind = fields.String()
    dimension_zh = fields.String()
    dimension_en = fields.String()
    unit = fields.String()
    value_kind = fields.String()
    scale = fields.Integer()
    direction = fields.String()
    rollup = fields.String()
    levels = fields.List(fields.String())
    period = fields.String()
    source = fields.String()
    peer_rated = fields.Boolean()
    green = fields.Float(allow_none=True)
    red = fields.Float(allow_none=True)
    bands = fields.List(fields.Nested(BandSchema))
    min = fields.Float(attribute="min_value")
    max = fields.Float(attribute="max_value")
    numerator_zh = fields.String()
    numerator_en = fields.String()
    denominator_zh = fields.String()
    denominator_en = fields.String()
    description_zh = fields.String()
    description_en = fields.String()
    version = fields.Integer()


class ValueQuerySchema(Schema):
    indicator = fields.String(validate=validate.Regexp(r"^[A-Z]{2}\d{2}$"))
    organ = fields.Integer(validate=validate.Range(min=1))
    period = fields.String(validate=validate.Regexp(r"^\d{4}(-(0[1-9]|1[0-2]|Q[1-4]))?$"))
    limit = fields.Integer(load_default=1000, validate=validate.Range(min=1, max=10000))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0))


class ValueSchema(Schema):
    id = fields.Integer()
    organ_id = fields.Integer()
    indicator = fields.String(attribute="indicator_code")
    period = fields.String()
    revision = fields.Integer()
    value = fields.Float(allow_none=True)
    numerator = fields.Float(allow_none=True)
    denominator = fields.Float(allow_none=True)
    source = fields.String()
    submitted_by = fields.String()
    submitted_at = fields.DateTime()
    is_late = fields.Boolean()


def parse(schema: Schema, data) -> dict:
    """Load ``data`` with ``schema`` or raise a 422 naming every bad field."""
    from marshmallow import ValidationError

    from app.errors import ApiError

    if data is None:
        raise ApiError(
            400, "body_required", "请求体必须是 JSON 对象", "The body must be a JSON object"
        )
    try:
        return schema.load(data)
    except ValidationError as err:
        raise ApiError(
            422, "invalid", "数据校验未通过", "Validation failed", fields=err.messages
        ) from err


class ImportErrorSchema(Schema):
    row = fields.Integer()
    column = fields.String()
    code = fields.String()
    message_zh = fields.String()
    message_en = fields.String()


class ImportSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    status = fields.String()
    progress = fields.Integer()
    rows_total = fields.Integer()
    rows_ok = fields.Integer()
    errors_total = fields.Integer()
    errors = fields.List(fields.Nested(ImportErrorSchema))
    organ_id = fields.Integer(allow_none=True)
    submitted_by = fields.String()
    created_at = fields.DateTime()
    started_at = fields.DateTime(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)
    duplicate_of = fields.Integer(attribute="duplicate_of_id", allow_none=True)
    file_sha256 = fields.Function(lambda b: b.file.sha256)
    file_name = fields.Function(lambda b: b.file.original_name)


class TemplateQuerySchema(Schema):
    kind = fields.String(validate=validate.OneOf(("values", "assessment")))
    period = fields.String(validate=validate.Regexp(r"^\d{4}(-(0[1-9]|1[0-2]))?$"))
    organ = fields.Integer(validate=validate.Range(min=1))


class RatingQuerySchema(Schema):
    period = fields.String(validate=validate.Regexp(r"^\d{4}(-(0[1-9]|1[0-2]|Q[1-4]))?$"))
    organ = fields.Integer(validate=validate.Range(min=1))
    indicator = fields.String(validate=validate.Regexp(r"^[A-Z]{2}\d{2}$"))
    colour = fields.String(validate=validate.OneOf(("green", "yellow", "red", "grey")))
    limit = fields.Integer(load_default=2000, validate=validate.Range(min=1, max=20000))


class RatingSchema(Schema):
    id = fields.Integer()
    organ_id = fields.Integer()
    indicator = fields.String(attribute="indicator_code")
    period = fields.String()
    value = fields.Float(allow_none=True)
    revision = fields.Integer(allow_none=True)
    colour = fields.String()
    fired = fields.List(fields.Dict())
    findings = fields.List(fields.Dict())
    reason_zh = fields.String()
    reason_en = fields.String()
    dictionary_version = fields.Integer()
    computed_at = fields.DateTime()


class JudgementSchema(Schema):
    organ_id = fields.Integer()
    period = fields.String()
    verdict = fields.String()
    reds = fields.Integer()
    yellows = fields.Integer()
    greys = fields.Integer()
    indicators = fields.List(fields.Dict())
    computed_at = fields.DateTime()


class TicketEventSchema(Schema):
    action = fields.String()
    from_status = fields.String(allow_none=True)
    to_status = fields.String()
    actor = fields.String()
    text = fields.String()
    attachments = fields.List(fields.Raw())
    at = fields.DateTime()


class TicketSchema(Schema):
    id = fields.Integer()
    organ_id = fields.Integer()
    organ = fields.Function(lambda t: t.organ.name_zh)
    indicator = fields.String(attribute="indicator_code")
    period = fields.String()
    colour = fields.String()
    status = fields.String()
    reason_zh = fields.String()
    reason_en = fields.String()
    opened_at = fields.DateTime()
    deadline = fields.Date()
    escalated_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    events = fields.List(fields.Nested(TicketEventSchema))


class ResponseSchema(Schema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=5000))


class ReviewSchema(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(("accept", "return")))
    comment = fields.String(load_default="", validate=validate.Length(max=5000))


class NotificationSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    text_zh = fields.String()
    text_en = fields.String()
    link = fields.String()
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)


def required_file(field: str = "file"):
    """The uploaded file in multipart field ``field``, or a 400 saying how to send it."""
    from flask import request

    from app.errors import ApiError

    upload = request.files.get(field)
    if upload is None or not upload.filename:
        raise ApiError(
            400,
            "file_required",
            f"请选择要上传的文件({field})",
            f"Attach the file as the multipart field '{field}'",
        )
    return upload


# -- federation: roll-ups, common problems, joint supervision ---------------------------

PERIOD_PATTERN = r"^\d{4}(-(0[1-9]|1[0-2]|Q[1-4]))?$"
INDICATOR_PATTERN = r"^[A-Z]{2}\d{2}$"


def _dictionary_in_force():
    from app.indicators.service import spec_of, version_named

    version = version_named(None)
    return [spec_of(row) for row in version.indicators] if version else []


def known_indicator(code: str) -> None:
    """An indicator code of the dictionary in force."""
    from marshmallow import ValidationError

    if code not in {spec.code for spec in _dictionary_in_force()}:
        raise ValidationError(f"未知的指标代码 {code} / unknown indicator code {code}")


def known_dimension(name: str) -> None:
    """A dimension of the dictionary in force, named in Chinese or in English."""
    from marshmallow import ValidationError

    names = {n for s in _dictionary_in_force() for n in (s.dimension_zh, s.dimension_en)}
    if name not in names:
        raise ValidationError(f"未知的维度 {name} / unknown dimension {name}")


def _period(**kwargs):
    return fields.String(
        validate=validate.Regexp(
            PERIOD_PATTERN,
            error="期间格式应为 2025-07、2025-Q3 或 2025 / period must be "
            "written 2025-07, 2025-Q3 or 2025",
        ),
        **kwargs,
    )


def _indicator(**kwargs):
    return fields.String(
        validate=[
            validate.Regexp(
                INDICATOR_PATTERN, error="指标代码形如 CT01 / an indicator code looks like CT01"
            ),
            known_indicator,
        ],
        **kwargs,
    )


class PeriodQuerySchema(Schema):
    period = _period()


class RollupQuerySchema(PeriodQuerySchema):
    indicator = _indicator()


class RankingQuerySchema(RollupQuerySchema):
    dimension = fields.String(validate=[validate.Length(min=1, max=40), known_dimension])

    @validates_schema
    def _one_basis(self, data, **_kwargs):
        from marshmallow import ValidationError

        if data.get("indicator") and data.get("dimension"):
            raise ValidationError(
                "指标与维度只能选其一 / give an indicator or a dimension, not both", "dimension"
            )


class TrendQuerySchema(Schema):
    indicator = _indicator()
    periods = fields.Integer(load_default=24, validate=validate.Range(min=1, max=120))


class CommonProblemSchema(Schema):
    id = fields.Integer()
    indicator = fields.String(attribute="indicator_code")
    period = fields.String()
    n_children = fields.Integer()
    threshold = fields.Integer()
    n_flagged = fields.Integer()
    n_red = fields.Integer()
    concurrent = fields.Boolean()
    persistent = fields.Boolean()
    suggested_form = fields.String()
    suggested_form_zh = fields.Function(lambda p: _form_names(p)[0])
    suggested_form_en = fields.Function(lambda p: _form_names(p)[1])
    evidence = fields.List(fields.Dict())
    reason_zh = fields.String()
    reason_en = fields.String()
    computed_at = fields.DateTime()


def _form_names(problem) -> tuple[str, str]:
    from federation.common import FORM_NAMES

    return FORM_NAMES.get(problem.suggested_form, (problem.suggested_form,) * 2)


class CampaignCreateSchema(Schema):
    title = fields.String(load_default="", validate=validate.Length(max=200))
    indicators = fields.List(
        fields.String(validate=validate.Regexp(INDICATOR_PATTERN)),
        load_default=list,
        validate=validate.Length(max=60),
    )
    targets = fields.List(
        fields.String(validate=validate.Regexp(r"^\d{6,12}$")),
        load_default=list,
        validate=validate.Length(max=500),
    )
    deadline = fields.Date(required=True)
    instructions = fields.String(load_default="", validate=validate.Length(max=10000))
    period = _period(load_default=None, allow_none=True)
    common_problem_id = fields.Integer(
        load_default=None, allow_none=True, validate=validate.Range(min=1)
    )


class CampaignCloseSchema(Schema):
    conclusion = fields.String(required=True, validate=validate.Length(max=10000))


class TaskActionCreateSchema(Schema):
    kind = fields.String(
        required=True,
        validate=validate.OneOf(ACTION_KINDS),
    )
    note = fields.String(required=True, validate=validate.Length(min=1, max=10000))
    happened_on = fields.Date(required=True)


class TaskCloseSchema(Schema):
    summary = fields.String(required=True, validate=validate.Length(max=10000))


class CampaignSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    indicators = fields.List(fields.String())
    period = fields.String(allow_none=True)
    instructions = fields.String()
    deadline = fields.Date()
    common_problem_id = fields.Integer(allow_none=True)
    status = fields.String()
    conclusion = fields.String()
    created_by = fields.String()
    created_at = fields.DateTime()
    closed_at = fields.DateTime(allow_none=True)


class TaskCampaignSchema(Schema):
    """What a child is told of the campaign its task belongs to: never the targets, the
    other children's tasks or the parent's conclusion."""

    id = fields.Integer()
    title = fields.String()
    instructions = fields.String()
    indicators = fields.List(fields.String())
    period = fields.String(allow_none=True)
    deadline = fields.Date()
    status = fields.String()


class TaskActionSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    note = fields.String()
    happened_on = fields.Date()
    recorded_by = fields.String()
    recorded_at = fields.DateTime()


class JointTaskSchema(Schema):
    id = fields.Integer()
    status = fields.String()
    summary = fields.String()
    created_at = fields.DateTime()
    closed_at = fields.DateTime(allow_none=True)
    closed_by = fields.String()
    actions = fields.List(fields.Nested(TaskActionSchema))


class MicroReportQuerySchema(Schema):
    """``organ`` defaults to the tenant's court (an organ user's own organ), ``year`` to
    the last year the organ reported; ``format``: json, html or docx."""

    organ = fields.Integer(validate=validate.Range(min=1))
    year = fields.String(validate=validate.Regexp(r"^(19|20|21)\d{2}$"))
    format = fields.String(load_default="json", validate=validate.OneOf(("json", "html", "docx")))


class MonthPointSchema(Schema):
    period = fields.String()
    value = fields.Float(allow_none=True)
    colour = fields.String(allow_none=True)


class KeyFigureSchema(Schema):
    code = fields.String()
    name_zh = fields.String()
    name_en = fields.String()
    dimension_zh = fields.String()
    dimension_en = fields.String()
    unit = fields.String()
    direction = fields.String()
    period_kind = fields.String()
    rule_zh = fields.String()
    rule_en = fields.String()
    value = fields.Float(allow_none=True)
    numerator = fields.Float(allow_none=True)
    denominator = fields.Float(allow_none=True)
    contributing = fields.Integer()
    colour = fields.String(allow_none=True)
    reason_zh = fields.String()
    reason_en = fields.String()
    latest_period = fields.String(allow_none=True)
    latest_value = fields.Float(allow_none=True)
    latest_colour = fields.String(allow_none=True)
    trend = fields.List(fields.Nested(MonthPointSchema))
    colour_months = fields.Dict(keys=fields.String(), values=fields.Integer())


class ReportTicketSchema(Schema):
    """A ticket in the micro-report: dates and counts, never the answers' texts."""

    id = fields.Integer(attribute="facts.id")
    indicator = fields.String(attribute="facts.indicator_code")
    name_zh = fields.String()
    name_en = fields.String()
    period = fields.String(attribute="facts.period")
    colour = fields.String(attribute="facts.colour")
    status = fields.String(attribute="facts.status")
    opened_on = fields.Date(attribute="facts.opened_on")
    deadline = fields.Date(attribute="facts.deadline")
    answered_on = fields.Date(attribute="facts.answered_on", allow_none=True)
    answers = fields.Integer(attribute="facts.answers")
    returns = fields.Integer(attribute="facts.returns")
    escalated = fields.Boolean(attribute="facts.escalated")
    timeliness = fields.String()


class MicroReportSchema(Schema):
    organ = fields.Function(
        lambda r: {
            "id": r.organ.id,
            "kind": r.organ.kind,
            "name_zh": r.organ.name_zh,
            "name_en": r.organ.name_en,
        }
    )
    year = fields.String()
    months = fields.List(fields.String())
    through = fields.String(allow_none=True)
    summary_zh = fields.List(fields.String())
    summary_en = fields.List(fields.String())
    figures = fields.List(fields.Nested(KeyFigureSchema))
    colour_by_month = fields.Function(
        lambda r: [{"period": m, **counts} for m, counts in r.colour_by_month]
    )
    verdict_by_month = fields.Function(
        lambda r: [{"period": m, "verdict": v} for m, v in r.verdict_by_month]
    )
    verdicts = fields.Dict(keys=fields.String(), values=fields.Integer())
    tickets = fields.Function(
        lambda r: {
            "total": r.tickets.total,
            "by_status": dict(r.tickets.by_status),
            "by_timeliness": dict(r.tickets.by_timeliness),
            "lines": ReportTicketSchema(many=True).dump(r.tickets.lines),
        }
    )
    documents = fields.Dict(keys=fields.String(), values=fields.Integer())
    portrait = fields.Function(lambda r: r.portrait.as_dict() if r.portrait else None)
    portrait_as_of = fields.String(allow_none=True)
