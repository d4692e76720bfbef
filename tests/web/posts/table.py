"""The table of every route that changes something (rule 15, issue 30), with the roles
that may use it, and how each is called, readied and checked. The tests of this folder walk it:
test_table.py fails when the app has a route the table does not describe."""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import func, select, update
from temporalio.client import WorkflowExecutionStatus, WorkflowHandle
from temporalio.service import RPCError, RPCStatusCode

from reclamations.db.models import Base, ComplaintRow
from reclamations.domain.access import TOKEN_ROLES, Principal, Role
from reclamations.workflows.client import ComplaintHandle
from reclamations.workflows.corrective import ACTION_WORKFLOW_PREFIX, action_workflow_id
from reclamations.workflows.messages import WORKFLOW_ID_PREFIX
from tests.office import (
    REFUSED,
    Office,
    action,
    at_rest,
    intake_data,
    trouble,
    until,
)
from tests.web.conftest import USERS, login

# -- the table: every route that changes something, and who may use it ----------------------

HANDLERS = frozenset({Role.agent, Role.supervisor, Role.medical_advisor})
# Who may carry out each action on an ordinary complaint, in the UI and through the API alike.
ACTION_ROLES: dict[str, frozenset[Role]] = {
    "retry": frozenset({Role.operator, Role.supervisor, Role.medical_advisor}),
    "qualify": HANDLERS,
    "classify": HANDLERS,
    "requalify_as_request": HANDLERS,
    "answer": HANDLERS,
    "inform": HANDLERS,
    "suspend": HANDLERS,
    "resume": HANDLERS,
    "escalate": frozenset({Role.supervisor, Role.medical_advisor}),
    "contest": HANDLERS,
    "mediate": HANDLERS,
    "assign": HANDLERS,
    "add_document": HANDLERS,
    "correct_address": HANDLERS,
    "mark_medical": HANDLERS,
    "withdraw": HANDLERS,
}
HISTORY_READERS = frozenset({Role.operator, Role.supervisor, Role.medical_advisor})
EVERY_USER = HANDLERS | {Role.operator, Role.compliance}
UI_ACTIONS = "/complaints/{reference}/actions/{name}"
QUEUE_READERS = HANDLERS | {Role.operator}
CORRECTIVE = frozenset({Role.supervisor, Role.compliance})


@dataclass(frozen=True)
class Post:
    """A route that changes something. `door`: how a caller proves who they are and that they
    meant it (a page's form and its CSRF token, the login form's own token, an API token, the
    codec's session and origin); `action`: which action of the UI's one actions route."""

    path: str
    door: str
    roles: frozenset[Role]
    action: str | None = None

    @property
    def id(self) -> str:
        return f"{self.path.replace('{reference}', '…')}{f' {self.action}' if self.action else ''}"


