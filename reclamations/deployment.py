"""Worker Versioning: the build of the worker deployment a worker serves, and which build the
server sends work to (docs/versioning.md, "Worker Versioning")."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from temporalio.api.deployment.v1 import WorkerDeploymentVersion as VersionMessage
from temporalio.api.enums.v1 import (
    RoutingConfigUpdateState,
    TaskQueueType,
    WorkerDeploymentVersionStatus,
)
from temporalio.api.workflowservice.v1 import (
    DescribeWorkerDeploymentRequest,
    DescribeWorkerDeploymentVersionRequest,
    SetWorkerDeploymentCurrentVersionRequest,
)
from temporalio.client import Client
from temporalio.common import VersioningBehavior, WorkerDeploymentVersion
from temporalio.service import RPCError, RPCStatusCode
from temporalio.worker import WorkerDeploymentConfig

from reclamations.settings import Settings

log = logging.getLogger("reclamations.deployment")

# A complaint lives two months and more, mostly asleep on durable timers. Pinned to the build
# it started on, each complaint would keep that build's workers alive until it closes: months
# of old workers after every release. Moved to the current build at its next task, it needs
# the old workers only for the task in hand; a change its history cannot replay still goes
# behind a patch (reclamations/workflows/patches.py, docs/versioning.md).
BEHAVIOR = VersioningBehavior.AUTO_UPGRADE

# The server learns of a build from its workers' polls: how often to look until it has.
LOOK_EVERY = 0.2
# How long to wait for the server to see a build's polls, or to route by a promotion, before
# saying so: each takes seconds; a wait of minutes means something is wrong (the workers poll
# another server or namespace, the server is stuck), which an operator must hear of.
WAIT_AT_MOST = 300.0
# Why a promotion is read again and tried again: another worker changed the deployment since
# it was read; or the server did not finish the change (a busy server cancels its own internal
# update), so it may or may not have made it.
RACED = (RPCStatusCode.FAILED_PRECONDITION, RPCStatusCode.ABORTED)
UNFINISHED = (RPCStatusCode.CANCELLED, RPCStatusCode.DEADLINE_EXCEEDED)
ONCE_MORE = 1.0  # between two tries of a promotion


class DeploymentTimeout(Exception):
    """A wait on the server that did not end in time: the message says what to check."""


STATUS = {
    WorkerDeploymentVersionStatus.WORKER_DEPLOYMENT_VERSION_STATUS_CURRENT: "courante",
    WorkerDeploymentVersionStatus.WORKER_DEPLOYMENT_VERSION_STATUS_RAMPING: "en rampe",
    WorkerDeploymentVersionStatus.WORKER_DEPLOYMENT_VERSION_STATUS_DRAINING: "en vidange",
    WorkerDeploymentVersionStatus.WORKER_DEPLOYMENT_VERSION_STATUS_DRAINED: "vidée",
    WorkerDeploymentVersionStatus.WORKER_DEPLOYMENT_VERSION_STATUS_INACTIVE: "inactive",
}


def deployment_config(settings: Settings) -> WorkerDeploymentConfig | None:
    """The worker's build of the deployment; None when versioning is off."""
    if not settings.worker_versioning:
        return None
    return WorkerDeploymentConfig(
        version=WorkerDeploymentVersion(
            settings.worker_deployment, settings.resolved_worker_build_id
        ),
        use_worker_versioning=True,
        default_versioning_behavior=BEHAVIOR,
    )


@dataclass(frozen=True)
class Deployment:
    current: str | None
    # Each build the server knows, with its state in French, oldest first.
    builds: dict[str, str]
    # Lets a change be refused when another came between the reading and the change.
    conflict_token: bytes
    # Whether every task queue of the deployment routes as the server was last told.
    routed: bool


async def describe(client: Client, settings: Settings) -> Deployment | None:
    """The deployment as the server sees it; None before any of its workers has polled."""
    try:
        described = await client.workflow_service.describe_worker_deployment(
            DescribeWorkerDeploymentRequest(
                namespace=settings.temporal_namespace, deployment_name=settings.worker_deployment
            )
        )
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            return None
        raise
    info = described.worker_deployment_info
    current = info.routing_config.current_deployment_version.build_id or None
    builds = {
        summary.deployment_version.build_id: STATUS.get(summary.status, "inconnue")
        for summary in sorted(info.version_summaries, key=lambda s: s.create_time.ToDatetime())
    }
    routed = (
        info.routing_config_update_state
        == RoutingConfigUpdateState.ROUTING_CONFIG_UPDATE_STATE_COMPLETED
    )
    return Deployment(current, builds, described.conflict_token, routed)


