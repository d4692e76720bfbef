"""What every request meets before any route: who is calling, how much it may send, and the
headers every answer carries.

A pure ASGI middleware, so that a body is refused while it is read (or before, from its
Content-Length) and a caller who is nobody is refused before a byte of it is read.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

from starlette.datastructures import Headers
from starlette.requests import Request, cookie_parser
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reclamations.db.accounts import token_principal
from reclamations.db.logins import read_session
from reclamations.web.context import WebContext
from reclamations.web.local_codec import LOCAL_CODEC, local_codec_principal
from reclamations.web.sessions import COOKIE

# No inline script or style anywhere in the UI, no other site's assets, never in a frame.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# Swagger UI (/docs, off in production): its assets served by the app (web.app), started by
# an inline script; nothing from another site.
DOCS_ASSETS = "/static/docs"
DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
# A document's file shown in the browser: nothing in it may run or load anything.
FILE_POLICY = "default-src 'none'; img-src 'self'; object-src 'self'; frame-ancestors 'none'"
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
]
# Pages, letters, API answers and decoded payloads may carry complaint content: never cached.
NO_STORE = (b"cache-control", b"no-store")
WITH_BODY = frozenset({"POST", "PUT", "PATCH"})
# The routes that take files (rule 16): the mail room's form, documents added later, and
# the complainant's own form and follow-up page (issue 26).
UPLOADS = re.compile(r"^((/api)?/complaints/(new|[^/]+/documents)|/reclamation|/suivi/documents)$")
# The complainant's pages (web.public): nobody logs in there; their forms carry their own
# signed token, and their own limits (web.guard).
PUBLIC_PAGES = re.compile(r"^/(reclamation|suivi|accessibilite)(/|$)")
LOGIN_BODY_BYTES = 8 * 1024  # a name, a password and a token


class Edges:
    def __init__(self, app: ASGIApp, ctx: WebContext, cors: Callable[[str | None], dict[str, str]]):
        self.app = app
        self.ctx = ctx
        self.cors = cors  # the codec's CORS headers for an allowed origin, else nothing

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        headers = Headers(scope=scope)
        extra = self.cors(headers.get("origin")) if path.startswith("/codec") else {}
        send = self._with_headers(send, path, extra)
        if scope["method"] not in WITH_BODY:
            await self.app(scope, receive, send)
            return
        if not await self._someone(scope, path, headers):
            await self._refuse(scope, receive, send, 401, "Authentification requise.")
            return
        limit = self._limit(path)
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, receive, send, 413, _too_large(limit))
            return
        await self._bounded(scope, receive, send, limit)

    async def _bounded(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        """Count the body as it comes: past the limit, answer 413 at once and tell the
        application that the client has gone, so that it stops reading; what it answers after
        that is dropped."""
        seen, started, refused = 0, False, False

        async def receiving() -> Message:
            nonlocal seen, refused
            message = await receive()
            if message["type"] == "http.request" and not refused:
                seen += len(message.get("body", b""))
                if seen > limit and not started:
                    refused = True
                    await self._refuse(scope, receive, send, 413, _too_large(limit))
            return {"type": "http.disconnect"} if refused else message

        async def sending(message: Message) -> None:
            nonlocal started
            if not refused:
                started = started or message["type"] == "http.response.start"
                await send(message)

        await self.app(scope, receiving, sending)

    def _limit(self, path: str) -> int:
        settings = self.ctx.settings
        if path.startswith("/codec"):
            return settings.max_codec_body_bytes
        if UPLOADS.match(path):
            # Files: as much as a complaint may hold, and the form around them.
            return settings.max_complaint_files_bytes + settings.max_body_bytes
        return LOGIN_BODY_BYTES if path == "/login" else settings.max_body_bytes

    async def _someone(self, scope: Scope, path: str, headers: Headers) -> bool:
        """An authenticated caller, known before the body is read (the login form excepted).
        What is found is kept in the request's state, so that the route does not look again."""
        if path == "/login" or PUBLIC_PAGES.match(path):
            return True
        state = scope.setdefault("state", {})
        if path.startswith(LOCAL_CODEC):
            state["principal"] = local_codec_principal(self.ctx, path)
            return state["principal"] is not None
        if path.startswith("/api"):
            scheme, _, token = headers.get("authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                return False
            state["principal"] = await token_principal(self.ctx.sessions, token.strip())
            return state["principal"] is not None
        cookie = cookie_parser(headers.get("cookie", "")).get(COOKIE)
        policy, now = self.ctx.session_policy, datetime.now(UTC)
        state["session"] = await read_session(self.ctx.sessions, cookie, policy, now)
        return state["session"] is not None

    def _with_headers(self, send: Send, path: str, extra: dict[str, str]) -> Send:
        policy = DOCS_POLICY if path == "/docs" else CONTENT_SECURITY_POLICY
        added = [
            (b"content-security-policy", policy.encode()),
            *SECURITY_HEADERS,
            *((k.lower().encode(), v.encode()) for k, v in extra.items()),
        ]
        if not path.startswith("/static/"):
            added.append(NO_STORE)

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [
                    *message.get("headers", []),
                    *((name, value) for name, value in added if name not in present),
                ]
            await send(message)

        return sending

    async def _refuse(
        self, scope: Scope, receive: Receive, send: Send, status: int, message: str
    ) -> None:
        response: Response
        if PUBLIC_PAGES.match(scope["path"]) and status == 413:
            # The complainant's pages answer in French, in their own layout (issue 26).
            from reclamations.web import public  # imports this module: here, not at the top

            response = public.too_large(self.ctx, Request(scope), self._limit(scope["path"]))
        elif scope["path"].startswith(("/api", "/codec")) or status != 401:
            challenge = {"WWW-Authenticate": "Bearer"} if scope["path"].startswith("/api") else {}
            headers = challenge if status == 401 else {}
            response = JSONResponse({"detail": message}, status_code=status, headers=headers)
        else:  # a page's form without a session: back to the login page
            response = RedirectResponse("/login", status_code=303)
        await response(scope, receive, send)


def _too_large(limit: int) -> str:
    return f"Requête trop volumineuse : au plus {limit // 1024} Kio."
