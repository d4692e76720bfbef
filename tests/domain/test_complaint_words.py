"""What the complaint says, word for word: the alarms the agents are given (their time and
summary), the lines its timers write on the record, and why an action is refused. These are the
sentences agents and complainants read (DESIGN rule 13: every event with its time and actor),
so each is asserted whole."""

from datetime import date, datetime

import pytest

from reclamations.domain.actions import (
    Answer,
    Contest,
    CorrectAddress,
    Decision,
    Escalate,
    Inform,
    Mediate,
    Qualify,
    RequalifyAsRequest,
    Resume,
    Retry,
    Suspend,
    Withdraw,
)
from reclamations.domain.complaint import ActionRefused, AlarmKind, Complaint
from reclamations.domain.letters import LetterKind
from tests.domain.builders import NOW, at, complaint, example, pending, ring_until, said, timetable

SYSTEM = "système"
YEAR_ENDS = date(2028, 3, 1)  # a year after the written complaint of 1 March 2027


def qualified() -> Complaint:
    c: Complaint = complaint()
    c.apply(Qualify(actor="a"), NOW)
    return c


def answered(decision: Decision = Decision.rejected) -> Complaint:
    c = qualified()
    c.apply(Answer(actor="a", decision=decision, reasons="Motifs."), NOW)
    return c


def referred(on: date = date(2027, 3, 3)) -> Complaint:
    """Answered on 1 March, referred to the mediator on `on`."""
    c = answered()
    c.apply(Mediate(actor="a", step="referral", mediator="LMA", on=on), at(on))
    return c


def notified(on: date = date(2027, 5, 10)) -> Complaint:
    """The mediator notified the parties on `on`: their 90 days run."""
    c = referred()
    c.apply(Mediate(actor="a", step="notification", on=on), at(on))
    return c


def rung(c: Complaint, kind: AlarmKind, now: datetime) -> list[tuple[str, str, str]]:
    """Ring one alarm: the lines it wrote on the record."""
    since = len(c.events)
    c.ring(kind, now)
    return said(c, since)


def refusal(c: Complaint, action, now: datetime = NOW) -> str:
    with pytest.raises(ActionRefused) as refused:
        c.check(action, now)
    return str(refused.value)


# -- the alarms: when each rings and what the agents read ----------------------------------

ESCALATION = (
    "final_escalation",
    "2027-04-21 08:00",
    "Escalade avant délai de 2 mois — échéance 2027-05-01",
)
FINAL = ("final_deadline", "2027-05-02 00:00", "Délai de 2 mois — échéance 2027-05-01")


def test_a_written_complaint_waits_for_its_acknowledgement_quality_target_and_2_months():
    """Rules 4, 5, 7 and 9: the acknowledgement two jours ouvrables before the 12th, the
    quality target on the evening of its day, escalation ten days before the 2 months, and
    the 2 months passed at midnight after their last day."""
    assert timetable(complaint()) == [
        ("auto_acknowledge", "2027-03-10 08:00", "Accusé de réception — échéance 2027-03-12"),
        ("quality_target", "2027-03-16 18:00", "Engagement qualité — échéance 2027-03-16"),
        ESCALATION,
        FINAL,
    ]


def test_the_agents_are_warned_about_the_date_announced():
    """Rule 6: three mornings before the date the acknowledgement announced, and on its
    evening; no warning of the quality target itself."""
    assert timetable(qualified()) == [
        ("promise_warning", "2027-03-13 08:00", "Alerte équipe — date annoncée 2027-03-16"),
        ("quality_target", "2027-03-16 18:00", "Engagement qualité — échéance 2027-03-16"),
        ("promise_due", "2027-03-16 18:00", "Date annoncée au réclamant — 2027-03-16"),
        ESCALATION,
        FINAL,
    ]


def test_a_suspension_holds_the_quality_target_not_the_date_announced():
    """Rule 5: the target waits for the end of the suspension; rule 6: the complainant still
    hears before the date passes."""
    c = qualified()
    c.apply(Suspend(actor="a", reason="medical_expertise"), NOW)
    assert [kind for kind, _, _ in timetable(c)] == [
        "promise_warning",
        "promise_due",
        "final_escalation",
        "final_deadline",
    ]


