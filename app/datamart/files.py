"""Uploaded data files in, spreadsheets out: every rule about hostile files lives here.

Reading: :func:`sniff` tells the type from the first bytes, :func:`iter_rows` streams the rows
of an .xlsx or .csv upload as ``(row number, {canonical column: raw value})`` and raises
:class:`FileRejected` for anything that must not be imported. Nothing is validated against the
dictionary here; the validator judges values row by row.

Writing: :func:`write_xlsx` and :func:`write_csv` for exports, :func:`template_xlsx` for the
fill-in workbook handed to each organ. Every exported string goes through :func:`neutralise`.

Plain Python (openpyxl, defusedxml, the standard library): no Flask, no SQLAlchemy.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import re
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import IO, Any

import openpyxl
from defusedxml.common import DefusedXmlException
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from app.indicators.dictionary import IndicatorSpec

BinaryFile = IO[bytes]


class FileRejected(Exception):
    """An upload that must not be imported; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, code: str, message_zh: str, message_en: str):
        super().__init__(f"{message_zh} / {message_en}")
        self.status = status
        self.code = code
        self.message_zh = message_zh
        self.message_en = message_en


@dataclass(frozen=True)
class Limits:
    """Upper bounds for one upload; each is checked before the work it protects is done."""

    max_bytes: int = 20 * 1024 * 1024
    max_uncompressed: int = 100 * 1024 * 1024  # sum of the declared sizes of the zip entries
    max_entries: int = 500
    max_ratio: int = 200  # declared size ÷ compressed size, per zip entry
    max_columns: int = 64
    max_rows: int = 1_000_000
    max_cell_chars: int = 10_000


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class Formula:
    """A cell holding a formula: never evaluated, never trusted; the validator rejects it."""

    text: str


# --- columns --------------------------------------------------------------------------------

# canonical column -> accepted header names; the first name is the template's header, and the
# order is the template's column order.
HEADERS: dict[str, tuple[str, ...]] = {
    "period": ("期间", "period"),
    "organ": ("机关", "organ"),
    "indicator": ("指标代码", "indicator"),
    "indicator_name": ("指标名称", "indicator name"),
    "numerator": ("分子", "numerator"),
    "denominator": ("分母", "denominator"),
    "value": ("数值", "value"),
    "unit": ("单位", "unit"),
    "note": ("说明", "note"),
}
REQUIRED_COLUMNS = ("period", "organ", "indicator")
# Read and passed on, but only informative: the code and the dictionary decide name and unit.
IGNORED_COLUMNS = ("indicator_name", "unit")
TEMPLATE_HEADER = tuple(names[0] for names in HEADERS.values())
RAGGED = "__ragged__"


