"""The intake API: bearer tokens, the intake contract, actions through validated updates."""

import asyncio
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from reclamations.db.models import ComplaintRow
from reclamations.domain.access import Role
from reclamations.web.api import ACTION_EXAMPLES
from tests.office import intake_data
from tests.processes import complaints

ROOT = Path(__file__).parents[2]


async def an_intake(office, **changes):
    return intake_data(changes.pop("sent_on", await office.today()), **changes)


async def test_requests_without_a_valid_token_are_refused(http, office):
    assert (await http.post("/api/complaints", json=await an_intake(office))).status_code == 401
    response = await http.get("/api/complaints/X", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


async def test_an_intake_starts_a_complaint_and_returns_its_deadlines(api, office):
    response = await api.post("/api/complaints", json=await an_intake(office, reference="API-1"))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["reference"] == "API-1" and body["created"] is True
    assert body["workflow_id"] == "complaint-API-1"
    assert set(body["deadlines"]) == {"acknowledgement_due", "quality_target_due", "final_due"}
    assert body["links"]["self"] == "/api/complaints/API-1"
    assert body["links"]["history"].endswith("/workflows/complaint-API-1")
    state = (await api.get("/api/complaints/API-1")).json()
    assert state["reference"] == "API-1"
    assert state["plan"]["acknowledgement"]["due"] == body["deadlines"]["acknowledgement_due"]


async def test_without_reference_one_is_generated(api, office):
    body = (await api.post("/api/complaints", json=await an_intake(office))).json()
    assert body["reference"].startswith("REC-")


async def test_the_same_reference_twice_gives_the_existing_complaint(api, office):
    data = await an_intake(office, reference="API-2")
    first = await api.post("/api/complaints", json=data)
    second = await api.post("/api/complaints", json=data)
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["created"] is False
    await office.settled(office.client.get_workflow_handle("complaint-API-2"))
    async with office.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(ComplaintRow)) == 1


async def test_bad_input_names_each_field_and_records_nothing(api, office):
    data = await an_intake(office, reference="API-BAD", channel="post", description="")
    data["complainant"] = {"name": "A", "email": "pas-une-adresse"}
    data["sent_on"] = "2999-01-01"
    data["category"] = "misc"
    response = await api.post("/api/complaints", json=data)
    assert response.status_code == 422
    fields = {e["field"]: e["message"] for e in response.json()["detail"]}
    assert {"description", "complainant.email", "category"} <= fields.keys()
    assert all(fields.values())
    # The checks that need today's date come with their own clear message.
    tomorrow = await office.today() + timedelta(days=1)
    data = await an_intake(office, reference="API-BAD", sent_on=str(tomorrow))
    response = await api.post("/api/complaints", json=data)
    assert response.json()["detail"] == [
        {"field": "sent_on", "message": "la date d'envoi ne peut pas être dans le futur"}
    ]
    missing = await api.get("/api/complaints/API-BAD")
    assert missing.status_code == 404


async def test_actions_go_through_the_workflow_and_refusals_say_why(api, office):
    await api.post("/api/complaints", json=await an_intake(office, reference="API-3"))
    qualified = await api.post(
        "/api/complaints/API-3/actions/qualify", json={"actor": "gestion", "category": "benefits"}
    )
    assert qualified.status_code == 200, qualified.text
    assert qualified.json()["status"] == "in_progress"
    refused = await api.post("/api/complaints/API-3/actions/resume", json={"actor": "gestion"})
    assert refused.status_code == 409
    assert refused.json()["detail"] == "La réclamation n'est pas suspendue."
    invalid = await api.post(
        "/api/complaints/API-3/actions/answer", json={"actor": "gestion", "decision": "maybe"}
    )
    assert invalid.status_code == 422
    assert {e["field"] for e in invalid.json()["detail"]} == {"decision", "reasons"}
    unknown = await api.post("/api/complaints/NOPE/actions/qualify", json={"actor": "gestion"})
    assert unknown.status_code == 404


