"""Idempotent writes that work the same on SQLite and PostgreSQL.

The statements are built once per table and dialect and then executed with each row's values,
so SQLAlchemy compiles them once: the record is written after every change of every complaint.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from reclamations.db.models import Base

# Where the statements run: an ORM session, or a bare connection (db.engine.statements).
Executor = AsyncSession | AsyncConnection


def _table(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _insert(dialect: str, table: Table) -> Any:
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


@cache
def _insert_missing(dialect: str, model: type[Base]) -> Any:
    return _insert(dialect, _table(model)).on_conflict_do_nothing()


@cache
def _upsert_newer(dialect: str, model: type[Base], key: str, version: str) -> Any:
    table = _table(model)
    statement = _insert(dialect, table)
    return statement.on_conflict_do_update(
        index_elements=[key],
        set_={c.name: statement.excluded[c.name] for c in table.columns if c.name != key},
        where=table.c[version] < statement.excluded[version],
    )


@cache
def _upsert_columns(dialect: str, model: type[Base], columns: tuple[str, ...]) -> Any:
    table = _table(model)
    statement = _insert(dialect, table)
    return statement.on_conflict_do_update(
        index_elements=list(table.primary_key.columns),
        set_={name: statement.excluded[name] for name in columns},
    )


def _dialect(session: Executor) -> str:
    if isinstance(session, AsyncConnection):
        return session.dialect.name
    return session.get_bind().dialect.name


async def insert_missing(
    session: Executor, model: type[Base], rows: Sequence[dict[str, Any]]
) -> None:
    """Insert rows whose primary key is not there yet; leave existing ones untouched."""
    if rows:
        await session.execute(_insert_missing(_dialect(session), model), list(rows))


async def insert_if_missing(session: Executor, model: type[Base], row: dict[str, Any]) -> bool:
    """Insert the row unless its primary key (or another unique column) is taken; True when
    it was inserted."""
    result = await session.execute(_insert_missing(_dialect(session), model), row)
    count = int(getattr(result, "rowcount", -1))
    if count < 0:  # a batched transaction's statement (db/sqlite_driver.py) has no count yet
        raise RuntimeError("insert_if_missing needs its row count: not in a batched transaction")
    return count == 1


async def upsert_newer(
    session: Executor, model: type[Base], row: dict[str, Any], key: str, version: str
) -> None:
    """Insert the row, or replace the stored one only if this one has a higher version, so a
    late retry never rolls the read model back. `row` gives every column."""
    await session.execute(_upsert_newer(_dialect(session), model, key, version), [row])


async def upsert_columns(
    session: Executor, model: type[Base], row: dict[str, Any], columns: tuple[str, ...]
) -> None:
    """Insert the row, or, where its primary key is taken, set only `columns` of the stored
    one from it. `row` gives every column."""
    await session.execute(_upsert_columns(_dialect(session), model, columns), [row])
