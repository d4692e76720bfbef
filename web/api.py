"""The intake API for back-office systems: start complaints, read them, act on them.

Authentication: `Authorization: Bearer <token>`, tokens made with `complaints tokens create`.
"""
# No `from __future__ import annotations` here: FastAPI reads the action routes' body types
# from their signatures, built in a loop below.

from datetime import UTC, date, datetime
from typing import Any

from fastapi import APIRouter, Body, Depends, HTTPException, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ValidationError
from temporalio.client import WorkflowUpdateFailedError
from temporalio.service import RPCError, RPCStatusCode

from db.accounts import token_owner
from db.models import ComplaintRow
from db.references import next_reference
from domain.actions import ACTION_LABELS, ACTIONS, Action
from domain.complaint import Complaint
from domain.deadlines import quality_target_deadline
from domain.errors import FieldError, describe_errors
from domain.intake import ComplaintIntake
from domain.planning import plan_complaint
from web.context import WebContext, context
from workflows.client import (
    complaint_state,
    execute_action,
    refusal_reason,
    register_complaint,
)
from workflows.complaint import ComplaintWorkflow
from workflows.messages import workflow_id

router = APIRouter(prefix="/api", tags=["API des systèmes de gestion"])
bearer = HTTPBearer(auto_error=False, description="Jeton créé par `complaints tokens create`")


class ErrorDetail(BaseModel):
    field: str
    message: str


class ValidationProblem(BaseModel):
    detail: list[ErrorDetail]


class Problem(BaseModel):
    detail: str


class Deadlines(BaseModel):
    acknowledgement_due: date | None
    quality_target_due: date | None
    final_due: date | None


class Links(BaseModel):
    self: str
    ui: str
    history: str


class ComplaintCreated(BaseModel):
    reference: str
    workflow_id: str
    created: bool
    deadlines: Deadlines
    links: Links


INTAKE_EXAMPLES: dict[str, Any] = {
    "email": {
        "summary": "Réclamation par courriel",
        "value": {
            "reference": "REC-2026-000101",
            "channel": "email",
            "sent_on": "2026-11-20T18:42:00+01:00",
            "complainant": {
                "name": "Hélène Garnier",
                "email": "helene.garnier@example.fr",
                "member_number": "MX-4471203",
            },
            "subject": "Remboursement de frais d'optique toujours en attente",
            "description": "Facture envoyée le 2 octobre, remboursement de 185,00 € non reçu.",
            "category": "benefits",
            "documents": [{"name": "Facture opticien.pdf", "kind": "supporting_document"}],
        },
    },
    "medical_post": {
        "summary": "Réclamation médicale par courrier",
        "value": {
            "channel": "post",
            "sent_on": "2026-11-16",
            "complainant": {
                "name": "Bernard Lefèvre",
                "postal_address": "4 place de l'Église\n57000 Metz",
            },
            "subject": "Contestation d'un refus après examen médical",
            "description": "Je conteste la décision du Médecin Conseil.",
            "medical": True,
            "calendar": "moselle",
        },
    },
}

ACTION_EXAMPLES: dict[str, dict[str, Any]] = {
    "qualify": {"actor": "gestion.lyon", "category": "benefits"},
    "requalify_as_request": {"actor": "gestion.lyon", "note": "Demande d'attestation fiscale."},
    "assign": {"actor": "gestion.lyon", "assignee": "agent.martin"},
    "add_document": {
        "actor": "gestion.lyon",
        "document": {"name": "Relevé de prestations", "kind": "supporting_document"},
    },
    "suspend": {"actor": "gestion.lyon", "reason": "medical_expertise", "on": "2026-11-27"},
    "resume": {"actor": "gestion.lyon", "on": "2026-12-04"},
    "escalate": {"actor": "gestion.lyon", "level": 2, "note": "Troisième relance du réclamant."},
    "answer": {
        "actor": "gestion.lyon",
        "decision": "partly_upheld",
        "reasons": "Remboursement de 185,00 € effectué ; les frais de relance ne sont pas dus.",
        "documents_considered": ["Conditions générales, article 12"],
    },
    "contest": {"actor": "gestion.lyon", "note": "Le réclamant conteste par écrit le 3 décembre."},
    "withdraw": {"actor": "gestion.lyon", "note": "Le réclamant retire sa réclamation."},
}


