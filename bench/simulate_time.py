"""Wall time of `complaints simulate` for a complaint's 70-day life (the example scenario).

python -m bench.simulate_time [RUNS]
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

from bench.common import BIN, ROOT, write_result

SCENARIO = ROOT / "examples" / "scenarios" / "medical_expertise.json"


def main(runs: int) -> None:
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(
            [str(BIN / "complaints"), "simulate", str(SCENARIO), "--json"],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        seconds.append(time.perf_counter() - started)
    write_result(
        "simulate",
        {
            "scenario": SCENARIO.name,
            "simulated_days": 70,
            "runs": runs,
            "wall_seconds_median": round(statistics.median(seconds), 2),
            "wall_seconds_each": [round(s, 2) for s in seconds],
            "target_seconds": 5,
        },
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
