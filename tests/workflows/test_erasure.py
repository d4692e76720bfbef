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
import io
import logging
import zipfile
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from google.protobuf.message import Message
from moto.server import ThreadedMotoServer
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import select
from temporalio.api.common.v1 import Payload
from temporalio.testing import WorkflowEnvironment

from reclamations.activities.exports import register_csv, register_xlsx
from reclamations.cli.main import main
from reclamations.db.accounts import add_user
from reclamations.db.engine import SessionFactory
from reclamations.db.models import AuditRow
from reclamations.db.register import register_lines
from reclamations.domain.access import Principal, Role
from reclamations.domain.errors import Forbidden, Refused
from reclamations.domain.register import Lists
from reclamations.domain.retention import ERASED, HoldReason
from reclamations.security.codec import EncryptionCodec
from reclamations.security.complaint_keys import ComplaintKeys
from reclamations.security.keyring import Erased, Keyring
from reclamations.service import Upload
from reclamations.settings import Settings
from reclamations.wiring import entities, typology
from tests.conftest import make_settings, open_office
from tests.office import Office, action, until
from tests.processes import free_port

COMPLIANCE = Principal("conformite.dpo", Role.compliance)
DOCTOR = Principal("dr.conseil", Role.medical_advisor)

# ASCII on purpose: JSON, SQLite and PDF keep it byte for byte, so any copy in clear is found.
ORDINARY = {
    "name": "Zephyrine Quincampoix",
    "email": "zephyrine.quincampoix@example.fr",
    "postal_address": "7 allee des Peupliers\n44000 Nantes",
}
MEDICAL = {
    "name": "Barnabe Hautecloque",
    "email": "barnabe.hautecloque@example.fr",
    "postal_address": "2 quai Saint-Vincent\n69001 Lyon",
}
TEXTS = {"ordinary": "MarqueurOrdinaire4417", "medical": "MarqueurMedical9926"}
FILE_TEXT = {"ordinary": "FichierOrdinaire3308", "medical": "FichierMedical5127"}
MARKERS = [
    "Quincampoix",
    "zephyrine.quincampoix@example.fr",
    "Peupliers",
    "Hautecloque",
    "barnabe.hautecloque@example.fr",
    "Saint-Vincent",
    *TEXTS.values(),
    *FILE_TEXT.values(),
]
KEPT = {"name": "Octave Mirbeau-Tessier", "email": "octave.tessier@example.fr"}


def a_pdf(text: str) -> bytes:
    buffer = io.BytesIO()
    pdf = Canvas(buffer, pageCompression=0)  # the text in clear in the file's bytes
    pdf.drawString(72, 720, text)
    pdf.save()
    return buffer.getvalue()


@pytest.fixture(scope="module")
def s3_server() -> Iterator[str]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture(params=["folder", "s3"])
def store_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """No minimum period before an erasure on request: the complaints close in the test."""
    if request.param == "folder":
        return make_settings(tmp_path, erasure_minimum_days=0)
    server = request.getfixturevalue("s3_server")
    bucket = f"proof-{tmp_path.name[-20:].lower().replace('_', '-')}"
    boto3.client(
        "s3",
        endpoint_url=server,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    ).create_bucket(Bucket=bucket)
    return make_settings(
        tmp_path,
        erasure_minimum_days=0,
        files_s3_bucket=bucket,
        files_s3_endpoint=server,
        files_s3_access_key="test",
        files_s3_secret_key="test",
    )


@pytest.fixture
async def keyed_office(
    temporal_env: WorkflowEnvironment,
    store_settings: Settings,
    sqlite_sessions: SessionFactory,
    keyring: Keyring,
) -> AsyncIterator[Office]:
    async with open_office(
        temporal_env, store_settings, sqlite_sessions, keyring, own_keys=True
    ) as office:
        yield office


async def closed(office: Office, **changes: Any) -> str:
    """A complaint registered with a document, then withdrawn: closed, its workflow ended."""
    kind = "medical" if changes.get("medical") else "ordinary"
    handle = await office.start(description=f"Texte {TEXTS[kind]}", **changes)
    reference = handle.id.removeprefix("complaint-")
    upload = Upload(name="facture.pdf", content=a_pdf(FILE_TEXT[kind]), kind="supporting_document")
    await office.service.add_file(DOCTOR, reference, upload)
    await office.act(handle, action("qualify"))  # its acknowledgement leaves at once
    await office.service.act(DOCTOR, reference, "withdraw", {"note": f"Note {TEXTS[kind]}"})
    await handle.result()
    office.started_ids.discard(handle.id)  # ended here: nothing for the teardown to end
    return reference


