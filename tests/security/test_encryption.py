"""Keys with ids, rotation, sealed medical text and the payload codec."""

import base64
import json

import pytest
from cryptography.exceptions import InvalidTag
from temporalio.api.common.v1 import Payload
from temporalio.converter import ActivitySerializationContext, WorkflowSerializationContext

from reclamations.security.codec import (
    BOUND_TO,
    EncryptionCodec,
    ForeignPayload,
    Unbound,
    data_converter,
)
from reclamations.security.keyring import Keyring, KeyringError
from reclamations.security.sealing import (
    UNREADABLE,
    Unreadable,
    contains_sealed,
    open_all,
    open_sealed,
    seal,
)

OLD = Keyring.generate("2026-a")


def rotated() -> Keyring:
    """A new key encrypts from now on; the old one still opens what it encrypted."""
    new = Keyring.generate("2027-a")
    return Keyring("2027-a", {**new.keys, **OLD.keys})


async def test_the_codec_encrypts_every_payload_with_its_key_id():
    payload = Payload(metadata={"encoding": b"json/plain"}, data=b'{"name": "Zo\\u00e9"}')
    [encoded] = await EncryptionCodec(OLD).encode([payload])
    assert encoded.metadata["encoding"] == b"binary/encrypted"
    assert encoded.metadata["encryption-key-id"] == b"2026-a"
    assert b"Zo" not in encoded.data
    assert await EncryptionCodec(OLD).decode([encoded]) == [payload]


async def test_old_histories_still_decode_after_a_key_rotation():
    payload = Payload(metadata={"encoding": b"json/plain"}, data=b"{}")
    [old] = await EncryptionCodec(OLD).encode([payload])
    keyring = rotated()
    [new] = await EncryptionCodec(keyring).encode([payload])
    assert new.metadata["encryption-key-id"] == b"2027-a"
    assert await EncryptionCodec(keyring).decode([old, new]) == [payload, payload]


def test_a_removed_key_is_named_in_the_error():
    _, blob = OLD.encrypt(b"x")
    with pytest.raises(KeyringError, match="2026-a"):
        Keyring.generate("other").decrypt("2026-a", blob)


def test_tampered_ciphertext_is_refused():
    key_id, blob = OLD.encrypt(b"secret")
    with pytest.raises(InvalidTag):
        OLD.decrypt(key_id, blob[:-1] + bytes([blob[-1] ^ 1]))


def test_keys_read_from_settings_and_files():
    text = f"2027-a:{'A' * 43}=,2026-a:{'B' * 43}="
    keyring = Keyring.parse(text)
    assert keyring.current_id == "2027-a" and set(keyring.keys) == {"2027-a", "2026-a"}
    assert Keyring.loads(keyring.dumps()) == keyring
    with pytest.raises(KeyringError):
        Keyring.parse("no-colon")


def test_sealed_text_opens_only_with_the_keyring_and_for_its_own_complaint():
    sealed = seal(OLD, "REC-2026-000007", "Certificat du Dr Lemoine")
    assert sealed.startswith("sealed:v2:2026-a:REC-2026-000007:") and "Lemoine" not in sealed
    assert open_sealed(OLD, "REC-2026-000007", sealed) == "Certificat du Dr Lemoine"
    with pytest.raises(Unreadable):
        open_sealed(Keyring.generate("2026-a"), "REC-2026-000007", sealed)  # another key


def test_a_copied_seal_opens_nowhere_else():
    sealed = seal(OLD, "REC-2026-000007", "Certificat du Dr Lemoine")
    with pytest.raises(Unreadable):
        open_sealed(OLD, "REC-2026-000008", sealed)
    # Relabelled for the other complaint, the associated data no longer matches.
    forged = sealed.replace("REC-2026-000007", "REC-2026-000008")
    with pytest.raises(Unreadable):
        open_sealed(OLD, "REC-2026-000008", forged)


@pytest.mark.parametrize(
    "forged", ["sealed:v1:k1:AAAA", "sealed:v2:k1:REC-1:@@@", "sealed:v9:x", "sealed:v2:2026-a"]
)
def test_a_forged_seal_is_unreadable_never_a_crash(forged):
    with pytest.raises(Unreadable) as raised:
        open_sealed(OLD, "REC-1", forged)
    assert forged not in str(raised.value)


