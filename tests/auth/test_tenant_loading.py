"""A user is loaded within the URL's tenant: a session from one tenant is anonymous on
another, and such requests answer 404 as for a missing object."""

from __future__ import annotations

from tests.support.http import login


def test_own_tenant_loads(client):
    login(client, "330106-staff")
    assert client.get("/api/v1/t/330106").status_code == 200


def test_sibling_session_is_not_a_user_there(client):
    login(client, "330106-staff")
    assert client.get("/api/v1/t/330105").status_code == 404
    assert client.get("/api/v1/t/330105/organs").status_code == 404
    assert client.get("/t/330105/").status_code == 404


def test_child_cannot_read_parent(client):
    login(client, "330106-staff")
    assert client.get("/api/v1/t/330100").status_code == 404


def test_ancestor_reads_the_child_tenant_and_its_organs(client):
    login(client, "330100-staff")
    body = client.get("/api/v1/t/330106").get_json()
    assert body["code"] == "330106" and body["parent"]["code"] == "330100"
    assert [c["code"] for c in body["children"]] == ["330106001"]
    assert client.get("/api/v1/t/330106/organs").status_code == 200


def test_province_reads_a_township(client):
    login(client, "330000-admin")
    assert client.get("/api/v1/t/330106001").status_code == 200


def test_ancestor_organ_user_is_not_a_reader(client):
    login(client, "330100-court")
    assert client.get("/api/v1/t/330106").status_code == 404


def test_raw_values_need_the_tree_grant(client, session, world):
    login(client, "330100-staff")
    assert client.get("/api/v1/t/330106/values").status_code == 404
    from tenants.models import Tenant
    from tenants.scoping import system_scope

    with system_scope():
        session.get(Tenant, world.tenant_id("330106")).raw_readable_by_ancestors = True
        session.commit()
    response = client.get("/api/v1/t/330106/values")
    assert response.status_code == 200 and response.get_json()["values"]


def test_organ_user_sees_only_its_own_organs_values(client, world):
    login(client, "330106-court")
    values = client.get("/api/v1/t/330106/values").get_json()["values"]
    assert values and {v["organ_id"] for v in values} == {world.organ_id("330106", "court")}


def test_unknown_tenant_is_404_even_anonymous(client):
    assert client.get("/api/v1/t/999999").status_code == 404


def test_anonymous_on_a_tenant_route_is_401(client):
    assert client.get("/api/v1/t/330106").status_code == 401


def test_anonymous_page_visit_is_sent_to_login(client):
    response = client.get("/t/330106/")
    assert response.status_code == 302
    assert "/login?next=/t/330106/" in response.headers["Location"]
