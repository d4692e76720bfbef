"""A medical complaint's files encrypted at rest (rule 16), envelope-style: each file
has its own random data key (AES-256-GCM); only that key is encrypted with the keyring. A key
rotation re-wraps small headers, never rewrites a file.

Layout of an encrypted file: b"RECENV1\\n", a 2-byte header length, the JSON header (key id
and the wrapped data key), then nonce + ciphertext. The file's identity (complaint and
checksum) is the associated data of both layers: a file copied under another name opens
nowhere."""

from __future__ import annotations

import base64
import json
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from reclamations.security.keyring import Keyring, KeyringError

MAGIC = b"RECENV1\n"
NONCE = 12


class UnreadableFile(Exception):
    """Not a file of ours, tampered, or its key is gone; never says more."""


def is_enveloped(blob: bytes) -> bool:
    return blob.startswith(MAGIC)


def seal_file(keyring: Keyring, content: bytes, identity: str) -> bytes:
    context = identity.encode()
    data_key = AESGCM.generate_key(bit_length=256)
    nonce = os.urandom(NONCE)
    body = nonce + AESGCM(data_key).encrypt(nonce, content, context)
    key_id, wrapped = keyring.encrypt(data_key, context)
    header = json.dumps({"key": key_id, "wrapped": base64.b64encode(wrapped).decode()}).encode()
    return MAGIC + len(header).to_bytes(2, "big") + header + body


def _parts(blob: bytes) -> tuple[dict[str, str], bytes]:
    """An envelope's header and body; ValueError, KeyError or TypeError for anything else."""
    if not is_enveloped(blob):
        raise ValueError("not an envelope")
    start = len(MAGIC) + 2
    size = int.from_bytes(blob[len(MAGIC) : start], "big")
    header: dict[str, str] = json.loads(blob[start : start + size])
    return header, blob[start + size :]


def sealed_with(blob: bytes) -> str | None:
    """The id of the key that wrapped an envelope's data key; None for anything else."""
    try:
        key_id = _parts(blob)[0]["key"]
    except (ValueError, KeyError, TypeError):
        return None
    return key_id if isinstance(key_id, str) else None


def open_file(keyring: Keyring, blob: bytes, identity: str) -> bytes:
    context = identity.encode()
    try:
        header, body = _parts(blob)
        data_key = keyring.decrypt(header["key"], base64.b64decode(header["wrapped"]), context)
        return AESGCM(data_key).decrypt(body[:NONCE], body[NONCE:], context)
    except (ValueError, KeyError, TypeError, InvalidTag, KeyringError) as error:
        raise UnreadableFile(f"fichier chiffré illisible ({type(error).__name__})") from None
