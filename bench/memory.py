"""Memory: the worker's resident memory with N open complaints waiting on their timers.

python -m bench.memory [N]
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from datetime import UTC, datetime

from sqlalchemy import func, select

from bench.common import Bench, bench_system, gather_limited, rss_mb, start_planned, write_result
from reclamations.db.models import ComplaintRow
from reclamations.domain.intake import parse_intake


async def recorded(bench: Bench) -> int:
    async with bench.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(ComplaintRow)) or 0)


async def main(count: int) -> None:
    async with bench_system(os.environ.get("BENCH_POSTGRES_URL")) as bench:
        worker = bench.spawn("reclamations.worker", RECLAMATIONS_TASK_QUEUE="complaints")
        await asyncio.sleep(3)
        idle = rss_mb(worker.pid)
        today = datetime.now(UTC).date()
        samples: list[float] = []

        async def one(index: int) -> None:
            intake = parse_intake(
                {
                    "reference": f"MEM-{index:06d}",
                    "channel": "web_form",
                    "sent_on": today.isoformat(),
                    "complainant": {"name": "Client Banc d'essai", "email": "banc@example.fr"},
                    "subject": "Attente",
                    "description": "Une réclamation qui attend ses échéances.",
                },
                today,
            )
            await start_planned(bench.client, intake)
            if index % 500 == 0:
                samples.append(rss_mb(worker.pid))

        started = time.perf_counter()
        await gather_limited(count, 50, one)
        while await recorded(bench) < count:  # noqa: ASYNC110 - every complaint planned
            await asyncio.sleep(1)
        settled = time.perf_counter() - started
        await asyncio.sleep(5)
        write_result(
            "memory",
            {
                "open_complaints": count,
                "worker_rss_idle_mb": idle,
                "worker_rss_peak_while_starting_mb": max([*samples, rss_mb(worker.pid)]),
                "worker_rss_with_all_open_mb": rss_mb(worker.pid),
                "target_mb": 300,
                "seconds_to_start_and_record_all": round(settled, 1),
                "note": "workflow cache: the SDK's default of 1,000 workflows per worker",
            },
        )


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000))
