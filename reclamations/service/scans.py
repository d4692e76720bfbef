"""A scan's text (issue 27): read once by OCR (reclamations/scans.py), kept beside the scan in
the files' store, encrypted like it for a medical complaint (rule 16) with the complaint's own
key (rule 22: destroyed at erasure, so every copy of the text becomes unreadable with the
scan's), and served to whoever may read the scan itself."""

from __future__ import annotations

import asyncio
import logging

from reclamations.domain.access import Principal
from reclamations.domain.errors import NotFound, Unavailable
from reclamations.security.envelopes import (
    UnreadableFile,
    is_enveloped,
    open_file,
    seal_file,
    sealed_with,
)
from reclamations.service.files import FilesPart
from reclamations.storage.files import FileMissing, StoreUnavailable, text_key

logger = logging.getLogger(__name__)

NO_TEXT = (
    "Pas de texte pour ce document : la reconnaissance de caractères n'est pas installée, ou "
    "ce n'est pas une image scannée (JPEG, PNG, TIFF)."
)


class ScansPart(FilesPart):
    async def document_text(self, principal: Principal, reference: str, sha256: str) -> str:
        """The scan's text, made by OCR the first time it is asked for, then kept."""
        document = await self.document_file(principal, reference, sha256)  # who may read it
        assert self._files is not None  # document_file found the file
        medical, _ = await self._routing(reference)
        key = text_key(reference, sha256)
        try:
            stored = await self._files.get(key)
            if not is_enveloped(stored):
                return stored.decode("utf-8")
            return (await self._open_text(reference, key, stored)).decode("utf-8")
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
            if medical:
                keyring = await self._keyring_of(reference, medical, create=True)
                content = seal_file(keyring, content, key)
            await self._files.put(key, content)
        except StoreUnavailable as error:
            raise Unavailable(f"Stockage des fichiers indisponible : {error}.") from None
        return read

    async def _open_text(self, reference: str, key: str, stored: bytes) -> bytes:
        """A medical scan's text, kept under the complaint's own key. One kept under the
        keyring alone, as texts were until this was mended, is sealed again with the
        complaint's key as it is read, so that its erasure reaches this copy too (rule 22)."""
        keyring = await self._keyring_of(reference, medical=True)
        text = open_file(keyring, stored, key)
        if keyring is not self._keyring and sealed_with(stored) != keyring.current_id:
            assert self._files is not None
            try:
                await self._files.put(key, seal_file(keyring, text, key))
            except StoreUnavailable:
                # Read all the same; sealed again at the next reading.
                logger.warning("Texte du scan de %s non scellé à nouveau", reference)
        return text
