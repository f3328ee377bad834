"""The data mart's documents through the API: add, filter and search, names masked in
petitions, the all-or-nothing workbook import, attachments, and who may do what where."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
import sqlalchemy as sa

from app.datamart.documents import Document, DocumentAttachment
from app.datamart.models import ImportBatch
from tenants.scoping import tenant_scope
from tests.support.http import bearer

BASE = "/api/v1/t/330106/documents"


class Api:
    """A client acting with one user's API token."""

    def __init__(self, client, username: str):
        self.client = client
        self.headers = {"Authorization": f"Bearer {bearer(client, username)}"}

    def get(self, url: str, **params):
        return self.client.get(url, query_string=params, headers=self.headers)

    def post(self, url: str, body: dict | None = None):
        return self.client.post(url, json=body or {}, headers=self.headers)

    def upload(self, url: str, data: bytes, name: str):
        return self.client.post(
            url,
            data={"file": (io.BytesIO(data), name)},
            headers=self.headers,
            content_type="multipart/form-data",
        )


@pytest.fixture
def staff(client):
    return Api(client, "330106-staff")


@pytest.fixture
def deputy(client):
    return Api(client, "330106-deputy")


def doc(**changes) -> dict:
    body = {
        "category": "work_news",
        "title": "西湖区法院开展集中执行行动",
        "date": "2026-10-08",
        "source": "西湖区人民法院官网",
        "tags": ["执行"],
        "body": "为破解执行难,法院开展集中执行行动。",
    }
    body.update(changes)
    return body


def created(api: Api, **changes) -> dict:
    response = api.post(BASE, doc(**changes))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def ids(response) -> set[int]:
    assert response.status_code == 200, response.get_json()
    return {d["id"] for d in response.get_json()["documents"]}


def count(session, code: str, world) -> int:
    with tenant_scope(world.tenant_id(code)):
        return session.scalar(sa.select(sa.func.count()).select_from(Document))


# --- adding ---------------------------------------------------------------------------------


def test_staff_adds_a_document(staff, world):
    organ = world.organ_id("330106", "court")
    response = staff.post(BASE, doc(organ=organ, tags=["执行", "专项行动"]))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert response.headers["Location"].endswith(f"/documents/{body['id']}")
    assert body["category"] == "work_news" and body["category_zh"] == "司法系统工作动态"
    assert body["organ"]["id"] == organ and body["organ"]["name_zh"] == "西湖区人民法院"
    assert body["tags"] == ["执行", "专项行动"] and body["date"] == "2026-10-08"
    assert body["created_by"] == "330106-staff" and body["masked"] is False
    assert staff.get(f"{BASE}/{body['id']}").get_json()["title"] == body["title"]


def test_the_write_is_audited(staff, session, world):
    from app.audit.models import AuditEvent

    created(staff, title="审计这一条")
    with tenant_scope(world.tenant_id("330106")):
        events = session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "documents.insert")
        ).all()
    mine = [e for e in events if e.detail.get("title") == "审计这一条"]
    assert [e.actor for e in mine] == ["330106-staff"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"category": "gossip"}, "category"),
        ({"title": ""}, "title"),
        ({"title": "长" * 201}, "title"),
        ({"date": "2026-13-01"}, "date"),
        ({"date": None}, "date"),
        ({"tags": "执行"}, "tags"),
        ({"tags": ["长" * 41]}, "tags"),
        ({"category": "petitions"}, "persons"),  # a petition must list its persons
        ({"unknown": 1}, "unknown"),
    ],
)
def test_invalid_document_is_422_naming_the_field(staff, session, world, changes, field):
    before = count(session, "330106", world)
    response = staff.post(BASE, doc(**changes))
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "invalid" and field in error["fields"]
    assert error["message_zh"] and error["message_en"]
    assert count(session, "330106", world) == before


def test_missing_fields_are_each_named(staff):
    error = staff.post(BASE, {}).get_json()["error"]
    assert set(error["fields"]) == {"category", "title", "date"}