def test_an_answer_waits_60_days_for_a_contest():
    """Rule 10: the contest window runs from the answer, to the minute."""
    assert timetable(answered()) == [
        ("contest_window_end", "2027-04-30 11:00", "Clôture sans contestation après 60 jours"),
    ]


def test_a_contest_runs_to_the_2_months_without_a_quality_target():
    """Rule 10: the review has the 2 months of the first written complaint, no quality
    target nor contest window of its own."""
    c = answered()
    c.apply(Contest(actor="a"), at(date(2027, 3, 2)))
    assert timetable(c) == [ESCALATION, FINAL]


def test_the_complaint_waits_for_a_referral_until_the_grace_period_after_the_year():
    """Rule 18: a year after the written complaint (1 March 2028), then 60 days of grace."""
    c = answered()
    ring_until(c, at(date(2027, 5, 1)))
    assert c.stage == "mediation_window"
    assert timetable(c) == [
        (
            "mediation_window_end",
            "2028-05-01 00:00",
            "Fin du délai pour saisir le Médiateur — 2028-03-01",
        ),
    ]


def test_the_mediators_90_days_run_from_the_notification():
    """Rule 18 (R612-5): the team is warned three mornings before the mediator's 90 days
    end, and told on their evening."""
    assert timetable(referred()) == []  # no notification yet: no time runs
    assert timetable(notified(date(2027, 5, 10))) == [
        (
            "mediation_warning",
            "2027-08-05 08:00",
            "Alerte équipe — avis du Médiateur attendu le 2027-08-08",
        ),
        ("mediation_due", "2027-08-08 18:00", "Délai de 90 jours du Médiateur — 2027-08-08"),
    ]


@pytest.mark.parametrize("step", ["proposal", "settlement"])
def test_the_mediators_time_stops_with_a_proposal_or_an_agreement(step):
    c = notified()
    c.apply(Mediate(actor="a", step=step), at(date(2027, 6, 1)))
    assert timetable(c) == []


def test_an_oral_complaint_waits_30_days_for_its_written_confirmation():
    """Rule 2: thirty days of 24 hours from its registration (summer time came meanwhile)."""
    c = example("phone_oral")
    assert timetable(c) == [
        (
            "oral_confirmation_end",
            "2027-03-31 11:00",
            "Clôture sans confirmation écrite après 30 jours",
        ),
    ]


# -- what the timers write on the record -----------------------------------------------------


def test_an_unqualified_complaint_is_acknowledged_automatically():
    """Rule 4: two jours ouvrables before the acknowledgement is due."""
    c = complaint()
    assert rung(c, AlarmKind.auto_acknowledge, at(date(2027, 3, 10), 8)) == [
        (
            "warning",
            SYSTEM,
            "Réclamation non qualifiée à l'approche de l'échéance : accusé de réception envoyé "
            "automatiquement.",
        )
    ]
    assert pending(c) == ["acknowledgement"]
    assert c.promises == [date(2027, 3, 16)]
    assert timetable(c)[0][0] == "promise_warning"


def test_the_quality_target_is_only_recorded():
    """Rule 5: on the record and in the register; the complainant hears about the date
    they were given (rule 6), not about the target."""
    c = qualified()
    assert rung(c, AlarmKind.quality_target, at(date(2027, 3, 16), 18)) == [
        ("deadline_reached", SYSTEM, "Engagement qualité de 15 jours atteint sans réponse.")
    ]
    assert pending(c) == ["acknowledgement"]


def test_the_agents_are_warned_before_the_date_announced():
    """Rule 6: the morning of the 13th, about the 16th."""
    c = qualified()
    assert rung(c, AlarmKind.promise_warning, at(date(2027, 3, 13), 8)) == [
        (
            "warning",
            SYSTEM,
            "Réponse annoncée au réclamant pour le 16 mars 2027 : répondez avant, ou "
            "informez-le du retard et de sa raison ; sinon un courrier d'information partira "
            "ce jour-là.",
        )
    ]
    assert c.promises_warned == 1


