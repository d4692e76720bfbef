"""A worker that stops or crashes mid-complaint loses nothing and sends no letter twice."""

from datetime import timedelta

from sqlalchemy import func, select
from temporalio.worker import Worker

from reclamations.activities.letters.activity import LetterActivities
from reclamations.activities.letters.delivery import PostOutbox
from reclamations.activities.letters.rendering import LetterRenderer
from reclamations.activities.planning import PlanningActivities
from reclamations.activities.records import RecordActivities
from reclamations.db.models import EventRow, LetterRow
from reclamations.wiring import entities
from reclamations.workflows.complaint import ComplaintWorkflow
from reclamations.workflows.sandbox import workflow_runner
from tests.office import Office, action, kinds


async def test_a_new_worker_takes_over_a_waiting_complaint(
    temporal_env, settings, sqlite_sessions, keyring
):
    office = Office(temporal_env, settings, sqlite_sessions, keyring)
    # No sticky cache, so the test server hands the next task straight to the new worker.
    async with office.worker(max_cached_workflows=0):
        handle = await office.start()
        await office.act(handle, action("qualify"))
        await office.advance(handle, 5)
    # The first worker is gone, its cache with it: the next one replays the history.
    async with office.worker():
        state = await office.advance(handle, 65)
        await office.act(handle, action("answer", decision="upheld", reasons="Réglé."))
        state = await office.settled(handle)
        letters = kinds(state)
        assert letters[0] == "acknowledgement" and letters[-2:] == ["mediation_rights", "answer"]
        assert len(office.outbox("email/**/*.eml")) == len(letters)  # each sent once
        async with sqlite_sessions() as session:
            assert await session.scalar(select(func.count()).select_from(LetterRow)) == len(letters)
            seqs = (await session.scalars(select(EventRow.seq))).all()
        assert sorted(seqs) == list(range(1, len(state.events) + 1))
        await office.close()


class CrashAfterPosting(PostOutbox):
    """Posts the letter, then dies before anyone learns it was posted - once."""

    crashed = False

    async def send(self, body, title, reference, stem, sealed):
        location = await super().send(body, title, reference, stem, sealed)
        if not CrashAfterPosting.crashed:
            CrashAfterPosting.crashed = True
            raise ConnectionResetError("worker lost between posting and recording")
        return location


async def test_a_letter_retried_after_a_crash_is_posted_once(
    temporal_env, settings, sqlite_sessions, keyring
):
    office = Office(temporal_env, settings, sqlite_sessions, keyring)
    outbox = settings.resolved_outbox_dir
    letters = LetterActivities(
        sqlite_sessions,
        LetterRenderer(entities(settings)),
        email=None,  # type: ignore[arg-type]
        post=CrashAfterPosting(outbox, keyring),
        keyring=keyring,
        mail_from=settings.mail_from,
    )
    worker = Worker(
        temporal_env.client,
        task_queue=settings.task_queue,
        workflows=[ComplaintWorkflow],
        activities=[
            PlanningActivities(settings.policy).plan,
            RecordActivities(sqlite_sessions, keyring).record,
            letters.send_letter,
        ],
        workflow_runner=workflow_runner(),
    )
    async with worker:
        handle = await office.start(channel="post")
        await office.act(handle, action("qualify"))
        await office.skip(timedelta(seconds=5))  # the retry after the crash
        state = await office.settled(handle)
        await office.close()
    assert CrashAfterPosting.crashed
    assert kinds(state) == ["acknowledgement"]
    assert len(office.outbox("post/**/acknowledgement-*.pdf")) == 1
    async with sqlite_sessions() as session:
        rows = (await session.scalars(select(LetterRow))).all()
    assert [(r.kind, r.sequence, r.status) for r in rows] == [("acknowledgement", 1, "sent")]
