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

from activities.letters.rendering import LetterRenderer, RenderedLetter
from domain.actions import DELAY_REASON_PHRASES, Decision, DelayReason
from domain.complaint import LetterFacts, LetterOrder
from domain.french import long_date
from domain.intake import parse_intake
from domain.letters import Delivery, LetterKind, delivery_for
from domain.planning import plan_complaint
from domain.policy import Policy
from workflows.messages import LetterInput

SPECIMEN_REASONS = "Les factures reçues le 3 octobre ne portent pas sur des soins couverts."
SPECIMEN_DETAILS = "le rapport de notre expert est attendu pour la mi-décembre"
SPECIMEN_REASON = DelayReason.third_party


def specimen(kind: LetterKind, today: date, facts: LetterFacts | None = None) -> LetterInput:
    """A letter of `kind` to an example complainant who wrote a week ago, dated today."""
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
        },
        today,
    )
    plan = plan_complaint(intake, Policy())
    at = datetime.combine(today, time(9, 0), tzinfo=UTC)
    order = LetterOrder(
        kind=kind,
        sequence=1,
        delivery=delivery_for(intake)
        if kind is not LetterKind.medical_postal_notice
        else Delivery.post,
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


def _facts(kind: LetterKind, today: date) -> LetterFacts:
    if kind is LetterKind.answer:
        return LetterFacts(decision=Decision.rejected, reasons=SPECIMEN_REASONS)
    if kind is LetterKind.information:
        return LetterFacts(
            reason=DELAY_REASON_PHRASES[SPECIMEN_REASON],
            details=SPECIMEN_DETAILS,
            expected_on=today + timedelta(days=20),
        )
    return LetterFacts()


def specimen_of(kind: LetterKind, today: date) -> LetterInput:
    return specimen(kind, today, _facts(kind, today))


@dataclass(frozen=True)
class Clause:
    kind: LetterKind
    what: str  # said to whoever maintains the templates
    present: Callable[[str, LetterInput, LetterRenderer], bool]


def _mediator(text: str, _letter: LetterInput, renderer: LetterRenderer) -> bool:
    _, mediator = renderer.signing(None)
    return all(part in text for part in (mediator.name, *mediator.address.splitlines()))


def _one_year(text: str, _letter: LetterInput, _renderer: LetterRenderer) -> bool:
    return re.search(r"\b(un|1) an\b", text) is not None


CLAUSES = [
    *(
        clause
        for kind in (LetterKind.answer, LetterKind.mediation_rights)
        for clause in (
            Clause(kind, "le nom et l'adresse du Médiateur", _mediator),
            Clause(kind, "le délai d'un an pour saisir le Médiateur", _one_year),
        )
    ),
    Clause(LetterKind.answer, "les motifs de la réponse", lambda t, _l, _r: SPECIMEN_REASONS in t),
    Clause(
        LetterKind.answer,
        "le réexamen par le Service Qualité quand la réponse n'est pas favorable",
        # The service is named there, besides signing.
        lambda t, _l, r: t.count(r.signing(None)[0].service) >= 2 and "réexamin" in t,
    ),
    Clause(
        LetterKind.information,
        "la nouvelle date de réponse",
        lambda t, letter, _r: long_date(letter.order.facts.expected_on or date.min) in t,
    ),
    Clause(
        LetterKind.information,
        "la raison du retard",
        lambda t, letter, _r: (letter.order.facts.reason or "") in t and SPECIMEN_DETAILS in t,
    ),
]


def render_specimen(renderer: LetterRenderer, kind: LetterKind, today: date) -> RenderedLetter:
    return renderer.render(specimen_of(kind, today), lambda text: text)


def missing_clauses(renderer: LetterRenderer, today: date) -> list[str]:
    """What the template set lacks, one French sentence each; none when it may serve."""
    problems: list[str] = []
    texts: dict[LetterKind, str] = {}
    for kind in LetterKind:
        try:
            texts[kind] = render_specimen(renderer, kind, today).layout.text
        except (TemplateError, OSError) as error:
            problems.append(
                f"{kind.value} : le modèle ne se rend pas ({type(error).__name__}: {error})"
            )
    for clause in CLAUSES:
        text = texts.get(clause.kind)
        if text is not None and not clause.present(text, specimen_of(clause.kind, today), renderer):
            problems.append(f"{clause.kind.value} : il manque {clause.what}")
    return problems
