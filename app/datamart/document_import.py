"""Documents from a workbook: one row per document, checked row by row, kept only if every
row is good (the caller stores nothing when :func:`check_rows` reports any error).

Columns (Chinese or English header, any order): 类别 category, 标题 title, 日期 date,
来源 source, 机关 organ (its name), 标签 tags, 正文 body, 当事人 persons; tags and persons
are separated by commas, 、 or semicolons. The workbook passes the same guards as every
upload (size, zip bomb, DOCTYPE) before openpyxl reads it, in read-only mode.

Plain Python (openpyxl): no Flask, no database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any

import openpyxl
from marshmallow import ValidationError

from app.datamart.document_schemas import MAX_NAME, MAX_PERSONS, MAX_TAGS, DocumentInSchema
from app.datamart.documents import CATEGORIES, category_code, split_list
from app.datamart.files import (
    FileRejected,
    Limits,
    check_size,
    check_xlsx_container,
    map_header,
    sniff,
)

# canonical column -> accepted header names (the first is the template's)
HEADERS = {
    "category": ("类别", "category"),
    "title": ("标题", "title"),
    "date": ("日期", "date"),
    "source": ("来源", "source"),
    "organ": ("机关", "organ"),
    "tags": ("标签", "tags"),
    "body": ("正文", "body"),
    "persons": ("当事人", "persons"),
}
REQUIRED = ("category", "title", "date")
LIMITS = Limits(max_rows=2000, max_columns=64, max_cell_chars=32_767)
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_CATEGORY_NAMES = "、".join(zh for zh, _ in CATEGORIES.values())
# field -> (code, Chinese, English) for a value the schema refuses
FIELD_ERRORS = {
    "category": (
        "bad_category",
        f"类别应为以下之一:{_CATEGORY_NAMES}",
        "the category must be one of the eight data categories",
    ),
    "title": (
        "bad_title",
        "标题必填,且不超过 200 字",
        "a title is required, at most 200 characters",
    ),
    "date": ("bad_date", "日期无效,请写作 2025-07-01", "invalid date; write it as 2025-07-01"),
    "source": ("bad_source", "来源不超过 200 字", "the source is at most 200 characters"),
    "organ": ("unknown_organ", "本级没有这个机关", "no such organ in this tenant"),
    "tags": (
        "bad_tags",
        f"标签至多 {MAX_TAGS} 个,每个不超过 {MAX_NAME} 字",
        f"at most {MAX_TAGS} tags of at most {MAX_NAME} characters each",
    ),
    "body": ("bad_body", "正文过长", "the body is too long"),
    "persons": (
        "persons_required",
        f"涉法涉诉信访须在「当事人」列列明姓名(用于脱敏),至多 {MAX_PERSONS} 人",
        f"a petition must list the persons it names (for masking), at most {MAX_PERSONS}",
    ),
}


@dataclass(frozen=True)
class Formula:
    """A cell holding a formula: never evaluated; the row is refused."""


def row_error(number: int, column: str, code: str, zh: str, en: str) -> dict:
    return {
        "row": number,
        "column": HEADERS[column][0],
        "code": code,
        "message_zh": zh,
        "message_en": en,
    }


# --- reading -------------------------------------------------------------------------------


def read_rows(fp: IO[bytes]) -> list[tuple[int, dict[str, Any]]]:
    """``(row number as the user sees it, {column: raw value})`` for every non-blank row
    below the header; FileRejected for a file that is not a safe, readable workbook."""
    check_size(fp, LIMITS)
    if sniff(fp.read(8)) != "xlsx":
        raise FileRejected(
            415,
            "xlsx_required",
            "请上传 Excel 工作簿(.xlsx)",
            "please upload an Excel workbook (.xlsx)",
        )
    fp.seek(0)
    check_xlsx_container(fp, LIMITS)
    with _unreadable():
        workbook = openpyxl.load_workbook(fp, read_only=True, data_only=False)
    try:
        with _unreadable():
            sheet = workbook.worksheets[0]
            sheet.reset_dimensions()  # a hostile <dimension> must not pad every row
            return _mapped(_cells(sheet.iter_rows()))
    finally:
        workbook.close()


def _cells(rows: Iterable[Any]) -> Iterator[tuple[int, list[Any]]]:
    for number, row in enumerate(rows, start=1):
        if number > LIMITS.max_rows + 1:
            raise FileRejected(
                413,
                "too_many_rows",
                f"一次至多导入 {LIMITS.max_rows} 行",
                f"at most {LIMITS.max_rows} rows per file",
            )
        yield number, [_value(cell) for cell in row[: LIMITS.max_columns + 1]]


def _value(cell: Any) -> Any:
    if cell.data_type == "f":
        return Formula()
    value = cell.value
    if isinstance(value, str):
        value = value.strip() or None
    if isinstance(value, str) and len(value) > LIMITS.max_cell_chars:
        raise FileRejected(422, "cell_too_long", "有单元格过长", "a cell is too long")
    return value


def _mapped(rows: Iterator[tuple[int, list[Any]]]) -> list[tuple[int, dict[str, Any]]]:
    header: dict[int, str] | None = None
    out = []
    for number, cells in rows:
        if all(cell is None for cell in cells):
            continue
        if header is None:
            header = _header(cells)
            continue
        out.append(
            (number, {col: cells[i] if i < len(cells) else None for i, col in header.items()})
        )
    if not out:
        raise FileRejected(422, "no_rows", "文件中没有数据行", "the file holds no data rows")
    return out


def _header(cells: list[Any]) -> dict[int, str]:
    return map_header([c if isinstance(c, str) else None for c in cells], HEADERS, REQUIRED)


@contextmanager
def _unreadable() -> Iterator[None]:
    """Whatever openpyxl raises is the file's fault: 422, never a 500."""
    try:
        yield
    except FileRejected:
        raise
    except Exception as exc:  # openpyxl raises KeyError, ValueError, ParseError, ...
        raise FileRejected(
            422,
            "unreadable_xlsx",
            "工作簿内容无法读取,请在 Excel 中打开后重新保存",
            "the workbook cannot be read; open it in Excel and save it again",
        ) from exc


