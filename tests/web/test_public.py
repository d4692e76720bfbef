"""The complainant's own door (issue 26), over HTTP: the online form, the private link, the
follow-up page's actions through the one door as the complainant, and abuse kept out."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from reclamations.db.accounts import add_user
from reclamations.db.follow_links import issue_link, owe_mail
from reclamations.db.logins import AuditKind
from reclamations.db.models import (
    AuditRow,
    ComplaintRow,
    EventRow,
    FollowLinkRow,
    FollowMailRow,
    aware,
)
from reclamations.db.queue import QueueFilters
from reclamations.domain.access import COMPLAINANT_ACTOR, Principal, Role, complainant_of
from reclamations.domain.clock import local_date
from reclamations.domain.complaint import Status
from reclamations.domain.errors import FieldError, Forbidden, Invalid, NotFound
from reclamations.domain.intake import parse_intake
from reclamations.service import Upload
from reclamations.settings import Settings
from reclamations.web.app import create_app
from reclamations.web.public.common import COMPLAINANT_STATUS, RedactFollowTokens, redact
from reclamations.web.public.filing import intake_of
from reclamations.web.public.follow import said
from reclamations.wiring import complaint_service, complaint_worker
from tests.activities.conftest import Mailbox
from tests.entities import ENTITIES_TOML
from tests.office import MAIL_ROOM, Office, eml_text, intake_data
from tests.web.conftest import PASSWORD, USERS, login
from tests.web.posts.table import ROUTES, Post, footprint
from tests.web.test_files import a_pdf

SUPERVISOR = Principal("louise", Role.supervisor)


def public_app(office: Office, **changes: Any) -> FastAPI:
    """The app with the form's minimum fill time off (tests send at once), unless changed."""
    settings = office.settings.model_copy(update={"public_min_fill_seconds": 0, **changes})
    return create_app(settings, office.sessions, office.keyring, client=office.client)


def client_of(app: FastAPI, address: str = "203.0.113.7") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://reclamations.test")


@pytest.fixture
async def web(office: Office) -> AsyncIterator[httpx.AsyncClient]:
    async with client_of(public_app(office)) as client:
        yield client


FORM = {
    "complainant.name": "Zoé Lefèvre",
    "complainant.email": "zoe.lefevre@example.fr",
    "subject": "Prélèvement en double",
    "description": "Deux prélèvements de 48,20 € en octobre pour la même échéance.",
    "category": "contributions",
    "not_medical": "oui",
}


def token_of(page: str) -> str:
    found = re.search(r'name="jeton" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


async def file(
    client: httpx.AsyncClient, files: dict[str, Any] | None = None, **changes: str
) -> httpx.Response:
    page = await client.get("/reclamation")
    form = {**FORM, "jeton": token_of(page.text), **changes}
    return await client.post("/reclamation", data=form, files=files or {})


async def filed(client: httpx.AsyncClient, **changes: str) -> str:
    """A complaint filed online; its reference, read on the follow-up page it leads to."""
    response = await file(client, {}, **changes)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/suivi?envoyee=1"
    page = await client.get("/suivi?envoyee=1")
    assert page.status_code == 200, page.text
    found = re.search(r"Votre réclamation ([A-Z]+-\d{4}-\d{6})", page.text)
    assert found, page.text
    return found.group(1)


async def complaints(office: Office) -> int:
    async with office.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(ComplaintRow)) or 0)


def ctx_of(client: httpx.AsyncClient) -> Any:
    transport = client._transport
    assert isinstance(transport, httpx.ASGITransport)
    return transport.app.state.context  # type: ignore[attr-defined]


# -- filing -------------------------------------------------------------------------------


