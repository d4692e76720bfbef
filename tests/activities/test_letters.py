"""The letter activity: real SMTP (aiosmtpd), a real print outbox, real databases."""

import io
from datetime import timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import event, select

from reclamations.activities.letters.activity import LetterActivities
from reclamations.activities.letters.delivery import EmlOutbox, PostOutbox, SmtpSender, open_posted
from reclamations.activities.letters.rendering import LetterRenderer
from reclamations.db.models import ComplaintRow, EventRow, LetterRow
from reclamations.domain.actions import Answer, Contest, Mediate, Qualify, Resume, Suspend
from reclamations.domain.clock import local_date
from reclamations.domain.complaint import ActionRefused
from reclamations.domain.entities import DEFAULT_ENTITIES, Entities
from reclamations.domain.french import long_date
from reclamations.domain.letters import DEMO_IDENTITY, INSURANCE_MEDIATOR, LetterKind
from reclamations.security.envelopes import UnreadableFile, is_enveloped
from reclamations.security.keyring import Keyring
from reclamations.security.sealing import open_sealed, seal, seal_content
from reclamations.workflows.messages import LetterInput, RecordInput
from tests.activities.conftest import NOW, a_complaint


def letters_activity(sessions, tmp_path: Path, keyring: Keyring, email=None):
    return LetterActivities(
        sessions,
        LetterRenderer(DEFAULT_ENTITIES),
        email=email or EmlOutbox(tmp_path),
        post=PostOutbox(tmp_path, keyring),
        keyring=keyring,
        mail_from="MUTEX - Réclamations <reclamations@mutex.example>",
    )


def first_letter(complaint, kind=LetterKind.acknowledgement):
    complaint._order(kind, NOW)  # what the state machine does when a letter is due
    return letter_for(complaint, complaint.pending_letters[-1])


def letter_for(complaint, order):
    """What the workflow hands the letter activity for this order."""
    return LetterInput(
        reference=complaint.reference,
        intake=complaint.intake,
        plan=complaint.plan,
        order=order,
        quality_target_due=complaint.quality_target_due,
        at=NOW,
    )


async def stored(sessions):
    async with sessions() as session:
        return (await session.scalars(select(LetterRow))).all()


async def test_email_goes_through_smtp_once_even_when_retried(
    sessions, tmp_path, keyring, smtp_server
):
    mailbox, port = smtp_server
    send = letters_activity(sessions, tmp_path, keyring, SmtpSender("127.0.0.1", port)).send_letter
    letter = first_letter(a_complaint())
    first = await send(letter)
    again = await send(letter)
    assert first == again
    [message] = mailbox.received
    assert message["To"] == "helene.garnier@example.fr"
    assert message["Subject"] == "Accusé de réception – votre réclamation REC-2026-000042"
    assert message["Message-ID"] == "<REC-2026-000042.acknowledgement.1@reclamations.local>"
    assert message["Auto-Submitted"] == "auto-generated"
    body = message.get_body(("plain",)).get_content()
    assert "Nous avons bien reçu votre réclamation du 20 novembre 2026" in body
    assert "au plus tard le 20 janvier 2027" in body
    [row] = await stored(sessions)
    assert (row.status, row.delivery, row.location) == ("sent", "email", first.location)


async def test_a_refused_email_is_retried_and_delivered_once(
    sessions, tmp_path, keyring, smtp_server
):
    mailbox, port = smtp_server
    mailbox.refuse_next = 1
    send = letters_activity(sessions, tmp_path, keyring, SmtpSender("127.0.0.1", port)).send_letter
    letter = first_letter(a_complaint())
    with pytest.raises(Exception, match="451"):
        await send(letter)  # Temporal retries the activity after this failure
    [row] = await stored(sessions)
    assert row.status == "rendered"
    await send(letter)
    assert len(mailbox.received) == 1
    [row] = await stored(sessions)
    assert row.status == "sent"


async def test_a_letter_that_does_not_leave_records_the_state_that_ordered_it_all_the_same(
    sessions, tmp_path, keyring, smtp_server
):
    """The register shows the state that ordered a letter while the letter waits for a retry."""
    mailbox, port = smtp_server
    mailbox.refuse_next = 1
    send = letters_activity(sessions, tmp_path, keyring, SmtpSender("127.0.0.1", port)).send_letter
    complaint = a_complaint()
    letter = first_letter(complaint)
    ordering = RecordInput(complaint=complaint, events=complaint.events, at=NOW)
    with pytest.raises(Exception, match="451"):
        await send(letter.model_copy(update={"record": ordering}))
    async with sessions() as session:
        row = await session.get(ComplaintRow, complaint.reference)
        recorded = (await session.scalars(select(EventRow.seq))).all()
    assert row is not None and row.version == complaint.version
    assert recorded == [event.seq for event in complaint.events]


