"""Users of the agents' UI and bearer tokens of back-office systems."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select

from reclamations.db.engine import SessionFactory
from reclamations.db.logins import AuditKind, end_sessions
from reclamations.db.models import ApiTokenRow, AuditRow, UserRow, aware
from reclamations.domain.access import DEFAULT_TOKEN_ROLE, TOKEN_ROLES, USER_ROLES, Principal, Role
from reclamations.security.passwords import (
    hash_password,
    new_token,
    password_problem,
    token_digest,
    verify_nobody,
    verify_password,
)

NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{2,99}$")


class AccountError(Exception):
    pass


async def add_user(
    sessions: SessionFactory,
    username: str,
    password: str,
    role: str,
    display_name: str | None = None,
    replace: bool = False,
) -> UserRow:
    if role not in USER_ROLES:
        raise AccountError(f"rôle inconnu {role!r} (possibles : {', '.join(USER_ROLES)})")
    problem = password_problem(password, [username, display_name or ""])
    if problem:
        raise AccountError(problem)
    async with sessions.begin() as session:
        user = await session.get(UserRow, username)
        named = select(ApiTokenRow).where(ApiTokenRow.name == username)
        if user is None and (await session.scalars(named)).first() is not None:
            raise AccountError(
                f"{username!r} est le nom d'un jeton d'accès : choisissez-en un autre"
            )
        if user is not None and not replace:
            raise AccountError(f"l'utilisateur {username!r} existe déjà")
        if user is None:
            user = UserRow(username=username, created_at=datetime.now(UTC))
            session.add(user)
        user.display_name = display_name or username
        user.role = role
        user.password_hash = hash_password(password)
        user.active = True
        # A new password ends every session opened with the old one.
        await end_sessions(session, username)
    return user


async def disable_user(sessions: SessionFactory, username: str) -> int:
    """The user can no longer log in: their sessions end and the tokens they own are revoked
    at once. How many tokens that was."""
    now = datetime.now(UTC)
    async with sessions.begin() as session:
        user = await session.get(UserRow, username)
        if user is None:
            raise AccountError(f"aucun utilisateur {username!r}")
        user.active = False
        await end_sessions(session, username)
        owned = await session.scalars(select(ApiTokenRow).where(ApiTokenRow.owner == username))
        live = [row for row in owned if _live(row, now)]
        for row in live:
            row.revoked_at = now
        session.add(
            AuditRow(at=now, kind=AuditKind.disabled.value, username=username, client="commande")
        )
    return len(live)


async def authenticate(sessions: SessionFactory, username: str, password: str) -> UserRow | None:
    async with sessions() as session:
        user = await session.get(UserRow, username)
    if user is None:
        verify_nobody(password)  # the same time as a wrong password: names cannot be probed
        return None
    if not verify_password(password, user.password_hash) or not user.active:
        return None
    return user


async def get_user(sessions: SessionFactory, username: str) -> UserRow | None:
    async with sessions() as session:
        user = await session.get(UserRow, username)
    return user if user is not None and user.active else None


async def list_users(sessions: SessionFactory) -> list[UserRow]:
    async with sessions() as session:
        return list(await session.scalars(select(UserRow).order_by(UserRow.username)))


async def create_token(
    sessions: SessionFactory,
    name: str,
    role: Role = DEFAULT_TOKEN_ROLE,
    expires_at: datetime | None = None,
    owner: str | None = None,
) -> str:
    """A new token for `name`; only its hash is stored, so this is the one time it is seen.
    A name is the actor on the record: one live token per name."""
    if not NAME_PATTERN.match(name):
        raise AccountError("nom de jeton invalide (3 à 100 lettres, chiffres, « . », « _ », « - »)")
    if role not in TOKEN_ROLES:
        # A complainant holds a private link to one complaint (web.public), never a token.
        raise AccountError(f"rôle impossible pour un jeton : {role}")
    now = datetime.now(UTC)
    if expires_at is not None and expires_at <= now:
        raise AccountError("la date d'expiration est déjà passée")
    token = new_token()
    async with sessions.begin() as session:
        if await session.get(UserRow, name) is not None:
            # A token's name is an actor on the record: never one a person logs in with.
            raise AccountError(f"{name!r} est un utilisateur : donnez un autre nom au jeton")
        if any(
            _live(row, now)
            for row in await session.scalars(select(ApiTokenRow).where(ApiTokenRow.name == name))
        ):
            raise AccountError(f"un jeton actif nommé {name!r} existe déjà (révoquez-le d'abord)")
        if owner is not None:
            owning = await session.get(UserRow, owner)
            if owning is None:
                raise AccountError(f"aucun utilisateur {owner!r} pour posséder ce jeton")
            if not owning.active:
                # Disabling a user ends their tokens (disable_user): none begins after.
                raise AccountError(
                    f"l'utilisateur {owner!r} est désactivé : il ne peut posséder de jeton"
                )
        session.add(
            ApiTokenRow(
                token_hash=token_digest(token),
                name=name,
                role=role.value,
                created_at=now,
                expires_at=expires_at,
                owner=owner,
            )
        )
    return token


async def list_tokens(sessions: SessionFactory) -> list[ApiTokenRow]:
    async with sessions() as session:
        return list(
            await session.scalars(
                select(ApiTokenRow).order_by(ApiTokenRow.name, ApiTokenRow.created_at)
            )
        )


async def revoke_token(sessions: SessionFactory, name: str) -> int:
    """Revoke every live token of `name`; how many there were."""
    now = datetime.now(UTC)
    async with sessions.begin() as session:
        live = [
            row
            for row in await session.scalars(select(ApiTokenRow).where(ApiTokenRow.name == name))
            if _live(row, now)
        ]
        for row in live:
            row.revoked_at = now
    return len(live)


async def token_principal(sessions: SessionFactory, token: str) -> Principal | None:
    """The principal a bearer token stands for, while it is neither revoked nor expired and
    its owner, if it has one, is still active: disabling a user revokes their tokens, and a
    token created while its owner was being disabled is refused here all the same."""
    query = (
        select(ApiTokenRow, UserRow.active)
        .outerjoin(UserRow, UserRow.username == ApiTokenRow.owner)
        .where(ApiTokenRow.token_hash == token_digest(token))
    )
    async with sessions() as session:
        found = (await session.execute(query)).first()
    if found is None:
        return None
    row, owner_active = found
    if not _live(row, datetime.now(UTC)) or (row.owner is not None and not owner_active):
        return None
    return Principal(row.name, Role(row.role))


def _live(row: ApiTokenRow, now: datetime) -> bool:
    if row.revoked_at is not None:
        return False
    return row.expires_at is None or aware(row.expires_at) > now
