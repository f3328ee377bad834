"""One way to validate and serialise: a marshmallow schema per resource."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.auth.models import ROLES


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