def test_on_the_date_announced_an_information_letter_announces_the_next():
    """Rule 6: on the evening of the 16th, without an answer: a letter announcing the 31st,
    the date it moves, and why (the examination, no suspension having run)."""
    c = qualified()
    assert rung(c, AlarmKind.promise_due, at(date(2027, 3, 16), 18)) == [
        (
            "deadline_reached",
            SYSTEM,
            "Date annoncée au réclamant (16 mars 2027) atteinte sans réponse : courrier "
            "d'information, réponse annoncée au 31 mars 2027.",
        )
    ]
    letter = c.pending_letters[-1]
    assert letter.kind is LetterKind.information
    assert letter.facts.expected_on == date(2027, 3, 31)
    assert letter.facts.promised_on == date(2027, 3, 16)
    assert letter.facts.reason == "votre dossier demande un examen approfondi par nos services"
    assert c.promises == [date(2027, 3, 16), date(2027, 3, 31)]
    assert c.promises_settled == 1


def test_the_information_letter_names_the_suspension_running():
    """Rule 6: a medical expertise under way is the reason the date moves."""
    c = qualified()
    c.apply(Suspend(actor="a", reason="medical_expertise"), at(date(2027, 3, 5)))
    ring_until(c, at(date(2027, 3, 16), 19))
    assert c.pending_letters[-1].facts.reason == (
        "l'examen de votre dossier demande une expertise médicale"
    )


def test_the_information_letter_names_every_suspension_that_moved_the_date():
    """Rule 6: each suspension run since the date was announced, once."""
    c = qualified()
    c.apply(
        Suspend(actor="a", reason="medical_expertise", on=date(2027, 3, 2)), at(date(2027, 3, 3))
    )
    c.apply(Resume(actor="a", on=date(2027, 3, 4)), at(date(2027, 3, 4)))
    c.apply(Suspend(actor="a", reason="it_maintenance", on=date(2027, 3, 8)), at(date(2027, 3, 8)))
    ring_until(c, at(date(2027, 3, 16), 19))
    assert c.pending_letters[-1].facts.reason == (
        "les délais d'expertise médicale et de maintenance informatique nécessaires à "
        "l'examen de votre dossier"
    )


def test_a_date_announced_reached_on_the_last_day_announces_no_other():
    """Rule 6: never a date past the 2 months. The alarm of the 30 April promise rung late,
    on 1 May, the last day of the 2 months: no letter, only the record."""
    c = qualified()
    ring_until(c, at(date(2027, 4, 30), 8))
    assert c.promise == date(2027, 4, 30)
    letters = len(c.pending_letters)
    assert rung(c, AlarmKind.promise_due, at(date(2027, 5, 1), 18)) == [
        (
            "deadline_reached",
            SYSTEM,
            "Date annoncée atteinte sans réponse au terme du délai de 2 mois : pas de "
            "nouvelle date à annoncer.",
        )
    ]
    assert len(c.pending_letters) == letters
    assert c.promise == date(2027, 4, 30)


def test_ten_days_before_the_2_months_the_complaint_goes_to_the_service_qualite():
    """Rule 7: escalation to level 2."""
    c = qualified()
    assert rung(c, AlarmKind.final_escalation, at(date(2027, 4, 21), 8)) == [
        ("escalated", SYSTEM, "Escaladée au niveau 2 (Service Qualité Relations Adhérents).")
    ]
    assert c.escalation_level == 2


def test_the_2_months_passed_without_an_answer():
    """Rule 9: overdue, escalated to the Direction, and the letter on the mediator."""
    c = qualified()
    assert rung(c, AlarmKind.final_deadline, at(date(2027, 5, 2))) == [
        (
            "deadline_reached",
            SYSTEM,
            "Délai de 2 mois dépassé sans réponse : le réclamant peut saisir le Médiateur.",
        ),
        ("escalated", SYSTEM, "Escaladée au niveau 3 (Direction)."),
    ]
    assert c.overdue and c.status == "overdue" and c.escalation_level == 3
    assert pending(c) == ["acknowledgement", "mediation_rights"]
    assert AlarmKind.final_deadline in c.alarms_rung


