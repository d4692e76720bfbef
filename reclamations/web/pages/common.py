"""What the agents' pages share: who is logged in, the page's frame, the posted form
checked against its CSRF token, service errors as HTTP statuses."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from reclamations.db.logins import (
    OpenSession,
)
from reclamations.web.context import WebContext, context
from reclamations.web.sessions import LOGIN_COOKIE, logged_in, same_token
from reclamations.web.views import TEMPLATE_GLOBALS

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
