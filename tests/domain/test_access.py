"""DESIGN rule 15: who may read and do what, one set of rules for every entry point."""

import pytest

from domain.access import (
    Principal,
    Role,
    can_read_content,
    may,
    may_assign_to,
    may_read_histories,
    may_register,
    may_see,
)
from domain.actions import ACTIONS


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
    assert may_see(camille, None) and may_see(camille, "camille")
    assert not may_see(camille, "hugo")
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
