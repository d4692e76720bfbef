"""What the complainant's pages share (issue 26): their layout, their footer's accessibility
state (`conformity`), their refusals (404, 413, 429), the form's signed token and its cookie,
the private link's cookie, and the access log kept free of tokens. The pages themselves:
`filing` (the online form), `follow` (a new link and the follow-up page) and `accessibility`
(the accessibility statement).
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile as StarletteUpload

from reclamations.domain.access import Principal, Role
from reclamations.domain.complaint import Status
from reclamations.service import Upload
from reclamations.web.context import WebContext
from reclamations.web.guard import Limit
from reclamations.web.sessions import client_address
from reclamations.web.views import TEMPLATE_GLOBALS

logger = logging.getLogger(__name__)

# Who files a complaint online, on the record: the form itself, an intake system.
ONLINE_FORM = Principal("formulaire en ligne", Role.intake)
# The follow-up page's cookie holds the private link's token (never in a URL after the first
# visit, so that it is not in the history, the address bar or a log line); sent back to /suivi
# only. The form cookie holds the nonce of the signed double-submit token (web.guard).
FOLLOW_COOKIE = "reclamations_suivi"
FORM_COOKIE = "reclamations_formulaire"
HONEYPOT = "site_web"
FILING, FOLLOWING = "reclamation", "suivi"
HOUR = 3600.0
PARIS = ZoneInfo("Europe/Paris")

# How a complainant reads each status: plain words, no jargon (declared for every status; a
# test walks Status).
COMPLAINANT_STATUS = {
    Status.received: "Reçue : nous l'examinons.",
    Status.in_progress: "En cours d'examen.",
    Status.suspended: (
        "En cours d'examen, en attente d'une expertise ou d'une intervention technique : "
        "notre objectif de réponse en 15 jours est suspendu pendant ce temps, jamais le délai "
        "de 2 mois."
    ),
    Status.overdue: (
        "En cours d'examen, au-delà du délai de 2 mois : vous pouvez saisir le Médiateur sans "
        "attendre notre réponse."
    ),
    Status.contested: "Votre demande de réexamen est en cours.",
    Status.answered: "Nous vous avons répondu.",
    Status.requalified: (
        "Traitée comme une demande (de service ou d'information), pas comme une réclamation : "
        "un courrier vous l'explique."
    ),
    Status.withdrawn: "Close à votre demande.",
    Status.closed: "Close.",
    Status.mediation: "Le Médiateur examine votre dossier.",
}

DONE_MESSAGES = {
    "documents": "Vos documents ont été ajoutés à votre dossier.",
    "contestation": "Votre demande de réexamen est enregistrée : nous vous répondrons de nouveau.",
    "desistement": "Votre réclamation est close, comme vous l'avez demandé.",
}

# /suivi/<token>, not the follow-up page's own routes.
TOKEN_IN_PATH = re.compile(
    r"^(/suivi/)(?!(?:nouveau-lien|documents|contestation|desistement|quitter|courriers)(?:[/?]|$))"
    r"[^/?\s]+"
)


def redact(path: str) -> str:
    """A path as the access log may show it: a private link's token never appears."""
    return TOKEN_IN_PATH.sub(r"\1[lien]", path)


class RedactFollowTokens(logging.Filter):
    """On uvicorn's access log: /suivi/<token> is written /suivi/[lien]."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and len(record.args) >= 3:
            args = list(record.args)
            if isinstance(args[2], str):
                args[2] = redact(args[2])
                record.args = tuple(args)
        return True


def now() -> datetime:
    return datetime.now(UTC)


def conformity(audit_rate: float | None) -> str:
    """The pages' state against RGAA 4.1, as every public page's footer says it: every
    criterion met, at least half, or less (and less is what an unaudited site declares)."""
    if audit_rate is None or audit_rate < 50:
        return "non conforme"
    return "totalement conforme" if audit_rate >= 100 else "partiellement conforme"


def render(
    ctx: WebContext, request: Request, template: str, status_code: int = 200, **values: Any
) -> HTMLResponse:
    return ctx.templates.TemplateResponse(
        request,
        f"public/{template}",
        {
            **TEMPLATE_GLOBALS,
            "entities": ctx.service.entities.entities,
            "conformity": conformity(ctx.settings.accessibility_audit_rate),
            # rule 11: where each entity's Médecin Conseil takes post, on every public page.
            "medical_addresses": [
                (e, e.identity.sender_address(medical=True)) for e in ctx.service.entities.entities
            ],
            **values,
        },
        status_code=status_code,
    )


def not_found(ctx: WebContext, request: Request) -> HTMLResponse:
    """The one answer to a wrong, expired or other link, and to a page that is not there."""
    return render(ctx, request, "error.html", status_code=404, title="Page introuvable")


def too_many(ctx: WebContext, request: Request, wait: float) -> HTMLResponse:
    minutes = max(1, round(wait / 60))
    response = render(
        ctx, request, "limited.html", status_code=429, title="Trop de demandes", minutes=minutes
    )
    response.headers["Retry-After"] = str(int(wait) + 1)
    return response


def too_large(ctx: WebContext, request: Request, limit: int) -> HTMLResponse:
    """A form too big to be read (web.edges refuses it while it comes): what the limits are."""
    return render(
        ctx,
        request,
        "too_large.html",
        status_code=413,
        title="Envoi trop volumineux",
        limit_mb=max(1, limit // (1024 * 1024)),
        max_file_mb=ctx.settings.max_file_bytes // (1024 * 1024),
    )


def limited(
    ctx: WebContext, request: Request, kind: str, per_address: int, overall: int | None = None
) -> float | None:
    """Counts this request against the limits of `kind`; the seconds to wait, if refused."""
    checks = [(f"{kind}:{client_address(request)}", Limit(per_address, HOUR))]
    if overall is not None:
        checks.append((f"{kind}:*", Limit(overall, HOUR)))
    return ctx.rate_limits.take_all(checks)


def form_cookie(ctx: WebContext, request: Request, response: Response, nonce: str) -> None:
    if request.cookies.get(FORM_COOKIE) != nonce:
        response.set_cookie(
            FORM_COOKIE,
            nonce,
            httponly=True,
            samesite="strict",
            secure=ctx.settings.web_secure_cookies,
        )


def form_nonce(ctx: WebContext, request: Request) -> str:
    given = request.cookies.get(FORM_COOKIE, "")
    return given if 16 <= len(given) <= 64 else ctx.form_signer.new_nonce()


async def posted(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v.replace("\r\n", "\n") for k, v in form.items() if isinstance(v, str)}


async def files_of(request: Request, field: str, kind: str) -> list[Upload]:
    form = await request.form()
    return [
        Upload(name=part.filename or "document", content=await part.read(), kind=kind)
        for part in form.getlist(field)
        if isinstance(part, StarletteUpload) and part.filename
    ]


def follow_cookie(ctx: WebContext, response: Response, token: str) -> None:
    # Lax: the link is opened from a mail reader, another site; path: /suivi alone.
    response.set_cookie(
        FOLLOW_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        path="/suivi",
        secure=ctx.settings.web_secure_cookies,
    )
