"""rules 11 and 15 through the real API and UI: every caller is a principal with a role,
medical content is for the Médecin Conseil alone, and sealed values never come from outside.
Each hole found by trying the system as an attacker would is a regression here."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from reclamations.db.accounts import create_token, revoke_token
from reclamations.db.models import ApiTokenRow, ComplaintRow, EventRow
from reclamations.domain.access import Role
from tests.office import action, intake_data
from tests.processes import complaints
from tests.web.conftest import login

DIAGNOSIS = "Diagnostic de sclérose en plaques"


def ref(handle):
    return handle.id.removeprefix("complaint-")


def unique(office, name: str) -> str:
    """A reference of this test's own: the dev server is shared by the whole run."""
    return f"{name}-{office.settings.task_queue[-8:]}"


async def medical(office):
    handle = await office.start(medical=True, channel="post", description=DIAGNOSIS)
    return ref(handle)


async def stolen_seal(office):
    """A real sealed value of another complaint, as an attacker could copy it."""
    reference = await medical(office)
    async with office.sessions() as session:
        row = await session.get(ComplaintRow, reference)
    return row.snapshot["intake"]["description"]


@pytest.mark.parametrize("field", ["subject", "description", "documents.0.name"])
async def test_a_copied_seal_is_refused_at_the_intake_naming_the_field(http, office, tokens, field):
    copied = await stolen_seal(office)
    assert copied.startswith("sealed:v2:")
    reference = unique(office, "COPY")
    data = intake_data(await office.today(), reference=reference)
    data["documents"] = [{"name": "Facture"}]
    if field == "documents.0.name":
        data["documents"][0]["name"] = copied
    else:
        data[field] = copied + "A" * 30_000  # the length limits hold too
    response = await http.post("/api/complaints", json=data, headers=await tokens(Role.intake))
    assert response.status_code == 422
    [problem] = response.json()["detail"]
    assert problem["field"] == field and "scellé" in problem["message"]
    assert DIAGNOSIS not in response.text
    async with office.sessions() as session:
        assert await session.get(ComplaintRow, reference) is None


@pytest.mark.parametrize("forged", ["sealed:v1:k1:AAAA", "sealed:v2:k1:REC-1:AAAA"])
async def test_a_forged_seal_is_refused_in_an_answer_and_in_the_mail_room_form(
    http, office, tokens, forged
):
    reference = ref(await office.start())
    headers = await tokens(Role.supervisor)
    response = await http.post(
        f"/api/complaints/{reference}/actions/answer",
        json={"decision": "rejected", "reasons": forged},
        headers=headers,
    )
    assert response.status_code == 422
    assert [p["field"] for p in response.json()["detail"]] == ["reasons"]
    csrf = await login(http, "camille")
    form = {
        "csrf_token": csrf,
        "channel": "email",
        "sent_on": str(await office.today()),
        "complainant.name": "Jeanne Morel",
        "complainant.email": "jeanne.morel@example.fr",
        "subject": forged,
        "description": "Trois appels sans réponse.",
    }
    page = await http.post("/complaints/new", data=form)
    assert page.status_code == 422 and "subject" in page.text and "scellé" in page.text


async def test_the_actor_is_the_token_and_a_claimed_name_is_only_on_behalf_of(http, office, tokens):
    handle = await office.start()
    response = await http.post(
        f"/api/complaints/{ref(handle)}/actions/qualify",
        json={"actor": "medecin", "category": "benefits"},
        headers=await tokens(Role.supervisor),
    )
    assert response.status_code == 200, response.text
    await office.settled(handle)
    [event] = [e for e in await office.events(ref(handle)) if e.type == "qualified"]
    assert (event.actor, event.on_behalf_of) == ("jeton-supervisor", "medecin")
    # No response gives the server's file paths of letters.
    read = await http.get(f"/api/complaints/{ref(handle)}", headers=await tokens(Role.intake))
    [letter] = read.json()["letters"]
    assert letter["kind"] == "acknowledgement" and "location" not in letter
    assert str(office.settings.data_dir) not in read.text


# What each role may do through the API: register, read an ordinary complaint, act on it,
# act on a medical one.
API_RIGHTS = {
    Role.intake: (201, 200, 403, 403),
    Role.operator: (403, 200, 403, 403),
    Role.agent: (201, 200, 200, 403),
    Role.supervisor: (201, 200, 200, 403),
    Role.medical_advisor: (201, 200, 200, 200),
}


