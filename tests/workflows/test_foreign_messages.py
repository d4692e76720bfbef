"""rule 15: Temporal takes only what the application encrypted, for that complaint. A
plain signal, update or start (the Temporal CLI, the Web UI, any client without our keys), or
an encrypted one copied from another complaint's history, changes nothing, is visible to
operators, and never blocks the complaint."""

import asyncio
import subprocess
import uuid

import pytest
from temporalio.api.common.v1 import Payload, Payloads, WorkflowExecution
from temporalio.api.enums.v1 import UpdateWorkflowExecutionLifecycleStage
from temporalio.api.update.v1 import Input, Meta, Request, WaitPolicy
from temporalio.api.workflowservice.v1 import (
    SignalWorkflowExecutionRequest,
    UpdateWorkflowExecutionRequest,
)
from temporalio.client import Client, WorkflowFailureError, WorkflowUpdateFailedError
from temporalio.contrib.pydantic import pydantic_data_converter

from reclamations.domain.actions import Withdraw
from reclamations.security.codec import BOUND_TO, EncryptionCodec
from reclamations.workflows.complaint import ComplaintWorkflow
from reclamations.workflows.guard import FOREIGN_REFUSAL
from reclamations.workflows.messages import StartComplaint
from tests.conftest import DEV_SERVER
from tests.office import action, replayer, until


def plain_client(client: Client) -> Client:
    """The same server, without the application's codec: what an outsider has."""
    config = client.config()
    config["data_converter"] = pydantic_data_converter
    config["interceptors"] = []
    return Client(**config)


async def test_a_plain_signal_changes_nothing_and_stays_on_the_record(office):
    handle = await office.start()
    outsider = plain_client(office.client).get_workflow_handle(handle.id)
    await outsider.signal("withdraw", Withdraw(actor="medecin"))
    state, [refused] = await refusals(office, handle)
    assert state.stage == "received"
    assert "withdraw" in refused.summary and "non chiffré" in refused.summary
    assert refused.actor == "inconnu (hors application)"
    # The complaint's clock goes on: its next timer fires and its letter goes.
    state = await office.advance(handle, 13)
    assert [letter.kind.value for letter in state.letters] == ["acknowledgement"]


async def test_a_plain_update_is_refused_and_changes_nothing(office):
    handle = await office.start()
    before = await office.state(handle)
    outsider = plain_client(office.client).get_workflow_handle(handle.id)
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await outsider.execute_update("qualify", action("qualify", actor="medecin"))
    assert FOREIGN_REFUSAL in str(refused.value.cause)
    after = await office.state(handle)
    assert (after.version, after.stage) == (before.version, "received")


async def test_a_plain_start_fails_at_once_rather_than_looping(office):
    handle = await office.start()
    state = await office.state(handle)
    outsider = plain_client(office.client)
    started = await outsider.start_workflow(
        ComplaintWorkflow.run,
        StartComplaint(reference="OUTSIDE-1", intake=state.intake),
        id="complaint-OUTSIDE-1",
        task_queue=office.settings.task_queue,
    )
    with pytest.raises(WorkflowFailureError) as failed:
        await started.result()
    assert FOREIGN_REFUSAL in str(failed.value.cause)


async def test_the_temporal_cli_cannot_withdraw_a_complaint(dev_office):
    handle = await dev_office.start()
    address = dev_office.client.service_client.config.target_host
    command = [str(DEV_SERVER), "workflow", "signal", "--address", address]
    command += ["--workflow-id", handle.id, "--name", "withdraw", "--input", '{"actor": "medecin"}']
    sent = await asyncio.to_thread(subprocess.run, command, capture_output=True, text=True)
    assert sent.returncode == 0, sent.stderr
    state, refused = await refusals(dev_office, handle)
    assert state.stage == "received"
    assert [e.summary for e in refused] == [
        "Message « withdraw » refusé : il ne vient pas de l'application pour cette réclamation "
        "(non chiffré, ou chiffré pour une autre)."
    ]


async def refusals(office, handle):
    """The settled state once the refusal is in it, and the refusals: a signal is handled in a
    workflow task of its own."""
    state = await until(
        lambda: office.settled(handle),
        lambda state: any(e.type == "action_refused" for e in state.events),
        what="a refusal recorded",
    )
    return state, [e for e in state.events if e.type == "action_refused"]


@pytest.mark.parametrize("arguments", [[], [{"actor": "x"}, {"actor": "y"}]], ids=["none", "two"])
async def test_a_signal_with_the_wrong_arguments_is_refused_not_looped(office, arguments):
    handle = await office.start()
    outsider = plain_client(office.client).get_workflow_handle(handle.id)
    await outsider.signal("withdraw", args=arguments)
    state, [refused] = await refusals(office, handle)
    assert state.stage == "received" and "withdraw" in refused.summary
    state = await office.advance(handle, 13)  # and the clock goes on
    assert [letter.kind.value for letter in state.letters] == ["acknowledgement"]


