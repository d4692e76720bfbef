"""The agents' UI in a real Chromium: what an agent does all day, end to end."""

import re
from datetime import date

import pytest

from tests.web.conftest import PASSWORD

pytestmark = pytest.mark.browser


async def logged_in(browser, live_server, username):
    page = await browser.new_page()
    await page.goto(f"{live_server.url}/")
    assert "/login" in page.url
    await page.fill("input[name=username]", username)
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{live_server.url}/")
    return page


async def register(page, live_server, **fields):
    await page.click("text=Nouvelle réclamation")
    await page.select_option("select[name=channel]", fields.pop("channel", "email"))
    for name, value in fields.items():
        await page.fill(f"[name='{name}']", value)
    await page.click("text=Enregistrer la réclamation")
    await page.wait_for_load_state()
    if await page.locator(".alert").count():
        raise AssertionError(await page.locator(".alert").inner_text())
    await page.wait_for_url(re.compile(r"/complaints/REC-\d{4}-\d{6}$"))
    return page.url.rsplit("/", 1)[-1]


async def act(page, label, **fields):
    form = page.locator("details.action", has=page.locator(f"summary:text-is('{label}')"))
    await form.locator("summary").click()
    for name, value in fields.items():
        field = form.locator(f"[name='{name}']")
        if await field.evaluate("e => e.tagName") == "SELECT":
            await field.select_option(value)
        else:
            await field.fill(value)
    await form.locator("button[type=submit]").click()
    await page.wait_for_selector(f"text=Action enregistrée : {label}")


async def test_an_agent_registers_suspends_resumes_and_answers_a_complaint(
    browser, live_server, office
):
    page = await logged_in(browser, live_server, "camille")
    reference = await register(
        page,
        live_server,
        **{
            "complainant.name": "Zoé Lefèvre",
            "complainant.email": "zoe.lefevre@example.fr",
            "subject": "Prélèvement en double",
            "description": "Deux prélèvements de 48,20 € en octobre.",
        },
    )
    assert await page.locator(
        "h1"
    ).inner_text() == f"{reference}\nREÇUE, À QUALIFIER" or reference in (
        await page.locator("h1").inner_text()
    )

    await page.goto(f"{live_server.url}/")
    row = page.locator("table.queue tr", has=page.locator(f"a:text-is('{reference}')"))
    assert "Zoé Lefèvre" in await row.inner_text()
    await row.locator("a").click()

    await act(page, "Suspendre", reason="legal_expertise")
    assert "suspendue" in await page.locator(".status").inner_text()
    await act(page, "Reprendre")
    await act(
        page,
        "Répondre",
        decision="upheld",
        reasons="Le second prélèvement de 48,20 € vous est remboursé.",
    )
    assert "répondue" in await page.locator(".status").inner_text()

    await page.click("ul.letters a:text('Réponse')")
    letter = await page.locator("pre.letter").inner_text()
    assert "nous faisons droit à votre demande" in letter
    assert "La Médiation de l'Assurance" in letter and "48,20 €" in letter


async def test_text_a_complainant_wrote_is_shown_as_text(browser, live_server, office):
    page = await logged_in(browser, live_server, "camille")
    hostile = "<script>window.pwned = true</script><b>gras</b>"
    reference = await register(
        page,
        live_server,
        **{
            "complainant.name": "<img src=x onerror='window.pwned=true'>",
            "complainant.email": "x@example.fr",
            "subject": "<i>objet</i>",
            "description": hostile,
        },
    )
    assert hostile in await page.locator(".complaint-text").inner_text()
    assert await page.evaluate("window.pwned") is None
    await page.goto(f"{live_server.url}/")
    assert "<i>objet</i>" in await page.locator("table.queue").inner_text()
    assert await page.evaluate("window.pwned") is None
    assert reference


