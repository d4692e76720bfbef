"""PostgreSQL unreachable for 30 s while complaints move: activities retry, and once it is
back no event is lost or doubled, no letter missing or doubled."""

import asyncio
import time

from sqlalchemy import select
from sqlalchemy.engine import make_url

from reclamations.db.engine import create_engine, session_factory
from reclamations.db.models import Base, ComplaintRow, LetterRow
from tests.faults.conftest import FaultSystem
from tests.office import action
from tests.processes import free_port

OUTAGE_SECONDS = 30


class CuttableLink:
    """A TCP relay between the worker and PostgreSQL that the test can cut and restore."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.port = free_port()
        self.server: asyncio.Server | None = None
        self.links: set[asyncio.StreamWriter] = set()

    async def open(self) -> None:
        self.server = await asyncio.start_server(self._relay, "127.0.0.1", self.port)

    async def cut(self) -> None:
        assert self.server is not None
        self.server.close()
        for writer in list(self.links):
            writer.transport.abort()
        await self.server.wait_closed()

    async def _relay(self, client_reader, client_writer) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        self.links |= {client_writer, upstream_writer}

        async def pump(reader, writer):
            try:
                while data := await reader.read(65536):
                    writer.write(data)
                    await writer.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                writer.transport.abort()
                self.links.discard(writer)

        await asyncio.gather(
            pump(client_reader, upstream_writer), pump(upstream_reader, client_writer)
        )


async def test_thirty_seconds_without_postgresql_lose_and_double_nothing(
    fault_system: FaultSystem, postgres_url: str
):
    system = fault_system
    direct = create_engine(postgres_url)
    async with direct.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            await connection.execute(table.delete())
    system.sessions = session_factory(direct)
    url = make_url(postgres_url)
    link = CuttableLink(url.host or "127.0.0.1", url.port or 5432)
    await link.open()
    through_link = url.set(host="127.0.0.1", port=link.port).render_as_string(hide_password=False)
    system.worker(RECLAMATIONS_DATABASE_URL=through_link)

    before = [f"PG-BEFORE-{n}" for n in range(8)]
    for reference in before:
        await system.start(reference)
    for reference in before:
        await system.settled(reference)

    await link.cut()
    cut_at = time.monotonic()
    during = [f"PG-DURING-{n}" for n in range(4)]
    for reference in during:
        await system.start(reference)  # the workflow starts; its record waits
    for reference in before:
        await system.act(reference, action("qualify"))
    await asyncio.sleep(OUTAGE_SECONDS - (time.monotonic() - cut_at))
    # The outage was real: nothing of what happened during it reached the database.
    async with system.sessions() as session:
        recorded = await session.scalars(select(ComplaintRow.reference))
        assert not set(recorded) & set(during)
        assert not list(await session.scalars(select(LetterRow.reference)))
    await link.open()

    try:
        for reference in before + during:
            state = await system.check_nothing_lost_or_doubled(reference)
            expected = ["acknowledgement"] if reference in before else []
            assert [letter.kind.value for letter in state.letters] == expected
    finally:
        await link.cut()
        await direct.dispose()
