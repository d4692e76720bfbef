"""Mail through the door (issue 27): a message read by the mail intake becomes a complaint,
joins the complaint it answers as correspondence, or is filed aside; once and only once,
whichever mailbox or protocol brought it, however often (reclamations/mail/ledger.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import SQLAlchemyError
from temporalio.service import RPCError

from reclamations.db.models import MailMessageRow
from reclamations.domain.access import Principal, may_erase, may_take_mail
from reclamations.domain.calendar import timezone_of
from reclamations.domain.clock import local_date
from reclamations.domain.complaint import Complaint
from reclamations.domain.errors import (
    Closed,
    Forbidden,
    Invalid,
    NotFound,
    Refused,
    Unavailable,
)
from reclamations.domain.files import FileFacts, MediaType
from reclamations.domain.intake import DocumentKind
from reclamations.mail import ledger
from reclamations.mail.ledger import Disposition
from reclamations.mail.message import Mail, our_references, sending_time
from reclamations.security.envelopes import seal_file
from reclamations.service.base import UNAVAILABLE
from reclamations.service.files import Upload
from reclamations.service.person import same_address
from reclamations.service.register import RegisterPart
from reclamations.storage.files import StoreUnavailable

# Messages set aside are kept whole, sealed (an auto-reply may quote a medical complaint), in
# the files' store under this prefix: reviewable by an operator, never a complaint's document.
ASIDE_PREFIX = "mail-aside"
QUOTED_AT_MOST = 5


@dataclass(frozen=True)
class Taken:
    """What became of a message: a complaint made or joined (its reference), or set aside
    and why. `again` when the message had been taken before: nothing new was done."""

    disposition: Disposition
    reference: str | None
    again: bool = False
    reason: str | None = None
    files_refused: int = 0


def utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.astimezone(UTC)


def aside_key(sha256: str) -> str:
    return f"{ASIDE_PREFIX}/{sha256}"


class MailPart(RegisterPart):
    async def take_mail(
        self,
        principal: Principal,
        mail: Mail,
        arrived_at: datetime,
        source: str,
        medical: bool = False,
        own_id_domain: str = "",
    ) -> Taken:
        """One message, through the door: claimed in the ledger by its key first, then made
        a complaint (its reference written before it is registered), joined as
        correspondence, or set aside. Taken again, it does only what was left undone."""
        if not may_take_mail(principal.role):
            raise Forbidden("Seule la passerelle courriel dépose des courriels.")
        known = await ledger.entry(self._sessions, mail.key)
        if known is not None and known.done:
            return Taken(known.disposition, known.reference, again=True, reason=known.reason)
        sent_at, _ = sending_time(mail.date_header, mail.first_received, arrived_at)
        disposition, reference, reason = await self._sorted(mail, own_id_domain, medical)
        entry, fresh = await ledger.claim(
            self._sessions,
            MailMessageRow(
                key=mail.key,
                key_source=mail.key_source,
                sha256=mail.sha256,
                size=len(mail.raw),
                disposition=disposition.value,
                reason=reason,
                reference=reference,
                done=False,
                medical=medical,
                source=source[:100],
                # In UTC: SQLite keeps no zone, and the ledger reads its times back as UTC.
                date_header=utc(mail.date_header),
                first_received=utc(mail.first_received),
                arrived_at=arrived_at.astimezone(UTC),
                sent_at=sent_at.astimezone(UTC),
                recorded_at=datetime.now(UTC),
            ),
        )
        if entry.done:
            return Taken(entry.disposition, entry.reference, again=True, reason=entry.reason)
        if entry.disposition is Disposition.aside:
            return await self._set_aside(mail, entry.reason or "mis de côté", again=not fresh)
        if entry.disposition is Disposition.correspondence:
            assert entry.reference is not None
            try:
                refused = await self._file_mail(principal, entry.reference, mail, arrived_at)
            except (Closed, NotFound, Refused):
                # Closed since it was sorted: a new complaint after all (rule 1), never lost.
                entry = await self._as_complaint(entry.key)
            else:
                await ledger.settle(self._sessions, entry.key, Disposition.correspondence)
                return Taken(
                    Disposition.correspondence, entry.reference, not fresh, files_refused=refused
                )
        return await self._complaint(principal, mail, entry, sent_at, arrived_at, fresh)

    async def _sorted(
        self, mail: Mail, own_id_domain: str, medical: bool
    ) -> tuple[Disposition, str | None, str | None]:
        """Aside (mail for no one, or nobody to answer), a reply to an open complaint, or a
        new complaint."""
        if mail.aside is not None:
            return Disposition.aside, None, mail.aside
        if mail.sender_email is None:
            return Disposition.aside, None, "expéditeur sans adresse : personne à qui répondre"
        # The first few it names: a message naming hundreds asks the server no more.
        for reference in our_references(mail, own_id_domain)[:QUOTED_AT_MOST]:
            complaint = await self._stored(reference)
            if complaint is None or complaint.closed_at is not None:
                continue
            # rule 11: medical elements never join a complaint its agents read; they make a
            # medical complaint of their own, for the Médecin Conseil alone.
            if medical and not complaint.medical:
                continue
            # A reference is easy to guess and our letters' ids to copy: only the complainant's
            # own address joins their complaint, whose documents their follow page serves
            # (rule 20); anyone else's message is a complaint of its own (rule 1).
            if not await self._from_complainant(reference, complaint, mail.sender_email):
                continue
            return Disposition.correspondence, reference, None
        return Disposition.complaint, None, None

    async def _from_complainant(self, reference: str, complaint: Complaint, sender: str) -> bool:
        keyring = await self._keyring_of(reference, complaint.medical)
        held = self._open(reference, complaint.intake.complainant.email or "", keyring)
        return same_address(sender, held)

    async def _as_complaint(self, key: str) -> ledger.Entry:
        async with self._sessions.begin() as session:
            row = await session.get(MailMessageRow, key)
            assert row is not None
            row.disposition, row.reference = Disposition.complaint.value, None
        found = await ledger.entry(self._sessions, key)
        assert found is not None
        return found

    async def _complaint(
        self,
        principal: Principal,
        mail: Mail,
        entry: ledger.Entry,
        sent_at: datetime,
        arrived_at: datetime,
        fresh: bool,
    ) -> Taken:
        entity = self.entities.get(None)
        calendar = entity.calendar if entity is not None else "national"
        reference = entry.reference or await ledger.set_reference(
            self._sessions, entry.key, await self._free_reference(arrived_at)
        )
        data: dict[str, Any] = {
            "reference": reference,
            "channel": "email",
            "sent_on": sent_at.isoformat(),
            "received_on": local_date(arrived_at, timezone_of(calendar)).isoformat(),
            "complainant": {"name": mail.sender_name[:200], "email": mail.sender_email},
            "subject": mail.subject,
            "description": mail.text,
            "medical": entry.medical,
        }
        try:
            await self.register(principal, data)
        except Invalid as error:
            # Nothing registrable (a date past the 3 years, an address refused…): set aside
            # whole, named by its fields only (never their content, rule 11).
            fields = ", ".join(sorted({problem.field for problem in error.errors}))
            return await self._set_aside(
                mail, f"non enregistrable ({fields}) : à saisir à la main", again=not fresh
            )
        refused = await self._file_mail(principal, reference, mail, arrived_at, first=True)
        await ledger.settle(self._sessions, entry.key, Disposition.complaint)
        return Taken(Disposition.complaint, reference, again=not fresh, files_refused=refused)

    async def _free_reference(self, arrived_at: datetime) -> str:
        """A new reference Temporal has never seen (a database restored from an older backup
        would give one again): written to the ledger, it is taken for this message's own."""
        for _ in range(20):
            reference = await self._allocate(local_date(arrived_at, "UTC").year)
            try:
                if not await self._taken(reference):
                    return reference
            except RPCError as error:
                raise Unavailable(UNAVAILABLE) from error
        raise Unavailable("Aucune référence libre après 20 essais : rien n'a été enregistré.")

    async def _file_mail(
        self,
        principal: Principal,
        reference: str,
        mail: Mail,
        arrived_at: datetime,
        first: bool = False,
    ) -> int:
        """The raw message as evidence (unchanged, its SHA-256 its name in the store), then
        each attachment the complaint takes: each once, whatever was filed before a crash.
        Attachments of a type not taken stay inside the message kept. The number refused."""
        medical, _ = await self._routing(reference)
        complaint = await self._frozen(reference)
        held = {d.file.sha256 for d in complaint.documents if d.file}
        sizes = [d.file.size for d in complaint.documents if d.file]
        when = arrived_at.astimezone(UTC).strftime("%Y-%m-%d %Hh%M UTC")
        label = "Courriel d'origine" if first else "Réponse reçue par courriel"
        raw = Upload(name=f"{label} du {when}", content=mail.raw, kind="other")
        raw_facts = FileFacts(sha256=mail.sha256, media_type=MediaType.email, size=len(mail.raw))
        if first:
            raw = Upload(raw.name, raw.content, DocumentKind.complaint_scan.value)
        filed: list[tuple[Upload, FileFacts]] = [(raw, raw_facts)]
        refused = 0
        for attachment in mail.attachments:
            try:
                filed += self._checked_uploads(
                    [Upload(attachment.name, attachment.content, "supporting_document")],
                    [*sizes, *(facts.size for _, facts in filed)],
                )
            except Invalid:
                refused += 1
        for upload, facts in filed:
            if facts.sha256 in held:
                continue
            await self._store(reference, medical, upload, facts)
            complaint = await self._attach(principal, reference, medical, upload, facts)
            held.add(facts.sha256)
        return refused

    async def forget_set_aside(self, principal: Principal, now: datetime, at_most: int) -> int:
        """Mail set aside whose time is up (domain/retention.py), `at_most` of it: its sealed
        copy and its ledger row removed, nothing of it left (rule 22). How many; run by the
        day's retention, which comes back for the rest."""
        if not may_erase(principal.role):
            raise Forbidden("Seule la conformité efface le courrier mis de côté.")
        try:
            async with self._sessions() as session:
                rows = list(
                    await session.execute(
                        select(MailMessageRow.key, MailMessageRow.sha256)
                        .where(
                            MailMessageRow.disposition == Disposition.aside.value,
                            MailMessageRow.recorded_at < self.retention.aside_mail_kept_after(now),
                        )
                        .limit(at_most)
                    )
                )
            if self._files is not None:
                for _, sha256 in rows:
                    await self._files.delete(aside_key(sha256))
            # The rows once their copies are gone: a run cut short finds them again tomorrow.
            if rows:
                async with self._sessions.begin() as session:
                    keys = [key for key, _ in rows]
                    await session.execute(
                        delete(MailMessageRow).where(MailMessageRow.key.in_(keys))
                    )
        except StoreUnavailable as error:
            raise Unavailable(f"Stockage des fichiers indisponible : {error}.") from None
        except SQLAlchemyError as error:
            raise Unavailable(f"Base de données indisponible ({type(error).__name__}).") from None
        return len(rows)

    async def _set_aside(self, mail: Mail, reason: str, again: bool) -> Taken:
        """Kept whole and sealed beside the files, never answered, never a complaint."""
        if self._files is not None:
            key = aside_key(mail.sha256)
            try:
                await self._files.put(key, seal_file(self._keyring, mail.raw, key))
            except StoreUnavailable as error:
                raise Unavailable(f"Stockage des fichiers indisponible : {error}.") from None
        key_of_entry = mail.key
        await ledger.settle(self._sessions, key_of_entry, Disposition.aside, reason=reason)
        return Taken(Disposition.aside, None, again=again, reason=reason)
