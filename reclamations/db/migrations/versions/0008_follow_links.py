"""The complainant's private links (hashed), the addresses a new link may be asked from
(hashed), and the emails of links owed to complainants (issue 26)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'follow_links',
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('reference', sa.String(length=40), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('token_hash'),
    )
    op.create_index('ix_follow_links_reference', 'follow_links', ['reference'])
    op.create_table(
        'follow_addresses',
        sa.Column('reference', sa.String(length=40), nullable=False),
        sa.Column('address_hash', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('reference'),
    )
    op.create_index('ix_follow_addresses_address_hash', 'follow_addresses', ['address_hash'])
    op.create_table(
        'follow_mails',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('reference', sa.String(length=40), nullable=False),
        sa.Column('reason', sa.String(length=20), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_follow_mails_reference', 'follow_mails', ['reference'])
    op.create_index('ix_follow_mails_next_attempt_at', 'follow_mails', ['next_attempt_at'])


def downgrade() -> None:
    op.drop_table('follow_mails')
    op.drop_table('follow_addresses')
    op.drop_table('follow_links')
