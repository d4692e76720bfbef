"""Reading a message: its key, its times (rule 3), its text, what it answers, and mail for
no one. Pure: raw bytes in, facts out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from reclamations.domain.intake import dated
from reclamations.mail.message import (
    NO_SUBJECT,
    first_own_receipt,
    html_text,
    our_references,
    read_mail,
    sending_time,
)
from tests.mail.builders import (
    EXAMPLE,
    ID_DOMAIN,
    OWN_DOMAIN,
    complaint_mail,
    reply_to,
)

NOW = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)


def read(raw: bytes):
    return read_mail(raw, [OWN_DOMAIN], [f"reclamations@{OWN_DOMAIN}"], ID_DOMAIN)


def test_the_example_reads_as_its_sender_wrote_it():
    mail = read(EXAMPLE.read_bytes())
    assert mail.sender_name == "Hélène Garnier"
    assert mail.sender_email == "helene.garnier@example.fr"
    assert mail.subject == "Remboursement d'optique toujours en attente"
    assert "je n'ai toujours rien reçu" in mail.text
    assert [a.name for a in mail.attachments] == ["facture-optique.pdf"]
    assert mail.attachments[0].content.startswith(b"%PDF-")
    assert mail.key_source == "message-id"
    assert mail.aside is None
    assert mail.date_header == datetime(2026, 12, 3, 8, 14, tzinfo=UTC)
    assert mail.first_received == datetime(2026, 12, 3, 8, 14, 5, tzinfo=UTC)


def test_one_message_id_is_one_key_however_it_is_written():
    first = read(bytes(complaint_mail(message_id="<Abc.123@Messagerie.Example.FR>")))
    second = read(bytes(complaint_mail(message_id=" <Abc.123@messagerie.example.fr> ")))
    other = read(bytes(complaint_mail(message_id="<abc.123@messagerie.example.fr>")))
    assert first.key == second.key
    assert first.key != other.key  # the left part is case-sensitive


def test_without_a_message_id_two_deliveries_are_one_key_and_two_messages_two():
    sent = NOW - timedelta(hours=2)
    one = complaint_mail(sent=sent, message_id=None)
    two = complaint_mail(sent=sent, message_id=None, received=sent + timedelta(minutes=3))
    two["Delivered-To"] = "autre-boite@mutex.example"
    assert bytes(one) != bytes(two)
    assert read(bytes(one)).key == read(bytes(two)).key
    assert read(bytes(one)).key_source == "contenu"
    different = complaint_mail(sent=sent + timedelta(seconds=1), message_id=None)
    assert read(bytes(different)).key != read(bytes(one)).key


def test_the_raw_message_is_hashed_as_it_came():
    raw = bytes(complaint_mail())
    import hashlib

    assert read(raw).sha256 == hashlib.sha256(raw).hexdigest()
    assert read(raw).raw is raw


def test_sending_time_is_the_earliest_believable_of_three():
    date = NOW - timedelta(hours=3)
    ours = NOW - timedelta(hours=2)
    assert sending_time(date, ours, NOW) == (date, [])
    # Our server's receipt earlier than the sender's clock says: ours stands.
    assert sending_time(ours, date, NOW)[0] == date
    # No Received: of ours: arrival bounds it.
    assert sending_time(None, None, NOW) == (NOW, [])


def test_the_senders_day_holds_when_our_receipt_is_the_earlier():
    # rule 3: written at 23:59:50 on the 24th in New York, received by our server ten seconds
    # "earlier" by its own clock (05:59:40 on the 25th in Paris): the message is "du 24".
    new_york = timezone(timedelta(hours=-5))
    date = datetime(2026, 12, 24, 23, 59, 50, tzinfo=new_york)
    ours = datetime(2026, 12, 25, 4, 59, 40, tzinfo=UTC)
    sent, notes = sending_time(date, ours, ours + timedelta(minutes=1))
    assert sent == ours and notes == []
    assert dated(sent, "Europe/Paris") == date.date()


@pytest.mark.parametrize(
    "date",
    [
        NOW + timedelta(days=400),  # the future
        datetime(1970, 1, 1, tzinfo=UTC),  # a clock never set
        NOW - timedelta(days=30),  # backdated past any transit
    ],
)
def test_an_absurd_date_header_is_not_believed(date):
    sent, notes = sending_time(date, NOW - timedelta(minutes=1), NOW)
    assert sent == NOW - timedelta(minutes=1)
    assert notes


def test_a_receipt_of_ours_after_arrival_is_not_believed():
    sent, notes = sending_time(None, NOW + timedelta(days=2), NOW)
    assert sent == NOW
    assert notes


def test_only_our_own_servers_received_headers_count():
    received = [
        "from mx1.mutex.example by mail.mutex.example; Sat, 05 Dec 2026 10:00:05 +0000",
        "from mx.tiers.example by mx1.mutex.example; Sat, 05 Dec 2026 10:00:03 +0000",
        "from pc by smtp.tiers.example; Sat, 05 Dec 2026 09:00:00 +0000",  # not ours
    ]
    assert first_own_receipt(received, [OWN_DOMAIN]) == datetime(2026, 12, 5, 10, 0, 3, tzinfo=UTC)
    assert first_own_receipt(received, []) is None
    assert first_own_receipt(received, ["autre.example"]) is None


def test_html_becomes_text_without_its_scripts_and_with_its_links():
    text = html_text(
        "<html><head><title>t</title><style>p{}</style></head><body>"
        "<script>document.write('piège')</script><p>Bonjour&nbsp;!</p>"
        "<p>Voir <a href='https://exemple.fr/x'>ici</a></p><!-- caché --></body></html>"
    )
    assert "piège" not in text and "p{}" not in text and "caché" not in text
    assert "Bonjour" in text
    assert "ici <https://exemple.fr/x>" in text


def test_an_html_only_message_is_read_as_text():
    message = complaint_mail()
    message.clear_content()
    message.set_content("<p>Je suis <b>mécontent</b>.</p><script>x()</script>", subtype="html")
    mail = read(bytes(message))
    assert mail.text == "Je suis mécontent."


def test_no_subject_and_no_text_still_say_something():
    message = complaint_mail()
    del message["Subject"]
    message.clear_content()
    message.set_content("")
    mail = read(bytes(message))
    assert mail.subject == NO_SUBJECT
    assert mail.text


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("Auto-Submitted", "auto-replied"),
        ("Auto-Submitted", "auto-generated"),
        ("Precedence", "bulk"),
        ("Precedence", "junk"),
        ("Precedence", "list"),
        ("Precedence", "auto_reply"),
        ("X-Autoreply", "yes"),
        ("Return-Path", "<>"),
        ("From", "MAILER-DAEMON@mx.example.fr"),
        ("From", f"Réclamations <reclamations@{OWN_DOMAIN}>"),
        ("Message-ID", f"<REC-2026-000001.acknowledgement.1@{ID_DOMAIN}>"),
    ],
)
def test_mail_for_no_one_is_recognised(header, value):
    message = complaint_mail(**{header.replace("-", "_"): value})
    assert read(bytes(message)).aside


def test_auto_submitted_no_is_a_person_writing():
    assert read(bytes(complaint_mail(Auto_Submitted="no"))).aside is None


def test_a_delivery_report_is_set_aside():
    report = (
        b"From: Mail Delivery System <mailer@mx.example.fr>\r\n"
        b"To: reclamations@mutex.example\r\nSubject: Undelivered\r\n"
        b"Message-ID: <dsn.1@mx.example.fr>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/plain\r\n\r\nNon remis.\r\n"
        b"--b\r\nContent-Type: message/delivery-status\r\n\r\nAction: failed\r\n--b--\r\n"
    )
    assert read(report).aside == "avis de remise ou de non-remise (rapport de distribution)"


def test_a_reply_names_the_complaint_of_our_letter_it_answers():
    mail = read(bytes(reply_to("REC-2026-000123")))
    assert our_references(mail, ID_DOMAIN) == ["REC-2026-000123"]


def test_a_reference_with_dots_is_read_from_our_message_id():
    mail = read(bytes(reply_to("MUT.2026.42", kind="answer")))
    assert our_references(mail, ID_DOMAIN)[0] == "MUT.2026.42"


def test_a_new_message_quoting_a_reference_names_it():
    mail = read(bytes(reply_to("REC-2026-000777", quoted=True)))
    assert our_references(mail, ID_DOMAIN) == ["REC-2026-000777"]


def test_a_message_id_of_another_domain_names_nothing():
    message = reply_to("REC-2026-000123")
    del message["Subject"]
    message["Subject"] = "Re: bonjour"
    mail = read_mail(bytes(message), [OWN_DOMAIN], [], "autre.example")
    assert our_references(mail, "autre.example") == []


def test_line_ends_and_control_characters_never_reach_the_intake():
    message = complaint_mail()
    message.clear_content()
    message.set_content("Ligne 1\r\nLigne\x0c 2\x00\n")
    mail = read(bytes(message).replace(b"\n", b"\r\n"))
    assert mail.text == "Ligne 1\nLigne  2"