def _normal_name(name: object) -> str:
    """Header comparison: NFKC (full-width letters and spaces), casefolded, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", str(name)).casefold().split())


# --- sniffing -------------------------------------------------------------------------------

_XLS_HINT_ZH = "旧版 Excel（.xls）或设置了打开密码的工作簿无法读取，请在 Excel 中另存为 .xlsx"
_XLS_HINT_EN = "old Excel (.xls) or password-protected workbooks cannot be read; save as .xlsx"
_UTF16_HINT_ZH = "UTF-16「Unicode 文本」无法读取，请另存为「CSV UTF-8（逗号分隔）」"
_UTF16_HINT_EN = "UTF-16 'Unicode text' cannot be read; save as 'CSV UTF-8 (comma delimited)'"
_MAGIC = (
    (b"%PDF", "PDF 文件无法导入", "a PDF file cannot be imported"),
    (b"\xd0\xcf\x11\xe0", _XLS_HINT_ZH, _XLS_HINT_EN),
    (b"\xff\xfe", _UTF16_HINT_ZH, _UTF16_HINT_EN),
    (b"\xfe\xff", _UTF16_HINT_ZH, _UTF16_HINT_EN),
    (b"\x89PNG", "图片无法导入", "an image cannot be imported"),
    (b"\xff\xd8\xff", "图片无法导入", "an image cannot be imported"),
    (b"GIF8", "图片无法导入", "an image cannot be imported"),
    (b"\x1f\x8b", "压缩包无法导入", "a compressed archive cannot be imported"),
    (b"Rar!", "压缩包无法导入", "a compressed archive cannot be imported"),
    (b"7z\xbc\xaf", "压缩包无法导入", "a compressed archive cannot be imported"),
)
# C0 control bytes that never occur in UTF-8 or GB18030 text (tab, LF, FF, CR, ^Z do).
_CONTROL_BYTES = bytes(range(0x09)) + b"\x0b" + bytes(range(0x0E, 0x1A)) + bytes(range(0x1B, 0x20))
_UPLOAD_HINT_ZH = "请上传 Excel 工作簿（.xlsx）或 CSV 文件"
_UPLOAD_HINT_EN = "please upload an Excel workbook (.xlsx) or a CSV file"


def sniff(head: bytes) -> str:
    """The file's type from its first bytes, never from its name: "xlsx" or "csv".

    A zip is reported as "xlsx"; whether it holds a workbook is checked by
    :func:`check_xlsx_container`. Known binary formats, NUL bytes or more than 1 % control
    bytes are rejected (415); an empty file is 400.
    """
    if not head:
        raise FileRejected(400, "empty_file", "文件是空的", "the file is empty")
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    for magic, zh, en in _MAGIC:
        if head.startswith(magic):
            raise _unsupported(zh, en)
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    if b"\x00" in head or controls * 100 > len(head):
        raise _unsupported(
            "文件不是文本，也不是 Excel 工作簿", "the file is neither text nor a workbook"
        )
    return "csv"


def _unsupported(zh: str, en: str) -> FileRejected:
    return FileRejected(
        415, "unsupported_type", f"{zh}；{_UPLOAD_HINT_ZH}", f"{en}; {_UPLOAD_HINT_EN}"
    )


def check_size(fp: BinaryFile, limits: Limits = DEFAULT_LIMITS) -> int:
    """The file's size in bytes; 413 above ``max_bytes``, 400 when empty. Rewinds ``fp``."""
    size = fp.seek(0, io.SEEK_END)
    fp.seek(0)
    if size > limits.max_bytes:
        megabytes = f"{limits.max_bytes / (1024 * 1024):g}"
        raise FileRejected(
            413,
            "file_too_large",
            f"文件超过 {megabytes} MB 上限",
            f"the file exceeds the {megabytes} MB limit",
        )
    if size == 0:
        raise FileRejected(400, "empty_file", "文件是空的", "the file is empty")
    return size


# --- the xlsx container ---------------------------------------------------------------------

_EOCD = b"PK\x05\x06"
_EOCD_FORMAT = "<4s4H2LH"  # signature, disk, cd disk, entries here, entries, cd size, offset, note
_EOCD_SIZE = struct.calcsize(_EOCD_FORMAT)
_MAX_DIRECTORY_RECORD = 1024  # bytes per central-directory record; real ones are < 200
_RATIO_FLOOR = 1024 * 1024  # tiny entries may compress very well without being bombs
_REQUIRED_PARTS = ("[Content_Types].xml", "xl/workbook.xml")
_XML_SUFFIXES = (".xml", ".rels", ".vml")


def check_xlsx_container(fp: BinaryFile, limits: Limits = DEFAULT_LIMITS) -> None:
    """Reject zip bombs and non-workbooks from the central directory alone.

    Nothing is decompressed except at most 1 KB of each XML part, to refuse a DOCTYPE or
    ENTITY declaration (422 "xml_doctype_forbidden"). Too many entries or too many declared
    bytes is 413 "archive_too_large"; a bomb-like ratio or a path escaping the archive is 422
    "suspicious_archive"; a zip that cannot be read or lacks the workbook parts is 415.
    """
    _check_directory_size(fp, limits)
    try:
        with zipfile.ZipFile(fp) as archive:
            infos = archive.infolist()
            _check_entries(infos, limits)
            _check_xml_heads(archive, infos)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as exc:
        raise _not_a_workbook() from exc
    finally:
        fp.seek(0)


def _check_directory_size(fp: BinaryFile, limits: Limits) -> None:
    # zipfile builds a ZipInfo per record before we could count them: a 17 MB directory of
    # empty entries costs 110 MB and 7 s. The end-of-directory record gives the count first.
    size = fp.seek(0, io.SEEK_END)
    tail_size = min(size, _EOCD_SIZE + 0xFFFF)
    fp.seek(size - tail_size)
    tail = fp.read(tail_size)
    fp.seek(0)
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) - at < _EOCD_SIZE:
        return  # no end record: zipfile reports the damage
    fields = struct.unpack(_EOCD_FORMAT, tail[at : at + _EOCD_SIZE])
    entries, directory_size = fields[4], fields[5]
    if entries > limits.max_entries or directory_size > limits.max_entries * _MAX_DIRECTORY_RECORD:
        raise _too_large(
            f"超过 {limits.max_entries} 个文件", f"more than {limits.max_entries} entries"
        )


