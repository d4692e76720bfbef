"""`complaints erase` and `complaints hold` (issue 28): a complainant's erasure request
(RGPD art. 17) and the legal holds that refuse one, for the compliance team, through the one
door. The person acting is a compliance user of the application (`--by`), named in the audit
log; nothing personal is printed."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime
from typing import Any

from reclamations.db.accounts import get_user
from reclamations.db.engine import create_engine, session_factory
from reclamations.domain.access import Principal, Role
from reclamations.domain.errors import ServiceError
from reclamations.domain.retention import HOLD_LABELS, HoldReason
from reclamations.service import ComplaintService
from reclamations.settings import Settings
from reclamations.wiring import complaint_service, connect_temporal, load_keyring


def add_parsers(commands: Any) -> None:
    erase = commands.add_parser(
        "erase",
        help="effacer les données personnelles d'une réclamation close (droit à l'effacement)",
        description="Détruit la clé de la réclamation puis réduit ses données à ce que le "
        "registre exige ; refusé, avec la raison, si la loi impose encore de les garder.",
    )
    erase.add_argument("reference", nargs="?", help="référence de la réclamation")
    erase.add_argument(
        "--pending", action="store_true", help="terminer les effacements interrompus"
    )
    erase.add_argument("--by", required=True, help="identifiant de l'utilisateur conformité")
    erase.set_defaults(handler=run_erase)

    hold = commands.add_parser(
        "hold",
        help="poser ou lever une conservation imposée (litige, saisine du Médiateur)",
        description="Tant qu'une conservation est posée, la réclamation n'est pas effacée.",
    )
    hold.add_argument("reference", help="référence de la réclamation")
    hold.add_argument("--reason", choices=[r.value for r in HoldReason], help="motif")
    hold.add_argument("--lift", action="store_true", help="lever la conservation")
    hold.add_argument("--by", required=True, help="identifiant de l'utilisateur conformité")
    hold.set_defaults(handler=run_hold)


def fail(message: str, code: int = 1) -> int:
    print(f"complaints : {message}", file=sys.stderr)
    return code


async def _compliance(settings: Settings, username: str) -> tuple[Principal | None, Any]:
    engine = create_engine(settings.resolved_database_url)
    sessions = session_factory(engine)
    user = await get_user(sessions, username)
    if user is None or not user.active or user.role != Role.compliance:
        await engine.dispose()
        return None, None
    return Principal(user.username, Role.compliance), engine


async def _service(settings: Settings, engine: Any) -> ComplaintService:
    keyring = load_keyring(settings)
    sessions = session_factory(engine)
    client = await connect_temporal(settings, keyring, sessions)
    return complaint_service(client, settings, sessions, keyring)


async def erase(args: argparse.Namespace) -> int:
    settings = Settings()
    principal, engine = await _compliance(settings, args.by)
    if principal is None:
        return fail(f"{args.by} n'est pas un utilisateur actif du rôle conformité", 2)
    try:
        service = await _service(settings, engine)
        references = await service.pending_erasures() if args.pending else [args.reference]
        failed = 0
        for reference in references:
            try:
                await service.erase(principal, reference, datetime.now(UTC), client="cli")
                print(f"{reference} : effacée")
            except ServiceError as error:
                print(f"complaints : {error}", file=sys.stderr)
                failed += 1
        if args.pending and not references:
            print("aucun effacement en attente")
        return 1 if failed else 0
    finally:
        await engine.dispose()


async def hold(args: argparse.Namespace) -> int:
    settings = Settings()
    principal, engine = await _compliance(settings, args.by)
    if principal is None:
        return fail(f"{args.by} n'est pas un utilisateur actif du rôle conformité", 2)
    try:
        service = await _service(settings, engine)
        if args.lift:
            await service.lift_hold(principal, args.reference)
            print(f"{args.reference} : conservation levée")
        else:
            reason = HoldReason(args.reason)
            await service.place_hold(principal, args.reference, reason, datetime.now(UTC))
            print(f"{args.reference} : conservation imposée ({HOLD_LABELS[reason]})")
        return 0
    except ServiceError as error:
        return fail(str(error))
    finally:
        await engine.dispose()


def run_erase(args: argparse.Namespace) -> int:
    if bool(args.reference) == bool(args.pending):
        return fail("donnez soit une référence, soit --pending", 2)
    return asyncio.run(erase(args))


def run_hold(args: argparse.Namespace) -> int:
    if not args.lift and args.reason is None:
        return fail("donnez --reason (litigation ou mediation), ou --lift", 2)
    return asyncio.run(hold(args))
