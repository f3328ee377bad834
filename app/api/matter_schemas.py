"""Schemas of supervision matters, opinions and the responsiveness figures (kept apart from
``app.api.schemas`` only for size; same style, same ``parse``)."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.datamart.documents import MASKED_CATEGORIES, mask_persons
from app.matters import opinion_states, states
from app.matters.vocabulary import (
    FORMS,
    GRADES,
    OPINION_KINDS,
    ORIGINS,
    SUBJECTS,
    form_allowed,
)

MAX_TEXT = 20000


class Reference(fields.Field):
    """An origin's reference: an id (a number) or a code (a string), kept as a string."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise ValidationError("应为编号或代码 / must be an id or a code")
        text = str(value).strip()
        if not 1 <= len(text) <= 64:
            raise ValidationError("长度应为 1–64 / must be 1 to 64 characters")
        return text


class OriginSchema(Schema):
    kind = fields.String(load_default="none", validate=validate.OneOf(tuple(ORIGINS)))
    ref = Reference(load_default=None, allow_none=True)
    title = fields.String(load_default="", validate=validate.Length(max=300))


class MatterCreateSchema(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    subject = fields.String(required=True, validate=validate.OneOf(tuple(SUBJECTS)))
    form = fields.String(required=True, validate=validate.OneOf(tuple(FORMS)))
    summary = fields.String(load_default="", validate=validate.Length(max=MAX_TEXT))
    origin = fields.Nested(OriginSchema, load_default=dict)
    targets = fields.List(
        fields.Integer(validate=validate.Range(min=1)),
        load_default=list,
        validate=validate.Length(max=50),
    )
    documents = fields.List(
        fields.Integer(validate=validate.Range(min=1)),
        load_default=list,
        validate=validate.Length(max=100),
    )
    planned_start = fields.Date(load_default=None, allow_none=True)
    planned_end = fields.Date(load_default=None, allow_none=True)

    @validates_schema
    def _form_of_subject(self, data, **_kwargs):
        if (
            data.get("subject")
            and data.get("form")
            and not form_allowed(data["subject"], data["form"])
        ):
            raise ValidationError(
                "该监督主体不采用此监督形式 / this subject does not use this form", "form"
            )


class MatterTransitionSchema(Schema):
    action = fields.String(required=True, validate=validate.Length(min=1, max=32))
    comment = fields.String(load_default="", validate=validate.Length(max=MAX_TEXT))


class OpinionCreateSchema(Schema):
    organ_id = fields.Integer(required=True, validate=validate.Range(min=1))
    matter_id = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1))
    kind = fields.String(load_default="deliberation", validate=validate.OneOf(tuple(OPINION_KINDS)))
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    text = fields.String(load_default="", validate=validate.Length(max=MAX_TEXT))
    problems = fields.List(
        fields.String(validate=validate.Length(min=1, max=2000)),
        load_default=list,
        validate=validate.Length(max=100),
    )
    deadline_days = fields.Integer(load_default=40, validate=validate.Range(min=1, max=250))

    @validates_schema
    def _has_content(self, data, **_kwargs):
        if not data.get("text", "").strip() and not data.get("problems"):
            raise ValidationError(
                "请填写意见内容或问题清单 / give the opinions' text or the list of problems", "text"
            )


class HandlingSchema(Schema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=MAX_TEXT))


class EvaluationSchema(Schema):
    grade = fields.String(required=True, validate=validate.OneOf(tuple(GRADES)))
    comment = fields.String(load_default="", validate=validate.Length(max=MAX_TEXT))
    rehandle_days = fields.Integer(load_default=20, validate=validate.Range(min=1, max=250))


# --- output --------------------------------------------------------------------------------


def _labels(table: dict, attribute: str):
    return (
        fields.Function(lambda obj: table.get(getattr(obj, attribute), ("", ""))[0]),
        fields.Function(lambda obj: table.get(getattr(obj, attribute), ("", ""))[1]),
    )


class OrganRefSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    name_zh = fields.String()
    name_en = fields.String()