async def promote(
    client: Client,
    settings: Settings,
    build_id: str,
    conflict_token: bytes = b"",
    within: float = WAIT_AT_MOST,
) -> None:
    """Make `build_id` the current build: new work and every auto-upgrading complaint's next
    task go to its workers, once this returns. DeploymentTimeout if the server has not routed
    every queue by it `within` seconds."""
    await client.workflow_service.set_worker_deployment_current_version(
        SetWorkerDeploymentCurrentVersionRequest(
            namespace=settings.temporal_namespace,
            deployment_name=settings.worker_deployment,
            build_id=build_id,
            conflict_token=conflict_token,
            identity=client.identity,
        )
    )
    # The server answers before its task queues route by the change: until they do, a
    # complaint's next task may still go to the build that was current.
    try:
        async with asyncio.timeout(within):
            while True:
                deployment = await describe(client, settings)
                if deployment is not None and deployment.current == build_id and deployment.routed:
                    return
                await asyncio.sleep(LOOK_EVERY)
    except TimeoutError:
        raise DeploymentTimeout(
            f"Version {build_id} de « {settings.worker_deployment} » acceptée par le serveur, "
            f"mais ses files ne lui envoient toujours pas le travail après {within:g} s : "
            "voir `complaints deploy status`, et l'état du serveur Temporal."
        ) from None


async def polled(client: Client, settings: Settings, within: float = WAIT_AT_MOST) -> None:
    """Until the server knows this worker's build on both of its queues: the server refuses
    to make current a build that would leave a queue of the current one without workers.
    DeploymentTimeout if it does not `within` seconds."""
    version = VersionMessage(
        deployment_name=settings.worker_deployment, build_id=settings.resolved_worker_build_id
    )
    request = DescribeWorkerDeploymentVersionRequest(
        namespace=settings.temporal_namespace, deployment_version=version
    )
    wanted = {
        (settings.task_queue, TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW),
        (settings.task_queue, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY),
    }
    try:
        async with asyncio.timeout(within):
            while True:
                if await _serves(client, request, wanted):
                    return
                await asyncio.sleep(LOOK_EVERY)
    except TimeoutError:
        raise DeploymentTimeout(
            f"Le serveur Temporal ({settings.temporal_address}, namespace "
            f"{settings.temporal_namespace}) ne connaît toujours pas la version "
            f"{settings.resolved_worker_build_id} de « {settings.worker_deployment} » sur la "
            f"file « {settings.task_queue} » après {within:g} s : ses workers interrogent-ils "
            "ce serveur et ce namespace ?"
        ) from None


async def _serves(
    client: Client,
    request: DescribeWorkerDeploymentVersionRequest,
    wanted: set[tuple[str, TaskQueueType.ValueType]],
) -> bool:
    """Whether the server knows the build on every queue `wanted`."""
    try:
        described = await client.workflow_service.describe_worker_deployment_version(request)
    except RPCError as error:
        if error.status != RPCStatusCode.NOT_FOUND:
            raise
        return False
    info = described.worker_deployment_version_info
    return wanted <= {(queue.name, queue.type) for queue in info.task_queue_infos}


async def take_over(client: Client, settings: Settings) -> str:
    """Once the server knows this worker's build, make it current if no build is (a first
    install: no other could serve), or whatever is current when `worker_promote` says so.
    The build current in the end, once the server routes work by it."""
    build = settings.resolved_worker_build_id
    await polled(client, settings)
    give_up = asyncio.get_running_loop().time() + WAIT_AT_MOST
    unfinished = False  # a promotion of ours the server may have made without saying so
    while True:
        deployment = await describe(client, settings)
        assert deployment is not None  # it knows the build, so the deployment too
        if deployment.current == build and (deployment.routed or not unfinished):
            return build
        if deployment.current not in (None, build) and not settings.worker_promote:
            log.warning(
                "build %s waits: the current build is %s (complaints deploy promote %s)",
                build,
                deployment.current,
                build,
            )
            return deployment.current
        if deployment.current != build:
            try:
                await promote(client, settings, build, deployment.conflict_token)
            except RPCError as error:
                if error.status not in RACED and error.status not in UNFINISHED:
                    raise
                unfinished = unfinished or error.status in UNFINISHED
                log.info("promotion of build %s not done (%s): reading again", build, error)
            else:
                log.info("build %s of %s is now current", build, settings.worker_deployment)
                return build
        # Raced, or unfinished (made current, maybe, but not yet routed by): read again.
        if asyncio.get_running_loop().time() > give_up:
            raise DeploymentTimeout(
                f"La version {build} de « {settings.worker_deployment} » n'est toujours pas "
                f"la version courante après {WAIT_AT_MOST:g} s : voir `complaints deploy "
                "status`, et l'état du serveur Temporal."
            )
        await asyncio.sleep(ONCE_MORE)
