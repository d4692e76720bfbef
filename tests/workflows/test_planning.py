"""The plan is made once, at intake (docs/architecture.md): by the door, which sends it with the
start, and by the worker only for a start from a door of 1.0.0, which sent none, or for one
whose first task a worker of 1.0.0 ran (workflows/patches.py, DOOR_PLANS)."""

import pytest
from temporalio import workflow
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from reclamations.domain.intake import parse_intake
from reclamations.domain.planning import plan_complaint
from reclamations.domain.policy import Policy
from reclamations.wiring import activities
from reclamations.workflows.complaint import ComplaintWorkflow
from reclamations.workflows.guard import ForeignMessages
from reclamations.workflows.messages import PLAN_ACTIVITY, Outcome, StartComplaint, workflow_id
from tests.office import intake_data, replayer, until
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


@workflow.defn(name="ComplaintWorkflow")
class ComplaintWorkflowOf100(ComplaintWorkflow):
    """A worker of 1.0.0: it knows nothing of a plan in the start, and plans again."""

    @workflow.run
    async def run(self, start: StartComplaint) -> Outcome:
        return await super().run(start.model_copy(update={"plan": None}))


async def test_a_new_start_whose_first_task_a_worker_of_1_0_0_ran_replays_today(office):
    """A roll-out's overlap: a new door's start (with its plan) taken by an old worker. Its
    history holds the old worker's planning, and today's code, the complaint's next task on a
    new worker, must replay it (without the patch: a non-deterministic error, the complaint
    stuck)."""
    today = await office.today()
    intake = parse_intake(intake_data(today, reference="OLD-WORKER-1"), today=today)
    queue = f"{office.settings.task_queue}-1.0.0"
    old = Worker(
        office.client,
        task_queue=queue,
        workflows=[ComplaintWorkflowOf100],
        activities=activities(office.settings, office.sessions, office.keyring),
        # A subclass of a workflow does not survive the sandbox's re-import.
        workflow_runner=UnsandboxedWorkflowRunner(),
        interceptors=[ForeignMessages()],
    )
    async with old:
        plan = plan_complaint(intake, office.settings.policy)
        handle = await office.client.start_workflow(
            ComplaintWorkflow.run,
            StartComplaint(reference="OLD-WORKER-1", intake=intake, plan=plan),
            id=workflow_id("OLD-WORKER-1"),
            task_queue=queue,
        )
        await until(lambda: handle.query(ComplaintWorkflow.state), what="planned by 1.0.0")
        history = await handle.fetch_history()
        await handle.terminate()
    office.started_ids.discard(handle.id)
    assert recorded_locally(history)[0] == PLAN_ACTIVITY
    result = await replayer(office.keyring).replay_workflow(history, raise_on_replay_failure=False)
    assert result.replay_failure is None
