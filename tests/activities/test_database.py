"""The schema and the reference counter, on SQLite and PostgreSQL."""

import asyncio
from typing import Any

import aiosqlite
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from reclamations.db.engine import statements
from reclamations.db.models import Base, ReferenceCounterRow
from reclamations.db.references import next_reference
from reclamations.db.upsert import insert_if_missing, insert_missing


async def test_migrations_build_exactly_the_models_schema(sessions):
    engine = sessions.kw["bind"]

    def differences(connection):
        return compare_metadata(MigrationContext.configure(connection), Base.metadata)

    async with engine.connect() as connection:
        assert await connection.run_sync(differences) == []


async def test_generated_references_follow_each_other_per_year(sessions):
    assert await next_reference(sessions, 2026) == "REC-2026-000001"
    assert await next_reference(sessions, 2026) == "REC-2026-000002"
    assert await next_reference(sessions, 2027) == "REC-2027-000001"


async def test_concurrent_intakes_never_share_a_reference(sessions):
    references = await asyncio.gather(*(next_reference(sessions, 2026) for _ in range(20)))
    assert len(set(references)) == 20


async def counters(sessions) -> dict[int, int]:
    async with statements(sessions, write=False) as connection:
        rows = await connection.execute(
            select(ReferenceCounterRow.year, ReferenceCounterRow.last_number)
        )
        return {year: number for year, number in rows}


async def test_a_batched_transaction_writes_all_or_nothing(sessions):
    async with statements(sessions, batched=True) as connection:
        await insert_missing(connection, ReferenceCounterRow, [{"year": 2026, "last_number": 1}])
        await connection.execute(update(ReferenceCounterRow).values(last_number=2))
    assert await counters(sessions) == {2026: 2}
    # The second insert breaks the primary key: its error is raised on leaving, the first
    # insert and the update before it are gone with it.
    with pytest.raises(IntegrityError):
        async with statements(sessions, batched=True) as connection:
            await connection.execute(insert(ReferenceCounterRow).values(year=2027, last_number=1))
            await connection.execute(update(ReferenceCounterRow).values(last_number=3))
            await connection.execute(insert(ReferenceCounterRow).values(year=2026, last_number=1))
    assert await counters(sessions) == {2026: 2}


async def test_a_read_sees_what_waits_in_its_batched_transaction(sessions):
    async with statements(sessions, batched=True) as connection:
        await insert_missing(connection, ReferenceCounterRow, [{"year": 2026, "last_number": 7}])
        found = await connection.scalar(select(ReferenceCounterRow.last_number))
    assert found == 7


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The trips to SQLite's thread, counted where aiosqlite queues them."""
    made: list[str] = []
    original = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        made.append(getattr(fn, "__name__", "?"))
        return await original(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    return made


async def test_a_batched_transaction_goes_to_sqlite_once(sqlite_sessions, trips):
    """db/sqlite_driver.py: the statements of a letter's or a record's transaction hold
    SQLite's one connection for a single trip to its thread."""
    await counters(sqlite_sessions)  # the connection open, its pragmas set
    trips.clear()
    async with statements(sqlite_sessions, batched=True) as connection:
        await insert_missing(connection, ReferenceCounterRow, [{"year": 2026, "last_number": 1}])
        await connection.execute(update(ReferenceCounterRow).values(last_number=2))
    assert len(trips) == 1  # both statements and the commit
    trips.clear()
    await counters(sqlite_sessions)
    assert len(trips) == 1  # a read alone: its statement; the pool's rollback finds nothing open


async def test_what_needs_a_row_count_refuses_a_batched_transaction(sqlite_sessions):
    """A complaint's key is kept only if it was stored: never told so without knowing."""
    row = {"year": 2026, "last_number": 1}
    with pytest.raises(RuntimeError, match="row count"):
        async with statements(sqlite_sessions, batched=True) as connection:
            await insert_if_missing(connection, ReferenceCounterRow, row)
    async with statements(sqlite_sessions) as connection:
        assert await insert_if_missing(connection, ReferenceCounterRow, row)
        assert not await insert_if_missing(connection, ReferenceCounterRow, row)


async def test_a_streamed_read_sees_what_waits_in_its_batched_transaction(sqlite_sessions):
    async with statements(sqlite_sessions, batched=True) as connection:
        await insert_missing(connection, ReferenceCounterRow, [{"year": 2026, "last_number": 5}])
        streamed = await connection.stream(select(ReferenceCounterRow.last_number))
        assert [number async for (number,) in streamed] == [5]
