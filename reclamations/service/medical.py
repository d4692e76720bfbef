"""A complaint found medical after it was registered (issue 27, rule 11): its content sealed
with its own key before the workflow takes the marking, then everything kept of it in clear
sealed at rest: the record, its files, its letters, its search tokens; its private links
revoked. Each step leaves what is sealed already as it is, so that a marking interrupted
halfway is finished by running the sealing again (`seal_marked`)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlalchemy import delete, update

from reclamations.activities.records import search_tokens, write_record
from reclamations.activities.sealing_at_rest import seal_record_at_rest
from reclamations.db.engine import compact
from reclamations.db.models import FollowAddressRow, FollowLinkRow, FollowMailRow
from reclamations.db.search import erase_tokens, write_tokens
from reclamations.domain.actions import MarkMedical, SealedValue
from reclamations.domain.complaint import ActionRefused, Complaint
from reclamations.domain.content import content_paths
from reclamations.domain.errors import NotFound, Refused, Unavailable
from reclamations.security.blind_index import BlindIndex
from reclamations.security.envelopes import is_enveloped, seal_file
from reclamations.security.keyring import Keyring
from reclamations.security.sealing import seal
from reclamations.service.disclosure import Disclosure
from reclamations.storage.files import FileMissing, StoreUnavailable, file_key, text_key
from reclamations.workflows.messages import RecordInput

logger = logging.getLogger(__name__)


class MedicalPart(Disclosure):
    async def _sealed_marking(
        self, reference: str, action: MarkMedical, complaint: Complaint | None = None
    ) -> MarkMedical:
        """The marking with every content text the complaint holds (the running one unless
        given), sealed with its own key (made now): the domain takes all of them or none
        (domain/complaint/medical.py)."""
        complaint = complaint or await self._frozen(reference)
        keyring = await self._keyring_of(reference, True, create=True)
        sealed = [
            SealedValue(path=path, value=seal(keyring, reference, text))
            for path, text in content_paths(complaint).items()
        ]
        return action.model_copy(update={"sealed": sealed})

    async def _marked_on_record(self, reference: str, action: MarkMedical) -> Complaint:
        """A closed complaint whose workflow has ended (rule 11 has no end): nothing runs to
        take the marking, so the domain's rule is applied to its record, and the record
        written as its workflow would have (a version more, the new events)."""
        if await self._erasure_begun(reference):
            raise Refused("La réclamation est effacée : il n'en reste rien à sceller.")
        complaint = await self._recorded(reference)
        if complaint is None:
            raise NotFound(f"Aucune réclamation {reference}.")
        marking = await self._sealed_marking(reference, action, complaint)
        known, now = len(complaint.events), datetime.now(UTC)
        try:
            complaint.apply(marking, now)
        except ActionRefused as refused:
            raise Refused(str(refused)) from None
        record = RecordInput(
            complaint=complaint.model_copy(update={"events": []}),
            events=complaint.events[known:],
            at=now,
        )
        keyring = await self._keyring_of(reference, True, create=True)
        async with self._sessions.begin() as session:
            await write_record(session, record, keyring, BlindIndex(self._keyring))
        return complaint

    async def seal_marked(self, complaint: Complaint) -> None:
        """Everything kept of a complaint marked medical sealed at rest, once: the workflow's
        state is sealed already (the marking), the rest follows here. Idempotent."""
        reference = complaint.reference
        keyring = await self._keyring_of(reference, True, create=True)
        async with self._sessions.begin() as session:
            await seal_record_at_rest(session, keyring, reference, self._outbox)
            # rule 11: a medical complainant is found by the Médecin Conseil alone.
            await erase_tokens(session, reference)
            await write_tokens(
                session, search_tokens(complaint, keyring, BlindIndex(self._keyring))
            )
            # Nothing of a medical complaint by email (issue 26): its private links and the
            # address they were renewed from go, and a link owed is not sent.
            await session.execute(delete(FollowLinkRow).where(FollowLinkRow.reference == reference))
            await session.execute(
                delete(FollowAddressRow).where(FollowAddressRow.reference == reference)
            )
            await session.execute(
                update(FollowMailRow)
                .where(FollowMailRow.reference == reference, FollowMailRow.sent_at.is_(None))
                .values(sent_at=complaint.events[-1].at, lease_until=None)
            )
        # The rows as they were before, gone from SQLite's log too (as after an erasure).
        await compact(self._sessions)
        await self._seal_files(complaint, keyring)

    async def _seal_files(self, complaint: Complaint, keyring: Keyring) -> None:
        """rule 16: a medical complaint's files are encrypted at rest with its own key (rule
        22), the raw email kept as evidence and its attachments among them, and a scan's text
        beside its scan."""
        if self._files is None:
            return
        reference = complaint.reference
        for document in complaint.documents:
            if document.file is None:
                continue
            key = file_key(reference, document.file.sha256)
            for stored_key in (key, text_key(reference, document.file.sha256)):
                try:
                    content = await self._files.get(stored_key)
                    if not is_enveloped(content):
                        await self._files.put(stored_key, seal_file(keyring, content, stored_key))
                except FileMissing:
                    continue  # a scan without its text yet; a file never stored
                except StoreUnavailable as error:
                    logger.warning("Fichiers de %s non scellés : stockage indisponible", reference)
                    raise Unavailable(
                        f"Stockage des fichiers indisponible : {error}. La réclamation est "
                        "médicale ; le Médecin Conseil relance « Déclarer médicale » pour finir "
                        "de sceller ses fichiers."
                    ) from None
