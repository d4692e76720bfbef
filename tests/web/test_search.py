"""The search box and the search API (issue 29): only what the searcher may see, and why."""

from reclamations.activities.records import RecordActivities
from reclamations.domain.access import Role
from reclamations.domain.actions import Assign
from reclamations.workflows.messages import RecordInput
from tests.activities.conftest import NOW, a_complaint
from tests.web.conftest import login

MEDICAL = "REC-2026-000777"
PLAIN = "REC-2026-000778"


async def recorded(office):
    record = RecordActivities(office.sessions, office.keyring).record
    for complaint in (
        a_complaint(MEDICAL, medical=True, subject="Expertise"),
        a_complaint(PLAIN, complainant={"name": "Hélène Garnier", "email": "hg@example.fr"}),
    ):
        await record(RecordInput(complaint=complaint, events=complaint.events, at=NOW))


async def test_an_agent_finds_by_name_with_why_but_no_medical_identity(http, office):
    await recorded(office)
    await login(http, "camille")
    page = await http.get("/recherche", params={"q": "garnier helene"})
    assert page.status_code == 200
    assert PLAIN in page.text and MEDICAL not in page.text
    assert '<td class="why">nom</td>' in page.text
    # The box is on every agents' page, labelled, in a plain GET form.
    queue = await http.get("/")
    assert 'action="/recherche"' in queue.text and '<label for="recherche-q">' in queue.text
    by_reference = await http.get("/recherche", params={"q": "777"})
    assert MEDICAL in by_reference.text and "réservée au Médecin Conseil" in by_reference.text
    assert "Expertise" not in by_reference.text and '<td class="why">référence</td>' in (
        by_reference.text
    )
    typo = await http.get("/recherche", params={"q": "Granier"})
    assert '<td class="why">nom (approché)</td>' in typo.text


async def test_an_agent_does_not_find_a_complaint_assigned_to_another(http, office, tokens):
    record = RecordActivities(office.sessions, office.keyring).record
    theirs = a_complaint("REC-2026-000779")
    theirs.apply(Assign(actor="louise", assignee="hugo"), NOW)
    await record(RecordInput(complaint=theirs, events=theirs.events, at=NOW))
    await login(http, "camille")
    assert "REC-2026-000779" not in (await http.get("/recherche", params={"q": "garnier"})).text
    agent = await http.get("/api/search", params={"q": "779"}, headers=await tokens(Role.agent))
    assert agent.json()["found"] == []
    supervisor = await http.get(
        "/api/search", params={"q": "779"}, headers=await tokens(Role.supervisor)
    )
    assert [f["reference"] for f in supervisor.json()["found"]] == ["REC-2026-000779"]


async def test_the_medecin_conseil_finds_the_medical_complainant_by_name(http, office):
    await recorded(office)
    await login(http, "dr.lemoine")
    page = await http.get("/recherche", params={"q": "Hélène GARNIER"})
    assert MEDICAL in page.text and PLAIN in page.text and "Expertise" in page.text


async def test_compliance_is_sent_to_its_figures(http, office):
    await login(http, "ines")
    page = await http.get("/recherche", params={"q": "garnier"})
    assert page.status_code == 303 and page.headers["location"] == "/conformite"


async def test_the_api_searches_with_the_tokens_role(http, office, tokens):
    await recorded(office)
    doctor = await http.get(
        "/api/search", params={"q": "garnier"}, headers=await tokens(Role.medical_advisor)
    )
    assert {f["reference"]: f["why"] for f in doctor.json()["found"]} == {
        MEDICAL: "nom",
        PLAIN: "nom",
    }
    supervisor = await http.get(
        "/api/search", params={"q": MEDICAL.lower()}, headers=await tokens(Role.supervisor)
    )
    [found] = supervisor.json()["found"]
    assert found["matched"] == ["reference"] and found["complainant_name"] is None
    assert found["subject"] is None
    compliance = await http.get(
        "/api/search", params={"q": "garnier"}, headers=await tokens(Role.compliance)
    )
    assert compliance.status_code == 403
    assert (await http.get("/api/search", params={"q": "garnier"})).status_code == 401
