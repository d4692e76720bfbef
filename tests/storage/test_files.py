"""The file store behind its one interface: a folder, and S3 against a real S3-compatible
server running on this machine (moto's server: the S3 API over HTTP, in-process), with boto3.
And a medical file's envelope: encrypted with its own key, still readable after the keyring
rotates."""

import asyncio
import hashlib
import os
import stat

import boto3
import pytest
from moto.server import ThreadedMotoServer

from reclamations.security.envelopes import UnreadableFile, open_file, seal_file
from reclamations.security.keyring import Keyring
from reclamations.storage.files import FileMissing, FolderStore, S3Store, file_key
from tests.processes import free_port

CONTENT = b"%PDF-1.4 une facture"
KEY = file_key("REC-2026-000042", hashlib.sha256(CONTENT).hexdigest())


@pytest.fixture(scope="module")
def s3_server():
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture(params=["folder", "s3"])
def store(request, tmp_path, s3_server):
    if request.param == "folder":
        return FolderStore(tmp_path / "files")
    bucket = f"reclamations-{tmp_path.name[-20:].lower().replace('_', '-')}"
    credentials = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}
    boto3.client(
        "s3", endpoint_url=s3_server, region_name="us-east-1", **credentials
    ).create_bucket(Bucket=bucket)
    return S3Store.connect(bucket, s3_server, "test", "test")


async def test_a_file_put_is_read_back(store):
    await store.put(KEY, CONTENT)
    assert await store.get(KEY) == CONTENT


async def test_putting_the_same_file_again_keeps_one(store):
    await store.put(KEY, CONTENT)
    await store.put(KEY, CONTENT)
    assert await store.get(KEY) == CONTENT


async def test_the_same_file_sent_twice_at_once_is_one_file(store):
    await asyncio.gather(*(store.put(KEY, CONTENT) for _ in range(4)))
    assert await store.get(KEY) == CONTENT


async def test_a_missing_file_says_so(store):
    with pytest.raises(FileMissing):
        await store.get(file_key("REC-2026-000042", "0" * 64))


async def test_a_file_deleted_is_gone_and_deleting_it_again_is_no_error(store):
    other = file_key("REC-2026-000042", "1" * 64)
    await store.put(KEY, CONTENT)
    await store.put(other, CONTENT)
    await store.delete(KEY)
    await store.delete(KEY)
    with pytest.raises(FileMissing):
        await store.get(KEY)
    assert await store.get(other) == CONTENT


async def test_the_folder_keeps_files_private_and_inside_it(tmp_path):
    from reclamations.security.files import private_files

    before = os.umask(0o022)  # as a shell leaves it: the entry point tightens it
    try:
        private_files()
        store = FolderStore(tmp_path / "files")
        await store.put(KEY, CONTENT)
    finally:
        os.umask(before)
    [path] = [p for p in (tmp_path / "files").rglob("*") if p.is_file()]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    with pytest.raises(ValueError):
        await store.put("../ailleurs", CONTENT)


def test_a_sealed_file_opens_with_its_identity_only():
    keyring = Keyring.generate("k1")
    sealed = seal_file(keyring, CONTENT, KEY)
    assert CONTENT not in sealed
    assert open_file(keyring, sealed, KEY) == CONTENT
    with pytest.raises(UnreadableFile):
        open_file(keyring, sealed, file_key("REC-2026-000043", "0" * 64))  # copied elsewhere
    with pytest.raises(UnreadableFile):
        open_file(keyring, sealed[:-1] + bytes([sealed[-1] ^ 1]), KEY)  # tampered


def test_a_key_rotation_leaves_files_readable_without_rewriting_them():
    old = Keyring.generate("k1")
    sealed = seal_file(old, CONTENT, KEY)
    new = Keyring.generate("k2")
    rotated = Keyring("k2", {**new.keys, **old.keys})  # the new key seals, the old still opens
    assert rotated.current_id == "k2"
    assert open_file(rotated, sealed, KEY) == CONTENT
