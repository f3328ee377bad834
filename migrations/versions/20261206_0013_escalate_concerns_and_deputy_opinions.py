"""Overdue key concerns and deputies' opinions are escalated by the sweep, once per
deadline: ``escalated_at`` on both (nullable; existing rows have not been escalated).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 22:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

TABLES = ("key_concerns", "deputy_opinions")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("escalated_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("escalated_at")
