"""Rating jobs: after an import, rate what it touched (and the siblings it is compared
with), judge the organs, and open or close tickets. Safe to run twice or after a kill:
ratings and judgements are upserts, tickets have a unique key."""

from __future__ import annotations

import logging

import sqlalchemy as sa

from app.audit.recorder import Actor, acting_as, record
from app.datamart.models import ImportBatch, IndicatorValue
from app.db import db
from app.ratings.engine import Scope, judge, rate
from app.tickets import service as tickets
from tenants.models import Tenant
from tenants.scoping import system_scope
from workers.queue import after_commit, in_app_context

log = logging.getLogger("workers.ratings")


def siblings_of(session, tenant_id: int) -> frozenset[int]:
    """The tenant and those compared with it: the children of the same parent."""
    parent = session.scalar(sa.select(Tenant.parent_id).where(Tenant.id == tenant_id))
    if parent is None:
        return frozenset({tenant_id})
    return frozenset(session.scalars(sa.select(Tenant.id).where(Tenant.parent_id == parent)))


def rate_and_follow(session, scope: Scope, recent_from: str | None) -> dict:
    """Rate the scope, judge the organs concerned, open/close tickets (for periods from
    ``recent_from`` on: older history is rated but asks no one to explain it)."""
    report = rate(session, scope)
    keys = [k for k in report.keys if recent_from is None or k[3] >= recent_from]
    opened, resolved = tickets.sync(session, keys)
    judged = judge(session, {(t, o, p) for t, o, _, p, _ in report.keys})
    return {
        "rated": report.rated,
        "opened": opened,
        "resolved": resolved,
        "judged": judged,
        **{f"n_{c}": n for c, n in report.colours.items()},
    }


@in_app_context
def rate_batch(batch_id: int) -> None:
    """After an import: rate the batch's indicators and periods across the siblings."""
    from app.ratings.policy import ticket_window_start

    with system_scope(), acting_as(Actor("rating-job")):
        batch = db.session.get(ImportBatch, batch_id, populate_existing=True)
        if batch is None or batch.status != "succeeded":
            log.warning("batch=%s result=skipped", batch_id)
            return
        touched = db.session.execute(
            sa.select(IndicatorValue.indicator_code, IndicatorValue.period)
            .distinct()
            .where(IndicatorValue.batch_id == batch_id)
        ).all()
        scope = Scope(
            tenant_ids=siblings_of(db.session, batch.tenant_id),
            codes=frozenset(c for c, _ in touched),
            periods=frozenset(p for _, p in touched),
        )
        result = rate_and_follow(db.session, scope, ticket_window_start())
        record(db.session, "ratings.batch", "import_batches", batch_id, **result)
        # Roll-ups and common problems read these ratings: they follow once committed.
        after_commit(
            db.session,
            "federation",
            "federation.jobs.rollup_batch",
            batch_id,
            job_id=f"rollup_batch-{batch_id}",
        )
        db.session.commit()
    log.info("batch=%s %s", batch_id, " ".join(f"{k}={v}" for k, v in result.items()))
