"""The periodic sweep as an RQ job that schedules its own next run.

Each run is named after its time slot (``periodic-sweep-YYYYMMDDHHMM``), so however many
workers start, each slot is scheduled once; RQ's scheduler lock lets exactly one
scheduler move a due job onto its queue.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import current_app
from rq import Queue
from rq.exceptions import NoSuchJobError
from rq.job import Job

from app import clock
from app.audit.recorder import Actor, acting_as, record
from app.db import db
from app.tickets.sweep import sweep
from tenants.scoping import system_scope
from workers.queue import in_app_context, queue_named

log = logging.getLogger("workers.sweep")
FUNC = "app.tickets.jobs.periodic_sweep"


def next_slot(now: datetime, minutes: int) -> datetime:
    """The next whole multiple of ``minutes`` after ``now``."""
    step = timedelta(minutes=minutes)
    start = now.replace(second=0, microsecond=0)
    base = start - timedelta(minutes=start.minute % minutes if minutes < 60 else start.minute)
    return base + step if base + step > now else base + 2 * step


def slot_id(slot: datetime) -> str:
    return f"periodic-sweep-{slot:%Y%m%d%H%M}"


def schedule_next(queue: Queue, now: datetime, minutes: int) -> str | None:
    """Schedule the sweep for the next slot unless someone already has; its id or None."""
    slot = next_slot(now, minutes)
    job_id = slot_id(slot)
    try:
        Job.fetch(job_id, connection=queue.connection)
        return None
    except NoSuchJobError:
        queue.enqueue_at(slot, FUNC, job_id=job_id)
        return job_id


def run_sweep(now: datetime):
    """One sweep across every tenant as of ``now``, audited and committed."""
    with clock.frozen_at(now), system_scope(), acting_as(Actor("sweep")):
        report = sweep(db.session, now)
        record(db.session, "jobs.sweep", "tickets", "", now=now.isoformat(), **report.__dict__)
        db.session.commit()
    return report


@in_app_context
def periodic_sweep() -> None:
    now = clock.now()
    report = run_sweep(now)
    log.info(
        "sweep escalated=%s due_soon=%s overdue_opinions=%s overdue_concerns=%s "
        "overdue_deputy_opinions=%s",
        report.escalated,
        report.due_soon,
        report.opinions_escalated,
        report.concerns_escalated,
        report.deputy_opinions_escalated,
    )
    schedule_next(queue_named("default"), now, current_app.config["SWEEP_EVERY_MINUTES"])
