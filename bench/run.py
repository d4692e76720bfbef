"""`make bench`: every benchmark, one after the other; figures in bench/results/*.json.

With BENCH_POSTGRES_URL set (a PostgreSQL server where the user may create databases), the
database-bound benchmarks run on PostgreSQL as well as on SQLite.
"""

from __future__ import annotations

import os
import subprocess
import sys

from bench.common import ROOT

# (module, arguments, on PostgreSQL too, environment): the storm with 1, 2 and 4 workers
# shows how it scales out on one server.
RUNS: list[tuple[str, list[str], bool, dict[str, str]]] = [
    ("bench.simulate_time", ["5"], False, {}),
    ("bench.letter_path", ["600"], False, {}),
    ("bench.throughput", ["300", "50"], True, {}),
    ("bench.web_latency", ["10000"], True, {}),
    *(("bench.timer_storm", ["1000"], True, {"BENCH_WORKERS": str(n)}) for n in (1, 2, 4)),
    ("bench.memory", ["10000"], False, {}),
    ("bench.mail_intake", ["200", "8"], False, {}),
]


def main() -> int:
    postgres = os.environ.get("BENCH_POSTGRES_URL")
    failed = []
    for module, arguments, on_postgres_too, extra in RUNS:
        databases = [None, postgres] if on_postgres_too and postgres else [None]
        for database in databases:
            env = {k: v for k, v in os.environ.items() if k != "BENCH_POSTGRES_URL"} | extra
            if database:
                env["BENCH_POSTGRES_URL"] = database
            label = f"{module} {' '.join(arguments)}" + (" (PostgreSQL)" if database else "")
            label += "".join(f" {k}={v}" for k, v in extra.items())
            print(f"\n=== {label}", flush=True)
            result = subprocess.run([sys.executable, "-m", module, *arguments], cwd=ROOT, env=env)
            if result.returncode:
                failed.append(label)
    if failed:
        print(f"\nFailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
