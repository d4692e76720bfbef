"""Lean runs. When an alarm rings, its letter carries the record of the state that ordered it,
the record of the letter sent is written within the workflow task that learnt of it (a local
activity), and the alarm's timer lives until it rings: a firing costs one activity, the letter.
A database that does not take the record at once (held, away) hands it to an ordinary activity
and nothing is lost; one that refuses it for good opens an incident while the clock goes on
(rule 14). Long lives stay healthy: once a complaint's history holds `history_events_per_run`
events, its workflow continues as new with the whole state, and nothing of the complaint
changes: its timers still ring, its letters go once, its record stays whole, each run
replays."""

import json
from datetime import timedelta

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHistory

from reclamations.domain.complaint import IncidentKind
from reclamations.domain.policy import Policy
from reclamations.workflows import search
from tests.office import (
    AWAY,
    HELD,
    REFUSED,
    Office,
    action,
    at_rest,
    kinds,
    replayer,
    trouble,
    until,
)

TASK_ENDED = {
    EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
    EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED,
    EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT,
}
SHORT_RUNS = 60
# The office's settings, with runs this short.
SHORT = pytest.mark.parametrize(
    "settings", [{"policy": Policy(history_events_per_run=SHORT_RUNS)}], indirect=True
)
# The office's settings, with a record tried for a second within the workflow task.
IMPATIENT = pytest.mark.parametrize(
    "settings", [{"policy": Policy(local_record_seconds=1)}], indirect=True
)


async def runs(office, handle) -> list[WorkflowHistory]:
    """Every run of the complaint's workflow, first to last, followed back from the latest,
    once no workflow task is under way: a task's local activities reach the history only when
    it completes, after the record they wrote can already be read."""

    async def fetched() -> list[WorkflowHistory]:
        histories: list[WorkflowHistory] = []
        run_id: str | None = (await handle.describe()).run_id
        while run_id:
            run = office.client.get_workflow_handle(handle.id, run_id=run_id)
            history = await run.fetch_history()
            histories.insert(0, history)
            started = history.events[0].workflow_execution_started_event_attributes
            run_id = started.continued_execution_run_id
        return histories

    return await until(
        fetched, lambda histories: not task_under_way(histories[-1]), what="a task ended"
    )


def task_under_way(history: WorkflowHistory) -> bool:
    under_way = False
    for event in history.events:
        if event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED:
            under_way = True
        elif event.event_type in TASK_ENDED:
            under_way = False
    return under_way


def scheduled(history: WorkflowHistory) -> list[str]:
    return [
        event.activity_task_scheduled_event_attributes.activity_type.name
        for event in history.events
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
    ]


def recorded_locally(history: WorkflowHistory) -> list[str]:
    """The local activities of the history, by name, each once it has ended (well or not)."""
    return [
        json.loads(marker.details["data"].payloads[0].data)["activity_type"]
        for marker in (
            event.marker_recorded_event_attributes
            for event in history.events
            if event.event_type == EventType.EVENT_TYPE_MARKER_RECORDED
        )
        if marker.marker_name == "core_local_activity"
    ]


async def test_a_firing_costs_its_letter_alone(office):
    handle = await office.start()
    (before,) = await runs(office, handle)
    state = await office.advance(handle, 13)  # the automatic acknowledgement falls due
    assert kinds(state) == ["acknowledgement"]
    (history,) = await runs(office, handle)
    fired = [
        i
        for i, e in enumerate(history.events)
        if i >= len(before.events) and e.event_type == EventType.EVENT_TYPE_TIMER_FIRED
    ]
    assert fired, "the alarm rang"
    end = fired[1] if len(fired) > 1 else len(history.events)
    firing = WorkflowHistory(handle.id, history.events[fired[0] : end])
    # The letter wrote the state that ordered it; the letter sent is recorded in the workflow
    # task that learnt of it.
    assert scheduled(firing) == ["send_letter"]
    assert recorded_locally(firing) == ["record_complaint"]
    # Nothing moved the alarms: no timer was ever cancelled to be started again.
    cancelled = [e for e in history.events if e.event_type == EventType.EVENT_TYPE_TIMER_CANCELED]
    assert cancelled == []
    assert [e.seq for e in await office.events(state.reference)] == [e.seq for e in state.events]


