"""Letters as an insurer's French business letters (rule 19's identity, La Poste's
window): the real PDF read back with pypdf, the real email parsed back."""

import io
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from pydantic import ValidationError
from pypdf import PdfReader

from reclamations.activities.letters.delivery import open_posted
from reclamations.activities.letters.pdf import (
    HEIGHT,
    WINDOW_HEIGHT,
    WINDOW_LEFT,
    WINDOW_TOP,
    WINDOW_WIDTH,
)
from reclamations.activities.letters.rendering import LetterRenderer
from reclamations.domain.actions import Answer
from reclamations.domain.entities import Entities
from reclamations.domain.letters import DEMO_IDENTITY, INSURANCE_MEDIATOR
from tests.activities.conftest import NOW, a_complaint
from tests.activities.test_letters import first_letter, letter_for, letters_activity, stored

EUROPEANS = [
    ("Łukasz Wałęsa", "12 rue de Łódź\n90-001 Łódź\nPologne"),
    ("Nguyễn Thị Lan", "8 allée des Érables\n75011 Paris"),
    ("Γιώργος Παπαδόπουλος", "Οδός Ερμού 15\n105 63 Αθήνα\nΕλλάδα"),
]


def posted(name: str, address: str, **changes):
    complainant = {"name": name, "postal_address": address}
    return a_complaint(channel="post", complainant=complainant, **changes)


def positioned_text(path: Path) -> list[tuple[str, float, float]]:
    """Each piece of text on the first page with its place, in millimetres from the page's top
    left corner."""
    found: list[tuple[str, float, float]] = []

    def visit(text, cm, tm, _font, _size):
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            found.append((text.strip(), x / 72 * 25.4, (HEIGHT - y) / 72 * 25.4))

    PdfReader(path).pages[0].extract_text(visitor_text=visit)
    return found


def flat(text: str) -> str:
    return " ".join(text.split())


async def send(sessions, tmp_path, keyring, letter, identity=DEMO_IDENTITY):
    activities = letters_activity(sessions, tmp_path, keyring)
    activities._renderer = LetterRenderer(Entities.alone(identity, INSURANCE_MEDIATOR))
    return await activities.send_letter(letter)


@pytest.mark.parametrize(("name", "address"), EUROPEANS)
async def test_every_european_name_prints_as_written(sessions, tmp_path, keyring, name, address):
    receipt = await send(sessions, tmp_path, keyring, first_letter(posted(name, address)))
    text = PdfReader(receipt.location).pages[0].extract_text()
    assert name in text and "■" not in text
    assert address.splitlines()[-1].upper() in text  # the last line in capitals


async def test_the_recipient_sits_in_the_envelope_window(sessions, tmp_path, keyring):
    name, address = EUROPEANS[0]
    receipt = await send(sessions, tmp_path, keyring, first_letter(posted(name, address)))
    placed = positioned_text(Path(receipt.location))
    window = ["Łukasz Wałęsa", "12 rue de Łódź", "90-001 ŁÓDŹ", "POLOGNE"]
    left, top = WINDOW_LEFT / 72 * 25.4, WINDOW_TOP / 72 * 25.4
    right, bottom = left + WINDOW_WIDTH / 72 * 25.4, top + WINDOW_HEIGHT / 72 * 25.4
    for line in window:
        [(x, y)] = [(x, y) for text, x, y in placed if text == line]
        assert left <= x < right - 20 and top < y < bottom, (line, x, y)
    # Nothing else is printed in the window.
    inside = {text for text, x, y in placed if left <= x < right and top < y < bottom}
    assert inside == set(window)


async def test_a_letter_has_the_frame_of_a_business_letter(sessions, tmp_path, keyring):
    receipt = await send(sessions, tmp_path, keyring, first_letter(posted(*EUROPEANS[1])))
    text = flat(PdfReader(receipt.location).pages[0].extract_text())
    for part in (
        "MUTEX",  # the letterhead
        "Service Qualité Relations Adhérents 140 avenue de la République",
        "Châtillon, le",
        "Référence : REC-2026-000042",
        "Objet : Accusé de réception",
        "Madame, Monsieur,",
        "salutations distinguées",
        # The legal identity (Code de commerce, R123-237) and the service's contact.
        "MUTEX, Société anonyme au capital de 37 302 300 €, entreprise régie par le Code des"
        " assurances",
        "Siège social : 140 avenue de la République, 92320 Châtillon – RCS Nanterre 000 000 000",
        "reclamations@mutex.example",
    ):
        assert flat(part.replace("\u00a0", " ")) in text.replace("\u00a0", " "), part
    assert "Page 1" not in text  # one page: no page number


