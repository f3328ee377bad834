"""Every tenant-owned route × a user of a sibling tenant → 404; × a role the route does
not allow in its own tenant → 403; × an allowed role → success (so the matrix can fail).

The routes are read from the URL map, so a new tenant route joins the matrix by itself;
one whose path parameter is unknown here, or which declares no access rule, fails it.
"""

from __future__ import annotations

import re

import pytest

from app import create_app
from tests.conftest import TEST_CONFIG
from tests.support.http import bearer

TENANT_BLUEPRINTS = ("tenant_api", "web_tenant")
TARGET, SIBLING = "330106", "330105"
ROLES = ("admin", "staff", "deputy", "viewer", "organ", "evaluator")


def _last_month(world, role) -> str:
    from app.clock import now
    from app.datamart.periods import month_of, recent_months

    return recent_months(month_of(now()), 1)[0]


# How to name an object of the target tenant for each path parameter, as seen by a user
# of ``role`` (some objects are visible only to the organ or evaluator who made them).
PARAMETERS = {
    "organ_id": lambda world, role: world.organ_id(TARGET, "court"),
    "batch_id": lambda world, role: world.batches[
        (TARGET, "evaluator" if role == "evaluator" else "organ")
    ],
    "period": _last_month,
    "fmt": lambda world, role: "csv",
    "document_id": lambda world, role: world.documents[(TARGET, "work_news")],
    "attachment_id": lambda world, role: world.attachments[TARGET],
    "ticket_id": lambda world, role: world.tickets[TARGET],
    # an organ user sees its own organ's charts only
    "name": lambda world, role: (
        f"organ-{world.organ_id(TARGET, 'court')}-trend" if role == "organ" else "colours"
    ),
    # the target's own campaign (over its township), its task in its city's campaign, and
    # its direct child for the drill-down
    "campaign_id": lambda world, role: world.campaigns[TARGET],
    "task_id": lambda world, role: world.tasks[TARGET],
    "child_code": lambda world, role: "330106001",
    # the target's 执行难 topic (every congress has the shipped topics)
    "topic_id": lambda world, role: world.topics[TARGET],
    # the target's inquiry matter and the opinion it issued to the court (the organ user's)
    "matter_id": lambda world, role: world.matters[TARGET],
    "opinion_id": lambda world, role: world.opinions[TARGET],
    # coordination: the court's key concern, the deputy's opinion assigned to the court (the
    # deputy user raised it), the evaluator's report, the procuratorate's recommendation to
    # the court and a public comment
    "concern_id": lambda world, role: world.concerns[TARGET],
    "deputy_opinion_id": lambda world, role: world.deputy_opinions[TARGET],
    "evaluator_report_id": lambda world, role: world.evaluator_reports[TARGET],
    "recommendation_id": lambda world, role: world.recommendations[TARGET],
    "public_comment_id": lambda world, role: world.public_comments[TARGET],
}
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def _tenant_rules():
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.split(".")[0] in TENANT_BLUEPRINTS]
    return [
        (
            r.rule,
            sorted(r.methods - {"HEAD", "OPTIONS"}),
            r.endpoint,
            app.view_functions[r.endpoint],
        )
        for r in rules
    ]


RULES = _tenant_rules()
CASES = [
    (rule, method, endpoint, view) for rule, methods, endpoint, view in RULES for method in methods
]


def _url(rule: str, world, role: str = "admin") -> str:
    def fill(match):
        name = match.group(1).split(":")[-1]
        if name == "code":
            return TARGET
        assert name in PARAMETERS, f"add a factory for path parameter {name!r} to PARAMETERS"
        return str(PARAMETERS[name](world, role))

    return re.sub(r"<([^>]+)>", fill, rule)


def _user_for(role: str, code: str = TARGET) -> str:
    return f"{code}-court" if role == "organ" else f"{code}-{role}"


def _call(client, method, url, token):
    return client.open(
        url,
        method=method,
        headers={"Authorization": f"Bearer {token}"},
        json={} if method != "GET" else None,
    )


def test_the_matrix_has_routes():
    assert len(CASES) >= 5


@pytest.mark.parametrize(
    ("rule", "method", "endpoint", "view"), CASES, ids=[f"{m} {r}" for r, m, _, _ in CASES]
)
def test_every_tenant_route_declares_access(rule, method, endpoint, view):
    assert hasattr(view, "access"), f"{endpoint} has no @allow(...) declaration"


@pytest.mark.parametrize(
    ("rule", "method", "endpoint", "view"), CASES, ids=[f"{m} {r}" for r, m, _, _ in CASES]
)
def test_sibling_gets_404(client, world, rule, method, endpoint, view):
    for role in ROLES:
        url = _url(rule, world, role)
        token = bearer(client, _user_for(role, SIBLING))
        response = _call(client, method, url, token)
        assert response.status_code == 404, (role, url, response.status_code)


@pytest.mark.parametrize(
    ("rule", "method", "endpoint", "view"), CASES, ids=[f"{m} {r}" for r, m, _, _ in CASES]
)
def test_wrong_role_gets_403_and_right_role_succeeds(client, world, rule, method, endpoint, view):
    """An allowed role gets through: a read succeeds; a write sent an empty body may be
    told its input is bad (400, 422) but is never refused (401, 403, 404)."""
    allowed = view.access["roles"]
    for role in ROLES:
        url = _url(rule, world, role)
        token = bearer(client, _user_for(role))
        status = _call(client, method, url, token).status_code
        if role not in allowed:
            assert status == 403, (role, url, status)
        elif method in WRITES:
            assert status < 400 or status in (400, 422), (role, url, status)
        else:
            assert status < 400, (role, url, status)
    assert set(ROLES) - set(allowed) or allowed, "a route open to every role still has a rule"


@pytest.mark.parametrize(
    ("rule", "method", "endpoint", "view"), CASES, ids=[f"{m} {r}" for r, m, _, _ in CASES]
)
def test_other_city_gets_404(client, world, rule, method, endpoint, view):
    token = bearer(client, "330200-admin")
    assert _call(client, method, _url(rule, world), token).status_code == 404
