"""The payload codec: every Temporal payload leaves the process AES-GCM encrypted, so names,
addresses and complaint text are never readable in the server's history or database.

It also keeps the door shut (rule 15): a payload that arrives unencrypted did not come
through the application (a signal typed into the Temporal CLI or Web UI, say). Such a payload is
never read: it becomes a `ForeignPayload`, which the workflow refuses and records, so the
complaint carries on and operators see what was tried. So does an encrypted payload copied from
another complaint's history: each payload is bound to its workflow (AES-GCM associated data).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidTag
from google.protobuf.message import DecodeError
from temporalio.api.common.v1 import Payload
from temporalio.contrib.pydantic import PydanticPayloadConverter, pydantic_data_converter
from temporalio.converter import (
    ActivitySerializationContext,
    CompositePayloadConverter,
    DataConverter,
    EncodingPayloadConverter,
    PayloadCodec,
    PayloadConverter,
    SerializationContext,
    WithSerializationContext,
    WorkflowSerializationContext,
)

from reclamations.security.keyring import Erased, Keyring, KeyringError
from reclamations.workflows.messages import WORKFLOW_ID_PREFIX

if TYPE_CHECKING:
    from reclamations.security.complaint_keys import ComplaintKeys

ENCODING = b"binary/encrypted"
KEY_ID = "encryption-key-id"
# The workflow a payload belongs to, in clear beside the ciphertext: AES-GCM authenticates it as
# associated data, so it cannot be changed, removed or copied to another complaint, and the
# codec endpoint (which is not told the workflow) reads it from here.
BOUND_TO = "encryption-workflow-id"
FOREIGN_ENCODING = "binary/foreign"
UNBOUND_ENCODING = "binary/unbound"


class ForeignPayload:
    """Stands in for a payload from outside the application: never read."""

    def __repr__(self) -> str:
        return "ForeignPayload()"


@dataclass(frozen=True)
class Unbound:
    """A message to a workflow in the format from before payloads were bound to their
    workflow (the development builds before 1.0.0). The door (workflows/guard.py) refuses it.
    (A client reading a workflow's result from then would get it wrapped too: the application
    reads none back.)"""

    value: Any


def complaint_reference(workflow_id: str | None) -> str | None:
    """The complaint a workflow is, if it is one (the register and the reconciliation are
    not: their payloads stay with the keyring)."""
    if workflow_id is None or not workflow_id.startswith(WORKFLOW_ID_PREFIX):
        return None
    return workflow_id.removeprefix(WORKFLOW_ID_PREFIX)


def associated_data(workflow_id: str) -> bytes:
    return b"temporal-workflow:" + workflow_id.encode()


class EncryptionCodec(PayloadCodec, WithSerializationContext):
    """`refuse_plain`: what the application's own workers and clients use. Without it (the
    codec endpoint, which only shows histories), plain payloads are shown as they are.

    The SDK hands the codec the workflow each payload belongs to (`with_context`): a start,
    signal, update or query of that workflow, or an activity it runs. What is encoded then is
    bound to that workflow; what is decoded must be bound to it too, else it is foreign. A
    payload in the unbound format (encrypted where no workflow was named) opens: for an
    activity as it is, for a workflow's own messages as `Unbound`, which the door refuses."""

    def __init__(
        self,
        keyring: Keyring,
        refuse_plain: bool = True,
        workflow_id: str | None = None,
        to_workflow: bool = False,
        keys: ComplaintKeys | None = None,
    ) -> None:
        self._keyring = keyring
        self._refuse_plain = refuse_plain
        self._workflow_id = workflow_id
        self._to_workflow = to_workflow
        self._keys = keys

    def with_context(self, context: SerializationContext) -> EncryptionCodec:
        if isinstance(context, WorkflowSerializationContext):
            return EncryptionCodec(
                self._keyring, self._refuse_plain, context.workflow_id, True, self._keys
            )
        if isinstance(context, ActivitySerializationContext) and context.workflow_id:
            return EncryptionCodec(
                self._keyring, self._refuse_plain, context.workflow_id, keys=self._keys
            )
        return self  # no workflow to bind to (an activity started on its own, say)

    async def _encoding_keyring(self) -> Keyring:
        """A complaint's payloads are sealed with its own key (issue 28): made the first time,
        for a complaint registered before complaints had keys too."""
        reference = complaint_reference(self._workflow_id)
        if self._keys is None or reference is None:
            return self._keyring
        return await self._keys.keyring_for(reference)

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        keyring = await self._encoding_keyring()
        return [self.encode_one(payload, keyring) for payload in payloads]

    def encode_one(self, payload: Payload, keyring: Keyring | None = None) -> Payload:
        keyring = keyring or self._keyring
        metadata = {"encoding": ENCODING}
        context = b""
        if self._workflow_id is not None:
            metadata[BOUND_TO] = self._workflow_id.encode()
            context = associated_data(self._workflow_id)
        key_id, blob = keyring.encrypt(payload.SerializeToString(), context)
        metadata[KEY_ID] = key_id.encode()
        return Payload(metadata=metadata, data=blob)

    async def keyrings(self, payloads: Sequence[Payload]) -> dict[str, Keyring | None]:
        """The keyring of each complaint that has its own key, by workflow, for the payloads
        bound to it (and the values sealed inside them); None for one whose key was destroyed
        (an erased complaint)."""
        found: dict[str, Keyring | None] = {}
        asked: set[str] = set()
        for payload in payloads:
            bound = payload.metadata.get(BOUND_TO, b"").decode(errors="replace")
            reference = complaint_reference(bound)
            if self._keys is None or reference is None or bound in asked:
                continue
            asked.add(bound)
            try:
                keyring = await self._keys.find(reference)
            except Erased:
                found[bound] = None
                continue
            if keyring is not None:  # none: a complaint from before keys, the keyring's
                found[bound] = keyring
        return found

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        keyrings = await self.keyrings(payloads)
        return [self.decode_one(payload, keyrings) for payload in payloads]

    def decode_one(
        self, payload: Payload, keyrings: Mapping[str, Keyring | None] | None = None
    ) -> Payload:
        """`keyrings`: from `keyrings`, for payloads sealed with a complaint's own key; an
        erased complaint's raise `Erased` where plain payloads are shown (the codec endpoint)."""
        if payload.metadata.get("encoding") == ENCODING:
            try:
                return self._open(payload, keyrings or {})
            except (KeyError, KeyringError, InvalidTag, ValueError, DecodeError):
                if not self._refuse_plain:
                    raise
        elif not self._refuse_plain:
            return payload
        # Not ours, labelled ours but does not open (forged, or from another install), or ours
        # but bound to another workflow (copied from another complaint's history), or sealed
        # with an erased complaint's key.
        return Payload(metadata={"encoding": FOREIGN_ENCODING.encode()})

    def _open(self, payload: Payload, keyrings: Mapping[str, Keyring | None]) -> Payload:
        key_id = payload.metadata[KEY_ID].decode()
        bound_to = payload.metadata.get(BOUND_TO)
        if bound_to is None:
            # The format from before the binding: its associated data is empty, so a bound
            # payload stripped of its label does not open here either.
            opened = Payload.FromString(self._keyring.decrypt(key_id, payload.data))
            if not self._to_workflow:
                return opened
            return Payload(
                metadata={"encoding": UNBOUND_ENCODING.encode()}, data=opened.SerializeToString()
            )
        workflow_id = bound_to.decode()
        if self._workflow_id is not None and workflow_id != self._workflow_id:
            raise ValueError("payload bound to another workflow")
        if workflow_id in keyrings and keyrings[workflow_id] is None:
            # An erased complaint: what its key sealed never opens again, and what was sealed
            # with the keyring before it had one is not opened either.
            raise Erased("réclamation effacée")
        keyring = keyrings.get(workflow_id) or self._keyring
        return Payload.FromString(
            keyring.decrypt(key_id, payload.data, associated_data(workflow_id))
        )