async def test_a_complaint_filed_online_is_a_web_form_complaint_sent_today_with_its_files(
    web: httpx.AsyncClient, office: Office
) -> None:
    form = await web.get("/reclamation")
    assert form.status_code == 200
    # The medical notice comes before the form, with the Médecin Conseil's postal address.
    notice, fields = form.text.index("Informations médicales"), form.text.index("<form")
    assert notice < fields and "Médecin Conseil de Mutex" in form.text[notice:fields]
    assert "140 avenue de la République" in form.text[notice:fields]
    for header in ("content-security-policy", "x-frame-options", "x-content-type-options"):
        assert header in form.headers
    assert form.headers["cache-control"] == "no-store"

    files = {"previous_answers": ("reponse.pdf", a_pdf(), "application/pdf")}
    response = await file(web, files=files)
    assert response.status_code == 303, response.text
    page = await web.get("/suivi?envoyee=1")
    reference = re.search(r"Votre réclamation ([A-Z]+-\d{4}-\d{6})", page.text).group(1)  # type: ignore[union-attr]
    assert "Votre réclamation est enregistrée" in page.text
    assert "reponse.pdf" in page.text and "réponse écrite antérieure" in page.text

    complaint = (await office.service.read(SUPERVISOR, reference)).complaint
    assert complaint.intake.channel == "web_form"
    assert complaint.plan.sent_on == local_date(datetime.now(UTC), "Europe/Paris")
    assert complaint.intake.complainant.email == "zoe.lefevre@example.fr"
    async with office.sessions() as session:
        actors = set(
            await session.scalars(select(EventRow.actor).where(EventRow.reference == reference))
        )
    assert "formulaire en ligne" in actors


