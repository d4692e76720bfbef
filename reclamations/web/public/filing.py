"""The online form at /reclamation (issue 26, rule 20): what a complaint is and is not, the
commitments, the medical notice first, then the form. Filing goes through the one door as the
online form (an intake principal, `ONLINE_FORM`), once the abuse checks (web.guard) pass.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from reclamations.db.follow_links import (
    MailReason,
    issue_link,
    owe_mail,
    remember_address,
)
from reclamations.domain.errors import (
    FieldError,
    Invalid,
    ServiceError,
    describe_errors,
)
from reclamations.domain.intake import Category, DocumentKind, parse_intake
from reclamations.web.context import WebContext, context
from reclamations.web.guard import FORM_PROBLEM_MESSAGES, FormProblem
from reclamations.web.public.common import (
    FILING,
    FORM_COOKIE,
    HONEYPOT,
    ONLINE_FORM,
    PARIS,
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

router = APIRouter(include_in_schema=False)

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
    # rule 12: files stored that no worker could join in time (one away a while) are said,
    # never dropped in silence: the page asks for them again.
    pending = f"&fichiers_non_joints={registered.files_pending}" if registered.files_pending else ""
    response = RedirectResponse(f"/suivi?envoyee=1{pending}", status_code=303)
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
