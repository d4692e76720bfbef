"""The send_letter activity: render once, deliver, record; idempotent on
(complaint, letter kind, sequence), so a retry after a crash never sends a letter twice."""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, parseaddr
from typing import Any

from sqlalchemy import select, update
from temporalio import activity

from reclamations.activities.failures import without_content
from reclamations.activities.letters.delivery import EmailSender, PostOutbox, letter_stem
from reclamations.activities.letters.links import LetterLinks
from reclamations.activities.letters.rendering import (
    FOLLOW_LINK,
    LetterLayout,
    LetterRenderer,
    letter_html,
)
from reclamations.activities.records import write_record
from reclamations.db.engine import SessionFactory, statements
from reclamations.db.models import LetterRow
from reclamations.db.upsert import insert_missing, upsert_columns
from reclamations.domain.content import is_sealed
from reclamations.domain.letters import Delivery
from reclamations.security.blind_index import BlindIndex
from reclamations.security.complaint_keys import ComplaintKeys, keyring_of
from reclamations.security.keyring import Keyring
from reclamations.security.sealing import UNREADABLE, Unreadable, open_sealed, seal
from reclamations.workflows.messages import SEND_LETTER_ACTIVITY, LetterInput, LetterReceipt

STATUS_RENDERED = "rendered"
STATUS_SENT = "sent"
# What a letter held by an incident renders again when it leaves on a later day.
REDATED = ("recipient", "subject", "body", "layout", "letter_on")


