"""The SMTP server refusing or dropping mail: letters retry, are never lost, never doubled;
a recipient refused for good (5xx) is an incident, never retried in a loop (rule 14)."""

from collections import Counter

from aiosmtpd.controller import Controller

from reclamations.domain.complaint import IncidentKind
from reclamations.domain.letters import LetterKind
from tests.activities.conftest import Mailbox, free_port
from tests.conftest import make_settings, open_office
from tests.faults.conftest import FaultSystem
from tests.office import action, intake_data, kinds, until

COMPLAINTS = 20


async def test_refused_and_dropped_mail_is_sent_once_in_the_end(fault_system: FaultSystem):
    system = fault_system
    mailbox = Mailbox(troubles=("refuse", "drop", "refuse"))
    port = free_port()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=port)
    smtp.start()
    try:
        system.worker(RECLAMATIONS_SMTP_HOST="127.0.0.1", RECLAMATIONS_SMTP_PORT=str(port))
        references = [f"SMTP-{n:02d}" for n in range(COMPLAINTS)]
        for reference in references:
            await system.start(reference, channel="email")
            await system.act(reference, action("qualify"))
        for reference in references:
            state = await system.settled(reference)
            assert [letter.kind.value for letter in state.letters] == ["acknowledgement"]
            assert state.letters[0].location.startswith("smtp:")
    finally:
        smtp.stop()
    delivered = Counter(message["Message-ID"] for message in mailbox.received)
    assert len(delivered) == COMPLAINTS and set(delivered.values()) == {1}
    assert all(attempts == 4 for attempts in mailbox.attempts.values())  # 3 troubles, then sent
    assert await system.count_letters_sent() == COMPLAINTS


async def test_a_recipient_refused_for_good_is_an_incident_and_sent_once_mended(
    temporal_env, tmp_path, sqlite_sessions, keyring
):
    mailbox = Mailbox()
    address = intake_data("2026-01-05")["complainant"]["email"]
    mailbox.unknown.add(address)  # 550: no such mailbox, however often it is asked
    port = free_port()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=port)
    smtp.start()
    settings = make_settings(tmp_path, smtp_host="127.0.0.1", smtp_port=port)
    try:
        async with open_office(temporal_env, settings, sqlite_sessions, keyring) as office:
            handle = await office.start()
            await office.signal(handle, action("qualify"))  # the acknowledgement is due at once
            state = await until(lambda: office.state(handle), lambda s: s.open_incidents)
            [incident] = state.open_incidents
            assert (incident.kind, incident.letter) == (
                IncidentKind.letter,
                LetterKind.acknowledgement,
            )
            assert "Adresse refusée par le serveur de courrier" in incident.reason
            assert address not in incident.reason
            # Asked once: a permanent refusal is not tried again until someone mends it.
            assert mailbox.recipients_tried == [address] and kinds(state) == []

            mailbox.unknown.clear()  # the address corrected at the mail server's end
            await office.act(handle, action("retry", actor="exploitation"))
            state = await office.settled(handle)
            assert not state.open_incidents and kinds(state) == ["acknowledgement"]
    finally:
        smtp.stop()
    assert mailbox.recipients_tried == [address, address]
    assert len(mailbox.received) == 1
