"""The compliance team's erasure page (issue 28): find a complaint by its reference, then
erase it on its complainant's request (a second, explicit step: an erasure cannot be undone) or
place or lift a legal hold; and see erasures left interrupted. Plain forms, no JavaScript;
every act goes through the one door, which checks the role and says why an erasure is refused.
A form that succeeds leads back to the page (post/redirect/get)."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from reclamations.domain.access import may_erase
from reclamations.domain.errors import ServiceError
from reclamations.domain.intake import REFERENCE_PATTERN
from reclamations.domain.retention import HOLD_LABELS, HoldReason
from reclamations.web.context import WebContext, context
from reclamations.web.errors import http_status
from reclamations.web.pages import Agent, checked_form, current_agent, render
from reclamations.web.sessions import client_address

router = APIRouter(prefix="/conformite/effacement", include_in_schema=False)

PAGE = "/conformite/effacement"
# What a form that succeeded leads back to say (a fixed text: nothing from the address).
DONE = {
    "efface": "Réclamation effacée.",
    "conservation": "Conservation imposée enregistrée.",
    "levee": "Conservation levée.",
}


def _compliance_only(agent: Agent) -> None:
    if not may_erase(agent.principal.role):
        raise HTTPException(403, "Réservé à la conformité.")


async def _page(
    request: Request,
    ctx: WebContext,
    agent: Agent,
    reference: str = "",
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
        reference=reference,
        message=message,
        error=error,
        pending=await ctx.service.pending_erasures(),
        holds=HOLD_LABELS,
    )


def _back(reference: str, done: str) -> Response:
    return RedirectResponse(f"{PAGE}?reference={reference}&fait={done}", status_code=303)


@router.get("", response_class=HTMLResponse)
async def page(
    request: Request,
    reference: str = Query("", pattern=r"^$|" + REFERENCE_PATTERN),
    fait: str = Query(""),
    agent: Agent = Depends(current_agent),
    ctx: WebContext = Depends(context),
) -> Response:
    _compliance_only(agent)
    return await _page(request, ctx, agent, reference, DONE.get(fait, ""))


async def _refused(
    request: Request, ctx: WebContext, agent: Agent, reference: str, error: ServiceError
) -> Response:
    """The page again, with why the door refused (open, held, too early...)."""
    return await _page(
        request, ctx, agent, reference, error=str(error), status_code=http_status(error)
    )


@router.post("/{reference}", response_class=HTMLResponse)
async def erase(
    request: Request,
    reference: str = Path(pattern=REFERENCE_PATTERN),
    agent: Agent = Depends(current_agent),
    ctx: WebContext = Depends(context),
) -> Response:
    _compliance_only(agent)
    await checked_form(request, agent)
    try:
        await ctx.service.erase(
            agent.principal, reference, datetime.now(UTC), client=client_address(request)
        )
    except ServiceError as error:
        return await _refused(request, ctx, agent, reference, error)
    return _back(reference, "efface")


@router.post("/{reference}/conservation", response_class=HTMLResponse)
async def hold(
    request: Request,
    reference: str = Path(pattern=REFERENCE_PATTERN),
    agent: Agent = Depends(current_agent),
    ctx: WebContext = Depends(context),
) -> Response:
    _compliance_only(agent)
    form = await checked_form(request, agent)
    reason = form.get("reason", "")
    try:
        if reason == "lift":
            await ctx.service.lift_hold(agent.principal, reference)
            return _back(reference, "levee")
        if reason not in {held.value for held in HoldReason}:
            raise HTTPException(422, "Motif de conservation inconnu.")
        now = datetime.now(UTC)
        await ctx.service.place_hold(agent.principal, reference, HoldReason(reason), now)
    except ServiceError as error:
        return await _refused(request, ctx, agent, reference, error)
    return _back(reference, "conservation")
