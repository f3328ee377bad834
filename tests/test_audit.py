"""Every write leaves an audit row: who, tenant, what, when."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.audit.recorder import Actor, acting_as
from tenants.models import Organ, Tenant
from tenants.scoping import TenantScopeError, system_scope, tenant_scope
from tests.support.http import login, post_json


def _events(session, action=None):
    with system_scope():
        stmt = sa.select(AuditEvent).order_by(AuditEvent.id)
        if action:
            stmt = stmt.where(AuditEvent.action == action)
        return session.scalars(stmt).all()


def test_orm_insert_update_delete_are_audited(session, world):
    tid = world.tenant_id("330106")
    with tenant_scope(tid), acting_as(Actor("tester", 7, tid)):
        organ = Organ(kind="court", name_zh="西湖区互联网法庭")
        session.add(organ)
        session.flush()
        organ.active = False
        session.flush()
        session.delete(organ)
        session.flush()
    inserted, updated, deleted = (
        _events(session, f"organs.{a}")[-1] for a in ("insert", "update", "delete")
    )
    assert inserted.detail["name_zh"] == "西湖区互联网法庭" and inserted.actor == "tester"
    assert inserted.object_id == str(organ.id)
    assert updated.detail == {"active": False}
    assert deleted.object_id == str(organ.id)
    assert {e.tenant_id for e in (inserted, updated, deleted)} == {tid}


def test_login_and_token_creation_are_audited_without_secrets(client, session):
    login(client, "330106-staff")
    post_json(client, "/api/v1/auth/tokens", {"name": "robot"})
    created = _events(session, "api_tokens.insert")[-1]
    assert created.actor == "330106-staff"
    assert created.detail["token_hash"] == "***"
    assert _events(session, "login_sessions.insert")[-1].detail["key_hash"] == "***"


def test_audit_rows_are_tenant_scoped(session, world):
    with tenant_scope(world.tenant_id("330106")):
        session.add(Organ(kind="court", name_zh="只属于西湖"))
        session.flush()
    with tenant_scope(world.tenant_id("330105")):
        rows = session.scalars(sa.select(AuditEvent)).all()
    assert all(r.tenant_id == world.tenant_id("330105") for r in rows)


def test_a_write_with_no_scope_is_refused(session, world):
    tenant = session.get(Tenant, world.tenant_id("330106"))
    tenant.name_en = "changed"
    with pytest.raises(TenantScopeError):
        session.flush()
    session.rollback()
