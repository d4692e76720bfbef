"""`complaints deploy status` and `complaints deploy promote [BUILD]`: which build of the worker
deployment the server sends work to, and making a new build current on a release
(docs/versioning.md, "Worker Versioning")."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from temporalio.service import RPCError

from reclamations.deployment import DeploymentTimeout, describe, promote
from reclamations.settings import Settings
from reclamations.wiring import connect_temporal, load_keyring


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "deploy",
        help="versions du worker : laquelle reçoit le travail",
        description="Worker Versioning : l'état du déploiement des workers, et la version "
        "à rendre courante lors d'une livraison.",
    )
    actions = parser.add_subparsers(dest="action", required=True)
    status = actions.add_parser("status", help="les versions connues et la version courante")
    status.set_defaults(handler=run_status)
    promoted = actions.add_parser(
        "promote",
        help="rendre une version courante (les réclamations en cours la suivent)",
    )
    promoted.add_argument(
        "build_id",
        nargs="?",
        help="la version à rendre courante (par défaut : celle installée ici)",
    )
    promoted.set_defaults(handler=run_promote)


def deployment_text(settings: Settings, builds: dict[str, str], current: str | None) -> str:
    lines = [
        f"Déploiement « {settings.worker_deployment} » ({settings.temporal_address}, "
        f"namespace {settings.temporal_namespace}) : "
        + (f"version courante {current}." if current else "aucune version courante.")
    ]
    lines += [f"  {build:<20} {state}" for build, state in builds.items()]
    return "\n".join(lines)


async def status(settings: Settings) -> str:
    client = await connect_temporal(settings, load_keyring(settings))
    deployment = await describe(client, settings)
    if deployment is None:
        return (
            f"Déploiement « {settings.worker_deployment} » : inconnu du serveur "
            "(aucun worker versionné ne l'a encore interrogé)."
        )
    return deployment_text(settings, deployment.builds, deployment.current)


async def promoted(settings: Settings, build_id: str) -> str:
    client = await connect_temporal(settings, load_keyring(settings))
    await promote(client, settings, build_id)
    deployment = await describe(client, settings)
    assert deployment is not None  # it has just taken the new build
    return deployment_text(settings, deployment.builds, deployment.current)


def run_status(args: argparse.Namespace) -> int:
    print(asyncio.run(status(Settings())))
    return 0


def run_promote(args: argparse.Namespace) -> int:
    settings = Settings()
    build_id = args.build_id or settings.resolved_worker_build_id
    try:
        print(asyncio.run(promoted(settings, build_id)))
    except RPCError as error:
        # The server refuses a build none of whose workers polls yet: start them first.
        print(f"Version {build_id} non promue : {error.message}")
        return 1
    except DeploymentTimeout as timeout:
        print(timeout)
        return 1
    return 0
