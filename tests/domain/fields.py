"""Every field of an input model, walked: tests that must reach each one, today's and tomorrow's."""

from __future__ import annotations

import types
from collections.abc import Iterator
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, EmailStr


def _bare(annotation: Any) -> Any:
    """The type under Annotated and Optional."""
    while True:
        if get_origin(annotation) is Annotated:
            annotation = get_args(annotation)[0]
        elif get_origin(annotation) in (Union, types.UnionType):
            options = [a for a in get_args(annotation) if a is not type(None)]
            if len(options) != 1:
                return annotation
            annotation = options[0]
        else:
            return annotation


def field_paths(model: type[BaseModel], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(dotted path, bare type) of every field, however deep; a list's item at position 0."""
    for name, field in model.model_fields.items():
        path, kind = prefix + name, _bare(field.annotation)
        yield path, kind
        if get_origin(kind) is list:
            path, kind = f"{path}.0", _bare(get_args(kind)[0])
            yield path, kind
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            yield from field_paths(kind, path + ".")


def text_paths(model: type[BaseModel]) -> list[str]:
    """The paths of every text a caller may give."""
    return [path for path, kind in field_paths(model) if kind in (str, EmailStr)]


def nested(path: str, value: Any) -> dict[str, Any]:
    """{"a": {"b": [value]}} for "a.b.0": `value` put at `path` in otherwise empty data."""
    head, _, rest = path.partition(".")
    if not rest:
        return {head: value}
    if rest.split(".", 1)[0].isdigit():
        inner = rest.partition(".")[2]
        return {head: [nested(inner, value) if inner else value]}
    return {head: nested(rest, value)}
