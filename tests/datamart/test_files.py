"""Reading uploads and writing exports: each hostile file meets the right refusal."""

from __future__ import annotations

import csv
import io
import time
import tracemalloc
import zipfile

import openpyxl
import pytest

from app.datamart import files
from app.datamart.files import (
    HEADERS,
    RAGGED,
    TEMPLATE_HEADER,
    FileRejected,
    Formula,
    Limits,
    TemplateRow,
    assert_defusedxml,
    check_xlsx_container,
    csv_encoding,
    iter_rows,
    neutralise,
    sniff,
    template_xlsx,
    write_csv,
    write_xlsx,
)
from app.indicators.dictionary import load_dictionary
from tests.datamart import hostile

MB = 1024 * 1024


def rows_of(data: bytes, limits: Limits = files.DEFAULT_LIMITS) -> list[tuple[int, dict]]:
    return list(iter_rows(io.BytesIO(data), sniff(data[:8192]), limits))


def rejection(data: bytes, limits: Limits = files.DEFAULT_LIMITS) -> tuple[int, str]:
    with pytest.raises(FileRejected) as caught:
        rows_of(data, limits)
    return caught.value.status, caught.value.code


def as_text(rows: list[tuple[int, dict]]) -> list[tuple[int, dict]]:
    """Rows with every value as the text a CSV would hold, to compare xlsx with csv."""
    return [
        (number, {key: None if value is None else str(value) for key, value in row.items()})
        for number, row in rows
    ]


# --- FileRejected and sniff -----------------------------------------------------------------


def test_file_rejected_carries_both_languages():
    error = FileRejected(415, "unsupported_type", "不支持", "unsupported")
    assert (error.status, error.code) == (415, "unsupported_type")
    assert str(error) == "不支持 / unsupported"


@pytest.mark.parametrize(
    "data, kind",
    [
        (hostile.valid_xlsx(), "xlsx"),
        (hostile.valid_csv(), "csv"),
        (hostile.gbk_csv(), "csv"),
        (hostile.valid_csv(encoding="utf-8"), "csv"),
        (hostile.not_a_workbook_zip(), "xlsx"),  # a zip; the container check refuses it later
    ],
)
def test_sniff_goes_by_content(data, kind):
    assert sniff(data[:8192]) == kind


@pytest.mark.parametrize(
    "head",
    [
        hostile.pdf_renamed(),
        hostile.xls_renamed(),
        "期间,机关\n".encode("utf-16"),
        b"\x89PNG\r\n\x1a\n" + bytes(20),
        b"period,organ\x00\x00\x00",
        bytes(range(1, 9)) * 20,
    ],
    ids=["pdf", "xls", "utf16", "png", "nul", "controls"],
)
def test_sniff_refuses_binary(head):
    with pytest.raises(FileRejected) as caught:
        sniff(head)
    assert (caught.value.status, caught.value.code) == (415, "unsupported_type")


def test_sniff_explains_old_xls():
    with pytest.raises(FileRejected) as caught:
        sniff(hostile.xls_renamed())
    assert ".xls" in caught.value.message_zh and ".xlsx" in caught.value.message_en


def test_empty_file_is_400():
    with pytest.raises(FileRejected) as caught:
        sniff(b"")
    assert (caught.value.status, caught.value.code) == (400, "empty_file")
    assert rejection(b"\r\n\r\n  \r\n") == (400, "empty_file")
    with pytest.raises(FileRejected) as caught:
        list(iter_rows(io.BytesIO(b""), "csv"))
    assert caught.value.code == "empty_file"


# --- the xlsx container ---------------------------------------------------------------------


def test_zip_bomb_is_refused_from_the_directory_without_inflating():
    started = time.perf_counter()
    bomb = hostile.zip_bomb_xlsx()
    assert time.perf_counter() - started < 2
    with zipfile.ZipFile(io.BytesIO(bomb)) as archive:
        assert sum(info.file_size for info in archive.infolist()) > 1000 * MB
    tracemalloc.start()
    try:
        assert rejection(bomb) == (413, "archive_too_large")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 50 * MB


def test_dense_entry_below_the_total_is_suspicious():
    assert rejection(hostile.zip_bomb_xlsx(declared_mb=50)) == (422, "suspicious_archive")


@pytest.mark.parametrize(
    "make, expected",
    [
        (hostile.many_entries_xlsx, (413, "archive_too_large")),
        (hostile.traversal_xlsx, (422, "suspicious_archive")),
        (hostile.not_a_workbook_zip, (415, "not_a_workbook")),
        (hostile.truncated_xlsx, (415, "not_a_workbook")),
        (hostile.corrupt_sheet_xlsx, (422, "unreadable_xlsx")),
        (hostile.doctype_xlsx, (422, "xml_doctype_forbidden")),
    ],
)
def test_hostile_workbooks(make, expected):
    assert rejection(make()) == expected


