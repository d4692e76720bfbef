"""Complaints by email, end to end: a real SMTP client to our receiver, a real IMAP server
(Dovecot) read by our reader, the door, a real Temporal test server and its worker."""

from __future__ import annotations

import asyncio
import hashlib
import smtplib
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage

import aiosmtplib
import pytest
from pydantic import SecretStr
from sqlalchemy import func, select
from temporalio.testing import ActivityEnvironment

from reclamations.activities.retention import RetentionActivities
from reclamations.db.models import ComplaintRow, MailMessageRow
from reclamations.db.queue import QueueFilters
from reclamations.domain.access import Principal, Role
from reclamations.domain.errors import Forbidden
from reclamations.domain.files import MediaType
from reclamations.mail.imap import KEYWORD, MailboxReader
from reclamations.mail.ledger import Disposition, times
from reclamations.mail.message import read_mail
from reclamations.mail.receiver import serve
from reclamations.security.envelopes import is_enveloped
from reclamations.service.mail import aside_key
from reclamations.storage.files import FileMissing, FolderStore, file_key
from reclamations.workflows.messages import RetentionInput
from tests.imap_server import ImapServer, free_port
from tests.mail.builders import (
    MEDICAL_ADDRESS,
    OWN_DOMAIN,
    complaint_mail,
    reply_to,
)
from tests.office import Office, read_eml, until

AGENT = Principal("Camille Martin", Role.agent)
DOCTOR = Principal("Dr Paul Lemoine", Role.medical_advisor)


async def send(port: int, message: EmailMessage, to: str = f"reclamations@{OWN_DOMAIN}"):
    return await aiosmtplib.send(
        message, hostname="127.0.0.1", port=port, recipients=[to], timeout=120
    )


async def ledger_rows(office: Office) -> list[MailMessageRow]:
    async with office.sessions() as session:
        return list(await session.scalars(select(MailMessageRow)))


async def only_complaint(office: Office) -> tuple[MailMessageRow, str]:
    """The one message of the ledger, a complaint, and its reference."""
    [row] = await ledger_rows(office)
    assert row.reference is not None
    return row, row.reference


async def complaints(office: Office) -> int:
    async with office.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(ComplaintRow)) or 0)


async def test_a_message_by_smtp_is_a_complaint_with_its_evidence(office, receiver):
    message = complaint_mail()
    raw = bytes(message)
    answer = await send(receiver, message)
    assert answer[1].startswith("2.0.0")
    [row] = await ledger_rows(office)
    assert (row.disposition, row.reason) == (Disposition.complaint, None), row.reason
    assert row.done and row.reference
    reading = await office.service.read(AGENT, row.reference)
    complaint = reading.complaint
    assert complaint.intake.channel == "email"
    assert complaint.intake.complainant.email == "helene.garnier@example.fr"
    assert complaint.intake.complainant.name == "Hélène Garnier"
    assert complaint.intake.subject == "Remboursement d'optique toujours en attente"
    assert "toujours rien reçu" in complaint.intake.description
    files = {d.file.media_type: d.file for d in complaint.documents if d.file}
    assert set(files) == {MediaType.email, MediaType.pdf}
    # The message as it came, unchanged: its SHA-256, and the bytes the door serves back.
    evidence = files[MediaType.email]
    kept = await office.service.document_file(AGENT, row.reference, evidence.sha256)
    assert evidence.sha256 == hashlib.sha256(kept.content).hexdigest()
    assert message["Message-ID"].encode() in kept.content
    assert kept.content.replace(b"\r\n", b"\n") == raw.replace(b"\r\n", b"\n")
    # rule 3: the three times on the record, the earliest believable one the sending.
    recorded = await times(office.sessions, row.key)
    assert recorded["date_header"] == datetime.fromisoformat(
        message["Date"].datetime.isoformat()
    ).astimezone(UTC)
    assert recorded["first_received"] == recorded["date_header"] + timedelta(seconds=5)
    assert recorded["arrived_at"] is not None
    assert recorded["sent_at"] == recorded["date_header"]
    assert complaint.intake.sent_on == recorded["date_header"]


