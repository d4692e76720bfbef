"""The file store (docs/architecture.md, "Files"): `put` and `get` by key, nothing more. Keys are
"<reference>/<sha256>": the same upload stored twice is one file."""

from __future__ import annotations

import asyncio
import os
import secrets
from pathlib import Path
from typing import Any, Protocol

from botocore.exceptions import BotoCoreError, ClientError


class FileMissing(Exception):
    pass


class StoreUnavailable(Exception):
    """The store cannot be reached or refused the operation; says which, never the file."""


class FileStore(Protocol):
    async def put(self, key: str, content: bytes) -> None: ...

    async def get(self, key: str) -> bytes: ...

    async def delete_complaint(self, reference: str) -> int:
        """Every file of the complaint `reference` removed (an erasure, issue 28): how many.
        Removing none (already gone) is not an error."""
        ...

    async def delete(self, key: str) -> None:
        """One file removed; one already gone is not an error."""
        ...


def file_key(reference: str, sha256: str) -> str:
    return f"{reference}/{sha256}"


def text_key(reference: str, sha256: str) -> str:
    """Where a scan's text read by OCR is kept, beside its scan (service/scans.py)."""
    return f"{file_key(reference, sha256)}.txt"


class FolderStore:
    """Files under the data folder (what `make run` uses); written whole or not at all,
    readable by the service's user only (the entry points' umask)."""

    def __init__(self, root: Path) -> None:
        self._root = root

    def _path(self, key: str) -> Path:
        path = (self._root / key).resolve()
        if self._root.resolve() not in path.parents:
            raise ValueError("clé de fichier invalide")
        return path

    async def put(self, key: str, content: bytes) -> None:
        path = self._path(key)

        def write() -> None:
            path.parent.mkdir(parents=True, exist_ok=True)
            # A name of its own per write: the same file sent twice at once (a double click)
            # ends as one file, whichever write lands last.
            temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
            temporary.write_bytes(content)
            os.replace(temporary, path)

        try:
            await asyncio.to_thread(write)
        except OSError as error:
            raise StoreUnavailable(f"écriture impossible ({type(error).__name__})") from None

    async def get(self, key: str) -> bytes:
        try:
            return await asyncio.to_thread(self._path(key).read_bytes)
        except FileNotFoundError:
            raise FileMissing(key) from None
        except OSError as error:
            raise StoreUnavailable(f"lecture impossible ({type(error).__name__})") from None

    async def delete_complaint(self, reference: str) -> int:
        folder = self._path(reference)

        def remove() -> int:
            if not folder.is_dir():
                return 0
            removed = 0
            for path in sorted(folder.rglob("*"), reverse=True):
                if path.is_dir():
                    path.rmdir()
                else:
                    path.unlink()
                    removed += 1
            folder.rmdir()
            return removed

        try:
            return await asyncio.to_thread(remove)
        except OSError as error:
            raise StoreUnavailable(f"suppression impossible ({type(error).__name__})") from None

    async def delete(self, key: str) -> None:
        try:
            await asyncio.to_thread(self._path(key).unlink, missing_ok=True)
        except OSError as error:
            raise StoreUnavailable(f"suppression impossible ({type(error).__name__})") from None


class S3Store:
    """An S3-compatible bucket (AWS S3, MinIO, Ceph, OVH, Scaleway...) through boto3, the AWS
    SDK for Python: the reference client of the S3 API, in threads so the loop stays free."""

    def __init__(self, bucket: str, client: Any) -> None:
        self._bucket = bucket
        self._client = client

    @classmethod
    def connect(
        cls, bucket: str, endpoint: str | None, access_key: str | None, secret_key: str | None
    ) -> S3Store:
        import boto3

        client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            aws_access_key_id=access_key,
            aws_secret_access_key=secret_key,
            region_name="us-east-1",
        )
        return cls(bucket, client)

    async def put(self, key: str, content: bytes) -> None:
        try:
            await asyncio.to_thread(
                self._client.put_object, Bucket=self._bucket, Key=key, Body=content
            )
        except (BotoCoreError, ClientError) as error:
            raise StoreUnavailable(f"écriture impossible ({type(error).__name__})") from None

    async def get(self, key: str) -> bytes:
        def read() -> bytes:
            answer = self._client.get_object(Bucket=self._bucket, Key=key)
            body: bytes = answer["Body"].read()
            return body

        try:
            return await asyncio.to_thread(read)
        except self._client.exceptions.NoSuchKey:
            raise FileMissing(key) from None
        except (BotoCoreError, ClientError) as error:
            raise StoreUnavailable(f"lecture impossible ({type(error).__name__})") from None

    async def delete_complaint(self, reference: str) -> int:
        def remove() -> int:
            removed = 0
            pages = self._client.get_paginator("list_objects_v2")
            for page in pages.paginate(Bucket=self._bucket, Prefix=f"{reference}/"):
                keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
                if keys:
                    self._client.delete_objects(Bucket=self._bucket, Delete={"Objects": keys})
                    removed += len(keys)
            return removed

        try:
            return await asyncio.to_thread(remove)
        except (BotoCoreError, ClientError) as error:
            raise StoreUnavailable(f"suppression impossible ({type(error).__name__})") from None

    async def delete(self, key: str) -> None:
        try:
            await asyncio.to_thread(self._client.delete_object, Bucket=self._bucket, Key=key)
        except (BotoCoreError, ClientError) as error:
            raise StoreUnavailable(f"suppression impossible ({type(error).__name__})") from None