def store_contents(office: Office) -> bytes:
    settings = office.settings
    if settings.files_s3_bucket:
        client = boto3.client(
            "s3",
            endpoint_url=settings.files_s3_endpoint,
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )
        listed = client.list_objects_v2(Bucket=settings.files_s3_bucket).get("Contents", [])
        return b"".join(
            client.get_object(Bucket=settings.files_s3_bucket, Key=item["Key"])["Body"].read()
            for item in listed
        )
    return folder_contents(settings.resolved_files_dir)


def folder_contents(root: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file())


def database_contents(office: Office) -> bytes:
    """The SQLite file and its write-ahead log, byte for byte: more than a dump shows."""
    root = office.settings.data_dir
    return b"".join(p.read_bytes() for p in sorted(root.glob("reclamations.db*")))


def payloads_in(message: Message) -> Iterator[Payload]:
    """Every payload anywhere in a history (inputs, results, signals, updates, memo...)."""
    if isinstance(message, Payload):
        yield message
        return
    for _field, value in message.ListFields():
        items = value if isinstance(value, list | tuple) or hasattr(value, "extend") else [value]
        if hasattr(value, "items") and not isinstance(value, Message):
            items = list(value.values())
        for item in items:
            if isinstance(item, Message):
                yield from payloads_in(item)


async def decoded_history(office: Office, reference: str) -> tuple[bytes, int]:
    """The complaint's history as stored, with every payload the codec (a fresh process's,
    with the keyring and the complaints' keys) can open put beside it; and how many would
    not open because the complaint was erased."""
    handle = office.client.get_workflow_handle(f"complaint-{reference}")
    history = await handle.fetch_history()
    keys = ComplaintKeys(office.sessions, office.keyring)
    codec = EncryptionCodec(office.keyring, refuse_plain=False, keys=keys)
    payloads = [p for event in history.events for p in payloads_in(event)]
    keyrings = await codec.keyrings(payloads)
    opened, erased = [], 0
    for payload in payloads:
        try:
            opened.append(codec.decode_one(payload, keyrings).data)
        except Erased:
            erased += 1
    return history.to_json().encode() + b"".join(opened), erased


async def exports(office: Office) -> bytes:
    lines = await register_lines(office.sessions)
    lists = Lists(typology(office.settings), entities(office.settings))
    today = await office.today()
    csv = register_csv(lines, today, lists).encode()
    workbook = register_xlsx(lines, today, lists, "test")
    with zipfile.ZipFile(io.BytesIO(workbook)) as unzipped:
        return csv + b"".join(unzipped.read(name) for name in unzipped.namelist())


def found(markers: list[str], where: bytes) -> list[str]:
    lowered = where.lower()
    return [m for m in markers if m.lower().encode() in lowered]


async def test_an_erased_complaint_leaves_nothing_readable_anywhere(
    keyed_office: Office, caplog: pytest.LogCaptureFixture
) -> None:
    office = keyed_office
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

    with pytest.raises(Forbidden):
        await office.service.erase(DOCTOR, ordinary, await office.env.get_current_time())
    for reference in (ordinary, medical):
        erasure = await office.service.erase(
            COMPLIANCE, reference, await office.env.get_current_time()
        )
        assert erasure.completed

    assert found(MARKERS, database_contents(office)) == []
    assert found(MARKERS, store_contents(office)) == []
    assert found(MARKERS, folder_contents(office.settings.resolved_outbox_dir)) == []
    assert found(MARKERS, caplog.text.encode()) == []
    assert found(MARKERS, await exports(office)) == []
    for reference in (ordinary, medical):
        history, erased = await decoded_history(office, reference)
        assert found(MARKERS, history) == []
        assert erased > 0  # the history is still there (this server keeps it), sealed for good

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


async def test_complaints_erase_and_hold_on_the_command_line(
    keyed_office: Office, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    office = keyed_office
    reference = await closed(office, complainant=ORDINARY, channel="email")
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