def test_the_2_months_reached_during_the_review_of_a_timely_answer():
    """Rules 9 and 10: an answer left within the 2 months; the contest's review is not
    overdue, and no letter says otherwise."""
    c = answered()
    for order in list(c.pending_letters):
        c.letter_sent(order, "boîte", NOW)
    c.apply(Contest(actor="a"), at(date(2027, 3, 10)))
    assert rung(c, AlarmKind.final_deadline, at(date(2027, 5, 2))) == [
        (
            "deadline_reached",
            SYSTEM,
            "Délai de 2 mois atteint pendant la révision : une réponse était partie à temps, le "
            "réclamant a déjà les voies de recours.",
        )
    ]
    assert not c.overdue and c.pending_letters == []


def test_without_a_contest_the_answer_stands_and_the_mediator_remains():
    """Rule 18: after 60 days, the complaint waits for a referral until the year ends."""
    c = answered()
    assert rung(c, AlarmKind.contest_window_end, at(date(2027, 4, 30), 11)) == [
        (
            "mediation",
            SYSTEM,
            "Sans contestation : le réclamant peut saisir le Médiateur jusqu'au 1er mars 2028.",
        )
    ]
    assert c.stage == "mediation_window" and c.closed_at is None


def test_the_complaint_closes_at_the_end_of_the_window_for_a_referral():
    c = answered()
    ring_until(c, at(date(2027, 5, 1)))
    moment = at(date(2028, 5, 1), 1)
    assert rung(c, AlarmKind.mediation_window_end, moment) == [("closed", SYSTEM, "Close.")]
    assert c.status == "closed" and c.closed_at == moment


def test_an_oral_complaint_never_confirmed_closes_after_30_days():
    """Rule 2."""
    c = example("phone_oral")
    moment = at(date(2027, 3, 31), 11)
    assert rung(c, AlarmKind.oral_confirmation_end, moment) == [("closed", SYSTEM, "Close.")]
    assert c.status == "closed" and c.closed_at == moment


def test_the_team_is_warned_before_the_mediators_90_days_end():
    """Rule 18: three mornings before the 8 August."""
    c = notified()
    assert rung(c, AlarmKind.mediation_warning, at(date(2027, 8, 5), 8)) == [
        ("warning", SYSTEM, "Avis du Médiateur attendu le 8 août 2027 : préparer la suite.")
    ]


def test_the_mediators_90_days_ended_without_an_opinion():
    """Rule 18: the mediator is reminded, and the complaint goes to the Service Qualité."""
    c = notified()
    assert rung(c, AlarmKind.mediation_due, at(date(2027, 8, 8), 18)) == [
        (
            "warning",
            SYSTEM,
            "Délai de 90 jours du Médiateur échu sans avis enregistré : relancer le Médiateur.",
        ),
        ("escalated", SYSTEM, "Escaladée au niveau 2 (Service Qualité Relations Adhérents)."),
    ]
    assert c.escalation_level == 2


# -- why an action is refused ------------------------------------------------------------------


def test_nothing_to_retry_without_a_failed_sending():
    """Rule 14."""
    assert refusal(complaint(), Retry(actor="a")) == "Aucun envoi en échec : rien à relancer."


def test_a_complaint_is_qualified_once():
    assert refusal(qualified(), Qualify(actor="a")) == "La réclamation est déjà qualifiée."


def test_a_closed_complaint_takes_no_more_action():
    c = complaint()
    c.apply(Withdraw(actor="a"), NOW)
    assert refusal(c, Qualify(actor="a")) == (
        "La réclamation est close (close sur désistement) : plus aucune action."
    )


