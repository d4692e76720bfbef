"""The SMTP server refusing or dropping mail: letters retry, are never lost, never doubled."""

from collections import Counter

from aiosmtpd.controller import Controller

from tests.activities.conftest import Mailbox, free_port
from tests.faults.conftest import FaultSystem
from tests.office import action

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
