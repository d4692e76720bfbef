"""Specimen letters, to check a template set before it serves and to show a letter's look.

`missing_clauses` renders each letter that must carry a clause from example facts, and looks
for the clause's own values in the text (the mediator's name and address, the reasons given,
the new date): a template that drops one of them is refused, however it is worded."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from jinja2 import TemplateError

from reclamations.activities.letters.rendering import LetterRenderer, RenderedLetter
from reclamations.domain.actions import DELAY_REASON_PHRASES, Decision, DelayReason
from reclamations.domain.complaint import LetterFacts, LetterOrder
from reclamations.domain.entities import Entity
from reclamations.domain.french import long_date
from reclamations.domain.intake import parse_intake
from reclamations.domain.letters import LetterKind, delivery_for, identity_gaps
from reclamations.domain.planning import plan_complaint
from reclamations.domain.policy import Policy
from reclamations.workflows.messages import LetterInput

SPECIMEN_REASONS = "Les factures reçues le 3 octobre ne portent pas sur des soins couverts."
SPECIMEN_DETAILS = "le rapport de notre expert est attendu pour la mi-décembre"
SPECIMEN_REASON = DelayReason.third_party


def specimen(
    kind: LetterKind, today: date, facts: LetterFacts | None = None, entity: str | None = None
) -> LetterInput:
    """A letter of `kind` from `entity` (the first) to an example complainant who wrote a
    week ago, dated today; the medical notice is about a medical complaint, as it always is."""
    sent_on = today - timedelta(days=7)
    intake = parse_intake(
        {
            "reference": "REC-EXEMPLE-0001",
            "channel": "post",
            "sent_on": sent_on.isoformat(),
            "complainant": {
                "name": "Hélène Garnier",
                "postal_address": "12 rue des Tilleuls\n69003 Lyon",
            },
            "subject": "Remboursement de frais d'optique toujours en attente",
            "description": "Facture envoyée le 2 octobre, remboursement non reçu.",
            "medical": kind is LetterKind.medical_postal_notice,
            "entity": entity,
        },
        today,
    )
    plan = plan_complaint(intake, Policy())
    at = datetime.combine(today, time(9, 0), tzinfo=UTC)
    order = LetterOrder(
        kind=kind,
        sequence=1,
        delivery=delivery_for(intake),
        ordered_at=at,
        facts=facts or LetterFacts(),
    )
    return LetterInput(
        reference="REC-EXEMPLE-0001",
        intake=intake,
        plan=plan,
        order=order,
        quality_target_due=sent_on + timedelta(days=15),
        at=at,
    )


def _facts(kind: LetterKind, today: date) -> list[LetterFacts]:
    """What each kind of letter may say: its usual facts first, then each other shape of it
    (a late acknowledgement, an answer upheld or after a review, a date moved again)."""
    if kind is LetterKind.answer:
        rejected = LetterFacts(decision=Decision.rejected, reasons=SPECIMEN_REASONS)
        return [
            rejected,
            rejected.model_copy(update={"review": True, "documents": ["Facture du 2 octobre"]}),
            LetterFacts(decision=Decision.upheld, reasons=SPECIMEN_REASONS),
        ]
    if kind is LetterKind.information:
        expected = LetterFacts(
            reason=DELAY_REASON_PHRASES[SPECIMEN_REASON],
            details=SPECIMEN_DETAILS,
            expected_on=today + timedelta(days=20),
        )
        return [expected, expected.model_copy(update={"promised_on": today})]
    if kind is LetterKind.acknowledgement:
        return [LetterFacts(), LetterFacts(late=True)]
    return [LetterFacts()]


def specimen_of(kind: LetterKind, today: date, entity: str | None = None) -> LetterInput:
    return specimen(kind, today, _facts(kind, today)[0], entity)


def every_specimen(today: date, entity: str | None = None) -> list[LetterInput]:
    """Every kind of letter in each of its shapes, from `entity`: what a template set must
    render, and what a test walks so that no letter escapes it."""
    return [
        specimen(kind, today, facts, entity) for kind in LetterKind for facts in _facts(kind, today)
    ]


@dataclass(frozen=True)
class Clause:
    kind: LetterKind
    what: str  # said to whoever maintains the templates
    present: Callable[[str, LetterInput, Entity], bool]


def _one_year(text: str, _letter: LetterInput, _entity: Entity) -> bool:
    return re.search(r"\b(un|1) an\b", text) is not None


# Code de la consommation: the mediator's name, postal address and website (R616-1), that
# referring to it is free (L612-1), and the year in which it may be done (L612-2).
MEDIATION_CLAUSES: list[tuple[str, Callable[[str, LetterInput, Entity], bool]]] = [
    ("le nom du Médiateur", lambda t, _l, e: e.mediator.name in t),
    (
        "l'adresse postale du Médiateur",
        lambda t, _l, e: all(line in t for line in e.mediator.address.splitlines()),
    ),
    ("le site internet du Médiateur", lambda t, _l, e: e.mediator.website in t),
    ("la gratuité de la saisine du Médiateur (« gratuitement »)", lambda t, _l, _e: "gratuit" in t),
    ("le délai d'un an pour saisir le Médiateur", _one_year),
]

CLAUSES = [
    *(
        Clause(kind, what, present)
        for kind in (LetterKind.answer, LetterKind.mediation_rights)
        for what, present in MEDIATION_CLAUSES
    ),
    Clause(LetterKind.answer, "les motifs de la réponse", lambda t, _l, _e: SPECIMEN_REASONS in t),
    Clause(
        LetterKind.answer,
        "le réexamen par le Service Qualité quand la réponse n'est pas favorable",
        # The service is named there, besides signing.
        lambda t, _l, e: t.count(e.identity.service) >= 2 and "réexamin" in t,
    ),
    Clause(
        LetterKind.information,
        "la nouvelle date de réponse",
        lambda t, letter, _e: long_date(letter.order.facts.expected_on or date.min) in t,
    ),
    Clause(
        LetterKind.information,
        "la raison du retard",
        lambda t, letter, _e: (letter.order.facts.reason or "") in t and SPECIMEN_DETAILS in t,
    ),
]


def render_specimen(
    renderer: LetterRenderer, kind: LetterKind, today: date, entity: str | None = None
) -> RenderedLetter:
    return renderer.render(specimen_of(kind, today, entity), lambda text: text)


def missing_clauses(renderer: LetterRenderer, today: date) -> list[str]:
    """What the template set lacks, for each entity it serves, one French sentence each; none
    when it may serve. Each entity's letters are checked against its own mediator and
    identity, which must carry what the law requires for its legal form."""
    problems: list[str] = []
    for entity in renderer.entities.entities:
        named = f"entité « {entity.code} »"
        problems += [f"{named}, {gap}" for gap in identity_gaps(entity.identity)]
        for letter in every_specimen(today, entity.code):
            try:
                renderer.render(letter, lambda text: text)
            except (TemplateError, OSError) as error:
                problems.append(
                    f"{named}, {letter.order.kind.value} : le modèle ne se rend pas "
                    f"({type(error).__name__}: {error})"
                )
        for clause in CLAUSES:
            letter = specimen_of(clause.kind, today, entity.code)
            try:
                text = renderer.render(letter, lambda text: text).layout.text
            except (TemplateError, OSError):
                continue  # said above
            if not clause.present(text, letter, entity):
                problems.append(f"{named}, {clause.kind.value} : il manque {clause.what}")
    return list(dict.fromkeys(problems))
