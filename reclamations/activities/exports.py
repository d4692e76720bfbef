"""The register's files (rules 13 and 17): CSV, and an XLSX workbook with the register,
its statistics and the cross-tab the ACPR's questionnaire asks for. Built with openpyxl, the
spreadsheet library of the Python world: real dates and percentages, filters, frozen headers,
columns wide enough to read. Numbers are written the French way ("25,0 %")."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from reclamations.domain.corrective import ACTION_STATUS_LABELS, CorrectiveAction
from reclamations.domain.french import decimal, percent
from reclamations.domain.register import (
    BAND_LABELS,
    OUTCOME_LABELS,
    REGISTER_COLUMNS,
    CrossTab,
    Lists,
    RegisterLine,
    Share,
    Statistics,
    by_category,
    register_rows,
)
from reclamations.domain.typology import Typology

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

STAT_COLUMNS = [
    "catégorie",
    "réclamations",
    "non-réclamations (requalifiées)",
    "accusés de réception dans les 10 jours ouvrables (%)",
    "réponses dans les 15 jours (%)",
    "réponses dans les 2 mois (%)",
    "délai médian de réponse (jours)",
]
CROSS_TAB_COLUMNS = ["gamme", "motif", "issue", "tranche de délai", "réclamations"]
# What a spreadsheet takes for the start of a formula, or a cell breaker (OWASP, "CSV
# injection"): the managing body, a mediator's name, a list's label are typed by people.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
PERCENT_FORMAT = "0.0 %"  # 0.25 shows "25,0 %" where the decimal mark is a comma
DATE_FORMAT = "DD/MM/YYYY"
WIDEST = 60  # characters: past that, a column's text is cut on screen rather than the sheet


def inert(text: str) -> str:
    """OWASP's advice: text that a spreadsheet would run starts with a single quote, so it
    shows as the text it is."""
    return f"'{text}" if text.startswith(FORMULA_TRIGGERS) else text


def cell(value: object, typed: bool) -> object:
    """A row's value as a cell: the one place where the register's rows become cells, for
    the CSV (text, French numbers) and the workbook (`typed`: real dates and numbers). No text
    gets past `inert`."""
    if isinstance(value, str):
        return inert(value)
    if isinstance(value, Share):
        if typed:
            return value.met / value.eligible if value.eligible else None
        return percent(value.percent)
    if not typed and isinstance(value, float | Decimal):
        return decimal(float(value), 2 if isinstance(value, Decimal) else 1)
    return value


def stat_row(row: Statistics) -> list[object]:
    return [
        row.label,
        row.complaints,
        row.not_complaints,
        row.acknowledged_in_time,
        row.answered_within_target,
        row.answered_within_two_months,
        row.median_handling_days,
    ]


def _csv(header: list[str], rows: list[list[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([cell(value, typed=False) for value in row] for row in rows)
    return out.getvalue()


def register_csv(lines: list[RegisterLine], as_of: date, lists: Lists) -> str:
    header = [column.title for column in REGISTER_COLUMNS]
    return _csv(header, register_rows(lines, as_of, lists))


def statistics_csv(lines: list[RegisterLine], as_of: date) -> str:
    return _csv(STAT_COLUMNS, [stat_row(row) for row in by_category(lines, as_of)])


def cross_tab_rows(lines: list[RegisterLine], typology: Typology) -> list[list[object]]:
    products = typology.product_lines
    reasons = {code: reason.label for code, reason in typology.reasons.items()}
    bands = {label: index for index, label in enumerate(BAND_LABELS)}
    counts = CrossTab.of(lines).counts
    ordered = sorted(counts, key=lambda key: (key[0], key[1], key[2], bands.get(key[3], 99)))
    return [
        [
            products.get(product, product),
            reasons.get(reason, reason),
            OUTCOME_LABELS.get(outcome, outcome),
            band,
            counts[(product, reason, outcome, band)],
        ]
        for product, reason, outcome, band in ordered
    ]


def _shown(value: object) -> str:
    """About what a spreadsheet shows of a value, to size its column."""
    if isinstance(value, date):
        return "00/00/0000"
    if isinstance(value, Share):
        return "100,0 %"
    return str(cell(value, typed=False) or "")


def _sheet(sheet: Worksheet, title: str, header: list[str], rows: list[list[object]]) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheet.title = title
    sheet.append(header)
    for heading in sheet[1]:
        heading.font = Font(bold=True)
    for number, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            target = sheet.cell(number, column, cell(value, typed=True))
            if isinstance(value, str):
                target.data_type = "s"  # text, whatever it looks like: never a formula
            elif isinstance(value, Share):
                target.number_format = PERCENT_FORMAT
            elif isinstance(value, date):
                target.number_format = DATE_FORMAT
    sheet.freeze_panes = "A2"
    if rows:
        sheet.auto_filter.ref = sheet.dimensions
    for index, name in enumerate(header):
        texts: Sequence[str] = [name, *(_shown(row[index]) for row in rows)]
        longest = max(len(text) for text in texts)
        sheet.column_dimensions[get_column_letter(index + 1)].width = min(WIDEST, longest + 2)


# issue 29: the corrective actions' sheet, one line per action (never a complaint's content).
ACTION_COLUMNS: list[tuple[str, Callable[[CorrectiveAction, Lists], object]]] = [
    ("identifiant", lambda a, _l: a.ident),
    ("intitulé", lambda a, _l: a.draft.title),
    ("cause racine", lambda a, lists: lists.typology.root_causes.get(a.draft.root_cause)),
    ("responsable", lambda a, _l: a.draft.owner),
    ("ouverte le", lambda a, _l: a.opened_at.date()),
    ("ouverte par", lambda a, _l: a.opened_by),
    ("échéance", lambda a, _l: a.draft.due_on),
    ("statut", lambda a, _l: ACTION_STATUS_LABELS[a.status]),
    ("réalisée le", lambda a, _l: a.done_on),
    ("vérification le", lambda a, _l: a.check_day),
    ("mois comparés", lambda a, _l: a.draft.window_months),
    ("objectif (au plus)", lambda a, _l: a.draft.target),
    ("réclamations avant", lambda a, _l: a.effectiveness.before if a.effectiveness else None),
    ("réclamations après", lambda a, _l: a.effectiveness.after if a.effectiveness else None),
    ("réclamations liées", lambda a, _l: " ".join(a.draft.complaints)),
]


def register_xlsx(
    lines: list[RegisterLine],
    as_of: date,
    lists: Lists,
    period: str,
    actions: Sequence[CorrectiveAction] = (),
) -> bytes:
    """One workbook: the register (one line per complaint, never content), its statistics by
    category, the ACPR cross-tab (product × reason × outcome × delay band) and the corrective
    actions.

    openpyxl (and numpy, which it takes along) is loaded here, on the first workbook: a
    worker writes one a month, and would otherwise carry 28 MB for it (bench/README.md)."""
    from openpyxl import Workbook

    book = Workbook()
    register_sheet = book.active
    assert register_sheet is not None
    _sheet(
        register_sheet,
        "Registre",
        [column.title for column in REGISTER_COLUMNS],
        register_rows(lines, as_of, lists),
    )
    _sheet(
        book.create_sheet(),
        "Statistiques",
        STAT_COLUMNS,
        [stat_row(row) for row in by_category(lines, as_of)],
    )
    _sheet(book.create_sheet(), "ACPR", CROSS_TAB_COLUMNS, cross_tab_rows(lines, lists.typology))
    _sheet(
        book.create_sheet(),
        "Actions correctives",
        [title for title, _ in ACTION_COLUMNS],
        [[value(action, lists) for _, value in ACTION_COLUMNS] for action in actions],
    )
    book.properties.title = f"Registre des réclamations – {period}"
    book.properties.creator = "Réclamations"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