def test_an_organ_of_another_tenant_is_refused(staff, world):
    response = staff.post(BASE, doc(organ=world.organ_id("330105", "court")))
    assert response.status_code == 422
    assert "organ" in response.get_json()["error"]["fields"]


# --- listing and searching ------------------------------------------------------------------


@pytest.fixture
def shelf(staff, world):
    """Four documents of 330106 with different categories, organs, tags, dates, words."""
    court, procuratorate = (
        world.organ_id("330106", "court"),
        world.organ_id("330106", "procuratorate"),
    )
    return {
        "news": created(staff, organ=court)["id"],
        "recommendation": created(
            staff,
            category="procuratorial_recommendations",
            title="关于加强立案监督的检察建议",
            date="2025-03-15",
            organ=procuratorate,
            tags=["立案监督"],
            body="建议规范受案立案。",
            source="西湖区人民检察院",
        )["id"],
        "hot_topic": created(
            staff,
            category="hot_topics",
            title="网民热议某案判决",
            date="2024-07-01",
            tags=["舆情", "执行"],
            body="网友讨论判决是否公正。",
            source="微博",
        )["id"],
        "motion": created(
            staff,
            category="deputy_motions",
            title="关于解决执行难的建议",
            date="2026-01-20",
            tags=["代表建议"],
            body="代表建议加大执行力度,破解执行难。",
            source="第十六届人大三次会议",
        )["id"],
    }


def test_list_is_newest_first_with_a_total(staff, shelf, world):
    body = staff.get(BASE).get_json()
    listed = [d["id"] for d in body["documents"]]
    mine = [i for i in listed if i in shelf.values()]
    assert mine == [shelf["news"], shelf["motion"], shelf["recommendation"], shelf["hot_topic"]]
    # The world's own two documents are there too, and nothing of another tenant.
    assert body["total"] == len(listed) == 6
    assert world.documents[("330105", "petitions")] not in listed


def test_filter_by_category(staff, shelf):
    assert ids(staff.get(BASE, category="hot_topics")) == {shelf["hot_topic"]}


def test_filter_by_organ(staff, shelf, world):
    organ = world.organ_id("330106", "procuratorate")
    assert ids(staff.get(BASE, organ=organ)) == {shelf["recommendation"]}


def test_filter_by_tag(staff, shelf):
    assert ids(staff.get(BASE, tag="执行")) == {shelf["news"], shelf["hot_topic"]}
    assert ids(staff.get(BASE, tag="执")) == set()  # a tag is matched whole


def test_filter_by_date_range(staff, shelf):
    found = ids(staff.get(BASE, date_from="2025-01-01", date_to="2026-01-31"))
    assert found == {shelf["recommendation"], shelf["motion"]}
    assert ids(staff.get(BASE, date_from="2026-10-08", date_to="2026-10-08")) == {shelf["news"]}


def test_keyword_in_chinese(staff, shelf, world):
    # 执行难 is in the news and the motion; the hot topic says 执行 only as a tag.
    assert ids(staff.get(BASE, q="执行难")) == {
        shelf["news"],
        shelf["motion"],
        world.documents[("330106", "petitions")],  # its body: 张三反映执行难问题
    }
    assert ids(staff.get(BASE, q="立案监督")) == {shelf["recommendation"]}


def test_keyword_needs_every_term(staff, shelf):
    assert ids(staff.get(BASE, q="执行难 代表")) == {shelf["motion"]}
    assert ids(staff.get(BASE, q="执行难 公正")) == set()


def test_keyword_searches_source_and_tags_and_words(staff, shelf):
    assert ids(staff.get(BASE, q="微博")) == {shelf["hot_topic"]}
    assert ids(staff.get(BASE, q="舆情")) == {shelf["hot_topic"]}
    created_id = created(staff, title="CEPEJ court dashboards", body="")["id"]
    assert ids(staff.get(BASE, q="Court")) == {created_id}
    assert ids(staff.get(BASE, q="cour")) == set()  # words are matched whole


