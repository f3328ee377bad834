"""Writing notifications: once per (user, subject), however often the caller runs."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.db import dialect_insert
from app.notifications.models import Notification


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
    insert = dialect_insert(session)
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
