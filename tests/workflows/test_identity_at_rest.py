"""rule 11: a medical complainant's identity (name, email, postal address, member number,
an address given after intake) is sealed at rest like the content: in the complaint's row and
snapshot, the letters' table and the paper letters waiting in the outbox; the Médecin Conseil
still reads it, everyone else sees it withheld, and the queue's filters keep working.
On real SQLite and PostgreSQL, through intake and the letters of a real office."""

from __future__ import annotations

import asyncio
import base64
import io
import json
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select, text, update

from reclamations.activities.letters.delivery import open_posted
from reclamations.cli.main import main
from reclamations.db.engine import SessionFactory
from reclamations.db.models import ComplaintRow, LetterRow
from reclamations.db.queue import QueueFilters
from reclamations.domain.access import Principal, Role
from reclamations.security.envelopes import is_enveloped
from reclamations.security.sealing import open_sealed
from reclamations.service import WITHHELD
from tests.conftest import open_office
from tests.office import Office, action

DOCTOR = Principal("dr.conseil", Role.medical_advisor)
SUPERVISOR = Principal("louise", Role.supervisor)

# ASCII on purpose: JSON keeps it as it is, so a copy in clear would be found byte by byte.
POSTED = {
    "name": "Anatole Vercingetorix",
    "email": "anatole.vercingetorix@example.fr",
    "postal_address": "3 impasse du Moulin\n57000 Metz",
    "member_number": "MX-7781234",
}
EMAILED = {
    "name": "Berenice Castafiore",
    "email": "berenice.castafiore@example.fr",
    "member_number": "MX-5550199",
}
GIVEN_LATER = "8 rue des Ursulines\n67000 Strasbourg"
SECRETS = [
    piece
    for value in [*POSTED.values(), *EMAILED.values(), GIVEN_LATER]
    for piece in value.split("\n")
] + ["Vercingetorix", "Castafiore"]


@pytest.fixture
async def office(temporal_env, settings, sessions, keyring):
    """An office on the time-skipping server, its record on SQLite and on PostgreSQL."""
    async with open_office(temporal_env, settings, sessions, keyring) as office:
        yield office


async def medical_complaints(office: Office) -> tuple[str, str]:
    """One posted with the whole identity, one emailed without a postal address (an incident
    until the address is given), both answered by the Médecin Conseil."""
    posted = await office.start(
        channel="post",
        medical=True,
        complainant=POSTED,
        description="Mon dossier médical : refus de prise en charge contesté.",
    )
    emailed = await office.start(
        channel="email",
        medical=True,
        complainant=EMAILED,
        description="Refus après avis médical, je conteste.",
    )
    await office.act(emailed, action("correct_address", postal_address=GIVEN_LATER))
    for handle in (posted, emailed):
        await office.act(
            handle, action("answer", decision="rejected", reasons="Avis du Médecin Conseil.")
        )
    return (await office.state(posted)).reference, (await office.state(emailed)).reference


async def raw_tables(sessions: SessionFactory) -> str:
    """Every row of the tables a complaint is kept in, as the database gives them back."""
    dump = []
    async with sessions() as session:
        for table in ("complaints", "events", "letters"):
            rows = (await session.execute(text(f"SELECT * FROM {table}"))).all()
            dump += [repr(tuple(row)) for row in rows]
    return "\n".join(dump)


def found_in(blob: bytes) -> list[str]:
    lowered = blob.lower()
    return [s for s in SECRETS if s.encode().lower() in lowered]


async def printed_text(office: Office, path: Path) -> str:
    keyring = await office.keyring_of(path.parent.name)
    pages = PdfReader(io.BytesIO(open_posted(keyring, path))).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


async def test_a_medical_complainants_identity_is_nowhere_in_clear_at_rest(office, tmp_path):
    posted, emailed = await medical_complaints(office)

    assert found_in((await raw_tables(office.sessions)).encode()) == []
    async with office.sessions() as session:
        rows = (await session.scalars(select(ComplaintRow))).all()
        letters = (await session.scalars(select(LetterRow))).all()
    assert {row.reference for row in rows} == {posted, emailed}
    assert all(row.complainant_name.startswith("sealed:v2:") for row in rows)
    assert all(letter.recipient.startswith("sealed:v2:") for letter in letters)
    assert {letter.delivery for letter in letters} == {"post"}
    # The SQLite file itself, byte by byte (its journal included).
    for database in tmp_path.glob("reclamations.db*"):
        assert found_in(database.read_bytes()) == [], database.name

    files = office.outbox()
    assert len(files) == len(letters) >= 3
    for path in files:
        content = path.read_bytes()
        assert is_enveloped(content) and not content.startswith(b"%PDF"), path.name
        assert found_in(content) == [], path.name
    # Opened to print, each says who it goes to: the address given after intake for one.
    assert office.outbox(f"post/{posted}/*.pdf") and office.outbox(f"post/{emailed}/*.pdf")
    for path in office.outbox(f"post/{posted}/*.pdf"):
        assert "Anatole Vercingetorix" in (await printed_text(office, path))
        assert "57000 METZ" in (await printed_text(office, path)).upper()
    for path in office.outbox(f"post/{emailed}/*.pdf"):
        assert "Berenice Castafiore" in (await printed_text(office, path))
        assert "8 rue des Ursulines" in (await printed_text(office, path))


