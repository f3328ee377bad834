"""``flask --app wsgi worker``: an RQ worker on the app's queues, inside the app."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext


@click.command("worker")
@click.option("--queue", "queues", multiple=True, help="queues to listen on (default: all)")
@click.option("--burst", is_flag=True, help="stop when the queues are empty")
@with_appcontext
def worker_command(queues: tuple[str, ...], burst: bool) -> None:
    """Start an RQ worker on the app's queues."""
    from rq import Worker

    from workers.queue import redis_connection

    if not current_app.config.get("REDIS_URL"):
        raise click.ClickException(
            "未配置 REDIS_URL:嵌入模式下任务内联执行,无需工作进程 / "
            "REDIS_URL is not set: in embedded mode jobs run inline and need no worker"
        )
    names = queues or current_app.config["RQ_QUEUES"]
    if "default" in names:
        from app import clock
        from app.tickets.jobs import schedule_next
        from workers.queue import queue_named

        schedule_next(
            queue_named("default"), clock.now(), current_app.config["SWEEP_EVERY_MINUTES"]
        )
    worker = Worker(list(names), connection=redis_connection())
    worker.work(burst=burst, with_scheduler=True)


@click.group("jobs")
def jobs_cli() -> None:
    """Periodic work, run once from the command line."""


@jobs_cli.command("sweep")
@click.option(
    "--now",
    "now_text",
    default=None,
    help="ISO-8601 moment to sweep as of (default: the clock), e.g. 2026-12-01T09:00+08:00",
)
@with_appcontext
def sweep_command(now_text: str | None) -> None:
    """Escalate overdue tickets, opinions, key concerns and deputies' opinions; remind
    organs of tickets about to fall due."""
    from datetime import datetime

    from app import clock
    from app.tickets.jobs import run_sweep

    try:
        now = datetime.fromisoformat(now_text) if now_text else clock.now()
    except ValueError as err:
        raise click.BadParameter(f"不是 ISO-8601 时间 / not ISO-8601: {now_text}") from err
    if now.tzinfo is None:
        now = now.replace(tzinfo=clock.BEIJING)
    report = run_sweep(now)
    click.echo(
        f"sweep as of {now.isoformat()}: escalated={report.escalated} due_soon={report.due_soon} "
        f"overdue_opinions={report.opinions_escalated} "
        f"overdue_concerns={report.concerns_escalated} "
        f"overdue_deputy_opinions={report.deputy_opinions_escalated}"
    )
