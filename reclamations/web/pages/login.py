"""Logging in and out of the agents' UI: sessions, lock-outs, the audit log."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from reclamations.db.accounts import authenticate
from reclamations.db.logins import (
    AuditKind,
    audit,
    end_session,
    locked_until,
    open_session,
)
from reclamations.web.context import WebContext, context
from reclamations.web.pages.common import (
    Agent,
    checked_form,
    current_agent,
    render,
    safe_next,
    set_login_cookie,
)
from reclamations.web.sessions import COOKIE, LOGIN_COOKIE, client_address, same_token

router = APIRouter(include_in_schema=False)

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
    username, client, now = form.get("username", "")[:100], client_address(request), _now()
    until = await locked_until(ctx.sessions, ctx.throttle, username, client, now)
    if until is not None:
        await audit(ctx.sessions, AuditKind.login_locked, username, client, now)
        minutes = max(1, round((until - now).total_seconds() / 60))
        return refused_login(
            ctx,
            request,
            target,
            username,
            429,
            "Trop d'échecs de connexion pour ce compte ou ce poste : réessayez dans "
            f"{minutes} minute{'s' if minutes > 1 else ''}.",
        )
    user = await authenticate(ctx.sessions, username, form.get("password", ""))
    if user is None:
        await audit(ctx.sessions, AuditKind.login_failed, username, client, now)
        return refused_login(
            ctx, request, target, username, 401, "Identifiant ou mot de passe incorrect."
        )
    await audit(ctx.sessions, AuditKind.login, user.username, client, now)
    token = await open_session(ctx.sessions, user.username, now, ctx.session_policy)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        COOKIE,
        token,
        httponly=True,
        samesite="lax",
        max_age=ctx.settings.session_lifetime_hours * 3600,
        secure=ctx.settings.web_secure_cookies,
    )
    response.delete_cookie(LOGIN_COOKIE)
    return response


def refused_login(
    ctx: WebContext, request: Request, target: str, username: str, status: int, error: str
) -> Response:
    token = secrets.token_urlsafe(24)
    refused = render(
        ctx,
        request,
        "login.html",
        status_code=status,
        login_token=token,
        next=target,
        error=error,
        username=username,
    )
    set_login_cookie(ctx, refused, token)
    return refused


def _now() -> datetime:
    return datetime.now(UTC)


@router.post("/logout")
async def logout(
    request: Request, agent: Agent = Depends(current_agent), ctx: WebContext = Depends(context)
) -> Response:
    await checked_form(request, agent)
    # Ended on the server: a copy of the cookie is worth nothing from now on.
    await end_session(ctx.sessions, request.cookies.get(COOKIE), _now())
    await audit(ctx.sessions, AuditKind.logout, agent.username, client_address(request), _now())
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE)
    return response
