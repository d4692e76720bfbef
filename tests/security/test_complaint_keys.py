"""Each complaint its own data key (issue 28): payloads sealed with it, destroyed at erasure,
rewrapped (never re-encrypted) at a keyring rotation."""

import asyncio
import base64
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from temporalio.api.common.v1 import Payload
from temporalio.converter import WorkflowSerializationContext

from reclamations.cli.main import main
from reclamations.db.engine import SessionFactory, create_engine, session_factory
from reclamations.db.migrate import upgrade
from reclamations.db.models import ComplaintKeyRow
from reclamations.domain.access import Principal, Role
from reclamations.security.codec import KEY_ID, EncryptionCodec
from reclamations.security.complaint_keys import ComplaintKeys
from reclamations.security.keyring import Erased, Keyring
from reclamations.workflows.messages import workflow_id
from tests.conftest import process_env
from tests.office import Office, trouble

NOW = datetime(2026, 12, 5, 12, tzinfo=UTC)
MASTER = Keyring.generate("2026-a")
DOCTOR = Principal("dr.conseil", Role.medical_advisor)


def bound(codec: EncryptionCodec, reference: str) -> EncryptionCodec:
    return codec.with_context(
        WorkflowSerializationContext(namespace="default", workflow_id=workflow_id(reference))
    )


def plain(text: str) -> Payload:
    return Payload(metadata={"encoding": b"json/plain"}, data=f'"{text}"'.encode())


async def test_a_complaints_payloads_are_sealed_with_its_own_key(
    sqlite_sessions: SessionFactory,
) -> None:
    keys = ComplaintKeys(sqlite_sessions, MASTER)
    codec = bound(EncryptionCodec(MASTER, keys=keys), "REC-2026-000001")
    [encoded] = await codec.encode([plain("Hélène Garnier")])
    key_id = encoded.metadata[KEY_ID].decode()
    assert key_id.startswith("ck-") and b"Garnier" not in encoded.data
    async with sqlite_sessions() as session:
        row = await session.scalar(select(ComplaintKeyRow))
    assert row is not None and row.key_id == key_id and row.wrapped_by == "2026-a"
    # Another process (a fresh cache) opens it from the wrapped key in the database.
    other = bound(
        EncryptionCodec(MASTER, keys=ComplaintKeys(sqlite_sessions, MASTER)), "REC-2026-000001"
    )
    [decoded] = await other.decode([encoded])
    assert decoded.data == '"Hélène Garnier"'.encode()
    # The keyring alone does not open it: the payload names a key only the complaint has.
    [refused] = await bound(EncryptionCodec(MASTER), "REC-2026-000001").decode([encoded])
    assert refused.metadata["encoding"] == b"binary/foreign"


async def test_two_processes_making_a_complaints_key_at_once_share_one(
    sqlite_sessions: SessionFactory,
) -> None:
    """The web and a worker (or two workers) each offer a key for a new complaint: the first
    stored is the complaint's, and the other process seals with it too."""
    web, worker = ComplaintKeys(sqlite_sessions, MASTER), ComplaintKeys(sqlite_sessions, MASTER)
    first, second = await asyncio.gather(
        web.keyring_for("REC-2026-000009"), worker.keyring_for("REC-2026-000009")
    )
    assert first.current_id == second.current_id
    assert first.keys[first.current_id] == second.keys[second.current_id]
    async with sqlite_sessions() as session:
        stored = list(await session.scalars(select(ComplaintKeyRow)))
    assert [row.key_id for row in stored] == [first.current_id]
    # Once erased, no process makes it a new key to seal with.
    await web.destroy("REC-2026-000009", NOW)
    with pytest.raises(Erased):
        await ComplaintKeys(sqlite_sessions, MASTER).keyring_for("REC-2026-000009")


async def test_a_destroyed_key_leaves_its_payloads_unreadable_and_others_open(
    sqlite_sessions: SessionFactory,
) -> None:
    keys = ComplaintKeys(sqlite_sessions, MASTER)
    erased_codec = bound(EncryptionCodec(MASTER, keys=keys), "REC-2026-000001")
    kept_codec = bound(EncryptionCodec(MASTER, keys=keys), "REC-2026-000002")
    [erased] = await erased_codec.encode([plain("Hélène Garnier")])
    [kept] = await kept_codec.encode([plain("Paul Martin")])
    # Sealed before the complaint had a key (the keyring's own): still opens.
    [older] = await bound(EncryptionCodec(MASTER), "REC-2026-000002").encode([plain("ancien")])

    assert await keys.destroy("REC-2026-000001", NOW)
    assert not await keys.destroy("REC-2026-000001", NOW)  # once is enough, twice is harmless

    fresh = ComplaintKeys(sqlite_sessions, MASTER)
    for codec_keys in (keys, fresh):
        [foreign] = await bound(EncryptionCodec(MASTER, keys=codec_keys), "REC-2026-000001").decode(
            [erased]
        )
        assert foreign.metadata["encoding"] == b"binary/foreign"
        shower = EncryptionCodec(MASTER, refuse_plain=False, keys=codec_keys)
        keyrings = await shower.keyrings([erased, kept, older])
        with pytest.raises(Erased):
            shower.decode_one(erased, keyrings)
        assert shower.decode_one(kept, keyrings).data == b'"Paul Martin"'
        assert shower.decode_one(older, keyrings).data == b'"ancien"'
    async with sqlite_sessions() as session:
        row = await session.get(ComplaintKeyRow, "REC-2026-000001")
    assert row is not None and row.wrapped is None and row.destroyed_at is not None
    with pytest.raises(Erased):
        await fresh.keyring_for("REC-2026-000001")  # never made again: erased is for good


