"""No failure text carries content (rule 14, issue 30). Each kind of failure is made to
happen for real (the database refusing a record, the database away, the mail server refusing
the recipient, a template that chokes, the file store away) on a complaint whose complainant's
words carry a marker, and the marker is looked for where failures are written: the Temporal
history as stored (failure messages are not encrypted by the payload codec: only payloads
are), the activity's last failure while it is retried, the incidents on the complaint and on
its record, the error a caller is given, and the logs."""

from __future__ import annotations

import io
import logging
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from reportlab.pdfgen.canvas import Canvas
from temporalio.client import WorkflowExecutionDescription
from temporalio.converter import DefaultFailureConverter
from temporalio.testing import WorkflowEnvironment

from reclamations.activities.failures import LASTING, PASSING
from reclamations.activities.letters.rendering import TEMPLATES
from reclamations.db.engine import SessionFactory
from reclamations.db.models import ComplaintRow
from reclamations.domain.access import Principal, Role
from reclamations.domain.errors import Unavailable
from reclamations.security.codec import data_converter
from reclamations.security.keyring import Keyring
from reclamations.service import Upload
from reclamations.workflows.client import ComplaintHandle
from tests.activities.conftest import Mailbox, free_port
from tests.conftest import make_settings, open_office
from tests.office import AWAY, Office, action, at_rest, trouble, until

# The complainant's own words, in every field a failure could quote: name, address, subject,
# description. Lower case, as a mail server may lower an address it quotes.
MARKER = "mots-du-plaignant-q7x"
WORDS: dict[str, Any] = {
    "complainant": {
        "name": f"Hélène {MARKER}",
        "email": f"{MARKER}@example.fr",
        "postal_address": f"12 rue {MARKER}\n69003 Lyon",
    },
    "subject": f"Remboursement {MARKER}",
    "description": f"Ma plainte : {MARKER}, depuis un mois.",
}

# The database refusing every record: the complaints table's row holds the complainant's name
# and subject, which a failing statement's parameters quote.
REFUSING = (
    "CREATE TRIGGER refuse_complaints BEFORE INSERT ON complaints "
    "BEGIN SELECT RAISE(ABORT, 'non'); END",
    "DROP TRIGGER refuse_complaints",
)
# An agent's note quoting the complainant, which the failing statement's parameters quote when
# the database is away (the events table gone: the door still finds the complaint).
QUOTING_NOTE = f"Le réclamant écrit : « {MARKER} »."


@asynccontextmanager
async def an_office(
    env: WorkflowEnvironment,
    root: Path,
    sessions: SessionFactory,
    keyring: Keyring,
    **settings: Any,
) -> AsyncIterator[Office]:
    async with open_office(env, make_settings(root, **settings), sessions, keyring) as office:
        yield office


def quoted(text: str) -> bool:
    return MARKER in text.lower()


async def describe(handle: ComplaintHandle) -> WorkflowExecutionDescription:
    return await handle.describe()


def retried(description: WorkflowExecutionDescription) -> bool:
    """An ordinary activity has failed at least once and is being tried again."""
    return any(a.attempt >= 2 for a in description.raw_description.pending_activities)


async def incident_opened(office: Office, handle: ComplaintHandle) -> None:
    await until(lambda: office.state(handle), lambda state: state.open_incidents)


# -- each kind of failure, made to happen -------------------------------------------------------

Failure = Callable[[Office, ComplaintHandle, list[str]], Awaitable[None]]


async def database_refusing(office: Office, handle: ComplaintHandle, seen: list[str]) -> None:
    async with trouble(office.settings.data_dir / "reclamations.db", *REFUSING):
        await office.signal(handle, action("assign", assignee="agent.b"))
        await incident_opened(office, handle)


async def database_away(office: Office, handle: ComplaintHandle, seen: list[str]) -> None:
    async with trouble(office.settings.data_dir / "reclamations.db", *AWAY):
        await office.signal(handle, action("qualify", note=QUOTING_NOTE))
        description = await until(lambda: describe(handle), retried)
        # While it is retried, its last failure is shown to operators (Web UI, describe).
        seen += [str(a.last_failure) for a in description.raw_description.pending_activities]
    assert seen
    await office.settled(handle)


async def smtp_refusing(office: Office, handle: ComplaintHandle, seen: list[str]) -> None:
    await office.signal(handle, action("qualify"))  # the acknowledgement goes at once
    await incident_opened(office, handle)


