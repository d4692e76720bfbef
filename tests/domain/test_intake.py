"""The intake contract: what back-office systems send, and the plain errors they get back."""

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from reclamations.domain.calendar import calendar_for
from reclamations.domain.clock import local_date
from reclamations.domain.deadlines import compute_deadlines
from reclamations.domain.errors import describe_errors
from reclamations.domain.intake import Channel, ComplaintIntake, field_label, parse_intake
from reclamations.domain.relative_days import dated
from tests.domain.fields import field_paths

TODAY = date(2026, 11, 27)
NOON = datetime(2026, 11, 27, 11, tzinfo=UTC)
PARIS = "Europe/Paris"
EXAMPLES = sorted((Path(__file__).parents[2] / "examples").glob("*.json"))


def valid(**changes):
    data = {
        "channel": "email",
        "sent_on": "2026-11-20",
        "complainant": {"name": "Hélène Garnier", "email": "helene@example.fr"},
        "subject": "Remboursement en attente",
        "description": "Toujours rien reçu.",
    }
    data.update(changes)
    return data


def errors_of(data):
    with pytest.raises(ValidationError) as caught:
        parse_intake(data, TODAY)
    return {e.field: e.message for e in describe_errors(caught.value)}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_intake_is_valid(path):
    intake = parse_intake(dated(json.loads(path.read_text()), NOON), TODAY)
    assert intake.subject


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_an_example_is_not_late_on_the_day_it_is_tried(path):
    """Its dates are relative to today ("J-2"): a new user's first complaints are not late
    before anyone has touched them, whatever the day they try them."""
    now = datetime.now(UTC)
    today = local_date(now, PARIS)
    intake = parse_intake(dated(json.loads(path.read_text()), now), today)
    assert intake.sent_date <= today
    if intake.is_written:
        plan = compute_deadlines(
            intake.sent_date, calendar_for(intake.calendar), intake.first_written_date
        )
        assert plan.acknowledgement.due > today and plan.quality_target.due > today


def test_relative_dates_keep_their_time_and_offset():
    intake = {"sent_on": "J-1T21:30:00-04:00", "first_written_on": "J-20", "calendar": "972"}
    assert dated(intake, NOON) == {
        "sent_on": "2026-11-26T21:30:00-04:00",
        "first_written_on": "2026-11-07",
        "calendar": "972",
    }


def test_examples_exist():
    assert len(EXAMPLES) >= 4


def test_a_minimal_complaint_needs_no_contract_nor_reference():
    intake = parse_intake(valid(), TODAY)
    assert intake.reference is None
    assert intake.complainant.member_number is None
    assert intake.first_written_date == date(2026, 11, 20)


def test_sending_time_with_offset_gives_the_senders_day_when_earlier():
    # 23:30 in London on 31 October is already 1 November in Paris: the letter is "du 31".
    intake = parse_intake(valid(sent_on="2026-10-31T23:30:00+00:00"), TODAY)
    assert intake.sent_date == date(2026, 10, 31)


def test_sending_time_without_offset_is_refused():
    assert "fuseau" in errors_of(valid(sent_on="2026-11-20T10:00:00"))["sent_on"]


def test_sent_on_in_the_future_is_refused():
    assert "futur" in errors_of(valid(sent_on="2026-11-28"))["sent_on"]


def test_implausible_years_are_refused():
    assert "l'année" in errors_of(valid(sent_on="0001-03-01"))["sent_on"]
    assert "l'année" in errors_of(valid(sent_on="0001-01-01T00:00:00+05:00"))["sent_on"]
    assert "l'année" in errors_of(valid(first_written_on="1999-12-31"))["first_written_on"]


def test_a_sending_date_over_three_years_old_is_questioned():
    assert "3 ans" in errors_of(valid(sent_on="2023-11-01"))["sent_on"]


def test_first_written_on_after_sent_on_is_refused():
    problems = errors_of(valid(first_written_on="2026-11-21"))
    assert "postérieure" in problems["first_written_on"]


def test_postal_channel_needs_a_postal_address():
    assert "courrier" in errors_of(valid(channel="post"))["complainant.postal_address"]


def test_email_channel_needs_an_email():
    data = valid(complainant={"name": "A. Martin", "postal_address": "1 rue Haute, Paris"})
    assert "courriel" in errors_of(data)["complainant.email"]


def test_a_medical_complaint_without_a_postal_address_is_still_registered():
    # rules 1 and 11: finding the address is an incident, not a reason to refuse.
    intake = parse_intake(valid(medical=True), TODAY)
    assert intake.medical and intake.complainant.postal_address is None