def test_entry_count_is_read_before_zipfile_parses_the_directory(monkeypatch):
    data = hostile.many_entries_xlsx()

    def forbidden(*args, **kwargs):
        raise AssertionError("zipfile must not parse a directory this large")

    monkeypatch.setattr(files.zipfile, "ZipFile", forbidden)
    with pytest.raises(FileRejected) as caught:
        check_xlsx_container(io.BytesIO(data))
    assert caught.value.code == "archive_too_large"


def test_doctype_in_the_first_kilobyte_is_refused_by_the_container_check():
    with pytest.raises(FileRejected) as caught:
        check_xlsx_container(io.BytesIO(hostile.doctype_xlsx()))
    assert caught.value.code == "xml_doctype_forbidden"


def test_doctype_past_the_first_kilobyte_is_refused_by_defusedxml():
    data = hostile.doctype_xlsx(padding=2000)
    check_xlsx_container(io.BytesIO(data))  # passes: the DOCTYPE is beyond the look-ahead
    assert rejection(data) == (422, "xml_doctype_forbidden")


def test_assert_defusedxml(monkeypatch):
    assert_defusedxml()
    import openpyxl.xml

    monkeypatch.setattr(openpyxl.xml, "DEFUSEDXML", False)
    with pytest.raises(RuntimeError):
        assert_defusedxml()


# --- reading rows ---------------------------------------------------------------------------


def test_xlsx_rows():
    rows = rows_of(hostile.valid_xlsx())
    assert [number for number, _ in rows] == [2, 3, 4]
    first = rows[0][1]
    assert first == {
        "period": "2025-01",
        "organ": "城关区人民法院",
        "indicator": "CT01",
        "indicator_name": "结收比",
        "numerator": 95,
        "denominator": 100,
        "value": None,
        "unit": "%",
        "note": "一月数据",
    }
    assert list(first) == list(HEADERS)


def test_gbk_bom_and_plain_utf8_csv_read_the_same():
    expected = as_text(rows_of(hostile.valid_xlsx()))
    for data in (
        hostile.gbk_csv(),
        hostile.valid_csv(encoding="utf-8-sig"),
        hostile.valid_csv(encoding="utf-8"),
    ):
        assert rows_of(data) == expected
    assert expected[1][1]["organ"] == "城关区人民检察院"


def test_csv_encoding_detection():
    assert csv_encoding(io.BytesIO(hostile.valid_csv(encoding="utf-8-sig"))) == "utf-8-sig"
    assert csv_encoding(io.BytesIO(hostile.valid_csv(encoding="utf-8"))) == "utf-8"
    assert csv_encoding(io.BytesIO(hostile.gbk_csv())) == "gb18030"


def test_gbk_with_chinese_only_after_the_first_64_kb():
    data, count = hostile.late_chinese_gbk_csv(ascii_bytes=70_000)
    assert data[: 64 * 1024].isascii()
    rows = rows_of(data)
    assert len(rows) == count
    assert rows[-1] == (count + 1, rows_of(hostile.gbk_csv())[1][1])
    assert len({number for number, _ in rows}) == count  # no row yielded twice


def test_tab_separated_file():
    data = hostile.valid_csv(encoding="utf-8-sig", delimiter="\t")
    assert rows_of(data) == rows_of(hostile.valid_csv())


def test_header_names_are_matched_loosely():
    header = [
        " PERIOD ",
        "Organ",
        "indicator",
        "Indicator  Name",
        "ＮＵＭＥＲＡＴＯＲ",
        "分母",
        "数值",
    ]
    rows = rows_of(
        hostile.valid_csv([["2025-01", "法院", "CT01", "x", "1", "2", ""]], header=header)
    )
    assert rows[0][1]["numerator"] == "1" and rows[0][1]["denominator"] == "2"
    assert rows[0][1]["note"] is None  # absent columns are None


def test_unknown_columns_are_ignored_and_blank_rows_skipped():
    header = ["备注二", "期间", "机关", "指标代码", "数值"]
    data = hostile.valid_csv(
        [["随便", "2025-01", "法院", "PR01", "7"], [], ["", "2025-02", "法院", "PR01", "8"]],
        header=header,
    )
    rows = rows_of(b"\r\n\r\n" + data)  # two blank lines above the header
    assert [(number, row["period"], row["value"]) for number, row in rows] == [
        (4, "2025-01", "7"),
        (6, "2025-02", "8"),
    ]
    assert all(RAGGED not in row for _, row in rows)


