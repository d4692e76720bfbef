"""A complaint's page and its actions, its files and letters, new complaints, and the
private link an agent sends a complainant (issue 26)."""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile as StarletteUpload

from reclamations.db.accounts import list_users
from reclamations.db.logins import (
    AuditKind,
    audit,
)
from reclamations.db.register import register_line
from reclamations.domain.access import may_offer_follow_link, may_register
from reclamations.domain.actions import ACTION_LABELS
from reclamations.domain.errors import (
    FieldError,
    Invalid,
    Refused,
    ServiceError,
)
from reclamations.domain.intake import Category, Channel, DocumentKind
from reclamations.domain.typology import COMPLAINANT_TYPE_LABELS
from reclamations.service import Reading, Upload
from reclamations.web.context import WebContext, context
from reclamations.web.edges import FILE_POLICY
from reclamations.web.errors import http_status
from reclamations.web.files import attachment
from reclamations.web.follow_mail import offer_link
from reclamations.web.forms import DOCUMENT_ROWS, action_from_form, intake_from_form, on_form_rows
from reclamations.web.pages.common import (
    MAX_LETTERS,
    Agent,
    checked_form,
    current_agent,
    render,
)
from reclamations.web.sessions import client_address
from reclamations.web.views import today

router = APIRouter(include_in_schema=False)

# -- a complaint --------------------------------------------------------------------------


async def complaint_page(
    ctx: WebContext,
    request: Request,
    agent: Agent,
    reference: str,
    status_code: int = 200,
    **extra: Any,
) -> HTMLResponse:
    dossier = await ctx.service.dossier(agent.principal, reference)
    # issue 29: the corrective actions this complaint is linked to.
    corrective = await ctx.service.actions_of_complaint(agent.principal, reference)
    actions = dossier.reading.actions
    users = await list_users(ctx.sessions) if "assign" in actions else []
    complaint = dossier.reading.complaint
    entity = ctx.service.entities.get(complaint.intake.entity)
    on = today(complaint.intake.calendar)
    return render(
        ctx,
        request,
        "complaint.html",
        agent,
        status_code=status_code,
        row=dossier.row,
        complaint=complaint,
        readable=dossier.reading.readable,
        events=dossier.events,
        letters=dossier.letters,
        actions=actions,
        corrective=corrective,
        users=users,
        today=on,
        # Each promise kept, missed or kept late, as the register judges it (rule 13).
        standings=register_line(dossier.row).standings(on),
        history_url=ctx.history_url(dossier.row.workflow_id),
        suspension_reasons=["medical_expertise", "legal_expertise", "it_maintenance"],
        decisions=["upheld", "partly_upheld", "rejected"],
        categories=[c.value for c in Category],
        document_kinds=[k.value for k in DocumentKind],
        typology=ctx.service.typology,
        mediator_name=entity.mediator.name if entity else "",
        complainant_types=COMPLAINANT_TYPE_LABELS,
        done=ACTION_LABELS.get(request.query_params.get("fait", "")),
        files_pending=request.query_params.get("fichiers_non_joints", "").isdigit(),
        # issue 26: the complainant's private link, offered by email from this page.
        may_offer_link=may_offer_follow_link(agent.role, complaint.medical)
        and bool(dossier.reading.readable and complaint.intake.complainant.email),
        link_sent=request.query_params.get("lien") == "envoye",
        **extra,
    )


async def complaint_page_or_error(
    ctx: WebContext, request: Request, agent: Agent, reference: str, **values: Any
) -> HTMLResponse:
    """The complaint's page again with the problems shown; a plain error page when the
    complaint is not on the record yet (registered a moment ago)."""
    try:
        return await complaint_page(ctx, request, agent, reference, **values)
    except ServiceError:
        problems = "; ".join(values.get("problems", []))
        raise HTTPException(values.get("status_code", 409), problems) from None


