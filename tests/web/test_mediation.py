"""rule 18 in the agents' UI: the referral to the mediator recorded from the page."""

from reclamations.workflows.complaint import ComplaintWorkflow
from tests.office import action
from tests.web.conftest import login


async def test_an_agent_records_the_referral_from_the_page(http, office):
    handle = await office.start()
    reference = handle.id.removeprefix("complaint-")
    await office.act(handle, action("answer", decision="rejected", reasons="Hors garantie."))
    csrf = await login(http, "louise")
    page = await http.get(f"/complaints/{reference}")
    assert "Suivre la médiation" in page.text and "peut saisir le Médiateur jusqu" in page.text
    response = await http.post(
        f"/complaints/{reference}/actions/mediate",
        data={
            "csrf_token": csrf,
            "step": "referral",
            "mediator": "La Médiation de l'Assurance",
            "file_number": "LMA-2026-481",
            "admissible": "",
            "amount": "",
        },
    )
    assert response.status_code == 303, response.text
    state = await handle.query(ComplaintWorkflow.state)
    assert state.status == "mediation" and state.mediation.file_number == "LMA-2026-481"
    again = await http.get(f"/complaints/{reference}")
    assert "chez le Médiateur" in again.text
