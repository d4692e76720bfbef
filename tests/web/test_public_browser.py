"""The complainant's door in a real Chromium (issue 26): axe-core on every public page and on
the agents' main pages, a keyboard-only walk through the form, 320 px and 200 % zoom, and a
complaint filed, followed and contested as a person would, the link received by real SMTP."""

from __future__ import annotations

import asyncio
import os
import re
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.async_playwright import Axe
from fastapi import FastAPI

from reclamations.db.accounts import add_user
from reclamations.domain.access import Principal, Role
from reclamations.web.app import create_app
from tests.activities.conftest import Mailbox
from tests.office import Office
from tests.web.conftest import PASSWORD, USERS
from tests.web.test_browser import logged_in
from tests.web.test_files import a_pdf
from tests.web.test_public import PUBLIC_PAGE_PATHS

pytestmark = pytest.mark.browser

DOCS = Path(__file__).parents[2] / "docs" / "images"


def screenshots(tmp_path: Path) -> Path:
    """Where the README's screenshots go: docs/images when asked for
    (RECLAMATIONS_SCREENSHOTS=1), else the test's own folder, so a test run leaves the
    checkout as it found it."""
    return DOCS if os.environ.get("RECLAMATIONS_SCREENSHOTS") else tmp_path


SUPERVISOR = Principal("louise", Role.supervisor)
# RGAA asks for none of these; axe's "moderate" and "minor" findings are read by a person.
BLOCKING = ("serious", "critical")


@pytest.fixture
async def app(office: Office, smtp_server: tuple[Mailbox, int]) -> FastAPI:
    """The web app of these tests: the private links' emails through the real SMTP server,
    and no minimum fill time (a robot-fast test, not a robot)."""
    for username, (role, name) in USERS.items():
        await add_user(office.sessions, username, PASSWORD, role, name)
    settings = office.settings.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp_server[1],
            "public_min_fill_seconds": 0,
        }
    )
    return create_app(settings, office.sessions, office.keyring, client=office.client)


async def blocking_violations(page: Any) -> list[str]:
    results = await Axe().run(page)
    return [
        f"{page.url} {v['id']} ({v['impact']}): {v['help']} – "
        + "; ".join(n["target"][0] for n in v["nodes"][:3])
        for v in results.response["violations"]
        if v["impact"] in BLOCKING
    ]


async def fill_form(page: Any, pdf: Path) -> None:
    await page.fill("#f-complainant-name", "Zoé Lefèvre")
    await page.fill("#f-complainant-email", "zoe.lefevre@example.fr")
    await page.fill("#f-subject", "Prélèvement en double")
    await page.fill("#f-description", "Deux prélèvements de 48,20 € en octobre.")
    await page.set_input_files("#f-previous-answers", str(pdf))
    await page.check("#f-not-medical")


async def file_online(browser: Any, live_server: Any, tmp_path: Path) -> tuple[Any, str]:
    page = await browser.new_page()
    await page.goto(f"{live_server.url}/reclamation")
    pdf = tmp_path / "reponse-precedente.pdf"
    pdf.write_bytes(a_pdf("Notre réponse du 3 novembre"))
    await fill_form(page, pdf)
    await page.click("button:has-text('Envoyer ma réclamation')")
    await page.wait_for_url(re.compile(r"/suivi\?envoyee=1$"))
    heading = await page.locator("h1").inner_text()
    return page, heading.rsplit(" ", 1)[-1]


async def mail_with_link(mailbox: Mailbox, reference: str) -> str:
    for _ in range(200):
        for message in mailbox.received:
            text = str(message.get_content())
            if reference in text:
                found = re.search(r"http://\S+/suivi/\S+", text)
                assert found, text
                return found.group(0)
        await asyncio.sleep(0.05)
    raise AssertionError("no email with a link arrived")