async def test_a_first_try_writes_its_letter_and_its_record_in_one_transaction(
    sessions, tmp_path, keyring
):
    complaint = a_complaint()
    letter = first_letter(complaint)
    ordering = RecordInput(complaint=complaint, events=complaint.events, at=NOW)
    commits: list[object] = []
    engine, counted = sessions.kw["bind"].sync_engine, commits.append
    event.listen(engine, "commit", counted)
    try:
        send = letters_activity(sessions, tmp_path, keyring).send_letter
        receipt = await send(letter.model_copy(update={"record": ordering}))
    finally:
        event.remove(engine, "commit", counted)
    assert len(commits) == 1
    [row] = await stored(sessions)
    assert (row.status, row.location) == ("sent", receipt.location)
    async with sessions() as session:
        assert await session.get(ComplaintRow, complaint.reference) is not None


async def test_a_retry_sends_the_text_first_rendered(sessions, tmp_path, keyring, smtp_server):
    mailbox, port = smtp_server
    mailbox.refuse_next = 1
    sender = SmtpSender("127.0.0.1", port)
    letter = first_letter(a_complaint())
    with pytest.raises(Exception, match="451"):
        await letters_activity(sessions, tmp_path, keyring, sender).send_letter(letter)
    # The retry runs on a worker whose letterhead has changed since (a new release, say).
    renamed = LetterActivities(
        sessions,
        LetterRenderer(
            Entities.alone(
                DEMO_IDENTITY.model_copy(update={"name": "MUTEX Renommée"}), INSURANCE_MEDIATOR
            )
        ),
        email=sender,
        post=PostOutbox(tmp_path, keyring),
        keyring=keyring,
        mail_from="MUTEX - Réclamations <reclamations@mutex.example>",
    )
    await renamed.send_letter(letter)
    [message] = mailbox.received
    body = message.get_body(("plain",)).get_content()
    [row] = await stored(sessions)
    assert body == row.body
    assert "MUTEX Renommée" not in body


async def test_a_letter_held_by_an_incident_leaves_dated_the_day_it_leaves(
    sessions, tmp_path, keyring, smtp_server
):
    """rule 14: rendered, refused for good, released days later by a new try: the
    workflow dates it anew, and the letter sent says that day, not the first one."""
    mailbox, port = smtp_server
    mailbox.refuse_next = 1
    send = letters_activity(sessions, tmp_path, keyring, SmtpSender("127.0.0.1", port)).send_letter
    letter = first_letter(a_complaint())
    with pytest.raises(Exception, match="451"):
        await send(letter)
    released = letter.model_copy(update={"at": NOW + timedelta(days=3)})
    await send(released)
    [message] = mailbox.received
    body = message.get_body(("plain",)).get_content()
    leaves = local_date(released.at, "Europe/Paris")
    assert f"Châtillon, le {long_date(leaves)}" in body
    assert f"Châtillon, le {long_date(local_date(NOW, 'Europe/Paris'))}" not in body
    [row] = await stored(sessions)
    assert row.letter_on == leaves and row.body == body


async def test_without_smtp_email_lands_in_the_local_outbox(sessions, tmp_path, keyring):
    send = letters_activity(sessions, tmp_path, keyring).send_letter
    receipt = await send(first_letter(a_complaint()))
    path = Path(receipt.location)
    assert path == tmp_path / "email" / "REC-2026-000042" / "acknowledgement-1.eml"
    assert b"Subject:" in path.read_bytes()


async def test_post_letters_are_pdf_files_with_accents_and_euro(sessions, tmp_path, keyring):
    complaint = a_complaint(channel="post", subject="Prélèvement de 12,40 € après résiliation")
    send = letters_activity(sessions, tmp_path, keyring).send_letter
    receipt = await send(first_letter(complaint))
    text = " ".join(PdfReader(receipt.location).pages[0].extract_text().split())
    assert "Prélèvement de 12,40 € après résiliation" in text
    assert "Hélène Garnier" in text and "Service Qualité Relations Adhérents" in text


async def test_a_letter_opens_nothing_sealed_for_another_complaint(sessions, tmp_path, keyring):
    # rule 11: a sealed value copied into another complaint prints as unreadable, and
    # a non-medical complaint's letter never opens anything at all.
    stolen = seal(keyring, "REC-2026-000001", "Diagnostic de sclérose en plaques")
    medical = a_complaint("REC-2026-000077", medical=True)
    medical.intake = medical.intake.model_copy(update={"subject": stolen})
    ordinary = a_complaint("REC-2026-000078")
    ordinary.intake = ordinary.intake.model_copy(update={"subject": stolen})
    send = letters_activity(sessions, tmp_path, keyring).send_letter
    await send(first_letter(medical))
    await send(first_letter(ordinary))
    medical_row, ordinary_row = sorted(await stored(sessions), key=lambda row: row.reference)
    assert "[contenu illisible]" in open_sealed(keyring, medical.reference, medical_row.body)
    assert stolen in ordinary_row.body and "sclérose" not in ordinary_row.body


