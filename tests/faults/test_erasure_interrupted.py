"""Issue 28: an erasure killed in the middle (kill -9, its complaint's key destroyed and its
record still in clear) shows as pending and is finished by `complaints erase --pending`:
nothing of the complainant is left readable, and it is not half-done in silence."""

from __future__ import annotations

import asyncio
from pathlib import Path

from reclamations.db.accounts import add_user
from reclamations.db.models import ErasureRow
from reclamations.domain.access import Role
from tests.conftest import process_env
from tests.erasure import (
    MARKERS,
    ORDINARY,
    closed,
    closed_on_the_real_clock,
    database_contents,
    found,
    keyed_office,
    s3_server,
    store_contents,
    store_settings,
)
from tests.office import Office, until
from tests.processes import complaints, kill, spawn

__all__ = ["keyed_office", "s3_server", "store_settings"]  # fixtures, used by name


async def test_an_erasure_killed_halfway_is_finished_later(
    keyed_office: Office, tmp_path: Path
) -> None:
    office = keyed_office
    reference = await closed(office, complainant=ORDINARY, channel="email")
    await closed_on_the_real_clock(office, reference)
    await add_user(office.sessions, "dpo", "Registre-Conformite-2026!", Role.compliance)
    address = office.client.service_client.config.target_host
    env = {
        **process_env(office.settings, office.keyring, address),
        "RECLAMATIONS_ERASURE_MINIMUM_DAYS": "0",
        "FAULT_MARKERS": str(tmp_path),
        **{
            f"RECLAMATIONS_{name.upper()}": str(value)
            for name, value in office.settings.model_dump().items()
            if name.startswith("files_s3") and value
        },
    }
    erasing = spawn(env, "-m", "tests.faults.pausing_erasure", reference, "dpo")
    try:
        await until(lambda: asyncio.sleep(0, (tmp_path / "erasure-paused").exists()))
    finally:
        kill(erasing)

    async with office.sessions() as session:
        pending = await session.get(ErasureRow, reference)
    assert pending is not None and pending.completed_at is None and pending.steps_done == 2
    # Killed halfway: the record still holds the complainant, and says the erasure is due.
    assert "Quincampoix" in found(MARKERS, database_contents(office))
    assert await office.service.pending_erasures() == [reference]

    finished = await asyncio.to_thread(complaints, env, "erase", "--pending", "--by", "dpo")
    assert f"{reference} : effacée" in finished.stdout
    assert found(MARKERS, database_contents(office)) == []
    assert found(MARKERS, store_contents(office)) == []
    assert await office.service.pending_erasures() == []
