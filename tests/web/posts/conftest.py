"""One office per test file of this folder (a worker, a database, users and tokens), set up
once: every refusal is checked to leave the shared record as it was."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from reclamations.db.accounts import add_user, create_token
from reclamations.db.engine import SessionFactory, create_engine, session_factory
from reclamations.db.migrate import upgrade
from reclamations.db.models import ReferenceCounterRow
from reclamations.domain.access import TOKEN_ROLES, Role
from reclamations.security.keyring import Keyring
from reclamations.web.app import create_app
from tests.conftest import make_settings
from tests.office import Office
from tests.web.conftest import PASSWORD, USERS


@pytest.fixture(scope="module")
async def office(
    dev_env: WorkflowEnvironment, keyring: Keyring, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Office]:
    root = tmp_path_factory.mktemp("posts")
    engine = create_engine(f"sqlite+aiosqlite:///{root / 'reclamations.db'}")
    await upgrade(engine)
    sessions: SessionFactory = session_factory(engine)
    for username, (role, name) in USERS.items():
        await add_user(sessions, username, PASSWORD, role, name)
    # The many complaints registered here without a reference number themselves from 900001:
    # the dev server outlives this file, and the next files' numbers, from 1, stay free there.
    async with sessions.begin() as session:
        session.add_all(
            ReferenceCounterRow(year=year, last_number=900_000) for year in range(2020, 2040)
        )
    office = Office(dev_env, make_settings(root), sessions, keyring)
    async with office.worker():
        yield office

    # The dev server, unlike the time-skipping one, takes terminations in its stride: quicker
    # than ending each of these many complaints by a withdrawal.
    async def end(ident: str) -> None:
        with contextlib.suppress(RPCError):
            await office.client.get_workflow_handle(ident).terminate("fin du test")

    await asyncio.gather(*(end(ident) for ident in office.started_ids))
    await engine.dispose()


@pytest.fixture(scope="module")
async def app(office: Office) -> FastAPI:
    return create_app(office.settings, office.sessions, office.keyring, client=office.client)


@pytest.fixture(scope="module")
async def bearer(office: Office) -> dict[Role, dict[str, str]]:
    """An API token of each role, named after it ("jeton-agent")."""
    made: dict[Role, dict[str, str]] = {}
    for role in TOKEN_ROLES:
        token = await create_token(office.sessions, f"jeton-{role.value}", role)
        made[role] = {"Authorization": f"Bearer {token}"}
    return made
