"""ComplaintWorkflow: one complaint, from intake to closing, months if need be.

The workflow only orchestrates. The rules live in `domain.complaint.Complaint`, a pure state
machine; the workflow feeds it agent messages and timer firings, and carries out what it asks
through activities (letters, the record). Deadlines are planned once, by the door at intake, and
come frozen in the workflow's input, so a later change of holiday data never alters a running
complaint.
A change to this code that would alter a running complaint's history follows docs/versioning.md.

Agents' actions come in by name, as one signal (back-office, fire-and-forget) and one update
(the UI and the API, refused by its validator before the history hears of it) per action.
Their handlers are made from the one table of actions, `domain.actions.ACTIONS`, rather than
written out or left to a dynamic handler: each stays an explicit handler, decoded to its
action's own model, with its name and label in what Temporal's Web UI and CLI list, and the
foreign-message guard (workflows/guard.py) sees each message as the action it claims to be.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from datetime import timedelta
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError
from temporalio.exceptions import TimeoutError as TemporalTimeout

with workflow.unsafe.imports_passed_through():
    from reclamations.domain.actions import ACTION_LABELS, ACTIONS, Action
    from reclamations.domain.complaint import (
        STATUS_LABELS,
        TERMINAL,
        ActionRefused,
        Alarm,
        Complaint,
        LetterOrder,
    )
    from reclamations.domain.deadlines import DEADLINE_LABELS
    from reclamations.domain.french import long_date
    from reclamations.domain.letters import LETTER_LABELS, LetterKind
    from reclamations.domain.planning import Plan
    from reclamations.workflows import patches, search
    from reclamations.workflows.messages import (
        PLAN_ACTIVITY,
        RECORD_ACTIVITY,
        SEND_LETTER_ACTIVITY,
        LetterInput,
        LetterReceipt,
        Outcome,
        PlanInput,
        RecordInput,
        StartComplaint,
    )

# Letters and records must never be lost: retry until they succeed, backing off to a minute.
PERSISTENT = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=1),
)
# The record is written by a local activity, inside the workflow task that changed the
# complaint (one workflow task and one activity less per letter, and the record's input kept out
# of the history). If the write fails or the database does not answer within the policy's
# local_record_seconds, an ordinary activity takes over (rule 14): it retries what can pass and
# makes an incident of what cannot, so an outage holds a workflow task those seconds at most and
# never fills the history. Three quick tries (a dropped connection mends at once): a database
# that is away fails them in about a second and a half.
LOCAL_RECORD_RETRIES = RetryPolicy(initial_interval=timedelta(milliseconds=500), maximum_attempts=3)
RECORD_SUMMARY = "Enregistrement au registre"
_W = TypeVar("_W")


def _with_action_handlers(cls: type[_W]) -> type[_W]:
    """One signal (back-office, fire-and-forget) and one validated update (the UI, the API) per
    action of the table `domain.actions.ACTIONS`, both under the action's name."""
    for name, model in ACTIONS.items():

        async def signal(self: ComplaintWorkflow, action: Action) -> None:
            await self._signal(action)

        async def update(self: ComplaintWorkflow, action: Action) -> Complaint:
            return await self._update(action)

        def validate(self: ComplaintWorkflow, action: Action) -> None:
            self._validate(action)

        for handler, attribute in (
            (signal, f"{name}_signal"),
            (update, name),
            (validate, f"_check_{name}"),
        ):
            # Each message is decoded to its action's own model; logs and errors name its handler.
            handler.__annotations__ = {"action": model, "return": handler.__annotations__["return"]}
            handler.__name__, handler.__qualname__ = attribute, f"{cls.__qualname__}.{attribute}"
        label = ACTION_LABELS[name]
        setattr(cls, signal.__name__, workflow.signal(name=name, description=label)(signal))
        handle = workflow.update(name=name, description=label)(update)
        setattr(cls, validate.__name__, handle.validator(validate))
        setattr(cls, name, handle)
    return cls


