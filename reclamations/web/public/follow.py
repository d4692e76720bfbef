"""The follow-up page at /suivi (issue 26, rule 20), opened by a private link, and the form
that sends a new one. Acting there goes through the one door as the complainant of that
complaint alone (`domain.access.complainant_of`), so the record shows who acted; a wrong,
expired or other token gets the same 404 as a page that does not exist.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from reclamations.activities.letters.pdf import letter_pdf
from reclamations.activities.letters.rendering import LetterLayout
from reclamations.db.follow_links import (
    MailReason,
    OpenLink,
    link_for,
    owe_mail,
    references_for,
)
from reclamations.domain.access import complainant_of
from reclamations.domain.actions import Decision
from reclamations.domain.complaint import Status
from reclamations.domain.errors import (
    FieldError,
    Invalid,
    NotFound,
    Refused,
    ServiceError,
)
from reclamations.domain.intake import DocumentKind
from reclamations.web.context import WebContext, context
from reclamations.web.edges import FILE_POLICY
from reclamations.web.files import attachment
from reclamations.web.follow_mail import follow_url, own_entity
from reclamations.web.guard import FORM_PROBLEM_MESSAGES, Limit
from reclamations.web.public.common import (
    COMPLAINANT_STATUS,
    DONE_MESSAGES,
    FOLLOW_COOKIE,
    FOLLOWING,
    FORM_COOKIE,
    HOUR,
    files_of,
    follow_cookie,
    form_cookie,
    form_nonce,
    limited,
    not_found,
    now,
    posted,
    render,
    too_many,
)
from reclamations.web.views import today

logger = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)


# -- a new link ---------------------------------------------------------------------------

NEUTRAL_ANSWER = (
    "Si une réclamation suivie en ligne correspond à cette adresse, un courriel avec un nouveau "
    "lien vient d'y être envoyé. Il peut mettre quelques minutes à arriver ; pensez à regarder "
    "dans vos courriels indésirables."
)


@router.get("/suivi/nouveau-lien", response_class=HTMLResponse)
async def new_link_form(request: Request, ctx: WebContext = Depends(context)) -> Response:
    return new_link_page(ctx, request)


def new_link_page(
    ctx: WebContext,
    request: Request,
    sent: bool = False,
    error: str | None = None,
    status_code: int = 200,
    email: str = "",
) -> HTMLResponse:
    nonce = form_nonce(ctx, request)
    response = render(
        ctx,
        request,
        "new_link.html",
        email=email,
        status_code=status_code,
        title=("Erreur – " if error else "") + "Recevoir un nouveau lien de suivi",
        form_token=ctx.form_signer.token(nonce, FOLLOWING),
        sent=sent,
        error=error,
        neutral=NEUTRAL_ANSWER,
    )
    form_cookie(ctx, request, response, nonce)
    return response


@router.post("/suivi/nouveau-lien", response_class=HTMLResponse)
async def new_link(request: Request, ctx: WebContext = Depends(context)) -> Response:
    wait = limited(ctx, request, "new-link", 10)
    if wait is not None:
        return too_many(ctx, request, wait)
    form = await posted(request)
    problem = ctx.form_signer.problem(
        request.cookies.get(FORM_COOKIE), form.get("jeton"), FOLLOWING, timed=False
    )
    address = form.get("email", "").strip()
    if problem is not None:
        message = FORM_PROBLEM_MESSAGES[problem]
        return new_link_page(ctx, request, error=message, status_code=403, email=address[:320])
    if "@" not in address or len(address) > 320:
        message = "Indiquez une adresse électronique complète."
        return new_link_page(ctx, request, error=message, status_code=422, email=address[:320])
    # The same answer, in the same time, whatever is found: nobody learns from it whether an
    # address complained (rule 20). The search and the mail come after the answer.
    ctx.in_background(renew_links(ctx, address))
    return new_link_page(ctx, request, sent=True)


async def renew_links(ctx: WebContext, address: str) -> None:
    """A new link for each complaint followed online from `address`."""
    try:
        for reference in await references_for(ctx.sessions, address):
            # At most 3 new links an hour for one complaint, whoever asks.
            if ctx.rate_limits.take(f"new-link:{reference}", Limit(3, HOUR)) is None:
                mail_id = await owe_mail(ctx.sessions, reference, MailReason.renewed, now())
                ctx.in_background(ctx.follow_mailer.deliver(mail_id))
    except Exception as error:  # the answer is given: said in the log, without the address
        logger.warning("Nouveaux liens de suivi non préparés (%s)", type(error).__name__)


# -- the follow-up page -------------------------------------------------------------------


async def opened(ctx: WebContext, request: Request) -> OpenLink | None:
    return await link_for(ctx.sessions, request.cookies.get(FOLLOW_COOKIE), now())


async def viewed(ctx: WebContext, request: Request) -> OpenLink | Response:
    """The link this browser holds, for a page to read, each read counted against its
    address's follow pages an hour (docs/complainant.md, "Abuse"): guessing links through
    the cookie is limited as through the address; a 404 when it opens nothing."""
    wait = limited(ctx, request, "follow", ctx.settings.public_requests_per_address_hour)
    if wait is not None:
        return too_many(ctx, request, wait)
    link = await opened(ctx, request)
    return not_found(ctx, request) if link is None else link


@router.get("/suivi/{token}", response_class=HTMLResponse)
async def open_link(token: str, request: Request, ctx: WebContext = Depends(context)) -> Response:
    """The link from the email: checked, kept in the cookie, and out of the address bar."""
    wait = limited(ctx, request, "follow", ctx.settings.public_requests_per_address_hour)
    if wait is not None:
        return too_many(ctx, request, wait)
    if await link_for(ctx.sessions, token, now()) is None:
        return not_found(ctx, request)
    response = RedirectResponse("/suivi", status_code=303)
    follow_cookie(ctx, response, token)
    return response


@router.get("/suivi", response_class=HTMLResponse)
async def follow_page(
    request: Request,
    envoyee: bool = False,
    fait: str = "",
    fichiers_non_joints: str = "",
    ctx: WebContext = Depends(context),
) -> Response:
    link = await viewed(ctx, request)
    if isinstance(link, Response):
        return link
    return await dossier_page(
        ctx,
        request,
        link,
        sent=envoyee,
        done=DONE_MESSAGES.get(fait),
        # Said as the form's answer gave it; anything else in the address shows nothing.
        files_pending=int(fichiers_non_joints) if fichiers_non_joints.isdigit() else 0,
    )


async def dossier_page(
    ctx: WebContext,
    request: Request,
    link: OpenLink,
    sent: bool = False,
    done: str | None = None,
    problem: str | None = None,
    failed: str | None = None,
    status_code: int = 200,
    files_pending: int = 0,
    typed: dict[str, str] | None = None,
) -> HTMLResponse:
    principal = complainant_of(link.reference)
    try:
        dossier = await ctx.service.dossier(principal, link.reference)
        reading, letters = dossier.reading, [row for row in dossier.letters if row.sent_at]
    except NotFound:
        # Filed a moment ago, not on the record yet: its workflow answers.
        reading, letters = await ctx.service.read(principal, link.reference), []
    except ServiceError:
        return render(ctx, request, "error.html", status_code=503, title="Service indisponible")
    complaint = reading.complaint
    entity = own_entity(ctx.service.entities, complaint, "Page de suivi")
    if entity is None:
        return render(ctx, request, "error.html", status_code=503, title="Service indisponible")
    on = today(complaint.intake.calendar)
    nonce = form_nonce(ctx, request)
    last = complaint.answers[-1] if complaint.answers else None
    response = render(
        ctx,
        request,
        "follow.html",
        status_code=status_code,
        title=f"Suivi de votre réclamation {complaint.reference}",
        c=complaint,
        readable=reading.readable,
        actions=reading.actions,
        letters=letters,
        entity=entity,
        status_text=COMPLAINANT_STATUS[complaint.status],
        today=on,
        sent=sent,
        files_pending=files_pending,
        typed=typed or {},
        link=follow_url(ctx.settings, request.cookies.get(FOLLOW_COOKIE, "")) if sent else "",
        expires_on=link.expires_at.date(),
        done=done,
        problem=problem,
        failed=failed,
        # rule 10: a second review is offered after an answer not fully favourable.
        may_contest="contest" in reading.actions
        and last is not None
        and last.decision is not Decision.upheld,
        # rules 9 and 18: the mediator, once open, until the last day of the year.
        mediation=complaint.mediation_open
        and complaint.status not in (Status.withdrawn, Status.requalified)
        and on <= complaint.mediation_window_ends,
        form_token=ctx.form_signer.token(nonce, FOLLOWING),
    )
    form_cookie(ctx, request, response, nonce)
    return response


async def follow_form(
    ctx: WebContext, request: Request
) -> tuple[OpenLink, dict[str, str]] | Response:
    """A form posted from the follow-up page, with the complaint its link opens; or the answer
    when the link opens none (404) or the page's own token does not match (403, said at the
    top of the page, whichever form was sent)."""
    link = await opened(ctx, request)
    if link is None:
        return not_found(ctx, request)
    form = await posted(request)
    problem = ctx.form_signer.problem(
        request.cookies.get(FORM_COOKIE), form.get("jeton"), FOLLOWING, timed=False
    )
    if problem is not None:
        message = FORM_PROBLEM_MESSAGES[problem]
        return await dossier_page(ctx, request, link, problem=message, status_code=403, typed=form)
    return link, form


async def follow_action(
    ctx: WebContext,
    request: Request,
    failed: str,
    done: str,
    act: Callable[[OpenLink, dict[str, str]], Awaitable[Any]],
) -> Response:
    """An action from the follow-up page: its link, its limits and its token checked, then
    done through the door as the complainant; the page again with the refusal if refused."""
    wait = limited(ctx, request, "follow", ctx.settings.public_requests_per_address_hour)
    if wait is not None:
        return too_many(ctx, request, wait)
    posting = await follow_form(ctx, request)
    if isinstance(posting, Response):
        return posting
    link, form = posting
    try:
        reading = await act(link, form)
    except (Invalid, Refused) as error:
        problem = said(error)
        return await dossier_page(
            ctx, request, link, problem=problem, failed=failed, status_code=422, typed=form
        )
    except ServiceError as error:
        return await dossier_page(
            ctx, request, link, problem=str(error), failed=failed, status_code=503, typed=form
        )
    await ctx.service.recorded(link.reference, reading.complaint.version)
    return RedirectResponse(f"/suivi?fait={done}", status_code=303)


def said(error: Invalid | Refused) -> str:
    """A refusal in the complainant's words: never a field's internal name, but which of the
    files sent ("fichier 2") when one of several is refused."""
    if isinstance(error, Refused):
        return str(error)
    text = " ; ".join(str(e) if e.field.startswith("fichier") else e.message for e in error.errors)
    return text[:1].upper() + text[1:]


@router.post("/suivi/documents", response_class=HTMLResponse)
async def add_documents(request: Request, ctx: WebContext = Depends(context)) -> Response:
    async def add(link: OpenLink, form: dict[str, str]) -> Any:
        kind = form.get("kind", DocumentKind.supporting_document.value)
        if kind not in (DocumentKind.previous_answer.value, DocumentKind.supporting_document.value):
            kind = DocumentKind.other.value
        files = await files_of(request, "files", kind)
        if not files:
            raise Invalid([FieldError("files", "choisissez au moins un fichier")])
        return await ctx.service.add_files(complainant_of(link.reference), link.reference, files)

    return await follow_action(ctx, request, "documents", "documents", add)


@router.post("/suivi/contestation", response_class=HTMLResponse)
async def contest(request: Request, ctx: WebContext = Depends(context)) -> Response:
    async def ask(link: OpenLink, form: dict[str, str]) -> Any:
        note = form.get("note", "").strip()
        if not note:
            raise Invalid(
                [FieldError("note", "dites-nous en quoi notre réponse ne vous convient pas")]
            )
        fields = {"note": note}
        return await ctx.service.act(
            complainant_of(link.reference), link.reference, "contest", fields
        )

    return await follow_action(ctx, request, "contestation", "contestation", ask)


@router.post("/suivi/desistement", response_class=HTMLResponse)
async def withdraw(request: Request, ctx: WebContext = Depends(context)) -> Response:
    async def close(link: OpenLink, form: dict[str, str]) -> Any:
        if form.get("confirm") != "oui":
            raise Invalid([FieldError("confirm", "cochez la case pour confirmer")])
        fields = {"note": "Close à la demande du réclamant, depuis sa page de suivi."}
        return await ctx.service.act(
            complainant_of(link.reference), link.reference, "withdraw", fields
        )

    return await follow_action(ctx, request, "desistement", "desistement", close)


@router.post("/suivi/quitter")
async def leave(request: Request, ctx: WebContext = Depends(context)) -> Response:
    """Forget the link in this browser (a shared computer)."""
    posting = await follow_form(ctx, request)
    if isinstance(posting, Response):
        return posting
    response = RedirectResponse("/reclamation?quitte=1", status_code=303)
    response.delete_cookie(FOLLOW_COOKIE, path="/suivi")
    return response


@router.get("/suivi/courriers/{kind}/{sequence}", response_class=HTMLResponse)
async def letter(
    kind: str,
    request: Request,
    sequence: int = Path(ge=1, le=10_000),
    download: bool = Query(False, alias="telecharger"),
    ctx: WebContext = Depends(context),
) -> Response:
    link = await viewed(ctx, request)
    if isinstance(link, Response):
        return link
    try:
        found = await ctx.service.letter(
            complainant_of(link.reference), link.reference, kind, sequence
        )
    except ServiceError:
        return not_found(ctx, request)
    if found.row.sent_at is None:
        return not_found(ctx, request)  # not sent yet: not theirs to read
    layout = (
        LetterLayout.model_validate_json(found.row.layout)
        if found.row.layout
        else LetterLayout.of_text(found.body, "")
    )
    if download:
        pdf = await asyncio.to_thread(letter_pdf, layout, found.row.subject)
        name = f"{link.reference}-{kind}-{sequence}.pdf"
        return Response(
            pdf,
            media_type="application/pdf",
            headers={
                "Content-Disposition": attachment(name),
                "Content-Security-Policy": FILE_POLICY,
            },
        )
    return render(
        ctx,
        request,
        "letter.html",
        title=f"{found.row.subject} – réclamation {link.reference}",
        letter=found.row,
        body=found.body,
        kind=kind,
        sequence=sequence,
    )


@router.get("/suivi/documents/{sha256}")
async def document(
    request: Request,
    sha256: str = Path(pattern=r"^[0-9a-f]{64}$"),
    ctx: WebContext = Depends(context),
) -> Response:
    link = await viewed(ctx, request)
    if isinstance(link, Response):
        return link
    try:
        found = await ctx.service.document_file(
            complainant_of(link.reference), link.reference, sha256
        )
    except ServiceError:
        return not_found(ctx, request)
    return Response(
        found.content,
        media_type=found.media_type.value,
        headers={
            "Content-Disposition": attachment(found.name),
            "Content-Security-Policy": FILE_POLICY,
        },
    )
