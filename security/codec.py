"""The payload codec: every Temporal payload leaves the process AES-GCM encrypted, so names,
addresses and complaint text are never readable in the server's history or database."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from temporalio.api.common.v1 import Payload
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter, PayloadCodec

from security.keyring import Keyring

ENCODING = b"binary/encrypted"
KEY_ID = "encryption-key-id"


class EncryptionCodec(PayloadCodec):
    def __init__(self, keyring: Keyring) -> None:
        self._keyring = keyring

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
        if payload.metadata.get("encoding") != ENCODING:
            return payload  # written before encryption was turned on
        key_id = payload.metadata[KEY_ID].decode()
        return Payload.FromString(self._keyring.decrypt(key_id, payload.data))


def data_converter(keyring: Keyring) -> DataConverter:
    """Pydantic models in, encrypted payloads out: used by every client and worker."""
    return dataclasses.replace(pydantic_data_converter, payload_codec=EncryptionCodec(keyring))
