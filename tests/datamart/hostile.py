"""Hostile and well-formed upload files as bytes, for tests of the import path.

Everything is built in memory in well under a second; the zip bomb is written by hand from
one repeated deflate block, so its 1 GB of zeros is never held or even compressed.
"""

from __future__ import annotations

import csv
import io
import re
import struct
import zipfile
import zlib
from collections.abc import Sequence

import openpyxl

from app.datamart.files import HEADERS, TEMPLATE_HEADER

Row = Sequence[object]

# Template layout: 期间, 机关, 指标代码, 指标名称, 分子, 分母, 数值, 单位, 说明
SAMPLE_ROWS: list[list[object]] = [
    ["2025-01", "城关区人民法院", "CT01", "结收比", 95, 100, None, "%", "一月数据"],
    ["2025-01", "城关区人民检察院", "PR01", "审查起诉案件数", None, None, 42, "件", None],
    ["2025-01", "城关区人民法院", "CT05", "法官人均结案数", 120, 8, None, "件/人", "含速裁"],
]
ENGLISH_HEADER = tuple(names[1] for names in HEADERS.values())
MB = 1024 * 1024


# --- well-formed files ----------------------------------------------------------------------


def valid_xlsx(rows: Sequence[Row] = SAMPLE_ROWS, header: Row = TEMPLATE_HEADER) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    return _saved(workbook)


def valid_csv(
    rows: Sequence[Row] = SAMPLE_ROWS,
    encoding: str = "utf-8-sig",
    delimiter: str = ",",
    header: Row = TEMPLATE_HEADER,
) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(["" if value is None else value for value in row] for row in rows)
    return out.getvalue().encode(encoding)


def gbk_csv(rows: Sequence[Row] = SAMPLE_ROWS) -> bytes:
    """What Excel's plain "CSV (逗号分隔)" saves on a Chinese Windows."""
    return valid_csv(rows, encoding="gbk")


