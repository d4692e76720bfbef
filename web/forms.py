"""From HTML forms to the same JSON shapes the API takes, so both share one validation."""

from __future__ import annotations

from typing import Any

DOCUMENT_ROWS = 3
REASON_CHOICE = "reason_and_sub_reason"


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
    documents = []
    for row in range(DOCUMENT_ROWS):
        document_name = form.get(f"documents.{row}.name", "").strip()
        if document_name:
            documents.append(
                {"name": document_name, "kind": form.get(f"documents.{row}.kind") or "other"}
            )
    if documents:
        data["documents"] = documents
    return data


def action_from_form(form: dict[str, str], actor: str) -> dict[str, Any]:
    """An action's fields from its form; empty fields are left out, so defaults apply."""
    data: dict[str, Any] = {"actor": actor}
    for name, value in form.items():
        if name == "csrf_token" or not value.strip():
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
