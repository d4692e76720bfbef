"""rule 11, as pure code: what is content is declared once and walked; sealed values
never come from outside; a medical complaint takes only sealed content, others only plain."""

from datetime import UTC, datetime

import pytest
from pydantic import BaseModel, ValidationError

from reclamations.domain.actions import ACTIONS, AddDocument, Answer, Assign, Qualify
from reclamations.domain.complaint import ActionRefused
from reclamations.domain.content import (
    FROM_OUTSIDE,
    IDENTITY,
    SEALED_FROM_OUTSIDE,
    content_paths,
    map_content,
    map_marked,
)
from reclamations.domain.errors import describe_errors
from reclamations.domain.intake import Complainant, ComplaintIntake, parse_intake
from tests.domain.builders import complaint
from tests.domain.fields import nested, text_paths
from tests.domain.test_intake import TODAY, valid

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
LOOKS_SEALED = "sealed:v2:k1:REC-2027-000001:AAAA"


def sealed(text: str) -> str:
    return f"sealed:v2:test:R-1:{text}"


def test_every_content_field_is_found_however_deep():
    c = complaint(documents=[{"name": "Facture.pdf"}], medical=False)
    c.apply(
        Answer(
            actor="a",
            decision="rejected",
            reasons="Non couvert",
            documents_considered=["CG art. 3"],
        ),
        NOW,
    )
    paths = content_paths(c)
    assert paths["intake.subject"] == "Retard"
    assert paths["intake.description"] == "Toujours rien."
    assert paths["intake.documents.0.name"] == "Facture.pdf"
    assert paths["documents.0.name"] == "Facture.pdf"
    assert paths["answers.0.reasons"] == "Non couvert"
    assert paths["answers.0.documents_considered.0"] == "CG art. 3"
    assert paths["pending_letters.0.facts.reasons"] == "Non couvert"
    # Identity, dates and labels are not content.
    assert not any("complainant" in p or "actor" in p or "summary" in p for p in paths)


def test_a_walk_changes_only_content_and_leaves_the_original_alone():
    action = AddDocument(actor="dr.lemoine", document={"name": "Compte rendu", "kind": "other"})
    upper = map_content(action, lambda _path, text: text.upper())
    assert upper.document.name == "COMPTE RENDU" and upper.actor == "dr.lemoine"
    assert action.document.name == "Compte rendu"


@pytest.mark.parametrize("field", ["subject", "description"])
def test_a_value_that_looks_sealed_is_refused_from_outside_naming_the_field(field):
    data = valid(documents=[{"name": LOOKS_SEALED}])
    data[field] = LOOKS_SEALED + "A" * 300_000  # no way round the length limits either
    with pytest.raises(ValidationError) as raised:
        parse_intake(data, TODAY)
    fields = {e.field for e in describe_errors(raised.value)}
    assert fields == {field, "documents.0.name"}


def test_actions_from_outside_refuse_sealed_looking_text_too():
    with pytest.raises(ValidationError) as raised:
        ACTIONS["answer"].model_validate(
            {"actor": "a", "decision": "rejected", "reasons": LOOKS_SEALED},
            context={"from_outside": True},
        )
    assert [e.field for e in describe_errors(raised.value)] == ["reasons"]


def test_a_medical_complaint_refuses_unsealed_content():
    address = {"name": "B", "email": "b@example.fr", "postal_address": "1 rue X\n75001 Paris"}
    c = complaint(medical=True, complainant=address)
    with pytest.raises(ActionRefused, match="non scellé"):
        c.check(Qualify(actor="dr", note="Diagnostic en clair"), NOW)
    c.check(Qualify(actor="dr", note=sealed("AAAA")), NOW)
    c.check(Assign(actor="dr", assignee="dr"), NOW)  # nothing to seal


def test_an_ordinary_complaint_refuses_sealed_content():
    c = complaint()
    with pytest.raises(ActionRefused, match="scellé"):
        c.check(Qualify(actor="agent", note=sealed("AAAA")), NOW)


def test_the_caller_given_name_is_kept_beside_the_actor():
    c = complaint()
    c.apply(Qualify(actor="gestion-lyon", on_behalf_of="agent.martin"), NOW)
    [event] = [e for e in c.events if e.type == "qualified"]
    assert (event.actor, event.on_behalf_of) == ("gestion-lyon", "agent.martin")


