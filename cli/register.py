"""`complaints register`: the complaint register and its deadline statistics, as CSV or JSON,
for compliance (ACPR questionnaire, internal quality reviews). DESIGN rule 13."""

from __future__ import annotations

import argparse
import asyncio
import csv
import dataclasses
import json
import sys
from datetime import UTC, date, datetime
from typing import Any

from cli.deadlines import iso_date
from db.engine import create_engine, session_factory
from db.register import register_lines
from domain.register import RegisterLine, Statistics, by_category
from settings import Settings

LINE_COLUMNS = {
    "reference": "référence",
    "channel": "canal",
    "category": "catégorie",
    "status": "statut",
    "medical": "médicale",
    "sent_on": "envoyée le",
    "acknowledgement_due": "accusé de réception dû le",
    "acknowledged_on": "accusé de réception le",
    "quality_target_due": "engagement qualité le",
    "final_due": "délai maximal le",
    "first_answered_on": "première réponse le",
    "overdue": "délai de 2 mois dépassé",
}

STAT_COLUMNS = [
    "catégorie",
    "réclamations",
    "non-réclamations (requalifiées)",
    "accusés de réception dans les 10 jours ouvrables (%)",
    "réponses dans les 15 jours (%)",
    "réponses dans les 2 mois (%)",
    "délai médian de réponse (jours)",
]


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "register",
        help="exporter le registre des réclamations ou ses statistiques",
        description="Registre des réclamations envoyées dans la période (dates incluses).",
    )
    parser.add_argument("--from", dest="sent_from", type=iso_date, help="envoyées depuis le")
    parser.add_argument("--to", dest="sent_to", type=iso_date, help="envoyées jusqu'au")
    parser.add_argument("--stats", action="store_true", help="statistiques par catégorie")
    parser.add_argument("--format", choices=["csv", "json"], default="csv")
    parser.add_argument(
        "--as-of", type=iso_date, help="date d'arrêté des statistiques (défaut : aujourd'hui)"
    )
    parser.set_defaults(handler=run)


def stat_row(row: Statistics) -> list[Any]:
    return [
        row.label,
        row.complaints,
        row.not_complaints,
        row.acknowledged_in_time.percent,
        row.answered_within_target.percent,
        row.answered_within_two_months.percent,
        row.median_handling_days,
    ]


def line_row(line: RegisterLine) -> list[Any]:
    values = dataclasses.asdict(line)
    return ["" if values[key] is None else values[key] for key in LINE_COLUMNS]


def write(args: argparse.Namespace, lines: list[RegisterLine], as_of: date) -> None:
    if args.stats:
        rows = by_category(lines, as_of)
        if args.format == "json":
            print(json.dumps([dataclasses.asdict(r) for r in rows], indent=2, ensure_ascii=False))
            return
        writer = csv.writer(sys.stdout)
        writer.writerow(STAT_COLUMNS)
        writer.writerows(stat_row(r) for r in rows)
        return
    if args.format == "json":
        data = [dataclasses.asdict(line) for line in lines]
        print(json.dumps(data, indent=2, ensure_ascii=False, default=str))
        return
    writer = csv.writer(sys.stdout)
    writer.writerow(LINE_COLUMNS.values())
    writer.writerows(line_row(line) for line in lines)


async def load(args: argparse.Namespace) -> list[RegisterLine]:
    engine = create_engine(Settings().resolved_database_url)
    try:
        return await register_lines(session_factory(engine), args.sent_from, args.sent_to)
    finally:
        await engine.dispose()


def run(args: argparse.Namespace) -> int:
    lines = asyncio.run(load(args))
    write(args, lines, args.as_of or datetime.now(UTC).date())
    return 0
