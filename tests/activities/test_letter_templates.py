"""Templates the business owns: `complaints letters check` refuses a set that drops a required
clause; `complaints letters preview` shows a letter as its addressee will read it."""

import shutil

import pytest
from pypdf import PdfReader

from activities.letters.rendering import TEMPLATES
from cli.main import main


@pytest.fixture
def templates(tmp_path):
    """An insurer's own copy of the templates, to edit."""
    folder = tmp_path / "modeles"
    shutil.copytree(TEMPLATES, folder)
    return folder


def edit(path, old, new=""):
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_the_shipped_templates_pass(capsys, templates):
    assert main(["letters", "check", "--templates", str(templates)]) == 0
    assert "Modèles conformes" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("template", "dropped", "says"),
    [
        ("answer", "{{ mediator.address }}", "answer : il manque le nom et l'adresse du Médiateur"),
        (
            "mediation_rights",
            "dans un délai d'un an à compter de votre réclamation écrite auprès de nos services",
            "mediation_rights : il manque le délai d'un an",
        ),
        ("answer", "{{ facts.reasons }}", "answer : il manque les motifs de la réponse"),
        ("information", "{{ expected_on }}", "information : il manque la nouvelle date"),
        ("information", "{{ facts.reason }}", "information : il manque la raison du retard"),
        (
            "answer",
            "qu'elle soit réexaminée par le {{ insurer.service }}",
            "answer : il manque le réexamen par le Service Qualité",
        ),
    ],
)
def test_a_set_without_a_required_clause_is_refused(capsys, templates, template, dropped, says):
    edit(templates / f"{template}.txt.j2", dropped)
    assert main(["letters", "check", "--templates", str(templates)]) == 1
    assert says in capsys.readouterr().out


def test_a_template_that_does_not_render_is_refused(capsys, templates):
    edit(templates / "acknowledgement.txt.j2", "{{ reference }}", "{{ reference.nope.nope }}")
    assert main(["letters", "check", "--templates", str(templates)]) == 1
    assert "acknowledgement : le modèle ne se rend pas" in capsys.readouterr().out


def test_a_preview_is_the_letter_as_printed(capsys, tmp_path):
    output = tmp_path / "reponse.pdf"
    assert main(["letters", "preview", "answer", "--output", str(output)]) == 0
    text = " ".join(PdfReader(output).pages[0].extract_text().split())
    assert "Objet : Réponse" in text.replace("\u00a0", " ")
    assert "69003 LYON" in text and "La Médiation de l'Assurance" in text
