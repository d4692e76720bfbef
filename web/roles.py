"""Who may do what in the UI."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    agent = "agent"
    supervisor = "supervisor"
    medical_advisor = "medical_advisor"
    operator = "operator"


ROLE_LABELS = {
    Role.agent: "chargé(e) de clientèle",
    Role.supervisor: "superviseur",
    Role.medical_advisor: "Médecin Conseil",
    Role.operator: "exploitation (lecture seule)",
}

# Actions that only move a complaint around without reading or writing its content.
ROUTING_ACTIONS = frozenset({"assign", "escalate"})
SUPERVISOR_ACTIONS = frozenset({"escalate"})


def can_read_content(role: Role, medical: bool) -> bool:
    """DESIGN rule 11: only the Médecin Conseil reads a medical complaint."""
    return not medical or role is Role.medical_advisor


def sees_everything(role: Role) -> bool:
    return role is not Role.agent


def may(role: Role, action: str, medical: bool) -> bool:
    if role is Role.operator:
        return False
    if not can_read_content(role, medical):
        # Others may route a medical complaint to the Médecin Conseil, never act on its content.
        return role is Role.supervisor and action in ROUTING_ACTIONS
    if role is Role.agent:
        return action not in SUPERVISOR_ACTIONS
    return True
