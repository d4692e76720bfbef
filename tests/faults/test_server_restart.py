"""The Temporal server stopped and restarted (same database file) while complaints wait on
their timers: every timer fires, none twice."""

import asyncio
from datetime import UTC, datetime, timedelta

from temporalio.api.enums.v1 import EventType

from reclamations.domain.complaint import EventType as ComplaintEvent
from tests.faults.conftest import FaultSystem, connect
from tests.office import PATIENCE, action, until

CYCLES = 2
PER_CYCLE = 10
WINDOW_SECONDS = 10


async def timer_due(system: FaultSystem, reference: str) -> datetime:
    """When the contest-window timer falls due, once it is in the history: the server owns it
    from then on. (A workflow task still in flight when the server stops is retried after the
    window has passed, and then rightly closes the complaint without starting a timer at all.)"""

    async def started() -> list[datetime]:
        history = await system.handle(reference).fetch_history()
        due = []
        for event in history.events:
            if event.event_type == EventType.EVENT_TYPE_TIMER_STARTED:
                after = event.timer_started_event_attributes.start_to_fire_timeout.ToTimedelta()
                due.append(event.event_time.ToDatetime(UTC) + after)
        # The window's timer, not one for a deadline days away.
        window = timedelta(seconds=WINDOW_SECONDS)
        return [instant for instant in due if instant - datetime.now(UTC) <= window]

    # A timer started again after a change (the letter sent) falls due at the same instant.
    return max(await until(started, what=f"{reference} waiting on its contest-window timer"))


async def past_the_window(system: FaultSystem, reference: str) -> None:
    while (await system.state(reference)).stage != "mediation_window":
        await asyncio.sleep(0.1)


async def test_timers_fire_once_across_a_server_restart(fault_system: FaultSystem):
    system = fault_system
    # Answered complaints then wait on one timer each: the end of the contest window.
    # (The window is the door's policy: planned into each complaint at intake.)
    window = {"contest_window_days": WINDOW_SECONDS / 86400}
    policy = system.settings.policy.model_copy(update=window)
    system.settings = system.settings.model_copy(update={"policy": policy})
    system.worker()
    references = []
    for cycle in range(CYCLES):
        batch = [f"RESTART-{cycle}-{n:02d}" for n in range(PER_CYCLE)]
        for reference in batch:
            await system.start(reference)
            await system.act(reference, action("answer", decision="upheld", reasons="Réglé."))
        due = []
        for reference in batch:
            await system.settled(reference)
            due.append(await timer_due(system, reference))
        references += batch
        system.server.stop()
        # Every timer falls due while the server is down: until the last one's instant (the
        # server's clock is this machine's), and a little past it.
        await asyncio.sleep((max(due) - datetime.now(UTC)).total_seconds() + 1)
        system.server.start()
        system.client = await connect(system.server.address, system.keyring)

    for reference in references:
        # The window's end moves the complaint on to the mediator's year (rule 18).
        await asyncio.wait_for(past_the_window(system, reference), PATIENCE)
        state = await system.check_nothing_lost_or_doubled(reference)
        assert [e.type for e in state.events].count(ComplaintEvent.mediation) == 1
        history = await system.handle(reference).fetch_history()
        fired = [e for e in history.events if e.event_type == EventType.EVENT_TYPE_TIMER_FIRED]
        assert len(fired) == 1, reference
        await system.act(reference, action("withdraw"))
