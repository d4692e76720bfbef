"""The same-work shape: the timer storm's fairer yardstick. A bare workflow, no rules and no
domain, that does per letter the work a complaint's acknowledgement cannot do without:

    start → upsert the complaint's search attributes → timer (the acknowledgement's alarm)
          → letter activity, the search attributes the complaint upserts at that firing
            (none for an acknowledgement), the next alarm's timer, all in one workflow task
          → letter: the project's own rendering of an acknowledgement, then the letter's row
            and a record row in one transaction
          → wait on the next alarm, as a complaint does

Its client and worker use the application's data converter (pydantic, AES-GCM bound to the
workflow), and its payloads weigh what a complaint's do: `complaint_firing` builds a storm
complaint as the workflow would, and the bench pads this shape's start and letter inputs to
their encrypted sizes. Where the complaint does more (three transactions a letter instead of
one, the email written to its outbox, its state validated by pydantic), that is its own price.

    python -m bench.same_work      (the worker; bench.timer_storm spawns it)
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from temporalio import activity, workflow
from temporalio.api.common.v1 import Payload
from temporalio.common import SearchAttributeIndexedValueType, SearchAttributeUpdate
from temporalio.converter import DataConverter, WorkflowSerializationContext
from temporalio.worker import Worker

# Passed through the workflow sandbox (when a worker runs with it): only the workflow is
# sandboxed, the rest is the activity's, the probe's and the worker's.
with workflow.unsafe.imports_passed_through():
    from sqlalchemy import Column, Date, DateTime, MetaData, String, Table, Text
    from sqlalchemy.dialects import postgresql, sqlite
    from sqlalchemy.ext.asyncio import AsyncSession

    from reclamations.activities.letters.rendering import LetterRenderer
    from reclamations.db.engine import SessionFactory, create_engine, session_factory
    from reclamations.domain.complaint import Complaint
    from reclamations.domain.intake import ComplaintIntake
    from reclamations.domain.letters import LETTER_LABELS, Delivery, LetterKind
    from reclamations.domain.planning import Plan
    from reclamations.domain.policy import Policy
    from reclamations.settings import Settings
    from reclamations.wiring import connect_temporal, letter_renderer, load_keyring, worker_tuning
    from reclamations.workflows import search
    from reclamations.workflows.complaint import PERSISTENT
    from reclamations.workflows.messages import LetterInput, RecordInput, StartComplaint

SAME_WORK_TASK_QUEUE = "same-work"
SAME_WORK_ACTIVITY = "same_work_letter"
# The letter the worker renders, as JSON (a storm complaint's acknowledgement, LetterInput).
LETTER_ENV = "SAME_WORK_LETTER"
# The complaint's next alarm after an acknowledgement is days away: it never rings in a storm.
NEXT_ALARM = timedelta(days=10)
LETTER_TIMEOUT = timedelta(seconds=Policy().activity_timeout_seconds)
# The summaries the storm complaint gives its timers and its letter, which its history keeps
# (encrypted, like every payload): the same texts, a date of the same length.
ALARM_SUMMARY = "Accusé de réception — échéance {}"
LETTER_SUMMARY = f"Courrier : {LETTER_LABELS[LetterKind.acknowledgement]} ({Delivery.email.value})"
NEXT_ALARM_SUMMARY = "Alerte équipe — date annoncée {}"

metadata = MetaData()
# Tables of its own, in the complaints' database: the storms never count each other's letters.
LETTERS = Table(
    "same_work_letters",
    metadata,
    Column("reference", String(40), primary_key=True),
    Column("subject", Text),
    Column("body", Text),
    Column("layout", Text),
    Column("letter_on", Date),
    Column("sent_at", DateTime(timezone=True)),
)
RECORDS = Table(
    "same_work_records",
    metadata,
    Column("reference", String(40), primary_key=True),
    Column("state", Text),
    Column("updated_at", DateTime(timezone=True)),
)


@dataclass
class SameWorkInput:
    reference: str
    due_at: float  # epoch seconds: when the acknowledgement's alarm rings
    letter_fill: int  # characters of state the letter carries, to weigh a complaint's letter
    indexed: dict[str, Any]  # the complaint's search attributes at start (JSON values)
    indexed_when_due: dict[str, Any]  # those the complaint changes when its alarm rings
    padding: str = ""  # brings the input to the encrypted size of a complaint's start


@dataclass
class SameWorkLetter:
    reference: str
    state: str  # stands for the state a complaint's letter carries to its record


@dataclass(frozen=True)
class ComplaintFiring:
    """What a storm complaint carries, and changes, when its acknowledgement falls due."""

    start: StartComplaint
    letter: LetterInput
    indexed: dict[str, Any]
    indexed_when_due: dict[str, Any]


def ring_first_letter(complaint: Complaint) -> LetterInput:
    """Rings a complaint just opened as ComplaintWorkflow does in lean runs, and gives its first
    letter, which carries the record of the state that ordered it (the events since the
    registration). The storm's shapes and the letter's own path (bench/letter_path.py) alike."""
    recorded = max(event.seq for event in complaint.events)
    alarm = complaint.next_alarm()
    assert alarm is not None, "the storm's complaint has no acknowledgement alarm"
    complaint.ring(alarm.kind, alarm.at)
    order = complaint.pending_letters[0]
    record = RecordInput(
        complaint=complaint.model_copy(update={"events": []}),
        events=[event for event in complaint.events if event.seq > recorded],
        at=alarm.at,
    )
    return LetterInput(
        reference=complaint.reference,
        intake=complaint.letter_intake,
        plan=complaint.plan,
        order=order,
        quality_target_due=complaint.quality_target_due,
        at=order.ordered_at,
        record=record,
    )


def complaint_firing(intake: ComplaintIntake, plan: Plan, now: datetime) -> ComplaintFiring:
    """What a storm complaint carries when its acknowledgement falls due."""
    reference = intake.reference or ""
    complaint = Complaint.open(reference, intake, plan, now)
    indexed = search.values_of(complaint)
    letter = ring_first_letter(complaint)
    rung = search.values_of(complaint)
    return ComplaintFiring(
        start=StartComplaint(reference=reference, intake=intake, plan=plan),
        letter=letter,
        indexed=_json(indexed),
        indexed_when_due=_json({k: v for k, v in rung.items() if indexed.get(k) != v}),
    )


def _json(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in values.items()}


async def payload_bytes(converter: DataConverter, workflow_id: str, value: Any) -> int:
    """The size of `value` as the server stores it: converted, then encrypted for its
    workflow (the codec binds each payload to its workflow id, which it carries)."""
    context = WorkflowSerializationContext(namespace="default", workflow_id=workflow_id)
    payloads: list[Payload] = await converter.with_context(context).encode([value])
    return payloads[0].ByteSize()


def indexed_updates(values: dict[str, Any]) -> list[SearchAttributeUpdate[Any]]:
    """The complaint's search attribute keys, set to JSON values as `_json` wrote them."""
    updates: list[SearchAttributeUpdate[Any]] = []
    for key in search.KEYS:
        if key.name not in values:
            continue
        value = values[key.name]
        if value is None:
            updates.append(key.value_unset())
            continue
        if key.indexed_value_type is SearchAttributeIndexedValueType.DATETIME:
            value = datetime.fromisoformat(value)
        updates.append(key.value_set(value))
    return updates


