"""The agents' UI: log in, the queue, a complaint's page and its actions, new complaints."""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from temporalio.client import WorkflowUpdateFailedError
from temporalio.service import RPCError

from db.accounts import authenticate, get_user, list_users
from db.models import ComplaintRow, EventRow, LetterRow
from db.queue import OPEN_STATUSES, QueueFilters, assignees, queue_page
from db.references import next_reference
from domain.actions import ACTION_LABELS, ACTIONS
from domain.complaint import Complaint
from domain.errors import FieldError, describe_errors
from domain.intake import Category, Channel, DocumentKind
from web.context import WebContext, context
from web.forms import DOCUMENT_ROWS, action_from_form, intake_from_form
from web.roles import Role, can_read_content, may, sees_everything
from web.sessions import COOKIE, LOGIN_COOKIE, MAX_AGE, same_token
from web.views import TEMPLATE_GLOBALS, today
from workflows.client import execute_action, refusal_reason, register_complaint
from workflows.complaint import ComplaintWorkflow
from workflows.messages import workflow_id

router = APIRouter(include_in_schema=False)


class LoginRequired(Exception):
    pass


@dataclass(frozen=True)
class Agent:
    username: str
    display_name: str
    role: Role
    csrf: str


async def current_agent(request: Request, ctx: WebContext = Depends(context)) -> Agent:
    session = ctx.signer.read(request.cookies.get(COOKIE))
    user = await get_user(ctx.sessions, session.username) if session else None
    if session is None or user is None:
        raise LoginRequired()
    return Agent(user.username, user.display_name, Role(user.role), session.csrf)


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
    """The posted form, once its CSRF token matches the session's."""
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    if not same_token(agent.csrf, form.get("csrf_token")):
        raise HTTPException(403, "Formulaire expiré ou invalide : rechargez la page.")
    return form


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
    user = await authenticate(ctx.sessions, form.get("username", ""), form.get("password", ""))
    if user is None:
        token = secrets.token_urlsafe(24)
        refused = render(
            ctx,
            request,
            "login.html",
            status_code=401,
            login_token=token,
            next=target,
            error="Identifiant ou mot de passe incorrect.",
            username=form.get("username", ""),
        )
        set_login_cookie(ctx, refused, token)
        return refused
    cookie, _ = ctx.signer.issue(user.username)
    response = RedirectResponse(target, status_code=303)
    secure = ctx.settings.web_secure_cookies
    response.set_cookie(
        COOKIE, cookie, httponly=True, samesite="lax", max_age=MAX_AGE, secure=secure
    )
    response.delete_cookie(LOGIN_COOKIE)
    return response


@router.post("/logout")
async def logout(request: Request, agent: Agent = Depends(current_agent)) -> Response:
    await checked_form(request, agent)
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
    mine: bool = False,
    page: int = 1,
    agent: Agent = Depends(current_agent),
    ctx: WebContext = Depends(context),
) -> Response:
    filters = QueueFilters(
        status=status or None,
        channel=channel or None,
        category=category or None,
        assignee=agent.username if mine else (assignee or None),
        only_for=None if sees_everything(agent.role) else agent.username,
    )
    result, known_assignees = await asyncio.gather(
        queue_page(ctx.sessions, filters, page), assignees(ctx.sessions)
    )
    query = {"status": status, "channel": channel, "category": category, "assignee": assignee}
    if mine:
        query["mine"] = "1"
    return render(
        ctx,
        request,
        "queue.html",
        agent,
        result=result,
        filters=query,
        today=today(),
        statuses=[*OPEN_STATUSES, "answered", "closed", "requalified", "withdrawn"],
        channels=[c.value for c in Channel],
        categories=[c.value for c in Category],
        assignees=known_assignees,
        can_read=lambda medical: can_read_content(agent.role, medical),
        # Only rows this agent may read are shown with their subject: opening is safe there.
        subject_of=lambda row: ctx.unseal(row.subject) if row.medical else row.subject,
    )


# -- a complaint --------------------------------------------------------------------------


async def load_complaint(
    ctx: WebContext, agent: Agent, reference: str
) -> tuple[ComplaintRow, Complaint]:
    async with ctx.sessions() as session:
        row = await session.get(ComplaintRow, reference)
    if row is None:
        raise HTTPException(404, f"Aucune réclamation {reference}.")
    if not sees_everything(agent.role) and row.assignee not in (None, agent.username):
        raise HTTPException(403, f"Cette réclamation est attribuée à {row.assignee}.")
    return row, Complaint.model_validate(row.snapshot)


def opened(ctx: WebContext, complaint: Complaint) -> Complaint:
    """The complaint with its sealed medical content opened, for the Médecin Conseil's eyes."""
    if not complaint.medical:
        return complaint
    intake = complaint.intake
    return complaint.model_copy(
        update={
            "intake": intake.model_copy(
                update={
                    "subject": ctx.unseal(intake.subject),
                    "description": ctx.unseal(intake.description),
                }
            ),
            "documents": [
                d.model_copy(update={"name": ctx.unseal(d.name)}) for d in complaint.documents
            ],
            "answers": [
                a.model_copy(
                    update={
                        "reasons": ctx.unseal(a.reasons),
                        "documents_considered": [ctx.unseal(n) for n in a.documents_considered],
                    }
                )
                for a in complaint.answers
            ],
        }
    )


