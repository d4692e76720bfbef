"""Rendering a letter from its template: plain French text, the same for email and paper."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from domain.actions import Decision
from domain.clock import local_date
from domain.content import map_content
from domain.french import long_date, typography
from domain.intake import CHANNEL_PHRASES
from domain.letters import LETTER_LABELS, InsurerIdentity, Mediator
from workflows.messages import LetterInput

TEMPLATES = Path(__file__).parent / "templates"

# Opens a medical complaint's sealed content (security.sealing); the identity for any other.
OpenText = Callable[[str], str]

DECISION_SENTENCES = {
    Decision.upheld: "nous faisons droit à votre demande",
    Decision.partly_upheld: "nous faisons droit à votre demande en partie",
    Decision.rejected: "nous ne sommes pas en mesure de faire droit à votre demande",
}


@dataclass(frozen=True)
class RenderedLetter:
    subject: str
    body: str
    letter_on: date


class LetterRenderer:
    """Turns a letter order into text. `open_text` opens sealed medical content: the letter
    itself is the one place where it is read in clear, on paper, by its addressee."""

    def __init__(
        self, insurer: InsurerIdentity, mediator: Mediator, templates: Path = TEMPLATES
    ) -> None:
        self._insurer = insurer
        self._mediator = mediator
        self._env = Environment(
            loader=FileSystemLoader(templates),
            undefined=StrictUndefined,
            autoescape=False,  # plain text letters, never HTML
            keep_trailing_newline=True,
        )

    def render(self, letter: LetterInput, open_text: OpenText) -> RenderedLetter:
        intake, plan, order = letter.intake, letter.plan, letter.order
        letter_on = local_date(letter.at, plan.timezone)
        title = LETTER_LABELS[order.kind]
        facts = map_content(order.facts, lambda _path, text: open_text(text))

        def fr(day: date | None) -> str:
            return long_date(day) if day else ""

        body = self._env.get_template(f"{order.kind.value}.txt.j2").render(
            insurer=self._insurer,
            mediator=self._mediator,
            signatory=self._insurer.medical_service if intake.medical else self._insurer.service,
            complainant=intake.complainant,
            salutation="Madame, Monsieur",
            reference=letter.reference,
            title=title,
            subject=open_text(intake.subject),
            channel=CHANNEL_PHRASES[intake.channel],
            letter_on=fr(letter_on),
            sent_on=fr(plan.sent_on),
            first_written_on=fr(plan.first_written_on),
            quality_target_due=fr(letter.quality_target_due),
            final_due=fr(plan.final_due),
            expected_on=fr(facts.expected_on),
            promised_on=fr(facts.promised_on),
            decision_sentence=DECISION_SENTENCES[facts.decision] if facts.decision else "",
            facts=facts,
        )
        subject = f"{title} – votre réclamation {letter.reference}"
        return RenderedLetter(subject=subject, body=typography(_tidy(body)), letter_on=letter_on)


def _tidy(text: str) -> str:
    # Templates keep their blocks readable; the letter gets at most one blank line in a row.
    lines = [line.rstrip() for line in text.strip().splitlines()]
    tidy: list[str] = []
    for line in lines:
        if line or (tidy and tidy[-1]):
            tidy.append(line)
    return "\n".join(tidy) + "\n"
