"""Each complaint its own data key (issue 28): envelope encryption, so an erasure is one key
destroyed (crypto-shredding) rather than a hunt for every copy.

A complaint's key is a random AES-256 key, stored wrapped by the keyring's current key (the
complaint's reference and the key's id are the wrapping's associated data, so a wrapped key
copied to another row opens nowhere). What is sealed for a complaint (sealed values, enveloped
files, Temporal payloads) names the key's id, as it named a keyring key's before: the keyring
`keyring_for` hands out holds the complaint's key as its current one, beside the keyring's own
keys, so everything sealed before the complaint had a key still opens. Rotating the keyring
rewraps these rows (`rewrap`), never the data.

Unwrapped keys are kept in memory a short while (`CACHE_SECONDS`): the worker asks for a
complaint's key at each of its workflow's tasks. A key destroyed in another process stops
opening here when the cached copy expires; the erasure also deletes the workflow from Temporal,
so nothing goes on asking for it. While the database cannot be read, a key held already keeps
serving past its time, so that a database outage does not stop the complaints' clocks.
"""

from __future__ import annotations

import base64
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Row, select, update
from sqlalchemy.exc import SQLAlchemyError

from reclamations.db.engine import SessionFactory, statements
from reclamations.db.models import ComplaintKeyRow, ComplaintRow
from reclamations.db.upsert import insert_if_missing
from reclamations.security.keyring import COMPLAINT_KEY_PREFIX, Erased, Keyring, KeyringError

CACHE_SECONDS = 30.0


async def keyring_of(
    keys: ComplaintKeys | None, keyring: Keyring, reference: str, create: bool
) -> Keyring:
    """The keyring to seal (`create`: the complaint's key made if it has none) or to open the
    complaint `reference` with: the keyring alone where complaints have no keys (`keys` None),
    or to open one that has none, or whose key was destroyed (what it sealed stays unreadable;
    its record holds "[effacé]" by then). Sealing for an erased complaint raises `Erased`."""
    if keys is None:
        return keyring
    if create:
        return await keys.keyring_for(reference)
    try:
        return await keys.find(reference) or keyring
    except Erased:
        return keyring


def _wrapping_context(reference: str, key_id: str) -> bytes:
    return f"complaint-key:{reference}:{key_id}".encode()


@dataclass(frozen=True)
class _Cached:
    keyring: Keyring | None  # None: destroyed
    until: float