async def test_files_no_worker_could_join_in_time_are_asked_for_again(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    # rule 12: no worker opens the complaint within the door's patience (one away a while):
    # the complaint is registered, and the page says its files were not joined.
    monkeypatch.setattr("reclamations.service.register.OPENING_PATIENCE", timedelta(seconds=1))
    app = public_app(office, task_queue=f"{office.settings.task_queue}-plus-tard")
    files = {"previous_answers": ("reponse.pdf", a_pdf(), "application/pdf")}
    async with client_of(app) as client:
        response = await file(client, files=files)
        assert response.status_code == 303, response.text
        assert response.headers["location"] == "/suivi?envoyee=1&fichiers_non_joints=1"
        settings = app.state.context.settings
        async with complaint_worker(office.client, settings, office.sessions, office.keyring):
            page = await client.get(response.headers["location"])
            assert "Votre réclamation est enregistrée" in page.text
            assert "Un de vos fichiers n'a pas pu être joint" in page.text
            assert "Ajouter des documents" in page.text
            # Ended while its worker is here: the teardown's close would wait for one.
            await office.close()
            office.started_ids.clear()


async def test_a_file_refused_is_listed_and_linked_to_the_file_field_and_nothing_is_filed(
    web: httpx.AsyncClient, office: Office
) -> None:
    before = await complaints(office)
    files = {"evidence": ("notes.txt", b"juste du texte", "text/plain")}
    refused = await file(web, files=files)
    assert refused.status_code == 422
    assert 'href="#f-previous-answers"' in refused.text
    assert 'aria-describedby="f-previous-answers-erreur"' in refused.text
    assert "choisissez-les de nouveau" in refused.text
    assert await complaints(office) == before


async def test_the_email_brings_a_link_that_opens_the_page_and_no_token_is_kept_in_clear(
    web: httpx.AsyncClient, office: Office
) -> None:
    reference = await filed(web)
    await ctx_of(web).settle()
    [mail] = office.outbox(f"email/{reference}/lien-suivi-*.eml")
    text = eml_text(mail)
    assert reference in text and "accusé de réception" in text and "2 mois" in text
    link = re.search(r"http://\S+/suivi/(\S+)", text)
    assert link is not None
    token = link.group(1)

    async with client_of(web._transport.app) as other:  # type: ignore[attr-defined]
        opened = await other.get(f"/suivi/{token}")
        assert opened.status_code == 303 and opened.headers["location"] == "/suivi"
        page = await other.get("/suivi")
        assert reference in page.text and "Zoé" not in page.text  # status, dates, letters

    database = office.settings.data_dir / "reclamations.db"
    stored = b"".join(p.read_bytes() for p in database.parent.glob("reclamations.db*"))
    assert token.encode() not in stored
    async with office.sessions() as session:
        hashes = list(await session.scalars(select(FollowLinkRow.token_hash)))
    assert len(hashes) == 2 and all(len(h) == 64 for h in hashes)  # the page's and the mail's


async def test_a_wrong_an_expired_and_another_complaints_token_get_the_same_404(
    web: httpx.AsyncClient, office: Office
) -> None:
    reference = await filed(web)
    expired = await issue_link(
        office.sessions, reference, datetime.now(UTC) - timedelta(days=2), timedelta(days=1)
    )
    answers = []
    async with client_of(web._transport.app, "198.51.100.9") as stranger:  # type: ignore[attr-defined]
        for token in (expired, "x" * 43, "nimporte-quoi", reference, "%00"):
            response = await stranger.get(f"/suivi/{token}")
            answers.append((response.status_code, response.text))
        nothing = await stranger.get("/suivi")
    assert {status for status, _ in answers} == {404} and nothing.status_code == 404
    assert len({text for _, text in answers} | {nothing.text}) == 1
    assert "Page introuvable" in nothing.text
    # The next link issued forgets the expired ones.
    await issue_link(office.sessions, reference, datetime.now(UTC), timedelta(days=1))
    async with office.sessions() as session:
        left = list(await session.scalars(select(FollowLinkRow.expires_at)))
    assert all(aware(moment) > datetime.now(UTC) for moment in left)


async def test_the_complainant_adds_a_document_contests_the_answer_and_is_on_the_record(
    web: httpx.AsyncClient, office: Office
) -> None:
    reference = await filed(web)
    await office.service.act(SUPERVISOR, reference, "qualify", {})
    page = await web.get("/suivi")
    assert "Demander un réexamen" not in page.text

    added = await web.post(
        "/suivi/documents",
        data={"jeton": token_of(page.text), "kind": "supporting_document"},
        files={"files": ("releve.pdf", a_pdf("Relevé bancaire"), "application/pdf")},
    )
    assert added.status_code == 303, added.text
    page = await web.get(added.headers["location"])
    assert "releve.pdf" in page.text and "Vos documents ont été ajoutés" in page.text

    reading = await office.service.act(
        SUPERVISOR,
        reference,
        "answer",
        {"decision": "rejected", "reasons": "Le second prélèvement correspond à octobre."},
    )
    await office.service.recorded(reference, reading.complaint.version)
    page = await web.get("/suivi")
    assert "Demander un réexamen" in page.text and "Saisir le Médiateur" in page.text
    assert "La Médiation de l&#39;Assurance" in page.text
    # Refused (the page's token forged, a note too long): the note typed is still there,
    # and the message names no field of ours.
    note = "Les deux prélèvements portent sur novembre."
    forged = await web.post("/suivi/contestation", data={"jeton": "faux", "note": note})
    assert forged.status_code == 403 and f">{note}</textarea>" in forged.text
    long = note + " " + "x" * 20_000
    refused = await web.post(
        "/suivi/contestation", data={"jeton": token_of(page.text), "note": long}
    )
    assert refused.status_code == 422 and long in refused.text
    assert "Trop long" in refused.text and "note :" not in refused.text
    contested = await web.post(
        "/suivi/contestation", data={"jeton": token_of(page.text), "note": note}
    )
    assert contested.status_code == 303, contested.text
    complaint = (await office.service.read(SUPERVISOR, reference)).complaint
    assert complaint.status is Status.contested
    async with office.sessions() as session:
        actors = list(
            await session.scalars(select(EventRow.actor).where(EventRow.reference == reference))
        )
    assert actors.count(COMPLAINANT_ACTOR) >= 2  # the document and the contest


async def test_the_complainant_reaches_no_other_complaint_through_the_door(
    web: httpx.AsyncClient, office: Office
) -> None:
    mine = await filed(web)
    other = (await office.start()).id.removeprefix("complaint-")
    zoe = complainant_of(mine)
    assert (await office.service.read(zoe, mine)).complaint.reference == mine
    for attempt in (
        office.service.read(zoe, other),
        office.service.dossier(zoe, other),
        office.service.act(zoe, other, "withdraw", {}),
        office.service.add_files(zoe, other, [Upload("x.pdf", a_pdf())]),
        office.service.letter(zoe, other, "acknowledgement", 1),
    ):
        with pytest.raises(NotFound):
            await attempt
    with pytest.raises(Forbidden):
        await office.service.queue(zoe, QueueFilters(), 1)
    with pytest.raises(Forbidden):  # on their own complaint, only what a complainant may do
        await office.service.act(zoe, mine, "qualify", {})


async def test_a_medical_complaints_page_shows_its_status_and_dates_only(
    web: httpx.AsyncClient, office: Office
) -> None:
    reference = (await office.start(medical=True)).id.removeprefix("complaint-")
    token = await issue_link(office.sessions, reference, datetime.now(UTC), timedelta(days=1))
    await web.get(f"/suivi/{token}")
    page = await web.get("/suivi")
    assert "Réclamation médicale" in page.text and "Délai maximal de réponse" in page.text
    for hidden in ("Hélène", "Remboursement d", "Nos courriers", "Ajouter", "Clore ma"):
        assert hidden not in page.text, hidden


async def test_a_requalified_complaint_says_so_and_a_complainant_may_withdraw(
    web: httpx.AsyncClient, office: Office
) -> None:
    first = await filed(web)
    page = await web.get("/suivi")
    withdrawn = await web.post(
        "/suivi/desistement", data={"jeton": token_of(page.text), "confirm": "oui"}
    )
    assert withdrawn.status_code == 303, withdrawn.text
    page = await web.get(withdrawn.headers["location"])
    assert "Close à votre demande" in page.text and "Clore ma réclamation" not in page.text
    assert (await office.service.read(SUPERVISOR, first)).complaint.status is Status.withdrawn

    second = await filed(web)
    reading = await office.service.act(
        SUPERVISOR, second, "requalify_as_request", {"note": "Demande d'attestation."}
    )
    await office.service.recorded(second, reading.complaint.version)
    page = await web.get("/suivi")
    assert "Traitée comme une demande" in page.text and "Saisir le Médiateur" not in page.text


# -- abuse --------------------------------------------------------------------------------


async def test_a_filled_honeypot_a_form_sent_too_fast_and_a_missing_cookie_register_nothing(
    office: Office,
) -> None:
    before = await complaints(office)
    async with client_of(public_app(office)) as client:
        robot = await file(client, site_web="https://spam.example")
        assert robot.status_code == 403
    async with client_of(public_app(office, public_min_fill_seconds=60)) as client:
        hasty = await file(client)
        assert hasty.status_code == 422 and "trop vite" in hasty.text
        assert hasty.text.count('value="Zoé Lefèvre"') == 1  # nothing typed is lost
    async with client_of(public_app(office)) as client:
        page = await client.get("/reclamation")
        client.cookies.clear()  # another site's form: no cookie of ours comes with it
        forged = await client.post("/reclamation", data={**FORM, "jeton": token_of(page.text)})
        assert forged.status_code == 403 and "pas pu être vérifié" in forged.text
    assert await complaints(office) == before


async def test_a_flood_from_one_address_or_many_gets_a_french_429_and_never_reaches_the_queue(
    office: Office,
) -> None:
    app = public_app(office, public_filings_per_address_hour=2, public_filings_per_hour=3)
    async with client_of(app, "203.0.113.1") as one:
        await filed(one)
        await filed(one)
        before = await complaints(office)
        refused = await file(one)
        assert refused.status_code == 429 and "Trop de demandes" in refused.text
        assert int(refused.headers["retry-after"]) > 0
        assert refused.headers["content-security-policy"]
    async with client_of(app, "203.0.113.2") as two:
        await filed(two)  # the third of the hour, from another address
        before = await complaints(office)
        refused = await file(two)
        assert refused.status_code == 429
    async with client_of(app, "203.0.113.3") as three:
        assert (await file(three)).status_code == 429  # the site's limit, whoever asks
    assert await complaints(office) == before


async def test_guessing_links_through_the_cookie_is_limited_as_through_the_address(
    office: Office,
) -> None:
    # docs/complainant.md, "Abuse": every follow page read counts, whichever way the link
    # comes (the address, the cookie), the page, its letters and its documents.
    app = public_app(office, public_requests_per_address_hour=3)
    async with client_of(app, "203.0.113.9") as guesser:
        answers = []
        for attempt in range(6):
            guesser.cookies.set("reclamations_suivi", f"essai-{attempt}")
            path = ("/suivi", f"/suivi/documents/{'0' * 64}", "/suivi/courriers/answer/1")
            answers.append((await guesser.get(path[attempt % 3])).status_code)
    assert answers == [404, 404, 404, 429, 429, 429]


async def test_a_form_beyond_the_size_limit_is_refused_before_it_is_read(
    web: httpx.AsyncClient, office: Office
) -> None:
    limit = office.settings.max_complaint_files_bytes + office.settings.max_body_bytes
    page = await web.get("/reclamation")
    big = {"evidence": ("gros.pdf", b"%PDF-1.4\n" + b"0" * (limit + 10), "application/pdf")}
    response = await web.post(
        "/reclamation", data={**FORM, "jeton": token_of(page.text)}, files=big
    )
    assert response.status_code == 413
    assert "Envoi trop volumineux" in response.text and 'lang="fr"' in response.text


PUBLIC_FORMS = [post for post in ROUTES if post.door == "public"]


@pytest.mark.parametrize("post", PUBLIC_FORMS, ids=lambda post: post.id)
async def test_a_public_form_without_its_token_or_with_anothers_is_refused_and_changes_nothing(
    web: httpx.AsyncClient, office: Office, post: Post
) -> None:
    await filed(web)  # the private link's cookie, for the follow-up page's forms
    await ctx_of(web).settle()
    data = {**FORM, "email": FORM["complainant.email"], "note": "Non.", "confirm": "oui"}
    files = {"files": ("piece.pdf", a_pdf(), "application/pdf")}
    page = await web.get("/suivi")
    other = ctx_of(web).form_signer.token("un-autre-nonce-que-le-mien", "suivi")
    for token in (None, other, token_of(page.text) + "0"):
        before = await footprint(office, None)
        posted = {**data, "jeton": token} if token else data
        response = await web.post(post.path, data=posted, files=files)
        assert response.status_code == 403, (token, response.text[:300])
        assert "pas pu être vérifié" in response.text
        assert await footprint(office, None) == before


# -- a new link, and the mail server down ---------------------------------------------------


async def test_a_new_link_gets_the_same_answer_for_any_address_and_comes_by_email(
    web: httpx.AsyncClient, office: Office
) -> None:
    reference = await filed(web)
    await ctx_of(web).settle()
    answers = []
    for address in ("ZOE.lefevre@example.fr ", "personne@example.fr"):
        page = await web.get("/suivi/nouveau-lien")
        response = await web.post(
            "/suivi/nouveau-lien", data={"jeton": token_of(page.text), "email": address}
        )
        answers.append(response.text)
    assert answers[0] == answers[1] and "un courriel avec un nouveau lien" in answers[0]
    await ctx_of(web).settle()
    assert len(office.outbox(f"email/{reference}/lien-suivi-*.eml")) == 2
    # A mistake gets the address typed back, to mend.
    page = await web.get("/suivi/nouveau-lien")
    typo = "zoe.lefevre.example.fr"
    response = await web.post(
        "/suivi/nouveau-lien", data={"jeton": token_of(page.text), "email": typo}
    )
    assert response.status_code == 422 and f'value="{typo}"' in response.text


async def test_an_agent_sends_the_link_to_a_complainant_who_wrote_by_email(
    web: httpx.AsyncClient, office: Office
) -> None:
    reference = (await office.start()).id.removeprefix("complaint-")  # by email, not online
    for username in USERS:
        await add_user(office.sessions, username, PASSWORD, *USERS[username])
    csrf = await login(web, "camille")
    sent = await web.post(f"/complaints/{reference}/lien-de-suivi", data={"csrf_token": csrf})
    assert sent.status_code == 303 and sent.headers["location"].endswith("?lien=envoye")
    await ctx_of(web).settle()
    [mail] = office.outbox(f"email/{reference}/lien-suivi-*.eml")
    token = re.search(r"/suivi/(\S+)", eml_text(mail)).group(1)  # type: ignore[union-attr]
    async with client_of(web._transport.app, "198.51.100.20") as complainant:  # type: ignore[attr-defined]
        assert (await complainant.get(f"/suivi/{token}")).status_code == 303
        assert reference in (await complainant.get("/suivi")).text
    async with office.sessions() as session:
        [line] = await session.scalars(
            select(AuditRow).where(AuditRow.kind == AuditKind.follow_link_sent.value)
        )
    assert (line.username, line.detail) == ("camille", reference)
    # An operator reads the complaint but sends nothing for the complainant.
    web.cookies.clear()
    csrf = await login(web, "sami")
    refused = await web.post(f"/complaints/{reference}/lien-de-suivi", data={"csrf_token": csrf})
    assert refused.status_code == 403


async def test_a_link_email_refused_by_the_mail_server_is_sent_once_it_is_back(
    office: Office,
    smtp_server: tuple[Mailbox, int],
) -> None:
    mailbox, port = smtp_server
    app = public_app(office, smtp_host="127.0.0.1", smtp_port=port)
    async with client_of(app) as client:
        mailbox.refuse_next = 1
        reference = await filed(client)
        ctx = ctx_of(client)
        await ctx.settle()
        assert mailbox.received == []
        async with office.sessions() as session:
            [owed] = list(await session.scalars(select(FollowMailRow)))
            links = await session.scalar(select(func.count()).select_from(FollowLinkRow))
        assert owed.sent_at is None and owed.attempts == 1
        assert links == 1  # the page's; the failed try forgot its own
        assert await ctx.follow_mailer.drain(owed.next_attempt_at) == 1
    [message] = mailbox.received
    assert reference in message.get_content()
    assert await ctx.follow_mailer.drain(owed.next_attempt_at + timedelta(hours=1)) == 0


async def test_a_link_mail_for_a_medical_complaint_is_never_sent(office: Office) -> None:
    handle = await office.start(medical=True)
    reference = handle.id.removeprefix("complaint-")
    app = public_app(office)
    ctx = app.state.context
    mail = await owe_mail(office.sessions, reference, "renewed", datetime.now(UTC))
    assert not await ctx.follow_mailer.deliver(mail)
    assert office.outbox(f"email/{reference}/lien-suivi-*.eml") == []


async def test_a_complaint_whose_entity_left_the_configuration_is_never_shown_as_anothers(
    office: Office, tmp_path: Path
) -> None:
    # rule 19: filed with the mutual, then the mutual is taken out of the configuration; its
    # page and its link's email are not signed by the first entity or name its mediator:
    # they wait for the operators to put it back, saying the service is unavailable.
    entities = tmp_path / "entites.toml"
    entities.write_text(ENTITIES_TOML, encoding="utf-8")
    with_mutual = office.settings.model_copy(update={"entities_file": entities})
    service = complaint_service(office.client, with_mutual, office.sessions, office.keyring)
    data = intake_data(await office.today(), entity="mutuelle-est")
    reference = (await service.register(MAIL_ROOM, data)).reference
    await office.settled(office.client.get_workflow_handle(f"complaint-{reference}"))
    app = public_app(office)  # the first entity alone
    mail = await owe_mail(office.sessions, reference, "renewed", datetime.now(UTC))
    assert not await app.state.context.follow_mailer.deliver(mail)
    assert office.outbox(f"email/{reference}/lien-suivi-*.eml") == []
    token = await issue_link(office.sessions, reference, datetime.now(UTC), timedelta(days=1))
    async with client_of(app) as client:
        await client.get(f"/suivi/{token}")
        page = await client.get("/suivi")
    assert page.status_code == 503 and "Service indisponible" in page.text
    assert "Médiation" not in page.text and "Mutex" not in page.text


# -- what the pages say -------------------------------------------------------------------


def test_a_complaint_sent_after_midnight_in_paris_is_dated_that_paris_day() -> None:
    # 23:30 UTC on 5 December is 00:30 on the 6th in Paris: the complainant sent it on the 6th.
    data = intake_of(FORM, datetime(2026, 12, 5, 23, 30, tzinfo=UTC))
    assert parse_intake(data, date(2026, 12, 6)).sent_date == date(2026, 12, 6)
    assert data["channel"] == "web_form"


def test_a_refusal_names_which_file_never_a_field_of_ours() -> None:
    refused = Invalid(
        [FieldError("fichier 2", "type non accepté"), FieldError("note", "trop long")]
    )
    assert said(refused) == "Fichier 2 : type non accepté ; trop long"


def test_every_status_reads_in_plain_words_for_the_complainant() -> None:
    assert set(COMPLAINANT_STATUS) == set(Status)


def test_the_access_log_never_shows_a_token() -> None:
    assert redact("/suivi/AbC-12_xyz") == "/suivi/[lien]"
    assert redact("/suivi/documents-Xy9?x=1") == "/suivi/[lien]?x=1"
    assert redact("/suivi/documents/" + "a" * 64) == "/suivi/documents/" + "a" * 64
    assert redact("/suivi/nouveau-lien") == "/suivi/nouveau-lien"
    assert redact("/suivi/courriers/answer/1") == "/suivi/courriers/answer/1"
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        "",
        0,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5", "GET", "/suivi/secret-token", "1.1", 303),
        None,
    )
    RedactFollowTokens().filter(record)
    assert "secret-token" not in record.getMessage()


