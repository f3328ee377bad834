"""The dashboard job: rebuild one tenant's charts from its stored data."""

from __future__ import annotations

import logging
import time

import sqlalchemy as sa

from app import clock
from app.audit.recorder import Actor, acting_as
from app.dashboards.builders import build_all
from app.dashboards.service import store
from app.db import db
from tenants.models import Tenant
from tenants.scoping import system_scope, tenant_scope
from workers.queue import in_app_context

log = logging.getLogger("workers.dashboards")


def rebuild(session, tenant_id: int) -> dict:
    with system_scope():
        tenant = session.get(Tenant, tenant_id)
    if tenant is None:
        return {"skipped": 1}
    with tenant_scope(tenant_id):
        today = clock.now().astimezone(clock.BEIJING).date()
        return store(session, build_all(session, tenant, today))


def rebuild_all(session, code: str | None = None) -> int:
    """Every tenant's dashboards (or one's): the demo seed and repair. Returns charts."""
    with system_scope():
        stmt = sa.select(Tenant.id).order_by(Tenant.id)
        if code is not None:
            stmt = stmt.where(Tenant.code == code)
        ids = session.scalars(stmt).all()
    total = 0
    for tenant_id in ids:
        result = rebuild(session, tenant_id)
        total += result.get("changed", 0) + result.get("unchanged", 0)
    return total


@in_app_context
def rebuild_tenant(tenant_id: int) -> None:
    started = time.perf_counter()
    with acting_as(Actor("dashboards-job")):
        result = rebuild(db.session, tenant_id)
        db.session.commit()
    log.info(
        "tenant=%s %s in %.2fs",
        tenant_id,
        " ".join(f"{k}={v}" for k, v in result.items()),
        time.perf_counter() - started,
    )