async def api_caller(
    credentials: HTTPAuthorizationCredentials | None = Depends(bearer),
    ctx: WebContext = Depends(context),
) -> str:
    """The back-office system behind the request, or 401."""
    owner = await token_owner(ctx.sessions, credentials.credentials) if credentials else None
    if owner is None:
        raise HTTPException(
            status_code=401,
            detail="Jeton d'accès manquant ou invalide (en-tête Authorization: Bearer …).",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return owner


def validation_problem(errors: list[FieldError]) -> HTTPException:
    return HTTPException(
        status_code=422, detail=[{"field": e.field, "message": e.message} for e in errors]
    )


def not_found(reference: str) -> HTTPException:
    return HTTPException(status_code=404, detail=f"Aucune réclamation {reference}.")


def unavailable() -> HTTPException:
    return HTTPException(
        status_code=503, detail="Temporal est indisponible : rien n'a été enregistré, réessayez."
    )


def created_body(
    ctx: WebContext, reference: str, intake: ComplaintIntake, created: bool
) -> ComplaintCreated:
    plan = plan_complaint(intake, ctx.settings.policy)
    quality = quality_target_deadline(plan.sent_on, []).due if plan.written else None
    ident = workflow_id(reference)
    return ComplaintCreated(
        reference=reference,
        workflow_id=ident,
        created=created,
        deadlines=Deadlines(
            acknowledgement_due=plan.acknowledgement_due,
            quality_target_due=quality,
            final_due=plan.final_due,
        ),
        links=Links(
            self=f"/api/complaints/{reference}",
            ui=f"/complaints/{reference}",
            history=ctx.history_url(ident),
        ),
    )


@router.post(
    "/complaints",
    status_code=201,
    response_model=ComplaintCreated,
    summary="Enregistrer une réclamation",
    responses={
        200: {"model": ComplaintCreated, "description": "Référence déjà connue : rien de nouveau"},
        401: {"model": Problem},
        422: {"model": ValidationProblem, "description": "Chaque champ invalide, et pourquoi"},
        503: {"model": Problem},
    },
)
async def create_complaint(
    response: Response,
    intake: ComplaintIntake = Body(openapi_examples=INTAKE_EXAMPLES),
    caller: str = Depends(api_caller),
    ctx: WebContext = Depends(context),
) -> ComplaintCreated:
    """Starts the complaint's workflow. The same `reference` twice returns the existing
    complaint (status 200) and starts nothing new. Without `reference`, one is generated."""
    try:
        reference, sealed, created = await register_complaint(
            ctx.temporal,
            intake.model_dump(mode="json", exclude_unset=True),
            datetime.now(UTC),
            lambda year: next_reference(ctx.sessions, year),
            ctx.seal,
            ctx.settings.task_queue,
        )
    except ValidationError as error:
        raise validation_problem(describe_errors(error)) from None
    except RPCError as error:
        raise unavailable() from error
    if not created:
        response.status_code = 200
    return created_body(ctx, reference, sealed, created)


async def current_state(ctx: WebContext, reference: str) -> Complaint:
    try:
        state = await complaint_state(ctx.temporal, reference)
    except RPCError as error:
        if error.status != RPCStatusCode.NOT_FOUND:
            raise unavailable() from error
        state = None
    if state is None:
        async with ctx.sessions() as session:
            row = await session.get(ComplaintRow, reference)
        if row is None:
            raise not_found(reference)
        state = Complaint.model_validate(row.snapshot)
    return state


@router.get(
    "/complaints/{reference}",
    response_model=Complaint,
    summary="Lire une réclamation",
    responses={401: {"model": Problem}, 404: {"model": Problem}},
)
async def read_complaint(
    reference: str, caller: str = Depends(api_caller), ctx: WebContext = Depends(context)
) -> Complaint:
    """The complaint's full state: status, deadlines, suspensions, documents, letters, events.
    A medical complaint's content stays sealed: only the Médecin Conseil reads it, in the UI."""
    return await current_state(ctx, reference)


async def send_action(ctx: WebContext, reference: str, action: Action) -> Complaint:
    """Through the workflow's validated update: the new state, or 409 and the reason."""
    async with ctx.sessions() as session:
        row = await session.get(ComplaintRow, reference)
    medical = row.medical if row is not None else (await current_state(ctx, reference)).medical
    if medical:
        action = action.sealed(ctx.seal)
    handle = ctx.temporal.get_workflow_handle_for(ComplaintWorkflow.run, workflow_id(reference))
    try:
        return await execute_action(handle, action)
    except WorkflowUpdateFailedError as refused:
        raise HTTPException(status_code=409, detail=refusal_reason(refused)) from None
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            if row is not None:
                raise HTTPException(
                    status_code=409, detail="La réclamation est close : plus aucune action."
                ) from None
            raise HTTPException(
                status_code=404, detail=f"Aucune réclamation {reference}."
            ) from None
        raise unavailable() from error


def _action_route(name: str, model: type[Action]) -> None:
    examples: dict[str, Any] = {"exemple": {"value": ACTION_EXAMPLES[name]}}

    async def act(
        reference: str,
        action: model = Body(openapi_examples=examples),  # type: ignore[valid-type]
        caller: str = Depends(api_caller),
        ctx: WebContext = Depends(context),
    ) -> Complaint:
        return await send_action(ctx, reference, action)

    act.__name__ = f"action_{name}"
    router.add_api_route(
        f"/complaints/{{reference}}/actions/{name}",
        act,
        methods=["POST"],
        response_model=Complaint,
        summary=ACTION_LABELS[name],
        description=(model.__doc__ or ACTION_LABELS[name])
        + "\n\nRefusée (409, avec la raison) quand l'état de la réclamation ne la permet pas.",
        responses={
            401: {"model": Problem},
            404: {"model": Problem},
            409: {"model": Problem, "description": "Action refusée, et pourquoi"},
            422: {"model": ValidationProblem},
        },
    )


for _name, _model in ACTIONS.items():
    _action_route(_name, _model)