class ComplaintKeys:
    def __init__(self, sessions: SessionFactory, keyring: Keyring) -> None:
        self._sessions = sessions
        self.keyring = keyring
        self._cache: dict[str, _Cached] = {}

    def _with(self, key_id: str, key: bytes) -> Keyring:
        return Keyring(key_id, {**self.keyring.keys, key_id: key})

    def _unwrap(self, row: ComplaintKeyRow | Row[Any]) -> Keyring | None:
        if row.destroyed_at is not None or row.wrapped is None or row.wrapped_by is None:
            return None
        key = self.keyring.decrypt(
            row.wrapped_by,
            base64.b64decode(row.wrapped),
            _wrapping_context(row.reference, row.key_id),
        )
        return self._with(row.key_id, key)

    def _remember(self, reference: str, keyring: Keyring | None) -> Keyring | None:
        self._cache[reference] = _Cached(keyring, time.monotonic() + CACHE_SECONDS)
        return keyring

    async def find(self, reference: str) -> Keyring | None:
        """The complaint's keyring; raises `Erased` once its key is destroyed; None when the
        complaint has no key (yet)."""
        cached = self._cache.get(reference)
        if cached is None or cached.until < time.monotonic():
            try:
                # A bare statement, not the ORM's session: the codec asks at every workflow
                # task whose complaint's key is not in memory.
                async with statements(self._sessions, write=False) as connection:
                    query = select(ComplaintKeyRow).where(ComplaintKeyRow.reference == reference)
                    row = (await connection.execute(query)).first()
            except (SQLAlchemyError, OSError):
                # The database away a while: a key this process holds still opens what it
                # sealed, so its complaints' workflow tasks go on (rule 14); one it saw
                # destroyed stays destroyed, and one it never read waits for the database.
                if cached is None or cached.keyring is None:
                    raise
                return cached.keyring
            if row is None:
                return None
            cached = _Cached(self._remember(reference, self._unwrap(row)), 0)
        if cached.keyring is None:
            raise Erased(f"clé de la réclamation {reference} détruite")
        return cached.keyring

    async def keyring_for(self, reference: str) -> Keyring:
        """The keyring to seal and open the complaint `reference` with: made the first time
        (a new complaint, or one registered before complaints had keys)."""
        found = await self.find(reference)
        if found is not None:
            return found
        key_id = COMPLAINT_KEY_PREFIX + secrets.token_hex(12)
        key = AESGCM.generate_key(bit_length=256)
        wrapped_by, wrapped = self.keyring.encrypt(key, _wrapping_context(reference, key_id))
        row = {
            "reference": reference,
            "key_id": key_id,
            "wrapped_by": wrapped_by,
            "wrapped": base64.b64encode(wrapped).decode(),
            "created_at": datetime.now(UTC),
        }
        async with statements(self._sessions) as connection:
            made = await insert_if_missing(connection, ComplaintKeyRow, row)
        if made:
            keyring = self._remember(reference, self._with(key_id, key))
            assert keyring is not None
            return keyring
        # Another process made it in the meantime (two workers, the web and a worker): theirs.
        found = await self.find(reference)
        if found is None:
            raise KeyringError(f"clé de la réclamation {reference} introuvable après sa création")
        return found

    async def destroy(self, reference: str, now: datetime) -> bool:
        """The complaint's key gone for good (crypto-shredding); True when it was there. A
        complaint that never had one (registered before keys) is marked erased all the same, so
        that no process opens what the keyring sealed for it either."""
        async with self._sessions.begin() as session:
            result = await session.execute(
                update(ComplaintKeyRow)
                .where(ComplaintKeyRow.reference == reference)
                .where(ComplaintKeyRow.destroyed_at.is_(None))
                .values(wrapped=None, wrapped_by=None, destroyed_at=now)
            )
            destroyed = bool(getattr(result, "rowcount", 0))
            if not destroyed and await session.get(ComplaintKeyRow, reference) is None:
                session.add(
                    ComplaintKeyRow(
                        reference=reference,
                        key_id=COMPLAINT_KEY_PREFIX + secrets.token_hex(12),
                        created_at=now,
                        destroyed_at=now,
                    )
                )
        self._remember(reference, None)
        return destroyed

    async def find_many(self, references: list[str]) -> dict[str, Keyring]:
        """The keyrings of those complaints that have a live key, in one query (a page of the
        queue); the others are left out."""
        now = time.monotonic()
        wanted = [r for r in set(references) if r not in self._cache or self._cache[r].until < now]
        if wanted:
            async with self._sessions() as session:
                rows = await session.scalars(
                    select(ComplaintKeyRow).where(ComplaintKeyRow.reference.in_(wanted))
                )
                for row in rows:
                    self._remember(row.reference, self._unwrap(row))
        found: dict[str, Keyring] = {}
        for reference in references:
            cached = self._cache.get(reference)
            if cached is not None and cached.keyring is not None:
                found[reference] = cached.keyring
        return found

    async def provide_missing(self) -> int:
        """A key for every recorded complaint that has none (registered before complaints had
        keys; `complaints db upgrade` runs it): from then on what is sealed for it is sealed
        with its key. What the keyring sealed before stays as it is and keeps opening; an
        erasure deletes it (service/erasure.py). Returns how many were given a key."""
        async with self._sessions() as session:
            missing = list(
                await session.scalars(
                    select(ComplaintRow.reference)
                    .outerjoin(ComplaintKeyRow, ComplaintKeyRow.reference == ComplaintRow.reference)
                    .where(ComplaintKeyRow.reference.is_(None))
                )
            )
        for reference in missing:
            await self.keyring_for(reference)
        return len(missing)

    async def rewrap(self) -> int:
        """Every live complaint key wrapped again by the keyring's current key (after a
        rotation): the data sealed with them is not touched. Returns how many changed."""
        changed = 0
        async with self._sessions.begin() as session:
            rows = await session.scalars(
                select(ComplaintKeyRow).where(
                    ComplaintKeyRow.destroyed_at.is_(None),
                    ComplaintKeyRow.wrapped_by != self.keyring.current_id,
                )
            )
            for row in rows:
                unwrapped = self._unwrap(row)
                if unwrapped is None:
                    continue
                key = unwrapped.keys[row.key_id]
                row.wrapped_by, blob = self.keyring.encrypt(
                    key, _wrapping_context(row.reference, row.key_id)
                )
                row.wrapped = base64.b64encode(blob).decode()
                changed += 1
        return changed
