"""Corrective actions' pages (issue 29), for supervisors and compliance: the list, opening
one (from the dashboard's group of a root cause, its complaints filled in), and its page with
its record and its steps. Plain forms: no JavaScript needed."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from reclamations.domain.access import may_manage_corrective, may_read_complaints
from reclamations.domain.corrective import DEFAULT_WINDOW_MONTHS, ActionStatus, action_figures
from reclamations.domain.errors import Invalid
from reclamations.domain.intake import field_label
from reclamations.service.corrective import MANAGERS_ONLY
from reclamations.web.context import WebContext, context
from reclamations.web.pages import Agent, checked_form, current_agent, render
from reclamations.web.views import today
from reclamations.workflows.corrective import action_workflow_id

router = APIRouter(prefix="/actions", include_in_schema=False)

FORM_LABELS = {
    "title": "Intitulé",
    "description": "Description",
    "root_cause": "Cause racine",
    "owner": "Responsable",
    "due_on": "Échéance",
    "check_on": "Vérification d'efficacité le",
    "window_months": "Mois comparés",
    "target": "Objectif",
    "complaints": "Réclamations concernées",
}
STEP_LABELS = {"progress": "Noter un avancement", "done": "Déclarer réalisée", "cancel": "Annuler"}


def _manager(agent: Agent) -> None:
    if not may_manage_corrective(agent.role):
        raise HTTPException(403, MANAGERS_ONLY)


@router.get("", response_class=HTMLResponse)
async def actions_list(
    request: Request, agent: Agent = Depends(current_agent), ctx: WebContext = Depends(context)
) -> Response:
    _manager(agent)
    rows = await ctx.service.actions(agent.principal)
    return render(
        ctx,
        request,
        "actions.html",
        agent,
        rows=rows,
        figures=action_figures([ActionStatus(row.status) for row in rows]),
        typology=ctx.service.typology,
    )


@router.get("/nouvelle", response_class=HTMLResponse)
async def new_action(
    request: Request,
    cause: str = Query("", max_length=40),
    du: date | None = Query(None),
    au: date | None = Query(None),
    agent: Agent = Depends(current_agent),
    ctx: WebContext = Depends(context),
) -> Response:
    """The form, with the root cause and its complaints of the period when it comes from the
    dashboard."""
    _manager(agent)
    references: list[str] = []
    if cause:
        lines = await ctx.service.figures(agent.principal, du, au)
        references = [line.reference for line in lines if line.root_cause == cause]
    on = today()
    values = {
        "root_cause": cause,
        "owner": agent.username,
        "due_on": (on + timedelta(days=30)).isoformat(),
        "check_on": (on + timedelta(days=30 + 31 * DEFAULT_WINDOW_MONTHS)).isoformat(),
        "window_months": str(DEFAULT_WINDOW_MONTHS),
        "complaints": "\n".join(references),
    }
    return form_page(ctx, request, agent, values)


def form_page(
    ctx: WebContext,
    request: Request,
    agent: Agent,
    values: dict[str, str],
    problems: list[str] | None = None,
) -> HTMLResponse:
    return render(
        ctx,
        request,
        "action_new.html",
        agent,
        status_code=422 if problems else 200,
        values=values,
        problems=problems or [],
        typology=ctx.service.typology,
    )


def draft_fields(form: dict[str, str]) -> dict[str, Any]:
    """The form as the draft's fields: empty ones left out, the complaints one per line (or
    separated by commas or spaces)."""
    fields: dict[str, Any] = {k: v.strip() for k, v in form.items() if k in FORM_LABELS}
    fields["complaints"] = [r for r in re.split(r"[\s,;]+", form.get("complaints", "")) if r]
    return {k: v for k, v in fields.items() if v not in ("", None)}


@router.post("", response_class=HTMLResponse)
async def open_action(
    request: Request, agent: Agent = Depends(current_agent), ctx: WebContext = Depends(context)
) -> Response:
    form = await checked_form(request, agent)
    try:
        ident = await ctx.service.open_action(
            agent.principal, draft_fields(form), datetime.now(UTC)
        )
    except Invalid as invalid:
        problems = [
            f"{FORM_LABELS.get(e.field.split('.')[0], field_label(e.field))} : {e.message}"
            for e in invalid.errors
        ]
        return form_page(ctx, request, agent, form, problems)
    return RedirectResponse(f"/actions/{ident}", status_code=303)


@router.get("/{ident}", response_class=HTMLResponse)
async def action_page(
    request: Request,
    ident: str,
    agent: Agent = Depends(current_agent),
    ctx: WebContext = Depends(context),
) -> Response:
    page = await ctx.service.action_page(agent.principal, ident)
    return render(
        ctx,
        request,
        "action.html",
        agent,
        page=page,
        action=page.action,
        steps=STEP_LABELS,
        typology=ctx.service.typology,
        # Compliance reads figures and actions, never a complaint: references without links.
        complaint_links=may_read_complaints(agent.role),
        history_url=ctx.history_url(action_workflow_id(ident)),
        done=request.query_params.get("fait", ""),
    )


@router.post("/{ident}")
async def act(
    request: Request,
    ident: str,
    agent: Agent = Depends(current_agent),
    ctx: WebContext = Depends(context),
) -> Response:
    form = await checked_form(request, agent)
    kind = form.get("kind", "")
    await ctx.service.act_on_action(agent.principal, ident, kind, form.get("note", ""))
    return RedirectResponse(f"/actions/{ident}?fait={kind}", status_code=303)