@router.get("/complaints/new", response_class=HTMLResponse)
async def new_complaint_form(
    request: Request, agent: Agent = Depends(current_agent), ctx: WebContext = Depends(context)
) -> Response:
    if not may_register(agent.role):
        raise HTTPException(403, "L'exploitation consulte, sans enregistrer de réclamation.")
    return render(ctx, request, "new.html", agent, **_new_form_values(ctx, {}, []))


def _new_form_values(
    ctx: WebContext, values: dict[str, str], errors: list[FieldError], files: Sequence[Upload] = ()
) -> dict[str, Any]:
    """The form's values; after a refusal, its errors and the files to choose again."""
    return {
        "entities": ctx.service.entities.entities,
        "values": values,
        "errors": {e.field: e.message for e in errors},
        "error_list": errors,
        "dropped_files": [upload.name for upload in files],
        "channels": [c.value for c in Channel],
        "categories": [c.value for c in Category],
        "document_kinds": [k.value for k in DocumentKind],
        "document_rows": range(DOCUMENT_ROWS),
        "today": today(),
    }


@router.post("/complaints/new", response_class=HTMLResponse)
async def new_complaint(
    request: Request, agent: Agent = Depends(current_agent), ctx: WebContext = Depends(context)
) -> Response:
    if not may_register(agent.role):
        raise HTTPException(403, "L'exploitation consulte, sans enregistrer de réclamation.")
    form = await checked_form(request, agent)
    files = [
        *await uploads(request, "scan", DocumentKind.complaint_scan.value),
        *await uploads(request, "attachments", DocumentKind.supporting_document.value),
    ]
    try:
        registered = await ctx.service.register(
            agent.principal, intake_from_form(form), uploads=files
        )
    except Invalid as error:
        values = _new_form_values(ctx, form, on_form_rows(error.errors, form), files)
        return render(ctx, request, "new.html", agent, status_code=422, **values)
    except ServiceError as error:
        values = _new_form_values(ctx, form, [FieldError("(serveur)", str(error))], files)
        return render(ctx, request, "new.html", agent, status_code=http_status(error), **values)
    reference = registered.reference
    if not registered.created:
        taken = FieldError("reference", f"La référence {reference} existe déjà.")
        values = _new_form_values(ctx, form, [taken], files)
        return render(ctx, request, "new.html", agent, status_code=409, **values)
    await ctx.service.recorded(reference, registered.version)
    pending = f"?fichiers_non_joints={registered.files_pending}" if registered.files_pending else ""
    return RedirectResponse(f"/complaints/{reference}{pending}", status_code=303)


@router.get("/complaints/{reference}", response_class=HTMLResponse)
async def show_complaint(
    reference: str,
    request: Request,
    agent: Agent = Depends(current_agent),
    ctx: WebContext = Depends(context),
) -> Response:
    return await complaint_page(ctx, request, agent, reference)


@router.post("/complaints/{reference}/actions/{name}", response_class=HTMLResponse)
async def act(
    reference: str,
    name: str,
    request: Request,
    agent: Agent = Depends(current_agent),
    ctx: WebContext = Depends(context),
) -> Response:
    form = await checked_form(request, agent)
    attempt = ctx.service.act(
        agent.principal, reference, name, action_from_form(form, agent.username)
    )
    return await outcome(ctx, request, agent, reference, attempt, failed=name, done=name)


async def outcome(
    ctx: WebContext,
    request: Request,
    agent: Agent,
    reference: str,
    attempt: Awaitable[Reading],
    failed: str,
    done: str,
) -> Response:
    """What an agent sees after acting: the complaint's page once the record shows the change,
    or the page again with the refusal beside the form (`failed`) that caused it."""
    try:
        reading = await attempt
    except (Invalid, Refused) as error:
        problems = [str(e) for e in error.errors] if isinstance(error, Invalid) else [str(error)]
        return await complaint_page_or_error(
            ctx,
            request,
            agent,
            reference,
            status_code=http_status(error),
            failed=failed,
            problems=problems,
        )
    await ctx.service.recorded(reference, reading.complaint.version)
    return RedirectResponse(f"/complaints/{reference}?fait={done}", status_code=303)


