"""Validation and serialisation of topics and of the focus-issue query.

Messages of the rules this module adds are written in both languages ("中文 / English"),
as the 422 answer's own message is.
"""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load, validate

MAX_KEYWORDS, MAX_INDICATORS, MAX_KEYWORD = 40, 20, 40
CODE = r"^[a-z][a-z0-9_]{1,39}$"
MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"
REQUIRED = {"required": "必填 / required", "null": "不能为空 / may not be null"}


def _clean_list(items: list[str], upper: bool = False) -> list[str]:
    cleaned = (item.strip().upper() if upper else item.strip() for item in items)
    return list(dict.fromkeys(item for item in cleaned if item))


def _keywords_given(items: list[str]) -> None:
    if not _clean_list(items):
        raise ValidationError("请至少填写一个关键词 / at least one keyword is required")


def _indicators_given(items: list[str]) -> None:
    if not _clean_list(items):
        raise ValidationError("请至少选择一个指标 / at least one indicator is required")


def _keyword_field(**kwargs) -> fields.List:
    """A keyword of two characters or more: a single character (执, 案) matches nearly
    every document."""
    keyword = fields.String(
        validate=validate.Length(
            min=2, max=MAX_KEYWORD, error="关键词长度应为 2–40 字 / a keyword has 2–40 characters"
        )
    )
    return fields.List(
        keyword,
        validate=[validate.Length(max=MAX_KEYWORDS), _keywords_given],
        error_messages=REQUIRED,
        **kwargs,
    )


def _indicator_field(**kwargs) -> fields.List:
    code = fields.String(
        validate=validate.Regexp(
            r"^\s*[A-Za-z]{2}\d{2}\s*$", error="指标代码形如 CT11 / an indicator code is like CT11"
        )
    )
    return fields.List(
        code,
        validate=[validate.Length(max=MAX_INDICATORS), _indicators_given],
        error_messages=REQUIRED,
        **kwargs,
    )


class TopicUpdateSchema(Schema):
    """What staff may change of a topic; any subset (its code never changes)."""

    name_zh = fields.String(
        validate=validate.Length(min=1, max=80, error="名称应为 1–80 字 / 1–80 characters"),
        error_messages=REQUIRED,
    )
    name_en = fields.String(validate=validate.Length(max=120))
    keywords = _keyword_field()
    indicators = _indicator_field()
    active = fields.Boolean(error_messages=REQUIRED)

    @post_load
    def normalise(self, data: dict, **_kwargs) -> dict:
        for key in ("name_zh", "name_en"):
            if key in data:
                data[key] = data[key].strip()
        if "keywords" in data:
            data["keywords"] = _clean_list(data["keywords"])
        if "indicators" in data:
            data["indicators"] = _clean_list(data["indicators"], upper=True)
        return data


class TopicInSchema(TopicUpdateSchema):
    code = fields.String(
        required=True,
        validate=validate.Regexp(
            CODE, error="代码为小写字母、数字和下划线 / lower-case letters, digits and _"
        ),
        error_messages=REQUIRED,
    )
    name_zh = fields.String(
        required=True,
        validate=validate.Length(min=1, max=80, error="名称应为 1–80 字 / 1–80 characters"),
        error_messages=REQUIRED,
    )
    name_en = fields.String(load_default="", validate=validate.Length(max=120))
    keywords = _keyword_field(required=True)
    indicators = _indicator_field(required=True)
    active = fields.Boolean(load_default=True)


class TopicSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name_zh = fields.String()
    name_en = fields.String()
    keywords = fields.List(fields.String())
    indicators = fields.List(fields.String())
    active = fields.Boolean()
    updated_by = fields.String()
    updated_at = fields.DateTime()


class PeriodQuerySchema(Schema):
    """``?period=YYYY-MM``: the month a portrait or a collision is drawn for."""

    class Meta:
        unknown = EXCLUDE  # e.g. ?lang=en

    period = fields.String(
        validate=validate.Regexp(MONTH, error="期间格式为 YYYY-MM / a period is YYYY-MM")
    )
