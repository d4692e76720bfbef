"""Issue 27 item 6: an email complaint found medical after it arrived is marked so by an agent,
and from then on is the Médecin Conseil's alone (rule 11): nothing of it in clear in the record
or the file store (the raw message kept as evidence included), the postal notice by post, the
agent locked out, its complainant found by name by the Médecin Conseil only, and a later reply
filed sealed. A real SMTP client to our receiver, the door, a real Temporal test server."""

from __future__ import annotations

import asyncio
import uuid
from email.message import EmailMessage

import pytest

from reclamations.domain.errors import Forbidden, Unavailable
from reclamations.security.envelopes import is_enveloped
from reclamations.storage.files import FolderStore, file_key
from reclamations.workflows.complaint import ComplaintWorkflow
from reclamations.workflows.messages import workflow_id
from tests.erasure import database_contents, found, payloads_in, store_contents
from tests.mail.builders import OWN_DOMAIN, PDF, reply_to
from tests.mail.test_intake import AGENT, DOCTOR, only_complaint, send
from tests.office import Office, at_rest, until

# ASCII on purpose: JSON, SQLite and the raw message keep it byte for byte.
NAME, EMAIL = "Quentin Barbenoire", "quentin.barbenoire@example.fr"
SUBJECT, BODY = "Optique MarqueurSujet7731", "Mon traitement MarqueurCorps5512 continue."
NOTE, ATTACHED = "Elle parle de MarqueurNote8841", "MarqueurPiece2290"
MARKERS = ["Barbenoire", EMAIL, "MarqueurSujet7731", "MarqueurCorps5512", NOTE, ATTACHED]
ADDRESS = "4 rue des Acacias\n21000 Dijon"


def health_mail() -> EmailMessage:
    """A complaint by email that turns out to speak of health, with a PDF attached."""
    message = EmailMessage()
    message["From"] = f"{NAME} <{EMAIL}>"
    message["To"] = f"reclamations@{OWN_DOMAIN}"
    message["Subject"] = SUBJECT
    message["Message-ID"] = f"<{uuid.uuid4().hex}@messagerie.example.fr>"
    message.set_content(BODY + "\n")
    pdf = PDF.replace(b"%%EOF", f"% {ATTACHED}\n%%EOF".encode())
    message.add_attachment(pdf, maintype="application", subtype="pdf", filename="ordonnance.pdf")
    return message


async def files_sealed(office: Office, reference: str) -> list[bool]:
    reading = await office.service.read(DOCTOR, reference)
    store = FolderStore(office.settings.resolved_files_dir)
    return [
        is_enveloped(await store.get(file_key(reference, d.file.sha256)))
        for d in reading.complaint.documents
        if d.file
    ]


async def test_an_email_complaint_found_medical_is_sealed_everywhere_and_the_doctors_alone(
    office, receiver
):
    await send(receiver, health_mail())
    _, reference = await only_complaint(office)
    handle = office.client.get_workflow_handle_for(ComplaintWorkflow.run, workflow_id(reference))
    await office.service.act(DOCTOR, reference, "assign", {"assignee": AGENT.name})
    await office.service.act(AGENT, reference, "qualify", {"note": NOTE})
    await until(lambda: asyncio.to_thread(office.outbox, "email/**/*.eml"))  # acknowledged
    await office.settled(handle)
    # Before: an ordinary complaint, kept in clear (so the search below means something).
    assert set(found(MARKERS, database_contents(office))) == set(MARKERS) - {ATTACHED}
    assert await files_sealed(office, reference) == [False, False]
    assert [f.reference for f in (await office.service.search(AGENT, NAME)).found] == [reference]

    marked = await office.service.act(AGENT, reference, "mark_medical", {})

    assert marked.complaint.medical and not marked.readable
    # The agent who marked it reads it no more, nor its files (rule 11).
    assert not (await office.service.read(AGENT, reference)).readable
    evidence = (await office.service.read(DOCTOR, reference)).complaint.documents[0]
    assert evidence.file is not None
    with pytest.raises(Forbidden):
        await office.service.document_file(AGENT, reference, evidence.file.sha256)
    with pytest.raises(Forbidden):
        await office.service.act(AGENT, reference, "answer", {"decision": "upheld", "reasons": "x"})
    # The Médecin Conseil reads it all, the raw message kept as evidence included.
    assert BODY in (await office.service.read(DOCTOR, reference)).complaint.intake.description
    kept = await office.service.document_file(DOCTOR, reference, evidence.file.sha256)
    assert b"MarqueurCorps5512" in kept.content
    # rule 11: no address, so the postal notice waits for it; then it goes, by post.
    reading = await office.service.read(DOCTOR, reference)
    assert [i.kind.value for i in reading.complaint.open_incidents] == ["address"]
    await office.service.act(DOCTOR, reference, "correct_address", {"postal_address": ADDRESS})
    letters = await until(
        lambda: office.letters(reference),
        lambda rows: any(r.kind == "medical_postal_notice" and r.sent_at for r in rows),
        what="the postal notice",
    )
    assert [(r.kind, r.delivery) for r in letters] == [
        ("acknowledgement", "email"),
        ("medical_postal_notice", "post"),
    ]
    # Its history, before the marking as after, holds nothing readable without its key (in
    # the application's processes the complaint's own, the one its sealed values open with);
    # the codec endpoint opens it for the Médecin Conseil alone (tests/web/test_codec.py).
    await at_rest(handle)
    await office.settled(handle)
    history = await handle.fetch_history()
    payloads = [p for event in history.events for p in payloads_in(event)]
    # Those in clear (search attributes, nulls) as they are, beside the history's JSON.
    clear = b"".join(p.data for p in payloads if p.metadata["encoding"] != b"binary/encrypted")
    assert found([SUBJECT, BODY, NOTE, ATTACHED], history.to_json().encode() + clear) == []
    assert any(p.metadata["encoding"] == b"binary/encrypted" for p in payloads)
    # Nothing of it in clear in the record or the file store.
    assert found(MARKERS, database_contents(office)) == []
    assert found(MARKERS, store_contents(office)) == []
    assert await files_sealed(office, reference) == [True, True]
    # Found by name by the Médecin Conseil alone.
    assert (await office.service.search(AGENT, NAME)).found == []
    assert [f.reference for f in (await office.service.search(DOCTOR, NAME)).found] == [reference]
    # A reply by email joins it sealed: its message and attachment encrypted at rest.
    await send(receiver, reply_to(reference, quoted=True, sender=f"{NAME} <{EMAIL}>"))
    await until(lambda: files_sealed(office, reference), lambda sealed: len(sealed) == 4)
    assert await files_sealed(office, reference) == [True, True, True, True]
    # A sealing cut short (the raw message left in clear): read, it is refused, never served
    # in clear; marked again by the Médecin Conseil, it is finished, and nothing else changes.
    store = FolderStore(office.settings.resolved_files_dir)
    await store.put(file_key(reference, evidence.file.sha256), kept.content)
    with pytest.raises(Unavailable):
        await office.service.document_file(DOCTOR, reference, evidence.file.sha256)
    version = (await office.service.read(DOCTOR, reference)).complaint.version
    again = await office.service.act(DOCTOR, reference, "mark_medical", {})
    assert again.complaint.version == version
    assert await files_sealed(office, reference) == [True, True, True, True]
    assert (await office.service.document_file(DOCTOR, reference, evidence.file.sha256)).content
