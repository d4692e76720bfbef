"""Issue 28, proof not promise: a complaint erased (one medical, one not) leaves nothing
readable of its complainant anywhere the product keeps data: the SQLite file itself, the file
store (a folder, and S3 on a real moto server), the outbox, the logs, the register's exports
made after, and the Temporal history decoded with the codec. The register's figures do not
change, and another complaint still opens.

Each search is first shown to find the markers before the erasure: a search that could not
find them would prove nothing."""

from __future__ import annotations

import asyncio
import base64
import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from reclamations.cli.main import main
from reclamations.db.accounts import add_user
from reclamations.db.follow_links import issue_link, link_for
from reclamations.db.models import AuditRow, ComplaintRow
from reclamations.db.register import register_lines
from reclamations.domain.access import Role
from reclamations.domain.errors import Forbidden, Refused
from reclamations.domain.retention import ERASED, HoldReason
from reclamations.security.envelopes import UnreadableFile, open_file
from reclamations.security.sealing import Unreadable, open_sealed
from reclamations.settings import Settings
from tests.erasure import (
    COMPLIANCE,
    DOCTOR,
    FILE_TEXT,
    KEPT,
    MARKERS,
    MEDICAL,
    ORDINARY,
    TEXTS,
    closed,
    closed_on_the_real_clock,
    database_contents,
    decoded_history,
    exports,
    folder_contents,
    found,
    keyed_office,
    keyed_office_any_database,
    s3_server,
    store_contents,
    store_settings,
)
from tests.office import Office, until

__all__ = [
    "keyed_office",
    "keyed_office_any_database",
    "s3_server",
    "store_settings",
]  # fixtures, used by name


async def searched(office: Office, text: str) -> list[str]:
    """What the Médecin Conseil's search (the one that sees every identity) finds."""
    return [found.reference for found in (await office.service.search(DOCTOR, text)).found]


async def test_an_erased_complaint_leaves_nothing_readable_anywhere(
    keyed_office_any_database: Office, caplog: pytest.LogCaptureFixture
) -> None:
    office = keyed_office_any_database
    caplog.set_level(logging.INFO)
    ordinary = await closed(office, complainant=ORDINARY, channel="email")
    medical = await closed(office, complainant=MEDICAL, channel="post", medical=True)
    kept = await office.start(complainant=KEPT, description="Une autre reclamation")
    kept_reference = kept.id.removeprefix("complaint-")
    figures_before = await register_lines(office.sessions)

    # Before: each search finds what it looks for (or it would prove nothing after).
    assert "Quincampoix" in found(MARKERS, database_contents(office))
    assert FILE_TEXT["ordinary"] in found(MARKERS, store_contents(office))
    assert "Quincampoix" in found(MARKERS, folder_contents(office.settings.resolved_outbox_dir))
    history_before, _ = await decoded_history(office, ordinary)
    assert TEXTS["ordinary"] in found(MARKERS, history_before)
    # A backup taken now: the medical complaint's sealed subject and paper letter, sealed with
    # its own key (they open with it now, and never with the keyring alone).
    async with office.sessions() as session:
        backed_up = (await session.get(ComplaintRow, medical)).subject  # type: ignore[union-attr]
    paper = office.outbox(f"post/{medical}/*.pdf")[0]
    paper_copy = office.settings.data_dir / "backup.pdf.enc"
    paper_copy.write_bytes(paper.read_bytes())
    assert backed_up.startswith("sealed:v2:ck-")
    assert open_sealed(await office.keyring_of(medical), medical, backed_up)
    identity = f"outbox-post:{medical}/{paper.stem}"
    assert open_file(await office.keyring_of(medical), paper_copy.read_bytes(), identity)
    with pytest.raises(Unreadable):
        open_sealed(office.keyring, medical, backed_up)

    # What finds or opens them: the search index (issue 29), a private link (issue 26).
    for who in (ORDINARY, MEDICAL):
        assert await searched(office, who["name"]) and await searched(office, who["email"])
    lifetime = timedelta(days=120)
    link = await issue_link(office.sessions, ordinary, datetime.now(UTC), lifetime)
    assert await link_for(office.sessions, link, datetime.now(UTC)) is not None

    with pytest.raises(Forbidden):
        await office.service.erase(DOCTOR, ordinary, await office.env.get_current_time())
    for reference in (ordinary, medical):
        erasure = await office.service.erase(
            COMPLIANCE, reference, await office.env.get_current_time()
        )
        assert erasure.completed

    assert found(MARKERS, database_contents(office)) == []
    # issue 28 item 6: nothing derived from an erased identity finds it any more.
    for who in (ORDINARY, MEDICAL):
        assert not await searched(office, who["name"])
        assert not await searched(office, who["email"])
    assert await searched(office, KEPT["name"]) == [kept_reference]
    assert await link_for(office.sessions, link, datetime.now(UTC)) is None
    assert found(MARKERS, store_contents(office)) == []
    assert found(MARKERS, folder_contents(office.settings.resolved_outbox_dir)) == []
    assert found(MARKERS, caplog.text.encode()) == []
    assert found(MARKERS, await exports(office)) == []
    for reference in (ordinary, medical):
        history, erased = await decoded_history(office, reference)
        assert found(MARKERS, history) == []
        assert erased > 0  # the history is still there (this server keeps it), sealed for good
    # The backup's copies never open again: the key they name is gone.
    with pytest.raises(Unreadable):
        open_sealed(await office.keyring_of(medical), medical, backed_up)
    with pytest.raises(UnreadableFile):
        open_file(
            await office.keyring_of(medical),
            paper_copy.read_bytes(),
            f"outbox-post:{medical}/{paper.stem}",
        )

    # The register's figures are those of before; the erased complaints read "[effacé]".
    assert await register_lines(office.sessions) == figures_before
    reading = await office.service.read(DOCTOR, ordinary)
    assert reading.complaint.intake.complainant.name == ERASED
    assert reading.complaint.intake.description == ERASED
    # Another complaint still opens, its payloads and record whole.
    other = await office.service.read(DOCTOR, kept_reference)
    assert other.complaint.intake.complainant.name == KEPT["name"]
    assert (await office.state(kept)).intake.complainant.name == KEPT["name"]


