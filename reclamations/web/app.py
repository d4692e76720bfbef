"""The web application: the agents' UI and the intake API, one FastAPI app."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from starlette.exceptions import HTTPException as StarletteHTTPException
from temporalio.client import Client
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from reclamations.db.engine import SessionFactory
from reclamations.domain.errors import ServiceError, describe_error_list
from reclamations.security.keyring import Keyring
from reclamations.settings import Settings
from reclamations.web import api, codec, corrective, dashboard, erasure, pages, public, search
from reclamations.web.context import WebContext
from reclamations.web.edges import DOCS_ASSETS, PUBLIC_PAGES, Edges
from reclamations.web.errors import as_http
from reclamations.web.pages import LoginRequired
from reclamations.wiring import connect_temporal

STATIC = Path(__file__).parent / "static"
# How often the web process tries again the emails of private links a mail server refused.
FOLLOW_MAIL_EVERY = 30.0

DESCRIPTION = """\
Réclamations : l'API des systèmes de gestion (salle du courrier, formulaire web, passerelle
courriel, outils des organismes gestionnaires) et l'interface des chargés de clientèle.

Chaque réclamation est un workflow Temporal qui tient les engagements de l'assureur :
accusé de réception sous 10 jours ouvrables, réponse visée sous 15 jours, jamais plus de
2 mois. Les erreurs de saisie sont rendues champ par champ, en français.
"""


def create_app(
    settings: Settings,
    sessions: SessionFactory,
    keyring: Keyring,
    client: Client | None = None,
) -> FastAPI:
    ctx = WebContext(settings=settings, sessions=sessions, keyring=keyring, client=client)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if ctx.client is None:
            ctx.client = await connect_temporal(settings, keyring, sessions)
        mails = asyncio.create_task(_follow_mails(ctx))
        yield
        mails.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await mails
        await ctx.settle()

    # Swagger UI's assets come from the fastapi-offline package, served by the app itself:
    # /docs works offline and loads nothing from another site.
    app = FastAPIOffline(
        title="Réclamations",
        version="1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url="/docs" if settings.api_docs else None,
        redoc_url=None,
        static_url=DOCS_ASSETS,
        # Swagger UI would otherwise send the API description to swagger.io's validator.
        swagger_ui_parameters={"validatorUrl": None},
    )
    app.state.context = ctx
    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(codec.router)
    app.include_router(dashboard.router)
    app.include_router(public.router)
    app.include_router(erasure.router)
    app.include_router(search.router)
    app.include_router(corrective.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(Edges, ctx=ctx, cors=lambda origin: codec.cors_for(ctx, origin))
    # Outermost: the client every other layer sees (throttling, the audit log) is the one the
    # configured proxies name, and from any other peer the peer itself (settings).
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)

    @app.exception_handler(RequestValidationError)
    async def plain_validation_errors(request: Request, exc: RequestValidationError) -> Response:
        errors = describe_error_list(exc.errors(), skip=1)
        return JSONResponse(
            status_code=422,
            content={"detail": [{"field": e.field, "message": e.message} for e in errors]},
        )

    @app.exception_handler(StarletteHTTPException)
    async def errors(request: Request, exc: StarletteHTTPException) -> Response:
        if request.url.path.startswith(("/api", "/codec")):
            return JSONResponse(
                {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
            )
        if PUBLIC_PAGES.match(request.url.path):
            # The complainant's pages answer in their own layout, and every 404 alike.
            if exc.status_code == 404:
                return public.not_found(ctx, request)
            title = "Demande refusée" if exc.status_code < 500 else "Service indisponible"
            return public.render(
                ctx, request, "error.html", status_code=exc.status_code, title=title
            )
        titles = {403: "Accès refusé", 404: "Introuvable"}
        return ctx.templates.TemplateResponse(
            request,
            "error.html",
            {"agent": None, "title": titles.get(exc.status_code, "Erreur"), "message": exc.detail},
            status_code=exc.status_code,
        )

    @app.exception_handler(ServiceError)
    async def refusals(request: Request, exc: ServiceError) -> Response:
        # What a route did not answer itself: the same answer for every route.
        return await errors(request, as_http(exc, api=request.url.path.startswith("/api")))

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)

    _redact_access_log()
    return app


def _redact_access_log() -> None:
    """A private link's token never goes into a log line (issue 26)."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, public.RedactFollowTokens) for f in access.filters):
        access.addFilter(public.RedactFollowTokens())


async def _follow_mails(ctx: WebContext) -> None:
    """The private links' emails a mail server refused, tried again while the app runs."""
    log = logging.getLogger(__name__)
    while True:
        await asyncio.sleep(FOLLOW_MAIL_EVERY)
        try:
            await ctx.follow_mailer.drain()
        except Exception as error:  # the database may be down a while: next round
            log.warning("Envoi des liens de suivi en attente : %s", type(error).__name__)