async def test_the_medical_advisor_reads_who_complained_and_the_queue_still_works(office):
    posted, emailed = await medical_complaints(office)
    service = office.service

    for reference, given in ((posted, POSTED), (emailed, EMAILED)):
        dossier = await service.dossier(DOCTOR, reference)  # read from the record
        complainant = dossier.reading.complaint.intake.complainant
        assert complainant.model_dump(exclude_none=True) == given
    later = (await service.dossier(DOCTOR, emailed)).reading.complaint.postal_address
    assert later == GIVEN_LATER

    hidden = await service.dossier(SUPERVISOR, posted)
    assert hidden.reading.complaint.intake.complainant.name == WITHHELD
    assert found_in(hidden.reading.complaint.model_dump_json().encode()) == []

    # Answered, they wait in the queue under their status; its filters find them as before.
    status = (await service.dossier(DOCTOR, posted)).row.status
    names = {r.reference: r.complainant_name for r in (await queue(office, DOCTOR, status)).rows}
    assert names == {posted: POSTED["name"], emailed: EMAILED["name"]}
    withheld = [row.complainant_name for row in (await queue(office, SUPERVISOR, status)).rows]
    assert withheld == [None, None]
    assert refs(await queue(office, DOCTOR, status, channel="post")) == {posted}
    assert refs(await queue(office, DOCTOR, status, channel="email")) == {emailed}
    assert refs(await queue(office, SUPERVISOR, status, channel="email")) == {emailed}
    assert refs(await queue(office, DOCTOR, status, category="contract")) == set()


async def queue(
    office: Office,
    principal: Principal,
    status: str,
    channel: str | None = None,
    category: str | None = None,
):
    filters = QueueFilters(status=status, channel=channel, category=category)
    return await office.service.queue(principal, filters, 1)


def refs(page) -> set[str]:
    return {row.reference for row in page.rows}


async def test_identities_kept_in_clear_before_still_read_and_are_sealed_once(office, monkeypatch):
    posted, _ = await medical_complaints(office)
    await as_kept_before(office, posted)
    assert "Vercingetorix" in await raw_tables(office.sessions)
    assert (
        await office.service.dossier(DOCTOR, posted)
    ).reading.complaint.intake.complainant.name == POSTED["name"]
    status = (await office.service.dossier(DOCTOR, posted)).row.status
    before = {r.reference: r.complainant_name for r in (await queue(office, DOCTOR, status)).rows}
    assert before[posted] == POSTED["name"]

    # `complaints db seal-identities`, as an operator runs it after the upgrade.
    url = office.sessions.kw["bind"].url.render_as_string(hide_password=False)
    keys = ",".join(
        f"{key_id}:{base64.b64encode(key).decode()}" for key_id, key in office.keyring.keys.items()
    )
    monkeypatch.setenv("RECLAMATIONS_DATABASE_URL", url)
    monkeypatch.setenv("RECLAMATIONS_DATA_DIR", str(office.settings.data_dir))
    monkeypatch.setenv("RECLAMATIONS_ENCRYPTION_KEYS", keys)
    assert await asyncio.to_thread(main, ["db", "seal-identities"]) == 0

    assert found_in((await raw_tables(office.sessions)).encode()) == []
    for path in office.outbox():
        assert is_enveloped(path.read_bytes()) and found_in(path.read_bytes()) == []
    reading = (await office.service.dossier(DOCTOR, posted)).reading
    assert reading.complaint.intake.complainant.model_dump(exclude_none=True) == POSTED
    after = {r.reference: r.complainant_name for r in (await queue(office, DOCTOR, status)).rows}
    assert after == before

    # Once is enough: what is sealed stays as it is.
    kept = await raw_tables(office.sessions)
    assert await asyncio.to_thread(main, ["db", "seal-identities"]) == 0
    assert await raw_tables(office.sessions) == kept

    # The print room prints a sealed letter through `complaints letters print`.
    letter = office.outbox(f"post/{posted}/answer-*.pdf")[0]
    printed = office.settings.data_dir / "to-print.pdf"
    assert (
        await asyncio.to_thread(main, ["letters", "print", str(letter), "--output", str(printed)])
        == 0
    )
    assert "Anatole Vercingetorix" in " ".join(PdfReader(printed).pages[0].extract_text().split())


async def as_kept_before(office: Office, reference: str) -> None:
    """The complaint's row, letters and paper letters as they were kept before identities were
    sealed at rest: in clear."""
    keyring = await office.keyring_of(reference)
    clear = await office.state(office.started[0])
    assert clear.reference == reference
    snapshot = json.loads(clear.model_dump_json(exclude={"events"}))
    async with office.sessions.begin() as session:
        await session.execute(
            update(ComplaintRow)
            .where(ComplaintRow.reference == reference)
            .values(complainant_name=clear.intake.complainant.name, snapshot=snapshot)
        )
        for letter in await session.scalars(
            select(LetterRow).where(LetterRow.reference == reference)
        ):
            letter.recipient = open_sealed(keyring, reference, letter.recipient)
    for path in office.outbox(f"post/{reference}/*.pdf"):
        path.write_bytes(open_posted(keyring, path))
