"""rule 16: what a file is, read from its content; how big it may be; its name."""

import pytest

from reclamations.domain.files import (
    FileLimits,
    MediaType,
    dossier_problem,
    file_problem,
    safe_file_name,
    sniff,
)

LIMITS = FileLimits(per_file=1000, per_complaint=2500, files=3)


@pytest.mark.parametrize(
    ("head", "media"),
    [
        (b"%PDF-1.7\n", MediaType.pdf),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", MediaType.jpeg),
        (b"\x89PNG\r\n\x1a\n\x00", MediaType.png),
        (b"II*\x00\x08\x00", MediaType.tiff),
        (b"MM\x00*\x00\x00", MediaType.tiff),
        (b"GIF89a", None),
        (b"MZ\x90\x00", None),
        (b"PK\x03\x04", None),
        (b"", None),
        (b" %PDF-1.7", None),  # the signature is at the very start, or nowhere
    ],
)
def test_a_file_is_known_by_its_first_bytes(head, media):
    assert sniff(head) == media


def test_types_and_sizes_are_bounded_per_file_and_per_complaint():
    pdf = MediaType.pdf
    assert file_problem(pdf, 1000, LIMITS) is None
    assert "par fichier" in (file_problem(pdf, 1001, LIMITS) or "")
    assert "type de fichier refusé" in (file_problem(None, 10, LIMITS) or "")
    assert dossier_problem([1000, 1500], LIMITS) is None
    assert "le dossier dépasserait" in (dossier_problem([1000, 1501], LIMITS) or "")
    assert dossier_problem([1, 1, 1], LIMITS) is None
    assert "plus de 3 fichiers" in (dossier_problem([1, 1, 1, 1], LIMITS) or "")


@pytest.mark.parametrize(
    ("given", "media", "kept"),
    [
        ("Facture opticien.PDF", MediaType.pdf, "Facture opticien.pdf"),
        ("../../etc/passwd", MediaType.pdf, "passwd.pdf"),
        ("C:\\Users\\h\\scan 1.jpeg", MediaType.jpeg, "scan 1.jpg"),
        ("photo.exe", MediaType.png, "photo.png"),  # what it really is
        ("relevé\u202e\u0000 <b>.png", MediaType.png, "relevé_ _b.png"),
        ("...", MediaType.tiff, "document.tif"),
        ("a" * 300 + ".pdf", MediaType.pdf, "a" * 90 + ".pdf"),
    ],
)
def test_a_name_is_made_safe_and_tells_the_truth(given, media, kept):
    assert safe_file_name(given, media) == kept
