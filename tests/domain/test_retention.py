"""Issue 28: how long a complaint is kept after its closure, and when an erasure may go ahead."""

from datetime import date

from reclamations.domain.intake import Complainant
from reclamations.domain.retention import (
    ERASED,
    ERASED_VALUE,
    ErasureReason,
    HoldReason,
    RetentionPolicy,
    erased,
    erasure_refusal,
    shown_erased,
)

POLICY = RetentionPolicy()
CLOSED = date(2026, 3, 15)


def refusal(stage="closed", closed_on=CLOSED, holds=(), today=date(2027, 6, 1), reason=None):
    return erasure_refusal(
        POLICY, stage, closed_on, list(holds), today, reason or ErasureReason.request
    )


def test_a_complaint_is_kept_five_years_after_closure_a_request_two():
    assert POLICY.kept_until(CLOSED, "closed") == date(2031, 3, 15)
    assert POLICY.kept_until(CLOSED, "withdrawn") == date(2031, 3, 15)
    assert POLICY.kept_until(CLOSED, "requalified") == date(2028, 3, 14)


def test_nothing_is_erased_while_the_complaint_is_handled():
    assert "pas close" in refusal(stage="answered", closed_on=None)
    assert "pas close" in refusal(stage="mediation_window", closed_on=None)


def test_a_legal_hold_keeps_it_whatever_its_age():
    said = refusal(holds=[HoldReason.mediation, HoldReason.litigation], today=date(2040, 1, 1))
    assert said == "conservation imposée (litige en cours, saisine du Médiateur en cours)"


def test_a_request_waits_the_minimum_period_after_closure():
    assert refusal(today=date(2027, 3, 14)) == (
        "délai minimal de conservation : effaçable à partir du 15/03/2027"
    )
    assert refusal(today=date(2027, 3, 15)) is None


def test_the_daily_run_erases_only_once_the_period_has_ended():
    daily = ErasureReason.retention
    assert refusal(today=date(2031, 3, 15), reason=daily) == "durée de conservation non échue"
    assert refusal(today=date(2031, 3, 16), reason=daily) is None


def test_an_erased_value_reads_erased_and_still_loads():
    who = Complainant(name="Zoé Martin", email="zoe@example.fr", member_number="AD-1")
    gone = erased(who)
    assert {gone.name, gone.email, gone.member_number} == {ERASED_VALUE}
    reloaded = Complainant.model_validate(gone.model_dump())  # an email's check lets it through
    assert shown_erased(reloaded).email == ERASED and shown_erased(reloaded).name == ERASED
