"""DESIGN rule 15: Temporal takes only what the application encrypted. A plain signal, update
or start (the Temporal CLI, the Web UI, any client without our keys) changes nothing, is
visible to operators, and never blocks the complaint."""

import asyncio
import subprocess

import pytest
from temporalio.api.common.v1 import Payload, Payloads, WorkflowExecution
from temporalio.api.workflowservice.v1 import SignalWorkflowExecutionRequest
from temporalio.client import Client, WorkflowFailureError, WorkflowUpdateFailedError
from temporalio.contrib.pydantic import pydantic_data_converter

from domain.actions import Withdraw
from tests.conftest import DEV_SERVER
from tests.office import action, until
from workflows.complaint import ComplaintWorkflow
from workflows.guard import FOREIGN_REFUSAL
from workflows.messages import StartComplaint


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
        "Message « withdraw » refusé : il ne vient pas de l'application (non chiffré)."
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


async def test_a_forged_encrypted_payload_is_refused_not_looped(office):
    handle = await office.start()
    forged = Payload(
        metadata={"encoding": b"binary/encrypted", "encryption-key-id": b"test-key"},
        data=b"\x00" * 40,
    )
    await office.client.workflow_service.signal_workflow_execution(
        SignalWorkflowExecutionRequest(
            namespace="default",
            workflow_execution=WorkflowExecution(workflow_id=handle.id),
            signal_name="withdraw",
            input=Payloads(payloads=[forged]),
        )
    )
    state, [refused] = await refusals(office, handle)
    assert state.stage == "received" and "withdraw" in refused.summary
