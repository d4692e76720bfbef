"""From HTML forms to the same JSON shapes the API takes, so both share one validation."""

from __future__ import annotations

import re
from typing import Any

from reclamations.domain.errors import FieldError

DOCUMENT_ROWS = 3
REASON_CHOICE = "reason_and_sub_reason"
_DOCUMENT = re.compile(r"^documents\.(\d+)")


def _set(target: dict[str, Any], dotted: str, value: Any) -> None:
    head, _, rest = dotted.partition(".")
    if rest:
        if not isinstance(target.get(head), dict):
            target[head] = {}  # "complainant=x" beside "complainant.name=A": the fields win
        _set(target[head], rest, value)
    else:
        target[head] = value


def intake_from_form(form: dict[str, str]) -> dict[str, Any]:
    """The intake contract from the mail room's form (dotted names: complainant.email)."""
    data: dict[str, Any] = {}
    for name, value in form.items():
        if name == "csrf_token" or name.startswith("documents.") or not value.strip():
            continue
        _set(data, name, value)
    data["medical"] = form.get("medical") == "on"
    documents = [
        {
            "name": form[f"documents.{row}.name"].strip(),
            "kind": form.get(f"documents.{row}.kind") or "other",
        }
        for row in document_rows(form)
    ]
    if documents:
        data["documents"] = documents
    return data


def document_rows(form: dict[str, str]) -> list[int]:
    """The form's rows that name a document: the intake's documents, in order."""
    return [row for row in range(DOCUMENT_ROWS) if form.get(f"documents.{row}.name", "").strip()]


def on_form_rows(errors: list[FieldError], form: dict[str, str]) -> list[FieldError]:
    """The intake's errors named by the form's rows ("documents.0" is the first row filled)."""
    rows = document_rows(form)

    def on_row(found: re.Match[str]) -> str:
        position = int(found.group(1))
        return f"documents.{rows[position]}" if position < len(rows) else found.group(0)

    return [FieldError(_DOCUMENT.sub(on_row, e.field), e.message) for e in errors]


def action_from_form(form: dict[str, str], actor: str) -> dict[str, Any]:
    """An action's fields from its form; empty fields are left out, so defaults apply."""
    data: dict[str, Any] = {"actor": actor}
    for name, value in form.items():
        # A confirmation box is the page's own check before an action that cannot be undone
        # (« Déclarer médicale »): not one of the action's fields.
        if name in ("csrf_token", "confirmation") or not value.strip():
            continue
        if name == "documents_considered":
            data[name] = [line.strip() for line in value.splitlines() if line.strip()]
        elif name == REASON_CHOICE:
            # One list of reasons and sub-reasons in the page: "motif/sous-motif".
            reason, _, sub_reason = value.partition("/")
            data["reason"] = reason
            if sub_reason:
                data["sub_reason"] = sub_reason
        else:
            _set(data, name, value)
    return data