class ForeignPayloadConverter(EncodingPayloadConverter):
    """Reads a refused payload as `ForeignPayload`, whatever type was expected."""

    @property
    def encoding(self) -> str:
        return FOREIGN_ENCODING

    def to_payload(self, value: Any) -> Payload | None:
        return None  # never written: only ever stands in for what came from outside

    def from_payload(self, payload: Payload, type_hint: type | None = None) -> Any:
        return ForeignPayload()


class UnboundPayloadConverter(EncodingPayloadConverter):
    """Reads a message in the unbound format as `Unbound`, around the value it holds."""

    def __init__(self, inner: PayloadConverter) -> None:
        self._inner = inner

    @property
    def encoding(self) -> str:
        return UNBOUND_ENCODING

    def to_payload(self, value: Any) -> Payload | None:
        return None  # never written: only ever read from what was encrypted before the binding

    def from_payload(self, payload: Payload, type_hint: type | None = None) -> Any:
        hints = None if type_hint is None else [type_hint]
        [value] = self._inner.from_payloads([Payload.FromString(payload.data)], hints)
        return Unbound(value)


class CheckedPayloadConverter(PydanticPayloadConverter):
    """Pydantic models, plus the stand-ins for refused and unbound payloads."""

    def __init__(self) -> None:
        # The SDK builds one for every serialization context it switches to (each workflow
        # task's completion, each activity: several a letter) and keeps the first one's
        # converters: the parts are built once, and so is each type's pydantic adapter.
        CompositePayloadConverter.__init__(self, *_checked_converters())


@functools.cache
def _checked_converters() -> tuple[EncodingPayloadConverter, ...]:
    return (
        *PydanticPayloadConverter().converters.values(),
        ForeignPayloadConverter(),
        UnboundPayloadConverter(PydanticPayloadConverter()),
    )


def data_converter(keyring: Keyring, keys: ComplaintKeys | None = None) -> DataConverter:
    """Pydantic models in, encrypted payloads out: used by every client and worker; with
    `keys`, each complaint's payloads sealed with its own key (issue 28)."""
    return dataclasses.replace(
        pydantic_data_converter,
        payload_converter_class=CheckedPayloadConverter,
        payload_codec=EncryptionCodec(keyring, keys=keys),
    )
