"""Writing notifications: once per (user, subject), however often the caller runs.

A notification that is new (not a repeat of one already there) is also e-mailed when
mail is enabled and the user has an address and has not opted out — by a job that runs
after the notifying transaction commits, never inside it.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy.orm import Session

from app.db import dialect_insert
from app.notifications.models import Notification

MAIL_JOB = "app.notifications.jobs.send_email"


def notify(
    session: Session,
    user_id: int,
    tenant_id: int,
    kind: str,
    dedupe_key: str,
    text_zh: str,
    text_en: str,
    link: str = "",
) -> int | None:
    """Insert the notification unless the user has it already; the new row's id, or None
    when it was a duplicate (which is then not e-mailed again)."""
    insert = dialect_insert(session)
    table = Notification.__table__
    new_id = session.execute(
        insert(table)
        .values(
            user_id=user_id,
            tenant_id=tenant_id,
            kind=kind,
            dedupe_key=dedupe_key[:120],
            text_zh=text_zh,
            text_en=text_en,
            link=link,
        )
        .on_conflict_do_nothing(index_elements=["user_id", "dedupe_key"])
        .returning(table.c.id)
    ).scalar_one_or_none()
    if new_id is not None and _wants_mail(session, user_id):
        from rq import Retry

        from workers.queue import after_commit

        after_commit(
            session,
            "default",
            MAIL_JOB,
            new_id,
            job_id=f"mail-{new_id}",
            retry=Retry(max=3, interval=[60, 300, 1800]),
        )
    return new_id


def _wants_mail(session: Session, user_id: int) -> bool:
    if not (has_app_context() and current_app.config.get("MAIL_ENABLED")):
        return False
    from app.auth.models import User

    row = session.execute(
        sa.select(User.email, User.email_notifications, User.active).where(User.id == user_id)
    ).first()
    return bool(row and row.email and row.email_notifications and row.active)
