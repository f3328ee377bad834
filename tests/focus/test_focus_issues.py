"""Focus issues on a congress's own data: ratings (red periods, the peer rule's z-scores)
and data-mart documents collided with its topics, every piece of evidence linking to a
page that opens; petitions masked for readers who may not see names."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from app import clock
from app.analysis.periods import shift_month
from app.datamart.documents import new_document
from app.focus.models import Topic
from app.indicators.dictionary import load_dictionary
from app.ratings import rules
from app.ratings.models import Rating, inputs_of
from tenants.scoping import system_scope, tenant_scope
from tests.support.http import login

DISTRICT = "330106"
URL = f"/api/v1/t/{DISTRICT}/focus-issues"
DICTIONARY = load_dictionary()
AS_OF = clock.last_complete_month()
PEERS = (55.0, 56.0, 57.0, 58.0, 60.0, 61.0)  # the other district courts' CT11


def _rate(session, world, code: str, period: str, value: float, peers=PEERS) -> Rating:
    """A rating of the court made by the real rules (bands, peers incl. z, trend)."""
    spec = DICTIONARY.by_code(code)
    result = rules.rate(spec, value, [*peers, value], [value])
    rating = Rating(
        tenant_id=world.tenant_id(DISTRICT),
        organ_id=world.organ_id(DISTRICT, "court"),
        indicator_code=code,
        period=period,
        value=value,
        colour=result.colour,
        **inputs_of(result, value, rules.peer_stats([*peers, value]), (None,) * 3),
        dictionary_version=DICTIONARY.version,
    )
    with system_scope():
        session.add(rating)
        session.flush()
    return rating


def _document(session, world, **fields) -> int:
    fields = {"date": date(int(AS_OF[:4]), int(AS_OF[5:]), 3), **fields}
    with tenant_scope(world.tenant_id(DISTRICT)):
        document = new_document(fields, None, "test")
        session.add(document)
        session.flush()
        return document.id


@pytest.fixture
def planted(session, world):
    """CT11 of the court red and far below its peers for the last three months; a petition
    and a deputy's suggestion about 执行难 this month; a hot topic from long ago."""
    ratings = [_rate(session, world, "CT11", shift_month(AS_OF, -k), 20.0) for k in range(3)]
    petition = _document(
        session,
        world,
        category="petitions",
        title="李四反映执行款长期不到位",
        body="李四反映被执行人王五拒不履行判决。",
        persons=["李四", "王五"],
    )
    motion = _document(
        session,
        world,
        category="deputy_motions",
        title="关于破解执行难的建议",
        body="建议加大强制执行力度。",
    )
    _document(
        session,
        world,
        category="hot_topics",
        title="老赖话题旧闻",
        date=date(2020, 1, 5),
    )
    return {"ratings": [r.id for r in ratings], "petition": petition, "motion": motion}


def _finding(body: dict, code: str) -> dict:
    return next(f for f in body["findings"] if f["topic"]["code"] == code)


def test_a_topic_difficult_hot_and_weak_is_a_focus_issue(client, planted):
    login(client, f"{DISTRICT}-staff")
    response = client.get(URL, query_string={"period": AS_OF})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["period"] == AS_OF and body["focus_issues"] == ["enforcement"]
    first = body["findings"][0]
    assert first["topic"]["code"] == "enforcement" and first["is_focus"]
    assert first["kinds"] == ["difficulty", "hot", "weakness"]
    assert first["suggested_form"]["code"] == "inquiry"
    tags = {t["kind"]: t for t in first["tags"]}
    assert {e["rating_id"] for e in tags["difficulty"]["evidence"]} == set(planted["ratings"])
    assert {e["document_id"] for e in tags["hot"]["evidence"]} >= {
        planted["petition"],
        planted["motion"],
    }
    weak = tags["weakness"]["evidence"]
    assert {e["rating_id"] for e in weak} == set(planted["ratings"])
    assert all("z = " in e["what_zh"] for e in weak)
    # the other topics come after it and carry fewer tags
    assert all(not f["is_focus"] for f in body["findings"][1:])


def test_every_evidence_link_opens_for_staff(client, planted):
    login(client, f"{DISTRICT}-staff")
    body = client.get(URL, query_string={"period": AS_OF}).get_json()
    urls = [e["url"] for f in body["findings"] for t in f["tags"] for e in t["evidence"]]
    assert len(urls) >= 8
    for url in urls:
        assert url.startswith(f"/t/{DISTRICT}/"), url
        assert client.get(url).status_code == 200, url
    lab = next(u for u in urls if "lab-sheet" in u)
    assert f"period={AS_OF[:4]}" in lab and lab.endswith("#CT11")


def test_staff_see_the_petitioners_names_and_deputies_see_them_masked(client, planted):
    login(client, f"{DISTRICT}-staff")
    hot = _finding(client.get(URL, query_string={"period": AS_OF}).get_json(), "enforcement")
    (petition,) = [e for e in hot["tags"][1]["evidence"] if e["document_id"] == planted["petition"]]
    assert "李四" in petition["what_zh"] and not petition["masked"]

    login(client, f"{DISTRICT}-deputy")
    hot = _finding(client.get(URL, query_string={"period": AS_OF}).get_json(), "enforcement")
    (petition,) = [e for e in hot["tags"][1]["evidence"] if e["document_id"] == planted["petition"]]
    assert petition["masked"] and "李四" not in petition["what_zh"] + petition["title"]
    assert "李某" in petition["title"]
    assert client.get(petition["url"]).status_code == 200


def test_a_document_outside_the_window_does_not_count(client, planted, session, world):
    """Six months later, the planted documents have left the window: not hot any more."""
    login(client, f"{DISTRICT}-staff")
    later = shift_month(AS_OF, 6)
    body = client.get(URL, query_string={"period": later}).get_json()
    assert body["focus_issues"] == []
    assert "hot" not in _finding(body, "enforcement")["kinds"]


def test_an_inactive_topic_is_not_collided(client, planted, session, world):
    with tenant_scope(world.tenant_id(DISTRICT)):
        session.execute(sa.update(Topic).where(Topic.code == "enforcement").values(active=False))
    login(client, f"{DISTRICT}-staff")
    body = client.get(URL, query_string={"period": AS_OF}).get_json()
    assert "enforcement" not in {f["topic"]["code"] for f in body["findings"]}


def test_the_page_lists_focus_issues_first_with_clickable_evidence(client, planted):
    login(client, f"{DISTRICT}-deputy")
    page = client.get(f"/t/{DISTRICT}/focus-issues", query_string={"period": AS_OF})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    first = html.index('data-testid="focus-topic"')
    assert html.index('data-topic="enforcement"') < html.index('data-topic="trial_efficiency"')
    assert 'data-focus="yes"' in html[first : first + 200]
    assert html.count('data-testid="evidence-link"') >= 8
    assert "李四" not in html and "李某" in html


def test_who_may_read_focus_issues(client):
    for username, status in (
        (f"{DISTRICT}-viewer", 200),
        (f"{DISTRICT}-court", 403),  # the organs do not read the congress's petitions
        (f"{DISTRICT}-evaluator", 403),
        ("330100-staff", 404),  # nor do ancestors: documents stay with their congress
        ("330105-staff", 404),
    ):
        login(client, username)
        assert client.get(URL).status_code == status, username


def test_a_bad_period_is_a_422(client):
    login(client, f"{DISTRICT}-staff")
    response = client.get(URL, query_string={"period": "2026-13"})
    assert response.status_code == 422
    assert "period" in response.get_json()["error"]["fields"]
