"""`complaints temporal-setup`: register the complaint's search attributes on a cluster, and the
Schedule that finds complaints ended outside the application."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from reclamations.settings import Settings
from reclamations.wiring import connect_temporal, load_keyring
from reclamations.workflows.client import register_search_attributes
from reclamations.workflows.monthly_register import (
    MONTHLY_REGISTER_SCHEDULE,
    schedule_monthly_register,
)
from reclamations.workflows.reconciliation import RECONCILE_SCHEDULE, schedule_reconciliation
from reclamations.workflows.retention import (
    RETENTION_SCHEDULE,
    namespace_retention,
    retention_mismatch,
    schedule_retention,
)
from reclamations.workflows.search import KEYS


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "temporal-setup",
        help="enregistrer les attributs de recherche sur un cluster Temporal",
        description="Ajoute au namespace les attributs de recherche des réclamations "
        "(sans effet s'ils existent déjà).",
    )
    parser.set_defaults(handler=run)


async def setup(settings: Settings) -> tuple[list[str], dict[str, bool], str | None]:
    """The search attributes added, which Schedules were created (True) or there, and what
    is wrong with the namespace's retention of closed histories, if anything."""
    client = await connect_temporal(settings, load_keyring(settings))
    added = await register_search_attributes(client, settings.temporal_namespace)
    schedules = {
        f"{RECONCILE_SCHEDULE} (réclamations arrêtées hors application)": (
            await schedule_reconciliation(client, settings.task_queue)
        ),
        f"{MONTHLY_REGISTER_SCHEDULE} (registre du mois, le 1er à 6 h)": (
            await schedule_monthly_register(client, settings.task_queue)
        ),
        f"{RETENTION_SCHEDULE} (durées de conservation, chaque jour à 3 h)": (
            await schedule_retention(client, settings.task_queue)
        ),
    }
    policy = settings.retention
    kept = await namespace_retention(client, settings.temporal_namespace)
    mismatch = retention_mismatch(kept, min(policy.complaint_days, policy.request_days))
    return added, schedules, mismatch


def run(args: argparse.Namespace) -> int:
    settings = Settings()
    added, schedules, mismatch = asyncio.run(setup(settings))
    where = f"{settings.temporal_address}, namespace {settings.temporal_namespace}"
    if added:
        print(f"Attributs de recherche ajoutés ({where}) : {', '.join(added)}")
    else:
        print(f"Attributs de recherche déjà présents ({where}).")
    for key in KEYS:
        print(f"  {key.name:<20} {key.indexed_value_type.name}")
    for schedule, created in schedules.items():
        print(f"Planning « {schedule} » : {'créé' if created else 'déjà présent'}.")
    if mismatch:
        print(f"Attention : {mismatch}.")
    return 0