# --- checking ------------------------------------------------------------------------------


def check_rows(
    rows: Iterable[tuple[int, dict[str, Any]]], organs: dict[str, int]
) -> tuple[list[dict], list[dict]]:
    """``(documents' fields, errors)``: every row's fields for ``new_document`` with the
    organ given by id, and every error of every row (the import is good only if none)."""
    valid, errors = [], []
    for number, cells in rows:
        fields, row_errors = check_row(number, cells, organs)
        errors.extend(row_errors)
        if not row_errors:
            valid.append(fields)
    return valid, errors


def check_row(number: int, cells: dict[str, Any], organs: dict[str, int]) -> tuple[dict, list]:
    """One row's fields (as ``DocumentInSchema`` loads them) and its errors."""
    errors = [
        row_error(
            number,
            column,
            "formula",
            "不接受公式,请填写数值本身",
            "formulas are not accepted; enter the value itself",
        )
        for column, value in cells.items()
        if isinstance(value, Formula)
    ]
    if errors:
        return {}, errors
    raw, errors = _raw_fields(number, cells, organs)
    try:
        fields = DocumentInSchema().load(raw)
    except ValidationError as err:
        errors.extend(
            row_error(number, field, *FIELD_ERRORS[field])
            for field in err.messages
            if not any(e["column"] == HEADERS[field][0] for e in errors)
        )
        return {}, errors
    return ({}, errors) if errors else (fields, [])


def _raw_fields(number: int, cells: dict[str, Any], organs: dict[str, int]) -> tuple[dict, list]:
    errors = []
    organ_name = _text(cells.get("organ"))
    organ = organs.get(organ_name) if organ_name else None
    if organ_name and organ is None:
        errors.append(row_error(number, "organ", *FIELD_ERRORS["organ"]))
    raw = {
        "category": category_code(_text(cells.get("category"))) or _text(cells.get("category")),
        "title": _text(cells.get("title")),
        "date": _date_text(cells.get("date")),
        "source": _text(cells.get("source")),
        "organ": organ,
        "tags": split_list(cells.get("tags")),
        "body": _text(cells.get("body")),
        "persons": split_list(cells.get("persons")),
    }
    return raw, errors


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date_text(value: Any) -> str:
    """ISO text for a date cell, or for text written 2025-07-01, 2025/7/1 or 2025年7月1日;
    anything else is passed on for the schema to refuse."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = _text(value)
    found = _DATE.fullmatch(text)
    if not found:
        return text
    year, month, day = (int(part) for part in found.groups())
    return f"{year:04d}-{month:02d}-{day:02d}"