def test_a_single_character_is_found_anywhere(staff, shelf):
    assert ids(staff.get(BASE, q="微")) == {shelf["hot_topic"]}
    assert shelf["recommendation"] in ids(staff.get(BASE, q="监"))


def test_hostile_keywords_are_just_words(staff, shelf):
    for q in ("%", "_", "'", "\\", "执行' OR '1'='1", "a & b | !c", "执行:*"):
        response = staff.get(BASE, q=q)
        assert response.status_code == 200, (q, response.get_json())
    assert ids(staff.get(BASE, q="%")) == ids(staff.get(BASE))  # no terms: no condition
    assert ids(staff.get(BASE, q="执行:*")) == ids(staff.get(BASE, q="执行"))


def test_filters_combine(staff, shelf):
    assert ids(staff.get(BASE, q="执行", date_to="2025-12-31")) == {shelf["hot_topic"]}


def test_paging(staff, shelf):
    first = staff.get(BASE, limit=2).get_json()
    second = staff.get(BASE, limit=2, offset=2).get_json()
    assert first["total"] == second["total"] == 6
    assert len(first["documents"]) == len(second["documents"]) == 2
    assert not {d["id"] for d in first["documents"]} & {d["id"] for d in second["documents"]}


@pytest.mark.parametrize(
    "params",
    [
        {"category": "gossip"},
        {"date_from": "yesterday"},
        {"date_from": "2026-02-01", "date_to": "2026-01-01"},
        {"limit": 0},
        {"limit": 501},
        {"organ": "x"},
    ],
)
def test_bad_filters_are_422(staff, params):
    assert staff.get(BASE, **params).status_code == 422


# --- masking --------------------------------------------------------------------------------


@pytest.fixture
def petition(staff):
    return created(
        staff,
        category="petitions",
        title="欧阳明华就执行案件信访",
        source="张三代为递交",
        body="信访人欧阳明华反映其与张三的纠纷执行不力,张三至今未履行。",
        tags=["执行"],
        persons=["欧阳明华", "张三"],
    )


NAMES = ("欧阳明华", "张三")


def _shows_names(item: dict) -> bool:
    texts = [item["title"], item["body"], item["source"], *item["persons"]]
    return any(name in text for name in NAMES for text in texts)


def test_a_deputy_sees_petitions_masked_in_list_and_detail(deputy, petition):
    detail = deputy.get(f"{BASE}/{petition['id']}").get_json()
    assert detail["masked"] is True
    assert detail["title"] == "欧阳某某就执行案件信访"
    assert detail["source"] == "张某代为递交"
    assert detail["body"] == "信访人欧阳某某反映其与张某的纠纷执行不力,张某至今未履行。"
    assert detail["persons"] == ["欧阳某某", "张某"]
    listed = deputy.get(BASE, category="petitions").get_json()["documents"]
    assert petition["id"] in {d["id"] for d in listed}
    assert not any(_shows_names(d) for d in listed)


@pytest.mark.parametrize("role", ["viewer", "deputy"])
def test_names_never_leave_for_other_readers(client, petition, role):
    api = Api(client, f"330106-{role}")
    for response in (api.get(BASE), api.get(f"{BASE}/{petition['id']}")):
        text = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "欧阳明华" not in text and "张三" not in text


def test_staff_and_admin_see_the_names(client, staff, petition):
    for api in (staff, Api(client, "330106-admin")):
        detail = api.get(f"{BASE}/{petition['id']}").get_json()
        assert detail["masked"] is False and detail["title"] == "欧阳明华就执行案件信访"
        listed = api.get(BASE, category="petitions").get_json()["documents"]
        assert any(_shows_names(d) for d in listed)


