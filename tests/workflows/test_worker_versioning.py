"""Worker Versioning on the real dev server (docs/versioning.md): a release started beside the
running build, promoted, and a complaint begun on the old build carried on by the new one."""

import uuid
from importlib.metadata import version

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHistory
from temporalio.common import VersioningBehavior

from reclamations.cli.deploy import promoted
from reclamations.deployment import (
    DeploymentTimeout,
    deployment_config,
    describe,
    polled,
    promote,
    take_over,
)
from tests.office import Office, action, at_rest

TASK_DONE = EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED
TASK_FAILED = EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED


def builds(history: WorkflowHistory) -> list[str]:
    """The build that completed each workflow task, in order, as the history stamps it."""
    return [
        event.workflow_task_completed_event_attributes.deployment_version.build_id
        for event in history.events
        if event.event_type == TASK_DONE
    ]


async def test_a_running_complaint_moves_to_the_build_promoted(
    dev_env, settings, sqlite_sessions, keyring
):
    # A deployment of this test's own: the shared dev server's other workers are left alone.
    deployment = f"reclamations-{uuid.uuid4().hex[:8]}"
    old = settings.model_copy(
        update={
            "worker_deployment": deployment,
            "worker_build_id": "1.0.0",
            "temporal_address": dev_env.client.service_client.config.target_host,
        }
    )
    new = old.model_copy(update={"worker_build_id": "1.0.1"})
    office = Office(dev_env, old, sqlite_sessions, keyring)
    # Both workers serve the same task queue with the same code: only their builds differ.
    async with office.worker(deployment_config=deployment_config(old)):
        # The deployment's first build takes over by itself: no other could serve.
        assert await take_over(office.client, old) == "1.0.0"
        handle = await office.start(reference=f"VER-{deployment[-8:]}")
        await at_rest(handle)  # its record's completion done too: nothing left for 1.0.0
        before = builds(await handle.fetch_history())
        assert before and set(before) == {"1.0.0"}

        async with office.worker(deployment_config=deployment_config(new)):
            # Started beside the old build, the new one waits for the operator.
            assert await take_over(office.client, new) == "1.0.0"
            status = await promoted(new, "1.0.1")  # complaints deploy promote 1.0.1
            assert "version courante 1.0.1" in status

            # The old build still polls; the complaint's next task goes to the new one all
            # the same, and it goes on: the qualification sends the acknowledgement.
            state = await office.act(handle, action("qualify"))
            assert state.status == "in_progress"
            assert len(office.outbox("email/**/acknowledgement-1.eml")) == 1

            history = await handle.fetch_history()
            after = builds(history)[len(before) :]
            assert after and set(after) == {"1.0.1"}, builds(history)
            assert not [e for e in history.events if e.event_type == TASK_FAILED]
            versioning = (await handle.describe()).raw_description.workflow_execution_info
            assert versioning.versioning_info.deployment_version.build_id == "1.0.1"
            known = await describe(office.client, new)
            assert known is not None and known.current == "1.0.1"
            assert known.builds["1.0.1"] == "courante" and known.builds["1.0.0"] != "courante"
            await office.close()


async def test_a_worker_told_to_promote_takes_over_from_the_current_build(
    dev_env, settings, sqlite_sessions, keyring
):
    """`make run`: one machine, the new build replaces the old with nobody to promote it."""
    deployment = f"reclamations-{uuid.uuid4().hex[:8]}"
    old = settings.model_copy(update={"worker_deployment": deployment, "worker_build_id": "1"})
    new = old.model_copy(update={"worker_build_id": "2", "worker_promote": True})
    office = Office(dev_env, old, sqlite_sessions, keyring)
    async with office.worker(deployment_config=deployment_config(old)):
        assert await take_over(office.client, old) == "1"
    async with office.worker(deployment_config=deployment_config(new)):
        assert await take_over(office.client, new) == "2"


def test_each_release_is_a_build_of_its_own_unless_versioning_is_off(settings):
    """The build is the installed package's version: a release that forgets to say its build
    still gets one of its own."""
    config = deployment_config(settings)
    assert config is not None and config.use_worker_versioning
    assert config.version.deployment_name == "reclamations"
    assert config.version.build_id == version("reclamations")
    assert config.default_versioning_behavior == VersioningBehavior.AUTO_UPGRADE
    named = settings.model_copy(update={"worker_build_id": "2025.06.1"})
    assert deployment_config(named).version.build_id == "2025.06.1"  # type: ignore[union-attr]
    assert deployment_config(settings.model_copy(update={"worker_versioning": False})) is None


async def test_a_build_the_server_never_sees_is_reported_not_waited_for_ever(dev_env, settings):
    """A worker whose polls reach another server or namespace: the wait ends, and says so."""
    unseen = settings.model_copy(
        update={"worker_deployment": f"reclamations-{uuid.uuid4().hex[:8]}"}
    )
    with pytest.raises(DeploymentTimeout, match="ne connaît toujours pas la version") as raised:
        await polled(dev_env.client, unseen, within=1)
    assert unseen.worker_deployment in str(raised.value) and "après 1 s" in str(raised.value)


async def test_a_promotion_the_server_does_not_route_in_time_is_reported(
    dev_env, settings, sqlite_sessions, keyring
):
    deployment = f"reclamations-{uuid.uuid4().hex[:8]}"
    first = settings.model_copy(update={"worker_deployment": deployment, "worker_build_id": "1"})
    second = first.model_copy(update={"worker_build_id": "2"})
    office = Office(dev_env, first, sqlite_sessions, keyring)
    async with office.worker(deployment_config=deployment_config(first)):
        await take_over(office.client, first)
        async with office.worker(deployment_config=deployment_config(second)):
            await polled(office.client, second)
            # No time at all to route: the promotion is asked, and the wait says it is not seen.
            with pytest.raises(DeploymentTimeout, match="Version 2 de") as raised:
                await promote(office.client, second, "2", within=0)
            assert "complaints deploy status" in str(raised.value)
