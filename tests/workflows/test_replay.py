"""Safe upgrades: recorded histories of typical complaints replay on today's workflow code.

A change to ComplaintWorkflow that would alter a running complaint's history must sit behind
`workflow.patched`; these replays fail otherwise. See README, "Changing workflow logic".
"""

from pathlib import Path

import pytest
from temporalio import workflow
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer, UnsandboxedWorkflowRunner
from temporalio.workflow import NondeterminismError

from reclamations.domain.complaint import LATEST_RULES
from reclamations.security.codec import BOUND_TO, ENCODING
from reclamations.security.keyring import Keyring
from reclamations.workflows.complaint import RULES_EDITION_3_PATCH, ComplaintWorkflow
from reclamations.workflows.messages import Outcome, StartComplaint
from tests.office import replayer as office_replayer

HISTORIES = Path(__file__).parents[1] / "histories"
# key.json holds the test-only key the histories were recorded with.
RECORDED = [p for p in sorted(HISTORIES.glob("*.json")) if p.name != "key.json"]


def history(path: Path) -> WorkflowHistory:
    # Each history's scenario (histories/scenarios/<name>.json) uses the reference HIST-<NAME>.
    return WorkflowHistory.from_json(f"complaint-HIST-{path.stem.upper()}", path.read_text())


def replayer(*workflows, runner=None) -> Replayer:
    return office_replayer(
        Keyring.loads((HISTORIES / "key.json").read_text()), *workflows, runner=runner
    )


def test_the_typical_complaints_are_recorded():
    assert {p.stem for p in RECORDED} >= {
        "answered",
        "suspended",
        "overdue",
        "medical",
        "requalified",
        "live",  # recorded once letters and the record ran beside the timers
        "slipped",  # rules edition 2: suspensions around a slipped quality target
        "rejected",  # rules edition 3: a rejected answer, closed after the contest window
        "mediated",  # lean runs: a referral to the mediator followed to the remedy
        "continued",  # the last run of a long life continued as new, just before local records
        "recorded",  # local records: a suspension, a slipped target, an answer
        "implausible",  # rules edition 4: a mediation step dated 0001-01-01, taken (issue 23)
        "upheld",  # rules edition 4: a fully favourable answer, closed after the contest window
        "referred",  # rules edition 5: referred after the 2 months, then answered
    }


@pytest.mark.parametrize("path", RECORDED, ids=lambda p: p.stem)
async def test_recorded_history_replays_on_todays_code(path):
    result = await replayer().replay_workflow(history(path))
    assert result.replay_failure is None


def test_the_recorded_histories_predate_the_bound_payloads():
    # So their replays (above) take the unbound format for the messages they hold, as the
    # code of their day did (workflows/guard.py, BOUND_PAYLOADS_PATCH).
    events = history(HISTORIES / "answered.json").events
    encrypted = [
        payload
        for event in events
        for payload in (
            *event.workflow_execution_started_event_attributes.input.payloads,
            *event.workflow_execution_signaled_event_attributes.input.payloads,
            *event.workflow_execution_update_accepted_event_attributes.accepted_request.input.args.payloads,
        )
    ]
    assert len(encrypted) > 1
    assert all(p.metadata["encoding"] == ENCODING and BOUND_TO not in p.metadata for p in encrypted)


@workflow.defn(name="ComplaintWorkflow")
class ComplaintWorkflowWithoutPatch(ComplaintWorkflow):
    """Today's workflow as it would be had search attributes been added without a patch."""

    @workflow.run
    async def run(self, start: StartComplaint) -> Outcome:
        return await super().run(start)

    def _indexes_search_attributes(self) -> bool:
        return True


async def test_the_same_change_without_its_patch_breaks_the_old_histories():
    # A subclass of a workflow does not survive the sandbox's re-import: run it unsandboxed.
    unpatched = replayer(ComplaintWorkflowWithoutPatch, runner=UnsandboxedWorkflowRunner())
    result = await unpatched.replay_workflow(
        history(HISTORIES / "answered.json"), raise_on_replay_failure=False
    )
    assert isinstance(result.replay_failure, NondeterminismError)


@workflow.defn(name="ComplaintWorkflow")
class ComplaintWorkflowEffectsApartWithoutPatch(ComplaintWorkflow):
    """Today's workflow had its letters and record gone apart from the timers without a patch."""

    @workflow.run
    async def run(self, start: StartComplaint) -> Outcome:
        return await super().run(start)

    def _runs_effects_apart(self) -> bool:
        return True


async def test_effects_apart_without_its_patch_breaks_the_old_histories():
    unpatched = replayer(
        ComplaintWorkflowEffectsApartWithoutPatch, runner=UnsandboxedWorkflowRunner()
    )
    result = await unpatched.replay_workflow(
        history(HISTORIES / "suspended.json"), raise_on_replay_failure=False
    )
    assert isinstance(result.replay_failure, NondeterminismError)