def test_searching_for_a_name_does_not_find_the_petition(client, deputy, staff, petition):
    """Masked titles would be no protection if a reader could find out by searching who
    petitioned: petitions are indexed with their names masked, for every reader."""
    assert petition["id"] not in ids(deputy.get(BASE, q="张三"))
    assert petition["id"] not in ids(deputy.get(BASE, q="欧阳明华"))
    assert petition["id"] not in ids(staff.get(BASE, q="张三"))
    assert petition["id"] in ids(deputy.get(BASE, q="执行不力"))


def test_other_categories_are_not_masked(deputy, staff):
    made = created(staff, title="张三被评为优秀法官", persons=["张三"])
    assert deputy.get(f"{BASE}/{made['id']}").get_json()["title"] == "张三被评为优秀法官"


# --- import ---------------------------------------------------------------------------------

HEADER = ("类别", "标题", "日期", "来源", "机关", "标签", "正文", "当事人")


def workbook(*rows, header=HEADER) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


GOOD = (
    ("检察建议", "关于规范执行的检察建议", date(2026, 9, 1), "西湖区人民检察院", "西湖区人民法院",
     "执行、规范", "建议规范执行。", None),
    ("涉法涉诉信访", "李四信访件", "2026/9/2", "来访", None, "信访", "李四反映立案难。", "李四"),
    ("互联网热议", "热议:执行难", "2026年9月3日", "微博", None, None, "网友热议执行难。", None),
)  # fmt: skip


def test_a_good_workbook_is_imported_whole(staff, session, world):
    before = count(session, "330106", world)
    response = staff.upload(f"{BASE}/import", workbook(*GOOD), "documents.xlsx")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["imported"] == 3 and len(body["documents"]) == 3
    assert count(session, "330106", world) == before + 3
    petition = staff.get(f"{BASE}/{body['documents'][1]}").get_json()
    assert petition["category"] == "petitions" and petition["persons"] == ["李四"]
    assert petition["date"] == "2026-09-02"
    first = staff.get(f"{BASE}/{body['documents'][0]}").get_json()
    assert first["organ"]["name_zh"] == "西湖区人民法院" and first["tags"] == ["执行", "规范"]
    with tenant_scope(world.tenant_id("330106")):
        batch = session.get(ImportBatch, body["batch"])
        assert (batch.kind, batch.status, batch.rows_ok) == ("documents", "succeeded", 3)
    assert ids(staff.get(BASE, q="立案难")) == {body["documents"][1]}


def test_one_bad_row_and_nothing_is_stored(staff, session, world):
    before = count(session, "330106", world)
    bad = ("涉法涉诉信访", "无当事人的信访件", "2026-09-04", "", "", "", "正文", None)
    response = staff.upload(f"{BASE}/import", workbook(*GOOD, bad), "documents.xlsx")
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "rows_invalid"
    assert error["errors"] == [
        {
            "row": 5,
            "column": "当事人",
            "code": "persons_required",
            "message_zh": error["errors"][0]["message_zh"],
            "message_en": error["errors"][0]["message_en"],
        }
    ]
    assert count(session, "330106", world) == before
    with tenant_scope(world.tenant_id("330106")):
        assert not session.scalar(sa.select(ImportBatch).where(ImportBatch.kind == "documents"))


def test_every_bad_row_is_listed(staff):
    rows = (
        ("其他", "标题", "2026-09-01", "", "", "", "", None),
        ("检察建议", None, "昨天", "", "不存在的法院", "", "", None),
    )
    errors = staff.upload(f"{BASE}/import", workbook(*rows), "x.xlsx").get_json()["error"]["errors"]
    assert [(e["row"], e["column"], e["code"]) for e in errors] == [
        (2, "类别", "bad_category"),
        (3, "机关", "unknown_organ"),
        (3, "标题", "bad_title"),
        (3, "日期", "bad_date"),
    ]


