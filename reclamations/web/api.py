"""The intake API for back-office systems: start complaints, read them, act on them.

Authentication: `Authorization: Bearer <token>`, tokens made with `complaints tokens create`;
the token's name is the actor on the record and its role decides what it may do (rule
15). Every route goes through the application service; this module parses and presents.
"""
# No `from __future__ import annotations` here: FastAPI reads the action routes' body types
# from their signatures, built in a loop below.

from typing import Annotated, Any

from fastapi import (
    APIRouter,
    Body,
    Depends,
    File,
    Form,
    HTTPException,
    Path,
    Query,
    Request,
    Response,
    UploadFile,
)
from fastapi.responses import PlainTextResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import Field, SkipValidation, create_model

from reclamations.db.accounts import token_principal
from reclamations.domain.access import Principal
from reclamations.domain.actions import ACTION_LABELS, ACTIONS, Action
from reclamations.domain.intake import ComplaintIntake, DocumentKind
from reclamations.domain.search import MAX_QUERY
from reclamations.service import Upload
from reclamations.web.context import WebContext, context
from reclamations.web.files import attachment
from reclamations.web.schemas import (
    ComplaintCreated,
    ComplaintOut,
    Deadlines,
    Links,
    Problem,
    SearchOut,
    ValidationProblem,
    complaint_out,
    search_out,
)
from reclamations.workflows.messages import workflow_id

router = APIRouter(prefix="/api", tags=["API des systèmes de gestion"])
bearer = HTTPBearer(auto_error=False, description="Jeton créé par `complaints tokens create`")


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
    "qualify": {
        "category": "benefits",
        "product_line": "sante",
        "reason": "prestations",
        "sub_reason": "delai",
        "complainant_type": "member",
        "on_behalf_of": "agent.martin",
    },
    "classify": {"reason": "prestations", "sub_reason": "refus", "managing_body": "Gestion+"},
    "requalify_as_request": {"note": "Demande d'attestation fiscale."},
    "assign": {"assignee": "agent.martin"},
    "add_document": {
        "document": {"name": "Relevé de prestations", "kind": "supporting_document"},
    },
    "suspend": {"reason": "medical_expertise", "on": "2026-11-27"},
    "resume": {"on": "2026-12-04"},
    "escalate": {"level": 2, "note": "Troisième relance du réclamant."},
    "answer": {
        "on_behalf_of": "agent.martin",
        "decision": "partly_upheld",
        "reasons": "Remboursement de 185,00 € effectué ; les frais de relance ne sont pas dus.",
        "documents_considered": ["Conditions générales, article 12"],
        "compensation": "35.00",
        "root_cause": "erreur_gestion",
    },
    "contest": {"note": "Le réclamant conteste par écrit le 3 décembre."},
    "mediate": {
        "step": "referral",
        "on": "2026-12-10",
        "mediator": "La Médiation de l'Assurance",
        "file_number": "LMA-2026-481",
    },
    "mark_medical": {"on_behalf_of": "agent.martin"},
    "withdraw": {"note": "Le réclamant retire sa réclamation."},
    "retry": {"on_behalf_of": "exploitation.lyon"},
    "inform": {
        "reason": "third_party",
        "details": "Nous attendons le rapport de l'expert mandaté par votre assureur auto.",
        "expected_on": "2026-12-18",
    },
    "correct_address": {"postal_address": "12 rue des Tilleuls\n69003 Lyon"},
}


async def api_caller(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None = Depends(bearer),
    ctx: WebContext = Depends(context),
) -> Principal:
    """The back-office system behind the request (already found by web.edges when the request
    has a body), or 401."""
    principal: Principal | None = getattr(request.state, "principal", None)
    if principal is None and credentials:
        principal = await token_principal(ctx.sessions, credentials.credentials)
    if principal is None:
        raise HTTPException(
            status_code=401,
            detail="Jeton d'accès manquant, invalide, révoqué ou expiré "
            "(en-tête Authorization: Bearer …).",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return principal


COMMON_PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem},
    403: {"model": Problem, "description": "Le rôle du jeton ne le permet pas"},
    404: {"model": Problem},
    503: {"model": Problem},
}


