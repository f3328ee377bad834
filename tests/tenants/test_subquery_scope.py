"""The tenant filter reaches inside subqueries, CTEs and EXISTS, and a subquery on a
tenant-owned table with no context raises like any other query."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.datamart.models import IndicatorValue
from tenants.models import Organ
from tenants.scoping import TenantScopeError, system_scope, tenant_scope


def test_count_over_a_subquery_is_scoped(session, world):
    with tenant_scope(world.tenant_id("330106")):
        inner = sa.select(Organ.id).subquery()
        count = session.scalar(sa.select(sa.func.count()).select_from(inner))
        direct = session.scalar(sa.select(sa.func.count(Organ.id)))
    assert count == direct == 4


def test_cte_and_exists_are_scoped(session, world):
    tid = world.tenant_id("330106")
    with tenant_scope(tid):
        cte = sa.select(IndicatorValue.organ_id).cte()
        ids = set(session.scalars(sa.select(cte.c.organ_id)))
        exists = session.scalars(
            sa.select(sa.literal(1)).where(
                sa.exists().where(Organ.id == world.organ_id("330105", "court"))
            )
        ).all()
    assert ids == {world.organ_id("330106", "court")}
    assert exists == []


def test_subquery_without_context_raises(session):
    with pytest.raises(TenantScopeError):
        session.scalar(sa.select(sa.func.count()).select_from(sa.select(Organ.id).subquery()))


def test_a_core_statement_in_a_tenant_scope_raises_instead_of_reading_every_tenant(session, world):
    """The ORM's filter reaches statements on the models, not Core ones on their tables:
    inside a tenant's scope such a statement is refused (on SQLite nothing else would stop
    it; on PostgreSQL row-level security would)."""
    organs = Organ.__table__
    with tenant_scope(world.tenant_id("330106")):
        for statement in (
            sa.select(organs.c.id),
            sa.select(sa.func.count()).select_from(organs),
            organs.update().values(name_en="x"),
            organs.delete().where(organs.c.id == -1),
        ):
            with pytest.raises(TenantScopeError, match="Core statement"):
                session.execute(statement)
        # the same reads through the model are narrowed and allowed
        assert session.scalar(sa.select(sa.func.count()).select_from(Organ)) == 4
    with system_scope():  # across tenants on purpose: Core is fine
        assert session.scalar(sa.select(sa.func.count()).select_from(organs)) > 4
