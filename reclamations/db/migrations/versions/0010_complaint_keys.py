"""Each complaint its own data key, erasures as resumable step lists, legal holds (issue 28)

Complaints registered before get their key the first time something of theirs is sealed or
encrypted again (security/complaint_keys.py): a migration has no keyring to wrap one with.
What was sealed before with the keyring itself still opens.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'complaint_keys',
        sa.Column('reference', sa.String(length=40), primary_key=True),
        sa.Column('key_id', sa.String(length=32), nullable=False, unique=True),
        sa.Column('wrapped_by', sa.String(length=32), nullable=True),
        sa.Column('wrapped', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('destroyed_at', sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        'erasures',
        sa.Column('reference', sa.String(length=40), primary_key=True),
        sa.Column('requested_by', sa.String(length=100), nullable=False),
        sa.Column('reason', sa.String(length=20), nullable=False),
        sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('steps_done', sa.Integer(), nullable=False),
        sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index('ix_erasures_completed_at', 'erasures', ['completed_at'])
    op.create_table(
        'legal_holds',
        sa.Column('reference', sa.String(length=40), primary_key=True),
        sa.Column('reason', sa.String(length=20), nullable=False),
        sa.Column('placed_by', sa.String(length=100), nullable=False),
        sa.Column('placed_at', sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table('legal_holds')
    op.drop_index('ix_erasures_completed_at', table_name='erasures')
    op.drop_table('erasures')
    op.drop_table('complaint_keys')
