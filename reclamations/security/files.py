"""Files that hold personal data (letters, the SQLite database, keys, logs) are the owner's
alone: every entry point sets this before it creates any."""

from __future__ import annotations

import os

PRIVATE = 0o077  # files 0600, folders 0700


def private_files() -> None:
    os.umask(PRIVATE)