ROUTES: list[Post] = [
    Post("/login", "login", frozenset()),
    Post("/logout", "form", EVERY_USER),
    Post("/complaints/new", "form", HANDLERS),
    Post("/complaints/{reference}/documents", "form", HANDLERS),
    Post("/complaints/{reference}/lien-de-suivi", "form", HANDLERS),
    *(Post(UI_ACTIONS, "form", roles, name) for name, roles in ACTION_ROLES.items()),
    Post("/api/complaints", "api", HANDLERS | {Role.intake}),
    Post("/api/complaints/{reference}/documents", "api", HANDLERS),
    *(
        Post(f"/api/complaints/{{reference}}/actions/{name}", "api", roles, name)
        for name, roles in ACTION_ROLES.items()
    ),
    # Issue 28: the compliance team's erasure page (a closed complaint readied for the erasure).
    Post("/conformite/effacement/{reference}", "form", frozenset({Role.compliance})),
    Post("/conformite/effacement/{reference}/conservation", "form", frozenset({Role.compliance})),
    Post("/codec/decode", "codec", HISTORY_READERS),
    Post("/codec/encode", "codec", HISTORY_READERS),
    # issue 29: saved queue filters (whoever reads the queue), corrective actions (supervisors
    # and compliance), each opened and followed as its own workflow.
    Post("/filtres", "form", QUEUE_READERS),
    Post("/filtres/supprimer", "form", QUEUE_READERS),
    Post("/actions", "form", CORRECTIVE),
    Post("/actions/{ident}", "form", CORRECTIVE),
    # `make run`'s Web UI: the key in the address is the only way in, no role or session
    # (tests/web/test_codec.py tests it with its key; posts/test_api.py without).
    Post("/codec/local/{key}/decode", "local-codec", frozenset()),
    Post("/codec/local/{key}/encode", "local-codec", frozenset()),
    # The complainant's pages (issue 26): nobody logs in; each form carries its signed
    # double-submit token, and those of the follow-up page need the private link's cookie
    # (tests/web/test_public.py walks these without their token).
    *(
        Post(path, "public", frozenset())
        for path in (
            "/reclamation",
            "/suivi/nouveau-lien",
            "/suivi/documents",
            "/suivi/contestation",
            "/suivi/desistement",
            "/suivi/quitter",
        )
    ),
]
CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def declared_routes(app: FastAPI) -> set[tuple[str, str]]:
    """(method, path) of every route of the app that may change something, however FastAPI
    keeps the routers it includes."""

    def walk(routes: list[Any]) -> set[tuple[str, str]]:
        found: set[tuple[str, str]] = set()
        for route in routes:
            if hasattr(route, "effective_route_contexts"):  # an included router
                for context in route.effective_route_contexts():
                    methods = getattr(context.original_route, "methods", None) or set()
                    found |= {(m, context.path) for m in methods}
            elif hasattr(route, "routes") and not hasattr(route, "methods"):  # older versions
                found |= walk(route.routes)
            else:
                methods = getattr(route, "methods", None) or set()
                found |= {(m, route.path) for m in methods}
        return found

    return {(method, path) for method, path in walk(app.routes) if method in CHANGING}


# One user of each role (the first of the web tests' users with it).
USER_OF: dict[Role, str] = {}
for _username, (_role, _name) in USERS.items():
    USER_OF.setdefault(Role(_role), _username)


# -- what a request may leave behind -----------------------------------------------------------


async def footprint(office: Office, handle: ComplaintHandle | None) -> dict[str, Any]:
    """Everything a request could change: the complaint's rows in every table of the record and
    how many rows each holds, the other tables whole (but when a session was last seen), the
    stored files, the workflows started, the complaint's history. Taken once the complaint is
    at rest, so that nothing else moves it meanwhile."""
    found: dict[str, Any] = {}
    reference = reference_of(handle)
    async with office.sessions() as session:
        for table in Base.metadata.sorted_tables:
            columns = [c for c in table.columns if c.name != "last_seen_at"]
            query = select(*columns)
            if "reference" in table.columns:
                total = select(func.count()).select_from(table)
                found[f"{table.name} (rows)"] = await session.scalar(total)
                query = query.where(table.columns["reference"] == reference)
            found[table.name] = sorted(repr(tuple(row)) for row in await session.execute(query))
    files = office.settings.resolved_files_dir
    found["files"] = sorted(str(p) for p in files.rglob("*")) if files.exists() else []
    found["started"] = sorted(office.started_ids)
    if handle is not None:
        if await running(handle):  # an erasure's complaint has ended already
            await at_rest(handle)
        found["history"] = len((await handle.fetch_history()).events)
    return found


# -- how each route is called ----------------------------------------------------------------


def a_pdf() -> bytes:
    buffer = io.BytesIO()
    pdf = Canvas(buffer)
    pdf.drawString(72, 720, "Relevé de prestations")
    pdf.save()
    return buffer.getvalue()


