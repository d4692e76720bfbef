"""Documents are files (rule 16): which kinds of file are taken, recognised by their
content rather than their name, how big they may be, and what name they are kept under."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from reclamations.domain.content import FromOutside
from reclamations.domain.intake import MAX_DOCUMENTS


class MediaType(StrEnum):
    pdf = "application/pdf"
    jpeg = "image/jpeg"
    png = "image/png"
    tiff = "image/tiff"
    # An email as it came (issue 27): written by the mail intake itself, never uploaded, so
    # never sniffed (a message has no signature to recognise it by).
    email = "message/rfc822"


# What a person may upload: recognised by its content (`sniff`).
UPLOADABLE = (MediaType.pdf, MediaType.jpeg, MediaType.png, MediaType.tiff)

MEDIA_TYPE_LABELS = {
    MediaType.pdf: "PDF",
    MediaType.jpeg: "image JPEG",
    MediaType.png: "image PNG",
    MediaType.tiff: "image TIFF (scan)",
    MediaType.email: "courriel (message d'origine)",
}
EXTENSIONS = {
    MediaType.pdf: "pdf",
    MediaType.jpeg: "jpg",
    MediaType.png: "png",
    MediaType.tiff: "tif",
    MediaType.email: "eml",
}

# The first bytes each format begins with; four formats, four signatures: no library needed.
_SIGNATURES = (
    (b"%PDF-", MediaType.pdf),
    (b"\xff\xd8\xff", MediaType.jpeg),
    (b"\x89PNG\r\n\x1a\n", MediaType.png),
    (b"II*\x00", MediaType.tiff),
    (b"MM\x00*", MediaType.tiff),
)


def sniff(content: bytes) -> MediaType | None:
    """The file's type from its content; None for anything the system does not take."""
    return next((media for magic, media in _SIGNATURES if content.startswith(magic)), None)


class FileFacts(FromOutside):
    """What Temporal's history keeps of a file: never its content. Described by the system
    (domain.actions.AddDocument), yet checked like all that may come from outside."""

    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    media_type: MediaType
    size: int = Field(ge=1)


class FileLimits(BaseModel):
    """How big a file may be, and how much a complaint may hold: bytes, and files (as many as
    the documents an intake may list)."""

    model_config = ConfigDict(frozen=True)

    per_file: int = Field(ge=1)
    per_complaint: int = Field(ge=1)
    files: int = Field(MAX_DOCUMENTS, ge=1)


DEFAULT_FILE_LIMITS = FileLimits(per_file=10 * 1024 * 1024, per_complaint=50 * 1024 * 1024)


UNTAKEN_FILE = (
    "type de fichier refusé : seuls les PDF et les images JPEG, PNG ou TIFF sont acceptés "
    "(le type est lu dans le contenu du fichier, pas dans son nom)"
)


def file_problem(media: MediaType | None, size: int, limits: FileLimits) -> str | None:
    """Why a file of this type and size is not taken, whatever the complaint holds."""
    if media is None:
        return UNTAKEN_FILE
    if size > limits.per_file:
        return f"fichier trop volumineux : au plus {_megabytes(limits.per_file)} par fichier"
    return None


def dossier_problem(sizes: Sequence[int], limits: FileLimits) -> str | None:
    """Why a complaint cannot hold files of these sizes, all together: too many, or too much.
    The complaint's workflow asks it as each file joins, one at a time (rule 16)."""
    if len(sizes) > limits.files:
        return f"le dossier compterait plus de {limits.files} fichiers : regroupez les pièces"
    if sum(sizes) > limits.per_complaint:
        return (
            f"le dossier dépasserait {_megabytes(limits.per_complaint)} de fichiers : "
            "regroupez ou allégez les pièces"
        )
    return None


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g} Mo"


_UNSAFE = re.compile(r"[^\w .()\-]+")


def safe_file_name(name: str, media_type: MediaType) -> str:
    """A name fit for a download: no folders, no control or odd characters, at most 100
    characters, ending with the extension of what the file really is."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFC", base)
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = _UNSAFE.sub("_", stem).strip(" ._") or "document"
    return f"{stem[:90]}.{EXTENSIONS[media_type]}"
