"""Idempotent writes that work the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Base


def _table(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _insert(session: AsyncSession, table: Table) -> Any:
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


async def insert_missing(
    session: AsyncSession, model: type[Base], rows: Sequence[dict[str, Any]]
) -> None:
    """Insert rows whose primary key is not there yet; leave existing ones untouched."""
    if rows:
        statement = _insert(session, _table(model)).values(list(rows))
        await session.execute(statement.on_conflict_do_nothing())


async def upsert_newer(
    session: AsyncSession, model: type[Base], row: dict[str, Any], key: str, version: str
) -> None:
    """Insert the row, or replace the stored one only if this one has a higher version, so a
    late retry never rolls the read model back."""
    table = _table(model)
    statement = _insert(session, table).values(row)
    statement = statement.on_conflict_do_update(
        index_elements=[key],
        set_={name: statement.excluded[name] for name in row if name != key},
        where=table.c[version] < statement.excluded[version],
    )
    await session.execute(statement)