async def uploads(request: Request, field: str, kind: str) -> list[Upload]:
    """The files chosen in a form's file field (a browser sends an empty part for none)."""
    form = await request.form()
    return [
        Upload(name=part.filename or "document", content=await part.read(), kind=kind)
        for part in form.getlist(field)
        if isinstance(part, StarletteUpload) and part.filename
    ]


@router.post("/complaints/{reference}/documents", response_class=HTMLResponse)
async def add_files(
    reference: str,
    request: Request,
    agent: Agent = Depends(current_agent),
    ctx: WebContext = Depends(context),
) -> Response:
    """rule 16: files for a complaint, from its page."""
    form = await checked_form(request, agent)
    files = await uploads(request, "files", form.get("kind", DocumentKind.other.value))

    async def add_all() -> Reading:
        if not files:
            raise Invalid([FieldError("files", "choisissez au moins un fichier")])
        return await ctx.service.add_files(agent.principal, reference, files)

    return await outcome(
        ctx, request, agent, reference, add_all(), failed="add_files", done="add_document"
    )


@router.get("/complaints/{reference}/documents/{sha256}")
async def document_file(
    reference: str,
    sha256: str = Path(pattern=r"^[0-9a-f]{64}$"),
    download: bool = Query(False, alias="telecharger"),
    agent: Agent = Depends(current_agent),
    ctx: WebContext = Depends(context),
) -> Response:
    """A document's file, shown in the browser (PDF, images) or downloaded; never cached."""
    found = await ctx.service.document_file(agent.principal, reference, sha256)
    return Response(
        found.content,
        media_type=found.media_type.value,
        headers={
            "Content-Disposition": attachment(found.name, inline=not download),
            "Content-Security-Policy": FILE_POLICY,
        },
    )


@router.get("/complaints/{reference}/letters/{kind}/{sequence}", response_class=HTMLResponse)
async def show_letter(
    reference: str,
    kind: str,
    request: Request,
    sequence: int = Path(ge=1, le=MAX_LETTERS),
    agent: Agent = Depends(current_agent),
    ctx: WebContext = Depends(context),
) -> Response:
    letter = await ctx.service.letter(agent.principal, reference, kind, sequence)
    return render(
        ctx,
        request,
        "letter.html",
        agent,
        reference=reference,
        letter=letter.row,
        body=letter.body,
    )


@router.post("/complaints/{reference}/lien-de-suivi")
async def offer_follow_link(
    reference: str,
    request: Request,
    agent: Agent = Depends(current_agent),
    ctx: WebContext = Depends(context),
) -> Response:
    """issue 26: email the complainant a private link to their follow-up page (a complaint
    that came by email or post, say), as `recevoir un nouveau lien` would; the address is the
    one the complaint holds, and it may ask for a new link from then on."""
    await checked_form(request, agent)
    reading = await ctx.service.read(agent.principal, reference)
    complaint = reading.complaint
    address = complaint.intake.complainant.email if reading.readable else None
    if not may_offer_follow_link(agent.role, complaint.medical):
        raise HTTPException(403, "Votre rôle ne permet pas d'envoyer un lien de suivi.")
    if not address:
        raise HTTPException(409, "Cette réclamation n'a pas d'adresse électronique.")
    await offer_link(ctx, reference, address)
    # Who sent a complainant the key to act as them (rule 13): in the audit log, since the
    # link is not a complaint's event but a credential, like a login.
    await audit(
        ctx.sessions,
        AuditKind.follow_link_sent,
        agent.username,
        client_address(request),
        datetime.now(UTC),
        reference,
    )
    return RedirectResponse(f"/complaints/{reference}?lien=envoye", status_code=303)
