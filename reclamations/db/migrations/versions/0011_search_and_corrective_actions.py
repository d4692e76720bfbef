"""The search index: keyed hashes of each complaint's search keys; the agents' saved queue
filters; corrective actions, their events and the complaints they concern (issue 29)

Complaints registered before are indexed by `complaints db reindex-search` (it needs the
keyring, which a migration does not have).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'search_tokens',
        sa.Column('reference', sa.String(40), primary_key=True),
        sa.Column('token', sa.String(32), primary_key=True),
        sa.Column('medical', sa.Boolean(), nullable=False),
        sa.Column('key_id', sa.String(32), nullable=False),
        sa.Column('registered_at', sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        'ix_search_tokens_token',
        'search_tokens',
        ['token', 'medical', 'registered_at', 'reference'],
    )
    op.create_table(
        'saved_filters',
        sa.Column('username', sa.String(100), primary_key=True),
        sa.Column('name', sa.String(60), primary_key=True),
        sa.Column('query', sa.String(500), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        'corrective_actions',
        sa.Column('ident', sa.String(40), primary_key=True),
        sa.Column('title', sa.String(200), nullable=False),
        sa.Column('status', sa.String(20), nullable=False),
        sa.Column('root_cause', sa.String(40), nullable=False),
        sa.Column('owner', sa.String(100), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('check_on', sa.Date(), nullable=False),
        sa.Column('done_on', sa.Date(), nullable=True),
        sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('snapshot', sa.JSON(), nullable=False),
    )
    op.create_index('ix_corrective_actions_status', 'corrective_actions', ['status'])
    op.create_index('ix_corrective_actions_root_cause', 'corrective_actions', ['root_cause'])
    op.create_table(
        'corrective_events',
        sa.Column('ident', sa.String(40), primary_key=True),
        sa.Column('seq', sa.Integer(), primary_key=True),
        sa.Column('type', sa.String(20), nullable=False),
        sa.Column('actor', sa.String(100), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('summary', sa.Text(), nullable=False),
    )
    op.create_table(
        'corrective_links',
        sa.Column('reference', sa.String(40), primary_key=True),
        sa.Column('ident', sa.String(40), primary_key=True),
    )


def downgrade() -> None:
    op.drop_table('corrective_links')
    op.drop_table('corrective_events')
    op.drop_index('ix_corrective_actions_root_cause', table_name='corrective_actions')
    op.drop_index('ix_corrective_actions_status', table_name='corrective_actions')
    op.drop_table('corrective_actions')
    op.drop_table('saved_filters')
    op.drop_index('ix_search_tokens_token', table_name='search_tokens')
    op.drop_table('search_tokens')
