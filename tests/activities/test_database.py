"""The schema and the reference counter, on SQLite and PostgreSQL."""

import asyncio

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from reclamations.db.models import Base
from reclamations.db.references import next_reference


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
