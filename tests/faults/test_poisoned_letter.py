"""rule 14 with real processes: one complaint whose letter can never be written (the
insurer's mediation-rights template broken by a bad release) holds neither that complaint's
other deadlines and letters nor any other complaint."""

import shutil
from datetime import timedelta

from reclamations.activities.letters.rendering import TEMPLATES
from reclamations.web.views import today
from tests.faults.conftest import FaultSystem
from tests.office import action

OTHERS = 10


async def test_a_poisoned_letter_blocks_neither_its_complaint_nor_the_others(
    fault_system: FaultSystem, tmp_path
):
    system = fault_system
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    (templates / "mediation_rights.txt.j2").write_text("{{ a_field_that_does_not_exist }}")
    system.worker(RECLAMATIONS_LETTER_TEMPLATES=str(templates))

    # Forwarded late by the managing body: its 2 months ended 9 days ago, so every alarm is
    # due at once, the mediation-rights letter among them.
    poisoned = "POISON-1"
    first = today() - timedelta(days=70)
    await system.start(
        poisoned,
        channel="managing_body",
        sent_on=first + timedelta(days=50),
        first_written_on=str(first),
    )
    others = [f"HEALTHY-{n:02d}" for n in range(OTHERS)]
    for reference in others:
        await system.start(reference)
        await system.act(reference, action("qualify"))

    state = await system.settled(poisoned)
    [incident] = state.open_incidents
    assert incident.letter == "mediation_rights"
    assert [letter.kind.value for letter in state.letters] == ["acknowledgement"]
    assert state.overdue and state.escalation_level == 3  # its deadlines went on
    for reference in others:
        healthy = await system.check_nothing_lost_or_doubled(reference)
        assert [letter.kind.value for letter in healthy.letters] == ["acknowledgement"]
        assert not healthy.open_incidents

    # Mended: the template is fixed, an operator asks for a new try, the letter goes.
    shutil.copy(TEMPLATES / "mediation_rights.txt.j2", templates)
    await system.act(poisoned, action("retry", actor="exploitation"))
    state = await system.check_nothing_lost_or_doubled(poisoned)
    assert not state.open_incidents
    assert [letter.kind.value for letter in state.letters] == [
        "acknowledgement",
        "mediation_rights",
    ]