async def test_a_complainant_files_receives_the_link_follows_adds_and_contests(
    browser: Any,
    live_server: Any,
    office: Office,
    smtp_server: tuple[Mailbox, int],
    tmp_path: Path,
) -> None:
    mailbox, _ = smtp_server
    shots = screenshots(tmp_path)
    form = await browser.new_page(viewport={"width": 900, "height": 1400})
    await form.goto(f"{live_server.url}/reclamation")
    await form.screenshot(path=str(shots / "public-form.png"), full_page=True)

    _, reference = await file_online(browser, live_server, tmp_path)
    link = await mail_with_link(mailbox, reference)
    # The link's host is the configured public address; the page is served here.
    token_path = link.split("/suivi/", 1)[1]
    page = await browser.new_page(viewport={"width": 900, "height": 1400})
    await page.goto(f"{live_server.url}/suivi/{token_path}")
    assert page.url == f"{live_server.url}/suivi"  # the token leaves the address bar

    reading = await office.service.act(SUPERVISOR, reference, "qualify", {})
    await office.service.recorded(reference, reading.complaint.version)
    for _ in range(200):  # the acknowledgement leaves (the worker's letters activity)
        await page.goto(f"{live_server.url}/suivi")
        if await page.locator("text=lire « Accusé de réception »").count():
            break
        await asyncio.sleep(0.1)
    await page.click("text=lire « Accusé de réception »")
    assert reference in await page.locator(".letter").inner_text()
    await page.click("text=Retour au suivi de votre réclamation")

    evidence = tmp_path / "releve.pdf"
    evidence.write_bytes(a_pdf("Relevé bancaire d'octobre"))
    await page.set_input_files("#f-files", str(evidence))
    await page.click("button:has-text('Ajouter à mon dossier')")
    await page.wait_for_selector("text=Vos documents ont été ajoutés")
    assert await page.locator("text=releve.pdf").count() == 1

    reading = await office.service.act(
        SUPERVISOR,
        reference,
        "answer",
        {"decision": "rejected", "reasons": "Le second prélèvement correspond à novembre."},
    )
    await office.service.recorded(reference, reading.complaint.version)
    await page.goto(f"{live_server.url}/suivi")
    await page.screenshot(path=str(shots / "public-follow.png"), full_page=True)
    await page.fill("#f-note", "Les deux prélèvements portent sur octobre.")
    await page.click("button:has-text('Demander un réexamen')")
    await page.wait_for_selector("text=Votre demande de réexamen est enregistrée")
    assert "réexamen est en cours" in await page.locator(".status-text").inner_text()


async def test_no_serious_or_critical_axe_violation_on_public_and_agents_pages(
    browser: Any, live_server: Any, office: Office, tmp_path: Path
) -> None:
    found: list[str] = []
    page = await browser.new_page()
    for path in (*PUBLIC_PAGE_PATHS, "/suivi/faux"):
        await page.goto(f"{live_server.url}{path}")
        found += await blocking_violations(page)
    await page.goto(f"{live_server.url}/reclamation")
    await page.click("button:has-text('Envoyer ma réclamation')")  # every mistake at once
    assert await page.locator(".error-summary").count() == 1
    found += await blocking_violations(page)

    follow, reference = await file_online(browser, live_server, tmp_path)
    found += await blocking_violations(follow)
    reading = await office.service.act(SUPERVISOR, reference, "qualify", {})
    await office.service.recorded(reference, reading.complaint.version)
    for _ in range(200):  # the acknowledgement leaves (the worker's letters activity)
        await follow.goto(f"{live_server.url}/suivi")
        if await follow.locator("text=lire « Accusé de réception »").count():
            break
        await asyncio.sleep(0.1)
    found += await blocking_violations(follow)
    await follow.click("text=lire « Accusé de réception »")
    found += await blocking_violations(follow)

    asking = await browser.new_page()
    for _ in range(11):  # a new link is asked 10 times an hour from one address at most
        await asking.goto(f"{live_server.url}/suivi/nouveau-lien")
        await asking.fill("#f-email", "zoe.lefevre@example.fr")
        await asking.click("button:has-text('Recevoir un nouveau lien')")
    assert "Trop de demandes" in await asking.title()
    found += await blocking_violations(asking)

    agent = await logged_in(browser, live_server, "louise")
    agents_pages = (
        "/",
        "/?statut=tous&tri=-echeance",
        f"/complaints/{reference}",
        "/complaints/new",
        "/conformite",
        "/recherche?q=Lefevre",
        "/actions",
        "/actions/nouvelle",
    )
    for path in agents_pages:
        await agent.goto(f"{live_server.url}{path}")
        found += await blocking_violations(agent)
    compliance = await browser.new_page()  # compliance lands on its dashboard, not the queue
    await compliance.goto(f"{live_server.url}/conformite/effacement")
    await compliance.fill("input[name=username]", "ines")
    await compliance.fill("input[name=password]", PASSWORD)
    await compliance.click("button[type=submit]")
    await compliance.wait_for_url(f"{live_server.url}/conformite/effacement")
    found += await blocking_violations(compliance)
    login = await browser.new_page()
    await login.goto(f"{live_server.url}/login")
    found += await blocking_violations(login)
    assert found == []


