"""Keys with ids, rotation, sealed medical text and the payload codec."""

import json

import pytest
from cryptography.exceptions import InvalidTag
from temporalio.api.common.v1 import Payload

from security.codec import EncryptionCodec
from security.keyring import Keyring, KeyringError
from security.sealing import contains_sealed, seal, unseal, unseal_all

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


async def test_payloads_written_before_encryption_pass_through():
    plain = Payload(metadata={"encoding": b"json/plain"}, data=b"{}")
    assert await EncryptionCodec(OLD).decode([plain]) == [plain]


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


def test_sealed_text_opens_only_with_the_keyring():
    sealed = seal(OLD, "Certificat du Dr Lemoine")
    assert sealed.startswith("sealed:v1:2026-a:") and "Lemoine" not in sealed
    assert unseal(OLD, sealed) == "Certificat du Dr Lemoine"
    assert seal(OLD, sealed) == sealed  # never sealed twice
    assert unseal(OLD, "texte clair") == "texte clair"


def test_sealed_values_open_inside_a_json_document():
    document = json.dumps({"description": seal(OLD, 'Il a dit "non"\nhier'), "medical": True})
    assert contains_sealed(document)
    opened = json.loads(unseal_all(OLD, document))
    assert opened["description"] == 'Il a dit "non"\nhier'
