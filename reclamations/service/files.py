"""A complaint's files (rule 16): checked from their content, stored (encrypted for a medical
complaint), joined as documents, and served back to whoever may read them."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reclamations.domain.access import Principal
from reclamations.domain.actions import AddDocument
from reclamations.domain.complaint import Complaint
from reclamations.domain.content import SEALED_FROM_OUTSIDE, looks_sealed
from reclamations.domain.errors import (
    FieldError,
    Forbidden,
    Invalid,
    NotFound,
    Refused,
    Unavailable,
)
from reclamations.domain.files import (
    UNTAKEN_FILE,
    FileFacts,
    MediaType,
    dossier_problem,
    file_problem,
    safe_file_name,
    sniff,
)
from reclamations.domain.intake import DocumentKind
from reclamations.security.envelopes import UnreadableFile, is_enveloped, open_file, seal_file
from reclamations.security.sealing import seal_content
from reclamations.service.act import ActPart, action_from
from reclamations.service.disclosure import MEDICAL_ONLY, Reading
from reclamations.service.read import ReadPart
from reclamations.storage.files import FileMissing, StoreUnavailable, file_key


@dataclass(frozen=True)
class Upload:
    """A file as it arrives: its given name, its content, the kind of document it is."""

    name: str
    content: bytes
    kind: str = "other"


@dataclass(frozen=True)
class DocumentFile:
    name: str
    media_type: MediaType
    content: bytes


class FilesPart(ReadPart, ActPart):
    async def add_file(
        self,
        principal: Principal,
        reference: str,
        upload: Upload,
        on_behalf_of: str | None = None,
    ) -> Reading:
        """rule 16: a file joins the complaint as a document. The same file twice is
        one file and one document: sent again, it changes nothing."""
        return await self.add_files(principal, reference, [upload], on_behalf_of)

    async def add_files(
        self,
        principal: Principal,
        reference: str,
        uploads: Sequence[Upload],
        on_behalf_of: str | None = None,
    ) -> Reading:
        """Files that join the complaint together (a page's choice of files): refused as a
        whole, before any is stored, when they would not fit beside those it holds. The limits
        themselves hold in the workflow, which takes each file in turn (`_attach`): uploads
        arriving at once are refused there, never let through by a reading already stale."""
        medical = await self._allowed(principal, reference, "add_document")
        reading = await self.read(principal, reference)
        files = [d.file for d in reading.complaint.documents if d.file]
        held = {file.sha256 for file in files}
        new = [u for u in uploads if hashlib.sha256(u.content).hexdigest() not in held]
        if not new:
            return reading
        if "add_document" not in reading.actions:
            raise Refused("Cette réclamation ne prend plus de document.")
        state = reading.complaint
        for checked, facts in self._checked_uploads(new, [file.size for file in files]):
            await self._store(reference, medical, checked, facts)
            state = await self._attach(principal, reference, medical, checked, facts, on_behalf_of)
        return self._reading(principal, state, await self._keyring_of(reference, state.medical))

    def _checked_uploads(
        self, uploads: Sequence[Upload], held: list[int]
    ) -> list[tuple[Upload, FileFacts]]:
        """Each file's type read from its content, its size bounded, its kind known, and all
        of them beside the `held` files' sizes: every refusal at once, before anything is
        stored or started."""
        if uploads and self._files is None:
            raise Unavailable("Aucun stockage de fichiers n'est configuré.")
        checked: list[tuple[Upload, FileFacts]] = []
        problems: list[FieldError] = []
        for number, upload in enumerate(uploads, start=1):
            media, size = sniff(upload.content), len(upload.content)
            problem = file_problem(media, size, self._file_limits)
            if upload.kind not in DocumentKind.__members__:
                problem = "nature de document inconnue"
            if looks_sealed(upload.name):
                # rule 11: a file's given name is text from outside like any other.
                problem = SEALED_FROM_OUTSIDE
            if problem is not None or media is None:
                # Named by its place, never by its name (a medical file's name is content).
                field = "file" if len(uploads) == 1 else f"fichier {number}"
                problems.append(FieldError(field, problem or UNTAKEN_FILE))
                continue
            digest = hashlib.sha256(upload.content).hexdigest()
            checked.append((upload, FileFacts(sha256=digest, media_type=media, size=size)))
        unique = {facts.sha256: facts.size for _, facts in checked}
        together = dossier_problem([*held, *unique.values()], self._file_limits)
        if together and not problems:
            problems.append(FieldError("file" if len(uploads) == 1 else "files", together))
        if problems:
            raise Invalid(problems)
        return checked

    async def _store(self, reference: str, medical: bool, upload: Upload, facts: FileFacts) -> None:
        """The file in the store, encrypted for a medical complaint (rule 16)."""
        assert self._files is not None  # _checked_uploads made sure
        key = file_key(reference, facts.sha256)
        keyring = await self._keyring_of(reference, medical, create=True)
        content = seal_file(keyring, upload.content, key) if medical else upload.content
        try:
            await self._files.put(key, content)
        except StoreUnavailable as error:
            raise Unavailable(f"Stockage des fichiers indisponible : {error}.") from None

    async def _attach(
        self,
        principal: Principal,
        reference: str,
        medical: bool,
        upload: Upload,
        facts: FileFacts,
        on_behalf_of: str | None = None,
    ) -> Complaint:
        """Add the document of a stored file to the complaint."""
        document = {"name": safe_file_name(upload.name, facts.media_type), "kind": upload.kind}
        fields: dict[str, Any] = {"document": document}
        if on_behalf_of:
            fields["on_behalf_of"] = on_behalf_of
        action = action_from(principal, AddDocument, fields).model_copy(
            update={"file": facts, "limits": self._file_limits}
        )
        if medical:
            keyring = await self._keyring_of(reference, medical, create=True)
            action = seal_content(keyring, reference, action)
        return await self._execute(reference, self._handle(reference), action)

    async def document_file(
        self, principal: Principal, reference: str, sha256: str
    ) -> DocumentFile:
        """A document's file, for whoever may read the complaint's content; a medical one
        only as it was stored, encrypted."""
        reading = await self.read(principal, reference)
        if not reading.readable:
            raise Forbidden(MEDICAL_ONLY)
        found = next(
            (d for d in reading.complaint.documents if d.file and d.file.sha256 == sha256), None
        )
        if found is None or found.file is None or self._files is None:
            raise NotFound("Aucun fichier de ce document dans la réclamation.")
        key = file_key(reference, sha256)
        try:
            stored = await self._files.get(key)
            if reading.complaint.medical and not is_enveloped(stored):
                raise UnreadableFile("fichier médical stocké en clair")
            keyring = await self._keyring_of(reference, reading.complaint.medical)
            content = open_file(keyring, stored, key) if is_enveloped(stored) else stored
        except (FileMissing, UnreadableFile, StoreUnavailable):
            raise Unavailable("Le fichier de ce document est introuvable ou illisible.") from None
        if hashlib.sha256(content).hexdigest() != sha256:
            raise Unavailable("Le fichier de ce document a été altéré : il n'est pas servi.")
        name = safe_file_name(found.name, found.file.media_type)
        return DocumentFile(name=name, media_type=found.file.media_type, content=content)
