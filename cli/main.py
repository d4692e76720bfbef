"""Entry point of the `complaints` console script."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn

from cli import accounts, database, deadlines, register, run, simulate, temporal_setup


class OneLineParser(argparse.ArgumentParser):
    """Bad arguments exit 2 with a one-line message, not a usage dump."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: erreur : {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="complaints", description="Réclamations : outils de ligne de commande."
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)
    deadlines.add_parser(commands)
    run.add_parser(commands)
    simulate.add_parser(commands)
    register.add_parser(commands)
    accounts.add_parsers(commands)
    temporal_setup.add_parser(commands)
    database.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    code: int = args.handler(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
