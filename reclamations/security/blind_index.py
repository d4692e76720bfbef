"""The search index's keyed hashes (issue 29, rule 11): each plain search key of
`domain.search` is stored and looked up as an HMAC-SHA256, so the index holds nothing
readable, and nobody without the keyring can test a guessed name against it.

The HMAC key is derived (HKDF) from a keyring key, with its own purpose: it is never the key
that seals content. Tokens carry the id of the key they were made with; a search looks up the
tokens of every key in the keyring, so rotating keys keeps the index working until
`complaints db reindex-search` rewrites it under the current key.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import cached_property

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from reclamations.security.keyring import Keyring

PURPOSE = b"reclamations search index v1"
# 128 bits of the HMAC, in hex: collisions between two keys are out of reach.
TOKEN_CHARS = 32


class BlindIndex:
    def __init__(self, keyring: Keyring) -> None:
        self._keyring = keyring

    @cached_property
    def _keys(self) -> dict[str, bytes]:
        return {
            key_id: HKDF(hashes.SHA256(), 32, salt=None, info=PURPOSE).derive(key)
            for key_id, key in self._keyring.keys.items()
        }

    @property
    def current_id(self) -> str:
        return self._keyring.current_id

    def token(self, plain: str, key_id: str | None = None) -> str:
        key = self._keys[key_id or self._keyring.current_id]
        return hmac.new(key, plain.encode(), hashlib.sha256).hexdigest()[:TOKEN_CHARS]

    def lookups(self, plain: str) -> list[str]:
        """The token of `plain` under every key of the keyring, the current one first."""
        return [self.token(plain, key_id) for key_id in self._keys]