def late_chinese_gbk_csv(ascii_bytes: int = 70_000) -> tuple[bytes, int]:
    """GBK whose first ``ascii_bytes`` are ASCII (English header); returns (file, rows)."""
    filler = ["2025-01", "organ-ascii", "PR01", "ascii", "", "", 1, "", "x" * 40]
    line_size = len(valid_csv([filler], header=[]))
    ascii_rows = [filler] * (ascii_bytes // line_size + 1)
    rows = [*ascii_rows, SAMPLE_ROWS[1]]
    return valid_csv(rows, encoding="gbk", header=ENGLISH_HEADER), len(rows)


# --- text files -----------------------------------------------------------------------------


def pdf_renamed() -> bytes:
    """A minimal PDF, as if renamed to .xlsx or .csv."""
    return (
        b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
        b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
        b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
    )


def xls_renamed() -> bytes:
    """The OLE2 compound-file signature of an old .xls (and of an encrypted .xlsx)."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)


def wide_csv(columns: int = 10_000) -> bytes:
    header = [*TEMPLATE_HEADER, *(f"extra{index}" for index in range(columns))]
    return valid_csv([SAMPLE_ROWS[0]], header=header)


def ragged_csv() -> bytes:
    """Row 2 fine, row 3 two cells too many, row 4 trailing empty cells only (not ragged)."""
    text = "\r\n".join(
        [
            ",".join(TEMPLATE_HEADER),
            "2025-01,城关区人民法院,CT01,结收比,95,100,,%,",
            "2025-01,城关区人民法院,CT01,结收比,95,100,,%,,多出来,还有",
            "2025-01,城关区人民法院,CT01,结收比,95,100,,%,,,,",
        ]
    )
    return (text + "\r\n").encode("utf-8")


def formula_csv() -> bytes:
    rows = [
        ["2025-01", "城关区人民法院", "CT01", "结收比", "=1+1", 100, None, "%", None],
        [
            "2025-01",
            "城关区人民法院",
            "CT05",
            "法官人均结案数",
            120,
            8,
            None,
            "件/人",
            "=cmd|' /C calc'!A0",
        ],
    ]
    return valid_csv(rows, encoding="utf-8")


def oversized(n_bytes: int) -> bytes:
    """A plausible CSV of at least ``n_bytes`` bytes."""
    head = valid_csv([])
    line = valid_csv([SAMPLE_ROWS[0]], header=[])
    count = max(0, -(-(n_bytes - len(head)) // len(line)))
    return head + line * count


def long_line_csv(chars: int = 2_000_000) -> bytes:
    """A header followed by one enormous line of commas."""
    return valid_csv([]) + b"," * chars + b"\r\n"


# --- xlsx files -----------------------------------------------------------------------------


def formula_xlsx() -> bytes:
    """A real workbook whose first numerator cell is the formula =1+1."""
    rows = [list(row) for row in SAMPLE_ROWS]
    rows[0][4] = "=1+1"
    return valid_xlsx(rows)


def doctype_xlsx(padding: int = 0) -> bytes:
    """A workbook whose sheet XML declares an entity and uses it in a cell.

    ``padding`` bytes of XML comment before the DOCTYPE push it past the container check's
    1 KB look-ahead, leaving it to openpyxl's (defused) parser.
    """
    rows = [list(row) for row in SAMPLE_ROWS]
    rows[0][8] = 424242  # a marker to replace with the entity reference
    comment = f"<!--{' ' * padding}-->" if padding else ""
    prolog = f'<?xml version="1.0" encoding="UTF-8"?>{comment}<!DOCTYPE x [<!ENTITY e "boom">]>'

    def rewrite(xml: bytes) -> bytes:
        text = xml.decode("utf-8")
        text = re.sub(
            r'<c r="I2"[^>]*><v>424242</v></c>',
            '<c r="I2" t="inlineStr"><is><t>&e;</t></is></c>',
            text,
        )
        return (prolog + text).encode("utf-8")

    return _rewritten(valid_xlsx(rows), {"xl/worksheets/sheet1.xml": rewrite})


def far_row_xlsx(row_number: int = 1_000_000_000) -> bytes:
    """A sheet whose second row claims to be row ``row_number`` (a gap of empty rows)."""

    def rewrite(xml: bytes) -> bytes:
        text = xml.decode("utf-8")
        text = text.replace('<row r="2">', f'<row r="{row_number}">')
        return re.sub(r'r="([A-Z]+)2"', rf'r="\g<1>{row_number}"', text).encode("utf-8")

    return _rewritten(valid_xlsx(SAMPLE_ROWS[:1]), {"xl/worksheets/sheet1.xml": rewrite})


def wide_dimension_xlsx() -> bytes:
    """A small sheet claiming <dimension ref="A1:XFD1048576">."""

    def rewrite(xml: bytes) -> bytes:
        return re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', xml)

    return _rewritten(valid_xlsx(), {"xl/worksheets/sheet1.xml": rewrite})


def not_a_workbook_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    return buffer.getvalue()


def many_entries_xlsx(entries: int = 600) -> bytes:
    buffer = io.BytesIO(valid_xlsx())
    with zipfile.ZipFile(buffer, "a") as archive:
        for index in range(entries):
            archive.writestr(f"xl/media/pad{index}.bin", b"")
    return buffer.getvalue()


def traversal_xlsx() -> bytes:
    buffer = io.BytesIO(valid_xlsx())
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr("../../etc/evil.xml", "<x/>")
    return buffer.getvalue()


def truncated_xlsx() -> bytes:
    """A workbook cut in half: the zip magic is there, the central directory is not."""
    data = valid_xlsx()
    return data[: len(data) // 2]


def corrupt_sheet_xlsx() -> bytes:
    """A well-formed zip whose sheet XML is not XML."""
    return _rewritten(valid_xlsx(), {"xl/worksheets/sheet1.xml": lambda _: b"<worksheet><oops"})


def zip_bomb_xlsx(declared_mb: int = 1024) -> bytes:
    """[Content_Types].xml, xl/workbook.xml and a sheet of ``declared_mb`` MB of zeros.

    A genuine archive (it would really inflate to that size), made by repeating one deflate
    block ended by a full flush: such blocks are independent, so the zeros are compressed
    once, in 1 MB, and the file is about 1 KB per declared megabyte.
    """
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    zeros = bytes(MB)
    block = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(declared_mb):
        crc = zlib.crc32(zeros, crc)
    stream = block * declared_mb + compressor.flush()
    parts = _small_parts(valid_xlsx(), ("[Content_Types].xml", "xl/workbook.xml"))
    bomb = ("xl/worksheets/sheet1.xml", stream, crc, declared_mb * MB)
    return _raw_zip([*parts, bomb])


# --- zip plumbing ---------------------------------------------------------------------------


def _saved(workbook: openpyxl.Workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _rewritten(data: bytes, changes: dict) -> bytes:
    """Copy a zip, passing the named entries' bytes through the given functions."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename in changes:
                content = changes[info.filename](content)
            target.writestr(info.filename, content, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _small_parts(data: bytes, names: Sequence[str]) -> list[tuple[str, bytes, int, int]]:
    parts = []
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        for name in names:
            content = source.read(name)
            compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
            raw = compressor.compress(content) + compressor.flush()
            parts.append((name, raw, zlib.crc32(content), len(content)))
    return parts


def _raw_zip(entries: Sequence[tuple[str, bytes, int, int]]) -> bytes:
    """A zip of already-deflated entries (name, raw deflate, crc32, uncompressed size)."""
    out = io.BytesIO()
    directory = b""
    for name, raw, crc, size in entries:
        encoded = name.encode("utf-8")
        offset = out.tell()
        fields = (20, 0, 8, 0, 0x21, crc, len(raw), size, len(encoded))
        out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", *fields, 0) + encoded + raw)
        directory += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, *fields, 0, 0, 0, 0, 0, offset)
        directory += encoded
    start = out.tell()
    count = len(entries)
    out.write(directory)
    out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(directory), start, 0))
    return out.getvalue()