async def replays(office: Office, handle) -> None:
    checking = replayer(office.keyring)
    for history in await runs(office, handle):
        assert (await checking.replay_workflow(history)).replay_failure is None


@IMPATIENT
@pytest.mark.parametrize("statements", [HELD, AWAY], ids=["held", "away"])
async def test_a_record_the_database_does_not_take_goes_by_an_ordinary_activity(
    office, tmp_path, statements
):
    handle = await office.start()
    (before,) = await runs(office, handle)
    async with trouble(tmp_path / "reclamations.db", *statements):
        # A signal, as back-office systems send: nothing waits for the workflow task.
        await office.signal(handle, action("assign", assignee="agent.b"))
        # An ordinary activity takes the record over.
        await until(
            lambda: runs(office, handle),
            lambda histories: "record_complaint" in scheduled(histories[-1]),
        )
    state = await office.settled(handle)
    assert state.assignee == "agent.b" and not state.open_incidents
    recorded = await office.events(state.reference)
    assert [e.seq for e in recorded] == [e.seq for e in state.events]  # none missing
    (history,) = await runs(office, handle)
    after = WorkflowHistory(handle.id, history.events[len(before.events) :])
    # Tried within the workflow task (the marker of its failure), then taken over, once.
    assert recorded_locally(after) == ["record_complaint"]
    assert scheduled(after) == ["record_complaint"]
    await replays(office, handle)  # the failed marker replays as it ran


async def test_a_record_the_database_refuses_for_good_becomes_an_incident(office, tmp_path):
    handle = await office.start()
    async with trouble(tmp_path / "reclamations.db", *REFUSED):
        await office.signal(handle, action("assign", assignee="agent.b"))
        state = await until(lambda: office.state(handle), lambda state: state.open_incidents)
        [incident] = state.open_incidents
        assert incident.kind is IncidentKind.record
        assert "Donnée refusée par la base" in incident.reason
        assert search.values_of(state)[search.INCIDENT.name] is True
        # rule 14: the clock goes on, the acknowledgement leaves on its day.
        await office.env.sleep(timedelta(days=13))
        state = await until(
            lambda: office.state(handle), lambda state: kinds(state) == ["acknowledgement"]
        )
        assert state.open_incidents
    await office.act(handle, action("retry", actor="exploitation"))
    state = await office.settled(handle)
    assert not state.open_incidents
    recorded = await office.events(state.reference)
    assert [e.seq for e in recorded] == [e.seq for e in state.events]
    await replays(office, handle)


@SHORT
async def test_a_long_life_continues_as_new_and_keeps_its_course(office):
    handle = await office.start()
    for turn in range(12):  # agents hand the file from one to the other, and back
        await office.act(handle, action("assign", assignee=f"agent.{turn % 2}"))
        await at_rest(handle)
    before = await office.state(handle)
    histories = await runs(office, handle)
    assert len(histories) >= 2
    for history in histories[:-1]:
        assert len(history.events) >= SHORT_RUNS
        last = history.events[-1].event_type
        assert last == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW

    # The alarms are planned again from the state: the acknowledgement and the quality
    # target's letter go out on their day, once each.
    state = await office.advance(handle, 20)
    assert kinds(state) == ["acknowledgement", "information"]
    assert [e.seq for e in state.events][: len(before.events)] == [e.seq for e in before.events]
    recorded = await office.events(state.reference)
    assert [e.seq for e in recorded] == [e.seq for e in state.events]  # each event once
    assert len(await office.letters(state.reference)) == 2

    state = await office.act(handle, action("answer", decision="upheld", reasons="Remboursé."))
    assert state.status == "answered"
    # The contest window, then the year to refer to the mediator and its grace period.
    await office.advance(handle, 61 + 366 + Policy().mediation_referral_grace_days)
    assert (await handle.result()).status == "closed"

    await replays(office, handle)


async def test_a_whole_ordinary_life_runs_in_one_history(office):
    handle = await office.start()
    await office.act(handle, action("qualify"))
    await office.advance(handle, 20)  # the quality target slips: a letter says when
    await office.act(handle, action("answer", decision="rejected", reasons="Hors garantie."))
    # The contest window, then the mediator's year and its grace period.
    await office.advance(handle, 400 + Policy().mediation_referral_grace_days)
    assert (await handle.result()).status == "closed"
    (history,) = await runs(office, handle)
    assert len(history.events) < Policy().history_events_per_run / 10
