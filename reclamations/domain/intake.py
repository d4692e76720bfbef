"""The complaint as back-office systems send it: the public intake contract.

Field names are a public contract: add fields freely, rename none.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import (
    AwareDatetime,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    field_validator,
)
from pydantic_core import PydanticCustomError

from reclamations.domain.calendar import CalendarName, timezone_of
from reclamations.domain.content import (
    FROM_OUTSIDE,
    EmailAddress,
    FromOutside,
    LongContent,
    MemberNumber,
    Name,
    PostalAddress,
    ShortContent,
)

MAX_DOCUMENTS = 100

REFERENCE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{2,39}$"


class Channel(StrEnum):
    web_form = "web_form"
    email = "email"
    post = "post"
    managing_body = "managing_body"
    phone = "phone"
    counter = "counter"


# rule 2: the deadlines run for written complaints only.
WRITTEN_CHANNELS = frozenset({Channel.web_form, Channel.email, Channel.post, Channel.managing_body})
# Letters go by email only to people who wrote to us electronically (rule 11 aside).
ELECTRONIC_CHANNELS = frozenset({Channel.web_form, Channel.email})

CHANNEL_LABELS = {
    Channel.web_form: "formulaire web",
    Channel.email: "courriel",
    Channel.post: "courrier postal",
    Channel.managing_body: "organisme gestionnaire",
    Channel.phone: "téléphone",
    Channel.counter: "accueil",
}


# How a letter says the complaint reached us: "… le 3 mars, par courriel, …".
CHANNEL_PHRASES = {
    Channel.web_form: "par notre formulaire en ligne",
    Channel.email: "par courriel",
    Channel.post: "par courrier",
    Channel.managing_body: "par l'intermédiaire de votre organisme gestionnaire",
    Channel.phone: "par téléphone",
    Channel.counter: "à notre accueil",
}


class Category(StrEnum):
    contract = "contract"
    contributions = "contributions"
    termination = "termination"
    benefits = "benefits"
    service_quality = "service_quality"
    other = "other"


CATEGORY_LABELS = {
    Category.contract: "contrat",
    Category.contributions: "cotisations",
    Category.termination: "résiliation",
    Category.benefits: "prestations",
    Category.service_quality: "qualité de service",
    Category.other: "autre",
}


class DocumentKind(StrEnum):
    complaint_scan = "complaint_scan"
    previous_answer = "previous_answer"
    supporting_document = "supporting_document"
    other = "other"


DOCUMENT_KIND_LABELS = {
    DocumentKind.complaint_scan: "courrier de réclamation (scan)",
    DocumentKind.previous_answer: "réponse écrite antérieure",
    DocumentKind.supporting_document: "pièce justificative",
    DocumentKind.other: "autre document",
}

# The intake's fields as people read them, by dotted path without list positions: the mail
# room's form and its error summary. Declared once; a test walks the model so that no field
# goes without one.
FIELD_LABELS = {
    "reference": "Référence",
    "channel": "Canal",
    "entity": "Entité",
    "calendar": "Calendrier de l'équipe",
    "sent_on": "Envoyée le",
    "first_written_on": "Première réclamation écrite le",
    "received_on": "Reçue le",
    "complainant": "Réclamant",
    "complainant.name": "Nom du réclamant",
    "complainant.email": "Courriel",
    "complainant.postal_address": "Adresse postale",
    "complainant.member_number": "N° d'adhérent",
    "subject": "Objet",
    "description": "Texte",
    "category": "Catégorie",
    "medical": "Informations médicales",
    "documents": "Documents",
    "documents.name": "Nom du document",
    "documents.kind": "Nature du document",
    # The files that come with an intake (the service names them "file", "fichier 2").
    "file": "Fichier",
    "files": "Fichiers",
}


def field_label(field: str) -> str:
    """The French label of a field named by its dotted path ("documents.1.name": "Nom du
    document 2"); a name without a label (already French: "fichier 2") is its own."""
    parts = field.split(".")
    label = FIELD_LABELS.get(".".join(p for p in parts if not p.isdigit()), field)
    positions = [str(int(p) + 1) for p in parts if p.isdigit()]
    return " ".join([label, *positions])


def _one_sending_error(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    # A date or an aware datetime: report one plain error, not one per alternative.
    try:
        return handler(value)
    except ValidationError as exc:
        if any(e["type"] == "timezone_aware" for e in exc.errors()):
            raise PydanticCustomError(
                "sending_time",
                "l'heure doit préciser son fuseau (ex. 2026-12-24T10:30:00+01:00)",
            ) from None
        raise PydanticCustomError(
            "sending_time",
            "date invalide (format attendu AAAA-MM-JJ, ou date et heure ISO 8601 avec fuseau)",
        ) from None


SendingTime = Annotated[AwareDatetime | date, WrapValidator(_one_sending_error)]


class _Strict(FromOutside):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class Document(_Strict):
    name: ShortContent
    kind: DocumentKind = DocumentKind.other


class Complainant(_Strict):
    """Whoever complains: no contract is needed (rule 1)."""

    name: Name
    email: EmailAddress | None = None
    postal_address: PostalAddress | None = None
    member_number: MemberNumber | None = None


class ComplaintIntake(_Strict):
    """A complaint as registered by a back-office system, the mail room or an agent.

    Validate it with `parse_intake` at the edge: the checks against today's date need the
    caller's clock, which this pure model does not have.
    """

    reference: Annotated[str, Field(pattern=REFERENCE_PATTERN)] | None = None
    channel: Channel
    # rule 19: the insurer or mutual the complaint is addressed to (its code); the
    # install's first entity when left out.
    entity: Annotated[str, Field(min_length=1, max_length=40)] | None = None
    # Declared before the dates: their checks against "today" need the team's time zone.
    calendar: CalendarName = "national"
    sent_on: SendingTime
    first_written_on: date | None = None
    received_on: date | None = None
    complainant: Complainant
    subject: ShortContent
    description: LongContent
    category: Category | None = None
    medical: bool = False
    documents: Annotated[list[Document], Field(max_length=MAX_DOCUMENTS)] = Field(
        default_factory=list
    )

    @property
    def is_written(self) -> bool:
        return self.channel in WRITTEN_CHANNELS

    @property
    def timezone(self) -> str:
        return timezone_of(self.calendar)

    @property
    def sent_date(self) -> date:
        """rule 3: the day the complaint was sent (the earlier of its two local days)."""
        if isinstance(self.sent_on, datetime):
            return dated(self.sent_on, self.timezone)
        return self.sent_on

    @property
    def first_written_date(self) -> date:
        """rule 3: defaults to the sending date, can be earlier."""
        return self.first_written_on or self.sent_date

    # Each check is a field validator, so that every problem is reported at once.

    @field_validator("sent_on")
    @classmethod
    def _sent_in_the_past(cls, value: date, info: ValidationInfo) -> date:
        day = _local_day(value, info)
        _plausible("sent_on", day)
        today = _today_from(info)
        if today is not None and day > today:
            raise _problem("sent_on", "la date d'envoi ne peut pas être dans le futur")
        if today is not None and (today - day).days > MAX_AGE_DAYS:
            raise _problem(
                "sent_on", "la date d'envoi a plus de 3 ans : vérifiez-la (cachet de la poste)"
            )
        return value

    @field_validator("first_written_on")
    @classmethod
    def _first_written_not_after_sending(
        cls, value: date | None, info: ValidationInfo
    ) -> date | None:
        if value is not None:
            _plausible("first_written_on", value)
        sent = info.data.get("sent_on")
        if value is not None and sent is not None and value > _local_day(sent, info):
            raise _problem(
                "first_written_on",
                "la première réclamation écrite ne peut pas être postérieure à la date d'envoi "
                "(sent_on)",
            )
        return value

    @field_validator("received_on")
    @classmethod
    def _received_between_sending_and_today(
        cls, value: date | None, info: ValidationInfo
    ) -> date | None:
        if value is None:
            return value
        _plausible("received_on", value)
        today = _today_from(info)
        if today is not None and value > today:
            raise _problem("received_on", "la date de réception ne peut pas être dans le futur")
        sent = info.data.get("sent_on")
        if sent is not None and value < _local_day(sent, info):
            raise _problem(
                "received_on", "la date de réception ne peut pas précéder la date d'envoi (sent_on)"
            )
        return value

    @field_validator("complainant")
    @classmethod
    def _reachable(cls, value: Complainant, info: ValidationInfo) -> Complainant:
        channel = info.data.get("channel")
        if channel is Channel.post and not value.postal_address:
            raise _problem(
                "complainant.postal_address", "obligatoire pour une réclamation reçue par courrier"
            )
        if channel is Channel.email and not value.email:
            raise _problem(
                "complainant.email", "obligatoire pour une réclamation reçue par courriel"
            )
        if not (value.email or value.postal_address):
            raise _problem(
                "complainant", "une adresse électronique ou postale est nécessaire pour répondre"
            )
        return value


# Dates outside these bounds are typing mistakes, and deadlines computed from them would not
# fit the calendars and indexes downstream.
EARLIEST = date(2000, 1, 1)
LATEST = date(2099, 12, 31)
MAX_AGE_DAYS = 3 * 366


def _plausible(field: str, day: date) -> None:
    if not EARLIEST <= day <= LATEST:
        raise _problem(field, f"date invraisemblable ({day.isoformat()}) : vérifiez l'année")


def _problem(field: str, message: str) -> PydanticCustomError:
    """An error on `field` (a dotted path), whichever validator finds it."""
    return PydanticCustomError("intake_problem", message, {"field": field})


def dated(sent: datetime, timezone: str) -> date:
    """rule 3: a date-time is dated at the earlier of the sender's own day (its offset)
    and the handling team's day: a letter posted on the 24th abroad is "du 24"."""
    return min(sent.date(), sent.astimezone(ZoneInfo(timezone)).date())


def _local_day(value: date, info: ValidationInfo) -> date:
    if isinstance(value, datetime):
        zone = ZoneInfo(timezone_of(str(info.data.get("calendar", ""))))
        try:
            return dated(value, zone.key)
        except OverflowError:
            raise _problem("sent_on", "date invraisemblable : vérifiez l'année") from None
    return value


def _today_from(info: ValidationInfo) -> date | None:
    context: Any = info.context
    if isinstance(context, dict) and isinstance(context.get("today"), date):
        today: date = context["today"]
        return today
    return None


def parse_intake(data: Any, today: date) -> ComplaintIntake:
    """Validate an intake from outside (JSON-like data), with `today` for the checks against
    the future. Content that looks sealed is refused (rule 11)."""
    return ComplaintIntake.model_validate(data, context={"today": today, FROM_OUTSIDE: True})


def parse_intake_json(text: str | bytes, today: date) -> ComplaintIntake:
    return ComplaintIntake.model_validate_json(text, context={"today": today, FROM_OUTSIDE: True})
