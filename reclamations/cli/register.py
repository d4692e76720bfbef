"""`complaints register`: the complaint register and its statistics, as CSV, JSON or an XLSX
workbook (register, statistics, ACPR cross-tab), for compliance. rules 13 and 17."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reclamations.activities.exports import register_csv, register_xlsx, statistics_csv
from reclamations.cli.deadlines import iso_date
from reclamations.db.engine import create_engine, session_factory
from reclamations.db.register import register_lines
from reclamations.domain.register import Lists, RegisterLine, by_category
from reclamations.settings import Settings
from reclamations.wiring import entities, typology


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "register",
        help="exporter le registre des réclamations ou ses statistiques",
        description="Registre des réclamations envoyées dans la période (dates incluses).",
    )
    parser.add_argument("--from", dest="sent_from", type=iso_date, help="envoyées depuis le")
    parser.add_argument("--to", dest="sent_to", type=iso_date, help="envoyées jusqu'au")
    parser.add_argument("--stats", action="store_true", help="statistiques par catégorie")
    parser.add_argument(
        "--format",
        choices=["csv", "json", "xlsx"],
        default="csv",
        help="xlsx : registre, statistiques et tableau croisé ACPR dans un classeur (--output)",
    )
    parser.add_argument("--output", type=Path, help="fichier à écrire (défaut : la sortie)")
    parser.add_argument("--entity", help="une seule entité (son code) ; défaut : toutes")
    parser.add_argument(
        "--as-of", type=iso_date, help="date d'arrêté des statistiques (défaut : aujourd'hui)"
    )
    parser.set_defaults(handler=run)


async def load(args: argparse.Namespace, entity: tuple[str, bool] | None) -> list[RegisterLine]:
    engine = create_engine(Settings().resolved_database_url)
    try:
        return await register_lines(session_factory(engine), args.sent_from, args.sent_to, entity)
    finally:
        await engine.dispose()


def run(args: argparse.Namespace) -> int:
    if args.format == "xlsx" and args.output is None:
        print(
            "complaints register : --format xlsx écrit un classeur : donnez --output FICHIER",
            file=sys.stderr,
        )
        return 2
    served = entities(Settings())
    if args.entity and served.get(args.entity) is None:
        known = ", ".join(e.code for e in served.entities)
        print(f"complaints register : entité inconnue (connues : {known})", file=sys.stderr)
        return 2
    chosen = (args.entity, args.entity == served.default.code) if args.entity else None
    lines = asyncio.run(load(args, chosen))
    as_of = args.as_of or datetime.now(UTC).date()
    lists = Lists(typology(Settings()), served)
    content: str | bytes
    if args.format == "xlsx":
        period = f"{args.sent_from or 'origine'} – {args.sent_to or as_of}"
        content = register_xlsx(lines, as_of, lists, period)
    elif args.format == "json":
        rows = by_category(lines, as_of) if args.stats else lines
        data = [dataclasses.asdict(row) for row in rows]
        content = json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"
    else:
        content = statistics_csv(lines, as_of) if args.stats else register_csv(lines, as_of, lists)
    if args.output is None:
        sys.stdout.write(content if isinstance(content, str) else content.decode())
    elif isinstance(content, bytes):
        args.output.write_bytes(content)
    else:
        args.output.write_text(content, encoding="utf-8")
    return 0
