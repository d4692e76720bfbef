"""Logins: sessions kept on the server so that they can be ended, the audit log, and the
throttling that slows down anyone guessing passwords."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from reclamations.db.engine import SessionFactory
from reclamations.db.models import AuditRow, UserRow, UserSessionRow, aware
from reclamations.domain.access import Principal, Role
from reclamations.security.passwords import token_digest

# A session's last activity is written at most this often, not on every page.
SEEN_EVERY = timedelta(minutes=1)


class AuditKind(StrEnum):
    login = "login"
    login_failed = "login_failed"
    login_locked = "login_locked"
    logout = "logout"
    disabled = "disabled"
    # Issue 28: the reference and the reason only, never who the complainant is.
    erasure_started = "erasure_started"
    erasure_done = "erasure_done"
    person_exported = "person_exported"
    # Issue 26: an agent emailed a complainant their private link (the reference only; the
    # address and the token never).
    follow_link_sent = "follow_link_sent"


@dataclass(frozen=True)
class SessionPolicy:
    idle: timedelta
    lifetime: timedelta
    kept: timedelta  # how long the audit log and old sessions are kept


@dataclass(frozen=True)
class OpenSession:
    """A live session and who is behind it, read together."""

    username: str
    display_name: str
    role: Role
    csrf: str

    @property
    def principal(self) -> Principal:
        return Principal(self.username, self.role)


async def open_session(
    sessions: SessionFactory, username: str, now: datetime, policy: SessionPolicy
) -> str:
    """A new session for `username`; the token goes in the cookie, its hash in the database.
    What is older than the policy keeps (audit lines, sessions) is forgotten on the way."""
    token = secrets.token_urlsafe(32)
    forgotten = now - policy.kept
    async with sessions.begin() as session:
        await session.execute(delete(AuditRow).where(AuditRow.at < forgotten))
        await session.execute(delete(UserSessionRow).where(UserSessionRow.created_at < forgotten))
        session.add(
            UserSessionRow(
                token_hash=token_digest(token),
                username=username,
                csrf=secrets.token_urlsafe(24),
                created_at=now,
                last_seen_at=now,
            )
        )
    return token


async def read_session(
    sessions: SessionFactory, token: str | None, policy: SessionPolicy, now: datetime
) -> OpenSession | None:
    """The session behind a cookie, while it is neither ended, idle too long nor too old, and
    its user still active."""
    if not token:
        return None
    query = (
        select(UserSessionRow, UserRow)
        .join(UserRow, UserRow.username == UserSessionRow.username)
        .where(UserSessionRow.token_hash == token_digest(token))
    )
    async with sessions.begin() as session:
        found = (await session.execute(query)).first()
        if found is None:
            return None
        row, user = found
        if row.ended_at is not None or not user.active:
            return None
        seen = aware(row.last_seen_at)
        if now - aware(row.created_at) > policy.lifetime or now - seen > policy.idle:
            row.ended_at = now
            return None
        if now - seen > SEEN_EVERY:
            row.last_seen_at = now
        return OpenSession(row.username, user.display_name, Role(user.role), row.csrf)


async def end_session(sessions: SessionFactory, token: str | None, now: datetime) -> None:
    if token:
        async with sessions.begin() as session:
            row = await session.get(UserSessionRow, token_digest(token))
            if row is not None and row.ended_at is None:
                row.ended_at = now


async def end_sessions(session: AsyncSession, username: str) -> None:
    """End every session of `username`, inside the caller's transaction."""
    await session.execute(
        update(UserSessionRow)
        .where(UserSessionRow.username == username, UserSessionRow.ended_at.is_(None))
        .values(ended_at=datetime.now(UTC))
    )


async def audit(
    sessions: SessionFactory,
    kind: AuditKind,
    username: str,
    client: str,
    now: datetime,
    detail: str = "",
) -> None:
    """One line of the audit log; never a password."""
    async with sessions.begin() as session:
        session.add(
            AuditRow(
                at=now, kind=kind.value, username=username[:100], client=client[:64], detail=detail
            )
        )


@dataclass(frozen=True)
class Throttle:
    """After `account_failures` wrong passwords on one account (or `client_failures` from one
    address) within `window`, logins wait: `first_delay`, doubling with each new failure up to
    `longest_delay`. A success on the account starts its count again."""

    account_failures: int = 5
    client_failures: int = 20
    window: timedelta = timedelta(minutes=15)
    first_delay: timedelta = timedelta(seconds=30)
    longest_delay: timedelta = timedelta(minutes=15)

    def wait_after(self, failures: int, threshold: int) -> timedelta:
        if failures < threshold:
            return timedelta(0)
        doubled: timedelta = self.first_delay * 2 ** min(failures - threshold, 20)
        return min(doubled, self.longest_delay)


async def locked_until(
    sessions: SessionFactory, throttle: Throttle, username: str, client: str, now: datetime
) -> datetime | None:
    """When logins for this account or from this address may be tried again, if not now."""
    since = now - throttle.window
    async with sessions() as session:
        success = await session.scalar(
            select(func.max(AuditRow.at)).where(
                AuditRow.username == username, AuditRow.kind == AuditKind.login.value
            )
        )
        account_since = max(since, aware(success)) if success else since
        checks = (
            (AuditRow.username == username, throttle.account_failures, account_since),
            (AuditRow.client == client, throttle.client_failures, since),
        )
        for matches, threshold, start in checks:
            count, last = (
                await session.execute(
                    select(func.count(), func.max(AuditRow.at)).where(
                        matches,
                        AuditRow.kind == AuditKind.login_failed.value,
                        AuditRow.at > start,
                    )
                )
            ).one()
            if last is not None:
                until = aware(last) + throttle.wait_after(count, threshold)
                if until > now:
                    return until
    return None
