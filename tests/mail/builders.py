"""Messages for the mail tests, from the canonical example (examples/email_complaint.eml)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

EXAMPLE = Path(__file__).parents[2] / "examples" / "email_complaint.eml"
OWN_DOMAIN = "mutex.example"
ID_DOMAIN = "reclamations.local"
MEDICAL_ADDRESS = "medecin-conseil@mutex.example"
PARIS = ZoneInfo("Europe/Paris")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def example() -> EmailMessage:
    message = message_from_bytes(EXAMPLE.read_bytes(), policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def complaint_mail(
    sent: datetime | None = None,
    message_id: str | None = "fresh",
    received: datetime | None = None,
    **headers: str,
) -> EmailMessage:
    """The example, sent `sent` (an hour ago by default), with a Message-ID of its own
    ("fresh"), none (None) or the one given, and our server's Received: at `received`."""
    message = example()
    sent = sent or datetime.now(UTC) - timedelta(hours=1)
    # As a French mail client writes it, in Paris time (+0100 or +0200).
    message.replace_header("Date", format_datetime(sent.astimezone(PARIS)))
    del message["Message-ID"]
    if message_id == "fresh":
        message["Message-ID"] = f"<{uuid.uuid4().hex}@messagerie.example.fr>"
    elif message_id is not None:
        message["Message-ID"] = message_id
    del message["Received"]
    at = received or sent + timedelta(seconds=5)
    message["Received"] = (
        f"from mx1.{OWN_DOMAIN} by mail.{OWN_DOMAIN} with ESMTP; {format_datetime(at)}"
    )
    for name, value in headers.items():
        header = name.replace("_", "-")
        del message[header]
        message[header] = value
    return message


def reply_to(
    reference: str,
    kind: str = "acknowledgement",
    quoted: bool = False,
    letter: EmailMessage | None = None,
    sender: str = "Hélène Garnier <helene.garnier@example.fr>",
) -> EmailMessage:
    """The complainant's answer to one of our letters (In-Reply-To its Message-ID: the
    `letter`'s as it was sent, or one of that `kind`), with a PDF; or, `quoted`, a new
    message that only names the reference in its subject. From the example's complainant
    unless `sender` says otherwise."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = f"reclamations@{OWN_DOMAIN}"
    message["Date"] = format_datetime(datetime.now(UTC) - timedelta(minutes=5))
    message["Message-ID"] = f"<{uuid.uuid4().hex}@messagerie.example.fr>"
    if quoted:
        message["Subject"] = f"Ma réclamation {reference} : pièce complémentaire"
    else:
        our_id = letter["Message-ID"] if letter else f"<{reference}.{kind}.1@{ID_DOMAIN}>"
        subject = letter["Subject"] if letter else f"votre réclamation {reference}"
        message["Subject"] = f"Re: {subject}"
        message["In-Reply-To"] = our_id
        message["References"] = our_id
    message.set_content("Voici le justificatif demandé.\n")
    message.add_attachment(
        PDF + uuid.uuid4().hex.encode(),
        maintype="application",
        subtype="pdf",
        filename="justificatif.pdf",
    )
    return message