@workflow.defn(name="ComplaintWorkflow")
class ComplaintWorkflowRulesEdition3WithoutPatch(ComplaintWorkflow):
    """Today's workflow had edition 3 of the rules reached running complaints without a patch."""

    @workflow.run
    async def run(self, start: StartComplaint) -> Outcome:
        return await super().run(start)

    def _rules_edition(self) -> int:
        return LATEST_RULES


async def test_rules_edition_3_without_its_patch_breaks_the_complaints_begun_before():
    unpatched = replayer(
        ComplaintWorkflowRulesEdition3WithoutPatch, runner=UnsandboxedWorkflowRunner()
    )
    result = await unpatched.replay_workflow(
        history(HISTORIES / "slipped.json"), raise_on_replay_failure=False
    )
    assert isinstance(result.replay_failure, NondeterminismError)


@workflow.defn(name="ComplaintWorkflow")
class ComplaintWorkflowRulesEdition4WithoutPatch(ComplaintWorkflow):
    """Today's workflow had the mediation stage (edition 4) reach the complaints of edition 3."""

    @workflow.run
    async def run(self, start: StartComplaint) -> Outcome:
        return await super().run(start)

    def _rules_edition(self) -> int:
        return LATEST_RULES if workflow.patched(RULES_EDITION_3_PATCH) else 2


async def test_rules_edition_4_without_its_patch_breaks_the_complaints_begun_before():
    unpatched = replayer(
        ComplaintWorkflowRulesEdition4WithoutPatch, runner=UnsandboxedWorkflowRunner()
    )
    result = await unpatched.replay_workflow(
        history(HISTORIES / "rejected.json"), raise_on_replay_failure=False
    )
    assert isinstance(result.replay_failure, NondeterminismError)


@workflow.defn(name="ComplaintWorkflow")
class ComplaintWorkflowRulesEdition5WithoutPatch(ComplaintWorkflow):
    """Today's workflow had edition 5 (plausible days, any answer opens the mediation) reach
    the complaints of edition 4."""

    @workflow.run
    async def run(self, start: StartComplaint) -> Outcome:
        return await super().run(start)

    def _rules_edition(self) -> int:
        edition = super()._rules_edition()
        return LATEST_RULES if edition == 4 else edition


@pytest.mark.parametrize("name", ["implausible", "upheld"])
async def test_rules_edition_5_without_its_patch_breaks_the_complaints_begun_before(name):
    unpatched = replayer(
        ComplaintWorkflowRulesEdition5WithoutPatch, runner=UnsandboxedWorkflowRunner()
    )
    result = await unpatched.replay_workflow(
        history(HISTORIES / f"{name}.json"), raise_on_replay_failure=False
    )
    assert isinstance(result.replay_failure, NondeterminismError)


@workflow.defn(name="ComplaintWorkflow")
class ComplaintWorkflowLeanWithoutPatch(ComplaintWorkflow):
    """Today's workflow had lean runs (timers kept, letters carrying the record) reached the
    complaints begun before."""

    @workflow.run
    async def run(self, start: StartComplaint) -> Outcome:
        return await super().run(start)

    def _runs_lean(self) -> bool:
        return True


async def test_lean_runs_without_their_patch_break_the_complaints_begun_before():
    unpatched = replayer(ComplaintWorkflowLeanWithoutPatch, runner=UnsandboxedWorkflowRunner())
    result = await unpatched.replay_workflow(
        history(HISTORIES / "rejected.json"), raise_on_replay_failure=False
    )
    assert isinstance(result.replay_failure, NondeterminismError)


@workflow.defn(name="ComplaintWorkflow")
class ComplaintWorkflowLocalRecordsWithoutPatch(ComplaintWorkflow):
    """Today's workflow had the record gone local for the complaints of lean runs begun before."""

    @workflow.run
    async def run(self, start: StartComplaint) -> Outcome:
        return await super().run(start)

    def _records_locally(self) -> bool:
        return True


@pytest.mark.parametrize("name", ["mediated", "continued"])
async def test_local_records_without_their_patch_break_the_complaints_begun_before(name):
    # A first run asks the patch as it opens the complaint; a continued run as it resumes it.
    unpatched = replayer(
        ComplaintWorkflowLocalRecordsWithoutPatch, runner=UnsandboxedWorkflowRunner()
    )
    result = await unpatched.replay_workflow(
        history(HISTORIES / f"{name}.json"), raise_on_replay_failure=False
    )
    assert isinstance(result.replay_failure, NondeterminismError)
