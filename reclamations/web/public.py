"""The complainant's own door (issue 26): the online form at /reclamation, and the follow-up
page at /suivi, opened by a private link. Public pages, in French, in their own layout, usable
without JavaScript and by keyboard (RGAA 4.1, checked with axe-core in the browser tests).

Filing goes through the one door as the online form (an intake principal, `ONLINE_FORM`);
acting on the follow-up page goes through it as the complainant of that complaint alone
(`domain.access.complainant_of`), so that the record shows who acted. Abuse is kept out
before anything reaches the door (web.guard); a wrong, expired or other token gets the same
404 as a page that does not exist.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import UploadFile as StarletteUpload

from reclamations.activities.letters.pdf import letter_pdf
from reclamations.activities.letters.rendering import LetterLayout
from reclamations.db.follow_links import (
    MailReason,
    OpenLink,
    issue_link,
    link_for,
    owe_mail,
    references_for,
    remember_address,
)
from reclamations.domain.access import Principal, Role, complainant_of
from reclamations.domain.actions import Decision
from reclamations.domain.complaint import Status
from reclamations.domain.errors import (
    FieldError,
    Invalid,
    NotFound,
    Refused,
    ServiceError,
    describe_errors,
)
from reclamations.domain.intake import Category, DocumentKind, parse_intake
from reclamations.service import Upload
from reclamations.web.context import WebContext, context
from reclamations.web.edges import FILE_POLICY
from reclamations.web.files import attachment
from reclamations.web.follow_mail import follow_url
from reclamations.web.guard import FORM_PROBLEM_MESSAGES, FormProblem, Limit
from reclamations.web.sessions import client_address
from reclamations.web.views import TEMPLATE_GLOBALS, today

logger = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)

# Who files a complaint online, on the record: the form itself, an intake system.
ONLINE_FORM = Principal("formulaire en ligne", Role.intake)
# The follow-up page's cookie holds the private link's token (never in a URL after the first
# visit, so that it is not in the history, the address bar or a log line); sent back to /suivi
# only. The form cookie holds the nonce of the signed double-submit token (web.guard).
FOLLOW_COOKIE = "reclamations_suivi"
FORM_COOKIE = "reclamations_formulaire"
HONEYPOT = "site_web"
FILING, FOLLOWING = "reclamation", "suivi"
HOUR = 3600.0
PARIS = ZoneInfo("Europe/Paris")

# How a complainant reads each status: plain words, no jargon (declared for every status; a
# test walks Status).
COMPLAINANT_STATUS = {
    Status.received: "Reçue : nous l'examinons.",
    Status.in_progress: "En cours d'examen.",
    Status.suspended: (
        "En cours d'examen, en attente d'une expertise ou d'une intervention technique : "
        "notre objectif de réponse en 15 jours est suspendu pendant ce temps, jamais le délai "
        "de 2 mois."
    ),
    Status.overdue: (
        "En cours d'examen, au-delà du délai de 2 mois : vous pouvez saisir le Médiateur sans "
        "attendre notre réponse."
    ),
    Status.contested: "Votre demande de réexamen est en cours.",
    Status.answered: "Nous vous avons répondu.",
    Status.requalified: (
        "Traitée comme une demande (de service ou d'information), pas comme une réclamation : "
        "un courrier vous l'explique."
    ),
    Status.withdrawn: "Close à votre demande.",
    Status.closed: "Close.",
    Status.mediation: "Le Médiateur examine votre dossier.",
}

DONE_MESSAGES = {
    "documents": "Vos documents ont été ajoutés à votre dossier.",
    "contestation": "Votre demande de réexamen est enregistrée : nous vous répondrons de nouveau.",
    "desistement": "Votre réclamation est close, comme vous l'avez demandé.",
}

# /suivi/<token>, not the follow-up page's own routes.
TOKEN_IN_PATH = re.compile(
    r"^(/suivi/)(?!(?:nouveau-lien|documents|contestation|desistement|quitter|courriers)(?:[/?]|$))"
    r"[^/?\s]+"
)


def redact(path: str) -> str:
    """A path as the access log may show it: a private link's token never appears."""
    return TOKEN_IN_PATH.sub(r"\1[lien]", path)


