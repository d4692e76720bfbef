"""AES-GCM keys with ids, so keys can be rotated while old data still reads.

The first key encrypts; every key decrypts. Used for Temporal payloads (the codec) and for
sealing medical content (rule 11) wherever it travels or rests.
"""

from __future__ import annotations

import base64
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12
KEY_ID_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")


class KeyringError(Exception):
    pass


# A complaint's own data key (security/complaint_keys.py) is named apart from the keyring's.
COMPLAINT_KEY_PREFIX = "ck-"


class Erased(KeyringError):
    """The complaint's key was destroyed (issue 28): what was sealed with it never opens again."""


def is_complaint_key(key_id: str) -> bool:
    return key_id.startswith(COMPLAINT_KEY_PREFIX)


@dataclass(frozen=True)
class Keyring:
    current_id: str
    keys: dict[str, bytes]

    def __post_init__(self) -> None:
        if self.current_id not in self.keys:
            raise KeyringError(f"the current key {self.current_id!r} is not in the keyring")
        for key_id, key in self.keys.items():
            if not KEY_ID_PATTERN.match(key_id):
                raise KeyringError(f"invalid key id {key_id!r}")
            if len(key) not in (16, 24, 32):
                raise KeyringError(f"key {key_id!r} must be 128, 192 or 256 bits")

    @classmethod
    def generate(cls, key_id: str = "k1") -> Keyring:
        return cls(key_id, {key_id: AESGCM.generate_key(bit_length=256)})

    @classmethod
    def parse(cls, text: str) -> Keyring:
        """From "id:base64,id2:base64": the first key encrypts."""
        keys: dict[str, bytes] = {}
        for item in filter(None, (part.strip() for part in text.split(","))):
            key_id, sep, encoded = item.partition(":")
            if not sep:
                raise KeyringError("each key must read id:base64")
            keys[key_id] = base64.b64decode(encoded, validate=True)
        if not keys:
            raise KeyringError("no key given")
        return cls(next(iter(keys)), keys)

    def dumps(self) -> str:
        return json.dumps(
            {
                "current": self.current_id,
                "keys": {k: base64.b64encode(v).decode() for k, v in self.keys.items()},
            },
            indent=2,
        )

    @classmethod
    def loads(cls, text: str) -> Keyring:
        data = json.loads(text)
        return cls(data["current"], {k: base64.b64decode(v) for k, v in data["keys"].items()})

    @classmethod
    def load_or_create(cls, path: Path) -> Keyring:
        """The key file of a single-machine install, created with a fresh key the first time."""
        if path.exists():
            return cls.loads(path.read_text())
        keyring = cls.generate()
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(keyring.dumps())
        return keyring

    def encrypt(self, plaintext: bytes, context: bytes = b"") -> tuple[str, bytes]:
        nonce = os.urandom(NONCE_BYTES)
        sealed = AESGCM(self.keys[self.current_id]).encrypt(nonce, plaintext, context)
        return self.current_id, nonce + sealed

    def decrypt(self, key_id: str, blob: bytes, context: bytes = b"") -> bytes:
        key = self.keys.get(key_id)
        if key is None:
            raise KeyringError(f"unknown key id {key_id!r}: was it removed from the keyring?")
        return AESGCM(key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], context)
