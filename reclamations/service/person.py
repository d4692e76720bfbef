"""Everything held on one person (RGPD art. 15, issue 28), for the compliance team answering
an access request: their complaints, found by email or member number, with events, letters and
documents' files. Medical complaints only for the Médecin Conseil (rule 11): for anyone else
they are not even found, since who a medical complainant is is medical information too.
Every export is recorded in the audit log, without the person's identity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from reclamations.db.logins import AuditKind, audit
from reclamations.db.models import ComplaintRow, LetterRow
from reclamations.db.snapshot import complaint_from
from reclamations.domain.access import Principal, Role, can_read_content
from reclamations.domain.complaint import Complaint
from reclamations.domain.errors import FieldError, Forbidden, Invalid
from reclamations.security.envelopes import UnreadableFile, is_enveloped, open_file
from reclamations.security.keyring import Keyring
from reclamations.service.disclosure import Disclosure
from reclamations.storage.files import FileMissing, StoreUnavailable, file_key

EXPORTERS = (Role.compliance, Role.medical_advisor)


@dataclass(frozen=True)
class HeldLetter:
    kind: str
    sequence: int
    delivery: str
    letter_on: str
    body: str


@dataclass(frozen=True)
class HeldFile:
    name: str
    content: bytes | None  # None: missing or unreadable in the store


@dataclass(frozen=True)
class HeldComplaint:
    complaint: Complaint
    letters: list[HeldLetter]
    files: list[HeldFile]


@dataclass(frozen=True)
class PersonData:
    asked_by: Principal
    asked_at: datetime
    complaints: list[HeldComplaint]
    medical_included: bool


def same_address(given: str | None, held: str) -> bool:
    """The same email address (or member number), whatever its case and spaces around it."""
    return bool(given and held) and (given or "").strip().casefold() == held.strip().casefold()


class PersonPart(Disclosure):
    async def person_data(
        self,
        principal: Principal,
        now: datetime,
        email: str | None = None,
        member_number: str | None = None,
        client: str = "",
    ) -> PersonData:
        if principal.role not in EXPORTERS:
            raise Forbidden("Seuls la conformité et le Médecin Conseil exportent les données.")
        if bool(email) == bool(member_number):
            raise Invalid(
                [FieldError("personne", "donnez soit une adresse email, soit un numéro d'adhérent")]
            )
        medical = can_read_content(Role(principal.role), True)
        async with self._sessions() as session:
            rows = list(await session.scalars(select(ComplaintRow).order_by(ComplaintRow.sent_on)))
        found: list[HeldComplaint] = []
        for row in rows:
            if row.medical and not medical:
                continue
            complaint = complaint_from(row.snapshot)
            held = complaint.intake.complainant
            keyring = await self._keyring_of(row.reference, row.medical)
            if not (
                same_address(email, self._open(row.reference, held.email or "", keyring))
                or same_address(
                    member_number, self._open(row.reference, held.member_number or "", keyring)
                )
            ):
                continue
            found.append(await self._held(principal, row.reference))
        await audit(
            self._sessions,
            AuditKind.person_exported,
            principal.name,
            client,
            now,
            f"{len(found)} réclamation(s), par {'email' if email else 'numéro d adhérent'}",
        )
        return PersonData(principal, now, found, medical)

    async def _held(self, principal: Principal, reference: str) -> HeldComplaint:
        recorded = await self._recorded(reference)
        assert recorded is not None
        keyring = await self._keyring_of(reference, recorded.medical)
        complaint = self._shown(principal, recorded, recorded, keyring)
        async with self._sessions() as session:
            rows = await session.scalars(
                select(LetterRow)
                .where(LetterRow.reference == reference)
                .order_by(LetterRow.letter_on, LetterRow.kind, LetterRow.sequence)
            )
            letters = [
                HeldLetter(
                    row.kind,
                    row.sequence,
                    row.delivery,
                    row.letter_on.strftime("%d/%m/%Y"),
                    self._open(reference, row.body, keyring) if complaint.medical else row.body,
                )
                for row in rows
            ]
        files = [
            HeldFile(document.name, await self._file(reference, document.file.sha256, keyring))
            for document in complaint.documents
            if document.file is not None
        ]
        return HeldComplaint(complaint, letters, files)

    async def _file(self, reference: str, sha256: str, keyring: Keyring) -> bytes | None:
        if self._files is None:
            return None
        key = file_key(reference, sha256)
        try:
            stored = await self._files.get(key)
            return open_file(keyring, stored, key) if is_enveloped(stored) else stored
        except (FileMissing, StoreUnavailable, UnreadableFile):
            return None