async def test_rotating_the_keyring_rewraps_complaint_keys_and_touches_no_payload(
    sqlite_sessions: SessionFactory,
) -> None:
    keys = ComplaintKeys(sqlite_sessions, MASTER)
    [encoded] = await bound(EncryptionCodec(MASTER, keys=keys), "REC-2026-000003").encode(
        [plain("Zoé")]
    )
    new = Keyring.generate("2027-a")
    rotated = Keyring("2027-a", {**new.keys, **MASTER.keys})
    assert await ComplaintKeys(sqlite_sessions, rotated).rewrap() == 1
    assert await ComplaintKeys(sqlite_sessions, rotated).rewrap() == 0
    # The old keyring key can go: the complaint's key now opens with the new one alone.
    alone = ComplaintKeys(sqlite_sessions, new)
    [decoded] = await bound(EncryptionCodec(new, keys=alone), "REC-2026-000003").decode([encoded])
    assert decoded.data == '"Zoé"'.encode()


async def test_complaints_db_rewrap_keys_after_a_rotation(
    tmp_path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'reclamations.db'}")
    await upgrade(engine)
    sessions = session_factory(engine)
    await ComplaintKeys(sessions, MASTER).keyring_for("REC-2026-000004")
    new = Keyring.generate("2027-a")
    rotated = f"2027-a:{b64(new.keys['2027-a'])},2026-a:{b64(MASTER.keys['2026-a'])}"
    monkeypatch.setenv("RECLAMATIONS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("RECLAMATIONS_ENCRYPTION_KEYS", rotated)
    assert await asyncio.to_thread(main, ["db", "rewrap-keys"]) == 0
    assert "rechiffrées avec la clé courante : 1" in capsys.readouterr().out
    async with sessions() as session:
        row = await session.get(ComplaintKeyRow, "REC-2026-000004")
    assert row is not None and row.wrapped_by == "2027-a"
    await engine.dispose()


def b64(key: bytes) -> str:
    return base64.b64encode(key).decode()


async def test_a_complaint_from_before_keys_is_marked_erased_all_the_same(
    sqlite_sessions: SessionFactory,
) -> None:
    """Its payloads were sealed with the keyring: no process may open them once it is erased."""
    [older] = await bound(EncryptionCodec(MASTER), "REC-2026-000005").encode([plain("ancien")])
    keys = ComplaintKeys(sqlite_sessions, MASTER)
    assert not await keys.destroy("REC-2026-000005", NOW)  # no key to destroy
    other_process = EncryptionCodec(
        MASTER, refuse_plain=False, keys=ComplaintKeys(sqlite_sessions, MASTER)
    )
    with pytest.raises(Erased):
        other_process.decode_one(older, await other_process.keyrings([older]))


async def test_complaints_db_upgrade_gives_a_key_to_each_complaint_recorded_without_one(
    office: Office, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Complaints registered before keys (here by a client sealing with the keyring alone, as
    every process did then) keep opening, and get their key at the upgrade (issue 28 item 1)."""
    older = [await office.start(), await office.start(channel="email")]
    references = [h.id.removeprefix("complaint-") for h in older]
    async with office.sessions() as session:
        keyed = set(await session.scalars(select(ComplaintKeyRow.reference)))
    assert not keyed & set(references)
    for name, value in process_env(office.settings, office.keyring, "unused:0").items():
        monkeypatch.setenv(name, value)
    assert await asyncio.to_thread(main, ["db", "upgrade"]) == 0
    assert "avant les clés : 2." in capsys.readouterr().out
    keys = ComplaintKeys(office.sessions, office.keyring)
    for reference in references:
        found = await keys.find(reference)
        assert found is not None and found.current_id.startswith("ck-")
        assert (await office.service.read(DOCTOR, reference)).complaint.reference == reference
    # Again: nothing more to give.
    assert await asyncio.to_thread(main, ["db", "upgrade"]) == 0
    assert "avant les clés" not in capsys.readouterr().out


async def test_a_key_held_keeps_opening_while_the_database_is_away(
    tmp_path, sqlite_sessions: SessionFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """rule 14: a worker's workflow tasks go on through a database outage; a complaint whose
    key it never read waits for the database."""
    monkeypatch.setattr("reclamations.security.complaint_keys.CACHE_SECONDS", 0.0)
    keys = ComplaintKeys(sqlite_sessions, MASTER)
    held = await keys.keyring_for("REC-2026-000006")
    await ComplaintKeys(sqlite_sessions, MASTER).keyring_for("REC-2026-000007")
    away = (
        "ALTER TABLE complaint_keys RENAME TO keys_away",
        "ALTER TABLE keys_away RENAME TO complaint_keys",
    )
    async with trouble(tmp_path / "reclamations.db", *away):
        assert await keys.find("REC-2026-000006") is held
        with pytest.raises(OperationalError):
            await keys.find("REC-2026-000007")
    assert await keys.find("REC-2026-000007") is not None
