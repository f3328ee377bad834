"""The ORM net: every query on a tenant-owned table is scoped, or raises."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.auth.models import User
from app.datamart.models import IndicatorValue
from tenants.models import Organ, Tenant
from tenants.scoping import TenantScopeError, system_scope, tenant_scope


def test_query_without_tenant_context_raises(session):
    with pytest.raises(TenantScopeError):
        session.scalars(sa.select(Organ)).all()


def test_shared_tables_need_no_context(session):
    assert session.scalar(sa.select(sa.func.count()).select_from(Tenant)) >= 6


def test_scope_sees_only_its_own_rows(session, world):
    with tenant_scope(world.tenant_id("330106")):
        organs = session.scalars(sa.select(Organ)).all()
        users = session.scalars(sa.select(User)).all()
    assert {o.tenant_id for o in organs} == {world.tenant_id("330106")}
    assert {o.name_zh for o in organs} >= {"西湖区人民法院", "西湖区人民检察院"}
    assert users and {u.tenant_id for u in users} == {world.tenant_id("330106")}


def test_scope_applies_to_joins_and_aggregates(session, world):
    with tenant_scope(world.tenant_id("330105")):
        pairs = session.execute(
            sa.select(IndicatorValue.tenant_id, Organ.tenant_id).join(Organ)
        ).all()
        count = session.scalar(sa.select(sa.func.count(IndicatorValue.id)))
    assert pairs and all(a == b == world.tenant_id("330105") for a, b in pairs)
    assert count == len(pairs)


def test_another_tenants_row_by_id_is_invisible(session, world):
    foreign = world.organ_id("330105", "court")
    with tenant_scope(world.tenant_id("330106")):
        assert session.scalars(sa.select(Organ).where(Organ.id == foreign)).first() is None


def test_a_statement_built_once_is_scoped_to_each_tenant_it_runs_in(session, world):
    """The scoped form of a statement is kept per tenant (its cache key computed once):
    the same statement object, run in turn as two tenants, sees each one's rows only."""
    once = sa.select(Organ.tenant_id)
    for _ in range(2):
        for code in ("330106", "330105", "330106"):
            with tenant_scope(world.tenant_id(code)):
                seen = set(session.scalars(once))
            assert seen == {world.tenant_id(code)}


def test_bulk_update_and_delete_are_scoped(session, world):
    with tenant_scope(world.tenant_id("330106")):
        session.execute(sa.update(Organ).values(active=False))
        session.execute(sa.delete(IndicatorValue))
    with system_scope():
        rows = session.execute(sa.select(Organ.tenant_id, Organ.active)).all()
        left = session.scalar(
            sa.select(sa.func.count())
            .select_from(IndicatorValue)
            .where(IndicatorValue.tenant_id == world.tenant_id("330105"))
        )
    assert {t for t, active in rows if not active} == {world.tenant_id("330106")}
    assert left == 2


def test_new_rows_take_the_scope_and_cannot_name_another(session, world):
    with tenant_scope(world.tenant_id("330106")):
        organ = Organ(kind="court", name_zh="西湖区第二人民法院")
        session.add(organ)
        session.flush()
        assert organ.tenant_id == world.tenant_id("330106")
        session.add(Organ(kind="court", name_zh="越界", tenant_id=world.tenant_id("330105")))
        with pytest.raises(TenantScopeError):
            session.flush()
        session.rollback()


def test_moving_a_row_to_another_tenant_is_refused(session, world):
    with tenant_scope(world.tenant_id("330106")):
        organ = session.scalars(sa.select(Organ)).first()
        organ.tenant_id = world.tenant_id("330105")
        with pytest.raises(TenantScopeError):
            session.flush()
        session.rollback()


def test_tenant_code_is_immutable(session, world):
    tenant = session.get(Tenant, world.tenant_id("330106"))
    with pytest.raises(ValueError, match="cannot change"):
        tenant.code = "330199"


def test_every_tenant_owned_table_is_scoped():
    """A new tenant-owned table must use the mixin, or none of this protects it."""
    from app.models import Base

    owned = {t.name for t in Base.metadata.tables.values() if "tenant_id" in t.c}
    mapped = {
        m.class_.__tablename__
        for m in Base.registry.mappers
        if getattr(m.class_, "__tenant_owned__", False)
    }
    assert owned == mapped
