"""The workflow sandbox, with the pure modules the complaint workflow uses passed through:
re-importing them for every workflow run would cost time and memory for nothing."""

from __future__ import annotations

from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

# email_validator (and idna, which it uses) are imported lazily by pydantic when an intake's
# email is validated; holidays (and dateutil) by the domain's calendar, which the workflow
# itself never builds but must not break if it did. Pass them through like the domain.
PASSED_THROUGH = ("domain", "email_validator", "idna", "holidays", "dateutil")


def workflow_runner() -> SandboxedWorkflowRunner:
    return SandboxedWorkflowRunner(
        restrictions=SandboxRestrictions.default.with_passthrough_modules(*PASSED_THROUGH)
    )
