"""The compliance dashboard (rules 13 and 17): figures from the register, for the
`compliance` role and supervisors; never content. Works without JavaScript: filters are a
plain form, charts are SVG images drawn on the server, every number can be downloaded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response

from reclamations.activities.exports import register_csv, register_xlsx
from reclamations.domain.corrective import ActionStatus, GroupBy, action_figures, group_complaints
from reclamations.domain.dashboard import Dashboard, dashboard
from reclamations.domain.register import Lists, RegisterLine
from reclamations.web.context import WebContext, context
from reclamations.web.files import attachment
from reclamations.web.pages import Agent, current_agent, render
from reclamations.web.views import today

router = APIRouter(prefix="/conformite", include_in_schema=False)

CHARTS = ("mois", "promesses", "motifs", "gammes")
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)
INVALID_PERIOD = "Période invalide : entre 2000 et 2099, son début avant sa fin."


@dataclass(frozen=True)
class Selected:
    """The figures a reader asked for: a period, an entity or all, and what they come to."""

    since: date
    until: date
    entity: str
    lines: list[RegisterLine]
    figures: Dashboard

    @property
    def query(self) -> str:
        dates = {"du": self.since.isoformat(), "au": self.until.isoformat()}
        return urlencode({**dates, "entity": self.entity})


async def selected(
    du: date | None = Query(None),
    au: date | None = Query(None),
    entity: str = Query(""),
    agent: Agent = Depends(current_agent),
    ctx: WebContext = Depends(context),
) -> Selected:
    """The last twelve months, this one included, and every entity, unless the reader chose."""
    until = au or today()
    if not FIRST_DAY <= until <= LAST_DAY or not FIRST_DAY <= (du or until) <= until:
        raise HTTPException(422, INVALID_PERIOD)
    since = du
    if since is None:
        months = until.year * 12 + until.month - 1 - 11
        since = max(FIRST_DAY, date(months // 12, months % 12 + 1, 1))
    lines = await ctx.service.figures(agent.principal, since, until, entity or None)
    figures = dashboard(lines, today(), ctx.service.typology)
    return Selected(since, until, entity, lines, figures)


def months_of(since: date, until: date) -> list[date]:
    """The first day of each month of the period."""
    first, months = date(since.year, since.month, 1), []
    while first <= until:
        months.append(first)
        first = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return months


def grouping_labels(ctx: WebContext, by: GroupBy) -> dict[str, str]:
    typology = ctx.service.typology
    return {
        GroupBy.root_cause: typology.root_causes,
        GroupBy.reason: {code: reason.label for code, reason in typology.reasons.items()},
        GroupBy.product_line: typology.product_lines,
        GroupBy.entity: {e.code: e.identity.name for e in ctx.service.entities.entities},
    }[by]


@router.get("", response_class=HTMLResponse)
async def page(
    request: Request,
    chosen: Selected = Depends(selected),
    grouper: GroupBy = Query(GroupBy.root_cause),
    agent: Agent = Depends(current_agent),
    ctx: WebContext = Depends(context),
) -> Response:
    # issue 29: complaints grouped by root cause (or reason, product line, entity), each
    # group's trend, and the corrective actions opened on each cause.
    actions = await ctx.service.actions(agent.principal)
    default = ctx.service.entities.default.code
    items = [
        (
            line.reference,
            line.sent_on,
            (line.entity or default) if grouper is GroupBy.entity else getattr(line, grouper.value),
        )
        for line in chosen.lines
        if line.is_complaint
    ]
    groups = group_complaints(
        items,
        months_of(chosen.since, chosen.until),
        grouping_labels(ctx, grouper),
        [(a.root_cause, ActionStatus(a.status)) for a in actions]
        if grouper is GroupBy.root_cause
        else [],
    )
    return render(
        ctx,
        request,
        "dashboard.html",
        agent,
        figures=chosen.figures,
        since=chosen.since,
        until=chosen.until,
        query=chosen.query,
        charts=CHARTS,
        entity=chosen.entity,
        entities=ctx.service.entities.entities,
        grouper=grouper,
        groups=groups,
        action_figures=action_figures([ActionStatus(a.status) for a in actions]),
        late_actions=[a for a in actions if a.status == ActionStatus.late],
    )


@router.get("/graphiques/{chart}.svg")
async def chart(chart: str, chosen: Selected = Depends(selected)) -> Response:
    from reclamations.web.charts import bars

    figures = chosen.figures
    drawn: dict[str, Any] = {
        "mois": lambda: bars(
            [f"{m.month:%m/%y}" for m in figures.months],
            [m.received for m in figures.months],
            "",
            False,
        ),
        "promesses": lambda: bars(
            [p.label for p in figures.promises],
            [p.share.percent or 0 for p in figures.promises],
            " %",
            True,
        ),
        "motifs": lambda: bars(
            [r.label for r in figures.reasons], [r.count for r in figures.reasons], "", True
        ),
        "gammes": lambda: bars(
            [r.label for r in figures.products], [r.count for r in figures.products], "", True
        ),
    }
    if chart not in drawn:
        raise HTTPException(404, "Graphique inconnu.")
    return Response(drawn[chart](), media_type="image/svg+xml")


@router.get("/registre.{kind}")
async def download(
    kind: str,
    chosen: Selected = Depends(selected),
    agent: Agent = Depends(current_agent),
    ctx: WebContext = Depends(context),
) -> Response:
    """Every number of the dashboard, as the register it is computed from."""
    since, until, lines = chosen.since, chosen.until, chosen.lines
    name = f"registre-{since.isoformat()}-{until.isoformat()}.{kind}"
    lists = Lists(ctx.service.typology, ctx.service.entities)
    if kind == "csv":
        content: bytes = register_csv(lines, today(), lists).encode()
        media = "text/csv; charset=utf-8"
    elif kind == "xlsx":
        period = f"{since:%d/%m/%Y} – {until:%d/%m/%Y}"
        actions = await ctx.service.register_actions(agent.principal)
        content = register_xlsx(lines, today(), lists, period, actions)
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        raise HTTPException(404, "Format inconnu : csv ou xlsx.")
    return Response(content, media_type=media, headers={"Content-Disposition": attachment(name)})
