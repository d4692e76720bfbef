"""A person's data, as handed to them on an access request (RGPD art. 15, issue 28): a PDF
summary in French, and a ZIP of it with every complaint's record (JSON), letters and
documents' files. Built with reportlab, which the letters use already, in the letters' font."""

from __future__ import annotations

import io
import json
import zipfile
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer

from reclamations.activities.letters.pdf import BOLD, REGULAR, _fonts
from reclamations.domain.complaint import STATUS_LABELS
from reclamations.domain.intake import CHANNEL_LABELS
from reclamations.domain.letters import LETTER_LABELS, LetterKind
from reclamations.service import PersonData
from reclamations.service.person import HeldComplaint

MEDICAL_ELSEWHERE = (
    "Les éléments relevant du secret médical ne figurent pas dans cet export : ils sont "
    "communiqués par le Médecin Conseil, sur demande adressée à lui seul."
)


def _styles() -> dict[str, ParagraphStyle]:
    _fonts()
    body = ParagraphStyle("corps", fontName=REGULAR, fontSize=10, leading=13)
    return {
        "body": body,
        "title": ParagraphStyle("titre", parent=body, fontName=BOLD, fontSize=14, leading=18),
        "heading": ParagraphStyle("intertitre", parent=body, fontName=BOLD, fontSize=11),
    }


def _line(label: str, value: object) -> str:
    return f"<b>{escape(label)}</b> : {escape(str(value))}"


def _complaint_paragraphs(held: HeldComplaint, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    complaint = held.complaint
    intake = complaint.letter_intake  # with the postal address given since (rule 11)
    who = intake.complainant
    lines = [
        _line("Canal", CHANNEL_LABELS.get(intake.channel, intake.channel)),
        _line("Envoyée le", intake.sent_on.strftime("%d/%m/%Y")),
        _line("Statut", STATUS_LABELS.get(complaint.status, complaint.status)),
        _line("Nom", who.name),
        _line("Adresse électronique", who.email or "—"),
        _line("Adresse postale", (who.postal_address or "—").replace("\n", ", ")),
        _line("Numéro d'adhérent", who.member_number or "—"),
        _line("Objet", intake.subject),
        _line("Description", intake.description),
    ]
    flow: list[Flowable] = [
        Paragraph(f"Réclamation {escape(complaint.reference)}", styles["heading"])
    ]
    flow += [Paragraph(line, styles["body"]) for line in lines]
    flow.append(Paragraph("<b>Événements</b>", styles["body"]))
    for event in complaint.events:
        note = f" — {event.note}" if event.note else ""
        text = f"{event.at:%d/%m/%Y %H:%M} · {event.summary}{note}"
        flow.append(Paragraph(escape(text), styles["body"]))
    flow.append(Paragraph("<b>Courriers</b>", styles["body"]))
    for letter in held.letters:
        label = LETTER_LABELS[LetterKind(letter.kind)]
        flow.append(Paragraph(escape(f"{letter.letter_on} · {label}"), styles["body"]))
    flow.append(Paragraph("<b>Documents</b>", styles["body"]))
    for file in held.files:
        flow.append(Paragraph(escape(file.name), styles["body"]))
    flow.append(Spacer(1, 6 * mm))
    return flow


def person_pdf(data: PersonData) -> bytes:
    styles = _styles()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title="Données personnelles détenues",
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
    )
    flow: list[Flowable] = [
        Paragraph("Données personnelles détenues — réclamations", styles["title"]),
        Paragraph(
            escape(
                f"Export du {data.asked_at:%d/%m/%Y} (article 15 du RGPD) : "
                f"{len(data.complaints)} réclamation(s)."
            ),
            styles["body"],
        ),
    ]
    if not data.medical_included:
        flow.append(Paragraph(escape(MEDICAL_ELSEWHERE), styles["body"]))
    flow.append(Spacer(1, 6 * mm))
    for held in data.complaints:
        flow += _complaint_paragraphs(held, styles)
    document.build(flow)
    return buffer.getvalue()


def person_zip(data: PersonData) -> bytes:
    """The summary, and per complaint its record, letters and documents' files."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("synthese.pdf", person_pdf(data))
        for held in data.complaints:
            folder = held.complaint.reference
            record = held.complaint.model_dump(
                mode="json",
                include={
                    "reference",
                    "intake",
                    "postal_address",
                    "events",
                    "documents",
                    "letters",
                    "mediation",
                },
            )
            archive.writestr(
                f"{folder}/dossier.json", json.dumps(record, ensure_ascii=False, indent=2)
            )
            for letter in held.letters:
                name = f"{folder}/courriers/{letter.kind}-{letter.sequence}.txt"
                archive.writestr(name, letter.body)
            for number, file in enumerate(held.files, start=1):
                if file.content is not None:
                    archive.writestr(f"{folder}/documents/{number}-{file.name}", file.content)
    return buffer.getvalue()
