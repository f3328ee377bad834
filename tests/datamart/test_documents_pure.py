"""The data mart's pure parts: search tokens, masking of names, and the import's row checks."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from app.datamart import search
from app.datamart.document_import import check_row, check_rows
from app.datamart.document_schemas import present
from app.datamart.documents import (
    Document,
    DocumentAttachment,
    category_code,
    mask_persons,
    masked_name,
    new_document,
    reveals_names,
    split_list,
)
from app.datamart.models import StoredFile

# --- search ---------------------------------------------------------------------------------


def test_chinese_becomes_overlapping_bigrams():
    assert search.tokens("执行难") == ["执行", "行难"]
    assert search.tokens("执行难问题") == ["执行", "行难", "难问", "问题"]


def test_a_lone_character_stays_itself():
    assert search.tokens("案") == ["案"]


def test_words_are_lowercased_and_split_from_chinese():
    assert search.tokens("CEPEJ 2024年报告, Court-Dashboards") == [
        "cepej",
        "2024",
        "年报",
        "报告",
        "court",
        "dashboards",
    ]


def test_punctuation_and_underscores_split_runs():
    assert search.tokens("执行,难;a_b%c") == ["执行", "难", "a", "b", "c"]


def test_search_text_joins_every_part():
    assert search.search_text_of(["执行难", None, "", "Court"]) == "执行 行难 court"


def test_query_terms_are_distinct_and_in_order():
    assert search.query_terms("执行执行 难") == ["执行", "行执", "难"]
    assert search.query_terms("  ,,  ") == []


def test_query_terms_are_bounded():
    many = "".join(chr(0x4E00 + i) for i in range(100))
    assert len(search.query_terms(many)) == search.MAX_QUERY_TERMS


def test_tsquery_quotes_every_term():
    assert search.tsquery_text(["执行", "行难"]) == "'执行' & '行难'"
    # Tokens never hold quotes, but the quoting does not rely on it.
    assert search.tsquery_text(["a'b", "c\\d"]) == "'a''b' & 'c\\\\d'"


def test_like_escape():
    assert search.like_escape("100%_\\") == "100\\%\\_\\\\"


def test_lone_characters():
    assert search.is_lone_character("案")
    assert not search.is_lone_character("a")
    assert not search.is_lone_character("执行")


def _sql(condition, dialect):
    from sqlalchemy.dialects import postgresql, sqlite

    compiler = {"postgresql": postgresql.dialect(), "sqlite": sqlite.dialect()}[dialect]
    return str(condition.compile(dialect=compiler, compile_kwargs={"literal_binds": True}))


def test_postgres_condition_uses_the_indexed_expression():
    sql = _sql(search.matches(Document.search_text, "执行难", "postgresql"), "postgresql")
    assert "to_tsvector('simple'::regconfig, documents.search_text) @@ " in sql
    assert "to_tsquery('simple'::regconfig, '''执行'' & ''行难''')" in sql


def test_sqlite_condition_matches_whole_tokens():
    sql = _sql(search.matches(Document.search_text, "执行难 x", "sqlite"), "sqlite")
    assert "LIKE '% 执行 %'" in sql and "LIKE '% 行难 %'" in sql and "LIKE '% x %'" in sql


def test_user_input_reaches_sql_only_as_tokens():
    hostile = "'); DROP TABLE x; --"
    assert search.query_terms(hostile) == ["drop", "table", "x"]
    sql = _sql(search.matches(Document.search_text, hostile, "postgresql"), "postgresql")
    assert "to_tsquery('simple'::regconfig, '''drop'' & ''table'' & ''x''')" in sql


# --- masking --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三", "张某"),
        ("王小明", "王某某"),
        ("欧阳明华", "欧阳某某"),
        ("司马光", "司马某"),
        ("诸葛亮", "诸葛某"),
        ("上官婉儿", "上官某某"),
        ("欧阳", "欧某"),  # two characters: a surname 欧 and a given name 阳
    ],
)
def test_masked_name(name, masked):
    assert masked_name(name) == masked


def test_mask_persons_replaces_every_occurrence():
    text = "张三与李四因执行难上访;张三称……欧阳明华代理。"
    assert mask_persons(text, ["张三", "李四", "欧阳明华"]) == (
        "张某与李某因执行难上访;张某称……欧阳某某代理。"
    )


def test_longer_names_are_masked_first():
    assert mask_persons("欧阳明华、欧阳明", ["欧阳明", "欧阳明华"]) == "欧阳某某、欧阳某"


def test_mask_persons_leaves_other_text_and_ignores_blank_names():
    assert mask_persons("无人具名", ["张三"]) == "无人具名"
    assert mask_persons("张三", ["", "  "]) == "张三"
    assert mask_persons("", ["张三"]) == ""


def test_who_sees_names():
    assert reveals_names("petitions", "admin")
    assert reveals_names("petitions", "staff")
    for role in ("deputy", "viewer", "organ", "evaluator", None):
        assert not reveals_names("petitions", role)
    assert reveals_names("work_news", "deputy")


def _petition() -> Document:
    document = new_document(
        {
            "category": "petitions",
            "title": "张三信访件",
            "date": date(2026, 9, 1),
            "source": "李四转交",
            "tags": ["张三案"],
            "body": "张三、李四反映执行难。",
            "persons": ["张三", "李四"],
        },
        None,
        "330106-staff",
    )
    stored = StoredFile(sha256="0" * 64, size=10, detected_type="text", storage_key="k")
    document.attachments.append(DocumentAttachment(name="张三来信.pdf", file=stored))
    document.id = 1
    return document


def test_present_masks_every_text_for_a_deputy():
    shown = present(_petition(), "deputy")
    assert shown["masked"] and not shown["attachments_downloadable"]
    assert shown["title"] == "张某信访件"
    assert shown["source"] == "李某转交"
    assert shown["body"] == "张某、李某反映执行难。"
    assert shown["tags"] == ["张某案"]
    assert shown["persons"] == ["张某", "李某"]
    assert shown["attachments"][0]["name"] == "张某来信.pdf"
    assert "张三" not in repr(shown) and "李四" not in repr(shown)


def test_present_shows_names_to_staff():
    shown = present(_petition(), "staff")
    assert not shown["masked"] and shown["attachments_downloadable"]
    assert shown["title"] == "张三信访件" and shown["persons"] == ["张三", "李四"]


def test_new_document_keeps_its_search_text():
    document = new_document(
        {"category": "work_news", "title": "张三获评", "date": date(2026, 9, 1),
         "body": "破解执行难", "tags": ["表彰"], "persons": ["张三"]},
        None,
        "330106-staff",
    )  # fmt: skip
    assert document.search_text == "张三 三获 获评 破解 解执 执行 行难 表彰"


def test_a_petition_is_indexed_with_its_names_masked():
    words = _petition().search_text.split()
    assert "执行" in words and "行难" in words
    assert "张三" not in words and "李四" not in words and "张某" in words


# --- helpers of the import ------------------------------------------------------------------


def test_split_list():
    assert split_list("执行难, 立案难、审判,执行难;信访") == ["执行难", "立案难", "审判", "信访"]
    assert split_list(None) == []
    assert split_list("  ") == []


def test_category_by_code_or_label():
    assert category_code("petitions") == "petitions"
    assert category_code("涉法涉诉信访") == "petitions"
    assert category_code("Internet hot topics") == "hot_topics"
    assert category_code("其他") is None


ORGANS = {"西湖区人民法院": 7}


def _cells(**changes):
    cells = {
        "category": "检察建议",
        "title": "关于规范执行的检察建议",
        "date": datetime(2026, 9, 1),
        "source": "西湖区人民检察院",
        "organ": "西湖区人民法院",
        "tags": "执行、规范",
        "body": "建议规范执行。",
        "persons": None,
    }
    cells.update(changes)
    return cells


def test_a_good_row():
    fields, errors = check_row(2, _cells(), ORGANS)
    assert errors == []
    assert fields["category"] == "procuratorial_recommendations"
    assert fields["date"] == date(2026, 9, 1)
    assert fields["organ"] == 7
    assert fields["tags"] == ["执行", "规范"]


@pytest.mark.parametrize("text", ["2026-09-01", "2026/9/1", "2026年9月1日", "2026.9.1"])
def test_dates_written_as_text(text):
    fields, errors = check_row(2, _cells(date=text), ORGANS)
    assert errors == [] and fields["date"] == date(2026, 9, 1)


@pytest.mark.parametrize(
    ("changes", "code", "column"),
    [
        ({"category": "其他"}, "bad_category", "类别"),
        ({"title": None}, "bad_title", "标题"),
        ({"title": "长" * 201}, "bad_title", "标题"),
        ({"date": "去年"}, "bad_date", "日期"),
        ({"date": "2026-02-30"}, "bad_date", "日期"),
        ({"date": None}, "bad_date", "日期"),
        ({"organ": "不存在的法院"}, "unknown_organ", "机关"),
        ({"category": "涉法涉诉信访"}, "persons_required", "当事人"),
        ({"tags": "长" * 41}, "bad_tags", "标签"),
    ],
)
def test_row_errors(changes, code, column):
    fields, errors = check_row(5, _cells(**changes), ORGANS)
    assert fields == {}
    assert [(e["row"], e["code"], e["column"]) for e in errors] == [(5, code, column)]
    assert errors[0]["message_zh"] and errors[0]["message_en"]


def test_a_formula_is_refused():
    from app.datamart.document_import import Formula

    _fields, errors = check_row(3, _cells(title=Formula()), ORGANS)
    assert [(e["code"], e["column"]) for e in errors] == [("formula", "标题")]


def test_every_error_of_every_row_is_reported():
    rows = [(2, _cells()), (3, _cells(category="x", date="x")), (4, _cells(organ="无"))]
    valid, errors = check_rows(rows, ORGANS)
    assert len(valid) == 1
    assert [(e["row"], e["code"]) for e in errors] == [
        (3, "bad_category"),
        (3, "bad_date"),
        (4, "unknown_organ"),
    ]
