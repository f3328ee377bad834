"""Job functions of the data mart: they take ids, find their tenant, and are safe to
run twice."""

from __future__ import annotations

import logging

import sqlalchemy as sa

from app.audit.recorder import Actor, acting_as
from app.datamart import imports
from app.datamart.models import ImportBatch
from app.db import db
from tenants.scoping import system_scope, tenant_scope
from workers.queue import in_app_context

log = logging.getLogger("workers.imports")


@in_app_context
def import_batch(batch_id: int) -> None:
    """Validate and load one import batch in its tenant's scope."""
    with system_scope():
        owner = db.session.execute(
            sa.select(
                ImportBatch.tenant_id, ImportBatch.submitted_by, ImportBatch.submitted_by_user_id
            ).where(ImportBatch.id == batch_id)
        ).first()
        db.session.commit()
    if owner is None:
        log.warning("batch=%s result=missing", batch_id)
        return
    tenant_id, label, user_id = owner
    with tenant_scope(tenant_id), acting_as(Actor(label, user_id, tenant_id)):
        try:
            batch = imports.run(db.session, batch_id)
        except Exception:
            db.session.rollback()
            imports.fail(db.session, batch_id)
            raise
    log.info("batch=%s result=%s", batch_id, batch.status if batch else "skipped")
