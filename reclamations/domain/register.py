"""The complaint register and its deadline statistics (rule 13), for compliance exports
such as the ACPR questionnaire and internal quality reviews. Dates in, figures out."""

from __future__ import annotations

import statistics as stats
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from reclamations.domain.actions import DECISION_LABELS
from reclamations.domain.complaint import STATUS_LABELS
from reclamations.domain.deadlines import DeadlineKind
from reclamations.domain.entities import Entities
from reclamations.domain.intake import CATEGORY_LABELS, CHANNEL_LABELS, Category
from reclamations.domain.typology import COMPLAINANT_TYPE_LABELS, Typology

REQUALIFIED = "requalified"
# How long complaints wait for their first answer, as the ACPR's questionnaire counts them.
DELAY_BANDS: list[tuple[int | None, str]] = [
    (15, "15 jours ou moins"),
    (30, "16 à 30 jours"),
    (60, "31 à 60 jours"),
    (None, "plus de 60 jours"),
]
NO_ANSWER = "sans réponse"
BAND_LABELS = [label for _, label in DELAY_BANDS] + [NO_ANSWER]


@dataclass(frozen=True)
class RegisterLine:
    """One complaint as the register sees it: no content, only dates and outcomes."""

    reference: str
    channel: str
    category: str | None
    status: str
    medical: bool
    sent_on: date
    acknowledgement_due: date | None  # None for oral complaints
    quality_target_due: date | None
    final_due: date | None
    acknowledged_on: date | None
    first_answered_on: date | None
    overdue: bool
    entity: str | None = None  # rule 19; none: registered before entities
    # rule 17: what it is about, and how it ended.
    product_line: str | None = None
    reason: str | None = None
    sub_reason: str | None = None
    complainant_type: str | None = None
    managing_body: str | None = None
    decision: str | None = None
    compensation: Decimal | None = None
    root_cause: str | None = None
    promised_on: date | None = None  # the last date announced to the complainant (rule 6)
    # rule 18: the referral to the mediator, if any, and how it stands.
    mediation_referred_on: date | None = None
    mediator: str | None = None
    mediation_outcome: str | None = None
    # rule 3: the first written expression of dissatisfaction, to any of our services or
    # the managing body; none: the sending (registered before it was on the record).
    first_written_on: date | None = None

    @property
    def is_complaint(self) -> bool:
        return self.status != REQUALIFIED

    @property
    def written_on(self) -> date:
        return self.first_written_on or self.sent_on

    @property
    def handling_days(self) -> int | None:
        """Calendar days from the first written complaint to the first answer: what the law's
        2 months count (rule 7), so the two columns never contradict each other."""
        if self.first_answered_on is None:
            return None
        return (self.first_answered_on - self.written_on).days

    @property
    def delay_band(self) -> str:
        days = self.handling_days
        if days is None:
            return NO_ANSWER
        return next(label for most, label in DELAY_BANDS if most is None or days <= most)

    def kept(self, due: date | None, as_of: date) -> bool | None:
        """Whether the answer came by `due`; None while that is not known yet (or no date)."""
        return settled(due, self.first_answered_on, as_of)

    def acknowledged_in_time(self, as_of: date) -> bool | None:
        """rule 4: an answer that went out first stands for the acknowledgement."""
        done = _with_acknowledgement_or_answer(self).acknowledged_on
        return settled(self.acknowledgement_due, done, as_of)

    def standings(self, as_of: date) -> dict[DeadlineKind, Standing]:
        """Each promise of a written complaint as the register judges it, for the agents'
        screens: one rule (`settled`), so a page never says "sent" where the register says
        "missed". Nothing for a requalified or an oral one: no promise runs."""
        if not (self.is_complaint and self.written):
            return {}
        answered = self.first_answered_on
        promises = {
            DeadlineKind.acknowledgement: (
                self.acknowledgement_due,
                _with_acknowledgement_or_answer(self).acknowledged_on,
            ),
            DeadlineKind.quality_target: (self.quality_target_due, answered),
            DeadlineKind.promise: (self.promised_on, answered),
            DeadlineKind.final: (self.final_due, answered),
        }
        return {
            kind: Standing(kind, due, done, settled(due, done, as_of))
            for kind, (due, done) in promises.items()
            if due is not None
        }

    @property
    def written(self) -> bool:
        return self.acknowledgement_due is not None


@dataclass(frozen=True)
class Standing:
    """One promise: its day, the day what it asked for was done, and whether it was kept
    (None while not known yet)."""

    kind: DeadlineKind
    due: date
    done_on: date | None
    kept: bool | None

    @property
    def days_late(self) -> int:
        """How many days after its day it was done; 0 when on time or not done yet."""
        if self.done_on is None or self.kept is not False:
            return 0
        return (self.done_on - self.due).days


