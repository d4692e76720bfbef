"""kill -9 of the mail intake while it reads a mailbox, in the middle of a message (claimed in
the ledger, not yet settled), again and again; then a run to the end: one complaint per
message, each with its evidence and its attachment once, every message marked in the
mailbox (issue 27, once and only once)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from sqlalchemy import func, select

from reclamations.db.models import ComplaintRow, MailMessageRow
from reclamations.domain.access import Principal, Role
from reclamations.mail.imap import KEYWORD
from tests.conftest import process_env
from tests.imap_server import ImapServer
from tests.mail.builders import OWN_DOMAIN, complaint_mail
from tests.office import Office, until
from tests.processes import kill, spawn, stop

MESSAGES = 8
KILLS = 4
# The unsettled messages' keys, complaints started, messages settled.
State = tuple[list[str], int, int]
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


async def test_a_mail_intake_killed_mid_message_registers_each_message_once(
    dev_office: Office, dev_env, imap_server: ImapServer
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

    async def state() -> State:
        return await unsettled(office), await started(), await settled(office)

    # Two moments, each met twice: a message just claimed (nothing registered for it yet),
    # and a complaint started for a message not yet settled (its files still to come).
    def just_claimed(left: set[str]) -> Callable[[State], bool]:
        return lambda s: bool(s[0]) and not set(s[0]) & left

    def started_unsettled(left: set[str]) -> Callable[[State], bool]:
        # Those left halfway before are settled first (the mailbox's order); after them,
        # more complaints than settled messages: one is in flight.
        return lambda s: not set(s[0]) & left and s[1] > s[2]

    for round_ in range(KILLS):
        left = set(await unsettled(office))  # by the run killed before
        process = spawn(env, "-m", "reclamations.mail")
        try:
            if round_ % 2 == 0:
                caught, _, _ = await until(
                    state,
                    just_claimed(left),
                    what="a message just claimed",
                    every=0.002,
                )
            else:
                caught, _, _ = await until(
                    state,
                    started_unsettled(left),
                    what="a complaint started for a message not yet settled",
                    every=0.002,
                )
            kill(process)
        finally:
            stop(process)
        assert process.returncode == -9
        # Killed halfway: what it had claimed is still unsettled.
        assert set(caught) <= set(await unsettled(office))

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

    async def recorded() -> int:
        async with office.sessions() as session:
            return int(await session.scalar(select(func.count()).select_from(ComplaintRow)) or 0)

    assert await until(recorded, lambda n: n >= MESSAGES, what="the record") == MESSAGES
