"""rule 11 has no end (issue 27): a complaint found medical once closed, its workflow ended,
is marked medical all the same, on its record, and sealed there; medical already, it is not
marked twice."""

import pytest

from reclamations.db.models import ComplaintRow
from reclamations.domain.access import Principal, Role
from reclamations.domain.content import content_paths, is_sealed
from reclamations.domain.errors import Forbidden
from tests.erasure import (
    DOCTOR,
    FILE_TEXT,
    ORDINARY,
    TEXTS,
    closed,
    database_contents,
    found,
    keyed_office_any_database,
    s3_server,
    store_contents,
    store_settings,
)
from tests.office import Office, action, at_rest
from tests.workflows.test_lean_runs import replays

__all__ = ["keyed_office_any_database", "s3_server", "store_settings"]  # fixtures, used by name

AGENT = Principal("camille", Role.agent)
MARKERS = ["MarqueurClos6620", "MarqueurNoteClose4471"]


async def test_a_closed_complaint_whose_process_ended_is_marked_on_its_record(
    keyed_office_any_database: Office,
) -> None:
    """On SQLite and PostgreSQL, its files in a folder or on S3, each complaint with its key:
    registered by email, a file joined, acknowledged by email, withdrawn with a note."""
    office = keyed_office_any_database
    reference = await closed(office, complainant=ORDINARY, channel="email")
    markers = [ORDINARY["name"], ORDINARY["email"], TEXTS["ordinary"], FILE_TEXT["ordinary"]]
    assert found(markers, database_contents(office) + store_contents(office)) == markers

    marked = await office.service.act(AGENT, reference, "mark_medical", {})

    assert marked.complaint.medical and not marked.readable
    async with office.sessions() as session:
        row = await session.get(ComplaintRow, reference)
    assert row is not None and row.medical and row.status == "withdrawn"
    assert found(markers, database_contents(office)) == []
    assert found(markers, store_contents(office)) == []
    events = await office.events(reference)
    assert (events[-1].type, events[-1].actor) == ("declared_medical", AGENT.name)
    # Closed: no notice goes, nothing is posted any more.
    assert marked.complaint.pending_letters == [] and not marked.complaint.open_incidents
    reading = await office.service.read(DOCTOR, reference)
    assert TEXTS["ordinary"] in reading.complaint.intake.description
    [document] = [d for d in reading.complaint.documents if d.file]
    assert document.file is not None
    opened = await office.service.document_file(DOCTOR, reference, document.file.sha256)
    assert opened.content.startswith(b"%PDF")
    assert not (await office.service.read(AGENT, reference)).readable
    # The Médecin Conseil's alone from now on.
    with pytest.raises(Forbidden):
        await office.service.act(AGENT, reference, "mark_medical", {})


async def test_marked_medical_its_workflow_goes_on_holding_it_sealed(office):
    """The same run goes on from the marking, its state sealed; what its history held before is
    encrypted with the complaint's own key, the key its sealed values open with, and the codec
    endpoint opens it for the Médecin Conseil alone (tests/web/test_codec.py); the run replays."""
    handle = await office.start(description=f"Mon arrêt de travail {MARKERS[0]}")
    reference = handle.id.removeprefix("complaint-")
    await office.act(handle, action("qualify", note=f"Elle parle de {MARKERS[1]}"))
    first = (await handle.describe()).run_id
    await office.service.act(AGENT, reference, "mark_medical", {})
    await at_rest(handle)
    state = await office.settled(handle)
    assert state.medical and all(is_sealed(text) for text in content_paths(state).values())
    assert (await handle.describe()).run_id == first
    assert [(letter.kind.value, letter.delivery.value) for letter in state.letters][-1] == (
        "medical_postal_notice",
        "post",
    )
    await replays(office, handle)
