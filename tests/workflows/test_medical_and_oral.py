"""rules 2 and 11: oral complaints are invited to write; medical ones go by post only,
and their content is readable nowhere but in the letters themselves."""

import base64
import io
import json

from pypdf import PdfReader
from sqlalchemy import select, text

from reclamations.activities.letters.delivery import open_posted
from reclamations.db.models import ComplaintRow, EventRow, LetterRow
from tests.office import action, kinds

SECRET = "Mon psychiatre atteste une dépression sévère depuis mars"
NAME = "Anatole Vercingétorix-Brézé"


async def medical_complaint(office, channel="email"):
    return await office.start(
        channel=channel,
        medical=True,
        description=f"{SECRET}. Je conteste le refus.",
        complainant={
            "name": NAME,
            "email": "anatole@example.fr",
            "postal_address": "3 impasse du Moulin\n57000 Metz",
        },
        documents=[{"name": "Certificat du Dr Lemoine", "kind": "supporting_document"}],
    )


async def pdf_text(office, path):
    """A paper letter's words as printed (a medical one waits encrypted, opened to print)."""
    keyring = await office.keyring_of(path.parent.name)
    pages = PdfReader(io.BytesIO(open_posted(keyring, path))).pages
    # Lines wrap on paper: compare words, not line breaks.
    return " ".join(" ".join(page.extract_text() for page in pages).split())


async def test_medical_complaint_by_email_gets_a_postal_invitation_and_never_an_email(office):
    handle = await medical_complaint(office)
    await office.act(handle, action("qualify", actor="dr.conseil"))
    await office.act(
        handle,
        action(
            "answer",
            decision="rejected",
            reasons=f"{SECRET} : avis du Médecin Conseil.",
            actor="dr.conseil",
        ),
    )
    await office.advance(handle, 70)
    state = await office.settled(handle)
    assert kinds(state) == ["medical_postal_notice", "acknowledgement", "answer"]
    assert {letter.delivery for letter in state.letters} == {"post"}
    assert office.outbox("email/**/*") == []
    assert len(office.outbox("post/**/*.pdf")) == 3
    notice = await pdf_text(office, office.outbox("post/**/medical_postal_notice-1.pdf")[0])
    assert "Médecin Conseil" in notice and "courrier postal" in notice


async def test_medical_content_is_never_stored_in_clear(office):
    handle = await medical_complaint(office, channel="post")
    await office.act(
        handle, action("escalate", level=2, note=f"Note : {SECRET}", actor="dr.conseil")
    )
    await office.act(
        handle, action("answer", decision="rejected", reasons=SECRET, actor="dr.conseil")
    )
    state = await office.settled(handle)
    async with office.sessions() as session:
        complaint = await session.get(ComplaintRow, state.reference)
        letters = (await session.scalars(select(LetterRow))).all()
        events = (await session.scalars(select(EventRow))).all()
        dump = "\n".join(
            str(row) for row in (await session.execute(text("SELECT * FROM complaints"))).all()
        )
    assert SECRET not in json.dumps(complaint.snapshot, ensure_ascii=False)
    assert SECRET not in dump and "psychiatre" not in dump
    assert complaint.subject.startswith("sealed:v2:")
    assert all(row.body.startswith("sealed:v2:") for row in letters)
    assert not any(SECRET in (e.note or "") + e.summary for e in events)
    # The paper answer itself, for its addressee, says it in full.
    assert "dépression sévère" in await pdf_text(office, office.outbox("post/**/answer-1.pdf")[0])


async def test_temporal_history_holds_no_plaintext_name_or_medical_text(office):
    handle = await medical_complaint(office, channel="post")
    await office.act(
        handle, action("answer", decision="rejected", reasons=SECRET, actor="dr.conseil")
    )
    history = (await handle.fetch_history()).to_json()
    assert base64.b64encode(b"binary/encrypted").decode() in history  # metadata is base64
    for plain in (
        SECRET,
        "psychiatre",
        NAME,
        "Vercingétorix",
        "impasse du Moulin",
        "anatole@example.fr",
    ):
        assert plain not in history


async def test_letters_keep_accents_and_the_euro_sign_on_paper(office):
    handle = await office.start(
        channel="post",
        complainant={"name": "Zoé Lefèvre", "postal_address": "1 rue de l'Église\n75001 Paris"},
    )
    await office.act(
        handle,
        action("answer", decision="partly_upheld", reasons="Remboursement de 42,50 € accordé."),
    )
    text_ = await pdf_text(office, office.outbox("post/**/answer-1.pdf")[0])
    assert "42,50 €" in text_ and "Zoé Lefèvre" in text_ and "Médiation de l'Assurance" in text_


async def test_oral_complaint_is_invited_to_confirm_in_writing_and_has_no_deadlines(office):
    handle = await office.start(
        channel="phone",
        complainant={
            "name": "Jeanne Morel",
            "postal_address": "27 avenue Jean Jaurès\n33000 Bordeaux",
        },
    )
    state = await office.state(handle)
    assert kinds(state) == ["written_confirmation_invitation"]
    assert state.letters[0].delivery == "post"
    assert state.plan.acknowledgement_due is None and state.quality_target_due is None
    letter = await pdf_text(
        office, office.outbox("post/**/written_confirmation_invitation-1.pdf")[0]
    )
    assert "confirmer par écrit" in letter
    await office.advance(handle, 31)
    assert (await handle.result()).status == "closed"