def flattened(fields: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """An action's fields as its form in the page names them (document.name)."""
    form: dict[str, str] = {}
    for name, value in fields.items():
        if isinstance(value, dict):
            form.update(flattened(value, f"{prefix}{name}."))
        else:
            form[f"{prefix}{name}"] = str(value)
    return form


def action_fields(name: str, actor: str) -> dict[str, Any]:
    """Fields each action takes on a complaint made ready for it (`ready`)."""
    fields: dict[str, dict[str, Any]] = {
        "retry": {},
        "qualify": {},
        "classify": {"managing_body": "Gestion+"},
        "requalify_as_request": {"note": "Demande d'attestation fiscale."},
        "answer": {"decision": "upheld", "reasons": "Remboursement effectué."},
        "inform": {"reason": "further_review"},
        "suspend": {"reason": "medical_expertise"},
        "resume": {},
        "escalate": {"note": "Troisième relance du réclamant."},
        "contest": {"note": "Le réclamant conteste."},
        "mediate": {"step": "referral", "mediator": "La Médiation de l'Assurance"},
        "assign": {"assignee": actor},  # an agent assigns to themselves only
        "add_document": {"document": {"name": "Relevé", "kind": "supporting_document"}},
        "correct_address": {"postal_address": "3 rue Neuve\n69002 Lyon"},
        "mark_medical": {},
        "withdraw": {},
    }
    return fields[name]


async def ready(office: Office, name: str | None) -> ComplaintHandle:
    """A complaint in a state where action `name` is allowed, at rest."""
    handle = await office.start(sent_on=await office.today() - timedelta(days=3))
    if name == "resume":
        yesterday = await office.today() - timedelta(days=1)
        await office.act(handle, action("suspend", reason="medical_expertise", on=yesterday))
    if name in ("contest", "mediate"):
        await office.act(handle, action("answer", decision="rejected", reasons="Hors garantie."))
    if name == "retry":  # an incident: a record the database refuses for good
        async with trouble(office.settings.data_dir / "reclamations.db", *REFUSED):
            await office.signal(handle, action("assign", assignee="agent.b"))
            await until(lambda: office.state(handle), lambda state: state.open_incidents)
    await at_rest(handle)
    return handle


async def running(handle: ComplaintHandle) -> bool:
    """Whether the complaint's workflow runs (once erased, Temporal may have deleted it)."""
    try:
        described = await handle.describe()
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            return False
        raise
    return described.status == WorkflowExecutionStatus.RUNNING


def reference_of(handle: ComplaintHandle | None) -> str:
    return handle.id.removeprefix(WORKFLOW_ID_PREFIX) if handle else ""


Call = Callable[[httpx.AsyncClient, dict[str, str]], Awaitable[httpx.Response]]


async def request(
    office: Office, post: Post, handle: ComplaintHandle | None, actor: str, csrf: str | None
) -> Call:
    """How `post` is called on `handle`'s complaint by `actor`, with `csrf` as the form's token
    (left out when None): a call to make with a client and headers."""
    path = post.path.replace("{reference}", reference_of(handle))
    form = {} if csrf is None else {"csrf_token": csrf}
    today = await office.today()
    intake = intake_data(today - timedelta(days=3))
    if post.door == "api":
        if post.path == "/api/complaints":
            return lambda http, headers: http.post(path, json=intake, headers=headers)
        if post.path.endswith("/documents"):
            file = {"file": ("releve.pdf", a_pdf(), "application/pdf")}
            return lambda http, headers: http.post(
                path, files=file, data={"kind": "other"}, headers=headers
            )
        fields = action_fields(post.action or "", actor)
        return lambda http, headers: http.post(path, json=fields, headers=headers)
    if post.door == "codec":
        return lambda http, headers: http.post(path, json={"payloads": []}, headers=headers)
    if post.path == "/complaints/new":
        form |= flattened({k: v for k, v in intake.items() if k != "reference"})
        scan = {"scan": ("scan.pdf", a_pdf(), "application/pdf")}
        return lambda http, headers: http.post(path, data=form, files=scan, headers=headers)
    if post.path.endswith("/documents"):
        file = {"files": ("releve.pdf", a_pdf(), "application/pdf")}
        form["kind"] = "supporting_document"
        return lambda http, headers: http.post(path, data=form, files=file, headers=headers)
    if post.path.endswith("/conservation"):
        form["reason"] = "litigation"
    if post.action:
        path = path.replace("{name}", post.action)
        form |= flattened(action_fields(post.action, actor))
    if post.path.startswith("/filtres"):
        form |= {"name": "Mes retards", "query": "mine=1&retard=1"}
    if post.path == "/actions":
        form |= corrective_fields(today)
    if post.path == "/actions/{ident}":
        path = path.replace("{ident}", ident_of(handle))
        form |= {"kind": "progress", "note": "point d'étape"}
    return lambda http, headers: http.post(path, data=form, headers=headers)


def corrective_fields(today: date) -> dict[str, str]:
    return {
        "title": "Former l'équipe prestations",
        "description": "Les délais de remboursement dépassent la norme.",
        "root_cause": "delai_traitement",
        "owner": "louise",
        "due_on": (today + timedelta(days=20)).isoformat(),
        "check_on": (today + timedelta(days=120)).isoformat(),
    }


def ident_of(handle: ComplaintHandle | None) -> str:
    return handle.id.removeprefix(ACTION_WORKFLOW_PREFIX) if handle else ""


def is_action(handle: WorkflowHandle[Any, Any]) -> bool:
    return handle.id.startswith(ACTION_WORKFLOW_PREFIX)


async def complaint_for(office: Office, post: Post) -> ComplaintHandle | None:
    """The complaint a route acts on, readied; for a corrective action's route, its action's
    workflow (an action opened by a supervisor through the door)."""
    if "{ident}" in post.path:
        today = await office.today()
        ident = await office.service.open_action(
            Principal("louise", Role.supervisor),
            corrective_fields(today),
            await office.env.get_current_time(),
        )
        handle: ComplaintHandle = office.client.get_workflow_handle(action_workflow_id(ident))
        await at_rest(handle)
        return handle
    if post.path == ERASURE:
        return await closed_long_ago(office)
    return await ready(office, post.action) if "{reference}" in post.path else None


ERASURE = "/conformite/effacement/{reference}"


async def closed_long_ago(office: Office) -> ComplaintHandle:
    """A complaint an erasure on request may take (issue 28): withdrawn, and closed longer ago
    than the minimum period."""
    handle = await ready(office, None)
    await office.act(handle, action("withdraw"))
    await handle.result()
    office.started_ids.discard(handle.id)
    async with office.sessions.begin() as session:
        await session.execute(
            update(ComplaintRow)
            .where(ComplaintRow.reference == reference_of(handle))
            .values(closed_at=datetime.now(UTC) - timedelta(days=400))
        )
    return handle


def accepted(post: Post, response: httpx.Response) -> bool:
    if post.door == "api":
        return response.status_code in (200, 201)
    if post.door == "codec":
        return response.status_code == 200
    # A page's form goes on to the page it leads to; logging out, to the login page.
    login_page = response.headers.get("location", "").startswith("/login")
    return response.status_code == 303 and login_page is (post.path == "/logout")


async def settle_what_was_started(office: Office, before: set[str]) -> None:
    """A complaint registered by an accepted request, left at rest for the next footprint."""
    for ident in office.started_ids - before:
        handle = office.client.get_workflow_handle(ident)
        if not is_action(handle):  # an action's workflow records itself before it answers
            await office.settled(handle)
        await at_rest(handle)


async def caller(
    http: httpx.AsyncClient, bearer: dict[Role, dict[str, str]], post: Post, role: Role
) -> tuple[str, dict[str, str], str | None]:
    """(the actor's name, the request's headers, the form's token) for `role`, logged in anew."""
    http.cookies.clear()
    if post.door == "api":
        return f"jeton-{role.value}", bearer[role], None
    username = USER_OF[role]
    return username, {}, await login(http, username)


def universe(post: Post) -> list[Role]:
    """The roles that could try: API tokens may carry any role of TOKEN_ROLES (a complainant
    holds a private link, never a token), people log in with theirs."""
    return list(TOKEN_ROLES) if post.door == "api" else sorted(USER_OF)


# -- the checks, for the tests of this folder ----------------------------------------------------


async def check_roles(
    http: httpx.AsyncClient, office: Office, bearer: dict[Role, dict[str, str]], post: Post
) -> None:
    """Each role the table does not allow is refused (403) and leaves nothing behind; each role
    it allows is accepted, on a complaint of its own readied for it."""
    handle = await complaint_for(office, post)
    for role in [role for role in universe(post) if role not in post.roles]:
        who, headers, csrf = await caller(http, bearer, post, role)
        call = await request(office, post, handle, who, csrf)
        before = await footprint(office, handle)
        response = await call(http, headers)
        assert response.status_code == 403, (role, response.status_code, response.text[:300])
        assert await footprint(office, handle) == before, role
    for role in sorted(post.roles):
        handle = await complaint_for(office, post)  # each its own: most actions go once
        who, headers, csrf = await caller(http, bearer, post, role)
        call = await request(office, post, handle, who, csrf)
        started = set(office.started_ids)
        response = await call(http, headers)
        assert accepted(post, response), (role, response.status_code, response.text[:300])
        await settle_what_was_started(office, started)
        if handle is not None and not is_action(handle) and await running(handle):
            await office.settled(handle)
