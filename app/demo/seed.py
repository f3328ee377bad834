"""Loading the demo federation into the database.

Set-based: tenants, organs, users and values go in as bulk inserts (hundreds of
thousands of values for a city take seconds), one audit row records the seeding.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.audit.recorder import record
from app.auth.models import User
from app.datamart.document_schemas import DocumentInSchema
from app.datamart.documents import new_document
from app.datamart.models import IndicatorValue
from app.demo.documents import demo_documents
from app.demo.tree import TenantSeed, demo_tree
from app.demo.values import demo_periods, generate_value, periods_for
from app.focus.models import Topic
from app.focus.topics import default_rows
from app.indicators.dictionary import IndicatorSpec
from app.indicators.service import install_bundled, spec_of, version_named
from tenants.models import Organ, Tenant

CONGRESS_ROLES = ("admin", "staff", "deputy", "viewer")
DISPLAY = {
    "admin": "人大管理员",
    "staff": "人大工作人员",
    "deputy": "人大代表",
    "viewer": "人大只读用户",
    "evaluator": "第三方评估机构",
}
CHUNK = 5000


class SeedRefused(RuntimeError):
    """The database holds data the demo must not touch, or is seeded already."""


@dataclass
class SeedReport:
    tenants: int = 0
    organs: int = 0
    users: int = 0
    values: int = 0
    documents: int = 0


def organ_username(code: str, kind: str) -> str:
    return f"{code}-{kind.replace('_', '-')}"


def check_empty(session: Session) -> None:
    if session.scalar(sa.select(sa.func.count()).where(Tenant.is_demo.is_(False))):
        raise SeedRefused(
            "数据库中已有非演示租户,拒绝写入演示数据 / the database holds non-demo tenants; "
            "the demo seed will not touch it"
        )
    if session.scalar(sa.select(sa.func.count()).select_from(Tenant)):
        raise SeedRefused("演示数据已存在 / the demo is seeded already")


def seed_demo(
    session: Session, *, scale: str, years: int, seed: int, until: str, password_hash: str
) -> SeedReport:
    """Create the demo federation and its history. Call in system scope."""
    check_empty(session)
    install_bundled(session)
    specs = [spec_of(row) for row in version_named(None).indicators]
    seeds = demo_tree(scale)
    report = SeedReport()
    tenant_ids = _insert_tenants(session, seeds, report)
    organ_ids = _insert_organs(session, seeds, tenant_ids, report)
    _insert_users(session, seeds, tenant_ids, organ_ids, password_hash, report)
    rows = _values(seeds, tenant_ids, organ_ids, specs, demo_periods(years, until), seed)
    for chunk in _chunks(rows, CHUNK):
        session.execute(sa.insert(IndicatorValue), chunk)
        report.values += len(chunk)
    if scale != "national":  # a benchmark's 40,000 congresses get their topics on first use
        _insert_topics(session, tenant_ids)
    _insert_documents(session, tenant_ids, organ_ids, until, report)
    record(
        session, "demo.seed", "demo", scale, years=years, seed=seed, until=until, **report.__dict__
    )
    return report


def _insert_tenants(session: Session, seeds: list[TenantSeed], report: SeedReport) -> dict:
    """Parents come first in ``seeds``, so each parent's id and path exist before its
    children are inserted; ids are read back once per depth."""
    ids: dict[str, int] = {}
    paths: dict[str, str] = {}
    by_depth: dict[int, list[TenantSeed]] = {}
    depth_of: dict[str, int] = {}
    for s in seeds:
        depth_of[s.code] = 0 if s.parent_code is None else depth_of[s.parent_code] + 1
        by_depth.setdefault(depth_of[s.code], []).append(s)
    for depth in sorted(by_depth):
        rows = []
        for s in by_depth[depth]:
            paths[s.code] = f"{paths[s.parent_code] if s.parent_code else '/'}{s.code}/"
            rows.append(
                {
                    "code": s.code,
                    "name_zh": s.name_zh,
                    "name_en": s.name_en,
                    "level": s.level,
                    "parent_id": ids.get(s.parent_code),
                    "path": paths[s.code],
                    "depth": depth,
                    "is_demo": True,
                    "raw_readable_by_ancestors": False,
                }
            )
        for chunk in _chunks(iter(rows), CHUNK):
            session.execute(sa.insert(Tenant), chunk)
        ids.update(
            session.execute(sa.select(Tenant.code, Tenant.id).where(Tenant.depth == depth)).all()
        )
        report.tenants += len(by_depth[depth])
    return ids


def _insert_organs(session, seeds, tenant_ids, report) -> dict:
    rows = [
        {
            "tenant_id": tenant_ids[s.code],
            "kind": o.kind,
            "name_zh": o.name_zh,
            "name_en": o.name_en,
            "active": True,
        }
        for s in seeds
        for o in s.organs
    ]
    for chunk in _chunks(iter(rows), CHUNK):
        session.execute(sa.insert(Organ), chunk)
    report.organs = len(rows)
    by_id = {v: k for k, v in tenant_ids.items()}
    found = session.execute(sa.select(Organ.tenant_id, Organ.kind, Organ.id)).all()
    return {(by_id[t], kind): oid for t, kind, oid in found}


def _insert_users(session, seeds, tenant_ids, organ_ids, password_hash, report) -> None:
    """A user per role per tenant, ``<code>-<role>``. They share one Argon2id hash of the
    demo password: hashing thousands of demo users one by one would take minutes."""
    rows = []
    for s in seeds:
        tid = tenant_ids[s.code]
        for role in (*CONGRESS_ROLES, "evaluator"):
            rows.append(
                _user(
                    tid,
                    f"{s.code}-{role}",
                    role,
                    None,
                    password_hash,
                    f"{s.name_zh}{DISPLAY[role]}",
                )
            )
        for o in s.organs:
            rows.append(
                _user(
                    tid,
                    organ_username(s.code, o.kind),
                    "organ",
                    organ_ids[(s.code, o.kind)],
                    password_hash,
                    o.name_zh,
                )
            )
    for chunk in _chunks(iter(rows), CHUNK):
        session.execute(sa.insert(User), chunk)
    report.users = len(rows)


def _insert_topics(session: Session, tenant_ids: dict) -> None:
    """Every congress's supervision topics, the shipped ones (staff edit them later)."""
    rows = (row for tid in tenant_ids.values() for row in default_rows(tid))
    for chunk in _chunks(rows, CHUNK):
        session.execute(sa.insert(Topic), chunk)


