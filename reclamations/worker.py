"""The complaint worker: runs ComplaintWorkflow and its activities on the task queue.

python -m reclamations.worker      (settings from RECLAMATIONS_* environment variables or .env)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from reclamations.db.engine import create_engine, session_factory
from reclamations.deployment import deployment_config, take_over
from reclamations.security.files import private_files
from reclamations.settings import Settings
from reclamations.wiring import complaint_worker, connect_temporal, load_keyring

log = logging.getLogger("reclamations.worker")


async def main() -> None:
    settings = Settings()
    keyring = load_keyring(settings)
    engine = create_engine(settings.resolved_database_url)
    sessions = session_factory(engine)
    # The payload codec looks up each complaint's key (issue 28) inside workflow tasks: on a
    # connection of its own, so that those reads never queue behind the activities' writes
    # (SQLite's one connection per engine) while a workflow task's time runs.
    codec_engine = create_engine(settings.resolved_database_url)
    client = await connect_temporal(settings, keyring, session_factory(codec_engine))
    worker = complaint_worker(
        client,
        settings,
        sessions,
        keyring,
        deployment_config=deployment_config(settings),
    )
    log.info(
        "worker serving task queue %r on %s (namespace %s), %s",
        settings.task_queue,
        settings.temporal_address,
        settings.temporal_namespace,
        f"build {settings.resolved_worker_build_id} of {settings.worker_deployment}"
        if settings.worker_versioning
        else "unversioned",
    )
    try:
        # A failure to take over (a server without worker deployments) stops the worker: it
        # would otherwise poll for ever and never be sent a task.
        async with asyncio.TaskGroup() as group:
            group.create_task(worker.run())
            if settings.worker_versioning:
                group.create_task(take_over(client, settings))
    finally:
        await engine.dispose()
        await codec_engine.dispose()


if __name__ == "__main__":
    private_files()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())
