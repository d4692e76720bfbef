"""What every benchmark needs: a dev server, worker processes, figures."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import psutil
from sqlalchemy.engine import make_url
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from reclamations.db.engine import SessionFactory, create_engine, session_factory
from reclamations.db.migrate import upgrade
from reclamations.domain.intake import ComplaintIntake
from reclamations.domain.planning import plan_complaint
from reclamations.domain.policy import Policy
from reclamations.security.codec import data_converter
from reclamations.security.complaint_keys import ComplaintKeys
from reclamations.security.keyring import Keyring
from reclamations.workflows.client import (
    ComplaintHandle,
    register_search_attributes,
    start_complaint,
)
from tests.processes import free_port

ROOT = Path(__file__).parents[1]
RESULTS = ROOT / "bench" / "results"
BIN = Path(sys.executable).parent


async def start_planned(
    client: Client, intake: ComplaintIntake, policy: Policy | None = None
) -> tuple[ComplaintHandle, bool]:
    """A complaint started as the door starts it, planned with `policy` (the default one)."""
    plan = plan_complaint(intake, policy or Policy())
    return await start_complaint(client, intake.reference or "", intake, plan, "complaints")


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def summary_ms(seconds: Sequence[float]) -> dict[str, float]:
    ms = [s * 1000 for s in seconds]
    return {
        "p50_ms": round(percentile(ms, 0.50), 1),
        "p95_ms": round(percentile(ms, 0.95), 1),
        "p99_ms": round(percentile(ms, 0.99), 1),
        "max_ms": round(max(ms), 1) if ms else float("nan"),
        "mean_ms": round(statistics.fmean(ms), 1) if ms else float("nan"),
        "count": len(ms),
    }


def write_result(name: str, figures: dict[str, Any]) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    figures = {"benchmark": name, "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), **figures}
    (RESULTS / f"{name}.json").write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(figures, indent=2, ensure_ascii=False))


def rss_mb(pid: int) -> float:
    rss: int = psutil.Process(pid).memory_info().rss
    return round(rss / 2**20, 1)


@dataclass
class Bench:
    """A dev server, the settings of the worker processes, and a client."""

    env: WorkflowEnvironment
    folder: Path
    keyring: Keyring
    client: Client  # with the app's encryption codec
    plain_client: Client  # the SDK's defaults, as the raw shape uses
    sessions: SessionFactory
    database_url: str
    metrics_port: int
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    async def server_counters(self) -> dict[str, float]:
        return await asyncio.to_thread(server_counters, self.metrics_port)

    @property
    def address(self) -> str:
        return self.env.client.service_client.config.target_host

    def process_env(self, **extra: str) -> dict[str, str]:
        keys = ",".join(f"{k}:{base64.b64encode(v).decode()}" for k, v in self.keyring.keys.items())
        return {
            **os.environ,
            "RECLAMATIONS_DATA_DIR": str(self.folder),
            "RECLAMATIONS_DATABASE_URL": self.database_url,
            "RECLAMATIONS_TEMPORAL_ADDRESS": self.address,
            "RECLAMATIONS_ENCRYPTION_KEYS": keys,
            **extra,
        }

    def spawn(self, module: str, **extra: str) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(
            [sys.executable, "-m", module], cwd=ROOT, env=self.process_env(**extra)
        )
        self.processes.append(process)
        return process


@asynccontextmanager
async def fresh_database(root: Path, postgres_admin_url: str | None) -> AsyncIterator[str]:
    """SQLite in the bench's folder, or a new database on the PostgreSQL server given."""
    if not postgres_admin_url:
        yield f"sqlite+aiosqlite:///{root / 'reclamations.db'}"
        return
    admin = make_url(postgres_admin_url)
    dsn = admin.set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"reclamations_bench_{uuid.uuid4().hex[:8]}"
    connection = await asyncpg.connect(dsn)
    await connection.execute(f'CREATE DATABASE "{name}"')
    await connection.close()
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        connection = await asyncpg.connect(dsn)
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.close()


def database_label(url: str) -> str:
    return "postgresql" if url.startswith("postgresql") else "sqlite"


@asynccontextmanager
async def bench_system(postgres_admin_url: str | None = None) -> AsyncIterator[Bench]:
    with tempfile.TemporaryDirectory(prefix="reclamations-bench-") as folder:
        async with (
            fresh_database(Path(folder), postgres_admin_url) as url,
            _bench_system(Path(folder), url) as bench,
        ):
            yield bench


@asynccontextmanager
async def _bench_system(root: Path, url: str) -> AsyncIterator[Bench]:
    keyring = Keyring.generate("bench")
    engine = create_engine(url)
    await upgrade(engine)
    metrics_port = free_port()
    sessions = session_factory(engine)
    # The driver starts complaints as the door does (web, starter, mail intake): each one's
    # key made there and its payloads sealed with it (issue 28), not left to the worker's first
    # payload. Other workflows (the raw shapes) are sealed with the keyring, as before.
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(BIN / "temporal"),
        data_converter=data_converter(keyring, ComplaintKeys(sessions, keyring)),
        dev_server_log_level="error",
        dev_server_extra_args=["--metrics-port", str(metrics_port)],
    )
    await register_search_attributes(env.client, "default")
    plain = await Client.connect(env.client.service_client.config.target_host)
    bench = Bench(env, root, keyring, env.client, plain, sessions, url, metrics_port)
    try:
        yield bench
    finally:
        for process in bench.processes:
            process.terminate()
            process.wait(timeout=30)
        await env.shutdown()
        await engine.dispose()