async def test_the_same_message_twice_by_smtp_and_by_imap_is_one_complaint(
    office, gateway, receiver, imap_server: ImapServer
):
    message = complaint_mail()
    await send(receiver, message)
    await send(receiver, message, to=f"autre-boite@{OWN_DOMAIN}")
    folder = f"deux-{office.settings.task_queue}"
    imap_server.connect().create(folder)
    imap_server.append(bytes(message), folder)
    reader = MailboxReader(gateway, imap_settings(office, imap_server, folder, "flag"))
    result = await reader.read_once()
    await reader.close()
    assert (result.taken, result.again) == (0, 1)
    rows = await ledger_rows(office)
    assert len(rows) == 1
    assert await complaints(office) == 1
    assert imap_server.count(folder, f"KEYWORD {KEYWORD}") == 1


async def test_concurrent_deliveries_of_one_message_make_one_complaint(office, receiver):
    message = complaint_mail(message_id=None)
    await asyncio.gather(*(send(receiver, message) for _ in range(3)))
    [row] = await ledger_rows(office)
    reading = await office.service.read(AGENT, row.reference)
    assert len([d for d in reading.complaint.documents if d.file]) == 2
    assert await complaints(office) == 1


def imap_settings(office: Office, server: ImapServer, folder: str, after: str):
    return office.settings.model_copy(
        update={
            "mail_imap_host": server.host,
            "mail_imap_port": server.port,
            "mail_imap_ssl": False,
            "mail_imap_username": server.user,
            "mail_imap_password": SecretStr(server.password),
            "mail_imap_folder": folder,
            "mail_imap_after": after,
            "mail_imap_done_folder": f"{folder}-traites",
            "mail_imap_aside_folder": f"{folder}-de-cote",
        }
    )


@pytest.mark.parametrize("after", ["move", "copy", "delete"])
async def test_imap_moves_or_copies_each_message_once_taken(office, gateway, imap_server, after):
    folder = f"boite-{after}-{office.settings.task_queue}"
    imap_server.connect().create(folder)
    arrived = datetime.now(UTC) - timedelta(hours=2)
    imap_server.append(bytes(complaint_mail(sent=arrived)), folder, arrived.timestamp())
    imap_server.append(bytes(complaint_mail(Auto_Submitted="auto-replied")), folder)
    reader = MailboxReader(gateway, imap_settings(office, imap_server, folder, after))
    first = await reader.read_once()
    second = await reader.read_once()
    await reader.close()
    assert (first.taken, second.taken, second.again) == (2, 0, 0)
    # Moved away, or left there marked (read, and our keyword) with a copy in each folder;
    # or deleted, kept in the files' store alone (rule 22), mail set aside moved where the
    # team reads it.
    kept = {"move": 0, "copy": 2, "delete": 0}[after]
    assert imap_server.count(folder) == kept
    assert imap_server.count(folder, f"KEYWORD {KEYWORD} SEEN") == kept
    assert imap_server.count(f"{folder}-traites") == (0 if after == "delete" else 1)
    assert imap_server.count(f"{folder}-de-cote") == 1
    dispositions = sorted(row.disposition for row in await ledger_rows(office))
    assert dispositions == [Disposition.aside, Disposition.complaint]
    [row] = [r for r in await ledger_rows(office) if r.disposition == Disposition.complaint]
    # The mailbox's arrival time (INTERNALDATE) is the one kept.
    arrival = (await times(office.sessions, row.key))["arrived_at"]
    assert arrival is not None and abs(arrival - arrived) < timedelta(seconds=1)


async def test_an_auto_reply_is_set_aside_never_answered(office, receiver):
    await send(receiver, complaint_mail(Auto_Submitted="auto-replied"))
    [row] = await ledger_rows(office)
    assert row.disposition == Disposition.aside and row.done and row.reference is None
    assert row.reason == "réponse automatique (Auto-Submitted)"
    assert await complaints(office) == 0
    assert office.outbox() == []
    # Kept whole, sealed, beside the files.
    stored = await FolderStore(office.settings.resolved_files_dir).get(aside_key(row.sha256))
    assert is_enveloped(stored)