async def test_an_agent_attaches_a_pdf_and_a_photo_and_sees_them(
    browser, live_server, office, tmp_path
):
    from tests.web.test_files import a_pdf, a_png

    page = await logged_in(browser, live_server, "camille")
    reference = await register(
        page,
        live_server,
        **{
            "complainant.name": "Nguyễn Thị Lan",
            "complainant.email": "lan@example.fr",
            "subject": "Prise en charge refusée",
            "description": "Voir les pièces.",
        },
    )
    (tmp_path / "devis.pdf").write_bytes(a_pdf("Devis"))
    (tmp_path / "photo.png").write_bytes(a_png())
    form = page.locator(
        "details.action", has=page.locator("summary:text-is('Joindre des fichiers')")
    )
    await form.locator("summary").click()
    await form.locator("input[type=file]").set_input_files(
        [str(tmp_path / "devis.pdf"), str(tmp_path / "photo.png")]
    )
    await form.locator("button[type=submit]").click()
    await page.wait_for_selector("img.thumbnail")
    assert f"/complaints/{reference}" in page.url
    thumbnail = page.locator("img.thumbnail")
    await thumbnail.evaluate("img => img.decode()")  # the image really loads, under the CSP
    assert await thumbnail.evaluate("img => img.naturalWidth") == 40
    link = page.locator("ul.documents a", has_text="devis.pdf")
    opened = await page.request.get(live_server.url + await link.get_attribute("href"))
    assert opened.headers["content-type"] == "application/pdf"
    assert (await opened.body()).startswith(b"%PDF")


async def test_a_medical_complaint_is_unreadable_to_an_agent(browser, live_server, office):
    await office.start(
        reference="MED-BR-1",
        channel="post",
        medical=True,
        description="Compte rendu d'IRM du 3 novembre : hernie discale L4-L5.",
    )
    page = await logged_in(browser, live_server, "camille")
    row = page.locator("table.queue tr", has=page.locator("a:text-is('MED-BR-1')"))
    assert "réservée au Médecin Conseil" in await row.inner_text()
    await row.locator("a").click()
    body = await page.locator("main").inner_text()
    assert "hernie discale" not in body and "Hélène Garnier" not in body
    assert "Réclamation médicale" in body
    assert "Aucune action possible" in body

    doctor = await logged_in(browser, live_server, "dr.lemoine")
    await doctor.goto(f"{live_server.url}/complaints/MED-BR-1")
    assert "hernie discale L4-L5" in await doctor.locator(".complaint-text").inner_text()


async def test_the_form_shows_each_mistake_next_to_its_field(browser, live_server, office):
    page = await logged_in(browser, live_server, "camille")
    await page.click("text=Nouvelle réclamation")
    await page.select_option("select[name=channel]", "post")
    await page.fill("[name='complainant.name']", "Jeanne Morel")
    await page.fill("[name='subject']", "Accueil")
    await page.fill("[name='description']", "Trois appels sans réponse.")
    scan = {"name": "courrier.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 scan"}
    await page.set_input_files("input[name=scan]", files=[scan])
    await page.click("text=Enregistrer la réclamation")
    alert = await page.locator(".alert").inner_text()
    # Issue 24: the fields' French labels, and the file that must be chosen again.
    assert "Adresse postale : obligatoire pour une réclamation reçue par courrier" in alert
    assert "complainant." not in alert and "choisissez-les de nouveau" in alert
    assert await page.locator("[name='complainant.name']").input_value() == "Jeanne Morel"
    files = page.locator("fieldset", has_text="Documents joints")
    assert "courrier.pdf" in await files.inner_text()


async def test_an_agent_finds_a_complaint_by_keyboard_from_any_page(browser, live_server, office):
    """issue 29: the search box, reached and used with the keyboard alone, no JavaScript."""
    page = await logged_in(browser, live_server, "camille")
    reference = await register(
        page,
        live_server,
        sent_on=date.today().isoformat(),
        **{"complainant.name": "Françoise Lévêque", "complainant.email": "fl@example.fr"},
        subject="Cotisation prélevée deux fois",
        description="Deux prélèvements en novembre.",
    )
    await page.focus("#recherche-q")
    await page.keyboard.type("leveque FRANCOISE")
    await page.keyboard.press("Enter")
    await page.wait_for_url(re.compile(r"/recherche\?q="))
    row = page.locator("table.queue tbody tr", has=page.locator(f"text={reference}"))
    assert await row.locator("td.why").inner_text() == "nom"
    await page.keyboard.press("Tab")  # the box keeps the search typed
    assert await page.input_value("#recherche-q") == "leveque FRANCOISE"
