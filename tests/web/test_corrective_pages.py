"""Corrective actions on the web (issue 29): opened from the dashboard's group of a root
cause, followed on their page, shown on their complaints' pages and in the register's XLSX;
compliance sees them whole and never a complaint."""

import io
from datetime import date, timedelta

from openpyxl import load_workbook

from reclamations.activities.records import RecordActivities
from reclamations.workflows.messages import RecordInput
from tests.activities.conftest import NOW, a_complaint
from tests.web.conftest import login

CAUSE = "delai_traitement"


async def recorded(office, reference="REC-2026-000901"):
    sent_on = date.today() - timedelta(days=3)
    complaint = a_complaint(reference, today=date.today(), sent_on=str(sent_on))
    complaint.classification = complaint.classification.model_copy(update={"root_cause": CAUSE})
    record = RecordActivities(office.sessions, office.keyring).record
    await record(RecordInput(complaint=complaint, events=complaint.events, at=NOW))


async def test_from_the_dashboard_to_an_action_on_its_complaints_page(http, office):
    await recorded(office)
    csrf = await login(http, "louise")
    board = await http.get("/conformite", params={"grouper": "root_cause"})
    assert "Délai de traitement" in board.text and f"cause={CAUSE}" in board.text
    form = await http.get("/actions/nouvelle", params={"cause": CAUSE})
    assert "REC-2026-000901" in form.text
    today = date.today()
    opened = await http.post(
        "/actions",
        data={
            "csrf_token": csrf,
            "title": "Renfort de l'équipe prestations",
            "description": "Deux gestionnaires en renfort jusqu'en mars.",
            "root_cause": CAUSE,
            "owner": "louise",
            "due_on": (today + timedelta(days=20)).isoformat(),
            "check_on": (today + timedelta(days=120)).isoformat(),
            "window_months": "2",
            "complaints": "REC-2026-000901",
        },
    )
    assert opened.status_code == 303, opened.text
    page = await http.get(opened.headers["location"])
    assert "Renfort de l&#39;équipe prestations" in page.text and "en cours" in page.text
    assert "<td>ouverte</td><td>louise</td>" in page.text
    ident = opened.headers["location"].rsplit("/", 1)[1]
    stepped = await http.post(
        f"/actions/{ident}", data={"csrf_token": csrf, "kind": "progress", "note": "recrutés"}
    )
    assert stepped.status_code == 303
    assert (
        "<td>avancement</td><td>louise</td><td>recrutés</td>"
        in (await http.get(f"/actions/{ident}")).text
    )
    board = await http.get("/conformite")
    assert '<dd id="actions-open">1</dd>' in board.text
    workbook = load_workbook(io.BytesIO((await http.get("/conformite/registre.xlsx")).content))
    sheet = workbook["Actions correctives"]
    assert [c.value for c in sheet[2]][:2] == [ident, "Renfort de l'équipe prestations"]
    await login(http, "camille")
    complaint = await http.get("/complaints/REC-2026-000901")
    assert ident in complaint.text and "Renfort de l&#39;équipe prestations" in complaint.text
    assert (await http.get("/actions")).status_code == 403
    await login(http, "ines")
    seen = await http.get(f"/actions/{ident}")
    # Compliance reads the action whole, the complaint's reference without a link to it.
    assert "REC-2026-000901" in seen.text and 'href="/complaints/' not in seen.text


async def test_a_refused_action_names_each_problem_and_keeps_what_was_typed(http, office):
    csrf = await login(http, "louise")
    refused = await http.post(
        "/actions",
        data={
            "csrf_token": csrf,
            "title": "Mon titre",
            "description": "Texte",
            "root_cause": CAUSE,
            "owner": "louise",
            "due_on": "2020-01-01",
            "check_on": "2020-06-01",
            "complaints": "INCONNUE-1",
        },
    )
    assert refused.status_code == 422
    assert "Échéance : l&#39;échéance est passée" in refused.text
    assert "INCONNUE-1" in refused.text and 'value="Mon titre"' in refused.text
