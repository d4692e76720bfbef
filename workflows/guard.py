"""The workflow's own door (DESIGN rule 15): a message that did not come through the application
is never acted on, and never blocks the complaint.

The payload codec (security/codec.py) turns whatever the application did not encrypt into a
`ForeignPayload`. This interceptor checks every start, signal and update before the workflow
sees it: exactly one argument, of the expected type. Anything else (a foreign payload, no
argument, two of them) would otherwise fail the workflow task on every replay, and a complaint
whose task fails in a loop has stopped in silence. Instead:
- a start fails at once, visibly, with the reason;
- a signal is recorded on the complaint as refused, and changes nothing else;
- an update is rejected with the reason (and never reaches the history).
"""

from __future__ import annotations

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

from domain.actions import Action
from workflows.messages import StartComplaint

FOREIGN_REFUSAL = (
    "Message refusé : il n'est pas chiffré par l'application (envoyé directement à Temporal)."
)


def _one(args: Any, kind: type) -> bool:
    if workflow.info().workflow_type != "ComplaintWorkflow":
        return True  # the reconciliation takes no message from anyone
    return len(args) == 1 and isinstance(args[0], kind)


class ForeignMessages(Interceptor):
    def workflow_interceptor_class(
        self, input: WorkflowInterceptorClassInput
    ) -> type[WorkflowInboundInterceptor]:
        return _Guard


class _Guard(WorkflowInboundInterceptor):
    async def execute_workflow(self, input: ExecuteWorkflowInput) -> Any:
        if not _one(input.args, StartComplaint):
            raise ApplicationError(FOREIGN_REFUSAL, type="ForeignStart", non_retryable=True)
        return await super().execute_workflow(input)

    async def handle_signal(self, input: HandleSignalInput) -> None:
        if not _one(input.args, Action):
            await workflow.instance().refuse_foreign(input.signal)
            return
        await super().handle_signal(input)

    def handle_update_validator(self, input: HandleUpdateInput) -> None:
        if not _one(input.args, Action):
            # A validator's refusal never reaches the history: the worker's log tells operators.
            workflow.logger.warning("Mise à jour « %s » refusée : message étranger", input.update)
            raise ApplicationError(FOREIGN_REFUSAL, type="ActionRefused", non_retryable=True)
        super().handle_update_validator(input)

    async def handle_update_handler(self, input: HandleUpdateInput) -> Any:
        if not _one(input.args, Action):
            raise ApplicationError(FOREIGN_REFUSAL, type="ActionRefused", non_retryable=True)
        return await super().handle_update_handler(input)