def settled(due: date | None, done: date | None, as_of: date) -> bool | None:
    if due is None:
        return None
    if done is not None:
        return done <= due
    return False if due < as_of else None


@dataclass(frozen=True)
class Share:
    met: int
    eligible: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.met / self.eligible, 1) if self.eligible else None


@dataclass(frozen=True)
class Statistics:
    label: str
    complaints: int
    not_complaints: int
    acknowledged_in_time: Share
    answered_within_target: Share
    answered_within_two_months: Share
    median_handling_days: float | None


def share_of(lines: Iterable[RegisterLine], kept: Callable[[RegisterLine], bool | None]) -> Share:
    """Among the lines whose promise is settled (kept, or its day has passed), how many kept
    it: `kept` says True, False, or None while it is not known."""
    outcomes = [kept(line) for line in lines]
    return Share(outcomes.count(True), outcomes.count(True) + outcomes.count(False))


def _kept(lines: list[RegisterLine], due_of: str, done_of: str, as_of: date) -> Share:
    return share_of(
        lines, lambda line: settled(getattr(line, due_of), getattr(line, done_of), as_of)
    )


def statistics(lines: Iterable[RegisterLine], as_of: date, label: str) -> Statistics:
    everything = list(lines)
    complaints = [line for line in everything if line.is_complaint and line.written]
    # rule 4: an answer that went out first stands for the acknowledgement.
    acknowledged = [_with_acknowledgement_or_answer(line) for line in complaints]
    handling = [line.handling_days for line in complaints if line.handling_days is not None]
    return Statistics(
        label=label,
        complaints=len([line for line in everything if line.is_complaint]),
        not_complaints=len([line for line in everything if not line.is_complaint]),
        acknowledged_in_time=_kept(acknowledged, "acknowledgement_due", "acknowledged_on", as_of),
        answered_within_target=_kept(complaints, "quality_target_due", "first_answered_on", as_of),
        answered_within_two_months=_kept(complaints, "final_due", "first_answered_on", as_of),
        median_handling_days=float(stats.median(handling)) if handling else None,
    )


def _with_acknowledgement_or_answer(line: RegisterLine) -> RegisterLine:
    firsts = [d for d in (line.acknowledged_on, line.first_answered_on) if d is not None]
    return replace(line, acknowledged_on=min(firsts)) if firsts else line


def by_category(lines: Iterable[RegisterLine], as_of: date) -> list[Statistics]:
    """One row per category that has complaints, then the total."""
    everything = list(lines)
    rows = []
    for category in [*Category, None]:
        group = [line for line in everything if line.category == (category and category.value)]
        if group:
            label = CATEGORY_LABELS[category] if category else "non classée"
            rows.append(statistics(group, as_of, label))
    rows.append(statistics(everything, as_of, "total"))
    return rows


@dataclass(frozen=True)
class CrossTab:
    """Complaints counted by product × reason × outcome × delay band: the shape of the ACPR's
    annual questionnaire on customer protection."""

    counts: dict[tuple[str, str, str, str], int]

    @classmethod
    def of(cls, lines: Iterable[RegisterLine]) -> CrossTab:
        counts: dict[tuple[str, str, str, str], int] = {}
        for line in lines:
            if not line.is_complaint:
                continue
            key = (
                line.product_line or UNCLASSIFIED,
                line.reason or UNCLASSIFIED,
                line.decision or NO_ANSWER,
                line.delay_band,
            )
            counts[key] = counts.get(key, 0) + 1
        return cls(counts)


UNCLASSIFIED = "non renseigné"


OUTCOME_LABELS = {decision.value: label for decision, label in DECISION_LABELS.items()}
CHANNELS = {channel.value: label for channel, label in CHANNEL_LABELS.items()}
CATEGORIES = {category.value: label for category, label in CATEGORY_LABELS.items()}
STATUSES = {status.value: label for status, label in STATUS_LABELS.items()}
COMPLAINANT_TYPES = {kind.value: label for kind, label in COMPLAINANT_TYPE_LABELS.items()}
# Under the deadlines of what has none: a request requalified (rule 1), an oral
# complaint (rule 2). "non" would count as a promise broken.
NOT_APPLICABLE = "sans objet"


@dataclass(frozen=True)
class Lists:
    """The insurer's lists the register's words come from: its typology and its entities."""

    typology: Typology
    entities: Entities

    def entity_name(self, code: str | None) -> str:
        """rule 19: complaints registered before entities are the first one's."""
        entity = self.entities.get(code)
        return entity.identity.name if entity else code or ""


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("oui" if value else "non")