async def test_a_message_handed_over_with_an_empty_envelope_sender_is_set_aside(office, receiver):
    # RFC 5321 and 3834: bounces and vacation replies leave with MAIL FROM:<>; handed over by
    # SMTP or LMTP, before any Return-Path: is written, that is all that tells them apart.
    await aiosmtplib.send(
        complaint_mail(),
        hostname="127.0.0.1",
        port=receiver,
        sender="",
        recipients=[f"reclamations@{OWN_DOMAIN}"],
    )
    [row] = await ledger_rows(office)
    assert (row.disposition, row.reason) == (
        Disposition.aside,
        "message d'un système de messagerie (expéditeur vide)",
    )
    assert await complaints(office) == 0


async def test_mail_set_aside_is_forgotten_when_its_time_is_up(office, gateway):
    # rule 22: auto-replies belong to no complaint an erasure reaches; the day's retention
    # run forgets them 90 days after the intake took them (not after their mailbox date: an
    # old mailbox read the first time is looked at all the same), their copy and their row.
    now = datetime.now(UTC)
    for _ in range(2):
        mail = bytes(complaint_mail(Auto_Submitted="auto-replied"))
        taken = await gateway.take(mail, now - timedelta(days=200), "imap:INBOX")
        assert taken.disposition is Disposition.aside
    aside = [row.sha256 for row in await ledger_rows(office)]
    retention = RetentionActivities(office.sessions, office.service)

    async def on(day: datetime) -> int:
        result = await ActivityEnvironment().run(retention.apply, RetentionInput(now=day))
        return result.aside_mail_forgotten

    assert await on(now + timedelta(days=89)) == 0
    assert await on(now + timedelta(days=91)) == 2
    assert await ledger_rows(office) == []
    store = FolderStore(office.settings.resolved_files_dir)
    for sha256 in aside:
        with pytest.raises(FileMissing):
            await store.get(aside_key(sha256))


async def test_a_reply_joins_its_complaint_and_is_new_for_its_agent(office, receiver):
    await send(receiver, complaint_mail())
    _, reference = await only_complaint(office)
    await office.service.act(DOCTOR, reference, "assign", {"assignee": AGENT.name})
    await office.service.act(AGENT, reference, "qualify", {})
    # The acknowledgement as it left (the outbox of .eml files), answered by the complainant.
    [sent] = await until(lambda: asyncio.to_thread(office.outbox, "email/**/*.eml"))
    letter = read_eml(sent)
    assert letter["Auto-Submitted"] == "auto-generated"
    before = await office.service.read(AGENT, reference)
    await send(receiver, reply_to(reference, letter=letter))
    rows = {row.disposition: row for row in await ledger_rows(office)}
    assert rows[Disposition.correspondence].reference == reference
    after = await office.service.read(AGENT, reference)
    added = after.complaint.documents[len(before.complaint.documents) :]
    assert [d.file.media_type for d in added if d.file] == [MediaType.email, MediaType.pdf]
    assert await complaints(office) == 1
    await office.service.recorded(reference, after.complaint.version)
    queue = await office.service.queue(AGENT, QueueFilters(), 1)
    assert [(r.reference, r.new_messages) for r in queue.rows] == [(reference, 1)]
    await office.service.dossier(AGENT, reference)
    queue = await office.service.queue(AGENT, QueueFilters(), 1)
    assert [r.new_messages for r in queue.rows] == [0]


async def test_a_new_message_quoting_a_reference_joins_that_complaint(office, receiver):
    await send(receiver, complaint_mail())
    _, reference = await only_complaint(office)
    await send(receiver, reply_to(reference, quoted=True))
    assert {row.disposition for row in await ledger_rows(office)} == {
        Disposition.complaint,
        Disposition.correspondence,
    }
    assert await complaints(office) == 1