def test_missing_and_duplicate_columns():
    data = hostile.valid_csv([["x"]], header=["期间", "数值"])
    with pytest.raises(FileRejected) as caught:
        rows_of(data)
    assert (caught.value.status, caught.value.code) == (422, "missing_columns")
    assert "机关" in caught.value.message_zh and "指标代码" in caught.value.message_zh
    assert "organ" in caught.value.message_en
    duplicate = hostile.valid_csv([], header=[*TEMPLATE_HEADER, "Value"])
    assert rejection(duplicate) == (422, "duplicate_columns")


def test_wide_header_is_refused():
    assert rejection(hostile.wide_csv()) == (422, "too_many_columns")


def test_ragged_rows_are_marked_not_refused():
    rows = dict(rows_of(hostile.ragged_csv()))
    assert RAGGED not in rows[2]
    assert rows[3][RAGGED] is True
    assert RAGGED not in rows[4]  # extra cells that are empty do not count


def test_formula_cells_are_marked():
    xlsx = dict(rows_of(hostile.formula_xlsx()))
    assert xlsx[2]["numerator"] == Formula("=1+1")
    csv_rows = dict(rows_of(hostile.formula_csv()))
    assert csv_rows[2]["numerator"] == Formula("=1+1")
    assert isinstance(csv_rows[3]["note"], Formula)


def test_size_row_and_cell_limits():
    too_big = hostile.oversized(files.DEFAULT_LIMITS.max_bytes + 1)
    assert rejection(too_big) == (413, "file_too_large")
    assert rejection(hostile.valid_csv(), Limits(max_rows=2)) == (413, "too_many_rows")
    assert len(rows_of(hostile.valid_csv(), Limits(max_rows=3))) == 3
    long_cell = hostile.valid_csv([["2025-01", "法" * 10_001, "CT01"]])
    assert rejection(long_cell) == (422, "cell_too_long")
    long_xlsx = hostile.valid_xlsx([["2025-01", "法" * 10_001, "CT01"]])
    assert rejection(long_xlsx) == (422, "cell_too_long")
    huge_field = hostile.valid_csv([["2025-01", "x" * (csv.field_size_limit() + 1), "CT01"]])
    assert rejection(huge_field) == (422, "cell_too_long")
    assert rejection(hostile.long_line_csv()) == (422, "line_too_long")


def test_row_gap_in_a_sheet_counts_toward_the_row_limit():
    started = time.perf_counter()
    assert rejection(hostile.far_row_xlsx(), Limits(max_rows=1000)) == (413, "too_many_rows")
    assert time.perf_counter() - started < 1


def test_claimed_dimension_does_not_pad_rows():
    rows = rows_of(hostile.wide_dimension_xlsx())
    assert rows == rows_of(hostile.valid_xlsx())


@pytest.mark.parametrize(
    "tail",
    [b"a,b\x00c\r\n", b"\xff\r\n"],  # NUL past the sniffed head; 0xFF is not GB18030
    ids=["nul", "undecodable"],
)
def test_unreadable_csv(tail):
    with pytest.raises(FileRejected) as caught:
        list(iter_rows(io.BytesIO(hostile.valid_csv(encoding="utf-8") + tail), "csv"))
    assert (caught.value.status, caught.value.code) == (422, "unreadable_csv")


def test_errors_surface_while_iterating_and_the_file_stays_open():
    fp = io.BytesIO(hostile.pdf_renamed())
    rows = iter_rows(fp, "xlsx")  # nothing is read yet
    with pytest.raises(FileRejected):
        next(rows)
    fp = io.BytesIO(hostile.gbk_csv())
    assert len(list(iter_rows(fp, "csv"))) == 3
    assert not fp.closed
    with pytest.raises(ValueError):
        next(iter_rows(io.BytesIO(b"x"), "pdf"))


# --- exports --------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"])
def test_neutralise_dangerous_prefixes(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["结收比", "1-2", 5, -5.5, None, 0])
def test_neutralise_leaves_the_rest(value):
    assert neutralise(value) == value


def test_neutralise_formula():
    assert neutralise(Formula("=1+1")) == "'=1+1"


def test_write_xlsx_round_trip():
    data = write_xlsx(
        {
            "错误 Errors": (["行", "说明"], [[2, '=HYPERLINK("x")'], [3, "-1"], [4, -1.5]]),
            "bad/name:*?": (["a"], iter([["\x01=cmd"], ["正常"]])),
        }
    )
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    first, second = workbook.worksheets
    assert first.title == "错误 Errors"
    values = list(first.iter_rows(values_only=True))
    assert values == [("行", "说明"), (2, '\'=HYPERLINK("x")'), (3, "'-1"), (4, -1.5)]
    assert all(cell.data_type != "f" for row in first.iter_rows() for cell in row)
    assert second.title == "bad_name___"
    assert [row[0] for row in second.iter_rows(values_only=True)] == ["a", "'=cmd", "正常"]