def test_an_answered_complaint_is_no_longer_requalified_as_a_request():
    """Rule 1: requalifying ends the complaint's letters; once an answer went, too late."""
    assert refusal(answered(), RequalifyAsRequest(actor="a", note="Une demande.")) == (
        "Une réponse a déjà été envoyée : la réclamation ne peut plus être requalifiée en demande."
    )


def test_an_answered_complaint_is_not_answered_again_before_a_contest():
    """Rule 10: a second answer follows a contest."""
    assert refusal(answered(), Answer(actor="a", decision="rejected", reasons="M.")) == (
        "Impossible de répondre : la réclamation est répondue."
    )


def test_an_answered_complaint_is_not_suspended():
    assert refusal(answered(), Suspend(actor="a", reason="legal_expertise")) == (
        "Impossible de suspendre : la réclamation est répondue."
    )


def test_a_refusal_elides_before_a_vowel():
    """French: "Impossible d'informer", "Impossible d'escalader", never "de informer"."""
    c = answered()
    assert refusal(c, Inform(actor="a", reason="further_review")) == (
        "Impossible d'informer du retard : la réclamation est répondue."
    )
    assert refusal(c, Escalate(actor="a", level=1, note="Urgent.")) == (
        "Impossible d'escalader : la réclamation est répondue."
    )


def test_an_oral_complaint_has_no_date_to_move_nor_target_to_hold():
    """Rules 2, 5 and 6: the deadlines run for written complaints only."""
    c = example("phone_oral")
    assert refusal(c, Inform(actor="a", reason="further_review")) == (
        "Seules les réclamations écrites ont une date de réponse annoncée."
    )
    assert refusal(c, Suspend(actor="a", reason="legal_expertise")) == (
        "Seules les réclamations écrites ont un engagement qualité à suspendre."
    )


def test_no_information_letter_once_the_2_months_passed():
    """Rules 6 and 9: the complainant has the letter on the mediator instead."""
    c = qualified()
    c.ring(AlarmKind.final_deadline, at(date(2027, 5, 2)))
    assert refusal(c, Inform(actor="a", reason="further_review"), at(date(2027, 5, 2))) == (
        "Le délai de 2 mois est dépassé : le réclamant a reçu le courrier sur le Médiateur, un "
        "courrier d'information ne peut plus partir."
    )


def test_a_suspension_is_resumed_before_another_starts():
    c = qualified()
    c.apply(Suspend(actor="a", reason="legal_expertise"), NOW)
    assert refusal(c, Suspend(actor="a", reason="it_maintenance")) == (
        "La réclamation est déjà suspendue."
    )


def test_only_a_suspended_complaint_resumes():
    assert refusal(qualified(), Resume(actor="a")) == "La réclamation n'est pas suspendue."


def test_only_an_answered_complaint_is_contested():
    """Rule 10."""
    assert refusal(qualified(), Contest(actor="a")) == (
        "Seule une réclamation répondue peut être contestée."
    )


def test_the_mediation_opens_after_an_answer_or_the_2_months():
    """Rule 18."""
    referral = Mediate(actor="a", step="referral", mediator="LMA")
    assert refusal(qualified(), referral) == (
        "La médiation s'ouvre après une réponse, ou une fois le délai de 2 mois passé."
    )


def test_a_missing_address_is_given_even_once_the_complaint_is_closed():
    """Rules 11 and 14: a medical complaint without a postal address opens an incident,
    which stays until it is mended, whatever became of the complaint."""
    c = complaint(medical=True)
    c.apply(Withdraw(actor="a"), NOW)
    assert "correct_address" in c.allowed_actions()
    c.check(CorrectAddress(actor="a", postal_address="sealed:v2:test:R-1:1 rue X"), NOW)


def test_a_day_before_the_complaint_was_sent_is_refused():
    """Rule 13: no action happened before the complaint was sent."""
    c = qualified()
    early = Suspend(actor="a", reason="legal_expertise", on=date(2027, 2, 28))
    assert refusal(c, early) == (
        "Date invraisemblable pour le début de la suspension : le 28 février 2027 précède "
        "l'envoi de la réclamation (1er mars 2027)."
    )
