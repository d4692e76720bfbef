"""Postal addresses as La Poste reads them through an envelope's window (norme NF Z10-011):
at most six lines of 38 characters, the name first, the last line (postcode and town, or the
country) in capitals."""

from __future__ import annotations

from pydantic_core import PydanticCustomError

BLOCK_LINES = 6
LINE_WIDTH = 38


def address_lines(address: str) -> list[str]:
    return [line.strip() for line in address.splitlines() if line.strip()]


def check_postal_address(address: str) -> str:
    """An address that fits the window under a name: at most five lines of 38 characters.
    The message names the line, never its text (a medical complainant's address is content)."""
    lines = address_lines(address)
    if not lines:
        raise PydanticCustomError("postal_empty", "adresse postale vide")
    if len(lines) > BLOCK_LINES - 1:
        raise PydanticCustomError(
            "postal_lines",
            "au plus {most} lignes : avec le nom, {block} lignes au plus (norme postale)",
            {"most": BLOCK_LINES - 1, "block": BLOCK_LINES},
        )
    for number, line in enumerate(lines, start=1):
        if len(line) > LINE_WIDTH:
            raise PydanticCustomError(
                "postal_width",
                "la ligne {number} dépasse {width} caractères (norme postale)",
                {"number": number, "width": LINE_WIDTH},
            )
    return address


def recipient_block(name: str, address: str | None) -> list[str]:
    """The lines printed in the window: the name, the address, the town in capitals (and
    the country after it, abroad: a last line without a digit)."""
    lines = address_lines(address or "")
    abroad = len(lines) > 2 and not any(c.isdigit() for c in lines[-1])
    for index in range(max(0, len(lines) - (2 if abroad else 1)), len(lines)):
        lines[index] = lines[index].upper()
    return [name.strip(), *lines]