async def send_signal(office, workflow_id: str, name: str, payloads: list[Payload]) -> None:
    """A signal as the Temporal CLI sends it (`--input-meta`, `--input-base64`): these very
    payloads, through no codec."""
    await office.client.workflow_service.signal_workflow_execution(
        SignalWorkflowExecutionRequest(
            namespace="default",
            workflow_execution=WorkflowExecution(workflow_id=workflow_id),
            signal_name=name,
            input=Payloads(payloads=payloads),
        )
    )


async def send_update(office, workflow_id: str, name: str, payloads: list[Payload]) -> str:
    """An update with these very payloads: the failure's message, if it failed."""
    answer = await office.client.workflow_service.update_workflow_execution(
        UpdateWorkflowExecutionRequest(
            namespace="default",
            workflow_execution=WorkflowExecution(workflow_id=workflow_id),
            request=Request(
                meta=Meta(update_id=str(uuid.uuid4()), identity="outsider"),
                input=Input(name=name, args=Payloads(payloads=payloads)),
            ),
            wait_policy=WaitPolicy(
                lifecycle_stage=UpdateWorkflowExecutionLifecycleStage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED
            ),
        )
    )
    message: str = answer.outcome.failure.message
    return message


async def test_a_forged_encrypted_payload_is_refused_not_looped(office):
    handle = await office.start()
    forged = Payload(
        metadata={"encoding": b"binary/encrypted", "encryption-key-id": b"test-key"},
        data=b"\x00" * 40,
    )
    await send_signal(office, handle.id, "withdraw", [forged])
    state, [refused] = await refusals(office, handle)
    assert state.stage == "received" and "withdraw" in refused.summary


async def copied_inputs(handle) -> dict[str, list[Payload]]:
    """The encrypted input of each signal and update in a complaint's history, by name."""
    found: dict[str, list[Payload]] = {}
    for event in (await handle.fetch_history()).events:
        if event.HasField("workflow_execution_signaled_event_attributes"):
            signaled = event.workflow_execution_signaled_event_attributes
            found[signaled.signal_name] = list(signaled.input.payloads)
        if event.HasField("workflow_execution_update_accepted_event_attributes"):
            accepted = event.workflow_execution_update_accepted_event_attributes.accepted_request
            found[accepted.input.name] = list(accepted.input.args.payloads)
    return found


async def test_a_message_copied_from_another_complaint_is_refused_and_recorded(office):
    # Complaint A is assigned (an update) and withdrawn (a signal) by its own agent.
    first = await office.start()
    await office.act(first, action("assign", assignee="agent.a", actor="agent.a"))
    await office.signal(first, Withdraw(actor="agent.a"))
    await first.result()
    copied = await copied_inputs(first)
    assert all(p.metadata[BOUND_TO] == first.id.encode() for p in copied["assign"])
    # The same encrypted payloads, sent to complaint B as the Temporal CLI would.
    other = await office.start()
    refusal = await send_update(office, other.id, "assign", copied["assign"])
    assert FOREIGN_REFUSAL in refusal
    await send_signal(office, other.id, "withdraw", copied["withdraw"])
    state, [refused] = await refusals(office, other)
    assert (state.stage, state.assignee) == ("received", None)
    assert "withdraw" in refused.summary and refused.actor == "inconnu (hors application)"
    assert "agent.a" not in {event.actor for event in state.events}
    # The complaint's clock goes on: its next timer fires and its letter goes.
    state = await office.advance(other, 13)
    assert [letter.kind.value for letter in state.letters] == ["acknowledgement"]
    replayed = await replayer(office.keyring).replay_workflow(await other.fetch_history())
    assert replayed.replay_failure is None  # the refusal replays as it ran


async def test_a_message_in_the_format_from_before_the_binding_is_refused(office):
    """Messages encrypted without the binding to their complaint (the development builds
    before 1.0.0) are refused, so an old history's payloads cannot be replayed against a
    complaint either."""
    handle = await office.start()
    codec = EncryptionCodec(office.keyring)  # no workflow: the format from before the binding
    converter = office.client.data_converter.payload_converter
    [withdraw] = await codec.encode(converter.to_payloads([Withdraw(actor="agent.a")]))
    [assign] = await codec.encode(converter.to_payloads([action("assign", assignee="agent.a")]))
    assert BOUND_TO not in withdraw.metadata
    assert FOREIGN_REFUSAL in await send_update(office, handle.id, "assign", [assign])
    await send_signal(office, handle.id, "withdraw", [withdraw])
    state, [refused] = await refusals(office, handle)
    assert (state.stage, state.assignee) == ("received", None)
    assert "withdraw" in refused.summary
    replayed = await replayer(office.keyring).replay_workflow(await handle.fetch_history())
    assert replayed.replay_failure is None