async def test_a_stranger_quoting_a_reference_makes_a_complaint_of_their_own(office, receiver):
    # rules 1, 20 and 21: references follow each other, our letters' ids are easy to copy;
    # another address's message never joins the complaint (its follow page serves its
    # documents to its complainant): it is a complaint of its own.
    await send(receiver, complaint_mail())
    _, reference = await only_complaint(office)
    before = (await office.service.read(AGENT, reference)).complaint.documents
    stranger = "Bruno Tiers <bruno.tiers@example.org>"
    await send(receiver, reply_to(reference, quoted=True, sender=stranger))
    await send(receiver, reply_to(reference, sender=stranger))
    rows = await ledger_rows(office)
    assert [row.disposition for row in rows].count(Disposition.complaint) == 3
    assert (await office.service.read(AGENT, reference)).complaint.documents == before
    # The complainant's own address, whatever its case, still joins it.
    await send(receiver, reply_to(reference, sender="Hélène <Helene.Garnier@Example.fr>"))
    assert [row.disposition for row in await ledger_rows(office)][-1] == (
        Disposition.correspondence
    )


async def test_medical_elements_never_join_an_ordinary_complaint(office, receiver):
    # rule 11: sent to the Médecin Conseil's address, quoting an ordinary complaint: a medical
    # complaint of its own, for the Médecin Conseil; nothing of it readable by the agent.
    await send(receiver, complaint_mail())
    _, reference = await only_complaint(office)
    before = (await office.service.read(AGENT, reference)).complaint.documents
    await send(receiver, reply_to(reference, quoted=True), to=MEDICAL_ADDRESS)
    medical = next(row for row in await ledger_rows(office) if row.reference != reference)
    assert (medical.disposition, medical.medical) == (Disposition.complaint, True)
    assert (await office.service.read(AGENT, reference)).complaint.documents == before
    assert not (await office.service.read(AGENT, medical.reference)).readable
    assert (await office.service.read(DOCTOR, medical.reference)).complaint.medical
    # Its postal notice waits for an address (rule 11); given, the test's end may close it.
    address = {"postal_address": "12 rue des Tilleuls\n69003 Lyon"}
    await office.service.act(DOCTOR, medical.reference, "correct_address", address)


async def test_a_message_to_the_medical_adviser_is_sealed_from_the_start(office, receiver):
    await send(receiver, complaint_mail(), to=MEDICAL_ADDRESS)
    row, reference = await only_complaint(office)
    assert row.medical
    reading = await office.service.read(DOCTOR, row.reference)
    assert reading.complaint.medical
    store = FolderStore(office.settings.resolved_files_dir)
    for document in reading.complaint.documents:
        assert document.file is not None
        assert is_enveloped(await store.get(file_key(reference, document.file.sha256)))
    # rule 11: the agent sees that it exists, not what it says.
    assert not (await office.service.read(AGENT, row.reference)).readable
    # rule 11: the postal notice waits for an address (an incident says so), never email.
    assert [incident.kind for incident in reading.complaint.open_incidents] == ["address"]
    assert await office.letters(row.reference) == []
    await office.service.act(
        DOCTOR,
        row.reference,
        "correct_address",
        {"postal_address": "12 rue des Tilleuls\n69003 Lyon"},
    )
    letters = await until(lambda: office.letters(row.reference), what="the postal notice")
    assert [(letter.kind, letter.delivery) for letter in letters] == [
        ("medical_postal_notice", "post")
    ]


async def test_a_message_taken_again_does_nothing_new(office, gateway):
    message = complaint_mail()
    raw = bytes(message)
    arrived = datetime.now(UTC)
    taken = await gateway.take(raw, arrived, "test")
    again = await gateway.take(raw, arrived, "test")
    assert (taken.again, again.again) == (False, True)
    assert again.reference == taken.reference


async def test_lmtp_answers_once_per_recipient(office, gateway):
    port = free_port()
    server = await serve(gateway, "127.0.0.1", port, lmtp=True)

    recipients = [f"reclamations@{OWN_DOMAIN}", f"service-client@{OWN_DOMAIN}"]

    def deliver() -> list[int]:
        # By hand: the standard library's LMTP client reads one answer to DATA, as SMTP has.
        with smtplib.LMTP("127.0.0.1", port, timeout=30) as client:
            client.ehlo_or_helo_if_needed()
            client.mail("helene.garnier@example.fr")
            for recipient in recipients:
                client.rcpt(recipient)
            # CRLF, as on the wire.
            first, _ = client.data(complaint_mail().as_bytes(policy=policy.SMTP))
            return [first, *(client.getreply()[0] for _ in recipients[1:])]

    try:
        answers = await asyncio.to_thread(deliver)
    finally:
        server.close()
        await server.wait_closed()
    assert answers == [250, 250]
    assert await complaints(office) == 1


