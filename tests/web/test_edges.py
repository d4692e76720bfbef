"""The hard edges, through real HTTP against the real app: logins, sessions, bounded
requests, headers, no 500 on odd input, private files."""

import asyncio
import os
import re
import stat
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select

from reclamations.db.logins import AuditKind, Throttle
from reclamations.db.models import AuditRow, UserSessionRow
from tests.office import action
from tests.web.conftest import PASSWORD, login

TEN_MB = 10 * 1024 * 1024


async def attempt(http, username, password):
    page = await http.get("/login")
    token = page.text.split('name="login_token" value="')[1].split('"')[0]
    return await http.post(
        "/login", data={"username": username, "password": password, "login_token": token}
    )


# -- logins ----------------------------------------------------------------------------------


async def test_repeated_wrong_passwords_lock_the_account_even_for_the_right_one(http, office):
    for _ in range(5):
        assert (await attempt(http, "hugo", "pas-le-bon-mot-de-passe")).status_code == 401
    locked = await attempt(http, "hugo", PASSWORD)
    assert locked.status_code == 429
    assert "Trop d&#39;échecs de connexion" in locked.text and "réessayez dans" in locked.text
    async with office.sessions() as session:
        hugo = select(AuditRow.kind).where(AuditRow.username == "hugo")
        kinds = list(await session.scalars(hugo))
        texts = " ".join(
            f"{row.detail} {row.username}" for row in await session.scalars(select(AuditRow))
        )
    assert kinds.count(AuditKind.login_failed) == 5 and AuditKind.login_locked in kinds
    assert "pas-le-bon" not in texts and PASSWORD not in texts  # never a password


