"""DESIGN rule 19: each entity's letters carry its identity and name its own mediator."""

import tomllib

import pytest
from temporalio.exceptions import ApplicationError

from activities.failures import LASTING
from activities.letters.rendering import LetterRenderer
from domain.actions import Answer
from domain.entities import Entities
from domain.letters import InsurerIdentity, Mediator
from tests.activities.conftest import NOW, a_complaint
from tests.activities.test_letters import letter_for
from tests.entities import ENTITIES_TOML

ENTITIES = Entities.model_validate(tomllib.loads(ENTITIES_TOML))


def answer_letter(entity):
    complaint = a_complaint(entity=entity)
    complaint.apply(Answer(actor="a", decision="rejected", reasons="Non couvert."), NOW)
    letter = letter_for(complaint, complaint.pending_letters[-1])
    renderer = LetterRenderer(InsurerIdentity(), Mediator(), entities=ENTITIES)
    return renderer.render(letter, lambda text: text)


def test_two_entities_answer_with_their_own_mediator_and_identity():
    insurer, mutual = answer_letter("mutex"), answer_letter("mutuelle-est")
    assert "La Médiation de l'Assurance" in insurer.body
    assert "Médiateur de la Mutualité" not in insurer.body
    assert "Le Médiateur de la Mutualité Française" in mutual.body
    assert "FNMF, 255 rue de Vaugirard" in mutual.body
    assert "La Médiation de l'Assurance" not in mutual.body
    assert mutual.layout.letterhead == "Mutuelle de l'Est"
    assert mutual.layout.place_date.startswith("Strasbourg, le")
    assert any("Code de la mutualité" in line for line in mutual.layout.footer)


def test_a_complaint_from_before_entities_is_the_first_ones():
    assert answer_letter(None).layout.letterhead == "MUTEX"


def test_a_complaint_of_an_entity_no_longer_configured_is_signed_by_nobody():
    with pytest.raises(ApplicationError) as refused:
        answer_letter("ailleurs")
    assert refused.value.type == LASTING and refused.value.non_retryable  # an incident
