"""The plan is made once, at intake (docs/architecture.md): by the door, which sends it with the
start, and by the worker only for a start from a door of 1.0.0, which sent none
(workflows/patches.py, UNPLANNED_STARTS_UNTIL)."""

import pytest

from reclamations.domain.intake import parse_intake
from reclamations.domain.planning import plan_complaint
from reclamations.domain.policy import Policy
from reclamations.workflows.complaint import ComplaintWorkflow
from reclamations.workflows.messages import PLAN_ACTIVITY, StartComplaint, workflow_id
from tests.office import intake_data
from tests.workflows.test_lean_runs import recorded_locally

# A policy other than the default, to see whose planning made the plan.
WORKERS_POLICY = Policy(auto_acknowledge_working_days_before=5)


async def test_the_door_plans_and_the_worker_does_not_plan_again(office):
    handle = await office.start()
    state = await office.state(handle)
    assert state.plan == plan_complaint(state.intake, office.settings.policy)
    assert PLAN_ACTIVITY not in recorded_locally(await handle.fetch_history())


@pytest.mark.parametrize("settings", [{"policy": WORKERS_POLICY}], indirect=True)
async def test_a_start_without_a_plan_is_planned_by_the_worker(office):
    """What a door of 1.0.0 sends: the intake alone."""
    today = await office.today()
    intake = parse_intake(intake_data(today, reference="OLD-DOOR-1"), today=today)
    handle = await office.client.start_workflow(
        ComplaintWorkflow.run,
        StartComplaint(reference="OLD-DOOR-1", intake=intake),
        id=workflow_id("OLD-DOOR-1"),
        task_queue=office.settings.task_queue,
    )
    office.started.append(handle)
    state = await office.settled(handle)
    assert state.plan == plan_complaint(intake, WORKERS_POLICY)
    assert recorded_locally(await handle.fetch_history())[0] == PLAN_ACTIVITY