@router.post(
    "/complaints",
    status_code=201,
    response_model=ComplaintCreated,
    summary="Enregistrer une réclamation",
    responses={
        **COMMON_PROBLEMS,
        200: {"model": ComplaintCreated, "description": "Référence déjà connue : rien de nouveau"},
        422: {"model": ValidationProblem, "description": "Chaque champ invalide, et pourquoi"},
    },
)
async def create_complaint(
    response: Response,
    # Documented as the intake, validated once by the service: there, the checks against
    # today's date run beside the others, so every problem is named at once (issue 24).
    intake: Annotated[SkipValidation[ComplaintIntake], Body(openapi_examples=INTAKE_EXAMPLES)],
    caller: Principal = Depends(api_caller),
    ctx: WebContext = Depends(context),
) -> ComplaintCreated:
    """Starts the complaint's workflow. The same `reference` twice returns the existing
    complaint (status 200) with the deadlines it was given, and starts nothing new. Without
    `reference`, one is generated. A refused intake names every invalid field at once."""
    registered = await ctx.service.register(caller, intake)
    if not registered.created:
        response.status_code = 200
    ident = workflow_id(registered.reference)
    return ComplaintCreated(
        reference=registered.reference,
        workflow_id=ident,
        created=registered.created,
        deadlines=Deadlines(
            acknowledgement_due=registered.acknowledgement_due,
            quality_target_due=registered.quality_target_due,
            final_due=registered.final_due,
        ),
        links=Links(
            self=f"/api/complaints/{registered.reference}",
            ui=f"/complaints/{registered.reference}",
            history=ctx.history_url(ident),
        ),
    )


@router.get(
    "/search",
    summary="Rechercher des réclamations",
    responses={**COMMON_PROBLEMS, 422: {"model": ValidationProblem}},
)
async def search_complaints(
    q: Annotated[str, Query(min_length=1, max_length=MAX_QUERY)],
    caller: Principal = Depends(api_caller),
    ctx: WebContext = Depends(context),
) -> SearchOut:
    """Complaints by reference (exact, or its number alone), complainant's name (accents,
    case, word order and one typo per word forgiven), member number or email; the newest
    first, 20 at most (`more` says there were others), each with why it matched. What the
    token's role may see only: an agent's finds unassigned complaints and its own; a medical
    complainant is found by name, email or member number by a `medical_advisor` token alone,
    and by reference by others, without its identity. `compliance` tokens: 403."""
    return search_out(await ctx.service.search(caller, q))


@router.get(
    "/complaints/{reference}",
    summary="Lire une réclamation",
    responses=COMMON_PROBLEMS,
)
async def read_complaint(
    reference: str, caller: Principal = Depends(api_caller), ctx: WebContext = Depends(context)
) -> ComplaintOut:
    """The complaint's full state: status, deadlines, suspensions, documents, letters, events.
    A medical complaint's content and its complainant's identity are for a `medical_advisor`
    token only: others read "[réservé au Médecin Conseil]" in their place."""
    return complaint_out((await ctx.service.read(caller, reference)).complaint)


