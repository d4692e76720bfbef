"""What SECURITY.md states in numbers and words, checked against the real app: sessions'
idle time and lifetime, the bodies' sizes, what is stored of a secret, the login's scrypt for
a name that is nobody's, the throttle's waits, an altered file, /docs in production."""

import csv
import hashlib
import io
import os
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from reclamations.db.logins import AuditKind, Throttle
from reclamations.db.models import ApiTokenRow, AuditRow, UserRow, UserSessionRow
from reclamations.domain.access import Role
from reclamations.workflows.messages import workflow_id
from tests.office import action
from tests.web.conftest import PASSWORD, login
from tests.web.test_edges import attempt
from tests.web.test_files import a_pdf, registered, stored_files, upload

KIB = 1024


# -- sessions --------------------------------------------------------------------------------


async def age_session(office, **ago: timedelta) -> None:
    """Move the live sessions' `created_at` / `last_seen_at` back in time."""
    now = datetime.now(UTC)
    values = {column: now - delta for column, delta in ago.items()}
    async with office.sessions.begin() as session:
        await session.execute(
            update(UserSessionRow).where(UserSessionRow.ended_at.is_(None)).values(**values)
        )


async def test_a_session_ends_after_an_idle_hour_and_ten_hours_after_login(http, office):
    await login(http, "camille")
    await age_session(office, last_seen_at=timedelta(minutes=59))
    assert (await http.get("/")).status_code == 200
    await age_session(office, last_seen_at=timedelta(minutes=61))
    assert (await http.get("/")).status_code == 303  # idle an hour: back to the login page
    async with office.sessions() as session:
        assert all(await session.scalars(select(UserSessionRow.ended_at)))  # ended for good

    await login(http, "camille")
    await age_session(office, created_at=timedelta(hours=9, minutes=59))
    assert (await http.get("/")).status_code == 200
    await age_session(office, created_at=timedelta(hours=10, minutes=1))
    assert (await http.get("/")).status_code == 303  # in use all along, yet ten hours old


# -- bodies ----------------------------------------------------------------------------------


async def test_bodies_are_bounded_at_256_kib_8_kib_for_the_login_and_8_mib_for_the_codec(
    http, office, tokens
):
    headers = {**(await tokens(Role.intake)), "Content-Type": "application/json"}

    async def status(path: str, size: int, **extra: str) -> int:
        answer = await http.post(path, content=b"x" * size, headers={**headers, **extra})
        code: int = answer.status_code
        return code

    assert await status("/api/complaints", 256 * KIB) == 422  # read, and refused as JSON
    assert await status("/api/complaints", 256 * KIB + 1) == 413
    assert await status("/login", 8 * KIB) != 413
    assert await status("/login", 8 * KIB + 1) == 413
    await login(http, "sami")
    assert await status("/codec/decode", 8 * KIB * KIB) == 400  # read, and refused as JSON
    assert await status("/codec/decode", 8 * KIB * KIB + 1) == 413


@pytest.mark.parametrize("settings", [{"max_complaint_files_bytes": 64 * KIB}], indirect=True)
async def test_a_route_that_takes_files_takes_what_a_complaint_holds_and_its_form(api):
    """Not 256 KiB there: as much as a complaint may hold (here 64 KiB) and 256 KiB around."""
    path, limit = "/api/complaints/NONE-1/documents", (64 + 256) * KIB
    assert (await api.post(path, content=b"x" * limit)).status_code != 413
    assert (await api.post(path, content=b"x" * (limit + 1))).status_code == 413


# -- what is stored of a secret --------------------------------------------------------------


async def test_passwords_sessions_and_tokens_are_stored_as_hashes_only(http, office):
    from reclamations.db.accounts import create_token

    await login(http, "camille")
    cookie = http.cookies["reclamations_session"]
    token = await create_token(office.sessions, "outil", Role.intake)
    async with office.sessions() as session:
        camille = await session.get(UserRow, "camille")
        sessions = list(await session.scalars(select(UserSessionRow.token_hash)))
        tokens = list(await session.scalars(select(ApiTokenRow.token_hash)))
    assert camille is not None and camille.password_hash.startswith("scrypt$")
    assert PASSWORD not in camille.password_hash
    assert sessions == [hashlib.sha256(cookie.encode()).hexdigest()]
    assert tokens == [hashlib.sha256(token.encode()).hexdigest()]


# -- logins ----------------------------------------------------------------------------------


async def test_an_unknown_name_costs_the_same_scrypt_as_a_wrong_password(http, office, monkeypatch):
    """The work itself, counted, not timed (a timed test failed whenever the shared machine
    was busy): the same scrypt, with the same cost parameters, for a name that is somebody's
    or nobody's."""
    import hashlib as real

    scrypt = real.scrypt
    runs: list[tuple[int, int, int]] = []

    def counted(password: bytes, *, salt: bytes, n: int, r: int, p: int, **rest: int) -> bytes:
        runs.append((n, r, p))
        return scrypt(password, salt=salt, n=n, r=r, p=p, **rest)

    await attempt(http, "personne-0", "un-essai-quelconque")  # the stand-in hash, made once
    monkeypatch.setattr(real, "scrypt", counted)
    assert (await attempt(http, "camille", "un-essai-quelconque")).status_code == 401
    known, runs[:] = list(runs), []
    assert (await attempt(http, "personne-1", "un-essai-quelconque")).status_code == 401
    assert known and runs == known


