"""The mail job: e-mail one notification, at most once however often it runs.

Scheduled by ``notify`` after the notifying transaction commits (RQ retries a failure).
The row is locked while sending, so two runs of the same job cannot both send; a run
after a successful one finds ``emailed_at`` set and does nothing.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import current_app

from app.auth.models import User
from app.db import db, utcnow
from app.notifications import mail
from app.notifications.models import Notification
from tenants.models import Tenant
from tenants.scoping import system_scope
from workers.queue import in_app_context

log = logging.getLogger("workers.mail")


@in_app_context
def send_email(notification_id: int) -> None:
    config = current_app.config
    if not config.get("MAIL_ENABLED"):
        log.info("notification=%s mail=skipped reason=disabled", notification_id)
        return
    with system_scope():
        session = db.session
        try:
            note = session.scalar(
                sa.select(Notification)
                .where(Notification.id == notification_id)
                .with_for_update(of=Notification)
                .execution_options(populate_existing=True)
            )
            reason = _skip_reason(session, note)
            if reason:
                log.info("notification=%s mail=skipped reason=%s", notification_id, reason)
                session.rollback()
                return
            user = session.get(User, note.user_id)
            code = session.scalar(sa.select(Tenant.code).where(Tenant.id == note.tenant_id))
            message = mail.build_message(note, user.email, code, config)
            try:
                mail.send(message, config)
            except Exception as err:
                log.error(
                    "notification=%s mail=failed server=%s:%s error=%r",
                    notification_id,
                    config.get("MAIL_SERVER"),
                    config.get("MAIL_PORT"),
                    err,
                )
                raise
            note.emailed_at = utcnow()
            session.commit()
        except Exception:
            session.rollback()
            raise
    log.info("notification=%s mail=sent", notification_id)


def _skip_reason(session, note: Notification | None) -> str | None:
    if note is None:
        return "gone"
    if note.emailed_at is not None:
        return "sent-already"
    user = session.get(User, note.user_id)
    if user is None or not user.active:
        return "no-user"
    if not user.email:
        return "no-address"
    if not user.email_notifications:
        return "opted-out"
    return None
