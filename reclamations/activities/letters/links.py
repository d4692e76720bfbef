"""The private link a letter carries to its complainant's follow-up page, where the insurer
enables it (issue 26, rule 20; `RECLAMATIONS_LETTERS_FOLLOW_LINK`): the postal complainant
gets one as the online one does.

A letter's link is the same on every try of that letter (an HMAC of the letter's business key,
under a key derived from the keyring for this purpose alone), so a retry sends the link the
first try stored. Only its SHA-256 is kept, like every private link's (db.follow_links); the
stored letter says where the link was (rendering.FOLLOW_LINK), never the link.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from functools import cached_property

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from reclamations.db.engine import SessionFactory
from reclamations.db.models import FollowLinkRow
from reclamations.db.upsert import insert_missing
from reclamations.security.keyring import Keyring
from reclamations.security.passwords import token_digest

PURPOSE = b"reclamations letter follow link v1"
# 120 bits, 24 characters of lower-case base32: short enough to type from paper.
TOKEN_BYTES = 15


class LetterLinks:
    def __init__(
        self, sessions: SessionFactory, keyring: Keyring, public_url: str, lifetime: timedelta
    ) -> None:
        self._sessions = sessions
        self._keyring = keyring
        self._public_url = public_url.rstrip("/")
        self._lifetime = lifetime

    @cached_property
    def _key(self) -> bytes:
        current = self._keyring.keys[self._keyring.current_id]
        return HKDF(hashes.SHA256(), 32, salt=None, info=PURPOSE).derive(current)

    def token(self, reference: str, kind: str, sequence: int) -> str:
        mac = hmac.new(self._key, f"{reference}/{kind}/{sequence}".encode(), hashlib.sha256)
        return base64.b32encode(mac.digest()[:TOKEN_BYTES]).decode().lower()

    async def issue(self, reference: str, kind: str, sequence: int) -> str:
        """The letter's link, its hash stored once (a retry finds it there)."""
        token = self.token(reference, kind, sequence)
        now = datetime.now(UTC)
        row = {
            "token_hash": token_digest(token),
            "reference": reference,
            "created_at": now,
            "expires_at": now + self._lifetime,
        }
        async with self._sessions.begin() as session:
            await insert_missing(session, FollowLinkRow, [row])
        return f"{self._public_url}/suivi/{token}"
