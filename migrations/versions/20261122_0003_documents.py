"""Data mart documents (the eight categories) and their attachments.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 06:13:46.888383
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context, op

from tenants import rls


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

TABLES = ("documents", "document_attachments")
CATEGORIES = (
    'work_news', 'evaluations', 'procuratorial_recommendations', 'deputy_motions',
    'congress_appraisals', 'petitions', 'transparency_reports', 'hot_topics',
)


def _is_postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    op.create_table('documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('organ_id', sa.Integer(), nullable=True),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('persons', sa.JSON(), nullable=False),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.CheckConstraint(f"category IN {CATEGORIES!r}", name=op.f('ck_documents_category')),
    sa.ForeignKeyConstraint(['organ_id'], ['organs.id'], name=op.f('fk_documents_organ_id_organs')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_documents_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_documents'))
    )
    op.create_index(op.f('ix_documents_organ_id'), 'documents', ['organ_id'], unique=False)
    op.create_index('ix_documents_tenant_category_date', 'documents', ['tenant_id', 'category', 'date'], unique=False)
    op.create_index(op.f('ix_documents_tenant_id'), 'documents', ['tenant_id'], unique=False)
    if _is_postgres():
        # Keyword search: the expression must match the one the queries use.
        op.create_index('ix_documents_search', 'documents', [sa.literal_column("to_tsvector('simple'::regconfig, search_text)")], unique=False, postgresql_using='gin')
    op.create_table('document_attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_document_attachments_document_id_documents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['file_id'], ['stored_files.id'], name=op.f('fk_document_attachments_file_id_stored_files')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_document_attachments_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_attachments'))
    )
    op.create_index(op.f('ix_document_attachments_document_id'), 'document_attachments', ['document_id'], unique=False)
    op.create_index(op.f('ix_document_attachments_file_id'), 'document_attachments', ['file_id'], unique=False)
    op.create_index(op.f('ix_document_attachments_tenant_id'), 'document_attachments', ['tenant_id'], unique=False)
    for table in TABLES:
        rls.enable(op, table)
    rls.grant_app_role(op, context.config.attributes.get("app_role", "judsup_app"))


def downgrade() -> None:
    for table in TABLES:
        rls.disable(op, table)
    op.drop_index(op.f('ix_document_attachments_tenant_id'), table_name='document_attachments')
    op.drop_index(op.f('ix_document_attachments_file_id'), table_name='document_attachments')
    op.drop_index(op.f('ix_document_attachments_document_id'), table_name='document_attachments')
    op.drop_table('document_attachments')
    if _is_postgres():
        op.drop_index('ix_documents_search', table_name='documents', postgresql_using='gin')
    op.drop_index(op.f('ix_documents_tenant_id'), table_name='documents')
    op.drop_index('ix_documents_tenant_category_date', table_name='documents')
    op.drop_index(op.f('ix_documents_organ_id'), table_name='documents')
    op.drop_table('documents')