def test_the_same_workbook_twice_is_409(staff, session, world):
    data = workbook(*GOOD)
    assert staff.upload(f"{BASE}/import", data, "a.xlsx").status_code == 201
    before = count(session, "330106", world)
    again = staff.upload(f"{BASE}/import", data, "b.xlsx")
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_imported"
    assert count(session, "330106", world) == before


@pytest.mark.parametrize(
    ("data", "name", "status", "code"),
    [
        (b"category,title\nwork_news,x\n", "docs.csv", 415, "xlsx_required"),
        (b"", "empty.xlsx", 400, "empty_file"),
        (b"PK\x03\x04not really a zip", "broken.xlsx", 415, "not_a_workbook"),
    ],
)
def test_files_that_are_not_workbooks(staff, data, name, status, code):
    response = staff.upload(f"{BASE}/import", data, name)
    assert response.status_code == status, response.get_json()
    assert response.get_json()["error"]["code"] == code


def test_workbook_without_required_columns(staff):
    response = staff.upload(f"{BASE}/import", workbook(("x",), header=("标题",)), "x.xlsx")
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "missing_columns" and "类别" in error["message_zh"]


def test_workbook_with_only_a_header(staff):
    response = staff.upload(f"{BASE}/import", workbook(), "x.xlsx")
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "no_rows"


def test_import_needs_a_file(staff):
    response = staff.post(f"{BASE}/import")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "file_required"


def test_formulas_are_refused(staff):
    row = ("工作动态", '=HYPERLINK("http://x")', "2026-09-01", "", "", "", "", None)
    errors = staff.upload(f"{BASE}/import", workbook(row), "x.xlsx").get_json()["error"]["errors"]
    assert [(e["column"], e["code"]) for e in errors][:1] == [("标题", "formula")]


# --- attachments ----------------------------------------------------------------------------


def test_attachment_upload_and_download(staff, session, world):
    made = created(staff)
    url = f"{BASE}/{made['id']}/attachments"
    response = staff.upload(url, "判决书全文".encode(), "../../etc/判决书.txt")
    assert response.status_code == 201, response.get_json()
    (attachment,) = response.get_json()["attachments"]
    assert attachment["name"] == "判决书.txt" and attachment["size"] == len("判决书全文".encode())
    download = staff.get(f"{url}/{attachment['id']}")
    assert download.status_code == 200
    assert download.data == "判决书全文".encode()
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=UTF-8''%E5%88%A4" in disposition
    assert download.headers["X-Content-Type-Options"] == "nosniff"


def test_the_same_bytes_are_stored_once(staff, session, world):
    first, second = created(staff)["id"], created(staff)["id"]
    for document_id in (first, second):
        response = staff.upload(f"{BASE}/{document_id}/attachments", b"same bytes", "a.pdf")
        assert response.status_code == 201
    with tenant_scope(world.tenant_id("330106")):
        files = session.scalars(
            sa.select(DocumentAttachment.file_id).where(
                DocumentAttachment.document_id.in_((first, second))
            )
        ).all()
    assert len(files) == 2 and len(set(files)) == 1


def test_a_deputy_downloads_news_files_but_not_petition_files(client, staff, deputy, petition):
    news = created(staff)
    for made in (news, petition):
        assert staff.upload(f"{BASE}/{made['id']}/attachments", b"x", "附件.txt").status_code == 201
    news_file = deputy.get(f"{BASE}/{news['id']}").get_json()["attachments"][0]["id"]
    assert deputy.get(f"{BASE}/{news['id']}/attachments/{news_file}").status_code == 200
    seen = deputy.get(f"{BASE}/{petition['id']}").get_json()
    assert seen["attachments_downloadable"] is False
    response = deputy.get(f"{BASE}/{petition['id']}/attachments/{seen['attachments'][0]['id']}")
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "names_protected"
    assert staff.get(f"{BASE}/{petition['id']}/attachments/{seen['attachments'][0]['id']}").data


def test_an_attachment_of_another_document_is_404(staff, world):
    other = created(staff)["id"]
    response = staff.get(f"{BASE}/{other}/attachments/{world.attachments['330106']}")
    assert response.status_code == 404


