"""Issue 23: every day an agent gives is plausible: never before the
complaint was sent, nor before what it follows, nor after today."""

from datetime import date, timedelta

import pytest

from reclamations.domain.actions import (
    ACTIONS,
    Answer,
    Contest,
    DayDone,
    Mediate,
    Qualify,
    Resume,
    Suspend,
    days_done,
)
from reclamations.domain.complaint import ActionRefused
from tests.domain.builders import NOW, complaint

SENT = date(2027, 3, 1)
ANSWERED = NOW + timedelta(days=9)  # 10 March 2027
LATER = NOW + timedelta(days=20)  # 21 March 2027: "today" for the actions below


def _answered():
    c = complaint()
    c.apply(Qualify(actor="a"), NOW)
    c.apply(Answer(actor="a", decision="rejected", reasons="Non couvert."), ANSWERED)
    return c


def _suspended():
    c = complaint()
    c.apply(Suspend(actor="a", reason="legal_expertise", on=SENT), NOW)
    return c


# Each action that gives a day, in a state that takes it: (complaint, the action on `day`).
SCENARIOS = {
    "suspend": lambda day: (complaint(), Suspend(actor="a", reason="it_maintenance", on=day)),
    "resume": lambda day: (_suspended(), Resume(actor="a", on=day)),
    "contest": lambda day: (_answered(), Contest(actor="a", on=day)),
    "mediate": lambda day: (_answered(), Mediate(actor="a", step="referral", on=day)),
}
EARLIEST = {"contest": ANSWERED.date()}


def test_every_action_that_gives_a_day_is_walked_here():
    dated = {
        name
        for name, model in ACTIONS.items()
        for field in model.model_fields.values()
        if any(isinstance(mark, DayDone) for mark in field.metadata)
    }
    assert dated == SCENARIOS.keys()


@pytest.mark.parametrize("name", SCENARIOS)
@pytest.mark.parametrize("shift", [-1, "0001-01-01", "future"])
def test_a_day_before_what_it_follows_or_after_today_is_refused_in_plain_french(name, shift):
    earliest = EARLIEST.get(name, SENT)
    if shift == "future":
        day, why = LATER.date() + timedelta(days=1), "est dans le futur"
    elif shift == -1:
        day, why = earliest - timedelta(days=1), "précède"
    else:
        day, why = date.fromisoformat(shift), "précède"
    c, action = SCENARIOS[name](day)
    assert days_done(action)
    before = c.model_copy(deep=True)
    for attempt in (c.check, c.apply):
        with pytest.raises(ActionRefused, match=f"^Date invraisemblable pour .* {why}"):
            attempt(action, LATER)
    assert c == before


@pytest.mark.parametrize("name", SCENARIOS)
def test_the_first_and_the_last_plausible_days_are_taken(name):
    for day in (EARLIEST.get(name, SENT) + timedelta(days=1), LATER.date()):
        c, action = SCENARIOS[name](day)
        c.apply(action, LATER)


def test_a_mediation_step_dated_year_one_is_refused_and_nothing_escalates():
    # What happened: a notification dated 0001-01-01 ran the mediator's 90 days out at once.
    c = _answered()
    c.apply(Mediate(actor="a", step="referral", on=date(2027, 3, 15)), LATER)
    before = c.model_copy(deep=True)
    notified = Mediate(actor="a", step="notification", on=date(1, 1, 1))
    with pytest.raises(ActionRefused) as refused:
        c.apply(notified, LATER)
    assert str(refused.value) == (
        "Date invraisemblable pour l'étape de la médiation : le 1er janvier 1 précède la "
        "saisine du Médiateur (15 mars 2027)."
    )
    assert c == before and c.escalation_level == before.escalation_level


def test_a_contest_cannot_precede_the_answer_it_contests():
    c = _answered()
    with pytest.raises(ActionRefused, match=r"précède la réponse \(10 mars 2027\)"):
        c.apply(Contest(actor="a", on=date(2027, 3, 5)), LATER)