def test_empty_description_is_refused():
    assert errors_of(valid(description="   "))["description"] == "ne peut pas être vide"


def test_unknown_channel_is_refused_with_the_possible_values():
    assert "web_form" in errors_of(valid(channel="fax"))["channel"]


def test_oversize_text_is_refused():
    assert "20000" in errors_of(valid(description="x" * 20_001))["description"]
    assert "200" in errors_of(valid(subject="x" * 201))["subject"]


def test_invalid_email_is_refused_in_french():
    data = valid(complainant={"name": "A", "email": "pas-une-adresse"})
    assert errors_of(data)["complainant.email"] == "adresse électronique invalide"


def test_unknown_field_is_refused_rather_than_ignored():
    assert errors_of(valid(sent_date="2026-11-20"))["sent_date"] == "champ inconnu"


def test_missing_fields_are_each_named():
    problems = errors_of({"channel": "post"})
    assert {"sent_on", "complainant", "subject", "description"} <= problems.keys()


def test_several_problems_are_reported_together():
    problems = errors_of(
        valid(
            channel="post",
            first_written_on="2026-11-21",
            received_on="2026-12-02",
            subject="",
            category="misc",
        )
    )
    assert problems.keys() == {
        "first_written_on",
        "received_on",
        "complainant.postal_address",
        "subject",
        "category",
    }


def test_bad_date_says_the_expected_format():
    assert "AAAA-MM-JJ" in errors_of(valid(sent_on="20/11/2026"))["sent_on"]


def test_oral_channels_are_not_written():
    assert not parse_intake(valid(channel="phone"), TODAY).is_written
    assert parse_intake(valid(channel="managing_body"), TODAY).is_written
    assert not parse_intake(valid(channel=Channel.counter), TODAY).is_written


def test_without_today_the_future_check_is_left_to_the_edge():
    # Workflows re-read intakes months later: only the edge knows what "today" is.
    assert ComplaintIntake.model_validate(valid(sent_on="2030-01-01")).sent_date == date(2030, 1, 1)


@pytest.mark.parametrize(
    ("field", "text"),
    [
        ("complainant.name", "Hélène\x00Garnier"),
        ("description", "ligne\x1bun"),
        ("subject", "\x7f"),
    ],
)
def test_control_characters_are_refused_naming_the_field(field, text):
    data = valid()
    if field == "complainant.name":
        data["complainant"] = {**data["complainant"], "name": text}
    else:
        data[field] = text
    with pytest.raises(ValidationError) as raised:
        parse_intake(data, TODAY)
    [error] = describe_errors(raised.value)
    assert error.field == field and "caractère de contrôle interdit" in error.message


def test_lone_surrogates_are_refused_in_plain_french():
    # As the API's JSON parser hands them over.
    with pytest.raises(ValidationError) as raised:
        parse_intake(valid(subject=json.loads('"\\ud800"')), TODAY)
    [error] = describe_errors(raised.value)
    assert error.field == "subject"
    assert error.message == "caractère invalide (demi-paire UTF-16 isolée)"


def test_newlines_and_tabs_are_kept():
    intake = parse_intake({**valid(), "description": "ligne 1\n\tligne 2"}, TODAY)
    assert intake.description == "ligne 1\n\tligne 2"


def test_a_letter_sent_late_in_the_evening_abroad_is_dated_by_the_earlier_day():
    # rule 3: sent on 24 November in Martinique at 21:00, already the 25th in Paris.
    intake = parse_intake(valid(sent_on="2026-11-24T21:00:00-04:00"), TODAY)
    assert intake.sent_date == date(2026, 11, 24)
    # And the other way round: 00:30 on the 25th in Paris was the 24th for the team overseas.
    overseas = parse_intake(valid(sent_on="2026-11-25T00:30:00+01:00", calendar="972"), TODAY)
    assert overseas.sent_date == date(2026, 11, 24)


def test_every_intake_field_has_its_french_label():
    # Issue 24: the mail room's error summary names fields as the form does; walked, so that
    # a field added later cannot go without one.
    for path, _ in field_paths(ComplaintIntake):
        assert field_label(path) != path, f"{path} n'a pas de libellé (FIELD_LABELS)"
    assert field_label("complainant.postal_address") == "Adresse postale"
    assert field_label("documents.1.name") == "Nom du document 2"
    assert field_label("fichier 2") == "fichier 2"