async def test_a_medical_complaint_is_read_only_by_a_medecin_conseil_token(http, office, tokens):
    data = await an_intake(
        office, reference="API-MED", medical=True, description="Diagnostic de sclérose en plaques."
    )
    assert (
        await http.post("/api/complaints", json=data, headers=await tokens(Role.intake))
    ).status_code == 201
    await office.settled(office.client.get_workflow_handle("complaint-API-MED"))
    [registered] = [e for e in await office.events("API-MED") if e.type == "registered"]
    assert registered.actor == "jeton-intake"  # the token that registered it
    for role in (Role.intake, Role.agent, Role.supervisor, Role.operator):
        response = await http.get("/api/complaints/API-MED", headers=await tokens(role))
        assert response.status_code == 200, response.text
        state = response.json()
        assert state["status"] == "received" and state["plan"]["final"]["due"]
        assert state["intake"]["description"] == "[réservé au Médecin Conseil]"
        assert "Hélène" not in response.text and "helene" not in response.text
        assert "sclérose" not in response.text and "sealed:" not in response.text
    doctor = await http.get("/api/complaints/API-MED", headers=await tokens(Role.medical_advisor))
    assert doctor.json()["intake"]["description"] == "Diagnostic de sclérose en plaques."
    assert doctor.json()["intake"]["complainant"]["name"] == "Hélène Garnier"
    assert "sealed:" not in doctor.text


async def test_the_openapi_document_describes_every_route_with_examples(http):
    document = (await http.get("/openapi.json")).json()
    paths = document["paths"]
    assert "/api/complaints" in paths and "/api/complaints/{reference}" in paths
    for action in ("qualify", "suspend", "resume", "answer", "contest", "withdraw"):
        route = paths[f"/api/complaints/{{reference}}/actions/{action}"]["post"]
        content = route["requestBody"]["content"]["application/json"]
        assert content["examples"]["exemple"]["value"] == ACTION_EXAMPLES[action]
        body = document["components"]["schemas"][content["schema"]["$ref"].split("/")[-1]]
        assert "actor" not in body.get("required", [])  # the token is the actor
        assert "on_behalf_of" in body["properties"]
        assert "409" in route["responses"]
    create = paths["/api/complaints"]["post"]
    assert {"email", "medical_post"} <= create["requestBody"]["content"]["application/json"][
        "examples"
    ].keys()
    assert document["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"


async def test_tokens_are_created_by_the_command_line_and_work(http, office):
    env = {"RECLAMATIONS_DATABASE_URL": office.settings.resolved_database_url, "PATH": ""}
    result = await asyncio.to_thread(complaints, env, "tokens", "create", "courrier")
    token = result.stdout.strip().splitlines()[-1]
    response = await http.get("/api/complaints/X", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 404  # authenticated: the complaint just does not exist


async def test_an_intake_names_every_problem_at_once_those_against_today_too(api, office):
    # Issue 24: a future sending date and a missing email, named together (docs/api.md: one message
    # per field), and an unknown entity beside them.
    tomorrow = await office.today() + timedelta(days=1)
    data = await an_intake(office, reference="API-ALL", sent_on=str(tomorrow), channel="email")
    data["complainant"] = {"name": "Hélène Garnier"}
    data["entity"] = "inconnue"
    response = await api.post("/api/complaints", json=data)
    assert response.status_code == 422
    fields = {e["field"]: e["message"] for e in response.json()["detail"]}
    assert fields == {
        "sent_on": "la date d'envoi ne peut pas être dans le futur",
        "complainant.email": "obligatoire pour une réclamation reçue par courriel",
        "entity": "entité inconnue (connues : mutex)",
    }
    assert (await api.get("/api/complaints/API-ALL")).status_code == 404


async def test_a_day_an_agent_gives_is_plausible_or_refused_in_french(api, office):
    # Issue 23: a mediation step dated 0001-01-01 was recorded, and escalated at once.
    await api.post("/api/complaints", json=await an_intake(office, reference="API-DAYS"))
    actions = "/api/complaints/API-DAYS/actions"
    answer = {"decision": "rejected", "reasons": "Non couvert."}
    assert (await api.post(f"{actions}/answer", json=answer)).status_code == 200
    for name, fields in [
        ("mediate", {"step": "referral", "on": "0001-01-01"}),
        ("contest", {"on": "0001-01-01"}),
    ]:
        refused = await api.post(f"{actions}/{name}", json=fields)
        assert refused.status_code == 409, refused.text
        assert refused.json()["detail"].startswith("Date invraisemblable pour ")
        assert "le 1er janvier 1 précède" in refused.json()["detail"]
    state = (await api.get("/api/complaints/API-DAYS")).json()
    assert state["status"] == "answered" and state["mediation"] is None
