"""The web app against a real Temporal test server, a real worker and a real database."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from reclamations.db.accounts import add_user, create_token
from reclamations.domain.access import Role
from reclamations.web.app import create_app
from tests.activities.conftest import smtp_server  # noqa: F401 - the real SMTP server, here too
from tests.conftest import IN_CI
from tests.office import Office

USERS = {
    "camille": ("agent", "Camille Martin"),
    "louise": ("supervisor", "Louise Bernard"),
    "dr.lemoine": ("medical_advisor", "Dr Paul Lemoine"),
    "sami": ("operator", "Sami Haddad"),
    "hugo": ("agent", "Hugo Petit"),
    "ines": ("compliance", "Inès Moreau"),
}
PASSWORD = "mot-de-passe-sur"


@pytest.fixture
def office(dev_office: Office) -> Office:
    """The web tests run on the dev server, on the real clock: the UI needs no time skipping,
    and its forms check dates against the real calendar."""
    return dev_office


@pytest.fixture
async def app(office: Office) -> FastAPI:
    for username, (role, name) in USERS.items():
        await add_user(office.sessions, username, PASSWORD, role, name)
    return create_app(office.settings, office.sessions, office.keyring, client=office.client)


@pytest.fixture
async def http(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://reclamations.test") as c:
        yield c


@pytest.fixture
async def tokens(office: Office) -> Callable[[Role], Awaitable[dict[str, str]]]:
    """Headers for an API token of a role, named after it ("jeton-supervisor")."""

    made: dict[Role, str] = {}

    async def headers(role: Role) -> dict[str, str]:
        if role not in made:
            made[role] = await create_token(office.sessions, f"jeton-{role.value}", role)
        return {"Authorization": f"Bearer {made[role]}"}

    return headers


@pytest.fixture
async def api(http: httpx.AsyncClient, office: Office, tokens: Any) -> httpx.AsyncClient:
    """A back-office system whose token may act on ordinary complaints (a supervisor's)."""
    http.headers.update(await tokens(Role.supervisor))
    return http


async def login(http: httpx.AsyncClient, username: str, password: str = PASSWORD) -> str:
    """Log in through the form; returns the session's CSRF token for later forms."""
    page = await http.get("/login")
    token = page.text.split('name="login_token" value="')[1].split('"')[0]
    response = await http.post(
        "/login", data={"username": username, "password": password, "login_token": token}
    )
    assert response.status_code == 303, response.text
    home = await http.get("/", follow_redirects=True)  # the queue, or compliance's dashboard
    return home.text.split('name="csrf_token" value="')[1].split('"')[0]


# -- a real server for the browser ----------------------------------------------------------

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass
class LiveServer:
    url: str


@pytest.fixture
async def live_server(app: FastAPI) -> AsyncIterator[LiveServer]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    yield LiveServer(f"http://127.0.0.1:{port}")
    server.should_exit = True
    await task


@pytest.fixture
async def browser():
    if not os.path.exists(CHROMIUM):
        if IN_CI:
            pytest.fail(f"CI=true but no Chromium at {CHROMIUM}: .ci/run should install it")
        pytest.skip("browser tests: no Chromium found (apt-get install chromium)")
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        await chromium.close()
