"""The compliance dashboard's figures (rules 13 and 17), from the register's lines:
counts, the share of each promise kept, the trend by month, the top reasons and products,
"other" when it holds too much, complaints near or past their final deadline. Dates in,
figures out; never content."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from reclamations.domain.complaint import OPEN_STATUSES
from reclamations.domain.register import UNCLASSIFIED, RegisterLine, Share, settled, share_of
from reclamations.domain.typology import OTHER, Typology

NEAR_DEADLINE = 0.8  # an open complaint past 80 % of its time to the final deadline
OTHER_ALERT = 0.10  # "other" above 10 % of a period: the lists miss something


@dataclass(frozen=True)
class Promise:
    label: str
    share: Share


@dataclass(frozen=True)
class Ranked:
    label: str
    count: int
    percent: float


@dataclass(frozen=True)
class Month:
    month: date  # its first day
    received: int
    answered_in_two_months: Share


@dataclass(frozen=True)
class Watched:
    reference: str
    final_due: date
    elapsed_percent: int


@dataclass(frozen=True)
class Dashboard:
    complaints: int
    requalified: int
    open: int
    answered: int
    promises: list[Promise]
    months: list[Month]
    reasons: list[Ranked]
    products: list[Ranked]
    other_alerts: list[str]
    near_deadline: list[Watched]
    overdue: list[Watched]
    # rule 18: referrals to the mediator, by how they stand.
    mediations: list[Ranked]


def _ranked(counts: Counter[str], labels: dict[str, str], total: int) -> list[Ranked]:
    return [
        Ranked(labels.get(code, UNCLASSIFIED), count, round(100 * count / total, 1))
        for code, count in counts.most_common(5)
    ]


def _elapsed(line: RegisterLine, today: date) -> float:
    """The share of its 2 months gone, counted as the law counts them: from the first written
    complaint (rule 7), not from its sending (a complaint forwarded late is near)."""
    if line.final_due is None or line.final_due <= line.written_on:
        return 0.0
    return (today - line.written_on).days / (line.final_due - line.written_on).days


def dashboard(lines: list[RegisterLine], today: date, typology: Typology) -> Dashboard:
    complaints = [line for line in lines if line.is_complaint]
    written = [line for line in complaints if line.written]
    opened = [line for line in complaints if line.status in OPEN_STATUSES]
    total = len(complaints) or 1
    promises = [
        Promise(
            "Accusé de réception sous 10 jours ouvrables",
            share_of(written, lambda x: x.acknowledged_in_time(today)),
        ),
        Promise(
            "Réponse dans l'engagement qualité (15 jours)",
            share_of(written, lambda x: x.kept(x.quality_target_due, today)),
        ),
        Promise(
            "Réponse à la date annoncée", share_of(written, lambda x: x.kept(x.promised_on, today))
        ),
        Promise("Réponse dans les 2 mois", share_of(written, lambda x: x.kept(x.final_due, today))),
    ]
    by_month: dict[date, list[RegisterLine]] = {}
    for line in complaints:
        by_month.setdefault(line.sent_on.replace(day=1), []).append(line)
    months = [
        Month(
            month,
            len(group),
            share_of(group, lambda x: settled(x.final_due, x.first_answered_on, today)),
        )
        for month, group in sorted(by_month.items())
    ]
    reasons = Counter(line.reason or UNCLASSIFIED for line in complaints)
    products = Counter(line.product_line or UNCLASSIFIED for line in complaints)
    alerts = [
        f"« Autre » : {100 * counts[OTHER] / total:.0f} % des {kind} (au-delà de 10 %)"
        for kind, counts in (("motifs", reasons), ("gammes", products))
        if counts[OTHER] / total > OTHER_ALERT
    ]
    watched = [
        Watched(line.reference, line.final_due, round(100 * _elapsed(line, today)))
        for line in opened
        if line.final_due is not None
    ]
    return Dashboard(
        complaints=len(complaints),
        requalified=len(lines) - len(complaints),
        open=len(opened),
        answered=len([line for line in complaints if line.first_answered_on is not None]),
        promises=promises,
        months=months,
        reasons=_ranked(reasons, {k: r.label for k, r in typology.reasons.items()}, total),
        products=_ranked(products, typology.product_lines, total),
        other_alerts=alerts,
        near_deadline=sorted(
            (
                w
                for w in watched
                if w.elapsed_percent >= NEAR_DEADLINE * 100 and not _past(w, today)
            ),
            key=lambda w: w.final_due,
        ),
        overdue=sorted((w for w in watched if _past(w, today)), key=lambda w: w.final_due),
        mediations=[
            Ranked(outcome, count, round(100 * count / total, 1))
            for outcome, count in Counter(
                line.mediation_outcome for line in complaints if line.mediation_outcome
            ).most_common()
        ],
    )


def _past(watched: Watched, today: date) -> bool:
    return watched.final_due < today
