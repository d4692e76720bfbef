"""The queue pages through many complaints, nearest deadline first."""

from datetime import timedelta

from reclamations.activities.records import RecordActivities
from reclamations.cli.main import main
from reclamations.db.accounts import authenticate
from reclamations.db.queue import QueueFilters, queue_page
from reclamations.workflows.messages import RecordInput
from tests.activities.conftest import NOW, a_complaint


async def test_pages_of_fifty_in_deadline_order(sessions, keyring):
    record = RecordActivities(sessions, keyring).record
    for day in range(120):
        complaint = a_complaint(f"P-{day:03d}", sent_on=str((NOW - timedelta(days=day)).date()))
        await record(RecordInput(complaint=complaint, events=complaint.events, at=NOW))
    first = await queue_page(sessions, QueueFilters(), page=1)
    last = await queue_page(sessions, QueueFilters(), page=3)
    assert (first.total, first.pages, len(first.rows), len(last.rows)) == (120, 3, 50, 20)
    dates = [row.next_deadline_on for row in first.rows + last.rows if row.next_deadline_on]
    assert len(dates) == 70 and dates == sorted(dates)
    assert first.rows[0].reference == "P-119"  # sent first, due first


def test_users_are_added_from_the_command_line(tmp_path, monkeypatch, capsys):
    import asyncio
    import io

    from reclamations.db.engine import create_engine, session_factory
    from reclamations.db.migrate import upgrade

    url = f"sqlite+aiosqlite:///{tmp_path / 'users.db'}"

    async def migrate():
        engine = create_engine(url)
        await upgrade(engine)
        await engine.dispose()

    asyncio.run(migrate())
    monkeypatch.setenv("RECLAMATIONS_DATABASE_URL", url)
    monkeypatch.setattr("sys.stdin", io.StringIO("un-mot-de-passe\n"))
    assert main(["users", "add", "ines", "--role", "supervisor", "--password-stdin"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("court\n"))
    assert main(["users", "add", "ines2", "--role", "agent", "--password-stdin"]) == 2
    assert "12 caractères" in capsys.readouterr().err

    async def check():
        engine = create_engine(url)
        user = await authenticate(session_factory(engine), "ines", "un-mot-de-passe")
        await engine.dispose()
        return user

    assert asyncio.run(check()).role == "supervisor"
