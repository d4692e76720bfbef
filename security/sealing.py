"""Sealed text: medical content encrypted where it enters the system (DESIGN rule 11).

A sealed value is an ordinary string, "sealed:v1:<key id>:<base64>", so it travels unchanged
through Temporal payloads, the database and logs, and only the Médecin Conseil's views and the
letter printer open it.
"""

from __future__ import annotations

import base64
import json
import re

from domain.content import SEALED_PREFIX as PREFIX
from domain.content import is_sealed
from security.keyring import Keyring

SEALED_PATTERN = re.compile(r"sealed:v1:[A-Za-z0-9_.-]{1,32}:[A-Za-z0-9+/=]+")
_CONTEXT = b"medical-content"


def seal(keyring: Keyring, text: str) -> str:
    if is_sealed(text):
        return text
    key_id, blob = keyring.encrypt(text.encode(), _CONTEXT)
    return f"{PREFIX}{key_id}:{base64.b64encode(blob).decode()}"


def unseal(keyring: Keyring, value: str) -> str:
    if not is_sealed(value):
        return value
    key_id, _, encoded = value.removeprefix(PREFIX).partition(":")
    return keyring.decrypt(key_id, base64.b64decode(encoded), _CONTEXT).decode()


def unseal_all(keyring: Keyring, text: str) -> str:
    """Open every sealed value inside a larger text (a JSON payload, say)."""
    return SEALED_PATTERN.sub(lambda m: _json_safe(unseal(keyring, m.group(0))), text)


def _json_safe(text: str) -> str:
    # The opened text replaces a JSON string's contents: escape what JSON would escape.
    return json.dumps(text, ensure_ascii=False)[1:-1]


def contains_sealed(text: str) -> bool:
    return SEALED_PATTERN.search(text) is not None
