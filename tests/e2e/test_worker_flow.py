"""End to end on PostgreSQL and Redis with real RQ worker processes: an import with a
red value becomes one ticket in the organ's inbox with the right deadline; the organ
answers, staff return it, the organ answers again, staff accept; the sweep escalates an
overdue ticket; a worker killed in the middle of a rating job leaves nothing half-done,
and running the job again yields the same ratings and no duplicate ticket."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from redis import Redis
from rq import Queue

from app import clock, create_app
from app.auth.passwords import hash_password
from app.calendar.workdays import add_working_days
from app.datamart.periods import month_of, recent_months
from app.db import db
from app.notifications.models import Notification
from app.ratings.models import INPUTS, Rating
from app.tickets.models import Ticket
from tenants.scoping import system_scope
from tests.conftest import TEST_CONFIG
from tests.support import services
from tests.support.databases import drop_postgres, fresh_postgres, migrate
from tests.support.http import csrf, login
from tests.support.world import PASSWORD, build

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture(scope="module")
def stack(backend, tmp_path_factory):
    if backend != "postgresql":
        pytest.skip("the end-to-end flow runs on PostgreSQL")
    base = services.redis_url()
    if not services.answers(base, 6379):
        if services.in_ci():
            pytest.fail("CI=true requires Redis")
        pytest.skip("Redis is not running")
    redis_url = services.run_redis_url()  # this run's own database, emptied when claimed
    Redis.from_url(redis_url).flushdb()
    name = f"judsup_e2e_{os.getpid()}"
    owner, app_url = fresh_postgres(services.pg_url(), name)
    migrate(owner)
    files = str(tmp_path_factory.mktemp("files"))
    app = create_app(
        {
            **TEST_CONFIG,
            "SQLALCHEMY_DATABASE_URI": app_url,
            "REDIS_URL": redis_url,
            "FILE_STORE_DIR": files,
        }
    )
    with app.app_context(), system_scope():
        world = build(db.session, hash_password(PASSWORD))
        db.session.commit()
        ids = {code: t.id for code, t in world.tenants.items()}
    env = {
        **os.environ,
        "DATABASE_URL": app_url,
        "REDIS_URL": redis_url,
        "FILE_STORE_DIR": files,
        "SECRET_KEY": "e2e",
        "PYTHONPATH": os.getcwd(),
    }
    yield app, env, redis_url, ids
    app.extensions["judsup.db"].engine.dispose()
    Redis.from_url(redis_url).flushdb()
    drop_postgres(services.pg_url(), name)


def _worker(
    env, *queues: str, burst: bool = True
) -> subprocess.Popen | subprocess.CompletedProcess:
    args = [sys.executable, "-m", "flask", "--app", "wsgi", "worker"]
    for queue in queues:
        args += ["--queue", queue]
    if burst:
        args.append("--burst")
        return subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
    return subprocess.Popen(
        args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )


def _upload(client, code: str, period: str, numerator: int) -> dict:
    body = f"期间,机关,指标代码,分子,分母\n{period},西湖区人民法院,{code},{numerator},100\n"
    response = client.post(
        "/api/v1/t/330106/imports",
        data={"file": (io.BytesIO(body.encode()), f"{code}.csv")},
        headers={"X-CSRFToken": csrf(client)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 202, response.get_json()
    assert response.get_json()["status"] == "queued"
    return response.get_json()


def _json(client, method, url, body=None):
    response = client.open(
        url,
        method=method,
        json=body,
        headers={"X-CSRFToken": csrf(client)} if method != "GET" else {},
    )
    return response.status_code, response.get_json()


def _tickets(app, code: str):
    with app.app_context(), system_scope():
        return db.session.scalars(sa.select(Ticket).where(Ticket.indicator_code == code)).all()


def test_import_to_ticket_to_answer_return_accept(stack):
    app, env, _, _ = stack
    period = recent_months(month_of(clock.now()), 1)[0]
    court, staff = app.test_client(), app.test_client()
    login(court, "330106-court")
    login(staff, "330106-staff")
    _upload(court, "CT02", period, 90)
    worker = _worker(env)
    assert worker.returncode == 0, worker.stderr[-2000:]

    status, inbox = _json(court, "GET", "/api/v1/t/330106/tickets?status=open")
    mine = [t for t in inbox["tickets"] if t["indicator"] == "CT02"]
    assert status == 200 and len(mine) == 1
    ticket = mine[0]
    assert (ticket["indicator"], ticket["colour"], ticket["status"]) == ("CT02", "red", "open")
    opened = clock.now().astimezone(clock.BEIJING).date()
    assert ticket["deadline"] == add_working_days(opened, 5).isoformat()

    url = f"/api/v1/t/330106/tickets/{ticket['id']}"
    assert _json(court, "POST", f"{url}/responses", {"text": "本月收案激增,已增派人手"})[0] == 200
    assert _json(staff, "POST", f"{url}/review", {"decision": "return"})[0] == 422
    assert (
        _json(
            staff,
            "POST",
            f"{url}/review",
            {"decision": "return", "comment": "请说明具体措施和时限"},
        )[0]
        == 200
    )
    assert _json(court, "POST", f"{url}/responses", {"text": "下月起每周通报结案进度"})[0] == 200
    status, done = _json(staff, "POST", f"{url}/review", {"decision": "accept"})
    assert status == 200 and done["status"] == "accepted"
    history = [(e["action"], e["actor"]) for e in done["events"]]
    assert history == [
        ("open", "system"),
        ("answer", "330106-court"),
        ("return", "330106-staff"),
        ("answer", "330106-court"),
        ("accept", "330106-staff"),
    ]
    assert done["events"][2]["text"] == "请说明具体措施和时限"


def test_sweep_past_the_deadline_escalates(stack):
    app, env, _, ids = stack
    period = recent_months(month_of(clock.now()), 1)[0]
    court = app.test_client()
    login(court, "330106-court")
    _upload(court, "CT08", period, 90)
    assert _worker(env).returncode == 0
    (ticket,) = _tickets(app, "CT08")
    later = (ticket.deadline + timedelta(days=1)).isoformat() + "T09:00:00+08:00"
    sweep = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "sweep", "--now", later],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert sweep.returncode == 0, sweep.stderr[-2000:]
    assert "escalated=" in sweep.stdout and "escalated=0" not in sweep.stdout
    (ticket,) = _tickets(app, "CT08")
    assert ticket.escalated_at is not None
    again = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "sweep", "--now", later],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "escalated=0" in again.stdout
    with app.app_context(), system_scope():
        told = set(
            db.session.scalars(
                sa.select(Notification.tenant_id).where(Notification.kind == "ticket_overdue")
            )
        )
    assert {ids["330106"], ids["330100"]} <= told


def test_killed_rating_job_leaves_nothing_and_reruns_cleanly(stack):
    app, env, redis_url, _ = stack
    period = recent_months(month_of(clock.now()), 1)[0]
    court = app.test_client()
    login(court, "330106-court")
    batch = _upload(court, "CT09", period, 70)
    assert _worker(env, "imports").returncode == 0  # loads it; the rating job now waits
    redis = Redis.from_url(redis_url)
    Queue("default", connection=redis).enqueue(
        "tests.support.jobs.slow_rating", batch["id"], 60, job_timeout=120
    )
    worker = _worker(env, "default", burst=False)
    deadline = time.monotonic() + 60
    while redis.get(f"slow-rating-{batch['id']}") is None:
        assert worker.poll() is None, worker.stderr.read()
        assert time.monotonic() < deadline, "the slow rating never got going"
        time.sleep(0.2)
    for pid in (*_children(worker.pid), worker.pid):  # the work horse runs the job
        os.kill(pid, signal.SIGKILL)
    worker.wait(timeout=10)
    assert _tickets(app, "CT09") == []  # killed before its commit: nothing half-written

    assert _worker(env, "ratings").returncode == 0  # the real rating job
    first = _ratings_snapshot(app)
    Queue("ratings", connection=redis).enqueue("app.ratings.jobs.rate_batch", batch["id"])
    assert _worker(env, "ratings").returncode == 0  # and once more
    assert _ratings_snapshot(app) == first
    assert len(_tickets(app, "CT09")) == 1


def _children(pid: int) -> list[int]:
    """RQ forks a work horse (in a process group of its own) for each job."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry))
    return found


def _ratings_snapshot(app):
    with app.app_context(), system_scope():
        return sorted(
            db.session.execute(
                sa.select(
                    Rating.organ_id,
                    Rating.indicator_code,
                    Rating.period,
                    Rating.colour,
                    *(getattr(Rating, name) for name in INPUTS),
                )
            ).all()
        )
