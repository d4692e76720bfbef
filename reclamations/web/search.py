"""The search page (issue 29): one box on every agents' page, results with why each matched.
A plain GET form: the search is in the address, works without JavaScript, can be shared."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from reclamations.domain.access import may_read_complaints
from reclamations.domain.search import MAX_QUERY
from reclamations.web.context import WebContext, context
from reclamations.web.pages import Agent, current_agent, render

router = APIRouter(include_in_schema=False)


@router.get("/recherche", response_class=HTMLResponse)
async def search_page(
    request: Request,
    q: str = Query("", max_length=MAX_QUERY),
    agent: Agent = Depends(current_agent),
    ctx: WebContext = Depends(context),
) -> Response:
    if not may_read_complaints(agent.role):
        return RedirectResponse("/conformite", status_code=303)  # figures only
    result = await ctx.service.search(agent.principal, q) if q.strip() else None
    return render(ctx, request, "search.html", agent, q=q, result=result)
