"""The codec server: lets the Temporal Web UI show decrypted payloads to logged-in operators.

The UI posts `{"payloads": [...]}` to /codec/decode (and /codec/encode) from the browser, with
the session cookie of this app (same site) and the namespace (X-Namespace), not the workflow:
each payload names the workflow it is bound to (security/codec.py). Only operators, supervisors
and the Médecin Conseil may decode; a payload that belongs to a medical complaint (it carries
sealed content, or its complaint is medical now: one found medical after it was registered
holds its content unsealed in the history from before, issue 27) opens for the Médecin Conseil
only, and stays encrypted for everyone else (rule 11).

A batch (up to settings.max_codec_body_bytes) is parsed, opened and written back in a thread,
never on the event loop, so every other page keeps answering while an operator reads a long
history; in threads of the endpoint's own (settings.codec_threads), so a flood of batches waits
its turn there and never takes the threads the rest of the app runs on.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping
from typing import Any

from cryptography.exceptions import InvalidTag
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from google.protobuf import json_format
from google.protobuf.message import DecodeError
from sqlalchemy import select
from temporalio.api.common.v1 import Payload, Payloads

from reclamations.db.models import ComplaintRow
from reclamations.domain.access import Role, can_read_content, may_read_histories
from reclamations.security.codec import BOUND_TO, EncryptionCodec, complaint_reference
from reclamations.security.keyring import Erased, Keyring, KeyringError
from reclamations.security.sealing import contains_sealed, open_all
from reclamations.web.context import WebContext, context
from reclamations.web.local_codec import LOCAL_CODEC, local_codec_principal
from reclamations.web.sessions import logged_in

router = APIRouter(prefix="/codec", include_in_schema=False)


def allowed_origins(ctx: WebContext) -> set[str]:
    configured = {o.rstrip("/") for o in ctx.settings.codec_allowed_origins}
    ui = ctx.settings.temporal_ui_url.rstrip("/")
    # The same Web UI, whichever of its local names the browser uses.
    twins = {ui.replace("localhost", "127.0.0.1"), ui.replace("127.0.0.1", "localhost")}
    return configured | {ui} | twins


def allowed(ctx: WebContext, origin: str) -> bool:
    return origin.rstrip("/") in allowed_origins(ctx)


def cors_for(ctx: WebContext, origin: str | None) -> dict[str, str]:
    """CORS headers for the Web UI's origin, on every answer, refusals included (web.edges
    adds them)."""
    if origin is None or not allowed(ctx, origin):
        return {}
    return {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Allow-Credentials": "true",
        "Access-Control-Allow-Methods": "POST, OPTIONS",
        "Access-Control-Allow-Headers": "Content-Type, X-Namespace, Authorization",
        "Vary": "Origin",
    }


def checked_origin(request: Request, ctx: WebContext) -> None:
    """Refused when the request comes from a page of another site than the Temporal Web UI.
    Requests with no origin come from programs, not from a browser page."""
    origin = request.headers.get("origin")
    if origin is not None and not allowed(ctx, origin):
        raise HTTPException(403, f"Origine non autorisée : {origin}")


async def decoding_role(request: Request, ctx: WebContext) -> Role:
    if request.url.path.startswith(LOCAL_CODEC):
        principal = local_codec_principal(ctx, request.url.path)
    else:
        session = await logged_in(request, ctx)
        principal = session.principal if session else None
    if principal is None:
        raise HTTPException(401, "Connectez-vous à l'interface Réclamations pour déchiffrer.")
    if not may_read_histories(principal.role):
        raise HTTPException(403, "Votre rôle ne permet pas de lire les historiques Temporal.")
    return principal.role


def is_medical(payload: Payload) -> bool:
    text = payload.data.decode("utf-8", errors="replace")
    return contains_sealed(text) or '"medical":true' in text.replace(" ", "")


# What an erased complaint's payloads read as (issue 28): its key is destroyed, so nothing of
# them opens again, and the Web UI says so rather than showing ciphertext or failing.
ERASED = Payload(metadata={"encoding": b"json/plain"}, data=json.dumps("[effacé]").encode())


def bound_to(payload: Payload) -> str:
    return payload.metadata.get(BOUND_TO, b"").decode(errors="replace")


async def medical_now(ctx: WebContext, payloads: list[Payload]) -> frozenset[str]:
    """The workflows, among those the payloads are bound to, whose complaint is medical now
    (the record says so from the moment it is marked: service/medical.py)."""
    workflows = {
        reference: bound
        for bound in {bound_to(p) for p in payloads}
        if (reference := complaint_reference(bound)) is not None
    }
    if not workflows:
        return frozenset()
    async with ctx.sessions() as session:
        medical = await session.scalars(
            select(ComplaintRow.reference).where(
                ComplaintRow.reference.in_(workflows), ComplaintRow.medical.is_(True)
            )
        )
        return frozenset(workflows[reference] for reference in medical)


def decode_one(
    codec: EncryptionCodec,
    ctx: WebContext,
    payload: Payload,
    role: Role,
    keyrings: Mapping[str, Keyring | None],
    medical: frozenset[str] = frozenset(),
) -> Payload:
    """`medical`: the workflows whose complaint is medical now, whatever their payload says."""
    try:
        opened = codec.decode_one(payload, keyrings)
    except Erased:
        return ERASED
    except (InvalidTag, KeyringError, DecodeError, KeyError, ValueError):
        return payload  # tampered or from another install: shown as it is, the rest still opens
    if not is_medical(opened) and bound_to(payload) not in medical:
        return opened
    if not can_read_content(role, medical=True):
        return payload  # stays encrypted: medical content is for the Médecin Conseil only
    # Sealed with the complaint's own key (issue 28), or, before it had one, with the keyring.
    keyring = keyrings.get(bound_to(payload)) or ctx.keyring
    return Payload(
        metadata=opened.metadata,
        data=open_all(keyring, opened.data.decode("utf-8", "replace")).encode("utf-8"),
    )


def read_payloads(body: bytes) -> list[Payload]:
    try:
        return list(json_format.Parse(body.decode("utf-8"), Payloads()).payloads)
    except UnicodeDecodeError:
        raise HTTPException(400, "Corps invalide : ce n'est pas du JSON en UTF-8.") from None
    except json_format.ParseError as error:
        raise HTTPException(400, f"Corps invalide : {error}") from None


def written(payloads: list[Payload]) -> bytes:
    body: dict[str, Any] = json_format.MessageToDict(Payloads(payloads=payloads))
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


async def answer(
    request: Request, ctx: WebContext, work: Callable[[list[Payload]], list[Payload]]
) -> Response:
    """The batch in the request, through `work`, in a thread: the event loop only waits."""
    body = await request.body()
    content = await asyncio.get_running_loop().run_in_executor(
        ctx.codec_threads, lambda: written(work(read_payloads(body)))
    )
    # With CORS headers for the Web UI, from web.edges.
    return Response(content, media_type="application/json")


@router.options("/{operation}")
@router.options("/local/{key}/{operation}")
async def preflight(
    operation: str, request: Request, ctx: WebContext = Depends(context)
) -> Response:
    checked_origin(request, ctx)
    return Response(status_code=204)


@router.post("/decode")
@router.post("/local/{key}/decode")
async def decode(request: Request, ctx: WebContext = Depends(context)) -> Response:
    checked_origin(request, ctx)
    role = await decoding_role(request, ctx)
    codec = EncryptionCodec(ctx.keyring, refuse_plain=False, keys=ctx.complaint_keys)
    # The complaints' own keys are looked up on the loop (the database is async); parsing
    # and decryption run in the endpoint's threads.
    body = await request.body()
    parsed = await asyncio.get_running_loop().run_in_executor(
        ctx.codec_threads, read_payloads, body
    )
    keyrings = await codec.keyrings(parsed)
    medical = await medical_now(ctx, parsed)
    return await answer(
        request,
        ctx,
        lambda payloads: [decode_one(codec, ctx, p, role, keyrings, medical) for p in payloads],
    )


@router.post("/encode")
@router.post("/local/{key}/encode")
async def encode(request: Request, ctx: WebContext = Depends(context)) -> Response:
    """What the Web UI would send to a workflow (a signal, an update, a start) is handed back
    unencrypted: the worker refuses and records it (rule 15). Agents act through the
    application, where their role is checked and their name recorded."""
    checked_origin(request, ctx)
    await decoding_role(request, ctx)
    return await answer(request, ctx, lambda payloads: payloads)
