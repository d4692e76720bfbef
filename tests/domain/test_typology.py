"""rule 17: what a complaint is about, in the insurer's closed lists."""

from decimal import Decimal

import pytest

from reclamations.domain.actions import Answer, Classify, Qualify, Withdraw
from reclamations.domain.complaint import ActionRefused
from reclamations.domain.typology import DEFAULT_TYPOLOGY, ComplainantType
from tests.domain.builders import NOW, complaint


def test_the_typology_is_set_at_qualification_and_corrected_until_closing():
    c = complaint()
    c.apply(Qualify(actor="a", product_line="sante", reason="prestations"), NOW)
    c.apply(Classify(actor="a", sub_reason="delai", complainant_type="member"), NOW)
    assert c.classification.product_line == "sante"  # left out: kept
    assert c.classification.reason == "prestations"
    assert c.classification.sub_reason == "delai"
    assert c.classification.complainant_type is ComplainantType.member
    assert c.events[-1].summary == "Typologie renseignée."


def test_the_answer_gives_the_root_cause_and_any_compensation():
    c = complaint()
    c.apply(
        Answer(
            actor="a",
            decision="partly_upheld",
            reasons="Remboursé en partie.",
            compensation="35.50",
            root_cause="erreur_gestion",
        ),
        NOW,
    )
    assert c.classification.compensation == Decimal("35.50")
    assert c.classification.root_cause == "erreur_gestion"


def test_a_closed_complaint_keeps_its_typology():
    c = complaint()
    c.apply(Withdraw(actor="a"), NOW)
    with pytest.raises(ActionRefused):
        c.apply(Classify(actor="a", reason="cotisations"), NOW)


@pytest.mark.parametrize(
    ("codes", "fields"),
    [
        ({"product_line": "sante", "reason": "prestations", "sub_reason": "delai"}, []),
        ({"product_line": "auto"}, ["product_line"]),
        ({"reason": "prestations", "sub_reason": "resiliation"}, ["sub_reason"]),
        ({"sub_reason": "delai"}, ["sub_reason"]),  # a sub-reason belongs to a reason
        ({"root_cause": "hasard"}, ["root_cause"]),
    ],
)
def test_codes_are_checked_against_the_lists(codes, fields):
    assert [field for field, _ in DEFAULT_TYPOLOGY.problems(**codes)] == fields


def test_every_reason_names_its_mediator_domain():
    assert all(reason.mediator_domain for reason in DEFAULT_TYPOLOGY.reasons.values())