def peer(app, address):
    """A client whose connection comes from `address` (a browser, or a proxy)."""
    transport = httpx.ASGITransport(app=app, client=(address, 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://reclamations.test")


async def attempt_from(app, address, username, password, forwarded=None):
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    async with peer(app, address) as http:
        http.headers.update(headers)
        return (await attempt(http, username, password)).status_code


async def audited_clients(office):
    async with office.sessions() as session:
        return set(await session.scalars(select(AuditRow.client)))


WRONG = "pas-le-bon-mot-de-passe"
# Three wrong passwords from one address lock it; an account takes five (none reached here).
FEW = Throttle(account_failures=5, client_failures=3)


async def test_repeated_wrong_passwords_from_one_address_lock_it_for_every_account(app, office):
    app.state.context.throttle = FEW
    for username in ("camille", "louise", "hugo"):  # one failure each: no account is locked
        assert await attempt_from(app, "198.51.100.9", username, WRONG) == 401
    assert await attempt_from(app, "198.51.100.9", "ines", PASSWORD) == 429
    assert await attempt_from(app, "198.51.100.10", "ines", PASSWORD) == 303


PROXIED = {"trusted_proxies": ["10.0.0.0/8"]}


@pytest.mark.parametrize("settings", [PROXIED], indirect=True)
async def test_behind_a_trusted_proxy_the_throttle_keys_on_the_forwarded_client(app, office):
    app.state.context.throttle = FEW
    # What the client wrote itself comes first, the address the proxy saw last: rotating the
    # former changes nothing.
    for n, username in enumerate(("camille", "louise", "hugo")):
        forwarded = f"192.0.2.{n}, 203.0.113.7"
        assert await attempt_from(app, "10.1.2.3", username, WRONG, forwarded) == 401
    assert await attempt_from(app, "10.1.2.3", "ines", PASSWORD, "1.2.3.4, 203.0.113.7") == 429
    # Another client through the same proxy is not locked out by the first one.
    assert await attempt_from(app, "10.1.2.3", "ines", PASSWORD, "203.0.113.8") == 303
    assert await audited_clients(office) == {"203.0.113.7", "203.0.113.8"}


@pytest.mark.parametrize("settings", [PROXIED], indirect=True)
async def test_from_an_untrusted_peer_a_forwarded_address_is_ignored(app, office):
    app.state.context.throttle = FEW
    for n, username in enumerate(("camille", "louise", "hugo")):
        assert await attempt_from(app, "198.51.100.9", username, WRONG, f"203.0.113.{n}") == 401
    assert await attempt_from(app, "198.51.100.9", "ines", PASSWORD, "203.0.113.99") == 429
    assert await audited_clients(office) == {"198.51.100.9"}


@pytest.mark.parametrize(
    ("password", "why"),
    [("aaaaaaaa", "12 caractères"), ("aaaaaaaaaaaa", "facile"), ("leavemealone", "courants")],
)
async def test_weak_passwords_are_refused(office, password, why):
    from reclamations.db.accounts import AccountError, add_user

    with pytest.raises(AccountError, match=why):
        await add_user(office.sessions, "faible", password, "agent")


# -- sessions --------------------------------------------------------------------------------


async def test_logout_ends_the_session_on_the_server(http, office):
    csrf = await login(http, "camille")
    copied = http.cookies.get("reclamations_session")
    await http.post("/logout", data={"csrf_token": csrf})
    http.cookies.set("reclamations_session", copied)  # a copy kept from before the logout
    replay = await http.get("/")
    assert replay.status_code == 303 and replay.headers["location"].startswith("/login")


async def test_a_login_forgets_audit_lines_and_sessions_past_their_retention(http, office):
    now = datetime.now(UTC)
    long_ago, lately = now - timedelta(days=366), now - timedelta(days=300)
    async with office.sessions.begin() as session:
        for at, who in ((long_ago, "ancien"), (lately, "recent")):
            session.add(
                AuditRow(at=at, kind=AuditKind.login.value, username=who, client="10.0.0.1")
            )
            session.add(
                UserSessionRow(
                    token_hash=who * 8, username=who, csrf="x", created_at=at, last_seen_at=at
                )
            )
    await login(http, "camille")
    async with office.sessions() as session:
        audited = set(await session.scalars(select(AuditRow.username)))
        kept_sessions = set(await session.scalars(select(UserSessionRow.username)))
    assert audited == {"recent", "camille"}  # the default keeps a year
    assert kept_sessions == {"recent", "camille"}


async def test_disabling_a_user_ends_their_sessions_and_tokens(http, office):
    from reclamations.db.accounts import create_token, disable_user

    await login(http, "hugo")
    token = await create_token(office.sessions, "outil-hugo", owner="hugo")
    headers = {"Authorization": f"Bearer {token}"}
    assert (await http.get("/api/complaints/NONE-1", headers=headers)).status_code == 404
    assert await disable_user(office.sessions, "hugo") == 1
    assert (await http.get("/")).status_code == 303
    async with office.sessions() as session:
        hugo = select(UserSessionRow.ended_at).where(UserSessionRow.username == "hugo")
        assert all(ended is not None for ended in await session.scalars(hugo))  # ended, not hidden
    assert (await http.get("/api/complaints/NONE-1", headers=headers)).status_code == 401


async def test_a_new_password_ends_the_sessions_opened_with_the_old_one(http, office):
    from reclamations.db.accounts import add_user

    await login(http, "hugo")
    await add_user(office.sessions, "hugo", "une-toute-nouvelle-phrase", "agent", replace=True)
    assert (await http.get("/")).status_code == 303


# -- bounded requests ------------------------------------------------------------------------


async def declare(url: str, headers: str, size: int = TEN_MB) -> int:
    """Announce a body of `size` bytes, send none of it, and read the answer: a server that
    answers has not waited for the body."""
    host, port = url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(
        f"POST /api/complaints HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        f"{headers}Content-Length: {size}\r\n\r\n".encode()
    )
    await writer.drain()
    status_line = await asyncio.wait_for(reader.readline(), timeout=10)
    writer.close()
    return int(status_line.split()[1])


async def test_a_huge_anonymous_body_is_refused_before_it_is_read(live_server):
    assert await declare(live_server.url, "") == 401
    assert await declare(live_server.url, "Authorization: Bearer nothing\r\n") == 401


async def test_a_body_over_the_limit_is_refused_even_from_a_known_caller(api, live_server, tokens):
    from reclamations.domain.access import Role

    headers = await tokens(Role.intake)
    line = f"Authorization: {headers['Authorization']}\r\n"
    assert await declare(live_server.url, line) == 413  # from its announced size, unread
    huge = b'{"channel": "' + b"x" * TEN_MB + b'"}'

    async def streamed():  # no announced size: counted while read
        for start in range(0, len(huge), 65536):
            yield huge[start : start + 65536]

    async with httpx.AsyncClient(base_url=live_server.url, timeout=30) as client:
        chunked = await client.post("/api/complaints", content=streamed(), headers=headers)
    assert chunked.status_code == 413
    assert "trop volumineuse" in chunked.json()["detail"]


# -- headers ---------------------------------------------------------------------------------


async def test_every_answer_carries_the_security_headers(http, api, office):
    handle = await office.start(reference="HEAD-1")
    await office.act(handle, action("qualify"))
    await office.settled(handle)
    await login(http, "louise")
    answers = [
        await http.get("/login"),
        await http.get("/"),
        await http.get("/complaints/HEAD-1"),
        await http.get("/complaints/HEAD-1/letters/acknowledgement/1"),
        await api.get("/api/complaints/HEAD-1"),
    ]
    for response in answers:
        assert response.status_code == 200, response.url
        csp = response.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
        assert "default-src 'self'" in csp and "http" not in csp  # nothing from another site
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"
        assert response.headers["cache-control"] == "no-store"
    assert "no-store" not in (await http.get("/static/app.css")).headers.get("cache-control", "")


# -- no 500 ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/?page=9223372036854775807", 422),
        ("/complaints/X-1/letters/answer/123456789012345678901234567890", 422),
    ],
)
async def test_out_of_range_numbers_are_refused_plainly(http, office, path, expected):
    await login(http, "louise")
    assert (await http.get(path)).status_code == expected


