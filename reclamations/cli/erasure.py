"""`complaints erase`, `complaints hold` and `complaints export-person` (issue 28): a
complainant's erasure request (RGPD art. 17) and the legal holds that refuse one, and an access
request (art. 15), for the compliance team, through the one door. The person acting is a user
of the application (`--by`: compliance; the Médecin Conseil too for an export, who alone gets
medical complaints), named in the audit log; nothing personal is printed."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reclamations.activities.person_export import person_zip
from reclamations.db.accounts import get_user
from reclamations.db.engine import create_engine, session_factory
from reclamations.domain.access import Principal, Role
from reclamations.domain.errors import ServiceError
from reclamations.domain.retention import HOLD_LABELS, HoldReason
from reclamations.service import ComplaintService
from reclamations.service.person import EXPORTERS
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

    export = commands.add_parser(
        "export-person",
        help="exporter tout ce qui est détenu sur une personne (droit d'accès)",
        description="Une synthèse PDF et une archive ZIP (courriers, documents, événements) des "
        "réclamations d'une personne, retrouvée par son adresse électronique ou son numéro "
        "d'adhérent ; les réclamations médicales pour le Médecin Conseil seulement.",
    )
    who = export.add_mutually_exclusive_group(required=True)
    who.add_argument("--email", help="adresse électronique de la personne")
    who.add_argument("--member-number", help="numéro d'adhérent de la personne")
    export.add_argument("--output", type=Path, required=True, help="archive ZIP à écrire")
    export.add_argument("--by", required=True, help="identifiant de l'utilisateur")
    export.set_defaults(handler=run_export)


def fail(message: str, code: int = 1) -> int:
    print(f"complaints : {message}", file=sys.stderr)
    return code


@asynccontextmanager
async def _door(
    username: str, roles: tuple[Role, ...] = (Role.compliance,)
) -> AsyncIterator[tuple[Principal, ComplaintService] | None]:
    """The door as `username` (None when they are not an active user of one of `roles`), its
    database closed once the command is done."""
    settings = Settings()
    engine = create_engine(settings.resolved_database_url)
    try:
        sessions = session_factory(engine)
        user = await get_user(sessions, username)
        if user is None or not user.active or user.role not in roles:
            yield None
            return
        keyring = load_keyring(settings)
        client = await connect_temporal(settings, keyring, sessions)
        service = complaint_service(client, settings, sessions, keyring)
        yield Principal(user.username, Role(user.role)), service
    finally:
        await engine.dispose()


COMPLIANCE_ONLY = "{} n'est pas un utilisateur actif du rôle conformité"


async def erase(args: argparse.Namespace) -> int:
    async with _door(args.by) as door:
        if door is None:
            return fail(COMPLIANCE_ONLY.format(args.by), 2)
        principal, service = door
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


async def hold(args: argparse.Namespace) -> int:
    async with _door(args.by) as door:
        if door is None:
            return fail(COMPLIANCE_ONLY.format(args.by), 2)
        principal, service = door
        try:
            if args.lift:
                await service.lift_hold(principal, args.reference)
                print(f"{args.reference} : conservation levée")
            else:
                reason = HoldReason(args.reason)
                await service.place_hold(principal, args.reference, reason, datetime.now(UTC))
                print(f"{args.reference} : conservation imposée ({HOLD_LABELS[reason]})")
        except ServiceError as error:
            return fail(str(error))
        return 0


def run_erase(args: argparse.Namespace) -> int:
    if bool(args.reference) == bool(args.pending):
        return fail("donnez soit une référence, soit --pending", 2)
    return asyncio.run(erase(args))


def run_hold(args: argparse.Namespace) -> int:
    if not args.lift and args.reason is None:
        return fail("donnez --reason (litigation ou mediation), ou --lift", 2)
    return asyncio.run(hold(args))


async def export_person(args: argparse.Namespace) -> int:
    async with _door(args.by, EXPORTERS) as door:
        if door is None:
            return fail(f"{args.by} n'est ni un utilisateur conformité ni le Médecin Conseil", 2)
        principal, service = door
        try:
            data = await service.person_data(
                principal, datetime.now(UTC), args.email, args.member_number, client="cli"
            )
        except ServiceError as error:
            return fail(str(error))
        args.output.write_bytes(person_zip(data))
        print(f"{len(data.complaints)} réclamation(s) exportée(s) dans {args.output}")
        return 0


def run_export(args: argparse.Namespace) -> int:
    return asyncio.run(export_person(args))
