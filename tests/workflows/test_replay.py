"""Safe upgrades: histories of typical complaints, recorded at each release, replay on today's
workflow code.

A change to ComplaintWorkflow that would alter a running complaint's history must follow
docs/versioning.md (Worker Versioning, or a patch of workflows/patches.py); these replays fail
otherwise. tests/histories/<version>/ holds the lives of tests/histories/scenarios recorded at
that release; the development builds before 1.0.0 have none, and their histories need not
replay.
"""

from pathlib import Path

import pytest
from temporalio import workflow
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer, UnsandboxedWorkflowRunner
from temporalio.workflow import NondeterminismError

import reclamations
from reclamations.domain.complaint import Complaint
from reclamations.security.codec import BOUND_TO, ENCODING
from reclamations.security.keyring import Keyring
from reclamations.workflows.complaint import ComplaintWorkflow
from reclamations.workflows.messages import Outcome, StartComplaint
from tests.office import replayer as office_replayer

HISTORIES = Path(__file__).parents[1] / "histories"
SCENARIOS = HISTORIES / "scenarios"
# key.json holds the test-only key the histories were recorded with.
RECORDED = sorted(HISTORIES.glob("[0-9]*/*.json"))


def history(path: Path) -> WorkflowHistory:
    # Each history's scenario (histories/scenarios/<name>.json) uses the reference HIST-<NAME>.
    return WorkflowHistory.from_json(f"complaint-HIST-{path.stem.upper()}", path.read_text())


def replayer(*workflows: type, runner: UnsandboxedWorkflowRunner | None = None) -> Replayer:
    return office_replayer(
        Keyring.loads((HISTORIES / "key.json").read_text()), *workflows, runner=runner
    )


def test_this_release_has_its_histories_recorded():
    # A release records every scenario again (docs/versioning.md).
    release = HISTORIES / reclamations.__version__
    assert {p.stem for p in release.glob("*.json")} == {p.stem for p in SCENARIOS.glob("*.json")}


def test_the_typical_complaints_have_a_scenario():
    assert {p.stem for p in SCENARIOS.glob("*.json")} >= {
        "answered",  # qualified, assigned, a document added, upheld in time
        "suspended",  # suspended for a legal expertise, resumed, escalated
        "overdue",  # by post in Alsace, never answered: the two months pass
        "medical",  # medical, in Moselle: rejected, then contested
        "requalified",  # requalified as a request the next day
        "live",  # medical: suspended for an expertise, resumed, rejected, contested
        "slipped",  # via a managing body: suspensions around a slipped quality target
        "rejected",  # a rejected answer early, then the mediator's year open
        "mediated",  # a referral to the mediator followed to the remedy
        "continued",  # the last run of a long life continued as new
        "recorded",  # assigned, suspended, resumed, upheld
        "implausible",  # a mediation step dated 0001-01-01, refused before the history hears it
        "upheld",  # a fully favourable answer, which may still go to the mediator
        "referred",  # referred after the 2 months, then answered
    }


@pytest.mark.parametrize("path", RECORDED, ids=lambda p: f"{p.parent.name}/{p.stem}")
async def test_recorded_history_replays_on_todays_code(path: Path) -> None:
    result = await replayer().replay_workflow(history(path))
    assert result.replay_failure is None


def test_the_histories_of_1_0_0_bind_their_messages_and_ask_no_patch():
    # As 1.0.0 does (workflows/guard.py, workflows/patches.py).
    events = [
        event for path in (HISTORIES / "1.0.0").glob("*.json") for event in history(path).events
    ]
    encrypted = [
        payload
        for event in events
        for payload in (
            *event.workflow_execution_started_event_attributes.input.payloads,
            *event.workflow_execution_signaled_event_attributes.input.payloads,
            *event.workflow_execution_update_accepted_event_attributes.accepted_request.input.args.payloads,
        )
    ]
    assert len(encrypted) > len(RECORDED)
    assert all(p.metadata["encoding"] == ENCODING and BOUND_TO in p.metadata for p in encrypted)
    markers = {
        event.marker_recorded_event_attributes.marker_name
        for event in events
        if event.event_type == EventType.EVENT_TYPE_MARKER_RECORDED
    }
    assert "core_patch" not in markers


@workflow.defn(name="ComplaintWorkflow")
class ComplaintWorkflowChangedWithoutPatch(ComplaintWorkflow):
    """Today's workflow, had it been given a pause before planning without a patch."""

    @workflow.run
    async def run(self, start: StartComplaint) -> Outcome:
        return await super().run(start)

    async def _open(self, start: StartComplaint) -> Complaint:
        await workflow.sleep(1)
        return await super()._open(start)


@pytest.mark.parametrize("name", ["answered", "mediated"])
async def test_a_change_without_its_patch_breaks_the_recorded_histories(name: str) -> None:
    # A subclass of a workflow does not survive the sandbox's re-import: run it unsandboxed.
    unpatched = replayer(ComplaintWorkflowChangedWithoutPatch, runner=UnsandboxedWorkflowRunner())
    result = await unpatched.replay_workflow(
        history(HISTORIES / "1.0.0" / f"{name}.json"), raise_on_replay_failure=False
    )
    assert isinstance(result.replay_failure, NondeterminismError)
