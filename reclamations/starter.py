"""Start a complaint from an intake file, or send an action to a running one.

    python -m reclamations.starter examples/email_benefits.json
    python -m reclamations.starter --reference REC-2026-000101 --action qualify \\
        --on-behalf-of agent.martin
    python -m reclamations.starter --reference REC-2026-000101 --action answer \\
        --data '{"decision": "rejected", "reasons": "Le contrat ne couvre pas ce soin."}'

Dates written relative to today ("J-2") are made real first (domain/relative_days.py).

It acts as an API token (--token, or RECLAMATIONS_API_TOKEN), with that token's role, through
the same application service as the API and the UI. Settings come from RECLAMATIONS_*
environment variables (or .env), as for the worker.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

from sqlalchemy.exc import DBAPIError

from reclamations.db.accounts import token_principal
from reclamations.db.engine import SessionFactory, create_engine, session_factory
from reclamations.domain.access import Principal
from reclamations.domain.actions import ACTION_LABELS, ACTIONS
from reclamations.domain.complaint import STATUS_LABELS
from reclamations.domain.errors import Invalid, Refused, ServiceError
from reclamations.domain.french import long_date
from reclamations.domain.relative_days import dated
from reclamations.service import ComplaintService
from reclamations.settings import Settings
from reclamations.wiring import complaint_service, connect_temporal, load_keyring
from reclamations.workflows.messages import workflow_id

EPILOG = """\
actions : {actions}

Exemples :
  python -m reclamations.starter examples/email_benefits.json
  python -m reclamations.starter --reference REC-2026-000101 --action qualify \\
      --on-behalf-of agent.martin
  python -m reclamations.starter --reference REC-2026-000101 --action suspend \\
      --data '{{"reason": "medical_expertise"}}'
  python -m reclamations.starter --reference REC-2026-000101 --action answer \\
      --data '{{"decision": "rejected", "reasons": "Le contrat ne couvre pas ce soin."}}'

Le starter agit au nom d'un jeton d'accès (--token ou RECLAMATIONS_API_TOKEN), avec son rôle.
Une action passe par une mise à jour validée (refus expliqué) ; --signal l'envoie sans attendre,
comme le font les systèmes de gestion.
"""


TOKEN_VARIABLE = "RECLAMATIONS_API_TOKEN"


class StarterError(Exception):
    """A problem the user can fix; printed on one line, exit status 2."""


def fail(message: str) -> NoReturn:
    print(f"reclamations.starter : {message}", file=sys.stderr)
    sys.exit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m reclamations.starter",
        description="Démarrer une réclamation, ou agir sur une réclamation en cours.",
        epilog=EPILOG.format(actions=", ".join(ACTIONS)),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("intake", nargs="?", type=Path, help="fichier JSON de la réclamation")
    parser.add_argument("--reference", help="référence de la réclamation visée par --action")
    parser.add_argument("--action", choices=list(ACTIONS), help="action à envoyer")
    parser.add_argument(
        "--token",
        help=f"jeton d'accès (défaut : la variable {TOKEN_VARIABLE}) : qui agit, avec quel rôle",
    )
    parser.add_argument(
        "--on-behalf-of",
        "--actor",
        dest="on_behalf_of",
        help="pour le compte de qui le jeton agit (inscrit au dossier à côté du jeton)",
    )
    parser.add_argument("--data", default="{}", help="champs de l'action, en JSON")
    parser.add_argument("--signal", action="store_true", help="envoyer comme signal, sans attendre")
    return parser


def load_json(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise StarterError(f"{what} : JSON invalide ({error})") from None


async def start(path: Path, service: ComplaintService, caller: Principal) -> None:
    try:
        data = load_json(await asyncio.to_thread(path.read_text, encoding="utf-8"), str(path))
    except OSError as error:
        raise StarterError(f"lecture de {path} impossible ({error.strerror})") from None
    # The examples' dates are relative to today ("J-2"), so that they are never already late.
    data = dated(data, datetime.now(UTC)) if isinstance(data, dict) else data
    try:
        registered = await service.register(caller, data)
    except Invalid as error:
        raise StarterError(f"{path} refusé : {error}") from None
    reference = registered.reference
    if not registered.created:
        print(f"La réclamation {reference} existe déjà ({workflow_id(reference)}) :")
        print("rien de nouveau n'a été démarré.")
        return
    print(f"Réclamation {reference} enregistrée : workflow {workflow_id(reference)}")
    if registered.acknowledgement_due and registered.final_due:
        print(f"  accusé de réception au plus tard le {long_date(registered.acknowledgement_due)}")
        print(f"  réponse au plus tard le {long_date(registered.final_due)}")
    else:
        print("  réclamation orale : invitation à la confirmer par écrit")
    settings = Settings()
    print(
        f"  historique : {settings.temporal_ui_url}/namespaces/"
        f"{settings.temporal_namespace}/workflows/{workflow_id(reference)}"
    )


async def act(args: argparse.Namespace, service: ComplaintService, caller: Principal) -> None:
    if not args.reference:
        raise StarterError("--action demande --reference")
    fields = load_json(args.data, "--data")
    if not isinstance(fields, dict):
        raise StarterError("--data doit être un objet JSON")
    if args.on_behalf_of:
        fields["on_behalf_of"] = args.on_behalf_of
    label = ACTION_LABELS[args.action]
    try:
        if args.signal:
            await service.signal(caller, args.reference, args.action, fields)
            print(f"{label} : signal envoyé à {args.reference}.")
            return
        reading = await service.act(caller, args.reference, args.action, fields)
    except Invalid as error:
        raise StarterError(f"action refusée : {error}") from None
    except Refused as error:
        raise StarterError(f"{label} refusé : {error}") from None
    print(f"{label} : fait. {args.reference} est {STATUS_LABELS[reading.complaint.status]}.")


async def authenticated(sessions: SessionFactory, token: str | None) -> Principal:
    """rule 15: the starter acts as the API token it is given, with that token's role."""
    if not token:
        raise StarterError(
            "jeton manquant : --token ou RECLAMATIONS_API_TOKEN (complaints tokens create NOM)"
        )
    try:
        principal = await token_principal(sessions, token)
    except DBAPIError as error:
        raise StarterError(
            f"base de données inutilisable ({error.orig}) : lancez `complaints db upgrade` "
            "ou `make run`"
        ) from None
    if principal is None:
        raise StarterError("jeton invalide, révoqué ou expiré")
    return principal


async def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    if bool(args.intake) == bool(args.action):
        fail("donnez soit un fichier de réclamation, soit --action (voir --help)")
    settings = Settings()
    keyring = load_keyring(settings)
    engine = create_engine(settings.resolved_database_url)
    sessions = session_factory(engine)
    try:
        caller = await authenticated(sessions, args.token or os.environ.get(TOKEN_VARIABLE))
        client = await connect_temporal(settings, keyring, sessions)
        service = complaint_service(client, settings, sessions, keyring)
        if args.intake:
            await start(args.intake, service, caller)
        else:
            await act(args, service, caller)
    except (StarterError, ServiceError) as error:
        fail(str(error))
    except DBAPIError as error:
        fail(
            f"base de données inutilisable ({type(error.orig).__name__}) : `complaints db upgrade`"
        )
    except RuntimeError as error:
        if "connect" in str(error).lower():
            fail(f"Temporal injoignable à {settings.temporal_address} : lancez `make run`")
        raise
    finally:
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
