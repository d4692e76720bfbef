"""The send_letter activity: render once, deliver, record; idempotent on
(complaint, letter kind, sequence), so a retry after a crash never sends a letter twice."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime

from temporalio import activity

from activities.letters.delivery import EmailSender, PostOutbox, letter_stem
from activities.letters.rendering import LetterRenderer
from db.engine import SessionFactory
from db.models import LetterRow
from db.upsert import insert_missing
from domain.letters import Delivery
from security.keyring import Keyring
from security.sealing import seal, unseal
from workflows.messages import SEND_LETTER_ACTIVITY, LetterInput, LetterReceipt

STATUS_RENDERED = "rendered"
STATUS_SENT = "sent"


class LetterActivities:
    def __init__(
        self,
        sessions: SessionFactory,
        renderer: LetterRenderer,
        email: EmailSender,
        post: PostOutbox,
        keyring: Keyring,
        mail_from: str,
        message_id_domain: str = "reclamations.local",
    ) -> None:
        self._sessions = sessions
        self._renderer = renderer
        self._email = email
        self._post = post
        self._keyring = keyring
        self._mail_from = mail_from
        self._message_id_domain = message_id_domain

    @activity.defn(name=SEND_LETTER_ACTIVITY)
    async def send_letter(self, letter: LetterInput) -> LetterReceipt:
        key = (letter.reference, letter.order.kind.value, letter.order.sequence)
        row = await self._rendered(letter, key)
        if row.status == STATUS_SENT and row.location:
            return LetterReceipt(location=row.location)
        body = unseal(self._keyring, row.body)
        stem = letter_stem(row.kind, row.sequence)
        if row.delivery == Delivery.email:
            location = await self._email.send(
                self._email_message(row, body, letter.at), letter.reference, stem
            )
        else:
            location = await self._post.send(body, row.subject, letter.reference, stem)
        async with self._sessions.begin() as session:
            stored = await session.get(LetterRow, key, with_for_update=True)
            assert stored is not None
            stored.status = STATUS_SENT
            stored.location = location
            # The record keeps when it really left; the letter itself is dated letter.at.
            stored.sent_at = datetime.now(UTC)
        return LetterReceipt(location=location)

    async def _rendered(self, letter: LetterInput, key: tuple[str, str, int]) -> LetterRow:
        """The letter as first rendered: a retry sends exactly the same text."""
        async with self._sessions() as session:
            row = await session.get(LetterRow, key)
        if row is not None:
            return row
        rendered = self._renderer.render(letter, lambda text: unseal(self._keyring, text))
        medical = letter.intake.medical
        complainant = letter.intake.complainant
        recipient = (
            complainant.email or ""
            if letter.order.delivery is Delivery.email
            else f"{complainant.name}\n{complainant.postal_address or ''}"
        )
        async with self._sessions.begin() as session:
            await insert_missing(
                session,
                LetterRow,
                [
                    {
                        "reference": letter.reference,
                        "kind": letter.order.kind.value,
                        "sequence": letter.order.sequence,
                        "delivery": letter.order.delivery.value,
                        "recipient": recipient,
                        "subject": rendered.subject,
                        # DESIGN rule 11: a medical letter is never stored in clear.
                        "body": seal(self._keyring, rendered.body) if medical else rendered.body,
                        "status": STATUS_RENDERED,
                        "letter_on": rendered.letter_on,
                    }
                ],
            )
        async with self._sessions() as session:
            stored = await session.get(LetterRow, key)
            assert stored is not None
            return stored

    def _email_message(self, row: LetterRow, body: str, at: datetime) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self._mail_from
        message["To"] = row.recipient
        message["Subject"] = row.subject
        message["Date"] = format_datetime(at)
        # The same id on every attempt: mail systems can recognise a repeat delivery.
        message["Message-ID"] = (
            f"<{row.reference}.{row.kind}.{row.sequence}@{self._message_id_domain}>"
        )
        message.set_content(body)
        return message
