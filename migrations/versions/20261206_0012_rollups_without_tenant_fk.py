"""Roll-ups without the foreign key to ``tenants`` (issue 5, speed).

A full rebuild inserts 41,000 roll-ups on the province demo; the foreign key checked
each one against the 152 tenants, a tenth of a second of the rebuild's 1.5 s. Integrity
holds without it: a roll-up is written only for a tenant that children report to, whose
id the writing statement reads from ``tenants`` itself, and such a tenant cannot be
deleted while ``tenants.parent_id`` of its children refers to it (no code deletes or
re-parents a tenant). Downgrade restores the key (ON DELETE RESTRICT, as before).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 20:20:00
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("rollups", schema=None) as batch_op:
        batch_op.drop_constraint("fk_rollups_tenant_id_tenants", type_="foreignkey")


def downgrade() -> None:
    with op.batch_alter_table("rollups", schema=None) as batch_op:
        batch_op.create_foreign_key(
            "fk_rollups_tenant_id_tenants", "tenants", ["tenant_id"], ["id"], ondelete="RESTRICT"
        )
