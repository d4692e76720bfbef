"""Sealed text: a medical complaint's content encrypted where it enters the system (rule 11).

A sealed value is an ordinary string, "sealed:v2:<key id>:<reference>:<base64>", so it travels
unchanged through Temporal payloads, the database and logs. The complaint's reference is the
AES-GCM associated data: a sealed value opens only as part of its own complaint, and a copy put
anywhere else is unreadable. Values sealed before that binding ("sealed:v1:<key id>:<base64>")
still open where they are.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import TypeVar

from cryptography.exceptions import InvalidTag
from pydantic import BaseModel

from reclamations.domain.content import CONTENT, IDENTITY, is_sealed, map_content, map_marked
from reclamations.security.keyring import Keyring, KeyringError

V1 = "sealed:v1:"
V2 = "sealed:v2:"
SEALED_PATTERN = re.compile(
    r"sealed:v1:[A-Za-z0-9_.-]{1,32}:[A-Za-z0-9+/=]+"
    r"|sealed:v2:[A-Za-z0-9_.-]{1,32}:[A-Za-z0-9][A-Za-z0-9._-]{2,39}:[A-Za-z0-9+/=]+"
)
UNREADABLE = "[contenu illisible]"
_V1_CONTEXT = b"medical-content"

M = TypeVar("M", bound=BaseModel)


class Unreadable(Exception):
    """A sealed value that does not open here: wrong complaint, unknown key, or tampered.
    The message never carries the value."""


def _context(reference: str) -> bytes:
    return b"medical-content:" + reference.encode()


def seal(keyring: Keyring, reference: str, text: str) -> str:
    key_id, blob = keyring.encrypt(text.encode(), _context(reference))
    return f"{V2}{key_id}:{reference}:{base64.b64encode(blob).decode()}"


def _parts(value: str) -> tuple[str, str | None, bytes]:
    """(key id, bound reference or None for v1, ciphertext)."""
    if value.startswith(V2):
        key_id, _, rest = value.removeprefix(V2).partition(":")
        bound, _, encoded = rest.partition(":")
    elif value.startswith(V1):
        key_id, _, encoded = value.removeprefix(V1).partition(":")
        bound = None
    else:
        raise Unreadable("format inconnu")
    try:
        return key_id, bound, base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise Unreadable("encodage invalide") from None


def _decrypt(keyring: Keyring, key_id: str, bound: str | None, blob: bytes) -> str:
    context = _V1_CONTEXT if bound is None else _context(bound)
    try:
        return keyring.decrypt(key_id, blob, context).decode()
    except (InvalidTag, KeyringError, ValueError) as error:
        raise Unreadable(type(error).__name__) from None


def open_sealed(keyring: Keyring, reference: str, value: str) -> str:
    """The text sealed in `value`, which must belong to the complaint `reference`."""
    key_id, bound, blob = _parts(value)
    if bound is not None and bound != reference:
        raise Unreadable("scellé pour une autre réclamation")
    return _decrypt(keyring, key_id, bound, blob)


def seal_content(keyring: Keyring, reference: str, model: M) -> M:
    """Every content field of `model` sealed for the complaint `reference`."""
    return map_content(model, lambda _path, text: seal(keyring, reference, text))


def seal_unsealed(keyring: Keyring, reference: str, model: M) -> M:
    """Every content field of `model` sealed, but those sealed already: what a complaint
    found medical kept in clear (issue 27), sealed as often as asked, once."""
    return map_content(
        model, lambda _path, text: text if is_sealed(text) else seal(keyring, reference, text)
    )


def seal_identity(keyring: Keyring, reference: str, model: M) -> M:
    """Every identity field of `model` sealed for the complaint `reference`, before a medical
    complaint is kept at rest; one sealed already stays as it is."""
    return map_marked(
        model,
        (IDENTITY,),
        lambda _path, text: text if is_sealed(text) else seal(keyring, reference, text),
    )


def open_content(keyring: Keyring, reference: str, model: M) -> tuple[M, list[str]]:
    """Every sealed content or identity field of `model` opened, and the paths of those that
    would not open (shown as unreadable, never raised: a bad value must not break a page or a
    letter)."""
    unreadable: list[str] = []

    def open_one(path: str, text: str) -> str:
        if not is_sealed(text):
            return text
        try:
            return open_sealed(keyring, reference, text)
        except Unreadable:
            unreadable.append(path)
            return UNREADABLE

    return map_marked(model, (CONTENT, IDENTITY), open_one), unreadable


def open_all(keyring: Keyring, text: str) -> str:
    """Open every sealed value inside a larger text (a JSON payload, for the Médecin Conseil
    reading a history), each with the complaint it is bound to."""

    def open_match(match: re.Match[str]) -> str:
        try:
            key_id, bound, blob = _parts(match.group(0))
            opened = _decrypt(keyring, key_id, bound, blob)
        except Unreadable:
            opened = UNREADABLE
        # The opened text replaces a JSON string's contents: escape what JSON would escape.
        return json.dumps(opened, ensure_ascii=False)[1:-1]

    return SEALED_PATTERN.sub(open_match, text)


def contains_sealed(text: str) -> bool:
    return SEALED_PATTERN.search(text) is not None
