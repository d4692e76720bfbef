"""`complaints db upgrade`: bring the database schema up to date (Alembic)."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from db.engine import create_engine
from db.migrate import upgrade
from settings import Settings


def add_parser(commands: Any) -> None:
    parser = commands.add_parser("db", help="base de données")
    actions = parser.add_subparsers(dest="db_command", required=True)
    upgrade_parser = actions.add_parser("upgrade", help="appliquer les migrations")
    upgrade_parser.set_defaults(handler=run_upgrade)


async def _upgrade(url: str) -> None:
    engine = create_engine(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


def run_upgrade(args: argparse.Namespace) -> int:
    settings = Settings()
    asyncio.run(_upgrade(settings.resolved_database_url))
    print(f"Base à jour : {settings.resolved_database_url}")
    return 0
