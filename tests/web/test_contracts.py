"""The API's contracts: its answers are its own public schemas, never the workflow's state,
and the deadlines it announces are those the workflow froze."""

import dataclasses
from datetime import timedelta
from typing import Any

from reclamations.activities import planning
from reclamations.domain.intake import parse_intake
from reclamations.domain.planning import Plan, plan_complaint
from reclamations.domain.policy import Policy
from reclamations.web.schemas import Deadlines
from reclamations.workflows.client import complaint_state
from tests.web.test_api import an_intake


async def test_the_201_deadlines_are_those_the_workflow_froze(api, office, monkeypatch):
    """The worker plans with a public holiday the web process does not know (another release
    of the calendars, rule 4): the intake's answer gives the workflow's deadlines, never
    deadlines planned a second time beside it."""
    planned = plan_complaint

    def with_a_new_holiday(intake: Any, policy: Policy) -> Plan:
        plan = planned(intake, policy)
        assert plan.acknowledgement is not None
        later = dataclasses.replace(
            plan.acknowledgement, due=plan.acknowledgement.due + timedelta(1)
        )
        return plan.model_copy(update={"acknowledgement": later})

    monkeypatch.setattr(planning, "plan_complaint", with_a_new_holiday)
    data = await an_intake(office, reference="API-FROZEN")
    response = await api.post("/api/complaints", json=data)
    assert response.status_code == 201, response.text
    state = await complaint_state(office.client, "API-FROZEN")
    assert state is not None
    deadlines = response.json()["deadlines"]
    frozen = Deadlines(
        acknowledgement_due=state.plan.acknowledgement_due,
        quality_target_due=state.quality_target_due,
        final_due=state.plan.final_due,
    )
    assert deadlines == frozen.model_dump(mode="json")
    again = plan_complaint(parse_intake(data, today=await office.today()), Policy())
    assert again.acknowledgement_due != state.plan.acknowledgement_due, "planned again, it differs"


# The workflow's bookkeeping, which no caller reads.
INTERNAL = {"pending_letters", "alarms_rung", "promises_warned", "promises_settled", "rules"}


async def test_the_openapi_document_shows_the_public_schemas_only(http):
    schemas = (await http.get("/openapi.json")).json()["components"]["schemas"]
    assert {"ComplaintOut", "ComplaintCreated", "LetterOut", "Deadlines", "Problem"} <= set(schemas)
    assert "Complaint" not in schemas and "LetterOrder" not in schemas  # the workflow's own
    complaint = schemas["ComplaintOut"]["properties"]
    assert {"reference", "status", "plan", "documents", "letters", "mediation"} <= set(complaint)
    assert not INTERNAL & set(complaint)
    assert "location" not in schemas["LetterOut"]["properties"]  # where it was written
    paths = (await http.get("/openapi.json")).json()["paths"]
    read = paths["/api/complaints/{reference}"]["get"]["responses"]["200"]["content"]
    assert read["application/json"]["schema"]["$ref"].endswith("/ComplaintOut")


async def test_the_answer_leaves_the_workflow_bookkeeping_inside(api, office):
    await api.post("/api/complaints", json=await an_intake(office, reference="API-OUT"))
    body = (await api.get("/api/complaints/API-OUT")).json()
    assert body["reference"] == "API-OUT" and body["status"] == "received"
    assert not INTERNAL & set(body)
    assert all("location" not in letter for letter in body["letters"])