def _check_entries(infos: list[zipfile.ZipInfo], limits: Limits) -> None:
    if len(infos) > limits.max_entries:
        raise _too_large(
            f"超过 {limits.max_entries} 个文件", f"more than {limits.max_entries} entries"
        )
    if sum(info.file_size for info in infos) > limits.max_uncompressed:
        megabytes = f"{limits.max_uncompressed / (1024 * 1024):g}"
        raise _too_large(f"解压后超过 {megabytes} MB", f"more than {megabytes} MB uncompressed")
    for info in infos:
        if _unsafe_name(info.filename):
            raise _suspicious("含有指向压缩包外的路径", "an entry whose path leaves the archive")
        too_dense = info.file_size > limits.max_ratio * max(info.compress_size, 1)
        if info.file_size > _RATIO_FLOOR and too_dense:
            raise _suspicious(
                "压缩比异常（疑似压缩炸弹）", "abnormal compression ratio (zip bomb?)"
            )
    names = {info.filename for info in infos}
    if not all(part in names for part in _REQUIRED_PARTS):
        raise _not_a_workbook()


def _unsafe_name(name: str) -> bool:
    path = name.replace("\\", "/")
    return path.startswith("/") or bool(re.match(r"[A-Za-z]:", path)) or ".." in path.split("/")