async def test_an_erasure_is_refused_while_the_law_keeps_the_complaint(
    keyed_office: Office,
) -> None:
    office = keyed_office
    now = await office.env.get_current_time()
    handle = await office.start(complainant=KEPT)
    reference = handle.id.removeprefix("complaint-")
    with pytest.raises(Refused, match="pas close"):
        await office.service.erase(COMPLIANCE, reference, now)
    await office.service.act(DOCTOR, reference, "withdraw", {})
    await handle.result()
    office.started_ids.discard(handle.id)
    await until(lambda: office.service.pending_erasures(), lambda p: p == [])
    await office.service.place_hold(COMPLIANCE, reference, HoldReason.litigation, now)
    with pytest.raises(Refused, match="litige en cours"):
        await office.service.erase(COMPLIANCE, reference, now)
    await office.service.lift_hold(COMPLIANCE, reference)
    strict = office.service
    strict.retention = Settings(_env_file=None, erasure_minimum_days=365).retention
    with pytest.raises(Refused, match="délai minimal"):
        await strict.erase(COMPLIANCE, reference, now + timedelta(days=300))
    assert (await strict.erase(COMPLIANCE, reference, now + timedelta(days=400))).completed
    with pytest.raises(Refused, match="déjà effacée"):
        await strict.erase(COMPLIANCE, reference, now + timedelta(days=401))


async def test_complaints_erase_and_hold_on_the_command_line(
    keyed_office: Office, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    office = keyed_office
    reference = await closed(office, complainant=ORDINARY, channel="email")
    await closed_on_the_real_clock(office, reference)
    await add_user(office.sessions, "dpo", "Registre-Conformite-2026!", Role.compliance)
    await add_user(office.sessions, "louise", "Superviseuse-Lyon-2026!", Role.supervisor)
    keys = ",".join(f"{k}:{base64.b64encode(v).decode()}" for k, v in office.keyring.keys.items())
    monkeypatch.setenv("RECLAMATIONS_DATA_DIR", str(office.settings.data_dir))
    monkeypatch.setenv("RECLAMATIONS_ENCRYPTION_KEYS", keys)
    monkeypatch.setenv("RECLAMATIONS_ERASURE_MINIMUM_DAYS", "0")
    monkeypatch.setenv(
        "RECLAMATIONS_TEMPORAL_ADDRESS", office.client.service_client.config.target_host
    )
    for name, value in office.settings.model_dump().items():
        if name.startswith("files_s3") and value:
            monkeypatch.setenv(f"RECLAMATIONS_{name.upper()}", str(value))

    def complaints(*arguments: str) -> int:
        return main(list(arguments))

    assert await asyncio.to_thread(complaints, "erase", reference, "--by", "louise") == 2
    assert "conformité" in capsys.readouterr().err
    assert (
        await asyncio.to_thread(
            complaints, "hold", reference, "--reason", "mediation", "--by", "dpo"
        )
        == 0
    )
    assert await asyncio.to_thread(complaints, "erase", reference, "--by", "dpo") == 1
    assert "saisine du Médiateur en cours" in capsys.readouterr().err
    assert await asyncio.to_thread(complaints, "hold", reference, "--lift", "--by", "dpo") == 0
    assert await asyncio.to_thread(complaints, "erase", reference, "--by", "dpo") == 0
    assert f"{reference} : effacée" in capsys.readouterr().out
    assert found(MARKERS, database_contents(office)) == []
    async with office.sessions() as session:
        logged = list(await session.scalars(select(AuditRow).where(AuditRow.username == "dpo")))
    assert [row.kind for row in logged] == ["erasure_started", "erasure_done"]
    assert all(reference in row.detail and "Quincampoix" not in row.detail for row in logged)
