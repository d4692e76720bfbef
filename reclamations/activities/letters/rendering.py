"""Rendering a letter: its template gives the text (salutation to signature), the insurer's
identity the frame of a French business letter around it (letterhead, sender, the recipient's
block for the envelope's window, place and date, reference and subject, the legal footer).
The same layout makes the PDF, the HTML email and the plain text."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from pydantic import BaseModel
from temporalio.exceptions import ApplicationError

from reclamations.activities.failures import LASTING
from reclamations.domain.actions import Decision
from reclamations.domain.clock import local_date
from reclamations.domain.content import map_content
from reclamations.domain.entities import Entities, Entity
from reclamations.domain.french import long_date, typography
from reclamations.domain.intake import CHANNEL_PHRASES
from reclamations.domain.letters import LETTER_LABELS, Delivery
from reclamations.domain.postal import address_lines, recipient_block
from reclamations.workflows.messages import LetterInput

TEMPLATES = Path(__file__).parent / "templates"
# Where a letter carries its complainant's private link (issue 26): the stored letter, which
# agents read, keeps these words; the letter as it leaves has the link in their place
# (activities.letters.links), so that no one who reads the record can act as the complainant.
FOLLOW_LINK = "[lien personnel de suivi, figurant sur le courrier envoyé]"

# Opens a medical complaint's sealed content (security.sealing); the identity for any other.
OpenText = Callable[[str], str]

DECISION_SENTENCES = {
    Decision.upheld: "nous faisons droit à votre demande",
    Decision.partly_upheld: "nous faisons droit à votre demande en partie",
    Decision.rejected: "nous ne sommes pas en mesure de faire droit à votre demande",
}


# The no-break space before the colon, as French typography wants it.
REFERENCE_LABEL = "Référence\u00a0:"
SUBJECT_LABEL = "Objet\u00a0:"


class LetterLayout(BaseModel):
    """A letter's parts, each where a French business letter puts it; kept with the letter
    so that a retry prints exactly what was first rendered."""

    letterhead: str
    sender: list[str]
    recipient: list[str]
    place_date: str
    reference: str
    subject: str
    text: str
    footer: list[str]
    logo: str | None = None

    @classmethod
    def of_text(cls, text: str, recipient: str) -> LetterLayout:
        """A letter rendered before layouts were kept: its text holds its own frame, the
        recipient's block (name and address, as recorded) goes in the window."""
        name, _, address = recipient.partition("\n")
        return cls(
            letterhead="",
            sender=[],
            recipient=recipient_block(name, address),
            place_date="",
            reference="",
            subject="",
            text=text,
            footer=[],
        )

    def plain(self) -> str:
        """The whole letter as plain text: the record, the page agents read, the email's text
        part."""
        blocks = [
            "\n".join([self.letterhead, *self.sender]),
            "\n".join(self.recipient),
            self.place_date,
            f"{REFERENCE_LABEL} {self.reference}\n{SUBJECT_LABEL} {self.subject}"
            if self.reference
            else "",
            self.text.strip(),
            "\n".join(self.footer),
        ]
        return "\n\n".join(block for block in blocks if block) + "\n"


@dataclass(frozen=True)
class RenderedLetter:
    subject: str
    layout: LetterLayout
    letter_on: date

    @property
    def body(self) -> str:
        return self.layout.plain()


class LetterRenderer:
    """Turns a letter order into text, in the words of the complaint's entity alone: its
    identity and its mediator are the templates' whole context beside the complaint (rule 19).
    `open_text` opens sealed medical content: the letter itself is the one place
    where it is read in clear, on paper, by its addressee."""

    def __init__(
        self, entities: Entities, templates: Path = TEMPLATES, follow_links: bool = False
    ) -> None:
        self.entities = entities
        self._follow_links = follow_links
        self._env = Environment(
            loader=FileSystemLoader(templates),
            undefined=StrictUndefined,
            autoescape=False,  # plain text letters, never HTML
            keep_trailing_newline=True,
        )

    def signing(self, entity: str | None) -> Entity:
        """rule 19: the complaint's entity (the install's first for a complaint that
        names none), whose identity and mediator are the only ones its letters name."""
        found = self.entities.get(entity)
        if found is None:
            # Never signed by another insurer: an incident until the entity is configured again.
            raise ApplicationError(
                f"Courrier impossible à signer : l'entité « {entity} » n'est plus configurée",
                type=LASTING,
                non_retryable=True,
            )
        return found

    def render(self, letter: LetterInput, open_text: OpenText) -> RenderedLetter:
        intake, plan, order = letter.intake, letter.plan, letter.order
        letter_on = local_date(letter.at, plan.timezone)
        title = LETTER_LABELS[order.kind]
        facts = map_content(order.facts, lambda _path, text: open_text(text))

        def fr(day: date | None) -> str:
            return long_date(day) if day else ""

        entity = self.signing(intake.entity)
        insurer, mediator = entity.identity, entity.mediator
        signatory = insurer.medical_service if intake.medical else insurer.service

        text = self._env.get_template(f"{order.kind.value}.txt.j2").render(
            insurer=insurer,
            mediator=mediator,
            signatory=signatory,
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
            # rule 11: nothing of a medical complaint's is reached online but its status.
            follow_link=FOLLOW_LINK if self._follow_links and not intake.medical else "",
        )
        complainant = intake.complainant
        posted = order.delivery is Delivery.post
        layout = LetterLayout(
            letterhead=insurer.name,
            sender=[signatory, *address_lines(insurer.sender_address(intake.medical))],
            recipient=recipient_block(
                complainant.name, complainant.postal_address if posted else None
            ),
            place_date=f"{insurer.place}, le {fr(letter_on)}",
            reference=letter.reference,
            subject=title,
            text=typography(_tidy(text)),
            footer=[typography(line) for line in (*insurer.legal_lines(), insurer.contact_line())],
            logo=insurer.logo,
        )
        subject = f"{title} – votre réclamation {letter.reference}"
        return RenderedLetter(subject=subject, layout=layout, letter_on=letter_on)


HTML = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "html"),
    autoescape=True,
    undefined=StrictUndefined,
)


def letter_html(layout: LetterLayout) -> str:
    """The letter as an email's HTML part: the same parts as on paper, escaped, inline styles
    only (mail readers drop style sheets)."""
    return HTML.get_template("letter.html.j2").render(
        letter=layout, reference_label=REFERENCE_LABEL, subject_label=SUBJECT_LABEL
    )


def _tidy(text: str) -> str:
    # Templates keep their blocks readable; the letter gets at most one blank line in a row.
    lines = [line.rstrip() for line in text.strip().splitlines()]
    tidy: list[str] = []
    for line in lines:
        if line or (tidy and tidy[-1]):
            tidy.append(line)
    return "\n".join(tidy) + "\n"
