"""The agents' queue page with N complaints in the database, and the intake API at a steady
rate, measured over HTTP against the web app running as its own process. Beside the intake,
what it costs in CPU against the raw shape's start (bench/shape.py, started at the same rate)
plus the database write of a complaint's first record: where this machine cannot carry the
intake's latency target, the intake must cost no more than those two.

    python -m bench.web_latency [N]           (BENCH_POSTGRES_URL=... for PostgreSQL)
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import psutil

from bench.common import (
    Bench,
    bench_system,
    cpu,
    cpu_ms_per,
    cpu_spent,
    database_label,
    dev_server_process,
    summary_ms,
    write_result,
)
from bench.shape import RAW_TASK_QUEUE, RawInput, RawShape
from reclamations.activities.records import RecordActivities
from reclamations.db.accounts import add_user, create_token
from reclamations.domain.actions import Assign, Qualify
from reclamations.domain.complaint import Complaint
from reclamations.domain.intake import parse_intake
from reclamations.domain.planning import plan_complaint
from reclamations.domain.policy import Policy
from reclamations.workflows.messages import RecordInput
from tests.processes import free_port

CHANNELS = ["email", "web_form", "post", "managing_body"]
RATE = 20  # intake requests per second
SECONDS = 30
WARM_UP = 10


def a_complaint(index: int, now: datetime) -> Complaint:
    today = now.date()
    intake = parse_intake(
        {
            "reference": f"LOAD-{index:06d}",
            "channel": CHANNELS[index % 4],
            "sent_on": (today - timedelta(days=index % 60)).isoformat(),
            "complainant": {
                "name": f"Client {index}",
                "email": "client@example.fr",
                "postal_address": "1 rue de la Paix\n75002 Paris",
            },
            "subject": f"Réclamation de charge n° {index}",
            "description": "Texte de la réclamation.",
            "category": ["benefits", "contract", "contributions", "service_quality"][index % 4],
        },
        today,
    )
    complaint = Complaint.open(
        intake.reference or "", intake, plan_complaint(intake, Policy()), now
    )
    if index % 3:
        complaint.apply(Qualify(actor="agent"), now)
    if index % 5 == 0:
        complaint.apply(Assign(actor="sup", assignee=f"agent.{index % 7}"), now)
    return complaint


async def fill(bench: Bench, count: int) -> float:
    """The complaints' records, written as the worker writes them; returns the CPU
    milliseconds each record's write took (this process, SQLite's work included)."""
    record = RecordActivities(bench.sessions, bench.keyring).record
    now = datetime.now(UTC)
    complaints = [a_complaint(index, now) for index in range(count)]
    started = time.process_time()
    for complaint in complaints:
        await record(RecordInput(complaint=complaint, events=complaint.events, at=now))
    return (time.process_time() - started) * 1000 / count


async def at_rate(count: int, work: Any) -> None:
    """`work(index)` started RATE times a second (an open loop), all awaited."""
    tasks = []
    start = time.perf_counter()
    for index in range(count):
        await asyncio.sleep(max(0.0, start + index / RATE - time.perf_counter()))
        tasks.append(asyncio.create_task(work(index)))
    await asyncio.gather(*tasks)


async def raw_starts(bench: Bench, watched: dict[str, psutil.Process | None]) -> dict[str, float]:
    """CPU per raw-shape start at the intake's rate: started by this process and recorded by
    a no-op activity in the raw worker, as a complaint is."""

    async def one(index: int) -> None:
        await bench.plain_client.start_workflow(
            RawShape.run,
            RawInput(f"RAW-{index:06d}"),
            id=f"raw-start-{index:06d}",
            task_queue=RAW_TASK_QUEUE,
        )

    before = cpu(watched)
    await at_rate(RATE * SECONDS, one)
    await asyncio.sleep(2)  # the last starts' first workflow tasks
    return cpu_ms_per(cpu_spent(before, cpu(watched)), RATE * SECONDS)


async def queue_latencies(url: str, requests: int) -> dict[str, dict[str, float]]:
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        page = await http.get("/login")
        token = page.text.split('name="login_token" value="')[1].split('"')[0]
        await http.post(
            "/login", data={"username": "louise", "password": "banc-essai-1", "login_token": token}
        )
        results = {}
        for name, params in {
            "queue_first_page": {},
            "queue_page_100": {"page": "100"},
            "queue_filtered": {"channel": "post", "category": "contract"},
        }.items():
            timings = []
            for _ in range(requests):
                started = time.perf_counter()
                response = await http.get("/", params=params)
                timings.append(time.perf_counter() - started)
                assert response.status_code == 200, response.status_code
            results[name] = summary_ms(timings)
        return results


async def intake_latencies(url: str, token: str) -> dict[str, Any]:
    today = datetime.now(UTC).date().isoformat()
    timings: list[float] = []
    failures = 0

    async def one(index: int, http: httpx.AsyncClient) -> None:
        nonlocal failures
        body = {
            "reference": f"API-{index:06d}",
            "channel": "email",
            "sent_on": today,
            "complainant": {"name": "Client API", "email": "api@example.fr"},
            "subject": "Intake",
            "description": "Mesure de latence.",
        }
        started = time.perf_counter()
        response = await http.post("/api/complaints", json=body)
        timings.append(time.perf_counter() - started)
        failures += response.status_code != 201

    async with httpx.AsyncClient(
        base_url=url, timeout=30, headers={"Authorization": f"Bearer {token}"}
    ) as http:
        await at_rate(RATE * SECONDS + WARM_UP, lambda index: one(index, http))
    # The first requests of a fresh process pay one-off costs (connections, compiled
    # statements, schemas): reported apart, not in the steady-state figures.
    warm = timings[WARM_UP:]
    return {
        **summary_ms(warm),
        "rate_per_second": RATE,
        "failures": failures,
        "first_requests_ms": [round(t * 1000, 1) for t in timings[:WARM_UP]],
    }


async def main(count: int) -> None:
    async with bench_system(os.environ.get("BENCH_POSTGRES_URL")) as bench:
        record_write_ms = await fill(bench, count)
        await add_user(bench.sessions, "louise", "banc-essai-1", "supervisor", "Louise Bernard")
        token = await create_token(bench.sessions, "banc")
        port = free_port()
        worker = bench.spawn("reclamations.worker", RECLAMATIONS_TASK_QUEUE="complaints")
        web = bench.spawn(
            "reclamations.web",
            RECLAMATIONS_WEB_PORT=str(port),
            RECLAMATIONS_TASK_QUEUE="complaints",
        )
        raw_worker = bench.spawn("bench.raw_worker")
        url = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient(timeout=1) as probe:
            for _ in range(200):
                try:
                    await probe.get(f"{url}/openapi.json")
                    break
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
        queue = await queue_latencies(url, 200)
        server = dev_server_process()
        watched = {
            "server": server,
            "web": psutil.Process(web.pid),
            "worker": psutil.Process(worker.pid),
        }
        before = cpu(watched)
        intake = await intake_latencies(url, token)
        await asyncio.sleep(2)  # the last complaints' first records
        # Every intake measured, the first ones' too: the CPU per intake of the whole run.
        intake_cpu = cpu_ms_per(cpu_spent(before, cpu(watched)), RATE * SECONDS + WARM_UP)
        raw_cpu = await raw_starts(
            bench,
            {
                "server": server,
                "driver": psutil.Process(),
                "raw worker": psutil.Process(raw_worker.pid),
            },
        )
        yardstick = sum(raw_cpu.values()) + record_write_ms
        intake["cpu_ms_per_intake"] = {**intake_cpu, "total": round(sum(intake_cpu.values()), 1)}
        intake["cpu_ms_per_raw_start"] = {**raw_cpu, "total": round(sum(raw_cpu.values()), 1)}
        intake["cpu_ms_per_record_write"] = round(record_write_ms, 1)
        intake["cpu_ratio_to_raw_start_plus_write"] = round(sum(intake_cpu.values()) / yardstick, 2)
        database = database_label(bench.database_url)
        write_result(
            f"web-{database}",
            {
                "database": database,
                "complaints_in_database": count,
                **queue,
                "intake_api": intake,
                "targets": {
                    "queue_p95_ms": 100,
                    "intake_p99_ms": 50,
                    "or_intake_cpu_ratio_to_raw_start_plus_write": 1.0,
                },
            },
        )


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000))
