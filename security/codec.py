"""The payload codec: every Temporal payload leaves the process AES-GCM encrypted, so names,
addresses and complaint text are never readable in the server's history or database.

It also keeps the door shut (DESIGN rule 15): a payload that arrives unencrypted did not come
through the application (a signal typed into the Temporal CLI or Web UI, say). Such a payload is
never read: it becomes a `ForeignPayload`, which the workflow refuses and records, so the
complaint carries on and operators see what was tried.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from cryptography.exceptions import InvalidTag
from google.protobuf.message import DecodeError
from temporalio.api.common.v1 import Payload
from temporalio.contrib.pydantic import PydanticPayloadConverter, pydantic_data_converter
from temporalio.converter import DataConverter, EncodingPayloadConverter, PayloadCodec

from security.keyring import Keyring, KeyringError

ENCODING = b"binary/encrypted"
KEY_ID = "encryption-key-id"
FOREIGN_ENCODING = "binary/foreign"


class ForeignPayload:
    """Stands in for an unencrypted payload from outside the application: never read."""

    def __repr__(self) -> str:
        return "ForeignPayload()"


class EncryptionCodec(PayloadCodec):
    """`refuse_plain`: what the application's own workers and clients use. Without it (the
    codec endpoint, which only shows histories), plain payloads are shown as they are."""

    def __init__(self, keyring: Keyring, refuse_plain: bool = True) -> None:
        self._keyring = keyring
        self._refuse_plain = refuse_plain

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        encoded = []
        for payload in payloads:
            key_id, blob = self._keyring.encrypt(payload.SerializeToString())
            encoded.append(
                Payload(metadata={"encoding": ENCODING, KEY_ID: key_id.encode()}, data=blob)
            )
        return encoded

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.decode_one(payload) for payload in payloads]

    def decode_one(self, payload: Payload) -> Payload:
        if payload.metadata.get("encoding") == ENCODING:
            try:
                key_id = payload.metadata[KEY_ID].decode()
                return Payload.FromString(self._keyring.decrypt(key_id, payload.data))
            except (KeyError, KeyringError, InvalidTag, ValueError, DecodeError):
                if not self._refuse_plain:
                    raise
        elif not self._refuse_plain:
            return payload
        # Not ours, or labelled ours but does not open (forged, or from another install).
        return Payload(metadata={"encoding": FOREIGN_ENCODING.encode()})


class ForeignPayloadConverter(EncodingPayloadConverter):
    """Reads a refused payload as `ForeignPayload`, whatever type was expected."""

    @property
    def encoding(self) -> str:
        return FOREIGN_ENCODING

    def to_payload(self, value: Any) -> Payload | None:
        return None  # never written: only ever stands in for what came from outside

    def from_payload(self, payload: Payload, type_hint: type | None = None) -> Any:
        return ForeignPayload()


class CheckedPayloadConverter(PydanticPayloadConverter):
    """Pydantic models, plus the stand-in for refused payloads."""

    def __init__(self) -> None:
        super().__init__()
        self._set_converters(*self.converters.values(), ForeignPayloadConverter())


def data_converter(keyring: Keyring) -> DataConverter:
    """Pydantic models in, encrypted payloads out: used by every client and worker."""
    return dataclasses.replace(
        pydantic_data_converter,
        payload_converter_class=CheckedPayloadConverter,
        payload_codec=EncryptionCodec(keyring),
    )
