"""Jobs are enqueued only after commit: inline without Redis, through RQ with it."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest
from redis import Redis
from rq import Queue
from rq.registry import ScheduledJobRegistry

from app.db import db
from tests.support import jobs
from workers.queue import after_commit


@pytest.fixture(autouse=True)
def _clean():
    jobs.RAN.clear()


def test_inline_job_runs_after_commit_not_before(app, tx):
    with app.app_context():
        after_commit(db.session, "default", "tests.support.jobs.remember", 1)
        db.session.flush()
        assert jobs.RAN == []
        db.session.commit()
    assert jobs.RAN == [(1,)]


def test_rollback_forgets_the_job(app, tx):
    with app.app_context():
        after_commit(db.session, "default", "tests.support.jobs.remember", 2)
        db.session.rollback()
        db.session.commit()
    assert jobs.RAN == []


def test_unknown_queue_is_refused(app, tx):
    with app.app_context(), pytest.raises(ValueError, match="unknown queue"):
        after_commit(db.session, "nonsense", "tests.support.jobs.remember")


@pytest.mark.redis
def test_rq_job_is_enqueued_at_commit_and_run_by_a_worker_process(app, tx, redis_url):
    redis = Redis.from_url(redis_url)
    queue_name = "default"
    key = f"judsup-test:{uuid.uuid4()}"
    app.config["REDIS_URL"] = redis_url
    try:
        Queue(queue_name, connection=redis).empty()
        # A worker schedules the periodic sweep for its next slot; one left by an earlier
        # worker of this run (the end-to-end tests) may be due by now, and the burst worker
        # would run it too, against whatever database its environment names.
        scheduled = ScheduledJobRegistry(queue_name, connection=redis)
        for job_id in scheduled.get_job_ids():
            scheduled.remove(job_id, delete_job=True)
        with app.app_context():
            after_commit(
                db.session,
                queue_name,
                "tests.support.jobs.mark",
                key,
                "done",
                job_id=key.replace(":", "-"),
            )
            assert Queue(queue_name, connection=redis).count == 0
            db.session.commit()
        assert Queue(queue_name, connection=redis).count == 1
        env = {**os.environ, "REDIS_URL": redis_url, "PYTHONPATH": os.getcwd()}
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "flask",
                "--app",
                "wsgi",
                "worker",
                "--queue",
                queue_name,
                "--burst",
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        assert redis.get(key) == b"done"
    finally:
        app.config["REDIS_URL"] = None
        redis.delete(key)


def test_worker_command_explains_embedded_mode(app):
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code != 0 and "REDIS_URL" in result.output