def test_wrong_passwords_make_logins_wait_30_seconds_doubling_up_to_15_minutes():
    throttle = Throttle()
    assert (throttle.account_failures, throttle.client_failures) == (5, 20)
    assert throttle.window == timedelta(minutes=15)
    waits = [throttle.wait_after(failures, 5) for failures in range(4, 11)]
    assert waits == [timedelta(seconds=s) for s in (0, 30, 60, 120, 240, 480, 900)]
    assert throttle.wait_after(1000, 5) == timedelta(minutes=15)


# -- files -----------------------------------------------------------------------------------


async def test_a_file_whose_checksum_no_longer_matches_is_not_served(api, office):
    reference = await registered(api, office)
    pdf = a_pdf()
    assert (await upload(api, reference, pdf)).status_code == 200
    [path] = stored_files(office)
    altered = a_pdf("Facture opticien : 985,00 €")
    path.write_bytes(altered)
    href = f"/api/complaints/{reference}/documents/{hashlib.sha256(pdf).hexdigest()}"
    answer = await api.get(href)
    assert answer.status_code == 503 and answer.content != altered
    assert "altéré" in answer.json()["detail"]


# -- /docs -----------------------------------------------------------------------------------


@pytest.mark.parametrize("settings", [{"api_docs": False}], indirect=True)
async def test_the_api_page_is_off_in_production(http):
    assert (await http.get("/docs")).status_code == 404
    # and docker-compose.yml sets it so: tests/test_production.py


async def test_the_history_holds_a_files_checksum_never_its_content(api, office):
    reference = await registered(api, office)
    pdf = a_pdf() + os.urandom(300 * KIB)  # incompressible: no history could hide it
    assert (await upload(api, reference, pdf)).status_code == 200
    history = await office.client.get_workflow_handle(workflow_id(reference)).fetch_history()
    assert sum(event.ByteSize() for event in history.events) < 100 * KIB


# -- the register ------------------------------------------------------------------------------


async def test_the_registers_downloads_carry_no_complaints_content(http, office):
    words = ("Vercingétorix", "Mon opticien a refusé", "Nous maintenons le refus")
    handle = await office.start(
        channel="post",
        description=f"{words[1]} le remboursement.",
        complainant={"name": f"Anatole {words[0]}", "postal_address": "3 rue Haute\n57000 Metz"},
    )
    await office.act(handle, action("qualify", category="benefits"))
    await office.act(handle, action("answer", decision="rejected", reasons=f"{words[2]}."))
    await office.settled(handle)
    await login(http, "ines")
    text = (await http.get("/conformite/registre.csv")).text
    book = load_workbook(io.BytesIO((await http.get("/conformite/registre.xlsx")).content))
    cells = " ".join(str(c.value) for sheet in book for row in sheet.iter_rows() for c in row)
    assert len(list(csv.DictReader(io.StringIO(text)))) == 1  # its line is there
    for word in words:
        assert word not in text and word not in cells


# -- cookies ---------------------------------------------------------------------------------


async def test_the_session_cookie_is_same_site(http, office):
    page = await http.get("/login")
    token = page.text.split('name="login_token" value="')[1].split('"')[0]
    response = await http.post(
        "/login", data={"username": "camille", "password": PASSWORD, "login_token": token}
    )
    [session] = [
        c for c in response.headers.get_list("set-cookie") if c.startswith("reclamations_session=")
    ]
    assert "samesite=lax" in session.lower()
    assert "samesite=strict" in page.headers["set-cookie"].lower()  # the login form's own


# -- throttling across web processes ---------------------------------------------------------


async def test_the_throttle_holds_across_web_processes(app, office):
    """Two apps on one database, as two web processes: failures counted by one lock the other."""
    from reclamations.web.app import create_app

    other = create_app(office.settings, office.sessions, office.keyring, client=office.client)
    first, second = (httpx.ASGITransport(app=a) for a in (app, other))
    async with (
        httpx.AsyncClient(transport=first, base_url="http://reclamations.test") as one,
        httpx.AsyncClient(transport=second, base_url="http://reclamations.test") as two,
    ):
        for _ in range(5):
            assert (await attempt(one, "hugo", "pas-le-bon-mot-de-passe")).status_code == 401
        assert (await attempt(two, "hugo", PASSWORD)).status_code == 429


async def test_the_audit_log_records_logins_logouts_and_disabled_users(http, office):
    from reclamations.db.accounts import disable_user

    csrf = await login(http, "hugo")
    await http.post("/logout", data={"csrf_token": csrf})
    await disable_user(office.sessions, "hugo")
    async with office.sessions() as session:
        rows = list(await session.scalars(select(AuditRow).where(AuditRow.username == "hugo")))
    kinds = [row.kind for row in rows]
    assert kinds == [AuditKind.login, AuditKind.logout, AuditKind.disabled]
    assert all(row.at for row in rows) and rows[0].client and rows[1].client
