"""Free text written by complainants and agents, which may travel sealed.

DESIGN rule 11: medical content is sealed (encrypted) where it enters the system. The domain
does not encrypt anything; it only knows that a sealed value is opaque and already checked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

SEALED_PREFIX = "sealed:v1:"

Sealer = Callable[[str], str]


def is_sealed(value: str) -> bool:
    return value.startswith(SEALED_PREFIX)


def _checked(max_length: int) -> Callable[[str], str]:
    def check(value: str) -> str:
        if is_sealed(value):
            return value  # checked in clear before it was sealed
        if not value:
            raise PydanticCustomError(
                "string_too_short", "ne peut pas être vide", {"min_length": 1}
            )
        if len(value) > max_length:
            raise PydanticCustomError("string_too_long", "trop long", {"max_length": max_length})
        return value

    return check


def content(max_length: int) -> Any:
    """A text field of at most `max_length` characters in clear, or a sealed value."""
    return Annotated[
        str,
        AfterValidator(_checked(max_length)),
        Field(json_schema_extra={"minLength": 1, "maxLength": max_length}),
    ]


ShortContent = content(200)
LongContent = content(20_000)
