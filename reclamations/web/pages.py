"""The agents' UI: log in, the queue, a complaint's page and its actions, new complaints."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile as StarletteUpload

from reclamations.db.accounts import authenticate, list_users
from reclamations.db.logins import (
    AuditKind,
    OpenSession,
    audit,
    end_session,
    locked_until,
    open_session,
)
from reclamations.db.queue import ANY_STATUS, QueueFilters, Sort
from reclamations.db.register import dated_line, last_promise, register_line
from reclamations.domain.access import may_offer_follow_link, may_read_complaints, may_register
from reclamations.domain.actions import ACTION_LABELS
from reclamations.domain.complaint import Status
from reclamations.domain.errors import (
    FieldError,
    Forbidden,
    Invalid,
    NotFound,
    Refused,
    ServiceError,
    Unavailable,
)
from reclamations.domain.intake import Category, Channel, DocumentKind
from reclamations.domain.typology import COMPLAINANT_TYPE_LABELS
from reclamations.service import Reading, Upload
from reclamations.web.context import WebContext, context
from reclamations.web.edges import FILE_POLICY
from reclamations.web.files import attachment
from reclamations.web.follow_mail import offer_link
from reclamations.web.forms import DOCUMENT_ROWS, action_from_form, intake_from_form, on_form_rows
from reclamations.web.sessions import COOKIE, LOGIN_COOKIE, client_address, logged_in, same_token
from reclamations.web.views import TEMPLATE_GLOBALS, today

router = APIRouter(include_in_schema=False)

# Bounds that no real queue or complaint reaches; beyond them, a plain 422 rather than an
# integer the database cannot take.
MAX_PAGE = 100_000
MAX_LETTERS = 10_000


class LoginRequired(Exception):
    pass


# Whoever uses a page: their open session, read with their name and role.
Agent = OpenSession


async def current_agent(request: Request, ctx: WebContext = Depends(context)) -> Agent:
    session = await logged_in(request, ctx)
    if session is None:
        raise LoginRequired()
    return session


def render(
    ctx: WebContext,
    request: Request,
    template: str,
    agent: Agent | None = None,
    status_code: int = 200,
    **values: Any,
) -> HTMLResponse:
    return ctx.templates.TemplateResponse(
        request,
        template,
        {"agent": agent, **TEMPLATE_GLOBALS, **values},
        status_code=status_code,
    )


async def checked_form(request: Request, agent: Agent) -> dict[str, str]:
    """The posted form, once its CSRF token matches the session's. Browsers send a textarea's
    line ends as CRLF: they are newlines, the only line end the system takes."""
    posted = (await request.form()).items()
    form = {k: v.replace("\r\n", "\n") for k, v in posted if isinstance(v, str)}
    if not same_token(agent.csrf, form.get("csrf_token")):
        raise HTTPException(403, "Formulaire expiré ou invalide : rechargez la page.")
    return form


def http_status(error: ServiceError) -> int:
    status = {Invalid: 422, NotFound: 404, Forbidden: 403, Refused: 409, Unavailable: 503}
    return next((code for kind, code in status.items() if isinstance(error, kind)), 500)


def safe_next(target: str | None) -> str:
    # Only paths of this site, never another site's address.
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"


def set_login_cookie(ctx: WebContext, response: Response, token: str) -> None:
    response.set_cookie(
        LOGIN_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        max_age=3600,
        secure=ctx.settings.web_secure_cookies,
    )


# -- logging in ---------------------------------------------------------------------------


@router.get("/login", response_class=HTMLResponse)
async def login_form(
    request: Request, next: str = "/", ctx: WebContext = Depends(context)
) -> Response:
    token = secrets.token_urlsafe(24)
    response = render(ctx, request, "login.html", login_token=token, next=safe_next(next))
    set_login_cookie(ctx, response, token)
    return response


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request, ctx: WebContext = Depends(context)) -> Response:
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    target = safe_next(form.get("next"))
    if not same_token(request.cookies.get(LOGIN_COOKIE), form.get("login_token")):
        raise HTTPException(403, "Formulaire expiré : rechargez la page de connexion.")
    username, client, now = form.get("username", "")[:100], client_address(request), _now()
    until = await locked_until(ctx.sessions, ctx.throttle, username, client, now)
    if until is not None:
        await audit(ctx.sessions, AuditKind.login_locked, username, client, now)
        minutes = max(1, round((until - now).total_seconds() / 60))
        return refused_login(
            ctx,
            request,
            target,
            username,
            429,
            "Trop d'échecs de connexion pour ce compte ou ce poste : réessayez dans "
            f"{minutes} minute{'s' if minutes > 1 else ''}.",
        )
    user = await authenticate(ctx.sessions, username, form.get("password", ""))
    if user is None:
        await audit(ctx.sessions, AuditKind.login_failed, username, client, now)
        return refused_login(
            ctx, request, target, username, 401, "Identifiant ou mot de passe incorrect."
        )
    await audit(ctx.sessions, AuditKind.login, user.username, client, now)
    token = await open_session(ctx.sessions, user.username, now, ctx.session_policy)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        COOKIE,
        token,
        httponly=True,
        samesite="lax",
        max_age=ctx.settings.session_lifetime_hours * 3600,
        secure=ctx.settings.web_secure_cookies,
    )
    response.delete_cookie(LOGIN_COOKIE)
    return response


def refused_login(
    ctx: WebContext, request: Request, target: str, username: str, status: int, error: str
) -> Response:
    token = secrets.token_urlsafe(24)
    refused = render(
        ctx,
        request,
        "login.html",
        status_code=status,
        login_token=token,
        next=target,
        error=error,
        username=username,
    )
    set_login_cookie(ctx, refused, token)
    return refused


def _now() -> datetime:
    return datetime.now(UTC)


@router.post("/logout")
async def logout(
    request: Request, agent: Agent = Depends(current_agent), ctx: WebContext = Depends(context)
) -> Response:
    await checked_form(request, agent)
    # Ended on the server: a copy of the cookie is worth nothing from now on.
    await end_session(ctx.sessions, request.cookies.get(COOKIE), _now())
    await audit(ctx.sessions, AuditKind.logout, agent.username, client_address(request), _now())
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE)
    return response


# -- the queue ----------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
async def queue(
    request: Request,
    status: str = "",
    channel: str = "",
    category: str = "",
    assignee: str = "",
    entity: str = "",
    mine: bool = False,
    incident: bool = False,
    overdue: bool = Query(False, alias="retard"),
    sort: str = Query("", alias="tri", max_length=20),
    page: int = Query(1, ge=1, le=MAX_PAGE),
    agent: Agent = Depends(current_agent),
    ctx: WebContext = Depends(context),
) -> Response:
    if not may_read_complaints(agent.role):
        return RedirectResponse("/conformite", status_code=303)  # figures only
    filters = QueueFilters(
        status=status or None,
        channel=channel or None,
        category=category or None,
        assignee=agent.username if mine else (assignee or None),
        incident=incident,
        entity=entity or None,
        overdue=overdue,
    )
    order = Sort.parse(sort)
    try:
        result, known_assignees, saved = await asyncio.gather(
            ctx.service.queue(agent.principal, filters, page, order),
            ctx.service.assignees(agent.principal),
            ctx.service.saved_filters(agent.principal),
        )
    except ServiceError as error:
        raise HTTPException(http_status(error), str(error)) from None
    # issue 29: every filter is in the address, so that a link or a saved filter brings the
    # same queue back; empty ones are left out.
    chosen = {
        "status": status,
        "channel": channel,
        "category": category,
        "assignee": assignee,
        "entity": entity,
        "mine": "1" if mine else "",
        "incident": "1" if incident else "",
        "retard": "1" if overdue else "",
    }
    query = {k: v for k, v in chosen.items() if v}
    on = today()
    return render(
        ctx,
        request,
        "queue.html",
        agent,
        result=result,
        filters=chosen,
        query=query,
        sort=order,
        sorted_query=urlencode({**query, "tri": str(order)}),
        sort_link=lambda key: sort_link(query, order, key),
        saved=saved,
        presets=QUEUE_PRESETS,
        today=on,
        # The promises kept late, as the register counts them (rule 13).
        late={
            row.reference: [
                s
                for s in dated_line(row, last_promise(row.promises)).standings(on).values()
                if s.days_late
            ]
            for row in result.rows
        },
        statuses=[s.value for s in Status],
        any_status=ANY_STATUS,
        channels=[c.value for c in Channel],
        categories=[c.value for c in Category],
        assignees=known_assignees,
        entities=ctx.service.entities.entities,
    )


# Filters every agent has without saving them.
QUEUE_PRESETS = {
    "Mes réclamations en retard": "mine=1&retard=1",
    "Mes réclamations, closes comprises": f"mine=1&status={ANY_STATUS}",
    "En incident": "incident=1",
}


QUEUE_PARAMETERS = frozenset(
    {"status", "channel", "category", "assignee", "entity", "mine", "incident", "retard", "tri"}
)


def queue_query(text: str) -> str:
    """A queue's query string with only the queue's own parameters: what a saved filter keeps."""
    return urlencode([(k, v) for k, v in parse_qsl(text) if k in QUEUE_PARAMETERS and v])


def sort_link(query: dict[str, str], current: Sort, key: str) -> str:
    """The queue sorted by `key`: ascending first, descending when it is already ascending."""
    descending = current.key.value == key and not current.descending
    return "/?" + urlencode({**query, "tri": f"{'-' if descending else ''}{key}"})


@router.post("/filtres")
async def save_queue_filter(
    request: Request, agent: Agent = Depends(current_agent), ctx: WebContext = Depends(context)
) -> Response:
    form = await checked_form(request, agent)
    query = queue_query(form.get("query", ""))
    try:
        await ctx.service.save_filter(agent.principal, form.get("name", ""), query)
    except ServiceError as error:
        raise HTTPException(http_status(error), str(error)) from None
    return RedirectResponse(f"/?{query}", status_code=303)


@router.post("/filtres/supprimer")
async def delete_queue_filter(
    request: Request, agent: Agent = Depends(current_agent), ctx: WebContext = Depends(context)
) -> Response:
    form = await checked_form(request, agent)
    try:
        await ctx.service.delete_filter(agent.principal, form.get("name", ""))
    except ServiceError as error:
        raise HTTPException(http_status(error), str(error)) from None
    return RedirectResponse("/", status_code=303)


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
    try:
        return await complaint_page(ctx, request, agent, reference)
    except ServiceError as error:
        raise HTTPException(http_status(error), str(error)) from None


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
    except ServiceError as error:
        raise HTTPException(http_status(error), str(error)) from None
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
    try:
        found = await ctx.service.document_file(agent.principal, reference, sha256)
    except ServiceError as error:
        raise HTTPException(http_status(error), str(error)) from None
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
    try:
        letter = await ctx.service.letter(agent.principal, reference, kind, sequence)
    except ServiceError as error:
        raise HTTPException(http_status(error), str(error)) from None
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
    try:
        reading = await ctx.service.read(agent.principal, reference)
    except ServiceError as error:
        raise HTTPException(http_status(error), str(error)) from None
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
