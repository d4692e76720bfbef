"""rule 17: the typology offered as choices in the UI, documented and checked in the
API, against the insurer's closed lists."""

from reclamations.workflows.complaint import ComplaintWorkflow
from tests.web.conftest import login


async def test_an_agent_picks_the_typology_from_the_lists(http, office):
    handle = await office.start()
    reference = handle.id.removeprefix("complaint-")
    csrf = await login(http, "camille")
    page = await http.get(f"/complaints/{reference}")
    assert "Renseigner la typologie" in page.text
    assert '<option value="prestations/delai"' in page.text  # a reason and its sub-reason
    response = await http.post(
        f"/complaints/{reference}/actions/classify",
        data={
            "csrf_token": csrf,
            "product_line": "prevoyance",
            "reason_and_sub_reason": "prestations/delai",
            "complainant_type": "beneficiary",
            "managing_body": "Gestion+ Lyon",
        },
    )
    assert response.status_code == 303, response.text
    state = await handle.query(ComplaintWorkflow.state)
    typed = state.classification
    assert (typed.product_line, typed.reason, typed.sub_reason) == (
        "prevoyance",
        "prestations",
        "delai",
    )
    assert typed.complainant_type == "beneficiary" and typed.managing_body == "Gestion+ Lyon"
    again = await http.get(f"/complaints/{reference}")
    assert '<option value="prestations/delai" selected' in again.text


async def test_a_code_outside_the_lists_is_refused_by_name(api, office):
    handle = await office.start()
    reference = handle.id.removeprefix("complaint-")
    response = await api.post(
        f"/api/complaints/{reference}/actions/classify",
        json={"product_line": "auto", "reason": "cotisations", "sub_reason": "delai"},
    )
    assert response.status_code == 422
    fields = {problem["field"]: problem["message"] for problem in response.json()["detail"]}
    assert fields == {
        "product_line": "gamme inconnue : auto",
        "sub_reason": "sous-motif inconnu pour ce motif : delai",
    }
    docs = (await api.get("/openapi.json")).json()
    assert "Renseigner la typologie" in str(docs) and "root_cause" in str(docs)