@workflow.defn
@_with_action_handlers
class ComplaintWorkflow:
    def __init__(self) -> None:
        self._complaint: Complaint | None = None
        self._recorded_seq = 0
        self._recorded_version = -1
        self._published: dict[str, object] = {}
        # Side effects under way (rule 14): letters by (kind, sequence), the record.
        self._sending: set[tuple[LetterKind, int]] = set()
        self._recording = False
        self._effects: set[asyncio.Task[None]] = set()
        self._effects_finished = 0
        # rule 14: the alarm's timer as (its alarm, the running timer), and the version a
        # letter in flight records for the complaint.
        self._timer: tuple[Alarm, asyncio.Task[None]] | None = None
        self._carried_version: int | None = None
        self._heading = ""  # a continued run has no summary of its own in the Web UI

    @workflow.run
    async def run(self, start: StartComplaint) -> Outcome:
        if start.resumed is not None:
            complaint = self._resume(start.resumed)
        else:
            complaint = await self._open(start)
        self._complaint = complaint
        await self._live(start, complaint)
        return Outcome(reference=complaint.reference, status=complaint.status)

    async def _open(self, start: StartComplaint) -> Complaint:
        # The plan the door sent, frozen with the start. Not for a start from a door of 1.0.0
        # (none sent), nor for one whose first task a worker of 1.0.0 ran (it planned again,
        # in the local activity below, and its history must replay so): the patch tells.
        plan = (
            start.plan if start.plan is not None and patches.patched(patches.DOOR_PLANS) else None
        )
        if plan is None:
            plan = await workflow.execute_local_activity(
                PLAN_ACTIVITY,
                PlanInput(intake=start.intake),
                result_type=Plan,
                start_to_close_timeout=timedelta(seconds=30),
                retry_policy=PERSISTENT,
                summary="Calcul des échéances",
            )
        return Complaint.open(
            start.reference, start.intake, plan, workflow.now(), start.registered_by
        )

    def _resume(self, complaint: Complaint) -> Complaint:
        """A long life's next run: the first one planned the deadlines; the last one left every
        letter sent, the record and the search attributes up to date."""
        self._recorded_version = complaint.version
        self._recorded_seq = max((event.seq for event in complaint.events), default=0)
        self._published = search.values_of(complaint)
        self._heading = f"{search.summary(complaint.reference, complaint.intake)} (suite) · "
        return complaint

    async def _live(self, start: StartComplaint, complaint: Complaint) -> None:
        """rule 14: the clock never waits for a side effect. Letters and the record run
        beside the timers; one that fails for good becomes an incident, and the complaint stays
        open until every letter has gone and the record is up to date."""
        while True:
            while True:
                self._start_effects(complaint)
                self._publish(complaint)
                if complaint.stage in TERMINAL and self._effects_settled(complaint):
                    break
                if self._history_is_long(complaint) and self._between_steps(complaint):
                    # The intake too, as the complaint holds it now (sealed once marked medical).
                    workflow.continue_as_new(
                        start.model_copy(update={"resumed": complaint, "intake": complaint.intake})
                    )
                await self._wait_for_change_or_alarm(complaint)
            await workflow.wait_condition(workflow.all_handlers_finished)
            if self._effects_settled(complaint):
                return

    @staticmethod
    def _history_is_long(complaint: Complaint) -> bool:
        """A long life continues as new (Policy.history_events_per_run)."""
        info = workflow.info()
        limit = complaint.plan.policy.history_events_per_run
        return info.is_continue_as_new_suggested() or info.get_current_history_length() >= limit

    def _between_steps(self, complaint: Complaint) -> bool:
        """Nothing under way that the next run could not take up: no letter or record in
        flight, no agent's update half done (the timers are planned again from the state)."""
        return self._effects_settled(complaint) and workflow.all_handlers_finished()

    def _start_effects(self, complaint: Complaint) -> None:
        """Start each letter not yet under way on its own, and the record if it is behind; the
        first letter carries the record of the state that ordered it (one activity less)."""
        for order in complaint.pending_letters:
            key = (order.kind, order.sequence)
            if key not in self._sending and not complaint.letter_waits(order):
                self._sending.add(key)
                record = None
                if self._record_behind(complaint) and not complaint.record_waits:
                    record = self._record_input(complaint)
                    self._carried_version = complaint.version
                self._effect(self._send(complaint, order, record))
        if self._record_behind(complaint) and not self._recording and not complaint.record_waits:
            self._recording = True
            self._effect(self._write_record(complaint))

    def _record_behind(self, complaint: Complaint) -> bool:
        """The record lacks this version, and no letter in flight is writing it."""
        return complaint.version not in (self._recorded_version, self._carried_version)

    def _effect(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._effects.add(task)  # held until done: a task nobody holds may be collected
        task.add_done_callback(self._effect_done)

    def _effect_done(self, task: asyncio.Task[None]) -> None:
        self._effects.discard(task)
        self._effects_finished += 1  # wakes the main loop even when nothing else changed

    def _effects_settled(self, complaint: Complaint) -> bool:
        return (
            not self._effects
            and not complaint.pending_letters
            and complaint.version == self._recorded_version
        )

    async def _send(
        self, complaint: Complaint, order: LetterOrder, record: RecordInput | None = None
    ) -> None:
        try:
            receipt = await self._letter_activity(complaint, order, record)
        except ActivityError as failure:
            complaint.letter_failed(order, _reason(failure), workflow.now())
        else:
            if record is not None:
                self._recorded(record)
            complaint.letter_sent(order, receipt.location, workflow.now())
        finally:
            self._sending.discard((order.kind, order.sequence))
            if record is not None and self._carried_version == record.complaint.version:
                self._carried_version = None

    async def _write_record(self, complaint: Complaint) -> None:
        try:
            while self._record_behind(complaint) and not complaint.record_waits:
                try:
                    await self._record_activity(complaint)
                except ActivityError as failure:
                    complaint.record_failed(_reason(failure), workflow.now())
                    return
                complaint.record_written(workflow.now())
        finally:
            self._recording = False

    def _publish(self, complaint: Complaint) -> None:
        """What operators see in the Web UI: search attributes and the current details."""
        status = STATUS_LABELS[complaint.status]
        upcoming = complaint.next_deadline()
        details = f"{self._heading}Statut : {status}"
        if upcoming:
            details += f" · prochaine échéance : {DEADLINE_LABELS[upcoming[0]].lower()}"
            details += f" le {long_date(upcoming[1])}"
        workflow.set_current_details(details)
        current = search.values_of(complaint)
        changes = search.updates(self._published, current)
        if changes:
            workflow.upsert_search_attributes(changes)
            self._published = current

    async def _wait_for_change_or_alarm(self, complaint: Complaint) -> None:
        """Wait for a change or the alarm, on a timer that lives as long as its alarm: a wake
        for anything else neither cancels nor restarts it."""
        alarm = complaint.next_alarm()
        seen = (complaint.version, self._effects_finished)
        if alarm is not None and alarm.at <= workflow.now():
            complaint.ring(alarm.kind, workflow.now())
            return
        if self._timer is not None and self._timer[0] != alarm:
            self._timer[1].cancel()  # the alarm moved (or went): its timer goes with it
            self._timer = None
        if alarm is not None and self._timer is None:
            delay = alarm.at - workflow.now()
            self._timer = (alarm, asyncio.create_task(workflow.sleep(delay, summary=alarm.summary)))
        timer = self._timer[1] if self._timer else None

        def woken() -> bool:
            changed = (complaint.version, self._effects_finished) != seen
            return changed or (timer is not None and timer.done())

        await workflow.wait_condition(woken)
        if timer is not None and timer.done():
            self._timer = None  # rung on the next turn: its time has come

    async def _letter_activity(
        self, complaint: Complaint, order: LetterOrder, record: RecordInput | None = None
    ) -> LetterReceipt:
        receipt: LetterReceipt = await workflow.execute_activity(
            SEND_LETTER_ACTIVITY,
            LetterInput(
                reference=complaint.reference,
                intake=complaint.letter_intake,
                plan=complaint.plan,
                order=order,
                quality_target_due=complaint.quality_target_due,
                at=order.ordered_at,
                record=record,
            ),
            result_type=LetterReceipt,
            start_to_close_timeout=self._activity_timeout(complaint),
            retry_policy=PERSISTENT,
            summary=f"Courrier : {LETTER_LABELS[order.kind]} ({order.delivery.value})",
        )
        return receipt

    def _record_input(self, complaint: Complaint) -> RecordInput:
        """The complaint's state and the events not yet recorded."""
        return RecordInput(
            complaint=complaint.model_copy(update={"events": []}),
            events=[e for e in complaint.events if e.seq > self._recorded_seq],
            at=workflow.now(),
        )

    def _recorded(self, record: RecordInput) -> None:
        # Versions only grow on the record (activities.records): an older one written late
        # changes nothing there, nor here.
        self._recorded_version = max(self._recorded_version, record.complaint.version)
        self._recorded_seq = max([self._recorded_seq, *(e.seq for e in record.events)])

    async def _record_activity(self, complaint: Complaint) -> None:
        record = self._record_input(complaint)
        if not await self._recorded_locally(complaint, record):
            await workflow.execute_activity(
                RECORD_ACTIVITY,
                record,
                start_to_close_timeout=self._activity_timeout(complaint),
                retry_policy=PERSISTENT,
                summary=RECORD_SUMMARY,
            )
        self._recorded(record)

    async def _recorded_locally(self, complaint: Complaint, record: RecordInput) -> bool:
        """The record written in this workflow task, if the database answers at once. A failure
        of any kind hands over to the ordinary activity: it retries what can pass, and turns
        what cannot into an incident (rule 14)."""
        try:
            await workflow.execute_local_activity(
                RECORD_ACTIVITY,
                record,
                schedule_to_close_timeout=timedelta(
                    seconds=complaint.plan.policy.local_record_seconds
                ),
                retry_policy=LOCAL_RECORD_RETRIES,
                summary=RECORD_SUMMARY,
            )
        except (ActivityError, ApplicationError, TemporalTimeout):
            # A local activity's failure comes back bare (its ApplicationError), and one out of
            # time as an ActivityError when live but a bare timeout when replayed: all hand over.
            return False
        return True

    @staticmethod
    def _activity_timeout(complaint: Complaint) -> timedelta:
        return timedelta(seconds=complaint.plan.policy.activity_timeout_seconds)

    # -- messages --------------------------------------------------------------------------

    @workflow.query
    def state(self) -> Complaint | None:
        return self._complaint

    def _validate(self, action: Action) -> None:
        # Before the plan is known the handler itself waits and checks.
        if self._complaint is not None:
            try:
                self._complaint.check(action, workflow.now())
            except ActionRefused as refused:
                raise ApplicationError(str(refused), type="ActionRefused") from None

    async def _update(self, action: Action) -> Complaint:
        await workflow.wait_condition(lambda: self._complaint is not None)
        assert self._complaint is not None
        try:
            self._complaint.apply(action, workflow.now())
        except ActionRefused as refused:
            raise ApplicationError(str(refused), type="ActionRefused") from None
        return self._complaint

    async def _signal(self, action: Action) -> None:
        await workflow.wait_condition(lambda: self._complaint is not None)
        assert self._complaint is not None
        try:
            self._complaint.apply(action, workflow.now())
        except ActionRefused as refused:
            self._complaint.refused(action, str(refused), workflow.now())

    async def refuse_foreign(self, message: str) -> None:
        """A signal that did not come through the application (see workflows/guard.py)."""
        await workflow.wait_condition(lambda: self._complaint is not None)
        assert self._complaint is not None
        self._complaint.refused_foreign(message, workflow.now())


def _reason(failure: ActivityError) -> str:
    """Why an activity failed for good, in the activity's own content-free words."""
    cause = failure.cause
    return cause.message if isinstance(cause, ApplicationError) else "échec sans détail"
