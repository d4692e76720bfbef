"""The compliance dashboard's figures: shares of promises kept, complaints near or past their
final deadline, "other" flagged when the lists miss too much."""

from datetime import date

from reclamations.domain.dashboard import dashboard
from reclamations.domain.register import RegisterLine
from reclamations.domain.typology import DEFAULT_TYPOLOGY

TODAY = date(2027, 3, 1)


def line(reference, sent_on, final_due=None, status="in_progress", reason=None, answered=None):
    return RegisterLine(
        reference=reference,
        channel="email",
        category=None,
        status=status,
        medical=False,
        sent_on=sent_on,
        acknowledgement_due=date(2027, 1, 15),
        quality_target_due=date(2027, 1, 19),
        final_due=final_due or date(2027, 4, 1),
        acknowledged_on=None,
        first_answered_on=answered,
        overdue=False,
        reason=reason,
    )


def test_complaints_near_and_past_their_final_deadline_are_listed():
    near = line("NEAR", date(2027, 1, 10), date(2027, 3, 10))  # 50 of its 59 days gone
    past = line("PAST", date(2026, 12, 20), date(2027, 2, 20))
    early = line("EARLY", date(2027, 2, 20), date(2027, 4, 20))
    done = line("DONE", date(2027, 1, 5), status="answered", answered=date(2027, 1, 20))
    figures = dashboard([near, past, early, done], TODAY, DEFAULT_TYPOLOGY)
    assert [(w.reference, w.elapsed_percent) for w in figures.near_deadline] == [("NEAR", 85)]
    assert [w.reference for w in figures.overdue] == ["PAST"]
    assert figures.open == 3 and figures.answered == 1


def test_other_above_a_tenth_of_the_complaints_is_flagged():
    lines = [
        line(f"R{n}", date(2027, 2, 1), reason="autre" if n < 2 else "cotisations")
        for n in range(10)
    ]
    assert dashboard(lines, TODAY, DEFAULT_TYPOLOGY).other_alerts == [
        "« Autre » : 20 % des motifs (au-delà de 10 %)"
    ]
    lines[1] = line("R1", date(2027, 2, 1), reason="cotisations")
    assert dashboard(lines, TODAY, DEFAULT_TYPOLOGY).other_alerts == []