async def test_the_cover_sheet_gives_each_entitys_medecin_conseil(
    web: httpx.AsyncClient,
) -> None:
    sheet = await web.get("/reclamation/medicale")
    assert sheet.status_code == 200 and "Confidentiel – secret médical" in sheet.text
    assert "Médecin Conseil de Mutex" in sheet.text
    assert (await web.get("/reclamation/medicale?entite=inconnue")).status_code == 404


# -- the accessibility statement ------------------------------------------------------------


# The public pages a person reaches without a link of their own.
PUBLIC_PAGE_PATHS = (
    "/reclamation",
    "/reclamation/medicale",
    "/suivi/nouveau-lien",
    "/accessibilite",
)


async def test_every_public_page_links_its_accessibility_statement_unaudited_non_conformant(
    web: httpx.AsyncClient,
) -> None:
    for path in (*PUBLIC_PAGE_PATHS, "/suivi/faux", "/accessibilite/inconnue"):
        page = await web.get(path)
        assert '<a href="/accessibilite">Accessibilité : non conforme</a>' in page.text, path
    statement = await web.get("/accessibilite")
    assert statement.status_code == 200
    text = statement.text
    assert "<strong>non conforme</strong>" in text
    assert "pas encore fait l'objet d'un audit" in text
    # Whom to tell, and where to go next: the insurer's service, then the Défenseur des droits.
    identity = ctx_of(web).service.entities.default.identity
    assert identity.service in text and identity.address.splitlines()[0] in text
    assert "Défenseur des droits" in text


