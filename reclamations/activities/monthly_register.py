"""Writing the month's register files (rules 13 and 17), for the monthly Schedule.
Idempotent on the month: the same names, written whole, whatever the number of tries."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from temporalio import activity

from reclamations.activities.corrective import recorded_actions
from reclamations.activities.exports import register_csv, register_xlsx, statistics_csv
from reclamations.activities.letters.delivery import write_atomically
from reclamations.db.engine import SessionFactory
from reclamations.db.register import register_lines
from reclamations.domain.register import Lists
from reclamations.workflows.messages import MONTHLY_REGISTER_ACTIVITY, MonthlyRegisterInput


class MonthlyRegisterActivities:
    def __init__(self, sessions: SessionFactory, folder: Path, lists: Lists) -> None:
        self._sessions = sessions
        self._folder = folder
        self._lists = lists

    @activity.defn(name=MONTHLY_REGISTER_ACTIVITY)
    async def write_month(self, month: MonthlyRegisterInput) -> list[str]:
        lines = await register_lines(self._sessions, month.first, month.last)
        as_of = datetime.now(UTC).date()
        stem = f"{month.first:%Y-%m}"
        period = f"{month.first:%m/%Y}"
        files = {
            f"registre-{stem}.csv": register_csv(lines, as_of, self._lists).encode(),
            f"registre-{stem}.xlsx": register_xlsx(
                lines, as_of, self._lists, period, await recorded_actions(self._sessions)
            ),
            f"statistiques-{stem}.csv": statistics_csv(lines, as_of).encode(),
        }
        written = []
        for name, content in files.items():
            path = self._folder / name
            await asyncio.to_thread(write_atomically, path, content)
            written.append(str(path))
        return written
