"""What the erasure tests share (issue 28): an office whose complaints have their own keys,
its file store a folder or S3 on a real moto server; complaints carrying markers; and the
searches of every store for them."""

from __future__ import annotations

import io
import subprocess
import zipfile
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from google.protobuf.message import Message
from moto.server import ThreadedMotoServer
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import update
from temporalio.api.common.v1 import Payload
from temporalio.testing import WorkflowEnvironment

from reclamations.activities.exports import register_csv, register_xlsx
from reclamations.db.engine import SessionFactory
from reclamations.db.models import ComplaintRow
from reclamations.db.register import register_lines
from reclamations.domain.access import Principal, Role
from reclamations.domain.register import Lists
from reclamations.security.codec import EncryptionCodec
from reclamations.security.complaint_keys import ComplaintKeys
from reclamations.security.keyring import Erased, Keyring
from reclamations.service import Upload
from reclamations.settings import Settings
from reclamations.wiring import entities, typology
from tests.conftest import make_settings, open_office
from tests.office import Office, action
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
async def keyed_office_any_database(
    temporal_env: WorkflowEnvironment,
    store_settings: Settings,
    sessions: SessionFactory,
    keyring: Keyring,
) -> AsyncIterator[Office]:
    """The same, its record on SQLite and on PostgreSQL."""
    async with open_office(temporal_env, store_settings, sessions, keyring, own_keys=True) as o:
        yield o


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
    """SQLite: the file and its write-ahead log, byte for byte (more than a dump shows).
    PostgreSQL: `pg_dump` of the test's database, every table's rows."""
    url = office.sessions.kw["bind"].url
    if url.get_backend_name() == "sqlite":
        root = office.settings.data_dir
        return b"".join(p.read_bytes() for p in sorted(root.glob("reclamations.db*")))
    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    return subprocess.run(
        ["pg_dump", "--data-only", dsn], check=True, capture_output=True, timeout=60
    ).stdout


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


async def closed_on_the_real_clock(office: Office, reference: str) -> None:
    """The complaint's closure dated yesterday on the machine's clock, for a command run as
    a process (it reads that clock): the shared test server's clock runs ahead of it once
    other tests let time pass there."""
    async with office.sessions.begin() as session:
        await session.execute(
            update(ComplaintRow)
            .where(ComplaintRow.reference == reference)
            .values(closed_at=datetime.now(UTC) - timedelta(days=1))
        )