def _check_xml_heads(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> None:
    for info in infos:
        if not info.filename.lower().endswith(_XML_SUFFIXES):
            continue
        try:
            with archive.open(info) as part:
                head = part.read(1024)  # bounded: the decompressor stops at 1 KB of output
        except (zipfile.BadZipFile, zlib.error, RuntimeError, NotImplementedError) as exc:
            raise _unreadable_xlsx() from exc
        if _declares_doctype(head):
            raise _doctype_forbidden()


def _declares_doctype(head: bytes) -> bool:
    """Whether an XML head declares a DTD or an entity; NULs are dropped to catch UTF-16."""
    text = head.replace(b"\x00", b"").upper()
    return b"<!DOCTYPE" in text or b"<!ENTITY" in text


def _too_large(zh: str, en: str) -> FileRejected:
    return FileRejected(413, "archive_too_large", f"工作簿{zh}", f"the workbook has {en}")


def _suspicious(zh: str, en: str) -> FileRejected:
    return FileRejected(422, "suspicious_archive", f"工作簿{zh}", f"the workbook has {en}")


def _not_a_workbook() -> FileRejected:
    return FileRejected(
        415,
        "not_a_workbook",
        f"文件已损坏或不是 Excel 工作簿；{_UPLOAD_HINT_ZH}",
        f"the file is damaged or not an Excel workbook; {_UPLOAD_HINT_EN}",
    )


def _unreadable_xlsx() -> FileRejected:
    return FileRejected(
        422,
        "unreadable_xlsx",
        "工作簿内容无法读取，请在 Excel 中打开后重新保存",
        "the workbook cannot be read; open it in Excel and save it again",
    )


def _doctype_forbidden() -> FileRejected:
    return FileRejected(
        422,
        "xml_doctype_forbidden",
        "工作簿含有 DOCTYPE/ENTITY 声明，出于安全原因拒绝导入",
        "the workbook declares a DOCTYPE or ENTITY and is refused for safety",
    )


def assert_defusedxml() -> None:
    """Raise RuntimeError unless openpyxl parses XML through defusedxml (check at start-up).

    openpyxl silently falls back to the standard library parser when defusedxml is missing
    or OPENPYXL_DEFUSEDXML is set to anything but "True".
    """
    from openpyxl.xml import DEFUSEDXML
    from openpyxl.xml.functions import iterparse

    if not DEFUSEDXML or not iterparse.__module__.startswith("defusedxml"):
        raise RuntimeError(
            "openpyxl is not using defusedxml: install defusedxml and leave "
            "OPENPYXL_DEFUSEDXML unset"
        )


# --- rows -----------------------------------------------------------------------------------

Cell = str | int | float | datetime | Formula | None


@dataclass(frozen=True)
class _Header:
    number: int
    width: int
    columns: dict[int, str]  # cell index -> canonical column


def iter_rows(
    fp: BinaryFile, kind: str, limits: Limits = DEFAULT_LIMITS
) -> Iterator[tuple[int, dict[str, object]]]:
    """Stream ``(row number, {canonical column: raw value})`` from an "xlsx" or "csv" file.

    The row number is the one the user sees (header = row 1 when it is the first line).
    The first non-blank row is the header, mapped through HEADERS; unknown names are ignored.
    Every canonical column is a key (None when absent); blank rows are skipped; a row with a
    non-empty cell right of the header's last cell carries ``"__ragged__": True``. All
    problems, including errors deep inside openpyxl, surface as FileRejected while iterating.
    """
    check_size(fp, limits)
    if kind == "xlsx":
        cells = _xlsx_cells(fp, limits)
    elif kind == "csv":
        cells = _csv_cells(fp, limits)
    else:
        raise ValueError(f"unknown kind {kind!r}")
    yield from _mapped(cells, limits)


def _mapped(
    rows: Iterator[tuple[int, list[Cell]]], limits: Limits
) -> Iterator[tuple[int, dict[str, object]]]:
    header: _Header | None = None
    for number, cells in rows:
        # Counted before blank rows are skipped: a sheet whose only row is number 10⁹ must
        # not make us walk through a billion empty ones.
        if number - (header.number if header else 0) > limits.max_rows:
            raise _too_many_rows(limits)
        if not any(cell is not None for cell in cells):
            continue
        _check_cell_lengths(number, cells, limits)
        if header is None:
            header = _read_header(number, cells, limits)
        else:
            yield number, _row_dict(header, cells)
    if header is None:
        raise FileRejected(400, "empty_file", "文件中没有数据", "the file holds no data")


def _read_header(number: int, cells: list[Cell], limits: Limits) -> _Header:
    width = max(index for index, cell in enumerate(cells) if cell is not None) + 1
    if width > limits.max_columns:
        raise FileRejected(
            422,
            "too_many_columns",
            f"表头超过 {limits.max_columns} 列",
            f"the header has more than {limits.max_columns} columns",
        )
    columns = map_header(cells[:width], HEADERS, REQUIRED_COLUMNS)
    return _Header(number, width, columns)


def map_header(
    cells: Sequence[Any], headers: dict[str, tuple[str, ...]], required: Sequence[str]
) -> dict[int, str]:
    """Cell index -> canonical column, by the names in ``headers`` (Chinese or English,
    compared after NFKC, casefold and collapsed spaces). A column named twice or a
    required one missing is a 422 naming it; unknown names are ignored."""
    lookup = {_normal_name(name): column for column, names in headers.items() for name in names}
    columns: dict[int, str] = {}
    for index, cell in enumerate(cells):
        column = lookup.get(_normal_name(cell)) if cell is not None else None
        if column in columns.values():
            raise FileRejected(
                422,
                "duplicate_columns",
                f"表头中「{headers[column][0]}」列出现了两次",
                f"the header has the column {headers[column][1]!r} twice",
            )
        if column:
            columns[index] = column
    missing = [column for column in required if column not in columns.values()]
    if missing:
        raise FileRejected(
            422,
            "missing_columns",
            "缺少必需的列：" + "、".join(headers[column][0] for column in missing),
            "required columns are missing: " + ", ".join(headers[column][1] for column in missing),
        )
    return columns


def _row_dict(header: _Header, cells: list[Cell]) -> dict[str, object]:
    row: dict[str, object] = dict.fromkeys(HEADERS)
    for index, column in header.columns.items():
        if index < len(cells):
            row[column] = cells[index]
    if any(cell is not None for cell in cells[header.width :]):
        row[RAGGED] = True
    return row


def _check_cell_lengths(number: int, cells: list[Cell], limits: Limits) -> None:
    for cell in cells:
        text = cell.text if isinstance(cell, Formula) else cell
        if isinstance(text, str) and len(text) > limits.max_cell_chars:
            raise FileRejected(
                422,
                "cell_too_long",
                f"第 {number} 行有单元格超过 {limits.max_cell_chars} 个字符",
                f"row {number} has a cell longer than {limits.max_cell_chars} characters",
            )


def _too_many_rows(limits: Limits) -> FileRejected:
    return FileRejected(
        413,
        "too_many_rows",
        f"数据超过 {limits.max_rows} 行，请分成几个文件上传",
        f"more than {limits.max_rows} rows; split the file",
    )


def _text_cell(text: str) -> str | None:
    text = text.strip()
    return text or None


# --- xlsx rows ------------------------------------------------------------------------------

_END = object()


def _xlsx_cells(fp: BinaryFile, limits: Limits) -> Iterator[tuple[int, list[Cell]]]:
    # Without defusedxml, a DOCTYPE placed after 1 KB of comment expands its entities.
    assert_defusedxml()
    check_xlsx_container(fp, limits)
    with _xlsx_errors():
        workbook = openpyxl.load_workbook(fp, read_only=True, data_only=False)
    try:
        with _xlsx_errors():
            sheet = workbook.worksheets[0]
            # A hostile <dimension ref="A1:XFD1048576"> would pad every row to 16 384 cells
            # and append a million empty rows; without it rows are as wide as their cells.
            sheet.reset_dimensions()
            rows = sheet.iter_rows(values_only=False)
        for number, row in enumerate(_guarded(rows), start=1):
            yield number, [_xlsx_value(cell) for cell in row]
    finally:
        workbook.close()


def _guarded(rows: Iterator[Any]) -> Iterator[Any]:
    # read_only parses the sheet lazily, so XML errors arrive while iterating, not on load.
    # A plain try per row: a context manager per row tripled the cost of a million rows.
    while True:
        try:
            row = next(rows, _END)
        except Exception as exc:
            raise _xlsx_rejection(exc) from exc
        if row is _END:
            return
        yield row


@contextmanager
def _xlsx_errors() -> Iterator[None]:
    """Any failure inside openpyxl is the file's fault: 422, never a 500."""
    try:
        yield
    except FileRejected:
        raise
    except Exception as exc:  # openpyxl raises KeyError, ValueError, ParseError, ... at will
        raise _xlsx_rejection(exc) from exc


def _xlsx_rejection(exc: Exception) -> FileRejected:
    if _caused_by(exc, DefusedXmlException):
        return _doctype_forbidden()
    return _unreadable_xlsx()


def _caused_by(exc: BaseException | None, kind: type[BaseException]) -> bool:
    # load_workbook wraps errors from reading the sheets in a ValueError("Unable to read ...").
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, kind):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def _xlsx_value(cell: Any) -> Cell:
    value = cell.value
    if cell.data_type == "f":  # read-only mode gives "=1+1", or an ArrayFormula object
        return Formula(str(getattr(value, "text", value)))
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"  # not a number: True must not import as 1
    if value is None or isinstance(value, int | float | datetime):
        return value
    return _text_cell(value if isinstance(value, str) else str(value))  # text, time, timedelta


