"""What the federation stores: each parent tenant's exact roll-ups, the problems its
children share, and the joint-supervision campaigns it launches with one task per child.

Ownership follows who acts: a roll-up, a common problem and a campaign belong to the
parent tenant; a campaign's task belongs to the child tenant that carries it out, so a
child sees its own task and nothing of its siblings'.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, utcnow
from app.ratings.models import Explained
from federation.rollup import Parts
from tenants.models import Tenant
from tenants.scoping import TenantOwned

CAMPAIGN_STATES = ("open", "closed")
TASK_STATES = ("open", "in_progress", "closed")
ACTION_KINDS = ("hearing", "inquiry", "opinion", "inspection", "other")
FORMS = ("joint_supervision", "inquiry", "interpellation")


class Rollup(Explained, TenantOwned, Base):
    """One indicator for one period over everything below a parent tenant.

    ``numerator``/``denominator`` are the exact sums (Σnumerator and Σdenominator of a
    rate or average; for an index Σvalue·weight and Σweight; for a count Σvalue and no
    denominator); ``value`` follows from them by the dictionary's rule. ``parts`` holds
    the reporting children's contributions as four arrays in the children's code order —
    their ids, counts, Σnumerators and Σdenominators (null for a count) — and
    ``missing`` the ids of the children that should have reported and did not: the
    coverage. Names and
    values are looked up and derived when read (:meth:`child_parts`), not repeated in
    every row. The parent's own organs (e.g. the intermediate court) are kept apart in
    ``own_*``. It is rated like a value, its peers being the roll-ups of the parent's
    siblings (:class:`Explained`: the inputs are stored, the reasons rendered on read).
    """

    __tablename__ = "rollups"
    __audited__ = False  # recomputed set-wise; the roll-up job audits per run

    id: Mapped[int] = mapped_column(primary_key=True)
    # no index of its own: the unique key leads with it. No foreign key either (checking
    # it cost a rebuild a tenth of a second: 41,000 lookups of 152 tenants). A roll-up is
    # written only for a tenant that children report to, read from ``tenants`` in the same
    # statement (``federation.in_database``) or transaction (``engine``), and such a
    # tenant cannot be deleted: its children's ``tenants.parent_id`` restricts it (and
    # nothing in the product deletes or re-parents a tenant). Migration 0012.
    tenant_id: Mapped[int] = mapped_column()
    indicator_code: Mapped[str] = mapped_column(sa.String(8))
    period: Mapped[str] = mapped_column(sa.String(7))
    numerator: Mapped[float | None]
    denominator: Mapped[float | None]
    value: Mapped[float | None]
    n_values: Mapped[int] = mapped_column(default=0)
    parts: Mapped[list] = mapped_column(sa.JSON, default=list)
    missing: Mapped[list] = mapped_column(sa.JSON, default=list)
    own_numerator: Mapped[float | None]
    own_denominator: Mapped[float | None]
    own_value: Mapped[float | None]
    colour: Mapped[str | None] = mapped_column(sa.String(8))
    dictionary_version: Mapped[int]
    # when the row was last written: a rebuild leaves a row that would not change alone
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)

    # one index for the key and the lookups (a tenant's roll-ups of a period, of an
    # indicator: a few thousand entries of one tenant at most)
    __table_args__ = (sa.UniqueConstraint("tenant_id", "period", "indicator_code"),)

    def child_parts(self) -> list[tuple[int, Parts]]:
        """(child id, its sums) of every reporting child, in the children's code order."""
        ids, counts, numerators, denominators = self.parts
        denominators = denominators or [0.0] * len(ids)
        return [
            (child, Parts(int(n), float(num), float(den)))
            for child, n, num, den in zip(ids, counts, numerators, denominators, strict=True)
        ]

    @property
    def reporting_ids(self) -> list[int]:
        return list(self.parts[0])


class CommonProblem(TenantOwned, Base):
    """An indicator yellow or red in several of a parent's children for one period (or
    persistently), with the evidence and the suggested form of supervision."""

    __tablename__ = "common_problems"
    __audited__ = False

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_code: Mapped[str] = mapped_column(sa.String(8))
    period: Mapped[str] = mapped_column(sa.String(7))
    n_children: Mapped[int]
    threshold: Mapped[int]
    n_flagged: Mapped[int]
    n_red: Mapped[int]
    concurrent: Mapped[bool]
    persistent: Mapped[bool]
    suggested_form: Mapped[str] = mapped_column(sa.String(24))
    evidence: Mapped[list] = mapped_column(sa.JSON, default=list)
    reason_zh: Mapped[str] = mapped_column(sa.Text, default="")
    reason_en: Mapped[str] = mapped_column(sa.Text, default="")
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "indicator_code", "period"),
        sa.CheckConstraint(f"suggested_form IN {FORMS!r}", name="suggested_form"),
    )


class JointSupervision(TenantOwned, Base):
    """A campaign (联合监督) launched by a city or province across some of its children."""

    __tablename__ = "joint_supervisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    indicators: Mapped[list] = mapped_column(sa.JSON, default=list)
    period: Mapped[str | None] = mapped_column(sa.String(7))
    instructions: Mapped[str] = mapped_column(sa.Text, default="")
    deadline: Mapped[date]
    common_problem_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("common_problems.id", ondelete="SET NULL")
    )
    status: Mapped[str] = mapped_column(sa.String(12), default="open")
    conclusion: Mapped[str] = mapped_column(sa.Text, default="")
    created_by: Mapped[str] = mapped_column(sa.String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]

    __table_args__ = (sa.CheckConstraint(f"status IN {CAMPAIGN_STATES!r}", name="status"),)


class JointTask(TenantOwned, Base):
    """One child congress's part of a campaign; owned by the child."""

    __tablename__ = "joint_tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        sa.ForeignKey("joint_supervisions.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(sa.String(12), default="open")
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[str] = mapped_column(sa.String(80), default="")

    tenant: Mapped[Tenant] = relationship()
    actions: Mapped[list[TaskAction]] = relationship(
        order_by="TaskAction.id", back_populates="task"
    )

    __table_args__ = (
        sa.UniqueConstraint("campaign_id", "tenant_id"),
        sa.CheckConstraint(f"status IN {TASK_STATES!r}", name="status"),
    )


class TaskAction(TenantOwned, Base):
    """What the child congress did for its task: a hearing held, an inquiry, opinions
    sent to the organ…"""

    __tablename__ = "joint_task_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(
        sa.ForeignKey("joint_tasks.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(sa.String(16))
    note: Mapped[str] = mapped_column(sa.Text)
    happened_on: Mapped[date]
    recorded_by: Mapped[str] = mapped_column(sa.String(80))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    task: Mapped[JointTask] = relationship(back_populates="actions")

    __table_args__ = (sa.CheckConstraint(f"kind IN {ACTION_KINDS!r}", name="kind"),)