@pytest.mark.parametrize(
    ("rate", "share", "said"),
    [
        (100, "100", "totalement conforme"),
        (99.9, "99,9", "partiellement conforme"),
        (75, "75", "partiellement conforme"),
        (50, "50", "partiellement conforme"),
        (49.9, "49,9", "non conforme"),
    ],
)
async def test_an_audit_gives_the_statement_its_rate_date_and_state(
    office: Office, rate: float, share: str, said: str
) -> None:
    audited = public_app(
        office,
        accessibility_audit_rate=rate,
        accessibility_audit_on=date(2026, 11, 30),
        accessibility_auditor="Cabinet Accès Pour Tous",
        accessibility_report_url="https://www.mutex.example/accessibilite/rapport-2026.pdf",
    )
    async with client_of(audited) as client:
        text = (await client.get("/accessibilite")).text
        footer = (await client.get("/reclamation")).text
    assert f"<strong>{said}</strong>" in text
    assert f"Accessibilité : {said}</a>" in footer
    assert "audit du 30 novembre 2026, réalisé par Cabinet Accès Pour Tous," in text
    assert f"{share}\u00a0% des critères" in text
    assert 'href="https://www.mutex.example/accessibilite/rapport-2026.pdf"' in text
    assert "pas encore fait l'objet d'un audit" not in text


@pytest.mark.parametrize(
    "audit",
    [
        {"accessibility_audit_rate": 80},
        {"accessibility_audit_on": "2026-11-30"},
        {"accessibility_auditor": "Cabinet Accès Pour Tous"},
    ],
)
def test_an_audit_rate_its_date_and_its_auditor_go_together(audit: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="vont ensemble"):
        Settings(_env_file=None, **audit)


def test_an_audit_rate_is_a_share_of_the_criteria() -> None:
    with pytest.raises(ValueError):
        Settings(_env_file=None, accessibility_audit_rate=101, accessibility_audit_on="2026-11-30")


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "rapport.pdf", "https://", "mailto:access@mutex.example"]
)
def test_the_audit_report_is_a_web_address(url: str) -> None:
    with pytest.raises(ValueError, match="adresse web attendue"):
        Settings(_env_file=None, accessibility_report_url=url)


def test_settings_bound_the_public_limits() -> None:
    with pytest.raises(ValueError):
        Settings(_env_file=None, public_filings_per_hour=0)
