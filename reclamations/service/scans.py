"""A scan's text (issue 27): read once by OCR (reclamations/scans.py), kept beside the scan in
the files' store, encrypted like it for a medical complaint (rule 16), and served to whoever
may read the scan itself."""

from __future__ import annotations

import asyncio

from reclamations.domain.access import Principal
from reclamations.domain.errors import NotFound, Unavailable
from reclamations.security.envelopes import UnreadableFile, is_enveloped, open_file, seal_file
from reclamations.service.files import FilesPart
from reclamations.storage.files import FileMissing, StoreUnavailable, file_key

NO_TEXT = (
    "Pas de texte pour ce document : la reconnaissance de caractères n'est pas installée, ou "
    "ce n'est pas une image scannée (JPEG, PNG, TIFF)."
)


def text_key(reference: str, sha256: str) -> str:
    return f"{file_key(reference, sha256)}.txt"


class ScansPart(FilesPart):
    async def document_text(self, principal: Principal, reference: str, sha256: str) -> str:
        """The scan's text, made by OCR the first time it is asked for, then kept."""
        document = await self.document_file(principal, reference, sha256)  # who may read it
        assert self._files is not None  # document_file found the file
        medical, _ = await self._routing(reference)
        key = text_key(reference, sha256)
        try:
            stored = await self._files.get(key)
            text = open_file(self._keyring, stored, key) if is_enveloped(stored) else stored
            return text.decode("utf-8")
        except FileMissing:
            pass
        except (StoreUnavailable, UnreadableFile):
            raise Unavailable("Le texte de ce document est illisible : réessayez.") from None
        # Here, not at the top: Tesseract's binding brings numpy (tens of MB) into whatever
        # imports it, and the door is in every worker (the retention run).
        from reclamations.scans import scan_text

        read = await asyncio.to_thread(scan_text, document.content, document.media_type)
        if read is None:
            raise NotFound(NO_TEXT)
        content = read.encode("utf-8")
        try:
            await self._files.put(
                key, seal_file(self._keyring, content, key) if medical else content
            )
        except StoreUnavailable as error:
            raise Unavailable(f"Stockage des fichiers indisponible : {error}.") from None
        return read
