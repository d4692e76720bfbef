"""Delivery of rendered letters: email by SMTP (or to a local outbox of .eml files when no
SMTP server is configured), post as PDF files in a print outbox.

Every file name is derived from the letter's business key, so writing it again after a crash
replaces the same file instead of adding a second letter. A medical complaint's paper letter
waits in the outbox encrypted, like its documents (rules 11 and 16): `open_posted` opens
it to print.
"""

from __future__ import annotations

import asyncio
import os
from email.message import Message
from pathlib import Path
from typing import Protocol

import aiosmtplib

from reclamations.activities.letters.pdf import letter_pdf
from reclamations.activities.letters.rendering import LetterLayout
from reclamations.security.envelopes import is_enveloped, open_file, seal_file
from reclamations.security.keyring import Keyring


def letter_stem(kind: str, sequence: int) -> str:
    return f"{kind}-{sequence}"


def write_atomically(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(content)
    os.replace(temporary, path)


class EmailSender(Protocol):
    async def send(self, message: Message, reference: str, stem: str) -> str:
        """Deliver the message; return where it went (message id or file)."""
        ...


class SmtpSender:
    def __init__(
        self,
        host: str,
        port: int,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        timeout: float = 30.0,
    ) -> None:
        self._options = {
            "hostname": host,
            "port": port,
            "username": username,
            "password": password,
            "start_tls": starttls,
            "timeout": timeout,
        }

    async def send(self, message: Message, reference: str, stem: str) -> str:
        await aiosmtplib.send(message, **self._options)  # type: ignore[arg-type]
        return f"smtp:{message['Message-ID']}"


class EmlOutbox:
    """With no SMTP server configured, emails land here as .eml files."""

    def __init__(self, root: Path) -> None:
        self._root = root

    async def send(self, message: Message, reference: str, stem: str) -> str:
        path = self._root / "email" / reference / f"{stem}.eml"
        await asyncio.to_thread(write_atomically, path, bytes(message))
        return str(path)


def posted_path(root: Path, reference: str, stem: str) -> Path:
    return root / "post" / reference / f"{stem}.pdf"


def _posted_identity(path: Path) -> str:
    """What binds a posted letter's encryption to its place (complaint and letter): a file
    copied under another letter's name opens nowhere."""
    return f"outbox-post:{path.parent.name}/{path.stem}"


def seal_posted(keyring: Keyring, path: Path, pdf: bytes) -> bytes:
    return seal_file(keyring, pdf, _posted_identity(path))


def open_posted(keyring: Keyring, path: Path) -> bytes:
    """A paper letter from the outbox as the printer takes it: opened if it waits encrypted.
    Raises security.envelopes.UnreadableFile for one that does not open."""
    blob = path.read_bytes()
    return open_file(keyring, blob, _posted_identity(path)) if is_enveloped(blob) else blob


class PostOutbox:
    """The print room's inbox: one PDF per paper letter, encrypted when `sealed`."""

    def __init__(self, root: Path, keyring: Keyring) -> None:
        self._root = root
        self._keyring = keyring

    def sealing_with(self, keyring: Keyring) -> PostOutbox:
        """The same outbox, sealing with `keyring` (a medical complaint's own, issue 28)."""
        return PostOutbox(self._root, keyring)

    async def send(
        self, layout: LetterLayout, title: str, reference: str, stem: str, sealed: bool
    ) -> str:
        path = posted_path(self._root, reference, stem)

        def write() -> None:
            pdf = letter_pdf(layout, title)
            write_atomically(path, seal_posted(self._keyring, path, pdf) if sealed else pdf)

        await asyncio.to_thread(write)
        return str(path)
