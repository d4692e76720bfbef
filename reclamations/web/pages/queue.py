"""The queue for daily work: filters and sorts kept in the address, saved filters per
agent (issue 29)."""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from reclamations.db.queue import ANY_STATUS, QueueFilters, Sort
from reclamations.db.register import dated_line, last_promise
from reclamations.domain.access import may_read_complaints
from reclamations.domain.complaint import Status
from reclamations.domain.intake import Category, Channel
from reclamations.web.context import WebContext, context
from reclamations.web.pages.common import (
    MAX_PAGE,
    Agent,
    checked_form,
    current_agent,
    render,
)
from reclamations.web.views import today

router = APIRouter(include_in_schema=False)

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
    result, known_assignees, saved = await asyncio.gather(
        ctx.service.queue(agent.principal, filters, page, order),
        ctx.service.assignees(agent.principal),
        ctx.service.saved_filters(agent.principal),
    )
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
    await ctx.service.save_filter(agent.principal, form.get("name", ""), query)
    return RedirectResponse(f"/?{query}", status_code=303)


@router.post("/filtres/supprimer")
async def delete_queue_filter(
    request: Request, agent: Agent = Depends(current_agent), ctx: WebContext = Depends(context)
) -> Response:
    form = await checked_form(request, agent)
    await ctx.service.delete_filter(agent.principal, form.get("name", ""))
    return RedirectResponse("/", status_code=303)
