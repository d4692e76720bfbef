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


def rendered(complaint, order):
    renderer = LetterRenderer(InsurerIdentity(), Mediator(), entities=ENTITIES)
    return renderer.render(letter_for(complaint, order), lambda text: text)


def answer_letter(entity):
    complaint = a_complaint(entity=entity)
    complaint.apply(Answer(actor="a", decision="rejected", reasons="Non couvert."), NOW)
    return rendered(complaint, complaint.pending_letters[-1])


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


def test_medical_documents_go_to_the_entitys_own_medecin_conseil():
    """DESIGN rules 11 and 19: each entity names its Médecin Conseil and their address."""
    complaint = a_complaint(entity="mutuelle-est", medical=True)
    (notice,) = [o for o in complaint.pending_letters if o.kind == "medical_postal_notice"]
    letter = rendered(complaint, notice)
    assert "Médecin Conseil de la Mutuelle de l'Est – Confidentiel" in letter.body
    assert "BP 40021\n67001 Strasbourg Cedex" in letter.body
    assert letter.layout.sender[1:] == ["Service médical – BP 40021", "67001 Strasbourg Cedex"]
    # Without an address of their own, the Médecin Conseil's mail goes to the service's.
    assert "92327 Châtillon Cedex" in rendered(a_complaint(medical=True), notice).body


def test_a_complaint_from_before_entities_is_the_first_ones():
    assert answer_letter(None).layout.letterhead == "MUTEX"


def test_a_complaint_of_an_entity_no_longer_configured_is_signed_by_nobody():
    with pytest.raises(ApplicationError) as refused:
        answer_letter("ailleurs")
    assert refused.value.type == LASTING and refused.value.non_retryable  # an incident
