"""A medical complainant's name is sealed in the complaints row: on PostgreSQL a sealed value
is longer than the 200 characters of a name in clear (SQLite holds any length as it is)

Rows written before are sealed by `complaints db seal-identities` (it needs the keyring,
which a migration does not have); until then they still read as they are.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.alter_column(
            'complaints', 'complainant_name', type_=sa.Text(), existing_type=sa.String(200)
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.alter_column(
            'complaints', 'complainant_name', type_=sa.String(200), existing_type=sa.Text()
        )
