"""The compliance dashboard (rules 13 and 17) in a real browser, without JavaScript:
its numbers are the register's; compliance reads figures, never a complaint."""

import csv
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from reclamations.db.register import register_lines
from reclamations.domain.dashboard import dashboard
from reclamations.domain.typology import DEFAULT_TYPOLOGY
from tests.office import action
from tests.web.conftest import PASSWORD, login


async def some_complaints(office):
    today = await office.today()
    answered = await office.start(sent_on=str(today - timedelta(days=20)))
    await office.act(answered, action("qualify", product_line="sante", reason="prestations"))
    await office.act(answered, action("answer", decision="upheld", reasons="Remboursé."))
    waiting = await office.start(sent_on=str(today - timedelta(days=55)))
    await office.act(waiting, action("qualify", product_line="prevoyance", reason="autre"))
    fresh = await office.start()
    for handle in (answered, waiting, fresh):
        await office.settled(handle)
    return waiting.id.removeprefix("complaint-")


async def test_the_dashboard_shows_the_registers_numbers_without_javascript(
    browser, live_server, office
):
    near = await some_complaints(office)
    lines = await register_lines(office.sessions)
    expected = dashboard(lines, await office.today(), DEFAULT_TYPOLOGY)
    context = await browser.new_context(java_script_enabled=False)
    page = await context.new_page()
    await page.goto(f"{live_server.url}/login")
    await page.fill("input[name=username]", "ines")
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{live_server.url}/conformite")  # the queue is not theirs
    assert await page.inner_text("#complaints") == str(expected.complaints) == "3"
    assert await page.inner_text("#answered") == str(expected.answered) == "1"
    assert await page.inner_text("#open") == str(expected.open)
    rows = await page.locator("#promises tbody tr").all_inner_texts()
    for promise, row in zip(expected.promises, rows, strict=True):
        assert row.split("\t")[1:3] == [str(promise.share.met), str(promise.share.eligible)]
    assert near in await page.inner_text("#near")  # 55 days of 61: past 80 %
    assert "« Autre »" in await page.inner_text("main")  # a third of the reasons
    for image in await page.locator("img.chart").all():
        await image.scroll_into_view_if_needed()
        assert await image.evaluate("img => img.complete && img.naturalWidth > 0")
    async with page.expect_download() as download:
        await page.click("text=Registre (CSV)")
    saved = await (await download.value).path()
    assert saved.read_text(encoding="utf-8").count("\n") == 1 + len(lines)
    await context.close()


async def test_compliance_reads_figures_and_never_a_complaint(http, office, tokens):
    handle = await office.start()
    reference = handle.id.removeprefix("complaint-")
    await login(http, "ines")
    assert (await http.get(f"/complaints/{reference}")).status_code == 403
    queue = await http.get("/")
    assert queue.status_code == 303 and queue.headers["location"] == "/conformite"
    assert (await http.get("/conformite")).status_code == 200
    from reclamations.domain.access import Role

    token = await tokens(Role.compliance)
    assert (await http.get(f"/api/complaints/{reference}", headers=token)).status_code == 403


@pytest.mark.parametrize(
    "period",
    [{"au": "0001-06-01"}, {"du": "2027-02-01", "au": "2027-01-01"}, {"du": "1999-12-31"}],
)
async def test_a_period_out_of_bounds_is_refused_plainly(http, office, period):
    await login(http, "ines")
    for path in ("/conformite", "/conformite/graphiques/mois.svg", "/conformite/registre.csv"):
        response = await http.get(path, params=period)
        assert response.status_code == 422 and "Période invalide" in response.text, path


async def test_an_agent_has_no_dashboard(http, office):
    await login(http, "camille")
    assert (await http.get("/conformite")).status_code == 403
    assert (await http.get("/conformite/registre.csv")).status_code == 403


async def test_the_dashboard_and_its_downloads_are_french_and_run_no_formula(http, office):
    """What an agent typed in reaches the downloads as text; percentages read "100,0 %"."""
    formula = '=HYPERLINK("https://pirate.example","Voir")'
    handle = await office.start(channel="post")
    await office.act(handle, action("qualify", managing_body=formula, category="benefits"))
    await office.act(handle, action("answer", decision="upheld", reasons="Remboursé."))
    await office.settled(handle)
    await login(http, "ines")
    page = (await http.get("/conformite")).text
    assert "100,0 %" in page and "100.0" not in page
    rows = list(csv.DictReader(io.StringIO((await http.get("/conformite/registre.csv")).text)))
    [row] = rows
    assert row["organisme gestionnaire"] == f"'{formula}"
    assert (row["canal"], row["catégorie"], row["statut"]) == (
        "courrier postal",
        "prestations",
        "répondue",
    )
    assert row["accusé de réception à temps"] == "oui"
    book = load_workbook(io.BytesIO((await http.get("/conformite/registre.xlsx")).content))
    header, cells = list(book["Registre"].iter_rows())[:2]
    body = cells[[cell.value for cell in header].index("organisme gestionnaire")]
    assert (body.value, body.data_type) == (f"'{formula}", "s")
