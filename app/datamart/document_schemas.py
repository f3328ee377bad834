"""Validation and serialisation of documents, shared by the API, the pages and the import.

:func:`present` is the only way a document leaves the server: it serialises and, for a
reader who may not see names, masks the persons of a petition in every text field.
"""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from app.datamart.documents import (
    CATEGORIES,
    MASKED_CATEGORIES,
    Document,
    mask_persons,
    masked_name,
    reveals_names,
)

MAX_TAGS, MAX_PERSONS, MAX_NAME = 20, 50, 40
MAX_BODY = 100_000


def _names(most: int) -> fields.List:
    """A list of short names (tags, persons)."""
    name = fields.String(validate=validate.Length(min=1, max=MAX_NAME))
    return fields.List(name, load_default=list, validate=validate.Length(max=most))


class DocumentInSchema(Schema):
    category = fields.String(required=True, validate=validate.OneOf(tuple(CATEGORIES)))
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    date = fields.Date(required=True)
    source = fields.String(load_default="", validate=validate.Length(max=200))
    organ = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1))
    tags = _names(MAX_TAGS)
    body = fields.String(load_default="", validate=validate.Length(max=MAX_BODY))
    persons = _names(MAX_PERSONS)

    @validates_schema(skip_on_field_errors=False)
    def petitions_name_their_persons(self, data, **_kwargs):
        if data.get("category") in MASKED_CATEGORIES and not data.get("persons"):
            raise ValidationError(
                "A petition must list the persons it names, so that they can be masked.",
                "persons",
            )


class DocumentQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE  # e.g. ?lang=en

    category = fields.String(validate=validate.OneOf(tuple(CATEGORIES)))
    organ = fields.Integer(validate=validate.Range(min=1))
    tag = fields.String(validate=validate.Length(min=1, max=MAX_NAME))
    q = fields.String(validate=validate.Length(max=100))
    date_from = fields.Date()
    date_to = fields.Date()
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0))

    @validates_schema
    def range_in_order(self, data, **_kwargs):
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise ValidationError("date_from is after date_to.", "date_from")


class AttachmentSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    size = fields.Function(lambda a: a.file.size)
    sha256 = fields.Function(lambda a: a.file.sha256)


class OrganRefSchema(Schema):
    id = fields.Integer()
    name_zh = fields.String()
    name_en = fields.String()


class DocumentSchema(Schema):
    id = fields.Integer()
    category = fields.String()
    category_zh = fields.Function(lambda d: CATEGORIES[d.category][0])
    category_en = fields.Function(lambda d: CATEGORIES[d.category][1])
    title = fields.String()
    date = fields.Date()
    source = fields.String()
    organ = fields.Nested(OrganRefSchema, allow_none=True)
    tags = fields.List(fields.String())
    body = fields.String()
    persons = fields.List(fields.String())
    attachments = fields.List(fields.Nested(AttachmentSchema))
    created_by = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


_MASKED_TEXTS = ("title", "body", "source")


def present(document: Document, role: str | None) -> dict:
    """The document as ``role`` may read it: names of a petition's persons masked unless
    the role is one that handles petitions (see ``reveals_names``)."""
    data = DocumentSchema().dump(document)
    data["masked"] = not reveals_names(document.category, role)
    data["attachments_downloadable"] = not data["masked"]
    if data["masked"]:
        _mask(data, document.persons)
    return data


def _mask(data: dict, persons: list[str]) -> None:
    for key in _MASKED_TEXTS:
        data[key] = mask_persons(data[key], persons)
    data["tags"] = [mask_persons(tag, persons) for tag in data["tags"]]
    data["persons"] = [masked_name(name) for name in persons]
    for attachment in data["attachments"]:
        attachment["name"] = mask_persons(attachment["name"], persons)
