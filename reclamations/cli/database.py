"""`complaints db upgrade`: bring the database schema up to date (Alembic), then give every
complaint recorded before complaints had keys its own (issue 28).
`complaints db seal-identities`: seal what was kept in clear before a medical complainant's
identity was sealed at rest (once, after the upgrade to 0007; again changes nothing).
`complaints db rewrap-keys`: after a keyring rotation, every complaint's own key wrapped by
the new current key (issue 28), so the old one can be dropped; no data is rewritten.
`complaints db reindex-search`: write the search index of every complaint (after the upgrade
to 0011, and after a key rotation)."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from reclamations.activities.sealing_at_rest import SealedAtRest, seal_identities_at_rest
from reclamations.activities.search_index import reindex
from reclamations.db.engine import create_engine, session_factory
from reclamations.db.migrate import upgrade
from reclamations.security.complaint_keys import ComplaintKeys
from reclamations.security.keyring import Keyring
from reclamations.settings import Settings
from reclamations.wiring import load_keyring


def add_parser(commands: Any) -> None:
    parser = commands.add_parser("db", help="base de données")
    actions = parser.add_subparsers(dest="db_command", required=True)
    upgrade_parser = actions.add_parser("upgrade", help="appliquer les migrations")
    upgrade_parser.set_defaults(handler=run_upgrade)
    seal_parser = actions.add_parser(
        "seal-identities",
        help="sceller l'identité des réclamants médicaux enregistrée en clair avant la 0007",
    )
    seal_parser.set_defaults(handler=run_seal_identities)
    rewrap_parser = actions.add_parser(
        "rewrap-keys",
        help="rechiffrer les clés des réclamations avec la clé courante (après rotation)",
    )
    rewrap_parser.set_defaults(handler=run_rewrap_keys)
    reindex_parser = actions.add_parser(
        "reindex-search", help="réécrire l'index de recherche de toutes les réclamations"
    )
    reindex_parser.set_defaults(handler=run_reindex_search)


async def up_to_date(engine: AsyncEngine, keyring: Keyring) -> int:
    """The schema migrated, then the keys given (a migration has no keyring to wrap them with):
    what `complaints db upgrade` and `make run` do. Returns how many complaints got a key."""
    await upgrade(engine)
    return await ComplaintKeys(session_factory(engine), keyring).provide_missing()


async def _upgrade(settings: Settings) -> int:
    engine = create_engine(settings.resolved_database_url)
    try:
        return await up_to_date(engine, load_keyring(settings))
    finally:
        await engine.dispose()


def run_upgrade(args: argparse.Namespace) -> int:
    settings = Settings()
    given = asyncio.run(_upgrade(settings))
    print(f"Base à jour : {settings.resolved_database_url}")
    if given:
        print(f"Clés données aux réclamations enregistrées avant les clés : {given}.")
    return 0


async def _seal_identities(settings: Settings) -> SealedAtRest:
    engine = create_engine(settings.resolved_database_url)
    try:
        return await seal_identities_at_rest(
            session_factory(engine), load_keyring(settings), settings.resolved_outbox_dir
        )
    finally:
        await engine.dispose()


def run_seal_identities(args: argparse.Namespace) -> int:
    done = asyncio.run(_seal_identities(Settings()))
    print(
        f"Identités scellées : {done.complaints} réclamation(s), {done.letters} courrier(s) "
        f"en base, {done.files} courrier(s) papier en attente d'impression."
    )
    return 0


async def _rewrap_keys(settings: Settings) -> int:
    engine = create_engine(settings.resolved_database_url)
    try:
        return await ComplaintKeys(session_factory(engine), load_keyring(settings)).rewrap()
    finally:
        await engine.dispose()


async def _reindex_search(settings: Settings) -> int:
    engine = create_engine(settings.resolved_database_url)
    try:
        return await reindex(session_factory(engine), load_keyring(settings))
    finally:
        await engine.dispose()


def run_rewrap_keys(args: argparse.Namespace) -> int:
    changed = asyncio.run(_rewrap_keys(Settings()))
    print(f"Clés de réclamation rechiffrées avec la clé courante : {changed}.")
    return 0


def run_reindex_search(args: argparse.Namespace) -> int:
    done = asyncio.run(_reindex_search(Settings()))
    print(f"Index de recherche réécrit : {done} réclamation(s).")
    return 0