def test_attachment_needs_a_non_empty_file(staff):
    made = created(staff)
    assert staff.post(f"{BASE}/{made['id']}/attachments").status_code == 400
    response = staff.upload(f"{BASE}/{made['id']}/attachments", b"", "empty.txt")
    assert response.status_code == 400


# --- who may, where -------------------------------------------------------------------------


def _routes(world, code="330106"):
    document = world.documents[(code, "work_news")]
    attachment = world.attachments[code]
    base = f"/api/v1/t/{code}/documents"
    return [
        ("GET", base),
        ("GET", f"{base}/{document}"),
        ("POST", base),
        ("POST", f"{base}/import"),
        ("POST", f"{base}/{document}/attachments"),
        ("GET", f"{base}/{document}/attachments/{attachment}"),
    ]


def _call(api: Api, method: str, url: str):
    return api.get(url) if method == "GET" else api.post(url, doc())


@pytest.mark.parametrize("username", ["330105-staff", "330100-staff", "330000-admin"])
def test_other_tenants_get_404_on_every_route(client, world, username):
    """A sibling district, and even the city and the province above: documents are raw
    material of the district and no ancestor reads them."""
    api = Api(client, username)
    for method, url in _routes(world):
        assert _call(api, method, url).status_code == 404, (username, method, url)


def test_an_object_of_another_tenant_is_404_in_ones_own_tenant(client, world):
    api = Api(client, "330105-admin")
    foreign_doc = world.documents[("330106", "work_news")]
    foreign_att = world.attachments["330106"]
    base = "/api/v1/t/330105/documents"
    assert api.get(f"{base}/{foreign_doc}").status_code == 404
    assert api.upload(f"{base}/{foreign_doc}/attachments", b"x", "x.txt").status_code == 404
    own = world.documents[("330105", "work_news")]
    assert api.get(f"{base}/{own}/attachments/{foreign_att}").status_code == 404
    assert api.get(f"{base}/{foreign_doc}/attachments/{foreign_att}").status_code == 404


@pytest.mark.parametrize("username", ["330106-court", "330106-evaluator"])
def test_organ_and_evaluator_users_are_403(client, world, username):
    api = Api(client, username)
    for method, url in _routes(world):
        assert _call(api, method, url).status_code == 403, (username, method, url)


@pytest.mark.parametrize("username", ["330106-deputy", "330106-viewer"])
def test_readers_cannot_write(client, world, username):
    api = Api(client, username)
    for method, url in _routes(world):
        status = _call(api, method, url).status_code
        assert status == (403 if method == "POST" else 200), (username, method, url)


def test_anonymous_is_401(client, world):
    for method, url in _routes(world):
        response = client.open(url, method=method, json={} if method == "POST" else None)
        assert response.status_code in (400, 401), (method, url)  # 400: CSRF before login


@pytest.mark.postgres
def test_keyword_search_matches_the_gin_index(backend, database):
    """The condition is the indexed expression, so the planner can answer from the index.

    Only a role that row-level security does not bind (here the tests' superuser owner)
    gets the index: ``@@`` (``ts_match_vq``) is not LEAKPROOF, and PostgreSQL will not
    evaluate a non-leakproof condition, an index condition included, before the policy's.
    """
    if backend != "postgresql":
        pytest.skip("the GIN index exists only on PostgreSQL")
    from sqlalchemy.dialects import postgresql

    from app.datamart.documents import select_documents

    stmt = select_documents({"q": "执行难"}, "postgresql")
    sql = stmt.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
    engine = sa.create_engine(database["owner"])
    with engine.begin() as conn:
        conn.execute(sa.text("SET LOCAL enable_seqscan = off"))
        plan = "\n".join(row[0] for row in conn.execute(sa.text(f"EXPLAIN {sql}")))
    engine.dispose()
    assert "ix_documents_search" in plan, plan
