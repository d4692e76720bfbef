"""How a document's file is handed to a browser or a calling system."""

from __future__ import annotations

from urllib.parse import quote


def attachment(name: str, inline: bool = False) -> str:
    """The Content-Disposition of a file: shown in place, or saved under its safe name
    (RFC 6266, UTF-8 names encoded)."""
    return f"{'inline' if inline else 'attachment'}; filename*=UTF-8''{quote(name)}"
