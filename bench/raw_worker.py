"""A worker for the raw shape (bench/shape.py), run as its own process like the real worker,
with the same workflow sandbox setting: only the workflow and its activities differ."""

from __future__ import annotations

import asyncio
import os

from temporalio.client import Client
from temporalio.worker import Worker

from bench.shape import RAW_TASK_QUEUE, RawShape, raw_letter, raw_record
from reclamations.workflows.sandbox import workflow_runner


async def main() -> None:
    client = await Client.connect(os.environ["RECLAMATIONS_TEMPORAL_ADDRESS"])
    worker = Worker(
        client,
        task_queue=RAW_TASK_QUEUE,
        workflows=[RawShape],
        activities=[raw_record, raw_letter],
        # As the complaint worker runs (RECLAMATIONS_WORKFLOW_SANDBOX, default off).
        workflow_runner=workflow_runner(os.environ.get("RECLAMATIONS_WORKFLOW_SANDBOX") == "true"),
    )
    await worker.run()


if __name__ == "__main__":
    asyncio.run(main())
