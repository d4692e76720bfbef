"""`complaints deadlines`: the three due dates of a written complaint, with their reasoning."""

from __future__ import annotations

import argparse
import json
import re
import sys
from datetime import date, timedelta
from typing import Any

from reclamations.domain.calendar import CALENDAR_NAMES, calendar_for
from reclamations.domain.deadlines import Deadline, Deadlines, SuspensionPeriod, compute_deadlines
from reclamations.domain.french import long_date
from reclamations.domain.intake import EARLIEST, LATEST

DURATION = re.compile(r"^P(\d{1,4})D$", re.IGNORECASE)


def iso_date(text: str) -> date:
    try:
        return plausible(date.fromisoformat(text), text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"date invalide {text!r} (format AAAA-MM-JJ)") from None


def plausible(day: date, text: str) -> date:
    """Dates outside 2000–2099 are refused here as at the intake (domain.intake)."""
    if not EARLIEST <= day <= LATEST:
        raise argparse.ArgumentTypeError(
            f"date invraisemblable {text!r} : les années vont de {EARLIEST.year} à {LATEST.year}"
        )
    return day


def calendar_name(text: str) -> str:
    if text not in CALENDAR_NAMES:
        raise argparse.ArgumentTypeError(
            f"calendrier inconnu {text!r} (possibles : {', '.join(CALENDAR_NAMES)})"
        )
    return text


def suspension(text: str) -> SuspensionPeriod:
    """An ISO 8601 interval of dates, start included, end excluded: 2027-01-02/2027-01-06 or
    2027-01-02/P4D."""
    start_text, slash, end_text = text.partition("/")
    if not slash:
        raise argparse.ArgumentTypeError(
            f"suspension invalide {text!r} (format DÉBUT/FIN, ex. 2027-01-02/2027-01-06)"
        )
    start = iso_date(start_text)
    if end_text.upper().startswith("P"):
        days = DURATION.match(end_text)
        if days is None:
            raise argparse.ArgumentTypeError(f"durée invalide {end_text!r} (ex. P4D)")
        end = plausible(start + timedelta(days=int(days.group(1))), text)
    else:
        end = iso_date(end_text)
    if end < start:
        raise argparse.ArgumentTypeError(f"suspension {text!r} : la fin précède le début")
    return SuspensionPeriod(start, end)


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "deadlines",
        help="calculer les échéances d'une réclamation écrite",
        description="Accusé de réception, engagement qualité et délai maximal d'une réclamation.",
    )
    parser.add_argument("--sent-on", type=iso_date, required=True, help="date d'envoi")
    parser.add_argument(
        "--first-written-on", type=iso_date, help="première réclamation écrite (défaut : envoi)"
    )
    parser.add_argument(
        "--calendar",
        type=calendar_name,
        default="national",
        help=f"calendrier de l'équipe : {', '.join(CALENDAR_NAMES)} (défaut : national)",
    )
    parser.add_argument(
        "--suspended",
        type=suspension,
        action="append",
        default=[],
        metavar="DÉBUT/FIN",
        help="période de suspension, début inclus, fin exclue (répétable)",
    )
    parser.add_argument("--json", action="store_true", help="sortie JSON")
    parser.add_argument("--explain", action="store_true", help="détailler le raisonnement")
    parser.set_defaults(handler=run)


def as_json(deadlines: Deadlines, explain: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "acknowledgement_due": deadlines.acknowledgement_due.isoformat(),
        "quality_target_due": deadlines.quality_target_due.isoformat(),
        "final_due": deadlines.final_due.isoformat(),
    }
    if explain:
        out["explanation"] = {
            name: {
                "rule": d.rule,
                "steps": list(d.steps),
                "skipped": [{"day": s.day.isoformat(), "reason": s.reason} for s in d.skipped],
            }
            for name, d in (
                ("acknowledgement", deadlines.acknowledgement),
                ("quality_target", deadlines.quality_target),
                ("final", deadlines.final),
            )
        }
    return out


def as_text(deadlines: Deadlines, explain: bool) -> str:
    lines: list[str] = []

    def item(title: str, deadline: Deadline) -> None:
        lines.append(f"{title} : au plus tard le {long_date(deadline.due, with_weekday=True)}")
        lines.append(f"    ({deadline.rule})")
        if explain:
            lines.extend(f"    - {step}" for step in deadline.steps)

    item("Accusé de réception", deadlines.acknowledgement)
    item("Réponse, engagement qualité", deadlines.quality_target)
    item("Réponse, délai maximal", deadlines.final)
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    if args.first_written_on and args.first_written_on > args.sent_on:
        print(
            "complaints deadlines: erreur : --first-written-on ne peut pas être postérieure "
            "à --sent-on",
            file=sys.stderr,
        )
        return 2
    deadlines = compute_deadlines(
        sent_on=args.sent_on,
        calendar=calendar_for(args.calendar),
        first_written_on=args.first_written_on,
        suspensions=args.suspended,
    )
    if args.json:
        print(json.dumps(as_json(deadlines, args.explain), ensure_ascii=False, indent=2))
    else:
        header = f"Réclamation envoyée le {long_date(args.sent_on, with_weekday=True)}"
        print(f"{header} (calendrier : {calendar_for(args.calendar).label})")
        print(as_text(deadlines, args.explain))
    return 0