async def gather_limited(count: int, limit: int, work: Any) -> list[Any]:
    semaphore = asyncio.Semaphore(limit)

    async def one(index: int) -> Any:
        async with semaphore:
            return await work(index)

    return await asyncio.gather(*(one(i) for i in range(count)))


# A sample of the server's Prometheus text: name{labels} value.
SAMPLE = re.compile(r"^([a-z_]+)(?:\{(.*)\})? ([0-9.e+-]+)$")
# The one label counters stay apart by: which operation (persistence call, request, task).
OPERATION = re.compile(r'(?:^|,)operation="([^"]*)"')


def server_counters(port: int) -> dict[str, float]:
    """The dev server's counters, summed over their labels but the operation: what the
    server did (persistence operations, task matching, requests served)."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
        text = response.read().decode()
    counters: dict[str, float] = {}
    for line in text.splitlines():
        match = SAMPLE.match(line)  # never a "# HELP" or "# TYPE" line
        if not match:
            continue
        name, labels, value = match.groups()
        if name.endswith(("_bucket", "_sum", "_count")):
            continue
        operation = OPERATION.search(labels or "")
        key = f"{name}[{operation.group(1)}]" if operation else name
        counters[key] = counters.get(key, 0.0) + float(value)
    return counters


def counters_per(before: dict[str, float], after: dict[str, float], count: int) -> dict[str, float]:
    """The counters that grew, per workflow, most first (not the gauges of memory)."""
    grown = {
        k: (v - before.get(k, 0.0)) / count
        for k, v in after.items()
        if not k.startswith(("memory_", "build_", "num_goroutines", "cache_usage"))
    }
    ordered = sorted(grown.items(), key=lambda item: -item[1])
    return {k: round(v, 2) for k, v in ordered if v > 0}


def dev_server_process() -> psutil.Process | None:
    children = psutil.Process().children(recursive=True)
    return next((p for p in children if p.name() == "temporal"), None)


def cpu(processes: dict[str, psutil.Process | None]) -> dict[str, float]:
    def seconds(process: psutil.Process | None) -> float:
        if process is None:
            return 0.0
        times = process.cpu_times()
        return float(times.user + times.system)

    return {name: seconds(process) for name, process in processes.items()}


def cpu_ms_per(spent: dict[str, float], count: int) -> dict[str, float]:
    """CPU seconds spent by each process, as milliseconds per workflow."""
    return {name: round(seconds * 1000 / count, 1) for name, seconds in spent.items()}


def cpu_spent(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {name: after[name] - before[name] for name in before}


# Where a worker's time goes, by the library or module its innermost known frame belongs to.
PROFILE_PARTS = (
    (
        "temporal payloads (converter, codec)",
        ("temporalio/converter", "reclamations/security/codec"),
    ),
    ("encryption", ("cryptography", "reclamations/security/keyring")),
    ("letters: templates", ("jinja2", "reclamations/activities/letters/rendering")),
    ("letters: email, files", ("email/", "reclamations/activities/letters/delivery", "smtplib")),
    ("letters: PDF", ("reportlab",)),
    ("database", ("sqlalchemy", "aiosqlite", "sqlite3", "asyncpg", "reclamations/db/")),
    ("pydantic", ("pydantic",)),
    ("rules (domain)", ("reclamations/domain/",)),
    ("workflow code", ("reclamations/workflows/",)),
    ("temporal SDK (workflow activations, sandbox)", ("temporalio/",)),
    ("asyncio, threads", ("asyncio/", "threading", "concurrent/")),
)


# Raw stacks, 200 samples a second, only while the GIL is held, without pausing the process.
PY_SPY_OPTIONS = ("--format", "raw", "--rate", "200", "--gil", "--nonblocking", "--output")


class Profile:
    """py-spy sampling one process (its GIL-holding time) while `with` lasts; `parts()` says
    which share of the samples each part of the code took."""

    def __init__(self, pid: int, out: Path) -> None:
        self.pid = pid
        self.out = out
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Profile:
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [str(BIN / "py-spy"), "record", "--pid", str(self.pid), *PY_SPY_OPTIONS, str(self.out)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(1)  # py-spy attaches
        return self

    def __exit__(self, *_: object) -> None:
        assert self.process is not None
        self.process.send_signal(2)  # py-spy writes its file on SIGINT
        self.process.wait(timeout=60)

    def parts(self) -> dict[str, float]:
        """Share of samples per part (percent), by the innermost frame that names one."""
        counts: dict[str, int] = {}
        total = 0
        for line in self.out.read_text().splitlines():
            stack, _, number = line.rpartition(" ")
            samples = int(number)
            total += samples
            part = "other"
            for frame in reversed(stack.split(";")):
                part = next((n for n, keys in PROFILE_PARTS if any(k in frame for k in keys)), "")
                if part:
                    break
            counts[part or "other"] = counts.get(part or "other", 0) + samples
        ordered = sorted(counts.items(), key=lambda item: -item[1])
        return {name: round(100 * n / max(total, 1), 1) for name, n in ordered}
