"""The workflow takes each action of the table (domain.actions.ACTIONS) by its name: a signal
and a validated update, each decoded to the action's own model."""

from temporalio.workflow import _Definition

from reclamations.domain.actions import ACTION_LABELS, ACTIONS
from reclamations.domain.complaint import Complaint
from reclamations.workflows.complaint import ComplaintWorkflow

DEFINITION = _Definition.must_from_class(ComplaintWorkflow)


def test_each_action_is_a_signal_and_a_validated_update_of_its_name():
    assert set(DEFINITION.signals) == set(DEFINITION.updates) == set(ACTIONS)
    for name, model in ACTIONS.items():
        signal, update = DEFINITION.signals[name], DEFINITION.updates[name]
        assert signal.arg_types == update.arg_types == [model]
        assert update.ret_type is Complaint
        assert update.validator is not None, f"{name}: an update without its validator"
        assert signal.description == update.description == ACTION_LABELS[name]


def test_the_state_is_the_one_query():
    assert set(DEFINITION.queries) == {"state"}
