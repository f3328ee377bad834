"""The tickets API: an organ user sees only its own organ's tickets; who may do what."""

from __future__ import annotations

from tests.support.http import csrf, login


def _post(client, url, body):
    return client.post(url, json=body, headers={"X-CSRFToken": csrf(client)})


def test_organ_sees_its_own_ticket(client, world):
    login(client, "330106-court")
    ticket = world.tickets["330106"]
    assert client.get(f"/api/v1/t/330106/tickets/{ticket}").status_code == 200
    listed = client.get("/api/v1/t/330106/tickets").get_json()["tickets"]
    assert [t["id"] for t in listed] == [ticket]


def test_another_organ_of_the_same_tenant_gets_404(client, world):
    login(client, "330106-procuratorate")
    ticket = world.tickets["330106"]
    assert client.get(f"/api/v1/t/330106/tickets/{ticket}").status_code == 404
    assert client.get("/api/v1/t/330106/tickets").get_json()["tickets"] == []
    assert (
        _post(client, f"/api/v1/t/330106/tickets/{ticket}/responses", {"text": "越权"}).status_code
        == 404
    )


def test_another_tenants_ticket_is_404(client, world):
    login(client, "330105-court")
    ticket = world.tickets["330106"]
    assert client.get(f"/api/v1/t/330105/tickets/{ticket}").status_code == 404
    assert client.get(f"/api/v1/t/330106/tickets/{ticket}").status_code == 404


def test_deputy_reads_but_cannot_review(client, world):
    login(client, "330106-deputy")
    ticket = world.tickets["330106"]
    assert client.get(f"/api/v1/t/330106/tickets/{ticket}").status_code == 200
    assert (
        _post(
            client, f"/api/v1/t/330106/tickets/{ticket}/review", {"decision": "accept"}
        ).status_code
        == 403
    )


def test_staff_cannot_accept_an_unanswered_ticket(client, world):
    login(client, "330106-staff")
    response = _post(
        client, f"/api/v1/t/330106/tickets/{world.tickets['330106']}/review", {"decision": "accept"}
    )
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "not_allowed_from_status"


def test_ratings_and_judgements_are_served_with_their_reasons(client, world):
    login(client, "330106-staff")
    ratings = client.get("/api/v1/t/330106/ratings?indicator=CT01").get_json()["ratings"]
    assert ratings and ratings[0]["colour"] == "red" and ratings[0]["reason_zh"]
    assert client.get("/api/v1/t/330106/judgements").status_code == 200
