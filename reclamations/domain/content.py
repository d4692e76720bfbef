"""Free text written by complainants and agents: what a medical complaint keeps sealed.

rule 11: a medical complaint's content is sealed (encrypted) where it enters the system
and opened only for the Médecin Conseil. This module declares, once, which fields are content
(the `CONTENT` mark in their type) and which say who the complainant is (the `IDENTITY` mark:
sealed wherever a medical complaint is kept at rest), and walks any model to transform them; it
encrypts nothing. Values from outside are always plain text: one that looks sealed is refused
at the edge (`FromOutside`, the base of every input model).
"""

from __future__ import annotations

import functools
import re
import types
from collections.abc import Callable
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

from pydantic import AfterValidator, BaseModel, Field, ValidationInfo, field_validator
from pydantic.networks import validate_email
from pydantic_core import PydanticCustomError

from reclamations.domain.postal import check_postal_address

SEALED_MARK = "sealed:"
SEALED_FROM_OUTSIDE = (
    "texte refusé : il contient un contenu scellé, qui ne peut venir que du système"
)


class Mark:
    """Marks a text field in a model's type annotations, for `map_marked` to find."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __repr__(self) -> str:
        return self._name


# What a complainant or an agent wrote: sealed before it reaches Temporal, for medical complaints.
CONTENT = Mark("CONTENT")
# Who the complainant is (name, email, postal address, member number): sealed at rest (the
# record, its snapshot, the letters' table) for medical complaints.
IDENTITY = Mark("IDENTITY")
M = TypeVar("M", bound=BaseModel)

# A path into a model ("documents.0.name") and the text found there.
Transform = Callable[[str, str], str]


# rule 14: text that a database or a printer refuses (NUL and the other C0 controls but
# newline and tab, DEL, lone UTF-16 surrogates) is refused where it comes in, not found later by
# a letter or a record write that fails.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")


def unprintable_problem(value: str) -> str | None:
    found = _UNPRINTABLE.search(value)
    if found is None:
        return None
    code = ord(found.group(0))
    if 0xD800 <= code <= 0xDFFF:
        return "caractère invalide (demi-paire UTF-16 isolée)"
    return f"caractère de contrôle interdit (U+{code:04X}) : retirez-le"


def check_printable(value: Any) -> Any:
    """A field validator for every text from outside (a string, or a list of strings)."""
    for text in value if isinstance(value, list) else [value]:
        problem = unprintable_problem(text) if isinstance(text, str) else None
        if problem:
            raise PydanticCustomError("unprintable", problem)
    return value


def is_sealed(value: str) -> bool:
    return value.startswith(SEALED_MARK)


def looks_sealed(value: str) -> bool:
    """Whether a text from outside could pass for sealed, or carry a sealed value inside it
    (one that a history's reader would open): the mark anywhere, before any trimming."""
    return SEALED_MARK in value


# The validation context of values that come from outside (domain.intake.parse_intake and the
# application service): there, a value that looks sealed is refused.
FROM_OUTSIDE = "from_outside"


def from_outside(info: ValidationInfo) -> bool:
    context: Any = info.context
    return isinstance(context, dict) and bool(context.get(FROM_OUTSIDE))


def _texts(value: Any) -> list[str]:
    return [v for v in (value if isinstance(value, list) else [value]) if isinstance(v, str)]


class FromOutside(BaseModel):
    """A model whose values may come from outside: an intake, an action, what they hold.

    Its checks apply to every field of every subclass, those added later included, so no
    field can escape them. From outside (rule 11), a text that looks sealed is refused
    before anything else looks at it: never taken for the system's own sealed value, it skips
    no length or format check."""

    @field_validator("*", mode="before")
    @classmethod
    def _never_sealed_from_outside(cls, value: Any, info: ValidationInfo) -> Any:
        if from_outside(info) and any(looks_sealed(text) for text in _texts(value)):
            raise PydanticCustomError("sealed_from_outside", SEALED_FROM_OUTSIDE)
        return value

    _printable = field_validator("*")(check_printable)


def _kept_sealed(value: str, info: ValidationInfo) -> bool:
    """A sealed value the system kept (a running complaint's state) was checked in clear
    before it was sealed; from outside, nothing is taken for sealed."""
    return is_sealed(value) and not from_outside(info)


def _checked(max_length: int) -> Callable[[str, ValidationInfo], str]:
    def check(value: str, info: ValidationInfo) -> str:
        if _kept_sealed(value, info):
            return value
        if not value:
            raise PydanticCustomError(
                "string_too_short", "ne peut pas être vide", {"min_length": 1}
            )
        if len(value) > max_length:
            raise PydanticCustomError("string_too_long", "trop long", {"max_length": max_length})
        return value

    return check


def checked_address(value: str, info: ValidationInfo) -> str:
    """The window's rules, for addresses coming in: one kept in a running complaint's state
    (given before the rules, or sealed) still loads, and is printed as it is."""
    if not from_outside(info):
        return value
    return check_postal_address(value)


def content(max_length: int, *checks: AfterValidator, mark: Mark = CONTENT, **schema: str) -> Any:
    """Content typed in by a person: at most `max_length` characters in clear, and whatever
    else `checks` ask (and `schema` says); a sealed value (from inside only) was checked before
    it was sealed."""
    return Annotated[
        str,
        mark,
        AfterValidator(_checked(max_length)),
        *checks,
        Field(json_schema_extra={"minLength": 1, "maxLength": max_length, **schema}),
    ]


def identity(max_length: int, *checks: AfterValidator, **schema: str) -> Any:
    """Part of who a complainant is: checked like content, marked `IDENTITY`."""
    return content(max_length, *checks, mark=IDENTITY, **schema)


ShortContent = content(200)
LongContent = content(20_000)
# A postal address given later (the window's rules checked in clear, before it is sealed).
AddressContent = content(500, AfterValidator(checked_address))
# Content kept in the complaint's state, already checked when it came in.
Sealable = Annotated[str, CONTENT]


def _email(value: str) -> str:
    """An email address in clear is checked (and normalised) as pydantic's EmailStr does."""
    return value if is_sealed(value) else _normalised_email(value)


@functools.lru_cache(maxsize=4096)
def _normalised_email(value: str) -> str:
    # The same address is read again with every payload that carries the complaint (each
    # letter, each record); its check is a pure function of it, and the dearest of the intake's.
    # A refused address raises, and is not kept.
    return validate_email(value)[1]


# rule 11: who a complainant is, declared once (`IDENTITY`): sealed at rest for a
# medical complaint, so a value read back from the record may be sealed (never one from outside).
Name = identity(200)
EmailAddress = identity(320, AfterValidator(_email), format="email")
PostalAddress = identity(500, AfterValidator(checked_address))
MemberNumber = identity(50)


def map_marked(model: M, marks: tuple[Mark, ...], transform: Transform, path: str = "") -> M:
    """A copy of `model` with every text marked with one of `marks` replaced by
    `transform(path, text)`, however deep it lies (nested models, lists, optional fields)."""
    update: dict[str, Any] = {}
    for name, field in type(model).model_fields.items():
        value = getattr(model, name)
        changed = _map(
            field.annotation, tuple(field.metadata), value, (marks, transform), path + name
        )
        if changed is not value:
            update[name] = changed
    return model.model_copy(update=update) if update else model


def map_content(model: M, transform: Transform, path: str = "") -> M:
    """A copy of `model` with every content text replaced by `transform(path, text)`."""
    return map_marked(model, (CONTENT,), transform, path)


def content_paths(model: BaseModel) -> dict[str, str]:
    """Every content text of `model`, by path."""
    found: dict[str, str] = {}

    def note(path: str, text: str) -> str:
        found[path] = text
        return text

    map_content(model, note)
    return found


# The marks sought, and what to do with a text that carries one.
_Walk = tuple[tuple[Mark, ...], Transform]


def _map(annotation: Any, marks: tuple[Any, ...], value: Any, walk: _Walk, path: str) -> Any:
    if value is None:
        return None
    if get_origin(annotation) is Annotated:
        base, *more = get_args(annotation)
        return _map(base, (*marks, *more), value, walk, path)
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        options = [a for a in get_args(annotation) if a is not type(None)]
        return _map(options[0], marks, value, walk, path) if len(options) == 1 else value
    sought, transform = walk
    if isinstance(value, str):
        found = any(mark is wanted for mark in marks for wanted in sought)
        return transform(path, value) if found else value
    if isinstance(value, BaseModel):
        return map_marked(value, sought, transform, path + ".")
    if isinstance(value, list) and origin is list:
        (item,) = get_args(annotation)
        items = [_map(item, (), v, walk, f"{path}.{i}") for i, v in enumerate(value)]
        return value if all(a is b for a, b in zip(items, value, strict=True)) else items
    return value


def content_sealing_problem(model: BaseModel, medical: bool) -> str | None:
    """Why `model` cannot enter a complaint: a medical one takes only sealed content, any
    other only plain text (nothing about a non-medical complaint ever unseals)."""
    for path, text in content_paths(model).items():
        if medical and not is_sealed(text):
            return f"contenu médical non scellé ({path})"
        if not medical and is_sealed(text):
            return f"contenu scellé venu de l'extérieur ({path})"
    return None