def _insert_documents(session: Session, tenant_ids: dict, organ_ids: dict, until: str, report):
    """The data mart's demo documents (:mod:`app.demo.documents`), through the data mart's
    own schema and constructor, so they are checked and indexed as an upload would be."""
    for doc, fields in demo_documents(until):
        if doc.tenant_code not in tenant_ids:
            continue
        organ_id = organ_ids.get((doc.tenant_code, doc.organ_kind))
        organ = session.get(Organ, organ_id) if organ_id else None
        document = new_document(DocumentInSchema().load(fields), organ, "demo")
        document.tenant_id = tenant_ids[doc.tenant_code]
        session.add(document)
        report.documents += 1
    session.flush()


def _user(tenant_id, username, role, organ_id, password_hash, display_name) -> dict:
    return {
        "tenant_id": tenant_id,
        "username": username,
        "role": role,
        "organ_id": organ_id,
        "password_hash": password_hash,
        "display_name": display_name,
        "email": None,  # demo users get no mail: an address is set per user, by hand
        "active": True,
    }


def _values(seeds, tenant_ids, organ_ids, specs: list[IndicatorSpec], months, seed) -> Iterator:
    periods = {spec.code: periods_for(spec, months) for spec in specs}
    for s in seeds:
        for o in s.organs:
            for spec in specs:
                for period in periods[spec.code]:
                    v = generate_value(spec, s, o, period, seed)
                    if v is None:
                        break  # the organ does not report this indicator at all
                    yield {
                        "tenant_id": tenant_ids[s.code],
                        "organ_id": organ_ids[(s.code, o.kind)],
                        "indicator_code": spec.code,
                        "period": period,
                        "revision": 1,
                        "is_current": True,
                        "value": v.value,
                        "numerator": v.numerator,
                        "denominator": v.denominator,
                        "source": spec.source,
                        "submitted_by": "demo",
                        "is_late": False,
                    }


def _chunks(rows: Iterator[dict], size: int) -> Iterator[list[dict]]:
    chunk: list[dict] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
