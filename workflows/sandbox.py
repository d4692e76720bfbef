"""The workflow sandbox, with the pure modules the complaint workflow uses passed through:
re-importing them for every workflow run would cost time and memory for nothing."""

from __future__ import annotations

from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

# email_validator (and idna, which it uses) are imported lazily by pydantic when an intake's
# email is validated: pass them through like the domain they serve.
PASSED_THROUGH = ("domain", "email_validator", "idna")


def workflow_runner() -> SandboxedWorkflowRunner:
    return SandboxedWorkflowRunner(
        restrictions=SandboxRestrictions.default.with_passthrough_modules(*PASSED_THROUGH)
    )