class RedactFollowTokens(logging.Filter):
    """On uvicorn's access log: /suivi/<token> is written /suivi/[lien]."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and len(record.args) >= 3:
            args = list(record.args)
            if isinstance(args[2], str):
                args[2] = redact(args[2])
                record.args = tuple(args)
        return True


def now() -> datetime:
    return datetime.now(UTC)


def render(
    ctx: WebContext, request: Request, template: str, status_code: int = 200, **values: Any
) -> HTMLResponse:
    return ctx.templates.TemplateResponse(
        request,
        f"public/{template}",
        {
            **TEMPLATE_GLOBALS,
            "entities": ctx.service.entities.entities,
            # rule 11: where each entity's Médecin Conseil takes post, on every public page.
            "medical_addresses": [
                (e, e.identity.sender_address(medical=True)) for e in ctx.service.entities.entities
            ],
            **values,
        },
        status_code=status_code,
    )


def not_found(ctx: WebContext, request: Request) -> HTMLResponse:
    """The one answer to a wrong, expired or other link, and to a page that is not there."""
    return render(ctx, request, "error.html", status_code=404, title="Page introuvable")


def too_many(ctx: WebContext, request: Request, wait: float) -> HTMLResponse:
    minutes = max(1, round(wait / 60))
    response = render(
        ctx, request, "limited.html", status_code=429, title="Trop de demandes", minutes=minutes
    )
    response.headers["Retry-After"] = str(int(wait) + 1)
    return response


def too_large(ctx: WebContext, request: Request, limit: int) -> HTMLResponse:
    """A form too big to be read (web.edges refuses it while it comes): what the limits are."""
    return render(
        ctx,
        request,
        "too_large.html",
        status_code=413,
        title="Envoi trop volumineux",
        limit_mb=max(1, limit // (1024 * 1024)),
        max_file_mb=ctx.settings.max_file_bytes // (1024 * 1024),
    )


def limited(
    ctx: WebContext, request: Request, kind: str, per_address: int, overall: int | None = None
) -> float | None:
    """Counts this request against the limits of `kind`; the seconds to wait, if refused."""
    checks = [(f"{kind}:{client_address(request)}", Limit(per_address, HOUR))]
    if overall is not None:
        checks.append((f"{kind}:*", Limit(overall, HOUR)))
    return ctx.rate_limits.take_all(checks)


def form_cookie(ctx: WebContext, request: Request, response: Response, nonce: str) -> None:
    if request.cookies.get(FORM_COOKIE) != nonce:
        response.set_cookie(
            FORM_COOKIE,
            nonce,
            httponly=True,
            samesite="strict",
            secure=ctx.settings.web_secure_cookies,
        )


def form_nonce(ctx: WebContext, request: Request) -> str:
    given = request.cookies.get(FORM_COOKIE, "")
    return given if 16 <= len(given) <= 64 else ctx.form_signer.new_nonce()


async def posted(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v.replace("\r\n", "\n") for k, v in form.items() if isinstance(v, str)}


async def files_of(request: Request, field: str, kind: str) -> list[Upload]:
    form = await request.form()
    return [
        Upload(name=part.filename or "document", content=await part.read(), kind=kind)
        for part in form.getlist(field)
        if isinstance(part, StarletteUpload) and part.filename
    ]


# -- the form -----------------------------------------------------------------------------

# The files' problems (the door names them "file", "files", "fichier 2") go to the first file
# field, which the list of errors links to.
FILES_FIELD = "previous_answers"
# The form's fields as the complainant reads them; errors on the intake's fields come back
# under these names (the intake's own labels are for agents).
FORM_LABELS = {
    "entity": "Organisme concerné",
    "complainant.name": "Vos nom et prénom",
    "complainant.member_number": "Votre numéro d'adhérent",
    "complainant.email": "Votre adresse électronique",
    "complainant.postal_address": "Votre adresse postale",
    "complainant": "Vos coordonnées",
    "category": "Sujet",
    "subject": "Objet en quelques mots",
    "description": "Votre réclamation",
    "managing_body": "Organisme gestionnaire",
    "first_written_on": "Date de votre première réclamation écrite",
    "not_medical": "Pas d'information médicale",
    FILES_FIELD: "Documents",
    "sent_on": "Date d'envoi",
}
# A field the form does not show is reported on the closest one it does.
FIELD_FOR = {"sent_on": "description", "channel": "description", "calendar": "entity"}


def shown_field(field: str) -> str:
    if field in ("file", "files") or field.startswith("fichier"):
        return FILES_FIELD
    return FIELD_FOR.get(field, field)


def form_values(
    ctx: WebContext, request: Request, values: dict[str, str], errors: list[FieldError]
) -> dict[str, Any]:
    nonce = form_nonce(ctx, request)
    shown = [FieldError(shown_field(e.field), e.message) for e in errors]
    return {
        "nonce": nonce,
        "form_token": ctx.form_signer.token(nonce, FILING),
        "values": values,
        "errors": {e.field: e.message for e in shown},
        "error_list": shown,
        "labels": FORM_LABELS,
        "categories": [c.value for c in Category],
        "max_file_mb": ctx.settings.max_file_bytes // (1024 * 1024),
        "max_files_mb": ctx.settings.max_complaint_files_bytes // (1024 * 1024),
        "today": today(),
    }


def form_page(
    ctx: WebContext,
    request: Request,
    values: dict[str, str] | None = None,
    errors: list[FieldError] | None = None,
    status_code: int = 200,
    dropped_files: bool = False,
) -> HTMLResponse:
    data = form_values(ctx, request, values or {}, errors or [])
    title = "Déposer une réclamation"
    if errors:
        count = len(errors)
        title = f"Erreur{'s' if count > 1 else ''} dans le formulaire – {title}"
    response = render(
        ctx,
        request,
        "form.html",
        status_code=status_code,
        title=title,
        dropped_files=dropped_files,
        **data,
    )
    form_cookie(ctx, request, response, data["nonce"])
    return response


@router.get("/reclamation", response_class=HTMLResponse)
async def filing_form(request: Request, ctx: WebContext = Depends(context)) -> Response:
    return form_page(ctx, request)


@router.get("/reclamation/medicale", response_class=HTMLResponse)
async def medical_notice(
    request: Request, entite: str = "", ctx: WebContext = Depends(context)
) -> Response:
    """rule 11: a medical complaint goes by post to the Médecin Conseil; this page gives
    the address and a cover sheet to print."""
    entity = ctx.service.entities.get(entite or None)
    if entity is None:
        return not_found(ctx, request)
    return render(
        ctx,
        request,
        "medical.html",
        title=f"Réclamation médicale : bordereau d'envoi au {entity.identity.medical_service}",
        entity=entity,
        medical_address=entity.identity.sender_address(medical=True),
    )


def intake_of(form: dict[str, str], sent: datetime) -> dict[str, Any]:
    """The intake contract from the online form: a web-form complaint sent now (rule 3)."""
    complainant = {
        field: form[f"complainant.{field}"].strip()
        for field in ("name", "email", "postal_address", "member_number")
        if form.get(f"complainant.{field}", "").strip()
    }
    description = form.get("description", "").strip()
    body = form.get("managing_body", "").strip()
    if body and description:
        # The managing body it went to first, in the complaint's own text for the agent.
        description = f"{description}\n\n(Réclamation d'abord adressée à : {body}.)"
    data: dict[str, Any] = {
        "channel": "web_form",
        # rule 3: the instant of sending, as the complainant's own (French) clock reads it.
        "sent_on": sent.astimezone(PARIS).isoformat(),
        "complainant": complainant,
        "subject": form.get("subject", ""),
        "description": description,
    }
    for field in ("entity", "category", "first_written_on"):
        if form.get(field, "").strip():
            data[field] = form[field].strip()
    return data


@router.post("/reclamation", response_class=HTMLResponse)
async def file_complaint(request: Request, ctx: WebContext = Depends(context)) -> Response:
    settings = ctx.settings
    # Counted before the form is even read: a flood stops here.
    wait = limited(
        ctx,
        request,
        "filing",
        settings.public_filings_per_address_hour,
        settings.public_filings_per_hour,
    )
    if wait is not None:
        return too_many(ctx, request, wait)
    form = await posted(request)
    values = {k: v for k, v in form.items() if k not in ("jeton", HONEYPOT)}
    problem = ctx.form_signer.problem(
        request.cookies.get(FORM_COOKIE), form.get("jeton"), FILING, timed=True
    )
    if form.get(HONEYPOT, "").strip():
        problem = FormProblem.forged
    if problem is not None:
        status = 403 if problem is FormProblem.forged else 422
        error = FieldError("formulaire", FORM_PROBLEM_MESSAGES[problem])
        return form_page(ctx, request, values, [error], status, dropped_files=True)
    files = [
        *await files_of(request, "previous_answers", DocumentKind.previous_answer.value),
        *await files_of(request, "evidence", DocumentKind.supporting_document.value),
    ]
    errors: list[FieldError] = []
    if form.get("not_medical") != "oui":
        errors.append(
            FieldError(
                "not_medical",
                "confirmez que votre réclamation ne contient pas d'information médicale "
                "(sinon, envoyez-la par courrier au Médecin Conseil)",
            )
        )
    if not form.get("complainant.email", "").strip():
        errors.append(
            FieldError("complainant.email", "indiquez l'adresse où recevoir votre lien de suivi")
        )
    if errors:
        # Every mistake at once (RGAA 11.10): the intake's own, checked without registering.
        flagged = {e.field for e in errors}
        errors += [
            e
            for e in intake_problems(ctx, intake_of(form, now()))
            # "an address is needed" says again what the missing email already says.
            if not (e.field == "complainant" and "complainant.email" in flagged)
        ]
    try:
        if errors:
            raise Invalid(errors)
        registered = await ctx.service.register(ONLINE_FORM, intake_of(form, now()), uploads=files)
    except Invalid as error:
        found = [*errors, *(e for e in error.errors if e not in errors)]
        return form_page(ctx, request, values, found, 422, dropped_files=bool(files))
    except ServiceError as error:
        server = FieldError("formulaire", f"{error} Votre réclamation n'est pas enregistrée.")
        return form_page(ctx, request, values, [server], 503, dropped_files=bool(files))
    reference = registered.reference
    await remember_address(ctx.sessions, reference, form["complainant.email"])
    mail_id = await owe_mail(ctx.sessions, reference, MailReason.registered, now())
    ctx.in_background(ctx.follow_mailer.deliver(mail_id))
    token = await issue_link(ctx.sessions, reference, now(), ctx.follow_mailer.lifetime)
    await ctx.service.recorded(reference, registered.version)
    response = RedirectResponse("/suivi?envoyee=1", status_code=303)
    follow_cookie(ctx, response, token)
    return response


def intake_problems(ctx: WebContext, data: dict[str, Any]) -> list[FieldError]:
    entity = ctx.service.entities.get(data.get("entity"))
    calendar = entity.calendar if entity else "national"
    try:
        parse_intake({**data, "calendar": calendar}, today(calendar))
    except ValidationError as error:
        return describe_errors(error)
    return []


def follow_cookie(ctx: WebContext, response: Response, token: str) -> None:
    # Lax: the link is opened from a mail reader, another site; path: /suivi alone.
    response.set_cookie(
        FOLLOW_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        path="/suivi",
        secure=ctx.settings.web_secure_cookies,
    )


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
) -> HTMLResponse:
    nonce = form_nonce(ctx, request)
    response = render(
        ctx,
        request,
        "new_link.html",
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
        return new_link_page(ctx, request, error=FORM_PROBLEM_MESSAGES[problem], status_code=403)
    if "@" not in address or len(address) > 320:
        return new_link_page(
            ctx, request, error="Indiquez une adresse électronique complète.", status_code=422
        )
    # The same answer whatever is found: nobody learns from it whether an address complained.
    for reference in await references_for(ctx.sessions, address):
        # At most 3 new links an hour for one complaint, whoever asks.
        if ctx.rate_limits.take(f"new-link:{reference}", Limit(3, HOUR)) is None:
            mail_id = await owe_mail(ctx.sessions, reference, MailReason.renewed, now())
            ctx.in_background(ctx.follow_mailer.deliver(mail_id))
    return new_link_page(ctx, request, sent=True)


# -- the follow-up page -------------------------------------------------------------------


async def opened(ctx: WebContext, request: Request) -> OpenLink | None:
    return await link_for(ctx.sessions, request.cookies.get(FOLLOW_COOKIE), now())


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
    ctx: WebContext = Depends(context),
) -> Response:
    link = await opened(ctx, request)
    if link is None:
        return not_found(ctx, request)
    return await dossier_page(ctx, request, link, sent=envoyee, done=DONE_MESSAGES.get(fait))


async def dossier_page(
    ctx: WebContext,
    request: Request,
    link: OpenLink,
    sent: bool = False,
    done: str | None = None,
    problem: str | None = None,
    failed: str | None = None,
    status_code: int = 200,
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
    entity = ctx.service.entities.get(complaint.intake.entity) or ctx.service.entities.default
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
    link = await opened(ctx, request)
    if link is None:
        return not_found(ctx, request)
    form = await posted(request)
    problem = ctx.form_signer.problem(
        request.cookies.get(FORM_COOKIE), form.get("jeton"), FOLLOWING, timed=False
    )
    if problem is not None:
        # The page's own token: said at the top, whichever form was sent.
        message = FORM_PROBLEM_MESSAGES[problem]
        return await dossier_page(ctx, request, link, problem=message, status_code=403)
    try:
        reading = await act(link, form)
    except (Invalid, Refused) as error:
        problems = [str(e) for e in error.errors] if isinstance(error, Invalid) else [str(error)]
        return await dossier_page(
            ctx, request, link, problem=" ; ".join(problems), failed=failed, status_code=422
        )
    except ServiceError as error:
        return await dossier_page(
            ctx, request, link, problem=str(error), failed=failed, status_code=503
        )
    await ctx.service.recorded(link.reference, reading.complaint.version)
    return RedirectResponse(f"/suivi?fait={done}", status_code=303)


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
    link = await opened(ctx, request)
    if link is None:
        return not_found(ctx, request)
    form = await posted(request)
    problem = ctx.form_signer.problem(
        request.cookies.get(FORM_COOKIE), form.get("jeton"), FOLLOWING, timed=False
    )
    if problem is not None:
        message = FORM_PROBLEM_MESSAGES[problem]
        return await dossier_page(ctx, request, link, problem=message, status_code=403)
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
    link = await opened(ctx, request)
    if link is None:
        return not_found(ctx, request)
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
    link = await opened(ctx, request)
    if link is None:
        return not_found(ctx, request)
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
