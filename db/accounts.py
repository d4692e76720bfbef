"""Users of the agents' UI and bearer tokens of back-office systems."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from db.engine import SessionFactory
from db.models import ApiTokenRow, UserRow
from security.passwords import hash_password, new_token, token_digest, verify_password

ROLES = ("agent", "supervisor", "medical_advisor", "operator")


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
    if role not in ROLES:
        raise AccountError(f"rôle inconnu {role!r} (possibles : {', '.join(ROLES)})")
    if len(password) < 8:
        raise AccountError("le mot de passe doit compter au moins 8 caractères")
    async with sessions.begin() as session:
        user = await session.get(UserRow, username)
        if user is not None and not replace:
            raise AccountError(f"l'utilisateur {username!r} existe déjà")
        if user is None:
            user = UserRow(username=username, created_at=datetime.now(UTC))
            session.add(user)
        user.display_name = display_name or username
        user.role = role
        user.password_hash = hash_password(password)
        user.active = True
    return user


async def authenticate(sessions: SessionFactory, username: str, password: str) -> UserRow | None:
    async with sessions() as session:
        user = await session.get(UserRow, username)
    if user is None or not user.active or not verify_password(password, user.password_hash):
        return None
    return user


async def get_user(sessions: SessionFactory, username: str) -> UserRow | None:
    async with sessions() as session:
        user = await session.get(UserRow, username)
    return user if user is not None and user.active else None


async def list_users(sessions: SessionFactory) -> list[UserRow]:
    async with sessions() as session:
        return list(await session.scalars(select(UserRow).order_by(UserRow.username)))


async def create_token(sessions: SessionFactory, name: str) -> str:
    """A new token for `name`; only its hash is stored, so this is the one time it is seen."""
    token = new_token()
    async with sessions.begin() as session:
        session.add(
            ApiTokenRow(token_hash=token_digest(token), name=name, created_at=datetime.now(UTC))
        )
    return token


async def token_owner(sessions: SessionFactory, token: str) -> str | None:
    async with sessions() as session:
        row = await session.get(ApiTokenRow, token_digest(token))
    return row.name if row is not None and row.revoked_at is None else None