def test_a_seal_hidden_inside_a_longer_text_is_refused_too():
    with pytest.raises(ValidationError) as raised:
        ACTIONS["qualify"].model_validate(
            {"actor": "a", "note": f"Voir {LOOKS_SEALED} ci-dessus"},
            context={"from_outside": True},
        )
    assert [e.field for e in describe_errors(raised.value)] == ["note"]


def test_on_behalf_of_is_a_name_never_a_text():
    for name in ("Camille Martin", "c.martin@mutex.fr", "O'Neil"):
        assert Qualify(actor="a", on_behalf_of=name).on_behalf_of == name
    for text in (LOOKS_SEALED, "<script>", "a" * 101):
        with pytest.raises(ValidationError):
            Qualify(actor="a", on_behalf_of=text)


IDENTITY_OF = {
    "name": "Hélène Garnier",
    "email": "helene@example.fr",
    "postal_address": "12 rue des Tilleuls\n69003 Lyon",
    "member_number": "MX-4471203",
}


def test_who_complains_is_declared_once_and_found_by_the_walk():
    intake = parse_intake(valid(complainant=IDENTITY_OF, medical=True), TODAY)
    found: dict[str, str] = {}
    map_marked(intake, (IDENTITY,), lambda path, text: found.setdefault(path, text))
    assert found == {f"complainant.{field}": value for field, value in IDENTITY_OF.items()}
    assert content_paths(intake).keys().isdisjoint(found)  # not sealed at the door


@pytest.mark.parametrize("field", list(IDENTITY_OF))
def test_a_sealed_identity_is_refused_from_outside_and_read_back_from_the_record(field):
    refused = {**IDENTITY_OF, field: LOOKS_SEALED}
    with pytest.raises(ValidationError) as caught:
        parse_intake(valid(complainant=refused), TODAY)
    [problem] = describe_errors(caught.value)
    assert problem.field == f"complainant.{field}" and "scellé" in problem.message
    # As the record keeps it (a medical complaint's snapshot): longer than its field in clear.
    recorded = {**IDENTITY_OF, field: sealed("A" * 600)}
    assert getattr(Complainant.model_validate(recorded), field) == recorded[field]


# Every model a caller fills in: the intake and each action (what they nest comes with them).
INPUT_MODELS: dict[str, type[BaseModel]] = {"intake": ComplaintIntake, **ACTIONS}
LOOKALIKES = {
    "sealed": LOOKS_SEALED,
    "inside": f"Voir {LOOKS_SEALED} ci-dessus",
    # Never taken for sealed, so never let past the field's length or format checks.
    "unchecked": "sealed:" + "A" * 300_000,
    "spaced": "  sealed:v1:k1:AAAA",
}


@pytest.mark.parametrize("value", LOOKALIKES.values(), ids=LOOKALIKES.keys())
@pytest.mark.parametrize(
    ("model", "path"),
    [(model, path) for model in INPUT_MODELS.values() for path in text_paths(model)],
    ids=lambda p: p if isinstance(p, str) else p.__name__,
)
def test_every_text_from_outside_refuses_a_value_that_looks_sealed(model, path, value):
    # Issue 23: names, addresses, member numbers, managing bodies, file numbers, document
    # names, every action's free text; walked, so that a field added later cannot escape.
    with pytest.raises(ValidationError) as raised:
        model.model_validate(nested(path, value), context={FROM_OUTSIDE: True, "today": TODAY})
    refused = {e.field for e in describe_errors(raised.value) if e.message == SEALED_FROM_OUTSIDE}
    # A list of texts is refused as a whole ("documents_considered" for its first item).
    assert refused & {path, path.removesuffix(".0")}, describe_errors(raised.value)


def test_the_walk_reaches_the_fields_the_issue_names():
    intake, mediate = text_paths(ComplaintIntake), text_paths(ACTIONS["mediate"])
    assert {"complainant.name", "complainant.member_number", "documents.0.name"} <= set(intake)
    assert {"file_number", "mediator"} <= set(mediate)
    assert "managing_body" in text_paths(ACTIONS["classify"])


def test_a_sealed_value_kept_by_the_system_still_loads():
    # Inside (a running complaint's state, a workflow's own message), sealed content was
    # checked in clear before it was sealed, and may be longer than the clear text.
    long_sealed = "sealed:v2:k1:R-1:" + "A" * 30_000
    answer = Answer.model_validate({"actor": "a", "decision": "rejected", "reasons": long_sealed})
    assert answer.reasons == long_sealed
