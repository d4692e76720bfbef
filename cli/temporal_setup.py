"""`complaints temporal-setup`: register the complaint's search attributes on a cluster, and the
Schedule that finds complaints ended outside the application."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from settings import Settings
from wiring import connect_temporal, load_keyring
from workflows.client import register_search_attributes
from workflows.reconciliation import RECONCILE_SCHEDULE, schedule_reconciliation
from workflows.search import KEYS


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "temporal-setup",
        help="enregistrer les attributs de recherche sur un cluster Temporal",
        description="Ajoute au namespace les attributs de recherche des réclamations "
        "(sans effet s'ils existent déjà).",
    )
    parser.set_defaults(handler=run)


async def setup(settings: Settings) -> tuple[list[str], bool]:
    """The search attributes added, and whether the reconciliation Schedule was created."""
    client = await connect_temporal(settings, load_keyring(settings))
    added = await register_search_attributes(client, settings.temporal_namespace)
    return added, await schedule_reconciliation(client, settings.task_queue)


def run(args: argparse.Namespace) -> int:
    settings = Settings()
    added, scheduled = asyncio.run(setup(settings))
    where = f"{settings.temporal_address}, namespace {settings.temporal_namespace}"
    if added:
        print(f"Attributs de recherche ajoutés ({where}) : {', '.join(added)}")
    else:
        print(f"Attributs de recherche déjà présents ({where}).")
    for key in KEYS:
        print(f"  {key.name:<20} {key.indexed_value_type.name}")
    state = "créé" if scheduled else "déjà présent"
    print(f"Planning « {RECONCILE_SCHEDULE} » (réclamations arrêtées hors application) : {state}.")
    return 0