def test_values_sealed_before_the_binding_still_open():
    key_id, blob = OLD.encrypt(b"Ancien certificat", b"medical-content")
    legacy = f"sealed:v1:{key_id}:{base64.b64encode(blob).decode()}"
    assert open_sealed(OLD, "REC-2026-000001", legacy) == "Ancien certificat"


def test_sealed_values_open_inside_a_json_document():
    document = json.dumps(
        {
            "description": seal(OLD, "REC-9", 'Il a dit "non"\nhier'),
            "forged": "sealed:v1:2026-a:AAAA",
            "medical": True,
        }
    )
    assert contains_sealed(document)
    opened = json.loads(open_all(OLD, document))
    assert opened["description"] == 'Il a dit "non"\nhier'
    assert opened["forged"] == UNREADABLE


async def test_the_codec_refuses_what_it_did_not_encrypt():
    # rule 15: a plain payload (typed into the Temporal CLI, say) is never read.
    plain = Payload(metadata={"encoding": b"json/plain"}, data=b'{"actor": "medecin"}')
    [refused] = await EncryptionCodec(OLD).decode([plain])
    assert refused.data == b""
    assert isinstance(data_converter(OLD).payload_converter.from_payload(refused), ForeignPayload)
    [shown] = await EncryptionCodec(OLD, refuse_plain=False).decode([plain])
    assert shown == plain  # the codec endpoint only shows histories


def for_workflow(workflow_id: str, keyring: Keyring = OLD) -> EncryptionCodec:
    """The codec as the SDK hands it a workflow's start, signal, update or query."""
    return EncryptionCodec(keyring).with_context(
        WorkflowSerializationContext("default", workflow_id)
    )


def for_activity(workflow_id: str) -> EncryptionCodec:
    """The codec as the SDK hands it an activity's input or result."""
    context = ActivitySerializationContext(
        namespace="default",
        activity_id="1",
        activity_type="record",
        activity_task_queue="complaints",
        workflow_id=workflow_id,
        workflow_type="ComplaintWorkflow",
        is_local=False,
    )
    return EncryptionCodec(OLD).with_context(context)


PLAIN = Payload(metadata={"encoding": b"json/plain"}, data=b'{"actor": "agent.a"}')


@pytest.mark.parametrize("codec", [for_workflow, for_activity], ids=["workflow", "activity"])
async def test_a_payload_is_bound_to_its_workflow(codec):
    [bound] = await codec("complaint-A").encode([PLAIN])
    assert bound.metadata[BOUND_TO] == b"complaint-A"
    assert await codec("complaint-A").decode([bound]) == [PLAIN]
    # The codec endpoint is not told the workflow: it reads it beside the ciphertext.
    assert await EncryptionCodec(OLD, refuse_plain=False).decode([bound]) == [PLAIN]


async def test_a_bound_payload_opens_in_no_other_workflow():
    [bound] = await for_workflow("complaint-A").encode([PLAIN])
    relabelled = Payload()
    relabelled.CopyFrom(bound)
    relabelled.metadata[BOUND_TO] = b"complaint-B"
    stripped = Payload()
    stripped.CopyFrom(bound)
    del stripped.metadata[BOUND_TO]  # passed off as the format from before the binding
    for codec, payload in [
        (for_workflow("complaint-B"), bound),
        (for_activity("complaint-B"), bound),
        (for_workflow("complaint-B"), relabelled),
        (for_workflow("complaint-A"), stripped),
        (for_activity("complaint-A"), stripped),
    ]:
        [refused] = await codec.decode([payload])
        assert refused.metadata["encoding"] == b"binary/foreign" and refused.data == b""
    with pytest.raises(InvalidTag):  # the codec endpoint hands such payloads back as they came
        EncryptionCodec(OLD, refuse_plain=False).decode_one(relabelled)


async def test_the_format_from_before_the_binding_still_opens():
    # Histories recorded before the binding (tests/histories) replay: an activity's payload
    # opens as it is; a workflow's message opens as `Unbound`, for the door to judge.
    [legacy] = await EncryptionCodec(OLD).encode([PLAIN])
    assert BOUND_TO not in legacy.metadata
    assert await for_activity("complaint-A").decode([legacy]) == [PLAIN]
    assert await EncryptionCodec(OLD, refuse_plain=False).decode([legacy]) == [PLAIN]
    [marked] = await for_workflow("complaint-A").decode([legacy])
    [message] = data_converter(OLD).payload_converter.from_payloads([marked])
    assert message == Unbound({"actor": "agent.a"})