@workflow.defn(name="SameWork")
class SameWork:
    @workflow.run
    async def run(self, data: SameWorkInput) -> None:
        workflow.upsert_search_attributes(indexed_updates(data.indexed))
        delay = max(data.due_at - workflow.now().timestamp(), 0)
        day = datetime.fromtimestamp(data.due_at, UTC).date().isoformat()
        await workflow.sleep(delay, summary=ALARM_SUMMARY.format(day))
        # One workflow task orders all three, as the complaint's wake does.
        letter = workflow.start_activity(
            SAME_WORK_ACTIVITY,
            SameWorkLetter(data.reference, "x" * data.letter_fill),
            start_to_close_timeout=LETTER_TIMEOUT,
            retry_policy=PERSISTENT,
            summary=LETTER_SUMMARY,
        )
        changes = indexed_updates(data.indexed_when_due)
        if changes:
            workflow.upsert_search_attributes(changes)
        next_alarm = asyncio.create_task(
            workflow.sleep(NEXT_ALARM, summary=NEXT_ALARM_SUMMARY.format(day))
        )
        await letter
        await next_alarm


@cache
def _insert_missing(dialect: str, table: Table) -> Any:
    # As the complaint's writes are (reclamations.db.upsert): a retry writes nothing twice.
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(table).on_conflict_do_nothing()


async def _write(session: AsyncSession, table: Table, row: dict[str, Any]) -> None:
    await session.execute(_insert_missing(session.get_bind().dialect.name, table), [row])


class SameWorkActivities:
    def __init__(self, sessions: SessionFactory, renderer: LetterRenderer, letter: LetterInput):
        self._sessions = sessions
        self._renderer = renderer
        self._letter = letter

    @activity.defn(name=SAME_WORK_ACTIVITY)
    async def send(self, data: SameWorkLetter) -> None:
        letter = self._letter.model_copy(update={"reference": data.reference})
        rendered = self._renderer.render(letter, lambda text: text)
        now = datetime.now(UTC)
        async with self._sessions.begin() as session:
            await _write(
                session,
                LETTERS,
                {
                    "reference": data.reference,
                    "subject": rendered.subject,
                    "body": rendered.body,
                    "layout": rendered.layout.model_dump_json(),
                    "letter_on": rendered.letter_on,
                    "sent_at": now,
                },
            )
            await _write(
                session,
                RECORDS,
                {"reference": data.reference, "state": data.state, "updated_at": now},
            )


async def sent_at(sessions: SessionFactory) -> list[datetime]:
    async with sessions() as session:
        rows = await session.scalars(LETTERS.select().with_only_columns(LETTERS.c.sent_at))
        return [s.replace(tzinfo=s.tzinfo or UTC) for s in rows if s is not None]


async def create_tables(sessions: SessionFactory) -> None:
    async with sessions.begin() as session:
        await session.run_sync(lambda sync: metadata.create_all(sync.connection()))


async def main() -> None:
    settings = Settings()
    engine = create_engine(settings.resolved_database_url)
    client = await connect_temporal(settings, load_keyring(settings))
    activities = SameWorkActivities(
        session_factory(engine),
        letter_renderer(settings),
        LetterInput.model_validate_json(os.environ[LETTER_ENV]),
    )
    # As the complaint worker is set up (with the SDK's 10 s sticky wait, a storm sent a
    # sixth of its tasks round again: a handicap the yardstick must not have).
    worker = Worker(
        client,
        task_queue=SAME_WORK_TASK_QUEUE,
        workflows=[SameWork],
        activities=[activities.send],
        **worker_tuning(settings),
    )
    try:
        await worker.run()
    finally:
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