async def complaint_page(
    ctx: WebContext,
    request: Request,
    agent: Agent,
    reference: str,
    status_code: int = 200,
    **extra: Any,
) -> HTMLResponse:
    row, complaint = await load_complaint(ctx, agent, reference)
    readable = can_read_content(agent.role, row.medical)
    async with ctx.sessions() as session:
        events = list(
            await session.scalars(
                select(EventRow).where(EventRow.reference == reference).order_by(EventRow.seq)
            )
        )
        letters = list(
            await session.scalars(
                select(LetterRow)
                .where(LetterRow.reference == reference)
                .order_by(LetterRow.sent_at)
            )
        )
    actions = [a for a in complaint.allowed_actions() if may(agent.role, a, row.medical)]
    users = await list_users(ctx.sessions) if "assign" in actions else []
    return render(
        ctx,
        request,
        "complaint.html",
        agent,
        status_code=status_code,
        row=row,
        complaint=opened(ctx, complaint) if readable else complaint,
        readable=readable,
        events=events,
        letters=letters,
        note=ctx.unseal if readable else (lambda _: ""),
        actions=actions,
        users=users,
        today=today(complaint.intake.calendar),
        history_url=ctx.history_url(row.workflow_id),
        suspension_reasons=["medical_expertise", "legal_expertise", "it_maintenance"],
        decisions=["upheld", "partly_upheld", "rejected"],
        categories=[c.value for c in Category],
        document_kinds=[k.value for k in DocumentKind],
        done=ACTION_LABELS.get(request.query_params.get("fait", "")),
        **extra,
    )


@router.get("/complaints/new", response_class=HTMLResponse)
async def new_complaint_form(
    request: Request, agent: Agent = Depends(current_agent), ctx: WebContext = Depends(context)
) -> Response:
    if agent.role is Role.operator:
        raise HTTPException(403, "L'exploitation consulte, sans enregistrer de réclamation.")
    return render(ctx, request, "new.html", agent, **_new_form_values({}, []))


def _new_form_values(values: dict[str, str], errors: list[FieldError]) -> dict[str, Any]:
    return {
        "values": values,
        "errors": {e.field: e.message for e in errors},
        "error_list": errors,
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
    if agent.role is Role.operator:
        raise HTTPException(403, "L'exploitation consulte, sans enregistrer de réclamation.")
    form = await checked_form(request, agent)
    try:
        reference, _, created = await register_complaint(
            ctx.temporal,
            intake_from_form(form),
            datetime.now(UTC),
            lambda year: next_reference(ctx.sessions, year),
            ctx.seal,
            ctx.settings.task_queue,
        )
    except ValidationError as error:
        values = _new_form_values(form, describe_errors(error))
        return render(ctx, request, "new.html", agent, status_code=422, **values)
    except RPCError:
        down = FieldError("(serveur)", "Temporal est indisponible : rien n'a été enregistré.")
        values = _new_form_values(form, [down])
        return render(ctx, request, "new.html", agent, status_code=503, **values)
    if not created:
        taken = FieldError("reference", f"La référence {reference} existe déjà.")
        return render(
            ctx, request, "new.html", agent, status_code=409, **_new_form_values(form, [taken])
        )
    await wait_recorded(ctx, reference, 1)
    return RedirectResponse(f"/complaints/{reference}", status_code=303)


async def wait_recorded(ctx: WebContext, reference: str, version: int) -> None:
    """Until the record shows this version (the worker writes it right after the change)."""
    for _ in range(100):
        async with ctx.sessions() as session:
            row = await session.get(ComplaintRow, reference)
        if row is not None and row.version >= version:
            return
        await asyncio.sleep(0.03)


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
    row, _ = await load_complaint(ctx, agent, reference)
    if name not in ACTIONS or not may(agent.role, name, row.medical):
        raise HTTPException(403, "Votre rôle ne permet pas cette action sur cette réclamation.")
    fields = action_from_form(form, agent.username)
    if agent.role is Role.agent and name == "assign" and fields.get("assignee") != agent.username:
        raise HTTPException(
            403, "Un chargé de clientèle ne peut attribuer une réclamation qu'à lui-même."
        )
    try:
        action = ACTIONS[name].model_validate(fields)
    except ValidationError as error:
        problems = [f"{e.field} : {e.message}" for e in describe_errors(error)]
        return await complaint_page(
            ctx, request, agent, reference, status_code=422, failed=name, problems=problems
        )
    if row.medical:
        action = action.sealed(ctx.seal)
    handle = ctx.temporal.get_workflow_handle_for(ComplaintWorkflow.run, workflow_id(reference))
    try:
        state = await execute_action(handle, action)
    except (WorkflowUpdateFailedError, RPCError) as error:
        reason = (
            refusal_reason(error)
            if isinstance(error, WorkflowUpdateFailedError)
            else "La réclamation est close, ou Temporal est indisponible : rien n'a changé."
        )
        return await complaint_page(
            ctx, request, agent, reference, status_code=409, failed=name, problems=[reason]
        )
    await wait_recorded(ctx, reference, state.version)
    return RedirectResponse(f"/complaints/{reference}?fait={name}", status_code=303)


@router.get("/complaints/{reference}/letters/{kind}/{sequence}", response_class=HTMLResponse)
async def show_letter(
    reference: str,
    kind: str,
    sequence: int,
    request: Request,
    agent: Agent = Depends(current_agent),
    ctx: WebContext = Depends(context),
) -> Response:
    row, _ = await load_complaint(ctx, agent, reference)
    if not can_read_content(agent.role, row.medical):
        raise HTTPException(403, "Courrier médical : réservé au Médecin Conseil.")
    async with ctx.sessions() as session:
        letter = await session.get(LetterRow, (reference, kind, sequence))
    if letter is None:
        raise HTTPException(404, "Courrier introuvable.")
    return render(
        ctx, request, "letter.html", agent, row=row, letter=letter, body=ctx.unseal(letter.body)
    )