async def test_the_form_is_filled_and_sent_by_keyboard_alone(
    browser: Any, live_server: Any
) -> None:
    page = await browser.new_page()
    await page.goto(f"{live_server.url}/reclamation")
    typed = {
        "complainant.name": "Zoé Lefèvre",
        "complainant.email": "zoe.lefevre@example.fr",
        "subject": "Prélèvement en double",
        "description": "Deux prélèvements en octobre.",
    }
    visited: list[str] = []
    for _ in range(60):
        await page.keyboard.press("Tab")
        focused = await page.evaluate(
            "() => { const e = document.activeElement; const s = getComputedStyle(e);"
            " return [e.name || e.id || e.textContent.trim(), s.outlineStyle, s.outlineWidth]; }"
        )
        name, outline, width = focused
        visited.append(name)
        assert outline != "none" and width != "0px", f"no visible focus on {name}"
        if name in typed:
            await page.keyboard.type(typed[name])
        if name == "not_medical":
            await page.keyboard.press("Space")
        if name == "Envoyer ma réclamation":
            await page.keyboard.press("Enter")
            break
    assert "site_web" not in visited  # the honeypot is never reached
    assert visited[0] == "Aller au contenu"
    assert [n for n in visited if n in typed] == list(typed)  # in reading order
    await page.wait_for_url(re.compile(r"/suivi\?envoyee=1$"))
    assert "Votre réclamation est enregistrée" in await page.content()


async def test_a_complaint_is_filed_and_followed_with_javascript_off(
    browser: Any, live_server: Any, tmp_path: Path
) -> None:
    context = await browser.new_context(java_script_enabled=False)
    page = await context.new_page()
    await page.goto(f"{live_server.url}/reclamation")
    pdf = tmp_path / "reponse.pdf"
    pdf.write_bytes(a_pdf())
    await fill_form(page, pdf)
    await page.click("button:has-text('Envoyer ma réclamation')")
    await page.wait_for_url(re.compile(r"/suivi\?envoyee=1$"))
    assert "Votre réclamation est enregistrée" in await page.content()
    await page.click("summary:has-text('Pourquoi cette date ?') >> nth=0")  # details, no script
    assert await page.locator("details[open]").count() == 1
    await context.close()


async def test_errors_are_listed_at_the_top_with_focus_and_beside_each_field(
    browser: Any, live_server: Any
) -> None:
    page = await browser.new_page()
    await page.goto(f"{live_server.url}/reclamation")
    await page.click("button:has-text('Envoyer ma réclamation')")
    # The answer's page takes the focus once loaded (autofocus): waited for, 5 s at most (the
    # click returns as the page starts loading, before that on a busy machine).
    await page.wait_for_function(
        "document.activeElement && document.activeElement.classList.contains('error-summary')",
        timeout=5000,
    )
    assert (await page.title()).startswith("Erreurs dans le formulaire")
    await page.click(".error-summary a[href='#f-complainant-name']")
    assert await page.evaluate("document.activeElement.id") == "f-complainant-name"
    described = await page.get_attribute("#f-complainant-name", "aria-describedby")
    assert described and "erreur" in described
    # Never colour alone: each mistake is said in words.
    assert "Erreur :" in await page.locator("#f-complainant-name-erreur").inner_text()


@pytest.mark.parametrize("width", [320, 640])  # 640 CSS px: a 1280 px screen at 200 % zoom
async def test_public_pages_fit_320_px_and_200_percent_zoom_without_scrolling_sideways(
    browser: Any, live_server: Any, width: int
) -> None:
    page = await browser.new_page(viewport={"width": width, "height": 800})
    for path in PUBLIC_PAGE_PATHS:
        await page.goto(f"{live_server.url}{path}")
        overflow = await page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} is {overflow} px too wide at {width} px"
