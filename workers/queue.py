"""Jobs are enqueued only after the transaction that created their input commits.

``after_commit(session, "imports", "app.x.rate_batch", batch_id)`` remembers the job on
the session; when the session commits, each remembered job goes to its RQ queue — or,
with no Redis configured (the embedded default), runs inline, in order, in a fresh app
context, so the demo behaves the same without a queue. A rollback forgets them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from flask import Flask, current_app
from redis import Redis
from rq import Queue, Retry
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger("workers")
PENDING = "pending_jobs"


@dataclass(frozen=True)
class PendingJob:
    queue: str
    func: str
    args: tuple
    job_id: str | None = None
    meta: dict = field(default_factory=dict)
    retry: Retry | None = None


def after_commit(
    session: Session,
    queue: str,
    func: str,
    *args,
    job_id: str | None = None,
    retry: Retry | None = None,
):
    """Run ``func(*args)`` once this session's transaction has committed.

    ``job_id`` makes the enqueue idempotent: RQ keeps one job per id. ``retry`` lets RQ
    run a failed job again (inline, a failure is only logged).
    """
    if queue not in current_app.config["RQ_QUEUES"]:
        raise ValueError(f"unknown queue {queue!r}")
    # Begin now if nothing has yet: the job then belongs to this transaction and a
    # rollback of it (which only fires its events on a begun transaction) forgets it.
    session.connection()
    session.info.setdefault(PENDING, []).append(PendingJob(queue, func, args, job_id, retry=retry))


def redis_connection() -> Redis:
    return Redis.from_url(current_app.config["REDIS_URL"])


def queue_named(name: str) -> Queue:
    return Queue(name, connection=redis_connection())


def _dispatch(session: Session) -> None:
    jobs = session.info.pop(PENDING, [])
    if not jobs:
        return
    app = current_app._get_current_object()
    for job in jobs:
        if app.config.get("REDIS_URL"):
            queue_named(job.queue).enqueue(job.func, *job.args, job_id=job.job_id, retry=job.retry)
            log.info("job=enqueued queue=%s func=%s args=%s", job.queue, job.func, job.args)
        else:
            run_inline(app, job)


def run_inline(app: Flask, job: PendingJob) -> None:
    from rq.utils import import_attribute

    with app.app_context():
        log.info("job=inline func=%s args=%s", job.func, job.args)
        try:
            import_attribute(job.func)(*job.args)
        except Exception:
            # As in a worker: the job's failure is the job's (it records it where it
            # must); the request whose commit started it has already succeeded.
            log.exception("job=failed func=%s args=%s", job.func, job.args)


def _forget(session: Session) -> None:
    session.info.pop(PENDING, None)


def init_app(app: Flask) -> None:
    for name, fn in (("after_commit", _dispatch), ("after_soft_rollback", _forget_soft)):
        if not event.contains(Session, name, fn):
            event.listen(Session, name, fn)


def _forget_soft(session: Session, _previous_transaction) -> None:
    _forget(session)


_worker_app: Flask | None = None


def in_app_context(fn):
    """Job functions need the app (its database, its settings): inline they already run
    inside one; in an RQ worker process the app is built once and reused."""
    from functools import wraps

    from flask import has_app_context

    @wraps(fn)
    def run(*args, **kwargs):
        global _worker_app
        if has_app_context():
            return fn(*args, **kwargs)
        if _worker_app is None:
            from app import create_app

            _worker_app = create_app()
        with _worker_app.app_context():
            return fn(*args, **kwargs)

    return run
