"""The UI's cookies: the session (a random token, its session kept on the server: db.logins)
and the login form's own token, checked before any password is."""

from __future__ import annotations

import hmac
from datetime import UTC, datetime

from fastapi import Request

from reclamations.db.logins import OpenSession, read_session
from reclamations.web.context import WebContext

COOKIE = "reclamations_session"
LOGIN_COOKIE = "reclamations_login"


def same_token(expected: str | None, given: object) -> bool:
    """Compared in constant time, as bytes: a posted token may hold any character."""
    if not expected or not isinstance(given, str):
        return False
    return hmac.compare_digest(expected.encode(), given.encode("utf-8", "surrogatepass"))


async def logged_in(request: Request, ctx: WebContext) -> OpenSession | None:
    """The session behind the request's cookie, while it lasts (rule 15); already
    found when web.edges checked it before reading a form."""
    known: OpenSession | None = getattr(request.state, "session", None)
    if known is not None:
        return known
    token = request.cookies.get(COOKIE)
    return await read_session(ctx.sessions, token, ctx.session_policy, datetime.now(UTC))


def client_address(request: Request) -> str:
    return request.client.host if request.client else "inconnue"
