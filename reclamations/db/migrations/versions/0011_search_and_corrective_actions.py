"""The search index: keyed hashes of each complaint's search keys; the agents' saved queue
filters (issue 29)

Complaints registered before are indexed by `complaints db reindex-search` (it needs the
keyring, which a migration does not have). Numbered 0011 while other work adds 0008 to 0010:
down_revision is set to whichever is the head when they are merged.

Revision ID: 0011
Revises: 0007
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0011'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'search_tokens',
        sa.Column('reference', sa.String(40), primary_key=True),
        sa.Column('token', sa.String(32), primary_key=True),
        sa.Column('medical', sa.Boolean(), nullable=False),
        sa.Column('key_id', sa.String(32), nullable=False),
    )
    op.create_index('ix_search_tokens_token', 'search_tokens', ['token', 'medical'])
    op.create_table(
        'saved_filters',
        sa.Column('username', sa.String(100), primary_key=True),
        sa.Column('name', sa.String(60), primary_key=True),
        sa.Column('query', sa.String(500), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table('saved_filters')
    op.drop_index('ix_search_tokens_token', table_name='search_tokens')
    op.drop_table('search_tokens')