async def test_conflicting_form_field_names_are_refused_plainly(http, office):
    csrf = await login(http, "louise")
    response = await http.post(
        "/complaints/new",
        data={"csrf_token": csrf, "complainant": "x", "complainant.name": "A", "channel": "post"},
    )
    assert response.status_code == 422


async def test_a_forged_csrf_token_of_any_characters_is_refused_plainly(http, office):
    await login(http, "louise")
    response = await http.post(
        "/complaints/new", data={"csrf_token": "jeton-forgé", "channel": "post"}
    )
    assert response.status_code == 403
    assert "Formulaire expiré" in response.text


async def test_a_codec_body_that_is_not_utf8_is_refused_plainly(http, office):
    await login(http, "sami")
    response = await http.post("/codec/decode", content=b'{"payloads": "\xdb"}')
    assert response.status_code == 400
    assert "UTF-8" in response.json()["detail"]


# -- files -----------------------------------------------------------------------------------


def test_the_command_line_creates_private_files(tmp_path, monkeypatch):
    from reclamations.cli.main import main

    database = tmp_path / "data" / "reclamations.db"
    database.parent.mkdir()
    monkeypatch.setenv("RECLAMATIONS_DATABASE_URL", f"sqlite+aiosqlite:///{database}")
    before = os.umask(0o022)  # as a shell leaves it: the command itself must tighten it
    try:
        assert main(["db", "upgrade"]) == 0
        folder = tmp_path / "made-after"
        folder.mkdir()
    finally:
        os.umask(before)
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700  # the umask holds for the process


async def test_the_api_page_works_offline(http):
    """/docs names only assets the app serves itself, and serves them: nothing is asked of
    another host (a CDN, swagger.io's validator), and its policy allows none."""
    page = await http.get("/docs")
    assert page.status_code == 200
    assert not re.search(r"https?://", page.text), page.text
    policy = page.headers["content-security-policy"]
    assert "http" not in policy and "'self'" in policy
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert {a.rsplit(".", 1)[-1] for a in assets} >= {"js", "css"}
    for asset in assets:
        assert asset.startswith("/"), asset
        assert (await http.get(asset)).status_code == 200, asset
    assert '"validatorUrl": null' in page.text
