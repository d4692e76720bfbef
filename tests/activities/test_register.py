"""The register, read back from the database (SQLite and PostgreSQL), and its export."""

import csv
import io
from datetime import timedelta

from activities.records import RecordActivities
from cli.main import main
from db.register import register_lines
from domain.actions import Answer, Qualify, RequalifyAsRequest
from tests.activities.conftest import NOW, a_complaint
from workflows.messages import RecordInput


async def record_three(sessions):
    record = RecordActivities(sessions).record
    answered = a_complaint("REC-1", category="benefits")
    answered.apply(Qualify(actor="a"), NOW)
    answered.acknowledged_at = NOW
    answered.apply(Answer(actor="a", decision="upheld", reasons="Fait."), NOW + timedelta(days=3))
    request = a_complaint("REC-2", category="contract")
    request.apply(RequalifyAsRequest(actor="a", note="Demande d'attestation."), NOW)
    waiting = a_complaint("REC-3", sent_on="2026-10-01")
    for complaint in (answered, request, waiting):
        await record(RecordInput(complaint=complaint, events=complaint.events, at=NOW))


async def test_register_lines_come_back_with_local_dates(sessions):
    await record_three(sessions)
    lines = {line.reference: line for line in await register_lines(sessions)}
    assert lines["REC-1"].first_answered_on == (NOW + timedelta(days=3)).date()
    assert lines["REC-1"].acknowledged_on == NOW.date()
    assert lines["REC-2"].status == "requalified"
    assert [line.reference for line in await register_lines(sessions, sent_from=NOW.date())] == []


def test_the_register_exports_as_csv_with_statistics(tmp_path, monkeypatch, capsys):
    import asyncio

    from db.engine import create_engine, session_factory
    from db.migrate import upgrade

    url = f"sqlite+aiosqlite:///{tmp_path / 'register.db'}"

    async def prepare():
        engine = create_engine(url)
        await upgrade(engine)
        await record_three(session_factory(engine))
        await engine.dispose()

    asyncio.run(prepare())
    monkeypatch.setenv("RECLAMATIONS_DATABASE_URL", url)
    assert main(["register", "--stats", "--as-of", "2027-06-01"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0][0] == "catégorie"
    total = rows[-1]
    assert total[:3] == ["total", "2", "1"]
    assert main(["register", "--from", "2026-11-01"]) == 0
    lines = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [line["référence"] for line in lines] == ["REC-1", "REC-2"]