@router.post(
    "/complaints/{reference}/documents",
    summary="Déposer un fichier",
    responses={
        **COMMON_PROBLEMS,
        409: {"model": Problem, "description": "Réclamation close"},
        413: {"model": Problem, "description": "Requête trop volumineuse"},
        422: {"model": ValidationProblem, "description": "Type ou taille refusés, et pourquoi"},
    },
)
async def upload_document(
    reference: str,
    file: UploadFile = File(description="PDF, JPEG, PNG ou TIFF (le type est lu dans le contenu)"),
    kind: DocumentKind = Form(DocumentKind.other, description="nature du document"),
    on_behalf_of: str | None = Form(None, description="pour le compte de"),
    caller: Principal = Depends(api_caller),
    ctx: WebContext = Depends(context),
) -> ComplaintOut:
    """A file joins the complaint as a document (rules 12 and 16), as multipart form
    data. Its checksum identifies it: the same file sent again is kept once. Sizes are bounded
    per file and per complaint (settings); a medical complaint's files are encrypted at rest."""
    upload = Upload(name=file.filename or "document", content=await file.read(), kind=kind.value)
    reading = await ctx.service.add_file(caller, reference, upload, on_behalf_of)
    return complaint_out(reading.complaint)


@router.get(
    "/complaints/{reference}/documents/{sha256}",
    summary="Lire un fichier",
    response_class=Response,
    responses={**COMMON_PROBLEMS, 200: {"description": "Le fichier, avec son type réel"}},
)
async def read_document(
    reference: str,
    sha256: str = Path(pattern=r"^[0-9a-f]{64}$", description="empreinte SHA-256 du fichier"),
    caller: Principal = Depends(api_caller),
    ctx: WebContext = Depends(context),
) -> Response:
    """A document's file, for a token that may read the complaint's content (a medical
    complaint's: a `medical_advisor` token)."""
    found = await ctx.service.document_file(caller, reference, sha256)
    return Response(
        found.content,
        media_type=found.media_type.value,
        headers={"Content-Disposition": attachment(found.name)},
    )


@router.get(
    "/complaints/{reference}/documents/{sha256}/text",
    summary="Lire le texte d'un scan",
    response_class=PlainTextResponse,
    responses={**COMMON_PROBLEMS, 200: {"description": "Le texte reconnu (OCR), en UTF-8"}},
)
async def read_document_text(
    reference: str,
    sha256: str = Path(pattern=r"^[0-9a-f]{64}$", description="empreinte SHA-256 du fichier"),
    caller: Principal = Depends(api_caller),
    ctx: WebContext = Depends(context),
) -> PlainTextResponse:
    """A scanned document's text, read by OCR (Tesseract, French) the first time and kept
    beside the scan; for whoever may read the scan. 404 when OCR is not installed or the
    file is not an image."""
    text = await ctx.service.document_text(caller, reference, sha256)
    return PlainTextResponse(text)


def _action_route(name: str, model: type[Action]) -> None:
    examples: dict[str, Any] = {"exemple": {"value": ACTION_EXAMPLES[name]}}
    # The caller is the actor: `actor` is no longer needed, and when given (older clients) it
    # is kept as `on_behalf_of`.
    body_model: Any = create_model(
        f"{model.__name__}Body",
        __base__=model,
        actor=(str | None, Field(None, description="ancien nom de on_behalf_of")),
    )

    async def act(
        reference: str,
        action: body_model = Body(openapi_examples=examples),
        caller: Principal = Depends(api_caller),
        ctx: WebContext = Depends(context),
    ) -> ComplaintOut:
        fields = action.model_dump(mode="json", exclude_unset=True)
        reading = await ctx.service.act(caller, reference, name, fields)
        return complaint_out(reading.complaint)

    act.__name__ = f"action_{name}"
    router.add_api_route(
        f"/complaints/{{reference}}/actions/{name}",
        act,
        methods=["POST"],
        summary=ACTION_LABELS[name],
        description=(model.__doc__ or ACTION_LABELS[name])
        + "\n\nRefusée (409, avec la raison) quand l'état de la réclamation ne la permet pas ; "
        "403 quand le rôle du jeton ne la permet pas.",
        responses={
            **COMMON_PROBLEMS,
            409: {"model": Problem, "description": "Action refusée, et pourquoi"},
            422: {"model": ValidationProblem},
        },
    )


for _name, _model in ACTIONS.items():
    _action_route(_name, _model)
