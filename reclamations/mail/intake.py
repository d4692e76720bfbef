"""The mail gateway: what both ways in (IMAP, SMTP/LMTP) do with a raw message. It reads it,
says whether it is medical, and hands it to the door as the gateway's principal; one message
at a time per key, so that the same message arriving by two ways at once is taken once."""

from __future__ import annotations

import asyncio
import dataclasses
import weakref
from collections.abc import Sequence
from datetime import datetime
from email.utils import parseaddr

from reclamations.domain.access import Principal, Role
from reclamations.mail.message import NULL_SENDER, read_mail
from reclamations.service import ComplaintService, Taken
from reclamations.settings import Settings


class MailGateway:
    def __init__(self, door: ComplaintService, settings: Settings) -> None:
        self._door = door
        self.principal = Principal(settings.mail_gateway_name, Role.intake)
        self._own_domains = tuple(settings.mail_own_domains)
        self._own_addresses = (parseaddr(settings.mail_from)[1],)
        self._id_domain = settings.mail_message_id_domain
        self._medical = {address.lower() for address in settings.mail_medical_addresses}
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    async def take(
        self,
        raw: bytes,
        arrived_at: datetime,
        source: str,
        recipients: Sequence[str] = (),
        null_sender: bool = False,
    ) -> Taken:
        """One message: a complaint made or joined, or set aside. Raises the door's errors
        (Unavailable above all): then nothing is settled, and the message is taken again.
        `null_sender`: handed over with an empty envelope sender (`MAIL FROM:<>`), which mail
        systems use for bounces and automatic replies (RFC 5321, RFC 3834); the message itself
        does not say so, its `Return-Path:` being written only at final delivery."""
        mail = await asyncio.to_thread(
            read_mail, raw, self._own_domains, self._own_addresses, self._id_domain
        )
        if null_sender and mail.aside is None:
            mail = dataclasses.replace(mail, aside=NULL_SENDER)
        # rule 11: addressed to the Médecin Conseil's mailbox, by envelope or by header.
        medical = any(r.lower() in self._medical for r in (*recipients, *mail.recipients))
        lock = self._locks.setdefault(mail.key, asyncio.Lock())
        async with lock:
            return await self._door.take_mail(
                self.principal, mail, arrived_at, source, medical, self._id_domain
            )