class MatterEventSchema(Schema):
    action = fields.String()
    from_status = fields.String(allow_none=True)
    to_status = fields.String()
    actor = fields.String()
    comment = fields.String()
    at = fields.DateTime()


class OpinionEventSchema(Schema):
    round = fields.Integer()
    action = fields.String()
    from_status = fields.String(allow_none=True)
    to_status = fields.String()
    actor = fields.String()
    text = fields.String()
    at = fields.DateTime()


def _document(link) -> dict:
    doc = link.document
    title = mask_persons(doc.title, doc.persons) if doc.category in MASKED_CATEGORIES else doc.title
    return {"id": doc.id, "category": doc.category, "date": doc.date.isoformat(), "title": title}


class MatterSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    subject = fields.String()
    subject_zh, subject_en = _labels(SUBJECTS, "subject")
    form = fields.String()
    form_zh, form_en = _labels(FORMS, "form")
    status = fields.String()
    status_zh, status_en = _labels(states.STATUS_LABELS, "status")
    summary = fields.String()
    origin = fields.Function(
        lambda m: {
            "kind": m.origin_kind,
            "kind_zh": ORIGINS[m.origin_kind][0],
            "kind_en": ORIGINS[m.origin_kind][1],
            "ref": m.origin_ref,
            "title": m.origin_title,
        }
    )
    planned_start = fields.Date(allow_none=True)
    planned_end = fields.Date(allow_none=True)
    targets = fields.Function(
        lambda m: OrganRefSchema(many=True).dump([t.organ for t in m.targets])
    )
    documents = fields.Function(lambda m: [_document(d) for d in m.documents])
    created_by = fields.String()
    created_at = fields.DateTime()
    closed_at = fields.DateTime(allow_none=True)
    events = fields.List(fields.Nested(MatterEventSchema))


class OpinionSchema(Schema):
    id = fields.Integer()
    matter_id = fields.Integer(allow_none=True)
    matter_title = fields.Function(lambda o: o.matter.title if o.matter else None)
    organ_id = fields.Integer()
    organ = fields.Function(lambda o: OrganRefSchema().dump(o.organ))
    kind = fields.String()
    kind_zh, kind_en = _labels(OPINION_KINDS, "kind")
    title = fields.String()
    text = fields.String()
    problems = fields.List(fields.String())
    status = fields.String()
    status_zh, status_en = _labels(opinion_states.STATUS_LABELS, "status")
    round = fields.Integer()
    grade = fields.String(allow_none=True)
    plan_text = fields.String()
    result_text = fields.String()
    issued_by = fields.String()
    issued_at = fields.DateTime()
    first_deadline = fields.Date()
    deadline = fields.Date()
    escalated_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    events = fields.List(fields.Nested(OpinionEventSchema))


# --- the calendar (issue 7, item 6) ----------------------------------------------------------

MAX_CALENDAR_DAYS = 400


class CalendarQuerySchema(Schema):
    """``start`` and ``end`` (ISO dates) of the window; each defaults to the calendar's."""

    start = fields.Date(load_default=None)
    end = fields.Date(load_default=None)

    @validates_schema
    def _window(self, data, **_kwargs):
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            raise ValidationError("结束日期早于开始日期 / end is before start", "end")
        if start and end and (end - start).days > MAX_CALENDAR_DAYS:
            raise ValidationError(
                f"时间跨度不超过 {MAX_CALENDAR_DAYS} 天 / at most {MAX_CALENDAR_DAYS} days", "end"
            )


class DueItemSchema(Schema):
    kind = fields.String()
    kind_zh = fields.Function(lambda i: i.kind_label[0])
    kind_en = fields.Function(lambda i: i.kind_label[1])
    id = fields.Integer()
    title = fields.String()
    organ_id = fields.Integer(allow_none=True)
    organ_name = fields.String(allow_none=True)
    status = fields.String()
    status_zh = fields.Function(lambda i: _due_status(i, False))
    status_en = fields.Function(lambda i: _due_status(i, True))
    due = fields.Date()
    overdue = fields.Boolean()
    url = fields.String()


def _due_status(item, english: bool) -> str:
    from app.workload.sources import status_label

    return status_label(item.kind, item.status, english)
