"""Writing notifications: once per (user, subject), however often the caller runs."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app, has_app_context
from sqlalchemy.orm import Session

from app.notifications.models import Notification
from app.ratings.engine import _dialect_insert

log = logging.getLogger("notifications")


def notify(
    session: Session,
    user_id: int,
    tenant_id: int,
    kind: str,
    dedupe_key: str,
    text_zh: str,
    text_en: str,
    link: str = "",
) -> None:
    insert = _dialect_insert(session)
    session.execute(
        insert(Notification.__table__)
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
    )


def send_mail(to: str, subject: str, body: str) -> bool:
    """E-mail through the configured SMTP server; off (False) unless SMTP_HOST is set."""
    if not has_app_context() or not current_app.config.get("SMTP_HOST") or not to:
        return False
    message = EmailMessage()
    message["From"] = current_app.config.get("SMTP_FROM", "judsup@localhost")
    message["To"], message["Subject"] = to, subject
    message.set_content(body)
    with smtplib.SMTP(
        current_app.config["SMTP_HOST"], current_app.config.get("SMTP_PORT", 25), timeout=10
    ) as smtp:
        smtp.send_message(message)
    log.info("mail=sent to=%s subject=%s", to, subject)
    return True
