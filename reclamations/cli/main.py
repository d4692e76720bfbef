"""Entry point of the `complaints` console script."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from typing import NoReturn

from reclamations.cli import (
    accounts,
    database,
    deadlines,
    deploy,
    erasure,
    letters,
    register,
    run,
    simulate,
    temporal_setup,
)
from reclamations.security.files import private_files

# argparse speaks English: its messages, as the agents and operators read them.
FRENCH = (
    (re.compile(r"the following arguments are required: (.*)"), r"arguments obligatoires : \1"),
    (re.compile(r"unrecognized arguments: (.*)"), r"arguments inconnus : \1"),
    (
        re.compile(r"argument (\S+): invalid choice: (\S+) \(choose from (.*)\)"),
        r"argument \1 : valeur inconnue \2 (possibles : \3)",
    ),
    (re.compile(r"argument (\S+): expected one argument"), r"argument \1 : une valeur attendue"),
    (re.compile(r"argument (\S+): (.*)"), r"\1 : \2"),
)


def in_french(message: str) -> str:
    for pattern, french in FRENCH:
        if pattern.match(message):
            return pattern.sub(french, message)
    return message


class OneLineParser(argparse.ArgumentParser):
    """Bad arguments exit 2 with a one-line message in French, not a usage dump."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: erreur : {in_french(message)}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="complaints", description="Réclamations : outils de ligne de commande."
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)
    deadlines.add_parser(commands)
    run.add_parser(commands)
    simulate.add_parser(commands)
    register.add_parser(commands)
    letters.add_parser(commands)
    accounts.add_parsers(commands)
    temporal_setup.add_parser(commands)
    database.add_parser(commands)
    deploy.add_parser(commands)
    erasure.add_parsers(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    private_files()
    parser = build_parser()
    args = parser.parse_args(argv)
    code: int = args.handler(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
