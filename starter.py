"""Start a complaint from an intake file, or send an action to a running one.

    python starter.py examples/email_benefits.json
    python starter.py --reference REC-2026-000101 --action qualify --actor agent.martin
    python starter.py --reference REC-2026-000101 --action answer --actor agent.martin \\
        --data '{"decision": "rejected", "reasons": "Le contrat ne couvre pas ce soin."}'

Settings come from RECLAMATIONS_* environment variables (or .env), as for the worker.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.service import RPCError

from db.engine import create_engine, session_factory
from db.references import next_reference
from domain.actions import ACTION_LABELS, ACTIONS
from domain.complaint import STATUS_LABELS
from domain.errors import describe_errors
from domain.french import long_date
from domain.planning import plan_complaint
from security.keyring import Keyring
from security.sealing import seal
from settings import Settings
from wiring import connect_temporal, load_keyring
from workflows.client import (
    complaint_state,
    execute_action,
    refusal_reason,
    register_complaint,
    signal_action,
)
from workflows.complaint import ComplaintWorkflow
from workflows.messages import workflow_id

EPILOG = """\
actions : {actions}

Exemples :
  python starter.py examples/email_benefits.json
  python starter.py --reference REC-2026-000101 --action qualify --actor agent.martin
  python starter.py --reference REC-2026-000101 --action suspend --actor agent.martin \\
      --data '{{"reason": "medical_expertise"}}'
  python starter.py --reference REC-2026-000101 --action answer --actor agent.martin \\
      --data '{{"decision": "rejected", "reasons": "Le contrat ne couvre pas ce soin."}}'

Une action passe par une mise à jour validée (refus expliqué) ; --signal l'envoie sans attendre,
comme le font les systèmes de gestion.
"""


class StarterError(Exception):
    """A problem the user can fix; printed on one line, exit status 2."""


def fail(message: str) -> NoReturn:
    print(f"starter.py : {message}", file=sys.stderr)
    sys.exit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python starter.py",
        description="Démarrer une réclamation, ou agir sur une réclamation en cours.",
        epilog=EPILOG.format(actions=", ".join(ACTIONS)),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("intake", nargs="?", type=Path, help="fichier JSON de la réclamation")
    parser.add_argument("--reference", help="référence de la réclamation visée par --action")
    parser.add_argument("--action", choices=list(ACTIONS), help="action à envoyer")
    parser.add_argument("--actor", default="starter", help="qui agit (défaut : starter)")
    parser.add_argument("--data", default="{}", help="champs de l'action, en JSON")
    parser.add_argument("--signal", action="store_true", help="envoyer comme signal, sans attendre")
    return parser


def load_json(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise StarterError(f"{what} : JSON invalide ({error})") from None


def field_errors(error: ValidationError) -> str:
    return "; ".join(str(e) for e in describe_errors(error))


async def start(path: Path, settings: Settings, keyring: Keyring, client: Client) -> None:
    try:
        data = load_json(await asyncio.to_thread(path.read_text, encoding="utf-8"), str(path))
    except OSError as error:
        raise StarterError(f"lecture de {path} impossible ({error.strerror})") from None
    engine = create_engine(settings.resolved_database_url)
    sessions = session_factory(engine)
    try:
        reference, intake, created = await register_complaint(
            client,
            data,
            datetime.now(UTC),
            lambda year: next_reference(sessions, year),
            lambda text: seal(keyring, text),
            settings.task_queue,
        )
    except ValidationError as error:
        raise StarterError(f"{path} refusé : {field_errors(error)}") from None
    except DBAPIError as error:
        raise StarterError(
            f"base de données inutilisable ({error.orig}) : lancez `complaints db upgrade` "
            "ou `make run`"
        ) from None
    finally:
        await engine.dispose()
    if not created:
        print(f"La réclamation {reference} existe déjà ({workflow_id(reference)}) :")
        print("rien de nouveau n'a été démarré.")
        return
    print(f"Réclamation {reference} enregistrée : workflow {workflow_id(reference)}")
    plan = plan_complaint(intake, settings.policy)
    if plan.acknowledgement and plan.final:
        print(f"  accusé de réception au plus tard le {long_date(plan.acknowledgement.due)}")
        print(f"  réponse au plus tard le {long_date(plan.final.due)}")
    else:
        print("  réclamation orale : invitation à la confirmer par écrit")
    print(
        f"  historique : {settings.temporal_ui_url}/namespaces/"
        f"{settings.temporal_namespace}/workflows/{workflow_id(reference)}"
    )


async def act(args: argparse.Namespace, keyring: Keyring, client: Client) -> None:
    if not args.reference:
        raise StarterError("--action demande --reference")
    fields = load_json(args.data, "--data")
    if not isinstance(fields, dict):
        raise StarterError("--data doit être un objet JSON")
    try:
        action = ACTIONS[args.action].model_validate({"actor": args.actor, **fields})
    except ValidationError as error:
        raise StarterError(f"action refusée : {field_errors(error)}") from None
    state = await complaint_state(client, args.reference)
    if state is None:
        raise StarterError(f"{args.reference} n'a pas encore fini son enregistrement")
    if state.medical:
        action = action.sealed(lambda text: seal(keyring, text))
    handle = client.get_workflow_handle_for(ComplaintWorkflow.run, workflow_id(args.reference))
    label = ACTION_LABELS[args.action]
    if args.signal:
        await signal_action(handle, action)
        print(f"{label} : signal envoyé à {args.reference}.")
        return
    try:
        result = await execute_action(handle, action)
    except WorkflowUpdateFailedError as error:
        raise StarterError(f"{label} refusé : {refusal_reason(error)}") from None
    print(f"{label} : fait. {args.reference} est {STATUS_LABELS[result.status]}.")


async def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    if bool(args.intake) == bool(args.action):
        fail("donnez soit un fichier de réclamation, soit --action (voir --help)")
    settings = Settings()
    keyring = load_keyring(settings)
    try:
        client = await connect_temporal(settings, keyring)
        if args.intake:
            await start(args.intake, settings, keyring, client)
        else:
            await act(args, keyring, client)
    except StarterError as error:
        fail(str(error))
    except RuntimeError as error:
        if "connect" in str(error).lower():
            fail(f"Temporal injoignable à {settings.temporal_address} : lancez `make run`")
        raise
    except RPCError as error:
        if "not found" in str(error).lower():
            fail(f"aucune réclamation {args.reference}")
        fail(f"Temporal : {error}")


if __name__ == "__main__":
    asyncio.run(main())
