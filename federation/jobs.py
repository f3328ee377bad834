"""Federation jobs: after a batch is rated, roll its tenant's figures up the ancestor
chain and detect the common problems again. Idempotent (upserts; problems keyed by
parent, indicator and period), so a retry or a run after a kill changes nothing more."""

from __future__ import annotations

import logging

import sqlalchemy as sa

from app.audit.recorder import Actor, acting_as, record
from app.dashboards.service import schedule
from app.datamart.models import ImportBatch, IndicatorValue
from app.db import db
from federation import engine, problems
from tenants.models import Tenant
from tenants.scoping import system_scope
from workers.queue import in_app_context

log = logging.getLogger("workers.federation")


def refresh(session, tenant_id: int, codes: set[str], periods: set[str]) -> dict:
    """Roll up one tenant's changed figures and re-detect its ancestors' problems."""
    outcome = engine.refresh_chain(session, tenant_id, codes, periods)
    chain = outcome.tree.ancestors(tenant_id) if outcome.tree else []
    found = (
        problems.refresh(session, outcome.tree, chain, codes, problems.affected_periods(periods))
        if chain
        else 0
    )
    return {
        "chain": chain,
        "parents": outcome.parents,
        "rollups": outcome.rows,
        "rerated": outcome.rerated,
        "common_problems": found,
    }


def rebuild(session, root_code: str | None = None) -> dict:
    outcome = engine.rebuild(session, root_code)
    parents = (
        outcome.tree.parents()
        if root_code is None
        else [t for t in outcome.tree.subtree(outcome.root) if outcome.tree.children.get(t)]
    )
    found = problems.refresh(session, outcome.tree, parents)
    return {"parents": outcome.parents, "rollups": outcome.rows, "common_problems": found}


@in_app_context
def rollup_batch(batch_id: int) -> None:
    """After a batch's ratings: its tenant's chain of roll-ups and common problems."""
    with system_scope(), acting_as(Actor("federation-job")):
        batch = db.session.get(ImportBatch, batch_id, populate_existing=True)
        if batch is None or batch.status != "succeeded":
            log.warning("batch=%s result=skipped", batch_id)
            return
        touched = db.session.execute(
            sa.select(IndicatorValue.indicator_code, IndicatorValue.period)
            .distinct()
            .where(IndicatorValue.batch_id == batch_id)
        ).all()
        result = refresh(
            db.session, batch.tenant_id, {c for c, _ in touched}, {p for _, p in touched}
        )
        record(db.session, "federation.batch", "import_batches", batch_id, **result)
        # Every tenant whose charts read what changed: the batch's tenant, its siblings
        # (re-rated against the moved median) and its ancestors (their roll-ups).
        parent = db.session.scalar(sa.select(Tenant.parent_id).where(Tenant.id == batch.tenant_id))
        siblings = db.session.scalars(sa.select(Tenant.id).where(Tenant.parent_id == parent))
        schedule(db.session, {batch.tenant_id, *siblings, *result.pop("chain")})
        db.session.commit()
    log.info("batch=%s %s", batch_id, " ".join(f"{k}={v}" for k, v in result.items()))
