"""The register's files (DESIGN rules 13 and 17): CSV, and an XLSX workbook with the register,
its statistics and the cross-tab the ACPR's questionnaire asks for. Built with openpyxl, the
spreadsheet library of the Python world: real dates, filters, frozen headers."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import TYPE_CHECKING

from domain.register import (
    BAND_LABELS,
    OUTCOME_LABELS,
    REGISTER_COLUMNS,
    CrossTab,
    RegisterLine,
    Statistics,
    by_category,
    register_rows,
)
from domain.typology import Typology

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


def stat_row(row: Statistics) -> list[object]:
    return [
        row.label,
        row.complaints,
        row.not_complaints,
        row.acknowledged_in_time.percent,
        row.answered_within_target.percent,
        row.answered_within_two_months.percent,
        row.median_handling_days,
    ]


def register_csv(lines: list[RegisterLine], as_of: date, typology: Typology) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(column.title for column in REGISTER_COLUMNS)
    writer.writerows(
        ["" if value is None else value for value in row]
        for row in register_rows(lines, as_of, typology)
    )
    return out.getvalue()


def statistics_csv(lines: list[RegisterLine], as_of: date) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(STAT_COLUMNS)
    writer.writerows(stat_row(row) for row in by_category(lines, as_of))
    return out.getvalue()


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


def _sheet(sheet: Worksheet, title: str, header: list[str], rows: list[list[object]]) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheet.title = title
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    sheet.freeze_panes = "A2"
    if rows:
        sheet.auto_filter.ref = sheet.dimensions
    for index, name in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, min(40, len(name) + 2))
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, date):
                cell.number_format = "DD/MM/YYYY"


def register_xlsx(lines: list[RegisterLine], as_of: date, typology: Typology, period: str) -> bytes:
    """One workbook: the register (one line per complaint, never content), its statistics by
    category, and the ACPR cross-tab (product × reason × outcome × delay band).

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
        register_rows(lines, as_of, typology),
    )
    _sheet(
        book.create_sheet(),
        "Statistiques",
        STAT_COLUMNS,
        [stat_row(row) for row in by_category(lines, as_of)],
    )
    _sheet(book.create_sheet(), "ACPR", CROSS_TAB_COLUMNS, cross_tab_rows(lines, typology))
    book.properties.title = f"Registre des réclamations – {period}"
    book.properties.creator = "Réclamations"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
