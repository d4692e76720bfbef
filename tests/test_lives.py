"""Realistic lives (examples/scenarios), run through `complaints simulate` on a time-skipping
Temporal server: whatever happens, no letter says what is not so (rules 5, 6, 9, 11)."""

import re
from datetime import date
from pathlib import Path

import pytest

from reclamations.cli.simulate import SimulationResult, load_scenario, simulate
from reclamations.domain.french import long_date
from reclamations.settings import Settings

SCENARIOS = Path(__file__).parents[1] / "examples" / "scenarios"
MONTHS = {long_date(date(2027, m, 1)).split()[1]: m for m in range(1, 13)}
A_DATE = r"(1er|\d{1,2})\s(\w+)\s(\d{4})"


def _day(match: tuple[str, ...]) -> date:
    number, month, year = match
    return date(int(year), MONTHS[month], 1 if number == "1er" else int(number))


async def live(name: str) -> SimulationResult:
    # The product's own settings, whatever a `.env` of this machine says.
    scenario = load_scenario((SCENARIOS / f"{name}.json").read_text())
    return await simulate(scenario, production=Settings(_env_file=None))


def letters(result: SimulationResult, kind: str) -> list[str]:
    return [body for key, body in sorted(result.letters.items()) if key.startswith(f"{kind}-")]


@pytest.mark.parametrize("name", sorted(p.stem for p in SCENARIOS.glob("*.json")))
async def test_no_letter_announces_a_past_date_or_one_after_two_months(name):
    result = await live(name)
    final = result.complaint.plan.final_due
    assert result.letters, "a life without letters would check nothing"
    for key, body in result.letters.items():
        heading = re.search(rf"^\w+, le {A_DATE}$", body, re.MULTILINE)  # "Châtillon, le …"
        assert heading, key
        written_on = _day(heading.groups())
        for announced in map(_day, re.findall(rf"au plus tard le {A_DATE}", body)):
            assert written_on <= announced, (key, announced)
            assert final is None or announced <= final, (key, announced)


async def test_a_complaint_forwarded_late_is_promised_nothing_beyond_its_two_months():
    result = await live("forwarded_late")
    final_due = result.complaint.plan.final_due
    assert final_due
    final = long_date(final_due)
    [acknowledgement] = letters(result, "acknowledgement")
    assert f"au plus tard le {final}" in acknowledgement
    assert "En tout état de cause" not in acknowledgement  # one date, not two
    assert not letters(result, "information")  # the promise was the final deadline itself
    assert letters(result, "mediation_rights")


async def test_a_complaint_registered_weeks_after_posting_gets_a_date_still_ahead():
    result = await live("posted_late")
    complaint = result.complaint
    target = complaint.quality_target_due
    assert target and complaint.promises[0] > target  # the 15 days had passed
    assert [letter.kind for letter in complaint.letters] == [
        "acknowledgement",
        "information",
        "answer",
    ]


async def test_an_expertise_before_the_announced_date_is_explained_on_that_date():
    result = await live("expertise_before_promise")
    complaint = result.complaint
    first = next(x for x in complaint.letters if x.kind == "information")
    assert first.sent_at.date() == complaint.promises[0]
    assert "expertise médicale" in letters(result, "information")[0]
    assert all(x.delivery == "post" for x in complaint.letters)  # rule 11


async def test_a_medical_complaint_without_address_waits_for_it_then_writes():
    result = await live("medical_without_address")
    events = [e.type.value for e in result.complaint.events]
    assert events.index("incident_opened") < events.index("address_changed")
    assert events.index("incident_closed") < events.index("letter_sent")
    [notice] = letters(result, "medical_postal_notice")
    assert "5 impasse des Lilas" in notice
    assert not result.complaint.open_incidents


async def test_the_agents_own_reason_reaches_the_complainant():
    result = await live("agent_informs")
    [information] = letters(result, "information")
    assert "rapport de l'expert mandaté pour le dégât des eaux" in information
    assert "réponse d'un tiers" in information
