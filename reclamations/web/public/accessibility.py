"""The accessibility statement of the public pages (/accessibilite): what the law asks an
insurer to publish about them (RGAA 4.1), from the settings' audit, what the tests check at
each run, what is left to a person, and whom to tell when a page cannot be used.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from reclamations.domain.french import NO_BREAK, decimal
from reclamations.web.context import WebContext, context
from reclamations.web.public.common import render

router = APIRouter()


@router.get("/accessibilite", response_class=HTMLResponse)
async def statement(request: Request, ctx: WebContext = Depends(context)) -> Response:
    settings = ctx.settings
    return render(
        ctx,
        request,
        "accessibility.html",
        title="Déclaration d'accessibilité",
        share=share,
        entity=ctx.service.entities.default,
        audit_rate=settings.accessibility_audit_rate,
        audit_on=settings.accessibility_audit_on,
        auditor=settings.accessibility_auditor,
        report_url=settings.accessibility_report_url,
    )


def share(rate: float) -> str:
    """'75 %', '87,5 %': as an audit's report gives its rate, whole when it is."""
    return decimal(rate, 0 if float(rate).is_integer() else 1) + NO_BREAK + "%"
