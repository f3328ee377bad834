"""Tenants (people's congresses) and the organs each one supervises."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from app.db import Base, utcnow
from tenants.scoping import TenantOwned

LEVELS = ("province", "city", "district", "township")
LEVEL_NAMES = {"province": "省", "city": "市", "district": "区县", "township": "乡镇街道"}

ORGAN_KINDS = {
    # kind: (family, levels it exists at, Chinese label)
    "court": ("court", ("province", "city", "district"), "法院"),
    "procuratorate": ("procuratorate", ("province", "city", "district"), "检察院"),
    "public_security": ("public_security", ("province", "city", "district"), "公安"),
    "justice_bureau": ("justice_bureau", ("province", "city", "district"), "司法局"),
    "tribunal": ("court", ("township",), "人民法庭"),
    "police_station": ("public_security", ("township",), "派出所"),
    "justice_office": ("justice_bureau", ("township",), "司法所"),
}


def organ_family(kind: str) -> str:
    """The organ family an organ kind reports under (a tribunal reports court figures)."""
    return ORGAN_KINDS[kind][0]


class Tenant(Base):
    """One people's congress. Its code (the administrative division code) never changes;
    ``path`` lists the codes from the root down to it, so ancestry is a prefix test."""

    __tablename__ = "tenants"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(12), unique=True)
    name_zh: Mapped[str] = mapped_column(sa.String(80))
    name_en: Mapped[str] = mapped_column(sa.String(120), default="")
    level: Mapped[str] = mapped_column(sa.String(16))
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tenants.id"), index=True)
    path: Mapped[str] = mapped_column(sa.String(200), index=True)
    depth: Mapped[int] = mapped_column(sa.SmallInteger)
    is_demo: Mapped[bool] = mapped_column(default=False)
    # The tree's grant: may ancestors read this tenant's raw submissions, not only its
    # roll-ups and ratings? Off by default (DESIGN.md, Tenancy).
    raw_readable_by_ancestors: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    parent: Mapped[Tenant | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Tenant]] = relationship(back_populates="parent", order_by="Tenant.code")

    __table_args__ = (sa.CheckConstraint(f"level IN {LEVELS!r}", name="level"),)

    @validates("code")
    def _code_is_immutable(self, _key, value):
        if self.code is not None and value != self.code:
            raise ValueError("租户代码不可修改 / a tenant's code cannot change")
        return value

    def is_ancestor_of(self, other: Tenant) -> bool:
        return other.path.startswith(self.path) and other.id != self.id

    @property
    def ancestor_codes(self) -> list[str]:
        return self.path.strip("/").split("/")[:-1]

    def __repr__(self) -> str:
        return f"<Tenant {self.code} {self.name_zh}>"


def tenant_path(parent: Tenant | None, code: str) -> str:
    return f"{parent.path if parent else '/'}{code}/"


class Organ(TenantOwned, Base):
    """A judicial organ supervised by its tenant's congress."""

    __tablename__ = "organs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(24))
    name_zh: Mapped[str] = mapped_column(sa.String(80))
    name_en: Mapped[str] = mapped_column(sa.String(160), default="")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    tenant: Mapped[Tenant] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "name_zh"),
        # what a rating's one foreign key checks: the organ is its tenant's own
        sa.UniqueConstraint("tenant_id", "id"),
        sa.CheckConstraint(f"kind IN {tuple(ORGAN_KINDS)!r}", name="kind"),
    )

    @property
    def family(self) -> str:
        return organ_family(self.kind)

    def __repr__(self) -> str:
        return f"<Organ {self.kind} {self.name_zh}>"