def test_write_csv_round_trip():
    data = write_csv(["行", "说明"], [[2, "=1+1"], [3, "@x"], [4, 7.5], [5, None]])
    assert data.startswith(b"\xef\xbb\xbf")
    records = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert records == [["行", "说明"], ["2", "'=1+1"], ["3", "'@x"], ["4", "7.5"], ["5", ""]]


# --- the template ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def template_rows() -> list[TemplateRow]:
    dictionary = load_dictionary()
    return [
        TemplateRow("2025-01", "城关区人民法院", dictionary.by_code("CT01"), 93.5),
        TemplateRow("2025-01", "城关区人民法院", dictionary.by_code("CT05"), None),
        TemplateRow("2025-01", "城关区人民检察院", dictionary.by_code("PR01"), 40),
        TemplateRow("2025", "城关区人民法院", dictionary.by_code("CT17"), None),
    ]


@pytest.fixture(scope="module")
def template(template_rows) -> bytes:
    return template_xlsx(template_rows, "城关区 2025年1月 数据填报")


def test_template_layout(template, template_rows):
    workbook = openpyxl.load_workbook(io.BytesIO(template))
    sheet = workbook.worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == TEMPLATE_HEADER
    assert [row[:4] for row in values[1:]] == [
        (row.period, row.organ, row.spec.code, row.spec.name_zh) for row in template_rows
    ]
    assert [row[7] for row in values[1:]] == [row.spec.unit for row in template_rows]
    assert all(value is None for row in values[1:] for value in row[4:7])  # inputs are blank
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["B"].width > 10
    assert workbook.sheetnames[1] == "说明 Instructions"


def test_template_comments(template):
    sheet = openpyxl.load_workbook(io.BytesIO(template)).worksheets[0]
    rate = sheet["D2"].comment.text
    assert "结案数" in rate and "收案数" in rate
    assert "[0, 1000]" in rate
    assert "绿：≥ 95" in rate and "红：< 85" in rate
    assert "上期数值：93.5" in rate
    assert "同级" in sheet["D3"].comment.text  # CT05 is peer-rated
    assert "上期数值" not in sheet["D3"].comment.text
    assert "整数" in sheet["D4"].comment.text
    index = sheet["D5"].comment.text
    assert "权重(样本量)" in index and "绿：≥ 80" in index and "[0, 100]" in index


def test_template_input_cells_and_validation(template):
    sheet = openpyxl.load_workbook(io.BytesIO(template)).worksheets[0]
    grey = "00D9D9D9"
    assert sheet["G2"].fill.fgColor.rgb == grey  # a rate's value is derived, never typed
    assert sheet["E2"].fill.fgColor.rgb != grey
    assert sheet["E4"].fill.fgColor.rgb == grey and sheet["G4"].fill.fgColor.rgb != grey
    assert sheet["E5"].fill.fgColor.rgb == grey and sheet["F5"].fill.fgColor.rgb != grey
    rules = {
        cell: (validation.type, validation.operator, validation.formula1, validation.formula2)
        for validation in sheet.data_validations.dataValidation
        for cell in ("E2", "F2", "G4", "G5", "F5")
        if cell in validation.sqref
    }
    assert rules["E2"] == ("decimal", "greaterThanOrEqual", "0", None)
    assert rules["F5"] == ("decimal", "greaterThanOrEqual", "0", None)
    assert rules["G4"] == ("whole", "between", "0", "10000000")
    assert rules["G5"] == ("decimal", "between", "0", "100")


def test_filled_template_imports(template):
    workbook = openpyxl.load_workbook(io.BytesIO(template))
    sheet = workbook.worksheets[0]
    sheet["E2"], sheet["F2"] = 90, 100
    sheet["E3"], sheet["F3"] = 130, 9
    sheet["G4"] = 41
    sheet["F5"], sheet["G5"] = 1200, 82.5
    out = io.BytesIO()
    workbook.save(out)
    rows = dict(rows_of(out.getvalue()))
    assert sorted(rows) == [2, 3, 4, 5]
    picked = {
        rows[number]["indicator"]: (
            rows[number]["numerator"],
            rows[number]["denominator"],
            rows[number]["value"],
        )
        for number in rows
    }
    assert picked == {
        "CT01": (90, 100, None),
        "CT05": (130, 9, None),
        "PR01": (None, None, 41),
        "CT17": (None, 1200, 82.5),
    }
    assert rows[5]["period"] == "2025"
