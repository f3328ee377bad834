"""Schemas of key concerns, deputies' opinions, evaluators' reports, procuratorial
recommendations and public comments (same style, same ``parse`` as ``app.api.schemas``)."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.coordination import concern_states, deputy_states, recommendation_states
from app.coordination.vocabulary import (
    COMMENT_CHANNELS,
    CONCERN_KINDS,
    DEPUTY_OPINION_KINDS,
    PAGE_KINDS,
    RATINGS,
)

MAX_TEXT = 20000
PERIOD = r"^\d{4}(-(0[1-9]|1[0-2]|Q[1-4]))?$"
INDICATOR = r"^[A-Z]{2}\d{2}$"
DAYS = validate.Range(min=1, max=250)


def _text(required: bool = True, maximum: int = MAX_TEXT):
    if required:
        return fields.String(required=True, validate=validate.Length(min=1, max=maximum))
    return fields.String(load_default="", validate=validate.Length(max=maximum))


def _id(required: bool = False):
    if required:
        return fields.Integer(required=True, validate=validate.Range(min=1))
    return fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1))


class _NotBlank(Schema):
    """Text fields that are required must say something, not only spaces."""

    REQUIRED_TEXT: tuple[str, ...] = ()

    @validates_schema
    def _not_blank(self, data, **_kwargs):
        for name in self.REQUIRED_TEXT:
            if name in data and not str(data[name]).strip():
                raise ValidationError("不能为空 / must not be blank", name)


# --- input -------------------------------------------------------------------------------


class ConcernCreateSchema(_NotBlank):
    REQUIRED_TEXT = ("title",)
    organ_id = _id(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(tuple(CONCERN_KINDS)))
    title = _text(maximum=200)
    text = _text(required=False)
    indicator_code = fields.String(
        load_default=None, allow_none=True, validate=validate.Regexp(INDICATOR)
    )
    period = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=7))
    document_id = _id()
    deadline_days = fields.Integer(load_default=10, validate=DAYS)


class ConcernResponseSchema(_NotBlank):
    REQUIRED_TEXT = ("text",)
    text = _text()


class ConcernReviewSchema(Schema):
    decision = fields.String(
        required=True,
        validate=validate.OneOf((concern_states.CLOSE, concern_states.FOLLOW_UP_ACTION)),
    )
    comment = _text(required=False)
    deadline_days = fields.Integer(load_default=5, validate=DAYS)


class ReasonSchema(_NotBlank):
    REQUIRED_TEXT = ("comment",)
    comment = _text()


class DeputyOpinionCreateSchema(_NotBlank):
    REQUIRED_TEXT = ("text",)
    text = _text()
    kind = fields.String(
        load_default="opinion", validate=validate.OneOf(tuple(DEPUTY_OPINION_KINDS))
    )
    page_kind = fields.String(load_default="other", validate=validate.OneOf(tuple(PAGE_KINDS)))
    page_path = fields.String(load_default="", validate=validate.Length(max=300))
    organ_id = _id()
    indicator_code = fields.String(
        load_default=None, allow_none=True, validate=validate.Regexp(INDICATOR)
    )
    chart_name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))
    ticket_id = _id()


class AssignSchema(Schema):
    organ_id = _id(required=True)
    deadline_days = fields.Integer(load_default=15, validate=DAYS)
    shared = fields.Boolean(load_default=False)
    comment = _text(required=False)


class AnswerSchema(_NotBlank):
    REQUIRED_TEXT = ("text",)
    text = _text()


class RatingSchema(Schema):
    rating = fields.String(required=True, validate=validate.OneOf(tuple(RATINGS)))
    comment = _text(required=False)


class ReportCreateSchema(_NotBlank):
    """The form fields of a report upload (multipart) or a JSON body."""

    REQUIRED_TEXT = ("title",)
    title = _text(maximum=200)
    period = fields.String(required=True, validate=validate.Regexp(PERIOD))
    summary = _text(required=False)
    organ_id = _id()
    batch_id = _id()


class RecommendationCreateSchema(_NotBlank):
    REQUIRED_TEXT = ("number", "title")
    number = _text(maximum=64)
    title = _text(maximum=200)
    text = _text(required=False)
    issuer_organ_id = _id(required=True)
    recipient_organ_id = _id()
    recipient_name = fields.String(load_default="", validate=validate.Length(max=120))
    issued_on = fields.Date(required=True)
    reply_due = fields.Date(load_default=None, allow_none=True)

    @validates_schema
    def _due_after_issue(self, data, **_kwargs):
        due, issued = data.get("reply_due"), data.get("issued_on")
        if due and issued and due < issued:
            raise ValidationError("回复期限早于提出日期 / due before it was issued", "reply_due")


class RecommendationReplySchema(Schema):
    outcome = fields.String(
        required=True, validate=validate.OneOf(tuple(recommendation_states.OUTCOMES))
    )
    text = _text(required=False)


class PublicCommentCreateSchema(_NotBlank):
    REQUIRED_TEXT = ("title", "text")
    channel = fields.String(required=True, validate=validate.OneOf(tuple(COMMENT_CHANNELS)))
    received_on = fields.Date(required=True)
    title = _text(maximum=200)
    text = _text()
    organ_id = _id()
    sender = fields.String(load_default="", validate=validate.Length(max=40))
    persons = fields.List(
        fields.String(validate=validate.Length(min=1, max=40)),
        load_default=list,
        validate=validate.Length(max=50),
    )


# --- output ------------------------------------------------------------------------------


def _labels(table: dict, attribute: str):
    return (
        fields.Function(lambda obj: table.get(getattr(obj, attribute), ("", ""))[0]),
        fields.Function(lambda obj: table.get(getattr(obj, attribute), ("", ""))[1]),
    )


def _organ(attribute: str = "organ"):
    def dump(obj):
        organ = getattr(obj, attribute)
        if organ is None:
            return None
        return {
            "id": organ.id,
            "kind": organ.kind,
            "name_zh": organ.name_zh,
            "name_en": organ.name_en,
        }

    return fields.Function(dump)


class EventSchema(Schema):
    action = fields.String()
    from_status = fields.String(allow_none=True)
    to_status = fields.String()
    actor = fields.String()
    text = fields.String()
    at = fields.DateTime()


class DeputyEventSchema(EventSchema):
    round = fields.Integer()


class ConcernSchema(Schema):
    id = fields.Integer()
    organ = _organ()
    kind = fields.String()
    kind_zh, kind_en = _labels(CONCERN_KINDS, "kind")
    title = fields.String()
    text = fields.String()
    indicator_code = fields.String(allow_none=True)
    period = fields.String(allow_none=True)
    document = fields.Function(
        lambda c: {"id": c.document.id, "title": c.document.title} if c.document else None
    )
    status = fields.String()
    status_zh, status_en = _labels(concern_states.STATUS_LABELS, "status")
    response = fields.String()
    responded_at = fields.DateTime(allow_none=True)
    flagged_by = fields.String()
    flagged_at = fields.DateTime()
    first_deadline = fields.Date()
    deadline = fields.Date()
    closed_at = fields.DateTime(allow_none=True)
    events = fields.List(fields.Nested(EventSchema))


class DeputyOpinionSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    kind_zh, kind_en = _labels(DEPUTY_OPINION_KINDS, "kind")
    text = fields.String()
    author = fields.String()
    author_name = fields.String()
    context = fields.Function(
        lambda o: {
            "page_kind": o.page_kind,
            "page_kind_zh": PAGE_KINDS[o.page_kind][0],
            "page_kind_en": PAGE_KINDS[o.page_kind][1],
            "page_path": o.page_path,
            "indicator_code": o.indicator_code,
            "chart_name": o.chart_name,
            "chart_title": o.chart_title,
            "ticket_id": o.ticket_id,
        }
    )
    organ = _organ()
    status = fields.String()
    status_zh, status_en = _labels(deputy_states.STATUS_LABELS, "status")
    shared = fields.Boolean()
    round = fields.Integer()
    answer = fields.String()
    rating = fields.String(allow_none=True)
    raised_at = fields.DateTime()
    assigned_at = fields.DateTime(allow_none=True)
    answered_at = fields.DateTime(allow_none=True)
    first_deadline = fields.Date(allow_none=True)
    deadline = fields.Date(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    events = fields.List(fields.Nested(DeputyEventSchema))


class EvaluatorReportSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    period = fields.String()
    organ = _organ()
    summary = fields.String()
    file_name = fields.String()
    has_file = fields.Function(lambda r: r.file_id is not None)
    batch_id = fields.Integer(allow_none=True)
    uploaded_by = fields.String()
    uploaded_at = fields.DateTime()


class RecommendationSchema(Schema):
    id = fields.Integer()
    number = fields.String()
    title = fields.String()
    text = fields.String()
    issuer = _organ("issuer")
    recipient = _organ("recipient")
    recipient_name = fields.Function(lambda r: r.recipient_label)
    issued_on = fields.Date()
    reply_due = fields.Date()
    status = fields.String()
    status_zh, status_en = _labels(recommendation_states.STATUS_LABELS, "status")
    reply = fields.String()
    replied_on = fields.Date(allow_none=True)
    replied_by = fields.String()
    recorded_by = fields.String()
    recorded_at = fields.DateTime()


class PublicCommentSchema(Schema):
    id = fields.Integer()
    channel = fields.String()
    channel_zh, channel_en = _labels(COMMENT_CHANNELS, "channel")
    received_on = fields.Date()
    organ = _organ()
    title = fields.String()
    text = fields.String()
    sender = fields.String()
    masked_names = fields.Integer()
    recorded_by = fields.String()
    recorded_at = fields.DateTime()
