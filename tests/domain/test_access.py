"""rule 15: who may read and do what, one set of rules for every entry point."""

import pytest

from reclamations.domain.access import (
    COMPLAINANT_ACTIONS,
    TOKEN_ROLES,
    USER_ROLES,
    Principal,
    Role,
    can_read_content,
    complainant_of,
    may,
    may_assign_to,
    may_offer_follow_link,
    may_read_complaints,
    may_read_histories,
    may_read_queue,
    may_read_register,
    may_register,
    may_see,
    sees_everything,
)
from reclamations.domain.actions import ACTIONS


def test_only_the_medecin_conseil_reads_or_acts_on_a_medical_complaint():
    for role in Role:
        medical_reader = role is Role.medical_advisor
        assert can_read_content(role, medical=True) is medical_reader
        assert all(may(role, name, medical=True) is medical_reader for name in ACTIONS)


def test_everyone_but_operators_and_intake_systems_acts_on_ordinary_complaints():
    assert not any(may(Role.operator, name, False) for name in ACTIONS if name != "retry")
    assert not any(may(Role.intake, name, False) for name in ACTIONS)
    assert may(Role.agent, "answer", False) and not may(Role.agent, "escalate", False)
    assert all(may(Role.supervisor, name, False) for name in ACTIONS)


def test_intake_systems_register_and_read_what_is_not_medical():
    assert may_register(Role.intake) and can_read_content(Role.intake, medical=False)
    assert not may_register(Role.operator)


def test_agents_see_unassigned_complaints_and_their_own_and_take_them_for_themselves():
    camille = Principal("camille", Role.agent)
    assert may_see(camille, None, "REC-1") and may_see(camille, "camille", "REC-1")
    assert not may_see(camille, "hugo", "REC-1")
    assert may_assign_to(camille, "camille") and not may_assign_to(camille, "hugo")
    assert may_assign_to(Principal("louise", Role.supervisor), "hugo")


@pytest.mark.parametrize("role", list(Role))
def test_who_reads_temporal_histories(role):
    expected = role in (Role.operator, Role.supervisor, Role.medical_advisor)
    assert may_read_histories(role) is expected


def test_operators_supervisors_and_the_medecin_conseil_ask_for_a_new_try():
    assert {r for r in Role if may(r, "retry", medical=False)} == {
        Role.operator,
        Role.supervisor,
        Role.medical_advisor,
    }
    assert {r for r in Role if may(r, "retry", medical=True)} == {Role.medical_advisor}


# The whole table, role by role: (registers, reads complaints, reads the register, sees every
# complaint, acts on an ordinary complaint, escalates, asks for a new try).
ROLE_TABLE = {
    Role.agent: (True, True, False, False, True, False, False),
    Role.supervisor: (True, True, True, True, True, True, True),
    Role.medical_advisor: (True, True, False, True, True, True, True),
    Role.operator: (False, True, False, True, False, False, True),
    Role.intake: (True, True, False, True, False, False, False),
    Role.compliance: (False, False, True, True, False, False, False),
    Role.complainant: (False, True, False, False, False, False, False),
}


@pytest.mark.parametrize("role", list(Role))
def test_what_each_role_may_do(role):
    assert set(ROLE_TABLE) == set(Role)
    assert (
        may_register(role),
        may_read_complaints(role),
        may_read_register(role),
        sees_everything(role),
        may(role, "answer", medical=False),
        may(role, "escalate", medical=False),
        may(role, "retry", medical=False),
    ) == ROLE_TABLE[role]


@pytest.mark.parametrize("role", list(Role))
def test_only_the_medecin_conseil_reads_a_medical_complaint_and_compliance_reads_none(role):
    assert can_read_content(role, medical=False) is (role is not Role.compliance)
    assert can_read_content(role, medical=True) is (role is Role.medical_advisor)


@pytest.mark.parametrize("role", [r for r in Role if r not in (Role.agent, Role.complainant)])
def test_every_other_role_sees_complaints_whoever_holds_them(role):
    assert may_see(Principal("louise", role), "hugo", "REC-1")
    assert may_assign_to(Principal("louise", role), "hugo")


def test_a_complainant_sees_their_own_complaint_and_no_other_whoever_holds_it():
    zoe = complainant_of("REC-2026-000001")
    assert may_see(zoe, None, "REC-2026-000001") and may_see(zoe, "hugo", "REC-2026-000001")
    assert not may_see(zoe, None, "REC-2026-000002")
    # A complainant principal bound to no complaint reaches none.
    assert not may_see(Principal("x", Role.complainant), None, "REC-2026-000001")
    assert not may_read_queue(Role.complainant)


def test_a_complainant_adds_documents_contests_and_withdraws_and_nothing_else():
    allowed = {name for name in ACTIONS if may(Role.complainant, name, medical=False)}
    assert allowed == COMPLAINANT_ACTIONS == {"add_document", "contest", "withdraw"}
    # rule 11: a medical complaint's page shows its status and dates, and takes no action.
    assert not any(may(Role.complainant, name, medical=True) for name in ACTIONS)
    assert not can_read_content(Role.complainant, medical=True)


def test_a_complainant_never_logs_in_nor_holds_an_api_token():
    assert Role.complainant not in USER_ROLES and Role.complainant not in TOKEN_ROLES
    assert not may_register(Role.complainant) and not may_read_histories(Role.complainant)


def test_whoever_acts_on_a_complaint_may_send_its_complainant_the_link_never_for_a_medical_one():
    senders = {role for role in Role if may_offer_follow_link(role, medical=False)}
    assert senders == {Role.agent, Role.supervisor, Role.medical_advisor}
    assert not any(may_offer_follow_link(role, medical=True) for role in Role)
