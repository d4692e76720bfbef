"""The compliance team's erasure page (issue 28): erase a closed complaint on its
complainant's request, place or lift a legal hold, and see erasures left interrupted. Plain
forms, no JavaScript; every act goes through the one door, which checks the role and says why
an erasure is refused."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from reclamations.domain.access import may_erase
from reclamations.domain.errors import ServiceError
from reclamations.domain.retention import HOLD_LABELS, HoldReason
from reclamations.web.context import WebContext, context
from reclamations.web.pages import Agent, checked_form, current_agent, http_status, render
from reclamations.web.sessions import client_address

router = APIRouter(prefix="/conformite/effacement", include_in_schema=False)


async def _page(
    request: Request,
    ctx: WebContext,
    agent: Agent,
    message: str = "",
    error: str = "",
    status_code: int = 200,
) -> Response:
    return render(
        ctx,
        request,
        "erasure.html",
        agent,
        status_code=status_code,
        message=message,
        error=error,
        pending=await ctx.service.pending_erasures(),
        holds=HOLD_LABELS,
    )


def _compliance_only(agent: Agent) -> None:
    if not may_erase(agent.principal.role):
        raise HTTPException(403, "Réservé à la conformité.")


@router.get("", response_class=HTMLResponse)
async def page(
    request: Request,
    agent: Agent = Depends(current_agent),
    ctx: WebContext = Depends(context),
) -> Response:
    _compliance_only(agent)
    return await _page(request, ctx, agent)


@router.post("", response_class=HTMLResponse)
async def erase(
    request: Request,
    agent: Agent = Depends(current_agent),
    ctx: WebContext = Depends(context),
) -> Response:
    _compliance_only(agent)
    form = await checked_form(request, agent)
    reference = form.get("reference", "").strip()
    try:
        done = await ctx.service.erase(
            agent.principal, reference, datetime.now(UTC), client=client_address(request)
        )
    except ServiceError as error:
        return await _page(request, ctx, agent, error=str(error), status_code=http_status(error))
    return await _page(request, ctx, agent, message=f"Réclamation {done.reference} effacée.")


@router.post("/conservation", response_class=HTMLResponse)
async def hold(
    request: Request,
    agent: Agent = Depends(current_agent),
    ctx: WebContext = Depends(context),
) -> Response:
    _compliance_only(agent)
    form = await checked_form(request, agent)
    reference = form.get("reference", "").strip()
    reason = form.get("reason", "")
    try:
        if reason == "lift":
            await ctx.service.lift_hold(agent.principal, reference)
            message = f"Conservation levée sur {reference}."
        elif reason in {hold.value for hold in HoldReason}:
            held = HoldReason(reason)
            await ctx.service.place_hold(agent.principal, reference, held, datetime.now(UTC))
            message = f"Conservation imposée sur {reference} ({HOLD_LABELS[held]})."
        else:
            raise HTTPException(422, "Motif inconnu.")
    except ServiceError as error:
        return await _page(request, ctx, agent, error=str(error), status_code=http_status(error))
    return await _page(request, ctx, agent, message=message)