# --- csv rows -------------------------------------------------------------------------------

_CHUNK = 1024 * 1024
_HEAD = 64 * 1024


def _csv_cells(fp: BinaryFile, limits: Limits) -> Iterator[tuple[int, list[Cell]]]:
    encoding = csv_encoding(fp)
    delimiter = _csv_delimiter(fp, encoding)
    text = io.TextIOWrapper(fp, encoding=encoding, newline="")
    try:
        reader = csv.reader(_bounded_lines(text, limits), delimiter=delimiter)
        for number, record in enumerate(_guarded_csv(reader), start=1):
            yield number, [_csv_value(field) for field in record]
    finally:
        # Leave the caller's file open; if the caller closed it first there is nothing to do.
        with suppress(ValueError):
            text.detach()


def csv_encoding(fp: BinaryFile) -> str:
    """UTF-8 with BOM, else UTF-8 if the whole file decodes, else GB18030 (covers GBK).

    The whole file is checked up front, chunk by chunk, so a GBK file whose Chinese starts
    after the first megabyte is never half-read as UTF-8 and no row is ever yielded twice.
    """
    fp.seek(0)
    if fp.read(len(codecs.BOM_UTF8)) == codecs.BOM_UTF8:
        fp.seek(0)
        return "utf-8-sig"
    fp.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for chunk in iter(lambda: fp.read(_CHUNK), b""):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "gb18030"
    finally:
        fp.seek(0)
    return "utf-8"


def _csv_delimiter(fp: BinaryFile, encoding: str) -> str:
    """Tab when the first non-blank line has more tabs than commas (Excel "text" export)."""
    head = fp.read(_HEAD).decode(encoding, errors="ignore")
    fp.seek(0)
    line = next((line for line in head.splitlines() if line.strip()), "")
    return "\t" if line.count("\t") > line.count(",") else ","


