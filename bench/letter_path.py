"""A storm letter's own path, counted: what the worker does for one automatic acknowledgement
outside the Temporal SDK, measured without the server, so that two versions of the code can
be compared on a busy machine (CPU time and counts move far less than a storm's wall clock).

Per letter, as a storm complaint's firing does it: its letter input and its record of the
letter sent through the application's data converter (pydantic and the codec, both ways), the
letter activity (rendering, email to the outbox, its writes), then the record of the letter
sent. SQLAlchemy's event listeners count the transactions and statements each makes.

    python -m bench.letter_path [N]      (SQLite in a temporary folder; N letters, 300 if none)
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event
from temporalio.converter import WorkflowSerializationContext
from temporalio.testing import ActivityEnvironment

from bench.common import write_result
from bench.same_work import ring_first_letter
from reclamations.activities.letters.activity import LetterActivities
from reclamations.activities.letters.delivery import EmlOutbox, PostOutbox
from reclamations.activities.records import RecordActivities
from reclamations.db.engine import create_engine, session_factory
from reclamations.db.migrate import upgrade
from reclamations.domain.complaint import Complaint
from reclamations.domain.intake import parse_intake
from reclamations.domain.planning import plan_complaint
from reclamations.domain.policy import Policy
from reclamations.security.codec import data_converter
from reclamations.security.keyring import Keyring
from reclamations.settings import Settings
from reclamations.wiring import letter_renderer
from reclamations.workflows.messages import LetterInput, LetterReceipt, RecordInput, workflow_id


@dataclass
class Firing:
    complaint: Complaint
    letter: LetterInput
    recorded_seq: int


def firing(index: int, now: datetime) -> Firing:
    """A storm complaint rung as its workflow rings it: its letter carries the record of the
    state that ordered it."""
    sent_on = (now - timedelta(days=8)).date()
    intake = parse_intake(
        {
            "reference": f"LP-{index:06d}",
            "channel": "email",
            "sent_on": sent_on.isoformat(),
            "complainant": {"name": "Client Banc d'essai", "email": "banc@example.fr"},
            "subject": "Remboursement",
            "description": "Mesure du chemin d'un courrier.",
        },
        now.date(),
    )
    reference = intake.reference or ""
    complaint = Complaint.open(reference, intake, plan_complaint(intake, Policy()), now)
    letter = ring_first_letter(complaint)
    return Firing(complaint, letter, max(e.seq for e in complaint.events))


async def main(count: int) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="letter-path-"))
    keyring = Keyring.load_or_create(folder / "keys.json")
    engine = create_engine(f"sqlite+aiosqlite:///{folder / 'reclamations.db'}")
    await upgrade(engine)
    sessions = session_factory(engine)
    counts: Counter[str] = Counter()
    event.listen(engine.sync_engine, "commit", lambda _conn: counts.update(["commits"]))
    event.listen(
        engine.sync_engine,
        "before_cursor_execute",
        lambda *_args: counts.update(["statements"]),
    )
    settings = Settings()
    letters = LetterActivities(
        sessions=sessions,
        renderer=letter_renderer(settings),
        email=EmlOutbox(folder / "outbox"),
        post=PostOutbox(folder / "outbox", keyring),
        keyring=keyring,
        mail_from=settings.mail_from,
    )
    records = RecordActivities(sessions, keyring)
    converter = data_converter(keyring)
    environment = ActivityEnvironment()
    now = datetime.now(UTC).replace(microsecond=0)

    async def through(value: Any, kind: type, reference: str) -> Any:
        """A payload as the SDK carries it: converted and encrypted, then decrypted and read."""
        context = WorkflowSerializationContext(
            namespace="default", workflow_id=workflow_id(reference)
        )
        bound = converter.with_context(context)
        payloads = await bound.encode([value])
        (decoded,) = await bound.decode(payloads, [kind])
        return decoded

    async def one(fired: Firing) -> None:
        letter = await through(fired.letter, LetterInput, fired.letter.reference)
        receipt = await environment.run(letters.send_letter, letter)
        receipt = await through(receipt, LetterReceipt, fired.letter.reference)
        complaint = fired.complaint
        complaint.letter_sent(fired.letter.order, receipt.location, datetime.now(UTC))
        record = RecordInput(
            complaint=complaint.model_copy(update={"events": []}),
            events=[e for e in complaint.events if e.seq > fired.recorded_seq],
            at=datetime.now(UTC),
        )
        await environment.run(
            records.record, await through(record, RecordInput, complaint.reference)
        )

    await one(firing(0, now))  # warm: imports, templates, compiled statements
    fired = [firing(index, now) for index in range(1, count + 1)]
    counts.clear()
    wall, cpu = time.perf_counter(), time.process_time()
    for each in fired:
        await one(each)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    await engine.dispose()
    result = {
        "letters": count,
        "cpu_ms_per_letter": round(1000 * cpu / count, 2),
        "wall_ms_per_letter": round(1000 * wall / count, 2),
        "commits_per_letter": counts["commits"] / count,
        "statements_per_letter": counts["statements"] / count,
    }
    print(result)
    return result


if __name__ == "__main__":
    write_result("letter-path", asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)))