async def template_error(office: Office, handle: ComplaintHandle, seen: list[str]) -> None:
    await office.signal(handle, action("qualify"))
    await incident_opened(office, handle)


async def storage_away(office: Office, handle: ComplaintHandle, seen: list[str]) -> None:
    files = office.settings.resolved_files_dir
    shutil.rmtree(files, ignore_errors=True)
    files.write_text("pas un dossier")  # no file can be stored under it
    upload = Upload(name=f"{MARKER}.pdf", content=a_pdf(), kind="supporting_document")
    louise = Principal("louise", Role.supervisor)
    reference = handle.id.removeprefix("complaint-")
    with pytest.raises(Unavailable) as refused:
        await office.service.add_file(louise, reference, upload)
    seen.append(str(refused.value))


def a_pdf() -> bytes:
    buffer = io.BytesIO()
    pdf = Canvas(buffer)
    pdf.drawString(72, 720, f"Facture {MARKER}")
    pdf.save()
    return buffer.getvalue()


def broken_templates(root: Path) -> Path:
    """The acknowledgement's template, choking on the subject: its error quotes the key it
    looked for ("'dict object' has no attribute '…'")."""
    templates = root / "templates"
    shutil.copytree(TEMPLATES, templates)
    (templates / "acknowledgement.txt.j2").write_text("{{ {}[subject] }}\n")
    return templates


# Each kind, and the type of failure it leaves in the history (the store's never reaches the
# workflow: its refusal is the caller's).
FAILURES: dict[str, tuple[Failure, str | None]] = {
    "database refusing": (database_refusing, LASTING),
    "database away": (database_away, PASSING),
    "smtp refusing": (smtp_refusing, LASTING),
    "template error": (template_error, LASTING),
    "storage away": (storage_away, None),
}


def test_failure_messages_are_not_encrypted_by_the_codec(keyring):
    """Why the history is searched as stored: a failure's message is in clear there."""
    converter = data_converter(keyring).failure_converter
    assert isinstance(converter, DefaultFailureConverter)
    assert not converter._encode_common_attributes


@pytest.mark.parametrize("kind", list(FAILURES))
async def test_no_failure_text_carries_the_complainants_words(
    temporal_env, tmp_path, sqlite_sessions, keyring, caplog, kind
):
    caplog.set_level(logging.INFO)
    # SQLAlchemy's own statement log is off in production (no echo); a failure's is not.
    caplog.set_level(logging.WARNING, logger="sqlalchemy")
    # The test's mail server logs what it is sent (the address among it): not ours.
    caplog.set_level(logging.WARNING, logger="mail.log")
    mailbox = Mailbox()
    mailbox.unknown.add(WORDS["complainant"]["email"])
    port = free_port()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=port)
    smtp.start()
    settings: dict[str, Any] = {"smtp_host": "127.0.0.1", "smtp_port": port}
    if kind != "smtp refusing":
        mailbox.unknown.clear()
    if kind == "template error":
        settings["letter_templates"] = broken_templates(tmp_path)
    seen: list[str] = []
    try:
        async with an_office(temporal_env, tmp_path, sqlite_sessions, keyring, **settings) as o:
            handle = await o.start(**WORDS)
            drive, failure = FAILURES[kind]
            await drive(o, handle, seen)
            await at_rest(handle)
            history = (await handle.fetch_history()).to_json()
            state = await o.state(handle)
            async with o.sessions() as session:
                row = await session.get(ComplaintRow, state.reference)
            events = await o.events(state.reference)
            # Mended, so that the complaint ends with the test (Office.close's last try).
            mailbox.unknown.clear()
            if kind == "template error":
                shutil.copy(TEMPLATES / "acknowledgement.txt.j2", settings["letter_templates"])
    finally:
        smtp.stop()

    # The failure is there to be found: in the history, or (a passing one, on a server that
    # keeps no last failure in the history) in what operators are shown while it is retried.
    assert failure is None or failure in history + "".join(seen)
    assert not quoted(history), "the history holds the complainant's words in clear"
    assert not [text for text in seen if quoted(text)], seen
    incidents = [i.reason for i in state.incidents]
    assert bool(incidents) is (failure == LASTING)
    assert not [reason for reason in incidents if quoted(reason)], incidents
    assert row is not None
    assert not quoted(str(row.snapshot["incidents"])), "the record's incidents"
    assert not [e.summary for e in events if e.type.startswith("incident") and quoted(e.summary)]
    assert not [r.getMessage() for r in caplog.records if quoted(r.getMessage())]
    assert not quoted(caplog.text), "the logs hold the complainant's words"
