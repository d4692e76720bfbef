"""`complaints users add` and `complaints tokens create`: who may use the UI and the API."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from db.accounts import ROLES, AccountError, add_user, create_token, list_users
from db.engine import SessionFactory, create_engine, session_factory
from settings import Settings

T = TypeVar("T")


def add_parsers(commands: Any) -> None:
    users = commands.add_parser("users", help="utilisateurs de l'interface")
    user_actions = users.add_subparsers(dest="users_command", required=True)
    add = user_actions.add_parser(
        "add", help="ajouter (ou, avec --replace, modifier) un utilisateur"
    )
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--name", help="nom affiché")
    add.add_argument("--password-stdin", action="store_true", help="lire le mot de passe sur stdin")
    add.add_argument("--replace", action="store_true", help="remplacer un utilisateur existant")
    add.set_defaults(handler=run_add_user)
    listing = user_actions.add_parser("list", help="lister les utilisateurs")
    listing.set_defaults(handler=run_list_users)

    tokens = commands.add_parser("tokens", help="jetons d'accès de l'API")
    token_actions = tokens.add_subparsers(dest="tokens_command", required=True)
    create = token_actions.add_parser("create", help="créer un jeton pour un système de gestion")
    create.add_argument("name", help="le système qui l'utilisera")
    create.set_defaults(handler=run_create_token)


def with_database(work: Callable[[SessionFactory], Awaitable[T]]) -> T:
    async def run() -> T:
        engine = create_engine(Settings().resolved_database_url)
        try:
            return await work(session_factory(engine))
        finally:
            await engine.dispose()

    return asyncio.run(run())


def run_add_user(args: argparse.Namespace) -> int:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Mot de passe : ")
    try:
        user = with_database(
            lambda s: add_user(s, args.username, password, args.role, args.name, args.replace)
        )
    except AccountError as error:
        print(f"complaints users: erreur : {error}", file=sys.stderr)
        return 2
    print(f"Utilisateur {user.username} ({user.role}) enregistré.")
    return 0


def run_list_users(args: argparse.Namespace) -> int:
    for user in with_database(list_users):
        print(f"{user.username}\t{user.role}\t{user.display_name}")
    return 0


def run_create_token(args: argparse.Namespace) -> int:
    token = with_database(lambda s: create_token(s, args.name))
    print(f"Jeton créé pour {args.name}. Conservez-le : il ne sera plus affiché.")
    print(token)
    return 0