async def test_medical_letters_go_by_post_and_are_stored_sealed(sessions, tmp_path, keyring):
    complaint = a_complaint(medical=True, subject="Refus après examen médical")
    complaint.intake = seal_content(keyring, complaint.reference, complaint.intake)
    send = letters_activity(sessions, tmp_path, keyring).send_letter
    receipt = await send(first_letter(complaint))
    assert receipt.location.endswith(".pdf")
    assert list(tmp_path.glob("email/**/*")) == []
    [row] = await stored(sessions)
    assert row.delivery == "post"
    assert row.body.startswith("sealed:v2:") and "examen médical" not in row.body
    # rule 11: it waits in the outbox encrypted, opened only to print.
    posted = Path(receipt.location)
    assert is_enveloped(posted.read_bytes())
    opened = PdfReader(io.BytesIO(open_posted(keyring, posted)))
    text = " ".join(opened.pages[0].extract_text().split())
    assert "Refus après examen médical" in text
    # Bound to its complaint and letter: a copy under another letter's name opens nowhere.
    elsewhere = tmp_path / "post" / "REC-2026-000999" / posted.name
    elsewhere.parent.mkdir(parents=True)
    elsewhere.write_bytes(posted.read_bytes())
    with pytest.raises(UnreadableFile):
        open_posted(keyring, elsewhere)


@pytest.mark.parametrize(
    ("decision", "review", "says_how"),
    [
        ("rejected", False, True),
        ("partly_upheld", False, True),
        ("upheld", False, False),
        ("rejected", True, False),
    ],
)
def test_an_answer_not_fully_favourable_says_how_to_ask_for_a_second_review(
    decision, review, says_how
):
    # rule 8: and after the second review itself, the mediator remains.
    complaint = a_complaint()
    if review:
        complaint.apply(Answer(actor="a", decision="rejected", reasons="Non."), NOW)
        complaint.apply(Contest(actor="a"), NOW)
    complaint.apply(Answer(actor="a", decision=decision, reasons="Examiné."), NOW)
    body = render(letter_for(complaint, complaint.pending_letters[-1]))
    assert ("demander qu'elle soit réexaminée" in body) is says_how
    assert "Médiation de l'Assurance" in body


def test_an_answer_during_mediation_offers_no_review_it_would_refuse():
    # rules 8, 10 and 18: two months passed, the complainant went to the mediator; the answer
    # sent then goes on with the mediation and offers no second review (no contest is taken
    # once the mediator is seized).
    complaint = a_complaint(first_written_on="2026-09-01")
    while (alarm := complaint.next_alarm()) and alarm.at <= NOW:
        complaint.ring(alarm.kind, alarm.at)
    complaint.apply(Mediate(actor="a", step="referral", mediator="LMA", file_number="LMA-9"), NOW)
    complaint.apply(Answer(actor="a", decision="rejected", reasons="Non."), NOW)
    body = render(letter_for(complaint, complaint.pending_letters[-1]))
    assert "la médiation se poursuit" in body
    assert "réexaminée" not in body
    with pytest.raises(ActionRefused):
        complaint.apply(Contest(actor="a"), NOW)


def test_an_acknowledgement_on_the_last_day_of_the_two_months_says_it_ends_today():
    # rules 6, 7 and 9: the final deadline is the last day, still inside the two months; the
    # mediator's letter comes only if no answer leaves that day.
    complaint = a_complaint(first_written_on="2026-09-27")  # two months end on NOW's day
    complaint.apply(Qualify(actor="a"), NOW)
    body = render(letter_for(complaint, complaint.pending_letters[-1]))
    assert "prend fin aujourd'hui, le 27 novembre 2026" in body
    assert "a pris fin" not in body and "séparément" not in body
    complaint = a_complaint(first_written_on="2026-09-26")  # ended the day before
    complaint.apply(Qualify(actor="a"), NOW)
    body = render(letter_for(complaint, complaint.pending_letters[-1]))
    assert "a pris fin le 26 novembre 2026" in body


def test_letters_say_how_the_complaint_reached_us_in_good_french():
    complaint = a_complaint(channel="counter", complainant={"name": "A", "postal_address": "1 r"})
    body = render(first_letter(complaint, LetterKind.written_confirmation_invitation))
    assert "à notre accueil" in body and "par accueil" not in body
    assert "Référence\u00a0:" in body and "Châtillon" in body


def test_the_information_letter_gives_the_suspensions_in_good_french():
    # rule 6: the suspensions that moved the announced date, each one named.
    complaint = a_complaint()
    complaint.apply(Qualify(actor="a"), NOW)  # the acknowledgement announces a date
    for reason, start in (
        ("legal_expertise", NOW + timedelta(days=1)),
        ("it_maintenance", NOW + timedelta(days=2)),
    ):
        complaint.apply(Suspend(actor="a", reason=reason, on=start.date()), start)
        end = start + timedelta(days=1)
        complaint.apply(Resume(actor="a", on=end.date()), end)
    while not complaint.ordered(LetterKind.information):
        alarm = complaint.next_alarm()
        assert alarm is not None
        complaint.ring(alarm.kind, alarm.at)
    information = complaint.pending_letters[-1]
    assert information.kind is LetterKind.information
    assert information.facts.reason == (
        "les délais d'expertise juridique et de maintenance informatique nécessaires à "
        "l'examen de votre dossier"
    )


def render(letter):
    return LetterRenderer(DEFAULT_ENTITIES).render(letter, lambda t: t).body
