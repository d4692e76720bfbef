"""The read model's snapshot is a versioned contract: every version ever written still reads."""

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import insert

from reclamations.activities.records import complaint_row
from reclamations.db.models import ComplaintRow
from reclamations.db.queue import QueueFilters, queue_page
from reclamations.db.register import register_lines
from reclamations.db.snapshot import (
    SCHEMA_VERSION,
    VERSION_KEY,
    UnknownSnapshot,
    complaint_from,
    snapshot_of,
)
from tests.activities.conftest import NOW, a_complaint

# A qualified, assigned complaint's snapshot as the record wrote it before snapshots named their
# version (issue 25): version 1, kept as it was.
VERSION_1 = Path(__file__).parent / "snapshots" / "v1.json"


async def test_a_snapshot_of_version_1_is_still_read(sessions, keyring):
    stored = json.loads(VERSION_1.read_text(encoding="utf-8"))
    assert VERSION_KEY not in stored
    row = {**complaint_row(complaint_from(stored), NOW, keyring), "snapshot": stored}
    async with sessions.begin() as session:
        await session.execute(insert(ComplaintRow), [row])
    async with sessions() as session:
        recorded = await session.get(ComplaintRow, "REC-2026-000042")
    complaint = complaint_from(recorded.snapshot)
    assert complaint.assignee == "agent.martin" and complaint.promises == [date(2026, 12, 5)]
    [line] = await register_lines(sessions)
    assert (line.product_line, line.reason, line.sub_reason) == ("sante", "prestations", "delai")
    assert line.promised_on == date(2026, 12, 5)
    queue = await queue_page(sessions, QueueFilters())
    assert [r.promises for r in queue.rows] == [["2026-12-05"]]


def test_a_snapshot_of_version_1_from_an_older_rules_edition_is_still_read():
    """Rows written before 1.0.0 by complaints of an older edition: the edition and the
    alarm only it rang (the quality target's warning) are left behind, the rest is read."""
    stored = json.loads(VERSION_1.read_text(encoding="utf-8"))
    older = {**stored, "rules": 2, "alarms_rung": ["quality_warning", "quality_target"]}
    complaint = complaint_from(older)
    assert [kind.value for kind in complaint.alarms_rung] == ["quality_target"]
    assert complaint.assignee == "agent.martin"


def test_a_snapshot_names_its_version_and_a_newer_one_is_refused():
    complaint = a_complaint()
    snapshot = snapshot_of(complaint)
    assert snapshot[VERSION_KEY] == SCHEMA_VERSION and "events" not in snapshot
    assert complaint_from(snapshot) == complaint.model_copy(update={"events": []})
    with pytest.raises(UnknownSnapshot):
        complaint_from({**snapshot, VERSION_KEY: SCHEMA_VERSION + 1})