@dataclass(frozen=True)
class Clear:
    """A letter as it is sent: to whom, and its text, never sealed."""

    recipient: str
    subject: str
    body: str
    layout: LetterLayout


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
        keys: ComplaintKeys | None = None,
        links: LetterLinks | None = None,
    ) -> None:
        self._sessions = sessions
        self._renderer = renderer
        self._email = email
        self._post = post
        self._keyring = keyring
        self._mail_from = mail_from
        self._message_id_domain = message_id_domain
        self._keys = keys  # issue 28: a medical letter sealed with its complaint's own key
        self._links = links  # issue 26: the complainant's private link, where enabled
        # issue 29: the search index is the install's, kept when _sealing_with changes _keyring.
        self._index = BlindIndex(keyring)

    @activity.defn(name=SEND_LETTER_ACTIVITY)
    @without_content
    async def send_letter(self, letter: LetterInput) -> LetterReceipt:
        if not letter.intake.medical or self._keys is None:
            return await self._send(letter)
        keyring = await keyring_of(self._keys, self._keyring, letter.reference, create=True)
        return await self._sealing_with(keyring)._send(letter)

    def _sealing_with(self, keyring: Keyring) -> LetterActivities:
        """These activities, sealing and opening with `keyring` (one medical complaint's)."""
        sealing = copy.copy(self)
        sealing._keyring = keyring
        sealing._post = self._post.sealing_with(keyring)
        return sealing

    async def _send(self, letter: LetterInput) -> LetterReceipt:
        key = (letter.reference, letter.order.kind.value, letter.order.sequence)
        if await self._status(key) is None:
            return await self._send_first(letter)
        # Tried before (a failed attempt, or a letter an incident held): the stored text goes.
        row = await self._rendered(letter, key)
        if row.status == STATUS_SENT and row.location:
            return LetterReceipt(location=row.location)
        body, layout = self._stored(row, letter.intake.medical)
        location = await self._deliver(
            letter, Delivery(row.delivery), Clear(row.recipient, row.subject, body, layout)
        )
        async with self._sessions.begin() as session:
            await session.execute(
                update(LetterRow)
                .where(
                    LetterRow.reference == key[0],
                    LetterRow.kind == key[1],
                    LetterRow.sequence == key[2],
                )
                # The record keeps when it really left; the letter itself is dated letter.at.
                .values(status=STATUS_SENT, location=location, sent_at=datetime.now(UTC))
            )
        return LetterReceipt(location=location)

    async def _status(self, key: tuple[str, str, int]) -> str | None:
        """The stored letter's status; none on a letter's first try (a storm's every letter)."""
        async with statements(self._sessions, write=False) as connection:
            return await connection.scalar(
                select(LetterRow.status).where(
                    LetterRow.reference == key[0],
                    LetterRow.kind == key[1],
                    LetterRow.sequence == key[2],
                )
            )

    async def _send_first(self, letter: LetterInput) -> LetterReceipt:
        """A letter's first try: rendered, sent, then its row, marked sent, and the record of
        the state that ordered it, in one transaction. If it does not leave, the letter as
        rendered and that record are written all the same before the failure goes up: the
        register shows the state while the letter waits, and a retry sends this very text."""
        rendering, clear = self._render(letter)
        try:
            location = await self._deliver(letter, letter.order.delivery, clear)
        except Exception:
            with contextlib.suppress(Exception):  # the send's failure is the one to report
                async with statements(self._sessions) as connection:
                    await insert_missing(connection, LetterRow, [rendering])
                    if letter.record is not None:
                        await write_record(connection, letter.record, self._keyring, self._index)
            raise
        sent = {
            **rendering,
            "status": STATUS_SENT,
            "location": location,
            "sent_at": datetime.now(UTC),
        }
        async with statements(self._sessions, batched=True) as connection:
            # Another try of the same letter that got there first keeps its text: this one
            # only marks the letter sent (both sent the same business key, and message id).
            await upsert_columns(connection, LetterRow, sent, ("status", "location", "sent_at"))
            if letter.record is not None:
                await write_record(connection, letter.record, self._keyring, self._index)
        return LetterReceipt(location=location)

    async def _deliver(self, letter: LetterInput, delivery: Delivery, clear: Clear) -> str:
        """The letter on its way: by email, or to the print room; where it went."""
        clear = await self._with_link(letter, clear)
        stem = letter_stem(letter.order.kind.value, letter.order.sequence)
        if delivery == Delivery.email:
            message = self._email_message(letter, clear)
            return await self._email.send(message, letter.reference, stem)
        return await self._post.send(
            clear.layout, clear.subject, letter.reference, stem, sealed=letter.intake.medical
        )

    async def _with_link(self, letter: LetterInput, clear: Clear) -> Clear:
        """The letter as it leaves, with the complainant's private link where the stored one
        says it is (issue 26)."""
        if self._links is None or FOLLOW_LINK not in clear.body:
            return clear
        order = letter.order
        url = await self._links.issue(letter.reference, order.kind.value, order.sequence)
        text = clear.layout.text.replace(FOLLOW_LINK, url)
        return replace(
            clear,
            body=clear.body.replace(FOLLOW_LINK, url),
            layout=clear.layout.model_copy(update={"text": text}),
        )

    def _stored(self, row: LetterRow, medical: bool) -> tuple[str, LetterLayout]:
        """The text and layout as first rendered, opened for sending (rule 11)."""

        def opened(text: str) -> str:
            # A recipient recorded before identities were sealed at rest is read as it is.
            sealed = medical and is_sealed(text)
            return open_sealed(self._keyring, row.reference, text) if sealed else text

        body = opened(row.body)
        if row.layout is None:  # rendered before layouts were kept: its text says it all
            recipient = opened(row.recipient) if row.delivery == Delivery.post else ""
            return body, LetterLayout.of_text(body, recipient)
        return body, LetterLayout.model_validate_json(opened(row.layout))

    async def _rendered(self, letter: LetterInput, key: tuple[str, str, int]) -> LetterRow:
        """The letter as first rendered: a retry sends exactly the same text, the stored one
        (its own rendering is not inserted: the key is taken), unless the letter is dated
        another day. The state that ordered the letter, when it comes along, is recorded in the
        same transaction (already, unless the earlier try's write failed too)."""
        rendered, _clear = self._render(letter)
        async with self._sessions.begin() as session:
            await insert_missing(session, LetterRow, [rendered])
            if letter.record is not None:
                await write_record(session, letter.record, self._keyring, self._index)
            row = await session.get(LetterRow, key)
            assert row is not None
            if row.status != STATUS_SENT and row.letter_on != rendered["letter_on"]:
                # rule 14: a letter an incident held leaves dated the day it leaves,
                # saying what is true then (the workflow dates it anew when it releases it).
                for field in REDATED:
                    setattr(row, field, rendered[field])
        return row

    def _render(self, letter: LetterInput) -> tuple[dict[str, Any], Clear]:
        """The letter's row as stored (sealed for a medical complaint), and in clear to send."""
        open_text = self._opener(letter)
        letter = _addressed(letter, open_text)
        rendered = self._renderer.render(letter, open_text)
        complainant = letter.intake.complainant
        recipient = (
            complainant.email or ""
            if letter.order.delivery is Delivery.email
            else f"{complainant.name}\n{complainant.postal_address or ''}"
        )
        body, layout = rendered.body, rendered.layout.model_dump_json()

        def sealed(text: str) -> str:
            # rule 11: a medical letter, and whom it goes to, are never stored in clear.
            return seal(self._keyring, letter.reference, text) if letter.intake.medical else text

        row = {
            "reference": letter.reference,
            "kind": letter.order.kind.value,
            "sequence": letter.order.sequence,
            "delivery": letter.order.delivery.value,
            "recipient": sealed(recipient),
            "subject": rendered.subject,
            "body": sealed(body),
            "layout": sealed(layout),
            "status": STATUS_RENDERED,
            "letter_on": rendered.letter_on,
            "location": None,
            "sent_at": None,
        }
        return row, Clear(recipient, rendered.subject, body, rendered.layout)

    def _opener(self, letter: LetterInput) -> Callable[[str], str]:
        """How this letter reads its complaint's content: a medical complaint's sealed text is
        opened here, on paper for its addressee; nothing of any other complaint is ever opened."""
        if not letter.intake.medical:
            return lambda text: text

        def open_text(text: str) -> str:
            try:
                return open_sealed(self._keyring, letter.reference, text)
            except Unreadable as error:
                # Recorded without the value; the letter still goes (rule 14).
                activity.logger.warning(
                    "Contenu scellé illisible dans le courrier %s de %s (%s)",
                    letter.order.kind.value,
                    letter.reference,
                    error,
                )
                return UNREADABLE

        return open_text

    def _email_message(self, letter: LetterInput, clear: Clear) -> Message:
        """The letter in HTML, and the same letter in plain text for mail readers without.
        It comes from the complaint's entity, by name (rule 19), through the install's
        mailbox; a letter from before layouts keeps the mailbox's own name."""
        message = MIMEMultipart("alternative")
        message.attach(MIMEText(clear.body, "plain", "utf-8"))
        message.attach(MIMEText(letter_html(clear.layout), "html", "utf-8"))
        mailbox_name, address = parseaddr(self._mail_from)
        name = clear.layout.letterhead or mailbox_name
        message["From"] = formataddr((name, address), charset="utf-8")
        message["To"] = clear.recipient
        message["Subject"] = Header(clear.subject, "utf-8")  # type: ignore[assignment]
        message["Date"] = format_datetime(letter.at)
        # The same id on every attempt: mail systems can recognise a repeat delivery; and a
        # reply naming it (In-Reply-To) joins its complaint (reclamations/mail, issue 27).
        order = letter.order
        message["Message-ID"] = (
            f"<{letter.reference}.{order.kind.value}.{order.sequence}@{self._message_id_domain}>"
        )
        # RFC 3834: sent by the system, so that no vacation responder answers it (a loop).
        message["Auto-Submitted"] = "auto-generated"
        return message


def _addressed(letter: LetterInput, open_text: Callable[[str], str]) -> LetterInput:
    """A medical complaint's address given after intake is sealed like the rest of its
    content (rule 11): opened here, for the envelope only."""
    complainant = letter.intake.complainant
    address = complainant.postal_address
    if address is None or not is_sealed(address):
        return letter
    opened = complainant.model_copy(update={"postal_address": open_text(address)})
    intake = letter.intake.model_copy(update={"complainant": opened})
    return letter.model_copy(update={"intake": intake})
