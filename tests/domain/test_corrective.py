"""Corrective actions (issue 29): reminders, escalation, done, and the check of effect."""

from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import ValidationError

from reclamations.domain.corrective import (
    ActionDraft,
    ActionStatus,
    CorrectiveAction,
    Effectiveness,
    Trend,
    action_figures,
    group_complaints,
)

OPENED = datetime(2026, 12, 1, 9, tzinfo=UTC)
DUE = date(2026, 12, 20)


def an_action(**changes) -> CorrectiveAction:
    fields = {
        "title": "Former l'équipe prestations",
        "description": "Les délais de remboursement optique dépassent la norme.",
        "root_cause": "delai_traitement",
        "owner": "louise",
        "due_on": DUE,
        "check_on": date(2027, 3, 1),
        "window_months": 2,
        **changes,
    }
    return CorrectiveAction.open("AC-1", ActionDraft(**fields), "louise", OPENED)


def test_it_wakes_for_each_reminder_then_for_the_day_after_its_due_date():
    action = an_action()
    assert action.next_alarm() == DUE - timedelta(days=7)
    action.ring(DUE - timedelta(days=7), OPENED)
    assert action.next_alarm() == DUE - timedelta(days=1)
    action.ring(DUE - timedelta(days=1), OPENED)
    assert action.next_alarm() == DUE + timedelta(days=1)
    action.ring(DUE + timedelta(days=1), OPENED)
    assert action.status is ActionStatus.late and action.next_alarm() is None
    assert [e.type for e in action.events] == ["opened", "reminder", "reminder", "escalated"]


def test_once_done_it_waits_for_the_window_after_and_the_check_day():
    action = an_action(check_on=date(2027, 1, 5))
    action.complete("louise", "formation faite", date(2026, 12, 15), OPENED)
    assert action.status is ActionStatus.done
    # Two months after 15 December: the check waits until the window has passed.
    assert action.window_after == (date(2026, 12, 15), date(2027, 2, 14))
    assert action.next_alarm() == date(2027, 2, 15)
    assert action.window_before == (date(2026, 10, 1), date(2026, 11, 30))


def test_effective_when_fewer_complaints_than_before_or_within_the_target():
    fewer = an_action()
    fewer.complete("louise", "fait", DUE, OPENED)
    fewer.checked(before=6, after=2, at=OPENED)
    assert fewer.status is ActionStatus.effective
    assert fewer.effectiveness == Effectiveness(before=6, after=2, effective=True)
    same = an_action()
    same.complete("louise", "fait", DUE, OPENED)
    same.checked(before=3, after=3, at=OPENED)
    assert same.status is ActionStatus.ineffective
    targeted = an_action(target=1)
    targeted.complete("louise", "fait", DUE, OPENED)
    targeted.checked(before=9, after=2, at=OPENED)
    assert targeted.status is ActionStatus.ineffective


def test_every_step_has_its_actor_and_a_finished_action_refuses_more():
    action = an_action()
    action.progress("ines", "plan validé", OPENED)
    action.cancel("louise", "cause requalifiée", OPENED)
    assert [(e.type, e.actor) for e in action.events] == [
        ("opened", "louise"),
        ("progress", "ines"),
        ("cancelled", "louise"),
    ]
    with pytest.raises(ValueError, match="terminée"):
        action.progress("ines", "encore", OPENED)
    with pytest.raises(ValueError, match="plus en cours"):
        action.complete("ines", "fait", DUE, OPENED)


def test_the_check_comes_after_the_due_date():
    with pytest.raises(ValidationError, match="après l'échéance"):
        an_action(check_on=DUE)


def test_complaints_are_grouped_by_cause_with_their_trend_and_actions():
    months = [date(2026, m, 1) for m in range(7, 13)]
    items = [
        # Two groups of two: the same size, in the order of their labels.
        ("A", date(2026, 7, 3), "delai_traitement"),
        ("B", date(2026, 8, 3), "delai_traitement"),
        ("C", date(2026, 12, 3), "erreur_gestion"),
        ("D", date(2026, 11, 3), "erreur_gestion"),
        ("E", date(2026, 12, 9), None),  # not classified yet: left out
    ]
    actions = [("delai_traitement", ActionStatus.late), ("delai_traitement", ActionStatus.done)]
    groups = group_complaints(items, months, {"erreur_gestion": "Erreur de gestion"}, actions)
    assert [(g.code, g.label, g.references, g.per_month, g.trend) for g in groups] == [
        ("erreur_gestion", "Erreur de gestion", ["C", "D"], [0, 0, 0, 0, 1, 1], Trend.rising),
        ("delai_traitement", "delai_traitement", ["A", "B"], [1, 1, 0, 0, 0, 0], Trend.falling),
    ]
    assert groups[1].actions == {ActionStatus.late: 1, ActionStatus.done: 1}
    figures = action_figures([ActionStatus.late, ActionStatus.done, ActionStatus.late])
    assert (figures.open, figures.late, figures.done) == (0, 2, 1)


def test_an_action_opened_a_day_before_its_due_date_is_reminded_once():
    action = an_action()
    action.ring(DUE - timedelta(days=1), OPENED)
    assert [e.type for e in action.events] == ["opened", "reminder"]
    assert action.next_alarm() == DUE + timedelta(days=1)
