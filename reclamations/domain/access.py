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
    # issue 26: whoever complained, following their own complaint through its private link.
    complainant = "complainant"


ROLE_LABELS = {
    Role.agent: "chargé(e) de clientèle",
    Role.supervisor: "superviseur",
    Role.medical_advisor: "Médecin Conseil",
    Role.operator: "exploitation (lecture seule)",
    Role.intake: "système d'enregistrement",
    Role.compliance: "conformité (tableau de bord et registre)",
    Role.complainant: "réclamant (page de suivi)",
}

# People log in with these; API tokens may carry any role, `intake` by default.
USER_ROLES = (Role.agent, Role.supervisor, Role.medical_advisor, Role.operator, Role.compliance)
# A complainant holds a private link to one complaint (web.public), never an account or a token.
TOKEN_ROLES = tuple(role for role in Role if role is not Role.complainant)
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
# What a complainant may do on their own complaint: add documents, ask for a second review
# (rule 10), withdraw it; the workflow decides when each is open.
COMPLAINANT_ACTIONS = frozenset({"add_document", "contest", "withdraw"})
# The name a complainant acts under on the record (rule 13): who it is, without their identity.
COMPLAINANT_ACTOR = "le réclamant (page de suivi)"
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
    # A complainant's principal is bound to their own complaint, and reaches no other.
    complaint: str | None = None


def complainant_of(reference: str) -> Principal:
    """The complainant of `reference`, once their private link is checked (web.public)."""
    return Principal(COMPLAINANT_ACTOR, Role.complainant, complaint=reference)


def can_read_content(role: Role, medical: bool) -> bool:
    """rule 11: only the Médecin Conseil reads a medical complaint's content and its
    complainant's identity; others see that it exists, its status and deadlines. Compliance
    reads no complaint's content at all."""
    if role in FIGURES_ONLY:
        return False
    return not medical or role is Role.medical_advisor


def may_read_complaints(role: Role) -> bool:
    return role not in FIGURES_ONLY


def may_read_queue(role: Role) -> bool:
    """The queue lists everyone's complaints: never for a complainant."""
    return may_read_complaints(role) and role is not Role.complainant


def may_read_register(role: Role) -> bool:
    return role in REGISTER_READERS


def sees_everything(role: Role) -> bool:
    """Agents see unassigned complaints and their own; a complainant their own complaint
    alone; the other roles see all."""
    return role not in (Role.agent, Role.complainant)


def may_see(principal: Principal, assignee: str | None, reference: str) -> bool:
    if principal.role is Role.complainant:
        return principal.complaint is not None and principal.complaint == reference
    return sees_everything(principal.role) or assignee in (None, principal.name)


def may_register(role: Role) -> bool:
    return role not in (Role.operator, Role.complainant) and role not in FIGURES_ONLY


def may_take_mail(role: Role) -> bool:
    """The mail intake (issue 27): a message makes a complaint, or joins the one it answers
    as correspondence, medical or not, without anyone reading it on the way (rule 11). Only
    the mail gateway's principal does so; people add documents as `may` says."""
    return role is Role.intake


def may(role: Role, action: str, medical: bool) -> bool:
    """Whether `role` may carry out `action` on a complaint (medical or not)."""
    if not can_read_content(role, medical):
        return False  # every action on a medical complaint is the Médecin Conseil's
    if role is Role.complainant:
        return action in COMPLAINANT_ACTIONS
    if action in MENDING_ACTIONS:
        return role in MENDERS
    if role in (Role.operator, Role.intake, *FIGURES_ONLY):
        return False
    if role is Role.agent:
        return action not in SUPERVISOR_ACTIONS
    return True


def may_offer_follow_link(role: Role, medical: bool) -> bool:
    """issue 26: sending a complainant their private link by email is acting for them: for
    whoever acts on the complaint, never for a medical one (rule 11: nothing of it by email)."""
    return not medical and role is not Role.complainant and may(role, "add_document", medical)


def may_assign_to(principal: Principal, assignee: str) -> bool:
    """An agent takes a complaint for themselves; supervisors assign to anyone."""
    return principal.role is not Role.agent or assignee == principal.name


def may_read_histories(role: Role) -> bool:
    return role in HISTORY_READERS


def may_erase(role: Role) -> bool:
    """Issue 28: erasure on request, legal holds and a person's data export are for the
    compliance team, who answer the data protection requests (RGPD art. 15 and 17)."""
    return role is Role.compliance


def may_manage_corrective(role: Role) -> bool:
    return role in CORRECTIVE_MANAGERS
