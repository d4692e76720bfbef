"""A corrective action's workflow on the time-skipping server (issue 29): its reminders, its
escalation once late, its effectiveness check on its day, each change on the record with its
actor; opened and closed through the door by supervisors and compliance only."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from reclamations.activities.records import RecordActivities
from reclamations.db.models import CorrectiveEventRow, CorrectiveLinkRow
from reclamations.domain.access import Principal, Role
from reclamations.domain.complaint import Complaint
from reclamations.domain.errors import Forbidden, Invalid, Refused
from reclamations.domain.intake import parse_intake
from reclamations.domain.planning import plan_complaint
from reclamations.domain.policy import Policy
from reclamations.workflows.messages import RecordInput
from tests.office import intake_data

LOUISE = Principal("louise", Role.supervisor)
INES = Principal("ines", Role.compliance)
CAUSE = "delai_traitement"


async def of_cause(office, reference, sent_on):
    """A complaint of the cause, on the record as its workflow would have written it."""
    intake = parse_intake(intake_data(sent_on, reference=reference), sent_on)
    now = datetime.now(UTC)
    complaint = Complaint.open(reference, intake, plan_complaint(intake, Policy()), now)
    complaint.classification = complaint.classification.model_copy(update={"root_cause": CAUSE})
    record = RecordActivities(office.sessions, office.keyring).record
    await record(RecordInput(complaint=complaint, events=complaint.events, at=now))


async def events(office, ident):
    async with office.sessions() as session:
        rows = await session.scalars(
            select(CorrectiveEventRow)
            .where(CorrectiveEventRow.ident == ident)
            .order_by(CorrectiveEventRow.seq)
        )
        return [(row.type, row.actor) for row in rows]


async def test_reminders_escalation_done_and_the_check_of_effect(office):
    today = await office.today()
    await of_cause(office, "AVANT-1", today - timedelta(days=10))
    await of_cause(office, "AVANT-2", today - timedelta(days=20))
    service = office.service
    fields = {
        "title": "Réduire les délais de remboursement",
        "description": "Renfort de l'équipe prestations.",
        "root_cause": CAUSE,
        "owner": "louise",
        "due_on": (today + timedelta(days=10)).isoformat(),
        "check_on": (today + timedelta(days=40)).isoformat(),
        "window_months": 1,
        "complaints": ["AVANT-1"],
    }
    ident = await service.open_action(INES, fields, await office.env.get_current_time())
    await office.env.sleep(timedelta(days=4))  # the reminder 7 days before
    await office.env.sleep(timedelta(days=8))  # the last reminder, then late
    page = await service.action_page(LOUISE, ident)
    assert page.row.status == "late"
    assert await events(office, ident) == [
        ("opened", "ines"),
        ("reminder", "système"),
        ("reminder", "système"),
        ("escalated", "système"),
    ]
    await service.act_on_action(LOUISE, ident, "done", "deux gestionnaires en renfort")
    await office.env.sleep(timedelta(days=45))  # the month after, and the check's day
    page = await service.action_page(INES, ident)
    assert page.row.status == "effective"
    assert page.action.effectiveness.before == 2 and page.action.effectiveness.after == 0
    assert (await events(office, ident))[-2:] == [("done", "louise"), ("checked", "système")]
    with pytest.raises(Refused):
        await service.act_on_action(LOUISE, ident, "progress", "encore")
    async with office.sessions() as session:
        links = (await session.scalars(select(CorrectiveLinkRow.reference))).all()
    assert links == ["AVANT-1"]


async def test_only_supervisors_and_compliance_open_actions_and_input_is_checked(office):
    today, now = await office.today(), await office.env.get_current_time()
    service = office.service
    fields = {
        "title": "Titre",
        "description": "Texte",
        "root_cause": "inconnue",
        "owner": "louise",
        "due_on": (today - timedelta(days=1)).isoformat(),
        "check_on": (today + timedelta(days=5)).isoformat(),
        "complaints": ["NULLE-PART"],
    }
    with pytest.raises(Forbidden):
        await service.open_action(Principal("camille", Role.agent), fields, now)
    with pytest.raises(Invalid) as refused:
        await service.open_action(LOUISE, fields, now)
    assert {e.field for e in refused.value.errors} == {"root_cause", "due_on", "complaints"}
