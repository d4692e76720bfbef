"""`complaints users add` and `complaints tokens create`: who may use the UI and the API."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time
from typing import Any, TypeVar

from reclamations.db.accounts import (
    AccountError,
    add_user,
    create_token,
    disable_user,
    list_tokens,
    list_users,
    revoke_token,
)
from reclamations.db.engine import SessionFactory, create_engine, session_factory
from reclamations.domain.access import DEFAULT_TOKEN_ROLE, TOKEN_ROLES, USER_ROLES, Role
from reclamations.settings import Settings

T = TypeVar("T")


def add_parsers(commands: Any) -> None:
    users = commands.add_parser("users", help="utilisateurs de l'interface")
    user_actions = users.add_subparsers(dest="users_command", required=True)
    add = user_actions.add_parser(
        "add", help="ajouter (ou, avec --replace, modifier) un utilisateur"
    )
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=[r.value for r in USER_ROLES])
    add.add_argument("--name", help="nom affiché")
    add.add_argument("--password-stdin", action="store_true", help="lire le mot de passe sur stdin")
    add.add_argument("--replace", action="store_true", help="remplacer un utilisateur existant")
    add.set_defaults(handler=run_add_user)
    listing = user_actions.add_parser("list", help="lister les utilisateurs")
    listing.set_defaults(handler=run_list_users)
    disable = user_actions.add_parser(
        "disable", help="désactiver un utilisateur : ses sessions et ses jetons prennent fin"
    )
    disable.add_argument("username")
    disable.set_defaults(handler=run_disable_user)

    tokens = commands.add_parser("tokens", help="jetons d'accès de l'API")
    token_actions = tokens.add_subparsers(dest="tokens_command", required=True)
    create = token_actions.add_parser("create", help="créer un jeton pour un système de gestion")
    create.add_argument("name", help="le système qui l'utilisera : l'acteur inscrit au dossier")
    create.add_argument(
        "--role",
        default=DEFAULT_TOKEN_ROLE.value,
        choices=[r.value for r in TOKEN_ROLES],
        help="ce que le jeton permet (défaut : intake, enregistrer et lire hors contenu médical)",
    )
    create.add_argument("--expires", type=_day, help="date d'expiration (AAAA-MM-JJ)")
    create.add_argument(
        "--owner", help="l'utilisateur responsable : le jeton prend fin s'il est désactivé"
    )
    create.set_defaults(handler=run_create_token)
    listing = token_actions.add_parser("list", help="lister les jetons (jamais leur valeur)")
    listing.set_defaults(handler=run_list_tokens)
    revoke = token_actions.add_parser("revoke", help="révoquer les jetons d'un système")
    revoke.add_argument("name")
    revoke.set_defaults(handler=run_revoke_token)


def _day(text: str) -> datetime:
    """An expiry date: the token works until that day begins (UTC)."""
    try:
        return datetime.combine(date.fromisoformat(text), time(0), tzinfo=UTC)
    except ValueError:
        raise argparse.ArgumentTypeError(f"date invalide {text!r} (AAAA-MM-JJ)") from None


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


def run_disable_user(args: argparse.Namespace) -> int:
    try:
        tokens = with_database(lambda s: disable_user(s, args.username))
    except AccountError as error:
        print(f"complaints users: erreur : {error}", file=sys.stderr)
        return 2
    print(
        f"Utilisateur {args.username} désactivé : ses sessions sont closes"
        + (f", {tokens} jeton(s) révoqué(s)." if tokens else ".")
    )
    return 0


def run_create_token(args: argparse.Namespace) -> int:
    try:
        token = with_database(
            lambda s: create_token(s, args.name, Role(args.role), args.expires, args.owner)
        )
    except AccountError as error:
        print(f"complaints tokens: erreur : {error}", file=sys.stderr)
        return 2
    print(f"Jeton créé pour {args.name} ({args.role}). Conservez-le : il ne sera plus affiché.")
    print(token)
    return 0


def run_list_tokens(args: argparse.Namespace) -> int:
    for row in with_database(list_tokens):
        state = "révoqué" if row.revoked_at else "actif"
        expires = f"expire le {row.expires_at.date().isoformat()}" if row.expires_at else ""
        created = row.created_at.date().isoformat()
        print(f"{row.name}\t{row.role}\t{state}\tcréé le {created}\t{expires}".rstrip())
    return 0


def run_revoke_token(args: argparse.Namespace) -> int:
    count = with_database(lambda s: revoke_token(s, args.name))
    if count == 0:
        print(f"complaints tokens: erreur : aucun jeton actif nommé {args.name!r}", file=sys.stderr)
        return 2
    print(f"Jeton de {args.name} révoqué.")
    return 0
