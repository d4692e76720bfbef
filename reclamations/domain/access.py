"""Who may read and do what (rules 11 and 15): one set of rules for every entry point.

Every caller is a principal: a logged-in user or an API token, each with a role. The UI, the
API, the codec endpoint, the starter and the simulator all ask these functions, through the
application service (reclamations/service/).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    agent = "agent"
    supervisor = "supervisor"
    medical_advisor = "medical_advisor"
    operator = "operator"
    intake = "intake"
    compliance = "compliance"


ROLE_LABELS = {
    Role.agent: "chargé(e) de clientèle",
    Role.supervisor: "superviseur",
    Role.medical_advisor: "Médecin Conseil",
    Role.operator: "exploitation (lecture seule)",
    Role.intake: "système d'enregistrement",
    Role.compliance: "conformité (tableau de bord et registre)",
}

# People log in with these; API tokens may carry any role, `intake` by default.
USER_ROLES = (Role.agent, Role.supervisor, Role.medical_advisor, Role.operator, Role.compliance)
TOKEN_ROLES = tuple(Role)
DEFAULT_TOKEN_ROLE = Role.intake

# Actions that need a supervisor's authority.
SUPERVISOR_ACTIONS = frozenset({"escalate"})
# rule 14: asking for a new try once an incident's cause is mended; operators may, though
# they act on nothing else.
MENDING_ACTIONS = frozenset({"retry"})
MENDERS = frozenset({Role.operator, Role.supervisor, Role.medical_advisor})
# rules 13 and 17: the register and the dashboard (figures, never content).
REGISTER_READERS = frozenset({Role.compliance, Role.supervisor})
# Compliance reads figures only: no complaint, no queue, no history.
FIGURES_ONLY = frozenset({Role.compliance})
# issue 29: corrective actions, opened and followed by supervisors and compliance; an action
# names root causes and complaints' references, never their content.
CORRECTIVE_MANAGERS = frozenset({Role.supervisor, Role.compliance})
# Who may read Temporal histories through the codec endpoint.
HISTORY_READERS = frozenset({Role.operator, Role.supervisor, Role.medical_advisor})


@dataclass(frozen=True)
class Principal:
    """Who is calling: the name recorded as the actor, and the role that decides."""

    name: str
    role: Role


def can_read_content(role: Role, medical: bool) -> bool:
    """rule 11: only the Médecin Conseil reads a medical complaint's content and its
    complainant's identity; others see that it exists, its status and deadlines. Compliance
    reads no complaint's content at all."""
    if role in FIGURES_ONLY:
        return False
    return not medical or role is Role.medical_advisor


def may_read_complaints(role: Role) -> bool:
    return role not in FIGURES_ONLY


def may_read_register(role: Role) -> bool:
    return role in REGISTER_READERS


def sees_everything(role: Role) -> bool:
    """Agents see unassigned complaints and their own; the other roles see all."""
    return role is not Role.agent


def may_see(principal: Principal, assignee: str | None) -> bool:
    return sees_everything(principal.role) or assignee in (None, principal.name)


def may_register(role: Role) -> bool:
    return role is not Role.operator and role not in FIGURES_ONLY


def may(role: Role, action: str, medical: bool) -> bool:
    """Whether `role` may carry out `action` on a complaint (medical or not)."""
    if not can_read_content(role, medical):
        return False  # every action on a medical complaint is the Médecin Conseil's
    if action in MENDING_ACTIONS:
        return role in MENDERS
    if role in (Role.operator, Role.intake, *FIGURES_ONLY):
        return False
    if role is Role.agent:
        return action not in SUPERVISOR_ACTIONS
    return True


def may_assign_to(principal: Principal, assignee: str) -> bool:
    """An agent takes a complaint for themselves; supervisors assign to anyone."""
    return principal.role is not Role.agent or assignee == principal.name


def may_read_histories(role: Role) -> bool:
    return role in HISTORY_READERS


def may_manage_corrective(role: Role) -> bool:
    return role in CORRECTIVE_MANAGERS
