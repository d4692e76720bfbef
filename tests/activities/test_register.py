"""The register, read back from the database (SQLite and PostgreSQL), and its export."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

from openpyxl import load_workbook

from reclamations.activities.records import RecordActivities
from reclamations.cli.main import main
from reclamations.db.register import register_lines
from reclamations.domain.actions import Answer, Qualify, RequalifyAsRequest
from reclamations.workflows.messages import RecordInput
from tests.activities.conftest import NOW, a_complaint


async def record_three(sessions, keyring):
    record = RecordActivities(sessions, keyring).record
    answered = a_complaint("REC-1", category="benefits")
    typed = {"product_line": "sante", "reason": "prestations", "sub_reason": "delai"}
    answered.apply(Qualify(actor="a", complainant_type="member", **typed), NOW)
    answered.acknowledged_at = NOW
    answer = Answer(
        actor="a",
        decision="upheld",
        reasons="Fait.",
        compensation="35.00",
        root_cause="erreur_gestion",
    )
    answered.apply(answer, NOW + timedelta(days=3))
    # rule 13: the first answer counts from the day its letter left.
    letter = answered.pending_letters[-1]
    answered.letter_sent(letter, "outbox/answer-1.eml", NOW + timedelta(days=3))
    request = a_complaint("REC-2", category="contract")
    request.apply(RequalifyAsRequest(actor="a", note="Demande d'attestation."), NOW)
    waiting = a_complaint("REC-3", sent_on="2026-10-01")
    for complaint in (answered, request, waiting):
        await record(RecordInput(complaint=complaint, events=complaint.events, at=NOW))


async def test_register_lines_come_back_with_local_dates(sessions, keyring):
    await record_three(sessions, keyring)
    lines = {line.reference: line for line in await register_lines(sessions)}
    assert lines["REC-1"].first_answered_on == (NOW + timedelta(days=3)).date()
    assert lines["REC-1"].acknowledged_on == NOW.date()
    assert lines["REC-2"].status == "requalified"
    # rule 17: what it was about and how it ended, read from the complaint's state.
    first = lines["REC-1"]
    assert (first.product_line, first.reason, first.sub_reason) == ("sante", "prestations", "delai")
    assert first.complainant_type == "member" and first.decision == "upheld"
    assert first.compensation == Decimal("35.00") and first.root_cause == "erreur_gestion"
    assert first.promised_on == lines["REC-1"].quality_target_due  # the date announced
    assert first.handling_days == 3 + (NOW.date() - first.sent_on).days
    assert [line.reference for line in await register_lines(sessions, sent_from=NOW.date())] == []


def prepared_database(tmp_path, monkeypatch):
    """A database holding the three complaints, named by the settings."""
    import asyncio

    from reclamations.db.engine import create_engine, session_factory
    from reclamations.db.migrate import upgrade
    from reclamations.security.keyring import Keyring

    url = f"sqlite+aiosqlite:///{tmp_path / 'register.db'}"

    async def prepare():
        engine = create_engine(url)
        await upgrade(engine)
        await record_three(session_factory(engine), Keyring.generate("register"))
        await engine.dispose()

    asyncio.run(prepare())
    monkeypatch.setenv("RECLAMATIONS_DATABASE_URL", url)


def test_the_register_exports_as_csv_with_statistics(tmp_path, monkeypatch, capsys):
    prepared_database(tmp_path, monkeypatch)
    assert main(["register", "--stats", "--as-of", "2027-06-01"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0][0] == "catégorie"
    total = rows[-1]
    assert total[:3] == ["total", "2", "1"]
    assert main(["register", "--from", "2026-11-01"]) == 0
    lines = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [line["référence"] for line in lines] == ["REC-1", "REC-2"]


def test_the_register_as_a_workbook_for_compliance(tmp_path, monkeypatch, capsys):
    prepared_database(tmp_path, monkeypatch)
    output = tmp_path / "registre.xlsx"
    assert (
        main(["register", "--format", "xlsx", "--output", str(output), "--as-of", "2027-06-01"])
        == 0
    )
    book = load_workbook(output)
    assert book.sheetnames == ["Registre", "Statistiques", "ACPR", "Actions correctives"]
    header, *rows = book["Registre"].iter_rows(values_only=True)
    line = dict(zip(header, next(r for r in rows if r[0] == "REC-1"), strict=True))
    assert line["gamme"] == "Complémentaire santé"
    assert line["motif"] == "Prestations et remboursements"
    assert line["sous-motif"] == "délai de règlement"
    assert line["domaine du Médiateur"] == "Prestations"
    assert line["type de réclamant"] == "adhérent ou assuré"
    assert line["issue"] == "favorable"
    assert line["indemnisation (€)"] == 35 and line["cause première"] == "Erreur de gestion"
    assert line["engagement qualité tenu"] == "oui" and line["tranche de délai"]
    assert line["envoyée le"].date() == date(2026, 11, 20)  # a real date cell
    acpr_header, *acpr = book["ACPR"].iter_rows(values_only=True)
    assert acpr_header == ("gamme", "motif", "issue", "tranche de délai", "réclamations")
    counted = {row[:4]: row[4] for row in acpr}
    assert sum(counted.values()) == 2  # the request requalified is not a complaint
    assert (
        counted[
            (
                "Complémentaire santé",
                "Prestations et remboursements",
                line["issue"],
                line["tranche de délai"],
            )
        ]
        == 1
    )


def test_the_register_of_one_entity(tmp_path, monkeypatch, capsys):
    prepared_database(tmp_path, monkeypatch)
    # Complaints recorded without an entity are the default one's (the install's only one).
    assert main(["register", "--entity", "mutex"]) == 0
    assert len(list(csv.DictReader(io.StringIO(capsys.readouterr().out)))) == 3
    assert main(["register", "--entity", "ailleurs"]) == 2
    assert "entité inconnue (connues : mutex)" in capsys.readouterr().err
