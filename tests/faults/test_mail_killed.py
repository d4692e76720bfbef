"""kill -9 of the mail intake while it reads a mailbox, in the middle of a message (claimed in
the ledger, not yet settled), again and again, each time at a moment it stops at on its own
(tests/faults/pausing_mail.py: no race with the clock); then a run to the end: one complaint per
message, each with its evidence and its attachment once, every message marked in the
mailbox (issue 27, once and only once)."""

from __future__ import annotations

import asyncio
from functools import partial
from pathlib import Path

from sqlalchemy import func, select

from reclamations.db.models import ComplaintKeyRow, ComplaintRow, MailMessageRow
from reclamations.domain.access import Principal, Role
from reclamations.mail.imap import KEYWORD
from reclamations.security.codec import KEY_ID
from reclamations.workflows.messages import workflow_id
from tests.conftest import process_env
from tests.imap_server import ImapServer
from tests.mail.builders import OWN_DOMAIN, complaint_mail
from tests.office import Office, until
from tests.processes import kill, spawn, stop

MESSAGES = 8
KILLS = 4
READER = Principal("Dr Paul Lemoine", Role.medical_advisor)


async def unsettled(office: Office) -> list[str]:
    async with office.sessions() as session:
        return list(
            await session.scalars(select(MailMessageRow.key).where(MailMessageRow.done.is_(False)))
        )


async def settled(office: Office) -> int:
    async with office.sessions() as session:
        query = select(func.count()).select_from(MailMessageRow).where(MailMessageRow.done)
        return int(await session.scalar(query) or 0)


async def exists(path: Path) -> bool:
    return path.exists()


async def session_references(office: Office, keys: list[str]) -> list[str]:
    async with office.sessions() as session:
        rows = await session.scalars(
            select(MailMessageRow.reference).where(MailMessageRow.key.in_(keys))
        )
        return [reference for reference in rows if reference]


async def test_a_mail_intake_killed_mid_message_registers_each_message_once(
    dev_office: Office, dev_env, imap_server: ImapServer, tmp_path: Path
):
    office = dev_office
    folder = f"tue-{office.settings.task_queue}"
    imap_server.connect().create(folder)
    for _ in range(MESSAGES):
        imap_server.append(bytes(complaint_mail()), folder)
    env = {
        **process_env(
            office.settings, office.keyring, dev_env.client.service_client.config.target_host
        ),
        "RECLAMATIONS_MAIL_RECEIVER_PORT": "0",
        "RECLAMATIONS_MAIL_OWN_DOMAINS": f'["{OWN_DOMAIN}"]',
        "RECLAMATIONS_MAIL_IMAP_HOST": imap_server.host,
        "RECLAMATIONS_MAIL_IMAP_PORT": str(imap_server.port),
        "RECLAMATIONS_MAIL_IMAP_SSL": "false",
        "RECLAMATIONS_MAIL_IMAP_USERNAME": imap_server.user,
        "RECLAMATIONS_MAIL_IMAP_PASSWORD": imap_server.password,
        "RECLAMATIONS_MAIL_IMAP_FOLDER": folder,
        "RECLAMATIONS_MAIL_IMAP_EVERY_SECONDS": "0.2",
    }

    async def started() -> int:
        found = await office.client.count_workflows(
            f"TaskQueue = '{office.settings.task_queue}' AND WorkflowType = 'ComplaintWorkflow'"
        )
        return found.count

    # Two moments, each met twice, each the worst of its kind: a message just claimed
    # (nothing registered for it yet), and a complaint started for a message whose files are
    # not joined yet. The process stops there on its own (tests/faults/pausing_mail.py).
    for round_ in range(KILLS):
        moment = ("claimed", "registered")[round_ % 2]
        marker = tmp_path / f"mail-{moment}"
        marker.unlink(missing_ok=True)
        pausing = {**env, "FAULT_MARKERS": str(tmp_path), "PAUSE_AT": moment}
        process = spawn(pausing, "-m", "tests.faults.pausing_mail")
        try:
            await until(partial(exists, marker), what=f"a message {moment}")
            caught = await unsettled(office)
            kill(process)
        finally:
            stop(process)
        assert process.returncode == -9
        # Killed halfway: the message it held is claimed and not settled.
        assert caught and set(caught) <= set(await unsettled(office))
        if moment == "registered":
            references = await session_references(office, caught)
            described = [
                await office.client.get_workflow_handle(workflow_id(reference)).describe()
                for reference in references
            ]
            assert described  # its complaint started, before its files

    process = spawn(env, "-m", "reclamations.mail")
    try:
        await until(lambda: settled(office), lambda n: n == MESSAGES, what="all messages taken")
        await until(
            lambda: asyncio.to_thread(imap_server.count, folder, f"KEYWORD {KEYWORD}"),
            lambda n: n == MESSAGES,
            what="all messages marked",
        )
    finally:
        stop(process)
    assert process.returncode in (0, -15)

    async with office.sessions() as session:
        references = list(await session.scalars(select(MailMessageRow.reference)))
    assert len(set(references)) == MESSAGES
    for reference in references:
        assert reference is not None
        complaint = (await office.service.read(READER, reference)).complaint
        files = [d.file.sha256 for d in complaint.documents if d.file]
        assert len(files) == len(set(files)) == 2  # the message and its PDF, each once
    assert await started() == MESSAGES
    # issue 28: what the intake gave Temporal is sealed with each complaint's own key.
    async with office.sessions() as session:
        keys = dict(
            (await session.execute(select(ComplaintKeyRow.reference, ComplaintKeyRow.key_id))).all()
        )
    for reference in references:
        assert reference is not None
        history = await office.client.get_workflow_handle(workflow_id(reference)).fetch_history()
        started_with = history.events[0].workflow_execution_started_event_attributes.input
        assert {p.metadata[KEY_ID].decode() for p in started_with.payloads} == {keys[reference]}

    async def recorded() -> int:
        async with office.sessions() as session:
            return int(await session.scalar(select(func.count()).select_from(ComplaintRow)) or 0)

    assert await until(recorded, lambda n: n >= MESSAGES, what="the record") == MESSAGES
