"""Creating tenants, organs and users (run in system scope: it spans tenants)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import ROLES, User
from app.focus.topics import seed_defaults
from tenants.models import LEVELS, ORGAN_KINDS, Organ, Tenant, tenant_path


class ProvisioningError(ValueError):
    """A tenant, organ or user that cannot exist as asked."""


def _child_level(parent: Tenant | None) -> str:
    return LEVELS[0] if parent is None else LEVELS[LEVELS.index(parent.level) + 1]


def create_tenant(
    session: Session,
    code: str,
    name_zh: str,
    level: str,
    parent: Tenant | None = None,
    name_en: str = "",
    is_demo: bool = False,
) -> Tenant:
    """A congress below ``parent``, one level down; its code is its division code."""
    if not code.isdigit() or not 6 <= len(code) <= 12:
        raise ProvisioningError(f"代码 {code!r} 不是行政区划代码 / {code!r} is not a division code")
    if parent is not None and parent.level == LEVELS[-1]:
        raise ProvisioningError("乡镇街道下不能再设租户 / nothing sits below a township")
    if level != _child_level(parent):
        raise ProvisioningError(
            f"层级应为 {_child_level(parent)} / level must be {_child_level(parent)}, not {level}"
        )
    if session.scalar(select(Tenant.id).where(Tenant.code == code)) is not None:
        raise ProvisioningError(f"代码 {code} 已存在 / code {code} exists")
    tenant = Tenant(
        code=code,
        name_zh=name_zh,
        name_en=name_en,
        level=level,
        parent=parent,
        path=tenant_path(parent, code),
        depth=0 if parent is None else parent.depth + 1,
        is_demo=is_demo,
    )
    session.add(tenant)
    session.flush()
    seed_defaults(session, tenant.id)  # the shipped supervision topics, for staff to edit
    return tenant


def add_organ(
    session: Session, tenant: Tenant, kind: str, name_zh: str, name_en: str = ""
) -> Organ:
    if kind not in ORGAN_KINDS:
        raise ProvisioningError(f"未知机关类型 {kind} / unknown organ kind {kind}")
    if tenant.level not in ORGAN_KINDS[kind][1]:
        raise ProvisioningError(
            f"{tenant.level} 级不设 {kind} / a {tenant.level} has no organ of kind {kind}"
        )
    organ = Organ(tenant_id=tenant.id, kind=kind, name_zh=name_zh, name_en=name_en)
    session.add(organ)
    session.flush()
    return organ


def add_user(
    session: Session,
    tenant: Tenant,
    username: str,
    role: str,
    password_hash: str,
    display_name: str = "",
    organ: Organ | None = None,
    email: str | None = None,
) -> User:
    if role not in ROLES:
        raise ProvisioningError(f"未知角色 {role} / unknown role {role}")
    if (role == "organ") != (organ is not None):
        raise ProvisioningError(
            "机关用户必须且只能绑定一个机关 / an organ user needs exactly one organ"
        )
    if organ is not None and organ.tenant_id != tenant.id:
        raise ProvisioningError("机关不属于该租户 / the organ belongs to another tenant")
    user = User(
        tenant_id=tenant.id,
        username=username,
        role=role,
        password_hash=password_hash,
        display_name=display_name or username,
        organ_id=organ.id if organ else None,
        email=email or None,
    )
    session.add(user)
    session.flush()
    return user
