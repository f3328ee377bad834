"""Keeping a congress's topics: seeding them from the shipped list, adding and changing them.

Every congress starts from :data:`~app.analysis.topics.DEFAULT_TOPICS`: at provisioning
(:func:`seed_defaults`), or on first use for a congress created before topics existed or
by a bulk path (:func:`tenant_topics`). Staff then edit them; the analyses only ever read
the active ones, as plain :class:`~app.analysis.topics.Topic` values.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.analysis import topics as pure
from app.audit.recorder import Actor, acting_as
from app.focus.models import Topic
from app.indicators.service import version_named
from tenants.scoping import current_tenant_id

SEEDED_BY = "system"
EDITABLE = ("name_zh", "name_en", "keywords", "indicators", "active")


class TopicInvalid(ValueError):
    """Fields that name unknown indicators, or a code the congress already has: ``fields``
    maps each field to its messages (Chinese / English)."""

    def __init__(self, fields: dict[str, list[str]], status: int = 422):
        super().__init__(fields)
        self.fields, self.status = fields, status


def default_rows(tenant_id: int) -> list[dict]:
    """The shipped topics as rows of one congress, in the shipped order."""
    return [
        {
            "tenant_id": tenant_id,
            "code": topic.code,
            "name_zh": topic.name_zh,
            "name_en": topic.name_en,
            "keywords": list(topic.keywords),
            "indicators": list(topic.indicators),
            "active": True,
            "position": position,
            "updated_by": SEEDED_BY,
        }
        for position, topic in enumerate(pure.DEFAULT_TOPICS)
    ]


def seed_defaults(session: Session, tenant_id: int) -> list[Topic]:
    """Give a congress the shipped topics (provisioning; any scope that may write it)."""
    rows = [Topic(**row) for row in default_rows(tenant_id)]
    session.add_all(rows)
    session.flush()
    return rows


def _ordered(session: Session, active_only: bool) -> list[Topic]:
    stmt = sa.select(Topic).order_by(Topic.position, Topic.id)
    if active_only:
        stmt = stmt.where(Topic.active)
    return list(session.scalars(stmt))


def tenant_topics(session: Session, *, active_only: bool = False) -> list[Topic]:
    """The current congress's topics in their order (call in its scope).

    A congress with none gets the shipped ones first, written as the system. Two first
    uses at once would both insert: the loser's savepoint is rolled back on the unique
    (tenant, code) and it reads the winner's rows.
    """
    found = _ordered(session, active_only)
    if found or session.scalar(sa.select(sa.func.count(Topic.id))):
        return found
    tenant_id = current_tenant_id()
    if tenant_id is None:
        return []
    try:
        with session.begin_nested(), acting_as(Actor(SEEDED_BY, tenant_id=tenant_id)):
            seed_defaults(session, tenant_id)
    except sa.exc.IntegrityError:
        pass
    return _ordered(session, active_only)


def active_topics(session: Session) -> list[pure.Topic]:
    """What the analyses collide and portraits point to."""
    return [row.as_topic() for row in tenant_topics(session, active_only=True)]


def known_indicators(session: Session) -> set[str]:
    version = version_named(None, session)
    return {row.code for row in version.indicators} if version else set()


def check_indicators(codes: Iterable[str], known: set[str]) -> None:
    unknown = [code for code in codes if code not in known]
    if unknown:
        listed = ", ".join(unknown)
        raise TopicInvalid(
            {"indicators": [f"未知指标代码：{listed} / unknown indicator: {listed}"]}
        )


def create_topic(session: Session, fields: dict, known: set[str], by: str) -> Topic:
    """A new topic of the current congress, last in its order; 409 on a code it has."""
    check_indicators(fields["indicators"], known)
    taken = session.scalar(sa.select(Topic.id).where(Topic.code == fields["code"]))
    if taken is not None:
        code = fields["code"]
        raise TopicInvalid({"code": [f"议题代码 {code} 已存在 / topic {code} exists"]}, 409)
    last = session.scalar(sa.select(sa.func.max(Topic.position))) or 0
    topic = Topic(**fields, position=last + 1, updated_by=by)
    session.add(topic)
    session.flush()
    return topic


def update_topic(topic: Topic, fields: dict, known: set[str], by: str) -> Topic:
    """Change what was sent of a topic (its code stays)."""
    if "indicators" in fields:
        check_indicators(fields["indicators"], known)
    for key in EDITABLE:
        if key in fields:
            setattr(topic, key, fields[key])
    topic.updated_by = by
    return topic
