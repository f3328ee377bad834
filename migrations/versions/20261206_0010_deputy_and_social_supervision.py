"""Key concerns, deputies' opinions online, third-party reports, procuratorial
recommendations and public comments (issue 7, items 3-5); a supervision matter may now
come from an evaluator's report, a procuratorial recommendation or a public comment.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 18:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context, op

from tenants import rls

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

TENANT_OWNED = (
    "key_concerns",
    "key_concern_events",
    "deputy_opinions",
    "deputy_opinion_events",
    "evaluator_reports",
    "procuratorial_recommendations",
    "public_comments",
)
OLD_ORIGINS = ("focus_issue", "common_problem", "ticket", "deputy_motion", "joint_task", "document")
NEW_ORIGINS = ("evaluator_report", "recommendation", "public_comment")
ORIGIN_CHECK = "origin_kind"


def _origin_check(kinds: tuple[str, ...]) -> None:
    """Replace the check on supervision_matters.origin_kind (SQLite: by a table copy)."""
    listed = ", ".join(f"'{k}'" for k in (*kinds, "none"))
    with op.batch_alter_table("supervision_matters", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_supervision_matters_origin_kind"), type_="check")
        batch_op.create_check_constraint(ORIGIN_CHECK, f"origin_kind IN ({listed})")


def upgrade() -> None:
    op.create_table(
        "key_concerns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organ_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("indicator_code", sa.String(length=8), nullable=True),
        sa.Column("period", sa.String(length=7), nullable=True),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("response", sa.Text(), nullable=False),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("flagged_by", sa.String(length=80), nullable=False),
        sa.Column("flagged_by_user_id", sa.Integer(), nullable=True),
        sa.Column("flagged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_deadline", sa.Date(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('indicator', 'hot_topic', 'other')", name=op.f("ck_key_concerns_kind")
        ),
        sa.CheckConstraint(
            "status IN ('open', 'responded', 'follow_up', 'closed', 'withdrawn')",
            name=op.f("ck_key_concerns_status"),
        ),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_key_concerns_document_id_documents")
        ),
        sa.ForeignKeyConstraint(
            ["flagged_by_user_id"],
            ["users.id"],
            name=op.f("fk_key_concerns_flagged_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["organ_id"], ["organs.id"], name=op.f("fk_key_concerns_organ_id_organs")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_key_concerns_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_key_concerns")),
    )
    op.create_index(
        op.f("ix_key_concerns_document_id"), "key_concerns", ["document_id"], unique=False
    )
    op.create_index(op.f("ix_key_concerns_organ_id"), "key_concerns", ["organ_id"], unique=False)
    op.create_index(op.f("ix_key_concerns_tenant_id"), "key_concerns", ["tenant_id"], unique=False)
    op.create_index(
        "ix_key_concerns_tenant_status_deadline",
        "key_concerns",
        ["tenant_id", "status", "deadline"],
        unique=False,
    )
    op.create_table(
        "procuratorial_recommendations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("issuer_organ_id", sa.Integer(), nullable=False),
        sa.Column("recipient_organ_id", sa.Integer(), nullable=True),
        sa.Column("recipient_name", sa.String(length=120), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("reply_due", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reply", sa.Text(), nullable=False),
        sa.Column("replied_on", sa.Date(), nullable=True),
        sa.Column("replied_by", sa.String(length=80), nullable=False),
        sa.Column("recorded_by", sa.String(length=80), nullable=False),
        sa.Column("recorded_by_user_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'adopted', 'partly_adopted', 'not_adopted')",
            name=op.f("ck_procuratorial_recommendations_status"),
        ),
        sa.ForeignKeyConstraint(
            ["issuer_organ_id"],
            ["organs.id"],
            name=op.f("fk_procuratorial_recommendations_issuer_organ_id_organs"),
        ),
        sa.ForeignKeyConstraint(
            ["recipient_organ_id"],
            ["organs.id"],
            name=op.f("fk_procuratorial_recommendations_recipient_organ_id_organs"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_user_id"],
            ["users.id"],
            name=op.f("fk_procuratorial_recommendations_recorded_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_procuratorial_recommendations_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procuratorial_recommendations")),
        sa.UniqueConstraint(
            "tenant_id", "number", name=op.f("uq_procuratorial_recommendations_tenant_id_number")
        ),
    )
    op.create_index(
        op.f("ix_procuratorial_recommendations_issuer_organ_id"),
        "procuratorial_recommendations",
        ["issuer_organ_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_procuratorial_recommendations_recipient_organ_id"),
        "procuratorial_recommendations",
        ["recipient_organ_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_procuratorial_recommendations_tenant_id"),
        "procuratorial_recommendations",
        ["tenant_id"],
        unique=False,
    )
    op.create_table(
        "public_comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("organ_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("sender", sa.String(length=80), nullable=False),
        sa.Column("masked_names", sa.Integer(), nullable=False),
        sa.Column("recorded_by", sa.String(length=80), nullable=False),
        sa.Column("recorded_by_user_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "channel IN ('letter', 'visit', 'hotline', 'website', 'email', 'liaison_station')",
            name=op.f("ck_public_comments_channel"),
        ),
        sa.ForeignKeyConstraint(
            ["organ_id"], ["organs.id"], name=op.f("fk_public_comments_organ_id_organs")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_user_id"],
            ["users.id"],
            name=op.f("fk_public_comments_recorded_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_public_comments_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_public_comments")),
    )
    op.create_index(
        op.f("ix_public_comments_organ_id"), "public_comments", ["organ_id"], unique=False
    )
    op.create_index(
        op.f("ix_public_comments_tenant_id"), "public_comments", ["tenant_id"], unique=False
    )
    op.create_index(
        "ix_public_comments_tenant_received",
        "public_comments",
        ["tenant_id", "received_on"],
        unique=False,
    )
    op.create_table(
        "evaluator_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("organ_id", sa.Integer(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=True),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_by", sa.String(length=80), nullable=False),
        sa.Column("uploaded_by_user_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["import_batches.id"],
            name=op.f("fk_evaluator_reports_batch_id_import_batches"),
        ),
        sa.ForeignKeyConstraint(
            ["file_id"], ["stored_files.id"], name=op.f("fk_evaluator_reports_file_id_stored_files")
        ),
        sa.ForeignKeyConstraint(
            ["organ_id"], ["organs.id"], name=op.f("fk_evaluator_reports_organ_id_organs")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_evaluator_reports_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_user_id"],
            ["users.id"],
            name=op.f("fk_evaluator_reports_uploaded_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluator_reports")),
    )
    op.create_index(
        op.f("ix_evaluator_reports_batch_id"), "evaluator_reports", ["batch_id"], unique=False
    )
    op.create_index(
        op.f("ix_evaluator_reports_file_id"), "evaluator_reports", ["file_id"], unique=False
    )
    op.create_index(
        op.f("ix_evaluator_reports_organ_id"), "evaluator_reports", ["organ_id"], unique=False
    )
    op.create_index(
        op.f("ix_evaluator_reports_tenant_id"), "evaluator_reports", ["tenant_id"], unique=False
    )
    op.create_table(
        "key_concern_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("concern_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_user_id"], ["users.id"], name=op.f("fk_key_concern_events_actor_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["concern_id"],
            ["key_concerns.id"],
            name=op.f("fk_key_concern_events_concern_id_key_concerns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_key_concern_events_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_key_concern_events")),
    )
    op.create_index(
        op.f("ix_key_concern_events_concern_id"), "key_concern_events", ["concern_id"], unique=False
    )
    op.create_index(
        op.f("ix_key_concern_events_tenant_id"), "key_concern_events", ["tenant_id"], unique=False
    )
    op.create_table(
        "deputy_opinions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author_user_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=80), nullable=False),
        sa.Column("author_name", sa.String(length=80), nullable=False),
        sa.Column("page_kind", sa.String(length=16), nullable=False),
        sa.Column("page_path", sa.String(length=300), nullable=False),
        sa.Column("organ_id", sa.Integer(), nullable=True),
        sa.Column("indicator_code", sa.String(length=8), nullable=True),
        sa.Column("chart_name", sa.String(length=64), nullable=True),
        sa.Column("chart_title", sa.String(length=160), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("rating", sa.String(length=24), nullable=True),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_deadline", sa.Date(), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('opinion', 'suggestion')", name=op.f("ck_deputy_opinions_kind")
        ),
        sa.CheckConstraint(
            "page_kind IN ('dashboard', 'ticket', 'lab_sheet', 'other')",
            name=op.f("ck_deputy_opinions_page_kind"),
        ),
        sa.CheckConstraint(
            "rating IS NULL OR rating IN ('satisfied', 'basically_satisfied', 'not_satisfied')",
            name=op.f("ck_deputy_opinions_rating_known"),
        ),
        sa.CheckConstraint(
            "status IN ('submitted', 'assigned', 'answered', 'rehandling', 'satisfied', "
            "'basically_satisfied', 'not_satisfied', 'declined', 'withdrawn')",
            name=op.f("ck_deputy_opinions_status"),
        ),
        sa.ForeignKeyConstraint(
            ["author_user_id"], ["users.id"], name=op.f("fk_deputy_opinions_author_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organ_id"], ["organs.id"], name=op.f("fk_deputy_opinions_organ_id_organs")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_deputy_opinions_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_deputy_opinions_ticket_id_tickets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deputy_opinions")),
    )
    op.create_index(
        op.f("ix_deputy_opinions_author_user_id"),
        "deputy_opinions",
        ["author_user_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_deputy_opinions_organ_id"), "deputy_opinions", ["organ_id"], unique=False
    )
    op.create_index(
        op.f("ix_deputy_opinions_tenant_id"), "deputy_opinions", ["tenant_id"], unique=False
    )
    op.create_index(
        "ix_deputy_opinions_tenant_status_deadline",
        "deputy_opinions",
        ["tenant_id", "status", "deadline"],
        unique=False,
    )
    op.create_index(
        op.f("ix_deputy_opinions_ticket_id"), "deputy_opinions", ["ticket_id"], unique=False
    )
    op.create_table(
        "deputy_opinion_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("opinion_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_user_id"],
            ["users.id"],
            name=op.f("fk_deputy_opinion_events_actor_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["opinion_id"],
            ["deputy_opinions.id"],
            name=op.f("fk_deputy_opinion_events_opinion_id_deputy_opinions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_deputy_opinion_events_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deputy_opinion_events")),
    )
    op.create_index(
        op.f("ix_deputy_opinion_events_opinion_id"),
        "deputy_opinion_events",
        ["opinion_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_deputy_opinion_events_tenant_id"),
        "deputy_opinion_events",
        ["tenant_id"],
        unique=False,
    )

    for table in TENANT_OWNED:
        rls.enable(op, table)
    rls.grant_app_role(op, context.config.attributes.get("app_role", "judsup_app"))
    _origin_check((*OLD_ORIGINS, *NEW_ORIGINS))


def downgrade() -> None:
    # A matter from a kind of origin that no longer exists keeps its origin's title.
    kinds = ", ".join(f"'{k}'" for k in NEW_ORIGINS)
    op.execute(
        f"UPDATE supervision_matters SET origin_kind = 'none', origin_ref = NULL "
        f"WHERE origin_kind IN ({kinds})"
    )
    _origin_check(OLD_ORIGINS)
    for table in TENANT_OWNED:
        rls.disable(op, table)
    op.drop_index(op.f("ix_deputy_opinion_events_tenant_id"), table_name="deputy_opinion_events")
    op.drop_index(op.f("ix_deputy_opinion_events_opinion_id"), table_name="deputy_opinion_events")
    op.drop_table("deputy_opinion_events")
    op.drop_index(op.f("ix_deputy_opinions_ticket_id"), table_name="deputy_opinions")
    op.drop_index("ix_deputy_opinions_tenant_status_deadline", table_name="deputy_opinions")
    op.drop_index(op.f("ix_deputy_opinions_tenant_id"), table_name="deputy_opinions")
    op.drop_index(op.f("ix_deputy_opinions_organ_id"), table_name="deputy_opinions")
    op.drop_index(op.f("ix_deputy_opinions_author_user_id"), table_name="deputy_opinions")
    op.drop_table("deputy_opinions")
    op.drop_index(op.f("ix_key_concern_events_tenant_id"), table_name="key_concern_events")
    op.drop_index(op.f("ix_key_concern_events_concern_id"), table_name="key_concern_events")
    op.drop_table("key_concern_events")
    op.drop_index(op.f("ix_evaluator_reports_tenant_id"), table_name="evaluator_reports")
    op.drop_index(op.f("ix_evaluator_reports_organ_id"), table_name="evaluator_reports")
    op.drop_index(op.f("ix_evaluator_reports_file_id"), table_name="evaluator_reports")
    op.drop_index(op.f("ix_evaluator_reports_batch_id"), table_name="evaluator_reports")
    op.drop_table("evaluator_reports")
    op.drop_index("ix_public_comments_tenant_received", table_name="public_comments")
    op.drop_index(op.f("ix_public_comments_tenant_id"), table_name="public_comments")
    op.drop_index(op.f("ix_public_comments_organ_id"), table_name="public_comments")
    op.drop_table("public_comments")
    op.drop_index(
        op.f("ix_procuratorial_recommendations_tenant_id"),
        table_name="procuratorial_recommendations",
    )
    op.drop_index(
        op.f("ix_procuratorial_recommendations_recipient_organ_id"),
        table_name="procuratorial_recommendations",
    )
    op.drop_index(
        op.f("ix_procuratorial_recommendations_issuer_organ_id"),
        table_name="procuratorial_recommendations",
    )
    op.drop_table("procuratorial_recommendations")
    op.drop_index("ix_key_concerns_tenant_status_deadline", table_name="key_concerns")
    op.drop_index(op.f("ix_key_concerns_tenant_id"), table_name="key_concerns")
    op.drop_index(op.f("ix_key_concerns_organ_id"), table_name="key_concerns")
    op.drop_index(op.f("ix_key_concerns_document_id"), table_name="key_concerns")
    op.drop_table("key_concerns")
