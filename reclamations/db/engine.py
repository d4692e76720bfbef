"""Engine and session factory. Built by entry points from settings, never at import time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from reclamations.db.sqlite_driver import OneTripConnection, one_trip_dbapi

SessionFactory = async_sessionmaker[AsyncSession]


def create_engine(url: str, **options: Any) -> AsyncEngine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # SQLite takes one writer at a time, and a writer kept waiting backs off in sleeps:
        # within a process, queue for a single connection instead (reads share it; WAL
        # lets other processes read meanwhile).
        options = {"pool_size": 1, "max_overflow": 0, "pool_timeout": 120, **options}
        # Statements in as few trips to SQLite's thread as they allow (db/sqlite_driver.py).
        options = {"module": one_trip_dbapi(), **options}
        engine = create_async_engine(url, connect_args={"timeout": 30}, **options)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(url, pool_pre_ping=True, **options)


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    # WAL lets the web app read while the worker writes; foreign keys are off by default.
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    # An erased complaint's rows and destroyed key are overwritten, not left in free pages
    # where a copy of the file would still show them (issue 28).
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def session_factory(engine: AsyncEngine) -> SessionFactory:
    return async_sessionmaker(engine, expire_on_commit=False)


def _engine(sessions: SessionFactory) -> AsyncEngine:
    bind = sessions.kw["bind"]
    assert isinstance(bind, AsyncEngine)
    return bind


@asynccontextmanager
async def statements(
    sessions: SessionFactory, write: bool = True, batched: bool = False
) -> AsyncIterator[AsyncConnection]:
    """A connection of the sessions' engine, in a transaction committed on leaving when
    `write`: for SQL statements alone, without the ORM's session (about a third of a
    statement's CPU on SQLite). The path every letter and record takes.

    `batched`: the transaction's inserts, updates and deletes, whose results it does not read
    (no row count), go to SQLite together with the commit (db/sqlite_driver.py), and an error
    in one of them is raised on leaving. Elsewhere it changes nothing."""
    engine = _engine(sessions)
    async with engine.begin() if write else engine.connect() as connection:
        driver = (await connection.get_raw_connection()).dbapi_connection if batched else None
        if not isinstance(driver, OneTripConnection):
            yield connection
            return
        driver.batched = True
        try:
            yield connection
        finally:
            driver.batched = False  # what waits still goes with the commit


async def compact(sessions: SessionFactory) -> None:
    """SQLite's write-ahead log still holds pages as they were before rows were overwritten
    (an erasure, content sealed in place): written back and emptied now. PostgreSQL's old row
    versions go at its next vacuum (docs/operations.md)."""
    async with sessions() as session:
        if session.get_bind().dialect.name == "sqlite":
            await session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
