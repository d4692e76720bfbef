"""The API's contracts: its answers are its own public schemas, never the workflow's state,
and the deadlines it announces are those the workflow froze."""

import dataclasses
from datetime import timedelta
from typing import Any

from reclamations.domain.intake import parse_intake
from reclamations.domain.planning import Plan, plan_complaint
from reclamations.domain.policy import Policy
from reclamations.service import register
from reclamations.web.schemas import Deadlines
from reclamations.wiring import complaint_service, complaint_worker
from reclamations.workflows.client import complaint_state
from reclamations.workflows.complaint import ComplaintWorkflow
from reclamations.workflows.messages import workflow_id
from tests.office import MAIL_ROOM, action, as_call, intake_data
from tests.web.test_api import an_intake


async def test_the_201_deadlines_are_those_the_workflow_froze(api, office, monkeypatch):
    """The door plans with a public holiday another process would not know (another release
    of the calendars, rule 4): the intake's answer gives the deadlines the workflow froze
    from that one plan, never deadlines planned a second time, beside it or by the worker."""
    planned = plan_complaint

    def with_a_new_holiday(intake: Any, policy: Policy) -> Plan:
        plan = planned(intake, policy)
        assert plan.acknowledgement is not None
        later = dataclasses.replace(
            plan.acknowledgement, due=plan.acknowledgement.due + timedelta(1)
        )
        return plan.model_copy(update={"acknowledgement": later})

    monkeypatch.setattr(register, "plan_complaint", with_a_new_holiday)
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
    again = plan_complaint(parse_intake(data, today=await office.today()), office.settings.policy)
    assert again.acknowledgement_due != state.plan.acknowledgement_due, "planned again, it differs"


# The workflow's bookkeeping, which no caller reads.
INTERNAL = {"pending_letters", "alarms_rung", "promises_warned", "promises_settled", "rules"}


async def test_the_openapi_document_shows_the_public_schemas_only(http):
    schemas = (await http.get("/openapi.json")).json()["components"]["schemas"]
    assert {"ComplaintOut", "ComplaintCreated", "LetterOut", "Deadlines", "Problem"} <= set(schemas)
    assert "Complaint" not in schemas and "LetterOrder" not in schemas  # the workflow's own
    complaint = schemas["ComplaintOut"]["properties"]
    public = {"reference", "status", "plan", "quality_target_due", "documents", "letters"}
    assert public | {"mediation"} <= set(complaint)
    assert not INTERNAL & set(complaint)
    assert "location" not in schemas["LetterOut"]["properties"]  # where it was written
    paths = (await http.get("/openapi.json")).json()["paths"]
    read = paths["/api/complaints/{reference}"]["get"]["responses"]["200"]["content"]
    assert read["application/json"]["schema"]["$ref"].endswith("/ComplaintOut")


async def test_the_answer_leaves_the_workflow_bookkeeping_inside(api, office):
    await api.post("/api/complaints", json=await an_intake(office, reference="API-OUT"))
    body = (await api.get("/api/complaints/API-OUT")).json()
    assert body["reference"] == "API-OUT" and body["status"] == "received"
    state = await complaint_state(office.client, "API-OUT")
    assert state is not None and state.quality_target_due is not None
    assert body["quality_target_due"] == state.quality_target_due.isoformat()  # rule 5
    assert not INTERNAL & set(body)
    assert all("location" not in letter for letter in body["letters"])


async def test_an_intake_no_worker_has_planned_yet_is_registered_all_the_same(office):
    """Nothing lost, nothing twice: the complaint has started, so the sender hears it was
    registered, with its deadlines, even though no worker has opened it yet (told to try
    again, a sender without a reference of its own would register it a second time); once a
    worker runs it, the same intake answers with the same deadlines, frozen at the start."""
    nobody = office.settings.model_copy(update={"task_queue": "no-worker-polls-here"})
    service = complaint_service(office.client, nobody, office.sessions, office.keyring)
    data = intake_data(await office.today(), reference="NO-WORKER-YET")
    now = await office.env.get_current_time()
    registered = await service.register(MAIL_ROOM, data, now=now)
    assert registered.created and registered.acknowledgement_due and registered.final_due
    ident = workflow_id("NO-WORKER-YET")
    async with complaint_worker(office.client, nobody, office.sessions, office.keyring):
        again = await service.register(MAIL_ROOM, data, now=now)
        assert not again.created
        deadlines = ("acknowledgement_due", "quality_target_due", "final_due")
        assert [getattr(again, d) for d in deadlines] == [getattr(registered, d) for d in deadlines]
        handle = office.client.get_workflow_handle_for(ComplaintWorkflow.run, ident)
        await service.act(*as_call(handle, action("withdraw", actor="fin.du.test")))
        await handle.result()
    office.started_ids.discard(ident)  # ended by its own logic, with its worker
