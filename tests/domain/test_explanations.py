"""rules 4, 5 and 7, as agents and complainants read them: every deadline says how it
was counted, day by day, in French. These are the exact words the complaint's page shows."""

from datetime import date

import pytest

from reclamations.domain.calendar import SkippedDay, calendar_for
from reclamations.domain.deadlines import (
    Deadline,
    SuspensionPeriod,
    SuspensionReason,
    acknowledgement_deadline,
    final_deadline,
    stopped_clock_target,
)

MARCH_1 = date(2027, 3, 1)
FINAL = date(2027, 5, 1)


def suspension(start, end, reason=None):
    return SuspensionPeriod(start, end, reason)


def test_the_acknowledgement_names_each_day_that_does_not_count():
    # Alsace: Noël, Saint-Étienne, two Sundays and New Year's Day are passed over.
    assert acknowledgement_deadline(date(2026, 12, 24), calendar_for("alsace")) == Deadline(
        due=date(2027, 1, 8),
        rule="10 jours ouvrables après l'envoi",
        steps=(
            "Envoi le jeudi 24 décembre 2026 : ce jour ne compte pas.",
            "Vendredi 25 décembre 2026 ne compte pas (Noël).",
            "Samedi 26 décembre 2026 ne compte pas (Saint-Étienne).",
            "Dimanche 27 décembre 2026 ne compte pas (dimanche).",
            "Vendredi 1er janvier 2027 ne compte pas (Jour de l'an).",
            "Dimanche 3 janvier 2027 ne compte pas (dimanche).",
            "10e jour ouvrable (calendrier Alsace) : vendredi 8 janvier 2027.",
        ),
        skipped=(
            SkippedDay(date(2026, 12, 25), "Noël"),
            SkippedDay(date(2026, 12, 26), "Saint-Étienne"),
            SkippedDay(date(2026, 12, 27), "dimanche"),
            SkippedDay(date(2027, 1, 1), "Jour de l'an"),
            SkippedDay(date(2027, 1, 3), "dimanche"),
        ),
    )


def test_the_stopped_clock_names_each_suspension_and_the_days_it_held_back():
    # The sending day (1 March) cannot be suspended: of the legal expertise, only 2 March counts.
    periods = [
        suspension(date(2027, 2, 27), date(2027, 3, 3), SuspensionReason.legal_expertise),
        suspension(date(2027, 3, 14), date(2027, 3, 20), SuspensionReason.it_maintenance),
    ]
    assert stopped_clock_target(MARCH_1, periods, FINAL) == Deadline(
        due=date(2027, 3, 23),
        rule="15 jours calendaires non suspendus après l'envoi",
        steps=(
            "Envoi le 1er mars 2027 + 15 jours calendaires.",
            "Suspension (expertise juridique) du 2 mars 2027 au 2 mars 2027 inclus : "
            "1 jour sans décompte.",
            "Suspension (maintenance informatique) du 14 mars 2027 au 19 mars 2027 inclus : "
            "6 jours sans décompte.",
            "Échéance repoussée de 7 jours : 23 mars 2027.",
        ),
    )


def test_a_suspension_without_a_reason_is_named_plainly():
    steps = stopped_clock_target(MARCH_1, [suspension(date(2027, 3, 5), date(2027, 3, 7))], FINAL)
    assert (
        steps.steps[1] == "Suspension du 5 mars 2027 au 6 mars 2027 inclus : 2 jours sans décompte."
    )


def test_a_target_held_back_past_the_two_months_stops_at_them():
    periods = [suspension(date(2027, 3, 2), date(2027, 5, 2), SuspensionReason.medical_expertise)]
    assert stopped_clock_target(MARCH_1, periods, FINAL).steps[-1] == (
        "Plafonnée au délai de 2 mois : samedi 1er mai 2027."
    )


def test_a_target_falling_on_the_last_day_is_not_called_capped():
    target = stopped_clock_target(MARCH_1, [], date(2027, 3, 16))
    assert target.due == date(2027, 3, 16)
    assert target.steps == (
        "Envoi le 1er mars 2027 + 15 jours calendaires.",
        "Échéance : mardi 16 mars 2027.",
    )


@pytest.mark.parametrize(
    ("first_written", "steps"),
    [
        (
            date(2026, 12, 31),
            (
                "Première réclamation écrite le 31 décembre 2026 + 2 mois.",
                "Le 31 n'existe pas ce mois-là : dernier jour du mois retenu.",
                "Échéance : dimanche 28 février 2027, jamais reportée ni suspendue.",
            ),
        ),
        (
            date(2026, 12, 15),
            (
                "Première réclamation écrite le 15 décembre 2026 + 2 mois.",
                "Échéance : lundi 15 février 2027, jamais reportée ni suspendue.",
            ),
        ),
    ],
)
def test_the_final_deadline_says_it_is_never_moved(first_written, steps):
    assert final_deadline(first_written).rule == "2 mois après la première réclamation écrite"
    assert final_deadline(first_written).steps == steps


def test_a_suspension_ending_before_it_starts_says_so():
    with pytest.raises(ValueError, match=r"ends \(2027-03-04\) before it starts \(2027-03-05\)"):
        SuspensionPeriod(date(2027, 3, 5), date(2027, 3, 4))


def test_a_suspension_after_the_target_is_not_named_among_its_days():
    # The 15 days ran out on 16 March; a maintenance from the 17th held nothing back.
    periods = [suspension(date(2027, 3, 17), date(2027, 3, 20), SuspensionReason.it_maintenance)]
    assert stopped_clock_target(MARCH_1, periods, FINAL).steps == (
        "Envoi le 1er mars 2027 + 15 jours calendaires.",
        "Échéance : mardi 16 mars 2027.",
    )