@pytest.mark.parametrize("role", list(API_RIGHTS), ids=lambda r: r.value)
async def test_each_role_on_each_api_route(http, office, tokens, role):
    ordinary = ref(await office.start())
    sealed = await medical(office)
    headers = await tokens(role)
    data = intake_data(await office.today(), reference=unique(office, "NEW"))
    statuses = (
        (await http.post("/api/complaints", json=data, headers=headers)).status_code,
        (await http.get(f"/api/complaints/{ordinary}", headers=headers)).status_code,
        (
            await http.post(
                f"/api/complaints/{ordinary}/actions/assign",
                json={"assignee": "jeton-agent" if role is Role.agent else "dr.lemoine"},
                headers=headers,
            )
        ).status_code,
        (
            await http.post(f"/api/complaints/{sealed}/actions/withdraw", json={}, headers=headers)
        ).status_code,
    )
    assert statuses == API_RIGHTS[role]


# What each user may do in the UI on an ordinary and on a medical complaint (assign to self).
UI_RIGHTS = {
    "camille": (303, 403),
    "louise": (303, 403),
    "dr.lemoine": (303, 303),
    "sami": (403, 403),
}


@pytest.mark.parametrize("username", list(UI_RIGHTS))
async def test_each_role_on_each_ui_action(http, office, username):
    ordinary = ref(await office.start())
    sealed = await medical(office)
    csrf = await login(http, username)
    statuses = []
    for reference in (ordinary, sealed):
        response = await http.post(
            f"/complaints/{reference}/actions/assign",
            data={"csrf_token": csrf, "assignee": username},
        )
        statuses.append(response.status_code)
    assert tuple(statuses) == UI_RIGHTS[username]
    page = (await http.get(f"/complaints/{sealed}")).text
    assert (DIAGNOSIS in page) is (username == "dr.lemoine")
    assert "sealed:" not in page


async def test_an_unreadable_value_never_breaks_a_page(http, office):
    # Damaged data (a lost key, a bad restore): shown as unreadable, never a 500.
    reference = await medical(office)
    handle = office.client.get_workflow_handle(f"complaint-{reference}")
    await office.act(handle, action("qualify", note="Note du médecin"))
    forged = "sealed:v1:k1:AAAA"
    async with office.sessions() as session, session.begin():
        await session.execute(
            update(ComplaintRow).where(ComplaintRow.reference == reference).values(subject=forged)
        )
        await session.execute(
            update(EventRow).where(EventRow.reference == reference).values(note=forged)
        )
    await login(http, "dr.lemoine")
    queue = await http.get("/")
    page = await http.get(f"/complaints/{reference}")
    assert (queue.status_code, page.status_code) == (200, 200)
    assert "[contenu illisible]" in queue.text and "[contenu illisible]" in page.text


async def test_tokens_have_a_role_an_owner_an_expiry_and_can_be_revoked(http, office):
    env = {"RECLAMATIONS_DATABASE_URL": office.settings.resolved_database_url, "PATH": ""}
    made = await asyncio.to_thread(
        complaints, env, "tokens", "create", "courrier-lyon", "--role", "agent"
    )
    token = made.stdout.strip().splitlines()[-1]
    again = await asyncio.to_thread(
        lambda: complaints(env, "tokens", "create", "courrier-lyon", check=False)
    )
    person = await asyncio.to_thread(
        lambda: complaints(env, "tokens", "create", "camille", check=False)
    )
    assert person.returncode == 2 and "est un utilisateur" in person.stderr
    assert again.returncode == 2 and "existe déjà" in again.stderr
    listing = await asyncio.to_thread(complaints, env, "tokens", "list")
    assert "courrier-lyon\tagent\tactif" in listing.stdout and token not in listing.stdout
    headers = {"Authorization": f"Bearer {token}"}
    assert (await http.get("/api/complaints/NONE", headers=headers)).status_code == 404
    await asyncio.to_thread(complaints, env, "tokens", "revoke", "courrier-lyon")
    assert (await http.get("/api/complaints/NONE", headers=headers)).status_code == 401
    later = datetime.now(UTC) + timedelta(hours=1)
    expiring = await create_token(office.sessions, "ephemere", Role.intake, later)
    headers = {"Authorization": f"Bearer {expiring}"}
    assert (await http.get("/api/complaints/NONE", headers=headers)).status_code == 404  # live
    # Its expiry reached: set on the record to this instant, rather than a sleep guessed to
    # outlast a short life (a busy machine may take longer than that life to create it).
    async with office.sessions() as session, session.begin():
        await session.execute(
            update(ApiTokenRow)
            .where(ApiTokenRow.name == "ephemere")
            .values(expires_at=datetime.now(UTC))
        )
    assert (await http.get("/api/complaints/NONE", headers=headers)).status_code == 401
    assert await revoke_token(office.sessions, "ephemere") == 0  # expired: nothing live