def _bounded_lines(text: io.TextIOWrapper, limits: Limits) -> Iterator[str]:
    # csv would split a 20 MB line of commas into 20 million fields (160 MB of pointers);
    # no line of max_columns cells of max_cell_chars (quotes doubled) can be longer than this.
    longest = limits.max_columns * (2 * limits.max_cell_chars + 3)
    while line := text.readline(longest + 1):
        if len(line) > longest:
            raise FileRejected(
                422,
                "line_too_long",
                f"文件中有一行超过 {longest} 个字符",
                f"a line is longer than {longest} characters",
            )
        if "\x00" in line:  # Python ≥ 3.11's csv accepts NUL; it only comes from binary data
            raise _unreadable_csv("含有 NUL 字符", "contains NUL characters")
        yield line


def _guarded_csv(reader: Iterator[list[str]]) -> Iterator[list[str]]:
    while True:
        try:
            record = next(reader, _END)
        except UnicodeDecodeError as exc:
            raise _unreadable_csv("编码无法识别", "the text encoding is not recognised") from exc
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                raise _cell_too_long_csv(exc) from exc
            raise _unreadable_csv("格式错误", f"malformed ({exc})") from exc
        if record is _END:
            return
        yield record  # type: ignore[misc]


def _csv_value(field: str) -> Cell:
    value = _text_cell(field)
    # Not a formula to the csv module, but Excel evaluates it when the file is reopened.
    if value is not None and value.startswith("="):
        return Formula(value)
    return value


def _unreadable_csv(zh: str, en: str) -> FileRejected:
    return FileRejected(422, "unreadable_csv", f"CSV 文件{zh}", f"the CSV file {en}")


def _cell_too_long_csv(exc: csv.Error) -> FileRejected:
    limit = csv.field_size_limit()
    return FileRejected(
        422,
        "cell_too_long",
        f"CSV 文件中有单元格超过 {limit} 个字符",
        f"a CSV cell is longer than {limit} characters",
    )


# --- exports --------------------------------------------------------------------------------

_DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_XLSX_TYPES = (str, int, float, Decimal, datetime, date, time, timedelta, type(None), Formula)


def neutralise(value: Any) -> Any:
    """Prefix ``'`` to text that a spreadsheet would run as a formula (CSV injection).

    Applies to strings starting with = + - @ tab or CR, and to Formula cells; numbers, dates
    and None pass unchanged, so a negative number stays a number.
    """
    if isinstance(value, Formula):
        value = value.text
    if isinstance(value, str) and value.startswith(_DANGEROUS_PREFIXES):
        return "'" + value
    return value


def _xlsx_safe(value: Any) -> Any:
    if not isinstance(value, _XLSX_TYPES):
        value = str(value)
    if isinstance(value, str):
        # Removed first: stripping "\x01" from "\x01=cmd" would expose the "=".
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return neutralise(value)


def write_xlsx(sheets: dict[str, tuple[Sequence[Any], Iterable[Sequence[Any]]]]) -> bytes:
    """A workbook with one sheet per entry (title -> (header, rows)), every string neutralised.

    Written in write_only mode, so rows may be a generator of any length.
    """
    if not sheets:
        raise ValueError("write_xlsx needs at least one sheet")
    workbook = openpyxl.Workbook(write_only=True)
    for title, (header, rows) in sheets.items():
        sheet = workbook.create_sheet(_sheet_title(title))
        sheet.append([_xlsx_safe(value) for value in header])
        for row in rows:
            sheet.append([_xlsx_safe(value) for value in row])
    return _saved(workbook)


