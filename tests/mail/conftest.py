"""What the mail tests share: the gateway of the test's office, and our SMTP receiver."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from reclamations.mail.intake import MailGateway
from reclamations.mail.receiver import serve
from tests.imap_server import free_port
from tests.mail.builders import ID_DOMAIN, MEDICAL_ADDRESS, OWN_DOMAIN
from tests.office import Office


@pytest.fixture
def gateway(office: Office) -> MailGateway:
    office.settings = office.settings.model_copy(
        update={
            "mail_own_domains": [OWN_DOMAIN],
            "mail_medical_addresses": [MEDICAL_ADDRESS],
            "mail_message_id_domain": ID_DOMAIN,
            "mail_from": f"Réclamations <reclamations@{OWN_DOMAIN}>",
        }
    )
    return MailGateway(office.service, office.settings)


@pytest.fixture
async def receiver(gateway: MailGateway) -> AsyncIterator[int]:
    port = free_port()
    server = await serve(gateway, "127.0.0.1", port)
    yield port
    server.close()
    await server.wait_closed()
