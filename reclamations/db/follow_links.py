"""A complainant's private links (issue 26): the tokens, kept as SHA-256 only, the address a
new link may be asked from (a SHA-256 too), and the emails of links owed, kept until sent.

A token is in clear only in the answer to whoever asked for it and in the email that carries
it; never in the record, a Temporal payload or a log line (web.public redacts the access log).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update

from reclamations.db.engine import SessionFactory
from reclamations.db.models import FollowAddressRow, FollowLinkRow, FollowMailRow, aware
from reclamations.security.passwords import token_digest

TOKEN_BYTES = 32  # secrets.token_urlsafe(32): 256 random bits, 43 characters
# What a token of ours looks like: anything else is not looked up at all.
TOKEN_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
# An email with a link that failed is tried again after 1 min, 2, 4… and then every hour.
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=1)
LEASE = timedelta(minutes=2)


class MailReason:
    registered = "registered"  # the complaint was just filed online
    renewed = "renewed"  # "recevoir un nouveau lien"


def address_digest(address: str) -> str:
    """The address as the renewal form compares it: without case or surrounding spaces."""
    return hashlib.sha256(f"follow-address:{address.strip().casefold()}".encode()).hexdigest()


async def issue_link(
    sessions: SessionFactory, reference: str, now: datetime, lifetime: timedelta
) -> str:
    """A new private link's token for `reference`; only its hash is stored."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    async with sessions.begin() as session:
        # Expired links open nothing: forgotten on the way.
        await session.execute(delete(FollowLinkRow).where(FollowLinkRow.expires_at <= now))
        session.add(
            FollowLinkRow(
                token_hash=token_digest(token),
                reference=reference,
                created_at=now,
                expires_at=now + lifetime,
            )
        )
    return token


async def forget_link(sessions: SessionFactory, token: str) -> None:
    async with sessions.begin() as session:
        await session.execute(
            delete(FollowLinkRow).where(FollowLinkRow.token_hash == token_digest(token))
        )


@dataclass(frozen=True)
class OpenLink:
    reference: str
    expires_at: datetime


async def link_for(sessions: SessionFactory, token: str | None, now: datetime) -> OpenLink | None:
    """The complaint a token opens, while it lasts; None for any other token (unknown,
    expired, malformed) alike. The stored hash is compared in constant time, and a malformed
    token costs the same hash as a real one."""
    given = token or ""
    well_formed = len(given) <= 64 and set(given) <= TOKEN_CHARACTERS
    digest = token_digest(given if well_formed else "")
    async with sessions() as session:
        row = await session.get(FollowLinkRow, digest) if well_formed and given else None
    if row is None:
        hmac.compare_digest(digest, digest)
        return None
    if not hmac.compare_digest(row.token_hash, digest) or aware(row.expires_at) <= now:
        return None
    return OpenLink(reference=row.reference, expires_at=aware(row.expires_at))


async def remember_address(sessions: SessionFactory, reference: str, address: str) -> None:
    async with sessions.begin() as session:
        await session.merge(
            FollowAddressRow(reference=reference, address_hash=address_digest(address))
        )


async def references_for(sessions: SessionFactory, address: str) -> list[str]:
    async with sessions() as session:
        found = await session.scalars(
            select(FollowAddressRow.reference)
            .where(FollowAddressRow.address_hash == address_digest(address))
            .order_by(FollowAddressRow.reference)
        )
        return list(found)


async def owe_mail(sessions: SessionFactory, reference: str, reason: str, now: datetime) -> int:
    """An email with a link, owed from now: kept until a mail server takes it."""
    async with sessions.begin() as session:
        row = FollowMailRow(
            reference=reference, reason=reason, created_at=now, attempts=0, next_attempt_at=now
        )
        session.add(row)
        await session.flush()
        return row.id


@dataclass(frozen=True)
class OwedMail:
    id: int
    reference: str
    reason: str
    attempts: int


async def claim_mail(sessions: SessionFactory, mail_id: int, now: datetime) -> OwedMail | None:
    """The mail, for this process alone for a while, if it is still owed and due."""
    async with sessions.begin() as session:
        claimed = await session.execute(
            update(FollowMailRow)
            .where(
                FollowMailRow.id == mail_id,
                FollowMailRow.sent_at.is_(None),
                FollowMailRow.next_attempt_at <= now,
                or_(FollowMailRow.lease_until.is_(None), FollowMailRow.lease_until < now),
            )
            .values(lease_until=now + LEASE)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            return None
        row = await session.get(FollowMailRow, mail_id)
        assert row is not None
        return OwedMail(
            id=row.id, reference=row.reference, reason=row.reason, attempts=row.attempts
        )


async def due_mails(sessions: SessionFactory, now: datetime, limit: int = 50) -> list[int]:
    async with sessions() as session:
        found = await session.scalars(
            select(FollowMailRow.id)
            .where(FollowMailRow.sent_at.is_(None), FollowMailRow.next_attempt_at <= now)
            .order_by(FollowMailRow.next_attempt_at)
            .limit(limit)
        )
        return list(found)


async def mail_sent(sessions: SessionFactory, mail_id: int, now: datetime) -> None:
    async with sessions.begin() as session:
        await session.execute(
            update(FollowMailRow)
            .where(FollowMailRow.id == mail_id)
            .values(sent_at=now, lease_until=None)
        )


async def mail_failed(sessions: SessionFactory, mail: OwedMail, now: datetime) -> datetime:
    """Tried again later, longer after each failure; when, returned."""
    wait: timedelta = min(FIRST_RETRY * 2 ** min(mail.attempts, 12), LONGEST_RETRY)
    later: datetime = now + wait
    async with sessions.begin() as session:
        await session.execute(
            update(FollowMailRow)
            .where(FollowMailRow.id == mail.id)
            .values(attempts=mail.attempts + 1, next_attempt_at=later, lease_until=None)
        )
    return later


async def mail_dropped(sessions: SessionFactory, mail_id: int, now: datetime) -> None:
    """Nothing to send any more (the complaint has no address, or became medical): closed
    without a message."""
    await mail_sent(sessions, mail_id, now)
