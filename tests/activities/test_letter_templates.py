"""Templates the business owns: `complaints letters check` refuses a set that drops a required
clause; `complaints letters preview` shows a letter as its addressee will read it."""

import shutil

import pytest
from pypdf import PdfReader

from reclamations.activities.letters.rendering import TEMPLATES
from reclamations.cli.main import main
from tests.entities import ENTITIES_TOML


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
        ("answer", "{{ mediator.address }}", "answer : il manque l'adresse postale du Médiateur"),
        ("answer", "{{ mediator.name }}", "answer : il manque le nom du Médiateur"),
        (
            "mediation_rights",
            "{{ mediator.website }}",
            "mediation_rights : il manque le site internet du Médiateur",
        ),
        ("answer", "gratuitement ", "answer : il manque la gratuité de la saisine du Médiateur"),
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


@pytest.fixture
def entities_file(tmp_path, monkeypatch):
    """The entities file the settings name, as written by the test."""
    path = tmp_path / "entites.toml"
    monkeypatch.setenv("RECLAMATIONS_ENTITIES_FILE", str(path))

    def written(text):
        path.write_text(text, encoding="utf-8")
        return path

    return written


def check(capsys, templates):
    code = main(["letters", "check", "--templates", str(templates)])
    return code, capsys.readouterr().out


def test_each_entity_is_checked_against_its_own_mediator(capsys, templates, entities_file):
    """A set that writes the insurance mediator's address for everyone serves the insurer, not
    the mutual answering to another mediator (rule 19, Code de la consommation R616-1)."""
    entities_file(ENTITIES_TOML)
    assert check(capsys, templates) == (
        0,
        "Modèles conformes : chaque courrier de chaque entité porte ses mentions obligatoires.\n",
    )
    edit(templates / "answer.txt.j2", "{{ mediator.address }}", "TSA 50110\n75441 Paris Cedex 09")
    code, out = check(capsys, templates)
    assert code == 1
    assert out == (
        "refusé : entité « mutuelle-est », answer : il manque l'adresse postale du Médiateur\n"
    )


@pytest.mark.parametrize(
    ("dropped", "says"),
    [
        (
            'rcs = "RCS Nanterre 000 000 000"\n',
            "entité « mutex », identity.rcs : il manque la mention RCS, la ville du greffe et le "
            "numéro SIREN (Code de commerce R123-237)",
        ),
        (
            'share_capital = "37 302 300 €"\n',
            "entité « mutex », identity.share_capital : il manque le montant du capital social",
        ),
        (
            'siren = "775 000 001"\n',
            "entité « mutuelle-est », identity.siren : il manque le numéro SIREN sous lequel la "
            "mutuelle est immatriculée (Code de la mutualité)",
        ),
        (
            'website = "www.mediateur-mutualite.fr"\n',
            "entité « mutuelle-est », mediator.website : champ obligatoire",
        ),
        (
            'medical_service = "Médecin Conseil de la Mutuelle de l\'Est"\n',
            "entité « mutuelle-est », identity.medical_service : champ obligatoire",
        ),
    ],
)
def test_an_entity_without_what_the_law_requires_is_refused_by_name(
    capsys, templates, entities_file, dropped, says
):
    """Code de commerce R123-237: a société anonyme's letters carry its RCS and share capital;
    a mutual's its SIREN. The check names the entity and the field, and so does every part
    that loads the file."""
    from reclamations.settings import Settings
    from reclamations.wiring import ConfigurationError, entities

    path = entities_file(ENTITIES_TOML.replace(dropped, ""))
    code, out = check(capsys, templates)
    assert code == 1
    assert out.startswith(f"refusé : {path} : {says}"), out
    with pytest.raises(ConfigurationError, match=says.replace("(", r"\(").replace(")", r"\)")):
        entities(Settings())


def test_a_commercial_companys_letters_print_its_rcs_and_share_capital(capsys, tmp_path):
    """The default entity, a société anonyme, as `make run` shows it (R123-237)."""
    output = tmp_path / "accuse.pdf"
    assert main(["letters", "preview", "acknowledgement", "--output", str(output)]) == 0
    text = " ".join(PdfReader(output).pages[0].extract_text().split())
    assert "Société anonyme au capital de 37 302 300 €" in text
    assert "RCS Nanterre 000 000 000" in text


def test_a_mutuals_letters_print_its_siren_and_its_book_of_the_code(
    capsys, tmp_path, entities_file
):
    entities_file(ENTITIES_TOML)
    output = tmp_path / "reponse.pdf"
    preview = ["letters", "preview", "answer", "--entity", "mutuelle-est", "--output", str(output)]
    assert main(preview) == 0
    text = " ".join(PdfReader(output).pages[0].extract_text().split())
    assert (
        "Mutuelle de l'Est, mutuelle soumise aux dispositions du livre II du Code de la mutualité"
        in text
    )
    assert "SIREN 775 000 001" in text and "Le Médiateur de la Mutualité Française" in text
