"""`complaints letters`: check an insurer's own letter templates before they serve, see any
letter as the complainant will (a PDF from example data), and print a paper letter from the
outbox (a medical complaint's waits there encrypted: rule 11)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from reclamations.activities.letters.delivery import open_posted
from reclamations.activities.letters.pdf import letter_pdf
from reclamations.activities.letters.rendering import LetterRenderer
from reclamations.activities.letters.specimens import missing_clauses, render_specimen
from reclamations.db.engine import create_engine, session_factory
from reclamations.domain.calendar import timezone_of
from reclamations.domain.clock import local_date
from reclamations.domain.letters import LETTER_LABELS, LetterKind
from reclamations.security.complaint_keys import ComplaintKeys, keyring_of
from reclamations.security.envelopes import UnreadableFile
from reclamations.security.keyring import Keyring
from reclamations.settings import Settings
from reclamations.wiring import ConfigurationError, letter_renderer, load_keyring


def add_parser(commands: Any) -> None:
    parser = commands.add_parser("letters", help="vérifier les modèles de courriers, en voir un")
    actions = parser.add_subparsers(dest="letters_command", required=True)
    check = actions.add_parser(
        "check",
        help="refuser un jeu de modèles auquel manque une mention obligatoire",
        description="Rend chaque courrier de chaque entité sur des données d'exemple et vérifie "
        "ses mentions obligatoires (nom, adresse postale et site du Médiateur, saisine gratuite "
        "dans le délai d'un an, motifs, nouvelle date et sa raison, réexamen par le Service "
        "Qualité) et l'identité de chaque entité selon sa forme juridique (RCS et capital "
        "social d'une société commerciale, SIREN d'une mutuelle).",
    )
    check.add_argument("--templates", type=Path, help="dossier des modèles (défaut : réglages)")
    check.set_defaults(handler=run_check)
    preview = actions.add_parser("preview", help="un courrier en PDF, sur des données d'exemple")
    preview.add_argument("kind", choices=[k.value for k in LetterKind])
    preview.add_argument("--templates", type=Path, help="dossier des modèles (défaut : réglages)")
    preview.add_argument("--entity", help="code de l'entité qui signe (défaut : la première)")
    preview.add_argument("--output", type=Path, help="fichier PDF (défaut : apercu-KIND.pdf)")
    preview.set_defaults(handler=run_preview)
    printing = actions.add_parser(
        "print",
        help="un courrier papier de la boîte d'envoi, ouvert pour l'impression",
        description="Écrit le PDF d'un courrier papier en attente (déchiffré s'il l'est) sur la "
        "sortie standard, pour l'imprimante (complaints letters print FICHIER | lp), ou dans "
        "--output.",
    )
    printing.add_argument("file", type=Path, help="le courrier dans la boîte d'envoi (post/…)")
    printing.add_argument("--output", type=Path, help="fichier PDF (défaut : sortie standard)")
    printing.set_defaults(handler=run_print)


def _renderer(args: argparse.Namespace) -> LetterRenderer:
    settings = Settings()
    if args.templates is not None:
        settings = settings.model_copy(update={"letter_templates": args.templates})
    return letter_renderer(settings)


def _today() -> date:
    return local_date(datetime.now(UTC), timezone_of("national"))


def run_check(args: argparse.Namespace) -> int:
    try:
        problems = missing_clauses(_renderer(args), _today())
    except ConfigurationError as error:
        problems = str(error).splitlines()
    for problem in problems:
        print(f"refusé : {problem}")
    if problems:
        return 1
    print("Modèles conformes : chaque courrier de chaque entité porte ses mentions obligatoires.")
    return 0


def run_preview(args: argparse.Namespace) -> int:
    kind = LetterKind(args.kind)
    try:
        renderer = _renderer(args)
    except ConfigurationError as error:
        print(f"complaints letters: erreur : {error}", file=sys.stderr)
        return 2
    if renderer.entities.get(args.entity) is None:
        known = ", ".join(entity.code for entity in renderer.entities.entities)
        print(f"complaints letters: erreur : entité inconnue (connues : {known})", file=sys.stderr)
        return 2
    rendered = render_specimen(renderer, kind, _today(), args.entity)
    output: Path = args.output or Path(f"apercu-{kind.value}.pdf")
    output.write_bytes(letter_pdf(rendered.layout, LETTER_LABELS[kind]))
    print(f"{LETTER_LABELS[kind]} : {output}")
    return 0


async def _posted_keyring(settings: Settings, path: Path) -> Keyring:
    """The keyring a posted letter opens with: its complaint's own key (issue 28), the
    complaint named by the letter's folder; the keyring alone for a letter from before."""
    keyring = load_keyring(settings)
    engine = create_engine(settings.resolved_database_url)
    try:
        keys = ComplaintKeys(session_factory(engine), keyring)
        return await keyring_of(keys, keyring, path.parent.name, create=False)
    finally:
        await engine.dispose()


def run_print(args: argparse.Namespace) -> int:
    try:
        pdf = open_posted(asyncio.run(_posted_keyring(Settings(), args.file)), args.file)
    except (OSError, UnreadableFile) as error:
        print(f"illisible : {args.file} ({type(error).__name__})", file=sys.stderr)
        return 1
    if args.output is None:
        sys.stdout.buffer.write(pdf)
    else:
        args.output.write_bytes(pdf)
    return 0
