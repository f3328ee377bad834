"""What the coordination services share: deadlines on the working-day calendar, checks that
an organ, indicator or document named in a request is this congress's own, and telling
people (notifications)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app import clock
from app.auth.models import User
from app.calendar.workdays import load_calendar
from app.errors import ApiError
from app.notifications.service import notify
from app.tickets.service import deadline as working_deadline
from tenants.models import Organ

STAFF_ROLES = ("staff", "admin")
INDICATOR_CODE = r"^[A-Z]{2}\d{2}$"


def invalid(code: str, zh: str, en: str, status: int = 422) -> ApiError:
    return ApiError(status, code, zh, en)


def deadline_in(days: int) -> date:
    """``days`` working days after today (Beijing), on the holiday calendar — the rule of
    a response ticket's deadline (:func:`app.tickets.service.deadline`)."""
    return working_deadline(clock.today(), days, load_calendar())


def organ_here(session: Session, organ_id: int | None, field: str = "organ_id") -> Organ:
    """The organ of this congress with this id; another congress's is as unknown as a
    missing one (the tenant scope hides it)."""
    organ = (
        session.scalar(sa.select(Organ).where(Organ.id == organ_id))
        if organ_id is not None
        else None
    )
    if organ is None:
        raise ApiError(
            422,
            "unknown_organ",
            "该机关不是本级的司法机关",
            "Not an organ of this congress",
            fields={field: ["unknown organ"]},
        )
    return organ


def indicator_known(session: Session, code: str) -> str:
    """``code`` if the dictionary in force has it, else a 422."""
    from app.indicators.service import version_named

    version = version_named(None, session)
    if version is None or code not in {row.code for row in version.indicators}:
        raise ApiError(
            422,
            "unknown_indicator",
            f"指标体系中没有指标 {code}",
            f"The dictionary has no indicator {code}",
            fields={"indicator_code": ["unknown indicator"]},
        )
    return code


def organ_users(session: Session, organ_id: int) -> list[int]:
    return list(
        session.scalars(sa.select(User.id).where(User.organ_id == organ_id, User.active)).all()
    )


def staff_users(session: Session, tenant_id: int) -> list[int]:
    return list(
        session.scalars(
            sa.select(User.id).where(
                User.tenant_id == tenant_id, User.role.in_(STAFF_ROLES), User.active
            )
        ).all()
    )


def tell(
    session: Session,
    user_ids: list[int],
    tenant_id: int,
    kind: str,
    key: str,
    message: tuple[str, str],
    link: str,
) -> None:
    """One notification per user (``key`` makes a repeat a no-op); ``link`` is relative
    to the tenant's pages."""
    for user_id in user_ids:
        notify(session, user_id, tenant_id, kind, key, message[0], message[1], link)