async def test_a_message_not_taken_is_refused_for_later_then_taken_once(office, gateway, receiver):
    """rule 14: the store away, the mail server hears 451 and keeps the message; sent again
    once the store is back, it is one complaint with its files, under the reference written
    before the first try."""
    files = office.settings.resolved_files_dir
    files.parent.mkdir(parents=True, exist_ok=True)
    files.write_text("pas un dossier")  # the store cannot write under a file
    message = complaint_mail()
    with pytest.raises(aiosmtplib.SMTPDataError) as refused:
        await send(receiver, message)
    assert refused.value.code == 451
    [row] = await ledger_rows(office)
    assert not row.done and row.reference
    files.unlink()
    await send(receiver, message)
    row, reference = await only_complaint(office)
    assert row.done and row.reference == reference
    reading = await office.service.read(AGENT, reference)
    assert len([d for d in reading.complaint.documents if d.file]) == 2
    assert await complaints(office) == 1


async def test_only_the_mail_gateway_takes_mail(office, gateway):
    mail = read_mail(bytes(complaint_mail()))
    with pytest.raises(Forbidden):
        await office.service.take_mail(AGENT, mail, datetime.now(UTC), "test")
    assert await ledger_rows(office) == []


async def test_what_cannot_be_registered_is_set_aside_with_why(office, gateway):
    # Arrived four years ago (an old mailbox read at last): past the intake's 3 years.
    old = datetime.now(UTC) - timedelta(days=4 * 365)
    taken = await gateway.take(bytes(complaint_mail(sent=old)), old, "imap:INBOX")
    nobody = complaint_mail()
    del nobody["From"]
    nobody["From"] = "Expéditeur inconnu"
    unanswerable = await gateway.take(bytes(nobody), datetime.now(UTC), "imap:INBOX")
    assert (taken.disposition, unanswerable.disposition) == (Disposition.aside,) * 2
    assert taken.reason == "non enregistrable (sent_on) : à saisir à la main"
    assert unanswerable.reason == "expéditeur sans adresse : personne à qui répondre"
    assert await complaints(office) == 0


async def test_a_reply_to_a_closed_complaint_is_a_new_one(office, receiver):
    await send(receiver, complaint_mail())
    _, reference = await only_complaint(office)
    await office.service.act(DOCTOR, reference, "withdraw", {"note": "Désistement"})
    await until(
        lambda: office.service.read(DOCTOR, reference),
        lambda reading: reading.complaint.closed_at is not None,
        what="the complaint closed",
    )
    await send(receiver, reply_to(reference))
    new = [row for row in await ledger_rows(office) if row.reference != reference]
    assert [row.disposition for row in new] == [Disposition.complaint]
    assert await complaints(office) == 2


async def test_an_attachment_of_another_type_stays_inside_the_message_kept(office, gateway):
    message = complaint_mail()
    message.add_attachment(
        b"PK\x03\x04 un document Word",
        maintype="application",
        subtype="vnd.openxmlformats-officedocument.wordprocessingml.document",
        filename="courrier.docx",
    )
    taken = await gateway.take(bytes(message), datetime.now(UTC), "smtp")
    assert (taken.disposition, taken.files_refused) == (Disposition.complaint, 1)
    assert taken.reference is not None
    reading = await office.service.read(AGENT, taken.reference)
    kinds = sorted(d.file.media_type for d in reading.complaint.documents if d.file)
    assert kinds == [MediaType.pdf, MediaType.email]
    [evidence] = [
        d.file
        for d in reading.complaint.documents
        if d.file and d.file.media_type == MediaType.email
    ]
    kept = await office.service.document_file(AGENT, taken.reference, evidence.sha256)
    assert b"courrier.docx" in kept.content
