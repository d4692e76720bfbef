"""rule 19: each entity's letters carry its identity and name its own mediator."""

import re
import tomllib
from datetime import date

import pytest
from temporalio.exceptions import ApplicationError

from reclamations.activities.failures import LASTING
from reclamations.activities.letters.rendering import LetterRenderer
from reclamations.activities.letters.specimens import every_specimen
from reclamations.domain.actions import Answer
from reclamations.domain.entities import Entities, Entity
from reclamations.domain.letters import LETTER_LABELS, LetterKind
from tests.activities.conftest import NOW, a_complaint
from tests.activities.test_letters import letter_for
from tests.entities import ENTITIES_TOML

ENTITIES = Entities.model_validate(tomllib.loads(ENTITIES_TOML))
# The words of an insurer's, a mutual's or a mediator's name, of a service or of the Médecin
# Conseil: in a letter, each must be part of its own entity's values.
INSTITUTIONS = re.compile(
    r"Médiat\w*|Médecin Conseil|Service [A-ZÉ]\w*|Mutuelle|Mutualité|Assurance|MUTEX|Mutex"
)


def rendered(complaint, order):
    renderer = LetterRenderer(ENTITIES)
    return renderer.render(letter_for(complaint, order), lambda text: text)


def values(entity: Entity) -> list[str]:
    """Every name, service, address, number and website an entity gives, line by line."""
    fields = [*entity.identity.model_dump().values(), *entity.mediator.model_dump().values()]
    return [
        line.strip()
        for value in fields
        if isinstance(value, str)
        for line in value.splitlines()
        if line.strip()
    ]


@pytest.mark.parametrize("entity", ENTITIES.entities, ids=lambda entity: entity.code)
def test_every_letter_names_its_own_entity_and_no_other(entity):
    """Every kind of letter, in each of its shapes, so that a new one cannot escape: nothing
    of the other entity, and every institution it names is its own entity's."""
    [other] = [e for e in ENTITIES.entities if e is not entity]
    renderer = LetterRenderer(ENTITIES)
    letters = every_specimen(date(2026, 12, 5), entity.code)
    assert {letter.order.kind for letter in letters} == set(LetterKind)
    for letter in letters:
        text = renderer.render(letter, lambda text: text).body
        kind = letter.order.kind.value
        assert [value for value in values(other) if value in text] == [], kind
        rest = text
        for own in sorted([*values(entity), *LETTER_LABELS.values()], key=len, reverse=True):
            rest = rest.replace(own, "")
        assert INSTITUTIONS.findall(rest) == [], (kind, rest)


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
    """rules 11 and 19: each entity names its Médecin Conseil and their address."""
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


async def test_an_email_comes_from_its_entity_by_name(sessions, tmp_path, keyring):
    """The install's mailbox sends it, the complaint's entity signs it, in the From too."""
    from email import message_from_bytes, policy

    from tests.activities.test_letters import first_letter, letters_activity

    activities = letters_activity(sessions, tmp_path, keyring)
    activities._renderer = LetterRenderer(ENTITIES)
    await activities.send_letter(first_letter(a_complaint(entity="mutuelle-est")))
    [eml] = tmp_path.glob("email/**/*.eml")
    sender = message_from_bytes(eml.read_bytes(), policy=policy.default)["From"]
    assert sender.addresses[0].display_name == "Mutuelle de l'Est"
    assert sender.addresses[0].addr_spec == "reclamations@mutex.example"
