"""Activity tests call the activities directly, on real databases and a real SMTP server."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, date, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from reclamations.domain.complaint import Complaint
from reclamations.domain.intake import parse_intake
from reclamations.domain.planning import plan_complaint
from reclamations.domain.policy import Policy

NOW = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)
TODAY = date(2026, 11, 27)


def a_complaint(
    reference: str = "REC-2026-000042", today: date = TODAY, **changes: Any
) -> Complaint:
    data: dict[str, Any] = {
        "channel": "email",
        "sent_on": "2026-11-20",
        "complainant": {
            "name": "Hélène Garnier",
            "email": "helene.garnier@example.fr",
            "postal_address": "12 rue des Tilleuls\n69003 Lyon",
        },
        "subject": "Remboursement d'optique",
        "description": "Toujours rien reçu.",
    }
    data.update(changes)
    intake = parse_intake(data, today)
    return Complaint.open(reference, intake, plan_complaint(intake, Policy()), NOW)


class Mailbox:
    """An SMTP server's handler: keeps what it accepts; can refuse the first attempts, or,
    with `troubles`, refuse then drop the connection (before accepting) for every message;
    refuses for good (550) the recipients in `unknown`, as a server that has no such box."""

    def __init__(self, troubles: tuple[str, ...] = ()) -> None:
        self.received: list[EmailMessage] = []
        self.refuse_next = 0
        self.troubles = troubles
        self.attempts: dict[str, int] = {}
        self.unknown: set[str] = set()
        self.recipients_tried: list[str] = []

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        self.recipients_tried.append(address)
        if address in self.unknown:
            return "550 5.1.1 <" + address + ">: Recipient address rejected: no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse_next > 0:
            self.refuse_next -= 1
            return "451 4.3.0 Mailbox temporarily unavailable"
        key = message_from_bytes(envelope.content, policy=policy.default)["Message-ID"]
        attempt = self.attempts[key] = self.attempts.get(key, 0) + 1
        trouble = self.troubles[attempt - 1] if attempt <= len(self.troubles) else None
        if trouble == "refuse":
            return "451 4.3.0 Mailbox temporarily unavailable"
        if trouble == "drop":
            server.transport.abort()  # the line goes dead before the message is accepted
            return "421 4.4.2 Connection dropped"
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append(message)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield mailbox, port
    controller.stop()
