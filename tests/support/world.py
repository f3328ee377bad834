"""The small federation every test starts from, created once per run and committed.

浙江省 330000 > 杭州市 330100 > 西湖区 330106, 拱墅区 330105 > 北山街道 330106001;
宁波市 330200 beside Hangzhou. Every tenant has its organs and one user per role
(``<code>-<role>``, organ users ``<code>-<organ kind>``), as in the demo.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from app.datamart.models import IndicatorValue
from app.indicators.service import install_bundled
from tenants.models import Organ, Tenant
from tenants.provisioning import add_organ, add_user, create_tenant

PASSWORD = "test-pass-123"
CONGRESS = ("admin", "staff", "deputy", "viewer", "evaluator")

TREE = (
    ("330000", "浙江省", "province", None),
    ("330100", "杭州市", "city", "330000"),
    ("330200", "宁波市", "city", "330000"),
    ("330106", "西湖区", "district", "330100"),
    ("330105", "拱墅区", "district", "330100"),
    ("330106001", "北山街道", "township", "330106"),
)
ORGANS = {
    "province": (
        ("court", "浙江省高级人民法院"),
        ("procuratorate", "浙江省人民检察院"),
        ("public_security", "浙江省公安厅"),
        ("justice_bureau", "浙江省司法厅"),
    ),
    "city": (
        ("court", "{n}中级人民法院"),
        ("procuratorate", "{n}人民检察院"),
        ("public_security", "{n}公安局"),
        ("justice_bureau", "{n}司法局"),
    ),
    "district": (
        ("court", "{n}人民法院"),
        ("procuratorate", "{n}人民检察院"),
        ("public_security", "{n}公安分局"),
        ("justice_bureau", "{n}司法局"),
    ),
    "township": (
        ("tribunal", "{n}人民法庭"),
        ("police_station", "{n}派出所"),
        ("justice_office", "{n}司法所"),
    ),
}


@dataclass
class World:
    tenants: dict[str, Tenant] = field(default_factory=dict)
    organs: dict[tuple[str, str], Organ] = field(default_factory=dict)
    users: dict[str, int] = field(default_factory=dict)

    def tenant_id(self, code: str) -> int:
        return self.tenants[code].id

    def organ_id(self, code: str, kind: str) -> int:
        return self.organs[(code, kind)].id


def username(code: str, role_or_kind: str) -> str:
    return f"{code}-{role_or_kind.replace('_', '-')}"


def build(session: Session, password_hash: str) -> World:
    """Create the world (call in system scope, then commit)."""
    install_bundled(session)
    world = World()
    for code, name, level, parent in TREE:
        tenant = create_tenant(session, code, name, level, world.tenants.get(parent))
        world.tenants[code] = tenant
        for kind, pattern in ORGANS[level]:
            organ = add_organ(session, tenant, kind, pattern.format(n=name))
            world.organs[(code, kind)] = organ
            user = add_user(
                session, tenant, username(code, kind), "organ", password_hash, organ=organ
            )
            world.users[user.username] = user.id
        for role in CONGRESS:
            user = add_user(session, tenant, username(code, role), role, password_hash)
            world.users[user.username] = user.id
        _values(session, world, code, level)
    return world


def _values(session: Session, world: World, code: str, level: str) -> None:
    """Two months of CT01 for every court-family organ: enough for the values routes."""
    for kind, _ in ORGANS[level]:
        if kind not in ("court", "tribunal"):
            continue
        for period, (num, den) in (("2026-09", (95, 100)), ("2026-10", (80, 100))):
            session.add(
                IndicatorValue(
                    tenant_id=world.tenant_id(code),
                    organ_id=world.organ_id(code, kind),
                    indicator_code="CT01",
                    period=period,
                    numerator=num,
                    denominator=den,
                    value=num / den * 100,
                    submitted_by="world",
                )
            )
    session.flush()