def _label(labels: dict[str, str], code: str | None) -> str:
    return "" if code is None else labels.get(code, code)


@dataclass(frozen=True)
class Column:
    title: str
    value: Callable[[RegisterLine, date, Lists], object]


def _sub_reason(line: RegisterLine, typology: Typology) -> str:
    reason = typology.reasons.get(line.reason or "")
    return _label(reason.sub_reasons if reason else {}, line.sub_reason)


def _deadline(kept: Callable[[RegisterLine, date], bool | None]) -> Callable[..., str]:
    """A deadline's column: kept or not, blank while not known, "sans objet" where the
    deadlines do not run."""

    def value(line: RegisterLine, as_of: date, _lists: Lists) -> str:
        if not (line.is_complaint and line.written):
            return NOT_APPLICABLE
        return _yes_no(kept(line, as_of))

    return value


# The register's columns, declared once: the CSV, the XLSX and the monthly files walk them.
# Never any content: dates, codes' labels, outcomes.
REGISTER_COLUMNS = [
    Column("référence", lambda line, _d, _t: line.reference),
    Column("entité", lambda line, _d, lists: lists.entity_name(line.entity)),
    Column("canal", lambda line, _d, _t: _label(CHANNELS, line.channel)),
    Column("catégorie", lambda line, _d, _t: _label(CATEGORIES, line.category)),
    Column("statut", lambda line, _d, _t: _label(STATUSES, line.status)),
    Column("médicale", lambda line, _d, _t: _yes_no(line.medical)),
    Column(
        "gamme", lambda line, _d, lists: _label(lists.typology.product_lines, line.product_line)
    ),
    Column(
        "motif",
        lambda line, _d, lists: _label(
            {k: r.label for k, r in lists.typology.reasons.items()}, line.reason
        ),
    ),
    Column("sous-motif", lambda line, _d, lists: _sub_reason(line, lists.typology)),
    Column(
        "domaine du Médiateur",
        lambda line, _d, lists: (
            lists.typology.reasons[line.reason].mediator_domain
            if line.reason in lists.typology.reasons
            else ""
        ),
    ),
    Column(
        "type de réclamant", lambda line, _d, _t: _label(COMPLAINANT_TYPES, line.complainant_type)
    ),
    Column("organisme gestionnaire", lambda line, _d, _t: line.managing_body or ""),
    Column("envoyée le", lambda line, _d, _t: line.sent_on),
    Column("première réclamation écrite le", lambda line, _d, _t: line.written_on),
    Column("accusé de réception dû le", lambda line, _d, _t: line.acknowledgement_due),
    Column("accusé de réception le", lambda line, _d, _t: line.acknowledged_on),
    Column("engagement qualité le", lambda line, _d, _t: line.quality_target_due),
    Column("date annoncée", lambda line, _d, _t: line.promised_on),
    Column("délai maximal le", lambda line, _d, _t: line.final_due),
    Column("première réponse le", lambda line, _d, _t: line.first_answered_on),
    Column("délai de réponse (jours)", lambda line, _d, _t: line.handling_days),
    Column("tranche de délai", lambda line, _d, _t: line.delay_band),
    Column("accusé de réception à temps", _deadline(lambda line, d: line.acknowledged_in_time(d))),
    Column(
        "engagement qualité tenu", _deadline(lambda line, d: line.kept(line.quality_target_due, d))
    ),
    Column("date annoncée tenue", _deadline(lambda line, d: line.kept(line.promised_on, d))),
    Column("délai de 2 mois tenu", _deadline(lambda line, d: line.kept(line.final_due, d))),
    Column("issue", lambda line, _d, _t: _label(OUTCOME_LABELS, line.decision)),
    Column("indemnisation (€)", lambda line, _d, _t: line.compensation),
    Column(
        "cause première",
        lambda line, _d, lists: _label(lists.typology.root_causes, line.root_cause),
    ),
    Column("Médiateur saisi le", lambda line, _d, _t: line.mediation_referred_on),
    Column("Médiateur", lambda line, _d, _t: line.mediator or ""),
    Column("issue de la médiation", lambda line, _d, _t: line.mediation_outcome or ""),
]


def register_rows(lines: Iterable[RegisterLine], as_of: date, lists: Lists) -> list[list[object]]:
    return [[column.value(line, as_of, lists) for column in REGISTER_COLUMNS] for line in lines]


def previous_month(day: date) -> tuple[date, date]:
    """The first and last days of the month before `day`'s: what the register of the 1st
    covers."""
    last = day.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last
