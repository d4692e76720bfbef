"""issue 26 (rule 20): where the insurer enables it, a letter carries its complainant's private
link; the stored letter, which agents read, says where it was and never holds it."""

import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pypdf import PdfReader
from sqlalchemy import func, select

from reclamations.activities.letters.activity import LetterActivities
from reclamations.activities.letters.delivery import EmlOutbox, PostOutbox, SmtpSender, open_posted
from reclamations.activities.letters.links import LetterLinks
from reclamations.activities.letters.rendering import FOLLOW_LINK, LetterRenderer
from reclamations.db.follow_links import link_for
from reclamations.db.models import FollowLinkRow
from reclamations.domain.entities import DEFAULT_ENTITIES
from reclamations.security.sealing import seal_content
from tests.activities.conftest import a_complaint
from tests.activities.test_letters import first_letter, stored

PUBLIC = "https://reclamations.mutex.example"
LINK = re.compile(re.escape(PUBLIC) + r"/suivi/([a-z2-7]{24})\b")


def linking(sessions, tmp_path: Path, keyring, email=None) -> LetterActivities:
    return LetterActivities(
        sessions,
        LetterRenderer(DEFAULT_ENTITIES, follow_links=True),
        email=email or EmlOutbox(tmp_path),
        post=PostOutbox(tmp_path, keyring),
        keyring=keyring,
        mail_from="MUTEX - Réclamations <reclamations@mutex.example>",
        links=LetterLinks(sessions, keyring, PUBLIC, timedelta(days=120)),
    )


async def links_stored(sessions):
    async with sessions() as session:
        return await session.scalar(select(func.count()).select_from(FollowLinkRow))


async def test_a_posted_letter_prints_a_link_that_opens_its_complaint(sessions, tmp_path, keyring):
    complaint = a_complaint(channel="post")
    receipt = await linking(sessions, tmp_path, keyring).send_letter(first_letter(complaint))
    printed = " ".join(PdfReader(receipt.location).pages[0].extract_text().split())
    token = LINK.search(printed)
    assert token is not None, printed
    opened = await link_for(sessions, token.group(1), datetime.now(UTC))
    assert opened is not None and opened.reference == complaint.reference
    [row] = await stored(sessions)
    assert FOLLOW_LINK in row.body and token.group(1) not in row.body


async def test_an_emailed_letter_sends_the_same_link_on_every_try(
    sessions, tmp_path, keyring, smtp_server
):
    mailbox, port = smtp_server
    mailbox.refuse_next = 1
    send = linking(sessions, tmp_path, keyring, SmtpSender("127.0.0.1", port)).send_letter
    letter = first_letter(a_complaint())
    try:
        await send(letter)
    except Exception as refused:
        assert "451" in str(refused)
    else:
        raise AssertionError("the mail server was to refuse the first try")
    await send(letter)
    [message] = mailbox.received
    text = message.get_body(("plain",)).get_content()
    [token] = LINK.findall(text)
    assert await links_stored(sessions) == 1
    assert await link_for(sessions, token, datetime.now(UTC)) is not None
    [row] = await stored(sessions)
    assert token not in row.body


async def test_a_medical_letter_carries_no_link(sessions, tmp_path, keyring):
    complaint = a_complaint(medical=True, subject="Refus après examen médical")
    complaint.intake = seal_content(keyring, complaint.reference, complaint.intake)
    receipt = await linking(sessions, tmp_path, keyring).send_letter(first_letter(complaint))
    opened = PdfReader(io.BytesIO(open_posted(keyring, Path(receipt.location))))
    printed = " ".join(opened.pages[0].extract_text().split())
    assert "Refus après examen médical" in printed
    assert "/suivi/" not in printed and "lien personnel" not in printed
    assert await links_stored(sessions) == 0


async def test_without_the_option_no_letter_speaks_of_a_link(sessions, tmp_path, keyring):
    rendered = LetterRenderer(DEFAULT_ENTITIES).render(
        first_letter(a_complaint(channel="post")), lambda text: text
    )
    assert "lien personnel" not in rendered.body and "/suivi/" not in rendered.body
