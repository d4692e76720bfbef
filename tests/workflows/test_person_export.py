"""Issue 28, access on request (RGPD art. 15): everything held on one person, found by email
or member number, as a French PDF summary and a ZIP of letters, documents and events; their
medical complaint only for the Médecin Conseil; logged without who the person is."""

from __future__ import annotations

import asyncio
import base64
import io
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from reclamations.activities.person_export import MEDICAL_ELSEWHERE, person_pdf, person_zip
from reclamations.cli.main import main
from reclamations.db.accounts import add_user
from reclamations.db.models import AuditRow
from reclamations.domain.access import Principal, Role
from reclamations.domain.errors import Forbidden
from reclamations.service.person import HeldComplaint, PersonData
from tests.domain.builders import NOW, complaint
from tests.erasure import (
    COMPLIANCE,
    DOCTOR,
    FILE_TEXT,
    KEPT,
    ORDINARY,
    TEXTS,
    closed,
    keyed_office,
    s3_server,
    store_settings,
)
from tests.office import Office

__all__ = ["keyed_office", "s3_server", "store_settings"]  # fixtures, used by name

SAME_PERSON_MEDICAL = {**ORDINARY, "member_number": "AD-55120"}


def pdf_text(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def zip_contents(archive: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(archive)) as unzipped:
        return {name: unzipped.read(name) for name in unzipped.namelist()}


async def test_a_person_gets_everything_held_on_them_medical_only_from_the_doctor(
    keyed_office: Office,
) -> None:
    office = keyed_office
    ordinary = await closed(office, complainant=ORDINARY, channel="email")
    medical = await closed(office, complainant=SAME_PERSON_MEDICAL, channel="post", medical=True)
    await office.start(complainant=KEPT, description="Quelqu'un d'autre")
    now = await office.env.get_current_time()

    with pytest.raises(Forbidden):
        await office.service.person_data(Principal("agent.a", Role.agent), now, ORDINARY["email"])

    data = await office.service.person_data(COMPLIANCE, now, email=ORDINARY["email"].upper())
    assert [held.complaint.reference for held in data.complaints] == [ordinary]
    summary = pdf_text(person_pdf(data))
    assert ORDINARY["name"] in summary and ordinary in summary and medical not in summary
    assert "secret médical" in summary and MEDICAL_ELSEWHERE.startswith("Les éléments")
    contents = zip_contents(person_zip(data))
    everything = b"".join(contents.values())
    assert TEXTS["ordinary"].encode() in contents[f"{ordinary}/dossier.json"]
    assert any(name.startswith(f"{ordinary}/courriers/") for name in contents)
    assert FILE_TEXT["ordinary"].encode() in everything  # the document's file itself
    assert TEXTS["medical"].encode() not in everything and KEPT["name"].encode() not in everything

    by_doctor = await office.service.person_data(DOCTOR, now, member_number="ad-55120")
    assert [held.complaint.reference for held in by_doctor.complaints] == [medical]
    opened = b"".join(zip_contents(person_zip(by_doctor)).values())
    assert TEXTS["medical"].encode() in opened and FILE_TEXT["medical"].encode() in opened

    async with office.sessions() as session:
        logged = list(
            await session.scalars(select(AuditRow).where(AuditRow.kind == "person_exported"))
        )
    assert [row.username for row in logged] == [COMPLIANCE.name, DOCTOR.name]
    assert all("example.fr" not in row.detail and "55120" not in row.detail for row in logged)


def test_the_address_given_after_intake_is_in_the_export() -> None:
    """The postal address the complainant gave since (rule 11) is held on them: the summary
    and the record give it, not the intake's lack of one."""
    held = complaint()
    held.postal_address = "9 rue des Tanneurs\n67000 Strasbourg"
    data = PersonData(COMPLIANCE, NOW, [HeldComplaint(held, [], [])], medical_included=True)
    assert "9 rue des Tanneurs, 67000 Strasbourg" in pdf_text(person_pdf(data))
    assert "9 rue des Tanneurs" in zip_contents(person_zip(data))["R-1/dossier.json"].decode()


async def test_complaints_export_person_on_the_command_line(
    keyed_office: Office, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    office = keyed_office
    reference = await closed(office, complainant=ORDINARY, channel="email")
    await add_user(office.sessions, "dpo", "Registre-Conformite-2026!", Role.compliance)
    keys = ",".join(f"{k}:{base64.b64encode(v).decode()}" for k, v in office.keyring.keys.items())
    monkeypatch.setenv("RECLAMATIONS_DATA_DIR", str(office.settings.data_dir))
    monkeypatch.setenv("RECLAMATIONS_ENCRYPTION_KEYS", keys)
    monkeypatch.setenv(
        "RECLAMATIONS_TEMPORAL_ADDRESS", office.client.service_client.config.target_host
    )
    for name, value in office.settings.model_dump().items():
        if name.startswith("files_s3") and value:
            monkeypatch.setenv(f"RECLAMATIONS_{name.upper()}", str(value))
    archive = tmp_path / "export.zip"
    arguments = ["export-person", "--email", ORDINARY["email"], "--by", "dpo", "--output"]
    assert await asyncio.to_thread(main, [*arguments, str(archive)]) == 0
    contents = zip_contents(archive.read_bytes())
    assert "synthese.pdf" in contents and f"{reference}/dossier.json" in contents
