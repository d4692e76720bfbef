"""A real worker process that stops in the middle of one kind of activity, once per letter or
record, so that a test can kill it there (kill -9) and check that a new worker loses nothing
and doubles nothing.

    FAULT_PAUSE_IN=letter|record  FAULT_MARKERS=<folder>  python -m tests.faults.pausing_worker

The pause comes at the worst moment: the letter is delivered (or the record committed) but
Temporal has not heard of it yet. A marker file tells the test the worker is there, and tells
the retry (in the next worker) not to pause again.
"""

from __future__ import annotations

import asyncio
import os
from email.message import Message
from pathlib import Path

from temporalio import activity

from reclamations.activities.letters.activity import LetterActivities
from reclamations.activities.letters.delivery import EmlOutbox, PostOutbox
from reclamations.activities.letters.rendering import LetterLayout
from reclamations.activities.planning import PlanningActivities
from reclamations.activities.records import RecordActivities
from reclamations.db.engine import create_engine, session_factory
from reclamations.settings import Settings
from reclamations.wiring import (
    complaint_worker,
    connect_temporal,
    email_sender,
    letter_renderer,
    load_keyring,
)
from reclamations.workflows.messages import RECORD_ACTIVITY, RecordInput

PAUSE_IN = os.environ.get("FAULT_PAUSE_IN", "")
MARKERS = Path(os.environ.get("FAULT_MARKERS", "."))


async def pause_once(key: str) -> None:
    marker = MARKERS / key
    if marker.exists():
        return
    marker.write_text("paused\n")
    await asyncio.sleep(3600)  # until killed


class PausingEmails(EmlOutbox):
    async def send(self, message: Message, reference: str, stem: str) -> str:
        location = await super().send(message, reference, stem)
        if PAUSE_IN == "letter":
            await pause_once(f"{reference}.{stem}")
        return location


class PausingPost(PostOutbox):
    async def send(
        self, layout: LetterLayout, title: str, reference: str, stem: str, sealed: bool
    ) -> str:
        location = await super().send(layout, title, reference, stem, sealed)
        if PAUSE_IN == "letter":
            await pause_once(f"{reference}.{stem}")
        return location


class PausingRecords(RecordActivities):
    @activity.defn(name=RECORD_ACTIVITY)
    async def record(self, data: RecordInput) -> None:
        await super().record(data)
        if PAUSE_IN == "record":
            await pause_once(f"{data.complaint.reference}.record-{data.complaint.version}")


async def main() -> None:
    settings = Settings()
    keyring = load_keyring(settings)
    engine = create_engine(settings.resolved_database_url)
    sessions = session_factory(engine)
    outbox = settings.resolved_outbox_dir
    letters = LetterActivities(
        sessions,
        letter_renderer(settings),
        # With an SMTP server configured, mail goes there (the SMTP fault test).
        email=email_sender(settings) if settings.smtp_host else PausingEmails(outbox),
        post=PausingPost(outbox, keyring),
        keyring=keyring,
        mail_from=settings.mail_from,
    )
    client = await connect_temporal(settings, keyring)
    worker = complaint_worker(
        client,
        settings,
        sessions,
        keyring,
        with_activities=[
            PlanningActivities(settings.policy).plan,
            PausingRecords(sessions, keyring).record,
            letters.send_letter,
        ],
    )
    await worker.run()


if __name__ == "__main__":
    asyncio.run(main())
