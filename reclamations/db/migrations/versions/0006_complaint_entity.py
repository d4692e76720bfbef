"""Each complaint's entity (the insurer or mutual it is addressed to), for filters

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('complaints', sa.Column('entity', sa.String(length=40), nullable=True))
    op.create_index('ix_complaints_entity', 'complaints', ['entity'])


def downgrade() -> None:
    op.drop_index('ix_complaints_entity', table_name='complaints')
    op.drop_column('complaints', 'entity')
