"""The raw shape: a bare workflow with the complaint's timers, signals and activities, but
no-op activities and no rules. The yardstick the complaint workflow is measured against.
(No planning: the complaint comes planned by the door, and its workflow plans nothing.)

    start → record
          → wait (timer) for "qualify" → letter → record
          → wait (timer) for "answer"  → letter → record
          → contest-window timer       → record → done
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from temporalio import activity, workflow

RAW_TASK_QUEUE = "raw-shape"
LONG_WAIT = timedelta(days=10)


@dataclass
class RawInput:
    reference: str
    window_seconds: float = 1.0
    # For the timer storm: the instant the "acknowledgement" timer falls due (epoch seconds).
    due_at: float | None = None


@activity.defn(name="raw_record")
async def raw_record(reference: str) -> None:
    return None


@activity.defn(name="raw_letter")
async def raw_letter(reference: str) -> float:
    """Writes when the letter 'went', as the complaint's letter row does."""
    sent = time.time()
    log = os.environ.get("RAW_LETTER_LOG")
    if log:
        line = json.dumps({"reference": reference, "sent": sent}) + "\n"
        await asyncio.to_thread(_append, Path(log), line)
    return sent


def _append(path: Path, line: str) -> None:
    with path.open("a") as handle:
        handle.write(line)


@workflow.defn(name="RawShape")
class RawShape:
    def __init__(self) -> None:
        self.qualified = False
        self.answered = False

    @workflow.signal
    def qualify(self) -> None:
        self.qualified = True

    @workflow.signal
    def answer(self) -> None:
        self.answered = True

    async def _activity(self, name: str, reference: str) -> None:
        await workflow.execute_activity(
            name, reference, start_to_close_timeout=timedelta(minutes=1)
        )

    async def _wait(self, condition: Callable[[], bool], longest: timedelta) -> bool:
        try:
            await workflow.wait_condition(condition, timeout=longest)
            return True
        except TimeoutError:
            return False

    @workflow.run
    async def run(self, data: RawInput) -> str:
        await self._activity("raw_record", data.reference)
        if data.due_at is not None:
            delay = max(data.due_at - workflow.now().timestamp(), 0)
            await workflow.sleep(delay)
            await self._activity("raw_letter", data.reference)
            await self._activity("raw_record", data.reference)
            return data.reference
        await self._wait(lambda: self.qualified, LONG_WAIT)
        await self._activity("raw_letter", data.reference)
        await self._activity("raw_record", data.reference)
        await self._wait(lambda: self.answered, LONG_WAIT)
        await self._activity("raw_letter", data.reference)
        await self._activity("raw_record", data.reference)
        await workflow.sleep(data.window_seconds)
        await self._activity("raw_record", data.reference)
        return data.reference
