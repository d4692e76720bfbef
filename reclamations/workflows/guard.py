"""The workflow's own door (rule 15): a message that did not come through the application
is never acted on, and never blocks the complaint.

The payload codec (security/codec.py) turns whatever the application did not encrypt for this
very workflow into a `ForeignPayload`: a plain payload, a forged one, or one copied from another
complaint's history (each payload is bound to its workflow); one encrypted without the binding,
as development builds before 1.0.0 did, opens as `Unbound`. This interceptor checks every
start, signal and update before the workflow sees it: exactly one argument, of the expected
type. Anything else (a foreign or unbound payload, no argument, two of them) would otherwise
fail the workflow task on every replay, and a complaint whose task fails in a loop has stopped
in silence. Instead:
- a start fails at once, visibly, with the reason;
- a signal is recorded on the complaint as refused, and changes nothing else;
- an update is rejected with the reason (and never reaches the history).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ApplicationError
from temporalio.worker import (
    ExecuteWorkflowInput,
    HandleSignalInput,
    HandleUpdateInput,
    Interceptor,
    WorkflowInboundInterceptor,
    WorkflowInterceptorClassInput,
)

from reclamations.domain.actions import Action
from reclamations.workflows.messages import StartComplaint

FOREIGN_REFUSAL = (
    "Message refusé : il n'a pas été chiffré par l'application pour cette réclamation "
    "(envoyé directement à Temporal)."
)


def _guarded() -> bool:
    return workflow.info().workflow_type == "ComplaintWorkflow"  # the others take no message


def _expected(args: Sequence[Any], kind: type) -> bool:
    """Exactly one argument, of the expected type: anything else is refused."""
    return len(args) == 1 and isinstance(args[0], kind)


class ForeignMessages(Interceptor):
    def workflow_interceptor_class(
        self, input: WorkflowInterceptorClassInput
    ) -> type[WorkflowInboundInterceptor]:
        return _Guard


class _Guard(WorkflowInboundInterceptor):
    async def execute_workflow(self, input: ExecuteWorkflowInput) -> Any:
        if _guarded() and not _expected(input.args, StartComplaint):
            raise ApplicationError(FOREIGN_REFUSAL, type="ForeignStart", non_retryable=True)
        return await super().execute_workflow(input)

    async def handle_signal(self, input: HandleSignalInput) -> None:
        if _guarded() and not _expected(input.args, Action):
            await workflow.instance().refuse_foreign(input.signal)
            return
        await super().handle_signal(input)

    def handle_update_validator(self, input: HandleUpdateInput) -> None:
        if _guarded() and not _expected(input.args, Action):
            # A validator's refusal never reaches the history: the worker's log tells operators.
            workflow.logger.warning("Mise à jour « %s » refusée : message étranger", input.update)
            raise ApplicationError(FOREIGN_REFUSAL, type="ActionRefused", non_retryable=True)
        super().handle_update_validator(input)
