"""rule 11, as a property: whatever a medical complaint says, and wherever a copy of its
sealed content is put in another complaint (subject, documents, an answer's reasons), no letter
of that other complaint ever carries it in clear."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reclamations.domain.actions import Answer, Decision
from reclamations.domain.complaint import DocumentRecord
from reclamations.domain.intake import DocumentKind
from reclamations.security.keyring import Keyring
from reclamations.security.sealing import seal
from tests.activities.conftest import NOW, a_complaint
from tests.activities.test_letters import letter_for, letters_activity

KEYRING = Keyring.generate("property")
secrets = st.text(alphabet=st.characters(codec="utf-8", categories=["L", "N"]), min_size=4)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(secret=secrets, medical=st.booleans(), decision=st.sampled_from(list(Decision)))
def test_no_letter_of_another_complaint_carries_a_copied_seal(secret, medical, decision, tmp_path):
    text = f"SECRET-{secret}"
    stolen = seal(KEYRING, "REC-2026-000001", text)
    other = a_complaint("REC-2026-000002", medical=medical)
    other.intake = other.intake.model_copy(update={"subject": stolen})
    other.documents.append(
        DocumentRecord(name=stolen, kind=DocumentKind.other, added_on=NOW.date(), added_by="x")
    )
    other.apply(
        Answer(actor="a", decision=decision, reasons=stolen if medical else "Examiné."),
        NOW,
    )
    # The answer's reasons bypass the domain's check here, as a damaged record would.
    order = other.pending_letters[-1]
    facts = order.facts.model_copy(update={"reasons": stolen, "documents": [stolen]})
    letter = letter_for(other, order.model_copy(update={"facts": facts}))
    activities = letters_activity(None, tmp_path, KEYRING)
    rendered = activities._renderer.render(letter, activities._opener(letter))
    assert text not in rendered.body and text not in rendered.subject
