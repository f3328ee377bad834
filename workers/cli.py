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
    worker = Worker(list(names), connection=redis_connection())
    worker.work(burst=burst, with_scheduler=True)
