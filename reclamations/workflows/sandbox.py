"""The workflow sandbox, with the pure modules the complaint workflow uses passed through:
re-importing them for every workflow run would cost time and memory for nothing."""

from __future__ import annotations

from temporalio.worker import UnsandboxedWorkflowRunner, WorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

# email_validator (and idna, which it uses) are imported lazily by pydantic when an intake's
# email is validated; holidays (and dateutil) by the domain's calendar, which the workflow
# itself never builds but must not break if it did. Pass them through like the domain.
PASSED_THROUGH = ("reclamations.domain", "email_validator", "idna", "holidays", "dateutil")


def workflow_runner(sandboxed: bool = True) -> WorkflowRunner:
    """The sandbox (settings.workflow_sandbox), or none: the same workflow code either way."""
    if not sandboxed:
        return UnsandboxedWorkflowRunner()
    # Modules are not re-imported for each complaint: the workflow's modules hold no state at
    # module level (constants only) and the domain is pure, so sharing them is safe, and it
    # spares every new complaint the re-import. The sandbox still refuses non-deterministic
    # calls (the clock, randomness, I/O) at run time.
    restrictions = SandboxRestrictions.default.with_passthrough_modules(*PASSED_THROUGH)
    return SandboxedWorkflowRunner(restrictions=restrictions.with_passthrough_all_modules())
