"""rule 11 and issue 27: a complaint found medical after it was registered (an email, a web
form) becomes the Médecin Conseil's: sealed from then on, its letters by post, the postal
notice on its way, an incident while its postal address is unknown."""

from datetime import timedelta

import pytest

from reclamations.domain.actions import (
    Answer,
    Assign,
    MarkMedical,
    Qualify,
    SealedValue,
    Withdraw,
)
from reclamations.domain.complaint import ActionRefused, IncidentKind
from reclamations.domain.complaint.medical import CONTENT_CHANGED
from reclamations.domain.content import FROM_OUTSIDE, content_paths, is_sealed
from reclamations.domain.letters import Delivery
from tests.domain.builders import NOW, complaint, pending, said, sealed_for

LATER = NOW + timedelta(hours=2)


def marking(c, actor: str = "agent.dupont") -> MarkMedical:
    return MarkMedical(actor=actor, sealed=sealed_for(c))


def test_an_email_complaint_found_medical_is_sealed_and_the_medecin_conseils_from_then_on():
    c = complaint(
        complainant={"name": "A. Martin", "email": "a.martin@example.fr", "postal_address": ADDR}
    )
    c.apply(Assign(actor="agent.dupont", assignee="agent.dupont"), NOW)
    assert not c.medical and "mark_medical" in c.allowed_actions()

    c.apply(marking(c), LATER)

    assert c.medical
    assert all(is_sealed(text) for text in content_paths(c).values())
    assert c.intake.subject == "sealed:intake.subject"
    assert "mark_medical" not in c.allowed_actions()
    # The record says who declared it, never why.
    assert said(c)[-1] == (
        "declared_medical",
        "agent.dupont",
        "Déclarée médicale : réservée au Médecin Conseil, contenu scellé, courriers par la "
        "poste uniquement.",
    )
    # rule 11: the medical elements go by post, and the notice that says so too.
    assert pending(c) == ["medical_postal_notice"]
    assert all(order.delivery is Delivery.post for order in c.pending_letters)
    assert not c.open_incidents


ADDR = "12 rue des Lilas\n75011 Paris"


def test_without_a_postal_address_the_marking_opens_the_address_incident_as_an_intake_would():
    c = complaint()
    c.apply(marking(c), LATER)
    assert [i.kind for i in c.open_incidents] == [IncidentKind.address]
    # The notice waits for the address it lacks, like every posted letter.
    assert all(c.letter_waits(order) for order in c.pending_letters)


def test_letters_not_gone_yet_go_by_post_once_it_is_medical():
    c = complaint(
        complainant={"name": "A. Martin", "email": "a.martin@example.fr", "postal_address": ADDR}
    )
    c.apply(Qualify(actor="a", note="Elle parle de son traitement."), NOW)
    assert [o.delivery for o in c.pending_letters] == [Delivery.email]
    c.apply(marking(c), LATER)
    assert pending(c) == ["acknowledgement", "medical_postal_notice"]
    assert {o.delivery for o in c.pending_letters} == {Delivery.post}
    # The note written before is sealed with the rest.
    assert is_sealed(c.events[1].note or "")


def test_already_medical_it_cannot_be_marked_again():
    c = complaint(medical=True)
    assert "mark_medical" not in c.allowed_actions()
    with pytest.raises(ActionRefused, match="déjà médicale"):
        c.check(MarkMedical(actor="medecin"), LATER)


def test_a_closed_complaint_is_still_sealed_but_nothing_more_is_posted():
    """rule 11 has no end: medical content found in a closed complaint is sealed all the same;
    the notice would invite elements for a complaint that is closed, so none goes."""
    c = complaint()
    c.apply(Withdraw(actor="a"), NOW)
    assert "mark_medical" in c.allowed_actions()
    c.apply(marking(c), LATER)
    assert c.medical and all(is_sealed(t) for t in content_paths(c).values())
    assert pending(c) == [] and not c.open_incidents


def test_the_marking_takes_every_content_text_sealed_or_nothing():
    c = complaint()
    missing = MarkMedical(actor="a", sealed=sealed_for(c)[1:])
    with pytest.raises(ActionRefused) as refused:
        c.check(missing, LATER)
    assert str(refused.value) == CONTENT_CHANGED
    plain = MarkMedical(
        actor="a", sealed=[SealedValue(path=p, value=t) for p, t in content_paths(c).items()]
    )
    with pytest.raises(ActionRefused, match="contenu médical non scellé"):
        c.check(plain, LATER)
    assert not c.medical


def test_the_complaint_changed_since_the_sealing_was_read_is_refused_and_read_again():
    c = complaint()
    stale = marking(c)
    c.apply(Answer(actor="a", decision="upheld", reasons="Accordé."), NOW)
    with pytest.raises(ActionRefused, match="a changé"):
        c.check(stale, LATER)


def test_sealed_values_never_come_from_the_caller():
    with pytest.raises(ValueError, match="scellé par le système"):
        MarkMedical.model_validate(
            {"actor": "a", "sealed": [{"path": "intake.subject", "value": "x"}]},
            context={FROM_OUTSIDE: True},
        )
