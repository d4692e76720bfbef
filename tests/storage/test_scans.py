"""A scan's text by OCR (issue 27): Debian's Tesseract with its French data, for real. Without
it these tests are skipped and say so; in CI they always run (.ci/run installs it)."""

from __future__ import annotations

import hashlib
from io import BytesIO
from pathlib import Path

import matplotlib
import pytest
from PIL import Image, ImageDraw, ImageFont

from reclamations.domain.access import Principal, Role
from reclamations.domain.errors import Forbidden, NotFound
from reclamations.scans import available
from reclamations.security.envelopes import UnreadableFile, is_enveloped, open_file, seal_file
from reclamations.service import Upload
from reclamations.storage.files import FolderStore, text_key
from tests.conftest import IN_CI
from tests.office import MAIL_ROOM, Office, intake_data

AGENT = Principal("Camille Martin", Role.agent)
DOCTOR = Principal("Dr Paul Lemoine", Role.medical_advisor)
# A font with the French letters, the one matplotlib ships.
FONT = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"


@pytest.fixture(autouse=True)
def tesseract() -> None:
    if not available():
        if IN_CI:
            pytest.fail("CI=true but Tesseract (tesseract-ocr, tesseract-ocr-fra) is missing")
        pytest.skip("OCR: install Debian's tesseract-ocr and tesseract-ocr-fra to run these")


def scanned_letter(*lines: str) -> bytes:
    """A page as the mail room's scanner gives it: a TIFF, black text on white."""
    page = Image.new("L", (1600, 150 + 120 * len(lines)), 255)
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(str(FONT), 56)
    for number, line in enumerate(lines):
        draw.text((60, 60 + 120 * number), line, fill=0, font=font)
    out = BytesIO()
    page.save(out, format="TIFF")
    return out.getvalue()


async def registered_with_scan(office: Office, scan: bytes, medical: bool = False) -> str:
    today = await office.today()
    data = intake_data(today, channel="post", medical=medical)
    registered = await office.service.register(
        MAIL_ROOM,
        data,
        now=await office.env.get_current_time(),  # the test server's day, as `today` is
        uploads=[Upload("courrier.tif", scan, "complaint_scan")],
    )
    return registered.reference


async def test_a_scan_reads_as_text_kept_beside_it(office):
    scan = scanned_letter("Réclamation : remboursement", "de mes lunettes refusé")
    reference = await registered_with_scan(office, scan)
    sha256 = hashlib.sha256(scan).hexdigest()
    text = await office.service.document_text(AGENT, reference, sha256)
    assert "remboursement" in text and "lunettes" in text
    assert "Réclamation" in text  # the French data reads its accents
    store = FolderStore(office.settings.resolved_files_dir)
    kept = await store.get(text_key(reference, sha256))
    assert kept.decode() == text
    # Asked again, the kept text answers (the same, without reading the scan again).
    await store.put(text_key(reference, sha256), b"texte garde")
    assert await office.service.document_text(AGENT, reference, sha256) == "texte garde"


async def test_a_medical_scan_text_is_sealed_and_for_the_medecin_conseil(office):
    scan = scanned_letter("Compte rendu opératoire", "arthroscopie du genou")
    reference = await registered_with_scan(office, scan, medical=True)
    sha256 = hashlib.sha256(scan).hexdigest()
    with pytest.raises(Forbidden):
        await office.service.document_text(AGENT, reference, sha256)
    text = await office.service.document_text(DOCTOR, reference, sha256)
    assert "genou" in text
    key = text_key(reference, sha256)
    store = FolderStore(office.settings.resolved_files_dir)
    kept = await store.get(key)
    assert is_enveloped(kept) and b"genou" not in kept
    # Sealed with the complaint's own key, as its scan is: its erasure reaches the text too
    # (rule 22); the keyring alone opens no copy of it.
    assert b"genou" in open_file(await office.keyring_of(reference), kept, key)
    with pytest.raises(UnreadableFile):
        open_file(office.keyring, kept, key)


async def test_a_medical_scan_text_kept_under_the_keyring_moves_to_the_complaints_key(office):
    scan = scanned_letter("Compte rendu opératoire", "arthroscopie du genou")
    reference = await registered_with_scan(office, scan, medical=True)
    sha256 = hashlib.sha256(scan).hexdigest()
    key = text_key(reference, sha256)
    store = FolderStore(office.settings.resolved_files_dir)
    # As texts were kept before: sealed with the keyring alone.
    await store.put(key, seal_file(office.keyring, b"Compte rendu du genou", key))
    assert await office.service.document_text(DOCTOR, reference, sha256) == "Compte rendu du genou"
    kept = await store.get(key)
    assert open_file(await office.keyring_of(reference), kept, key) == b"Compte rendu du genou"
    with pytest.raises(UnreadableFile):
        open_file(office.keyring, kept, key)


async def test_a_pdf_has_no_text_here(office):
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    reference = await registered_with_scan(office, pdf)
    with pytest.raises(NotFound):
        await office.service.document_text(AGENT, reference, hashlib.sha256(pdf).hexdigest())
