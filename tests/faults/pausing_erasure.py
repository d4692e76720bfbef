"""A real process that erases a complaint and stops in the middle, so that a test can kill it
there (kill -9) and check that the erasure is then finished, never left half-done in silence.

    FAULT_MARKERS=<folder>  python -m tests.faults.pausing_erasure REFERENCE USERNAME

The pause comes at the worst moment: the complaint's key is destroyed and its history
deleted, but its record still holds the complainant in clear. A marker file tells the test
the process is there.
"""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from reclamations.db.engine import create_engine, session_factory
from reclamations.domain.access import Principal, Role
from reclamations.settings import Settings
from reclamations.wiring import complaint_service, connect_temporal, load_keyring

MARKERS = Path(os.environ.get("FAULT_MARKERS", "."))


async def pause(reference: str, now: datetime) -> None:
    (MARKERS / "erasure-paused").write_text("paused\n")
    await asyncio.sleep(3600)  # until killed


async def main(reference: str, username: str) -> None:
    settings = Settings()
    keyring = load_keyring(settings)
    sessions = session_factory(create_engine(settings.resolved_database_url))
    client = await connect_temporal(settings, keyring, sessions)
    service = complaint_service(client, settings, sessions, keyring)
    # Its third step (the record reduced) pauses instead.
    setattr(service, "_reduce_record", pause)  # noqa: B010
    await service.erase(Principal(username, Role.compliance), reference, datetime.now(UTC))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
