"""The workflow's own door (rule 15): a message that did not come through the application
is never acted on, and never blocks the complaint.

The payload codec (security/codec.py) turns whatever the application did not encrypt for this
very workflow into a `ForeignPayload`: a plain payload, a forged one, or one copied from another
complaint's history (each payload is bound to its workflow). This interceptor checks every
start, signal and update before the workflow sees it: exactly one argument, of the expected
type. Anything else (a foreign payload, no argument, two of them) would otherwise fail the
workflow task on every replay, and a complaint whose task fails in a loop has stopped in
silence. Instead:
- a start fails at once, visibly, with the reason;
- a signal is recorded on the complaint as refused, and changes nothing else;
- an update is rejected with the reason (and never reaches the history).
"""

from __future__ import annotations

import dataclasses
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
from reclamations.security.codec import Unbound
from reclamations.workflows.messages import StartComplaint

FOREIGN_REFUSAL = (
    "Message refusé : il n'a pas été chiffré par l'application pour cette réclamation "
    "(envoyé directement à Temporal)."
)

# Payloads bound to their workflow (security/codec.py), for complaints registered from then on:
# their starts and signals must carry the binding. A complaint begun before replays its
# unbound messages as they were taken (tests/histories) and takes unbound signals until it
# continues as new; an update is judged by its validator, which runs only for a live message,
# so an unbound one is refused everywhere.
BOUND_PAYLOADS_PATCH = "bound-payloads-v1"


def _guarded() -> bool:
    return workflow.info().workflow_type == "ComplaintWorkflow"  # the others take no message


def _unbound_taken() -> bool:
    # Asked first in every run (execute_workflow), so that its marker stands at the start.
    return not workflow.patched(BOUND_PAYLOADS_PATCH)


def _message(args: Sequence[Any], kind: type, unbound_taken: bool) -> Any | None:
    """The one argument, of the expected type, or None when it is to be refused."""
    if len(args) != 1:
        return None
    [arg] = args
    if isinstance(arg, Unbound):
        if not unbound_taken:
            return None
        arg = arg.value
    return arg if isinstance(arg, kind) else None


class ForeignMessages(Interceptor):
    def workflow_interceptor_class(
        self, input: WorkflowInterceptorClassInput
    ) -> type[WorkflowInboundInterceptor]:
        return _Guard


class _Guard(WorkflowInboundInterceptor):
    async def execute_workflow(self, input: ExecuteWorkflowInput) -> Any:
        if not _guarded():
            return await super().execute_workflow(input)
        start = _message(input.args, StartComplaint, _unbound_taken())
        if start is None:
            raise ApplicationError(FOREIGN_REFUSAL, type="ForeignStart", non_retryable=True)
        return await super().execute_workflow(dataclasses.replace(input, args=[start]))

    async def handle_signal(self, input: HandleSignalInput) -> None:
        if not _guarded():
            return await super().handle_signal(input)
        action = _message(input.args, Action, _unbound_taken())
        if action is None:
            await workflow.instance().refuse_foreign(input.signal)
            return
        await super().handle_signal(dataclasses.replace(input, args=[action]))

    def handle_update_validator(self, input: HandleUpdateInput) -> None:
        if _guarded() and _message(input.args, Action, unbound_taken=False) is None:
            # A validator's refusal never reaches the history: the worker's log tells operators.
            workflow.logger.warning("Mise à jour « %s » refusée : message étranger", input.update)
            raise ApplicationError(FOREIGN_REFUSAL, type="ActionRefused", non_retryable=True)
        super().handle_update_validator(input)

    async def handle_update_handler(self, input: HandleUpdateInput) -> Any:
        if not _guarded():
            return await super().handle_update_handler(input)
        # An unbound update reaches the handler only from a history recorded before the binding:
        # today's validator refuses it.
        action = _message(input.args, Action, unbound_taken=True)
        if action is None:
            raise ApplicationError(FOREIGN_REFUSAL, type="ActionRefused", non_retryable=True)
        return await super().handle_update_handler(dataclasses.replace(input, args=[action]))