async def test_a_long_letter_numbers_its_pages(sessions, tmp_path, keyring):
    complaint = posted(*EUROPEANS[2])
    reasons = "\n\n".join(f"Point {n} : " + "examiné avec soin. " * 30 for n in range(12))
    complaint.apply(Answer(actor="a", decision="rejected", reasons=reasons), NOW)
    letter = letter_for(complaint, complaint.pending_letters[-1])
    receipt = await send(sessions, tmp_path, keyring, letter)
    pages = PdfReader(receipt.location).pages
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        text = page.extract_text()
        assert f"Page {number} sur {len(pages)}" in text
        assert "entreprise régie par le Code des assurances" in flat(text)  # footer on each
    assert "Γιώργος Παπαδόπουλος" not in pages[1].extract_text()  # the window block: page 1


async def test_an_email_says_the_same_in_html_and_in_plain_text(sessions, tmp_path, keyring):
    complaint = a_complaint(subject="Tarif <b>majoré</b> & frais")
    await send(sessions, tmp_path, keyring, first_letter(complaint))
    [eml] = tmp_path.glob("email/**/*.eml")
    message = message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert message.get_content_type() == "multipart/alternative"
    plain_part, html_part = message.get_body(("plain",)), message.get_body(("html",))
    assert plain_part is not None and html_part is not None
    text, html = plain_part.get_content(), html_part.get_content()
    [row] = await stored(sessions)
    assert text == row.body  # the plain part is the letter on the record
    for part in ("Référence\u00a0: REC-2026-000042", "Accusé de réception", "Madame, Monsieur"):
        assert part in text and part in html
    # The complainant's words are escaped in HTML, never markup.
    assert "Tarif <b>majoré</b> & frais" in text
    assert "Tarif &lt;b&gt;majoré&lt;/b&gt; &amp; frais" in html and "<b>majoré" not in html
    assert "entreprise régie par le Code des assurances" in html


async def test_a_medical_letters_layout_is_sealed_on_the_record(sessions, tmp_path, keyring):
    from reclamations.security.sealing import seal_content

    complaint = posted(*EUROPEANS[0], medical=True)
    complaint.intake = seal_content(keyring, complaint.reference, complaint.intake)
    receipt = await send(sessions, tmp_path, keyring, first_letter(complaint))
    [row] = await stored(sessions)
    assert row.layout and row.layout.startswith("sealed:") and "Wałęsa" not in row.layout
    assert row.recipient.startswith("sealed:") and "Wałęsa" not in row.recipient
    printed = PdfReader(io.BytesIO(open_posted(keyring, Path(receipt.location))))
    assert "Łukasz Wałęsa" in printed.pages[0].extract_text()


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("1\n2\n3\n4\n5\n6", "au plus 5 lignes"),
        ("12 boulevard du Maréchal de Lattre de Tassigny\n75016 Paris", "ligne 1 dépasse 38"),
    ],
)
def test_an_address_that_cannot_fit_the_window_is_refused(address, message):
    with pytest.raises(ValidationError) as refused:
        posted("Hélène Garnier", address)
    [said] = [error["msg"] for error in refused.value.errors()]
    assert message in said and "Tassigny" not in said  # never the address itself


async def test_a_letter_rendered_before_layouts_prints_its_recipient_in_the_window(
    sessions, tmp_path, keyring
):
    from sqlalchemy import update

    from reclamations.db.models import LetterRow

    activities = letters_activity(sessions, tmp_path, keyring)
    letter = first_letter(posted(*EUROPEANS[0]))
    await activities._rendered(letter, (letter.reference, letter.order.kind.value, 1))
    async with sessions.begin() as session:  # as a row written before migration 0005
        await session.execute(update(LetterRow).values(layout=None))
    receipt = await activities.send_letter(letter)
    placed = positioned_text(Path(receipt.location))
    left, top = WINDOW_LEFT / 72 * 25.4, WINDOW_TOP / 72 * 25.4
    inside = [text for text, x, y in placed if x >= left and top < y < top + 35]
    assert inside == ["Łukasz Wałęsa", "12 rue de Łódź", "90-001 ŁÓDŹ", "POLOGNE"]
    text = PdfReader(receipt.location).pages[0].extract_text()
    assert text.count("Référence") == 1  # from its own text, not twice
