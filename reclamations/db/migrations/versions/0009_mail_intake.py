"""The mail intake's ledger: each message taken once, by its business key (issue 27)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'mail_messages',
        sa.Column('key', sa.String(length=64), primary_key=True),
        sa.Column('key_source', sa.String(length=20), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('disposition', sa.String(length=20), nullable=False),
        sa.Column('reason', sa.String(length=200), nullable=True),
        sa.Column('reference', sa.String(length=40), nullable=True),
        sa.Column('done', sa.Boolean(), nullable=False),
        sa.Column('medical', sa.Boolean(), nullable=False),
        sa.Column('source', sa.String(length=100), nullable=False),
        sa.Column('date_header', sa.DateTime(timezone=True), nullable=True),
        sa.Column('first_received', sa.DateTime(timezone=True), nullable=True),
        sa.Column('arrived_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('seen_at', sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index('ix_mail_messages_disposition', 'mail_messages', ['disposition'])
    op.create_index('ix_mail_messages_reference', 'mail_messages', ['reference'])


def downgrade() -> None:
    op.drop_index('ix_mail_messages_reference', table_name='mail_messages')
    op.drop_index('ix_mail_messages_disposition', table_name='mail_messages')
    op.drop_table('mail_messages')
