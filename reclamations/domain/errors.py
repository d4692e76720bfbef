"""Validation errors in plain French, one per field, for back-office systems and agents alike."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

DATE_FORMAT = "date invalide (format attendu AAAA-MM-JJ)"


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field} : {self.message}"


def _plain(error: Any) -> str:
    kind: str = error["type"]
    ctx: dict[str, Any] = error.get("ctx") or {}
    if kind == "value_error":
        if "reason" in ctx:  # from the email validator
            return "adresse électronique invalide"
        return str(ctx.get("error", error.get("msg", "")))
    if kind in ("enum", "literal_error"):
        expected = str(ctx.get("expected", "")).replace(" or ", " ou ")
        return f"valeur inconnue {error.get('input')!r} (valeurs possibles : {expected})"
    if kind.startswith("date"):
        return DATE_FORMAT
    if kind == "string_pattern_mismatch" and "{2,39}" not in str(ctx.get("pattern", "")):
        return "format invalide (un nom ou un identifiant : lettres, chiffres, espaces, . @ ' -)"
    messages = {
        "missing": "champ obligatoire",
        "extra_forbidden": "champ inconnu",
        "string_too_short": "ne peut pas être vide",
        "string_too_long": f"trop long (au plus {ctx.get('max_length')} caractères)",
        "too_long": f"trop d'éléments (au plus {ctx.get('max_length')})",
        "string_type": "doit être un texte",
        "string_unicode": "caractère invalide (demi-paire UTF-16 isolée)",
        "bool_type": "doit valoir true ou false",
        "bool_parsing": "doit valoir true ou false",
        "list_type": "doit être une liste",
        "model_type": "doit être un objet",
        "model_attributes_type": "doit être un objet",
        "dict_type": "doit être un objet",
        "string_pattern_mismatch": (
            "format invalide (3 à 40 lettres, chiffres, « . », « _ » ou « - »)"
        ),
        "int_parsing": "doit être un nombre entier",
        "int_type": "doit être un nombre entier",
        "json_invalid": f"JSON invalide ({ctx.get('error')})",
        "json_type": "JSON invalide",
    }
    return messages.get(kind, str(error.get("msg", "valeur invalide")))


def describe_errors(exc: ValidationError) -> list[FieldError]:
    """One clear error per problem, naming the field (dotted path) and why."""
    return describe_error_list(exc.errors(include_url=False))


def describe_error_list(errors: Sequence[Any], skip: int = 0) -> list[FieldError]:
    """The same, from pydantic's error dictionaries; `skip` drops leading location parts
    (FastAPI's "body")."""
    found: list[FieldError] = []
    for error in errors:
        ctx = error.get("ctx") or {}
        location = list(error.get("loc", ()))[skip:]
        # Cross-field checks name the field they are about (complainant.postal_address).
        field = ctx.get("field") or ".".join(str(part) for part in location) or "(document)"
        found.append(FieldError(field, _plain(error)))
    return found


class ServiceError(Exception):
    """What the application service answers instead of a result; its message is French and
    never carries complainant content."""


class Invalid(ServiceError):
    """Bad input: one error per field, nothing was done."""

    def __init__(self, errors: Sequence[FieldError]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = list(errors)


class NotFound(ServiceError):
    pass


class Forbidden(ServiceError):
    pass


class Refused(ServiceError):
    """The complaint refused the action in its current state; the message says why."""


class Closed(Refused):
    """The complaint's process has ended: it takes no more actions."""


class Unavailable(ServiceError):
    """Temporal could not be reached: nothing was done, try again."""