def write_csv(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> bytes:
    """CSV in UTF-8 with a BOM (so Excel shows Chinese correctly), every string neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise(value) for value in header])
    writer.writerows([neutralise(value) for value in row] for row in rows)
    return out.getvalue().encode("utf-8-sig")


def _sheet_title(title: str) -> str:
    """Excel forbids []:*?/\\ in sheet names and allows at most 31 characters."""
    cleaned = re.sub(r"[\[\]:*?/\\]", "_", ILLEGAL_CHARACTERS_RE.sub("", title)).strip("'")
    return cleaned[:31] or "Sheet"


def _saved(workbook: openpyxl.Workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --- the fill-in template -------------------------------------------------------------------


@dataclass(frozen=True)
class TemplateRow:
    """One line of the template: an organ's indicator for a period, with last period's value."""

    period: str
    organ: str
    spec: IndicatorSpec
    previous: float | None = None


# value_kind -> the columns an official types into; the rest of numerator/denominator/value
# is greyed out. A derived value is never typed: it is computed from its parts.
_INPUT_COLUMNS = {
    "rate": ("numerator", "denominator"),
    "average": ("numerator", "denominator"),
    "change": ("numerator", "denominator"),
    "count": ("value",),
    "index": ("denominator", "value"),  # the denominator of an index is its weight
}
_NUMBER_COLUMNS = ("numerator", "denominator", "value")
_COLUMN_NUMBER = {column: position for position, column in enumerate(HEADERS, start=1)}
_WIDTHS = {
    "period": 10,
    "organ": 26,
    "indicator": 10,
    "indicator_name": 28,
    "numerator": 12,
    "denominator": 12,
    "value": 12,
    "unit": 8,
    "note": 30,
}
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
_GREY_FILL = PatternFill("solid", fgColor="D9D9D9")
_FORMULA_ZH = {
    "rate": "数值 = 分子 ÷ 分母 × {scale}，由系统计算，无需填写",
    "average": "数值 = 分子 ÷ 分母，由系统计算，无需填写",
    "change": "数值 =（分子 ÷ 分母 − 1）× {scale}，分子为本期、分母为上年同期，由系统计算",
}


def template_xlsx(rows: list[TemplateRow], title_zh: str) -> bytes:
    """The fill-in workbook: one pre-filled row per TemplateRow, input cells in yellow.

    Each indicator name carries a comment (meaning of numerator and denominator, allowed
    range, colour bands, last period's value); input cells carry data validation. The second
    sheet explains the rules. Normal (not write_only) mode, meant for at most a few hundred rows.
    """
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = _sheet_title(title_zh)
    workbook.properties.title = title_zh
    _template_header(sheet)
    validations: dict[tuple[str, ...], DataValidation] = {}
    for number, row in enumerate(rows, start=2):
        _template_row(sheet, number, row, validations)
    for validation in validations.values():
        sheet.add_data_validation(validation)
    sheet.freeze_panes = "A2"
    _instructions(workbook.create_sheet("说明 Instructions"))
    return _saved(workbook)


def _template_header(sheet: Any) -> None:
    sheet.append(list(TEMPLATE_HEADER))
    for column, position in _COLUMN_NUMBER.items():
        cell = sheet.cell(row=1, column=position)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        sheet.column_dimensions[get_column_letter(position)].width = _WIDTHS[column]


def _template_row(
    sheet: Any, number: int, row: TemplateRow, validations: dict[tuple[str, ...], DataValidation]
) -> None:
    spec = row.spec
    given = {
        "period": row.period,
        "organ": row.organ,
        "indicator": spec.code,
        "indicator_name": spec.name_zh,
        "unit": spec.unit,
    }
    for column, value in given.items():
        cell = sheet.cell(row=number, column=_COLUMN_NUMBER[column], value=value)
        cell.number_format = "@"  # keep "2025-01" text; Excel would turn it into a date
    inputs = _INPUT_COLUMNS[spec.value_kind]
    for column in _NUMBER_COLUMNS:
        cell = sheet.cell(row=number, column=_COLUMN_NUMBER[column])
        cell.fill = _INPUT_FILL if column in inputs else _GREY_FILL
        rule = _rule_for(spec, column)
        if rule not in validations:
            validations[rule] = _validation(rule)
        validations[rule].add(cell)
    name_cell = sheet.cell(row=number, column=_COLUMN_NUMBER["indicator_name"])
    name_cell.comment = Comment(_spec_note(spec, row.previous), "judsup", height=160, width=320)


def _rule_for(spec: IndicatorSpec, column: str) -> tuple[str, ...]:
    """(type, operator, formula1[, formula2]) of the validation on one number cell."""
    if column != "value":
        return ("decimal", "greaterThanOrEqual", "0")
    kind = "whole" if spec.value_kind == "count" else "decimal"
    return (kind, "between", _number(spec.min), _number(spec.max))


def _validation(rule: tuple[str, ...]) -> DataValidation:
    kind, operator, *formulas = rule
    if operator == "between":
        bounds_zh = f"{formulas[0]} 到 {formulas[1]} 之间的"
        bounds_en = f"between {formulas[0]} and {formulas[1]}"
    else:
        bounds_zh, bounds_en = "不小于 0 的", "of at least 0"
    number_zh, number_en = ("整数", "a whole number") if kind == "whole" else ("数", "a number")
    validation = DataValidation(
        type=kind,
        operator=operator,
        formula1=formulas[0],
        formula2=formulas[1] if len(formulas) > 1 else None,
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="数值无效 Invalid value",
        error=f"请填写{bounds_zh}{number_zh}。Enter {number_en} {bounds_en}.",
    )
    return validation


def _spec_note(spec: IndicatorSpec, previous: float | None) -> str:
    """The comment on the indicator name: parts, range, colour bands, last period's value."""
    lines = [f"{spec.code} {spec.name_zh}（{spec.unit}）"]
    if spec.value_kind in _FORMULA_ZH:
        lines.append(f"分子：{spec.numerator_zh}；分母：{spec.denominator_zh}")
        lines.append(_FORMULA_ZH[spec.value_kind].format(scale=spec.scale))
    elif spec.value_kind == "index":
        lines.append(f"在「数值」列填写指数；分母填写{spec.denominator_zh}")
    else:
        lines.append("在「数值」列直接填写件数（整数）")
    lines.append(f"允许范围：[{_number(spec.min)}, {_number(spec.max)}] {spec.unit}")
    lines.append(_bands_zh(spec))
    if previous is not None:
        lines.append(f"上期数值：{_number(previous)} {spec.unit}")
    return "\n".join(lines)


def _bands_zh(spec: IndicatorSpec) -> str:
    """Green and red bands in words; each boundary belongs to the better colour."""
    if spec.peer_rated or spec.green is None or spec.red is None:
        return "评价：与同级机关及自身历史比较，不设绝对阈值"
    better, worse = ("≥", "<") if spec.direction == "up" else ("≤", ">")
    green, red = _number(spec.green), _number(spec.red)
    return f"绿：{better} {green} ；红：{worse} {red}（其间为黄）"


def _number(value: float) -> str:
    """A number for people: no trailing zeros, no exponent (1e7 -> "10000000")."""
    if not math.isfinite(value):
        return str(value)
    return f"{value:.4f}".rstrip("0").rstrip(".")


_INSTRUCTIONS = (
    ("填写说明", "Instructions"),
    (
        "每行是一个机关在一个期间的一个指标。请勿修改期间、机关、指标代码，也不要增删表头。",
        "Each row is one indicator of one organ for one period. Do not change the period, "
        "organ or indicator code, and do not change the header row.",
    ),
    (
        "只填写黄色单元格；灰色单元格留空。",
        "Fill in the yellow cells only; leave the grey cells empty.",
    ),
    (
        "比率、平均数和同比变化只填分子和分母，数值由系统计算，不必也不要重复填写。",
        "For rates, averages and year-on-year changes enter the numerator and denominator "
        "only; the value is computed by the system and must not be typed twice.",
    ),
    (
        "件数直接在「数值」列填写整数；指数在「数值」列填写分数，在「分母」列填写权重（样本量）。",
        "For counts enter a whole number under Value; for an index enter the score under "
        "Value and its weight (sample size) under Denominator.",
    ),
    (
        "请直接填写数字，不要使用公式：含公式的单元格会被拒绝。",
        "Type numbers, not formulas: cells containing a formula are rejected.",
    ),
    (
        "将鼠标移到「指标名称」上可查看分子分母含义、允许范围、颜色标准和上期数值。",
        "Hover over the indicator name to see what the numerator and denominator mean, the "
        "allowed range, the colour bands and last period's value.",
    ),
    (
        "上传 .xlsx 文件，或另存为 CSV（UTF-8 或 GBK 编码均可）后上传；文件不超过 20 MB。",
        "Upload the .xlsx file, or save it as CSV (UTF-8 or GBK) and upload that; "
        "files may be at most 20 MB.",
    ),
)


def _instructions(sheet: Any) -> None:
    for zh, en in _INSTRUCTIONS:
        sheet.append([zh, en])
    sheet["A1"].font = Font(bold=True)
    sheet["B1"].font = Font(bold=True)
    for letter in ("A", "B"):
        sheet.column_dimensions[letter].width = 70
        for cell in sheet[letter]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
