"""`complaints simulate`: a complaint's whole life in seconds, from a scenario file."""

import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from reclamations.cli.simulate import ScenarioError, load_scenario
from reclamations.domain.calendar import timezone_of
from reclamations.domain.clock import local_date
from reclamations.domain.deadlines import add_months
from tests.entities import ENTITIES_TOML

ROOT = Path(__file__).parents[1]
COMPLAINTS = Path(sys.executable).parent / "complaints"
SCENARIOS = sorted((ROOT / "examples" / "scenarios").glob("*.json"))


def simulate(*args, env=None):
    return subprocess.run(
        [str(COMPLAINTS), "simulate", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def scenario(tmp_path, **changes):
    data = {
        "intake": {
            "reference": "REC-2026-555555",
            "channel": "email",
            "sent_on": date.today().isoformat(),
            "complainant": {"name": "Hélène Garnier", "email": "helene@example.fr"},
            "subject": "Remboursement refusé",
            "description": "Refus sans explication.",
        },
        "actions": [
            {"day": 3, "action": "qualify"},
            {"day": 5, "action": "suspend", "reason": "medical_expertise"},
            {"day": 12, "action": "resume"},
            {"day": 20, "action": "answer", "decision": "rejected", "reasons": "Soin exclu."},
            {"day": 21, "action": "resume"},
        ],
        "until_day": 70,
    }
    data.update(changes)
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(data))
    return path


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.name)
def test_example_scenarios_are_valid(path):
    assert load_scenario(path.read_text()).actions


def test_a_scenario_runs_to_its_timeline_in_json(tmp_path):
    result = simulate(scenario(tmp_path), "--json")
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)
    assert output["reference"] == "REC-2026-555555"
    assert output["status"] == "answered"
    assert set(output["deadlines"]) == {"acknowledgement_due", "quality_target_due", "final_due"}
    # Seven days suspended move the quality target to day 22, but the acknowledgement had
    # announced day 15: the complainant hears why on that day (rule 6).
    assert [(letter["kind"], letter["channel"]) for letter in output["letters"]] == [
        ("acknowledgement", "email"),
        ("information", "email"),
        ("answer", "email"),
    ]
    types = [event["type"] for event in output["events"]]
    assert types[:2] == ["registered", "qualified"]
    assert {"suspended", "resumed", "answered", "letter_sent"} <= set(types)
    assert all(event["actor"] for event in output["events"])
    assert output["refused_actions"] == ["resume refusé : La réclamation n'est pas suspendue."]


def test_the_readable_timeline_is_french_and_can_show_the_letters(tmp_path):
    result = simulate(scenario(tmp_path), "--letters")
    assert result.returncode == 0, result.stderr
    assert "Suspendue pour expertise médicale" in result.stdout
    assert "Courriers reçus par le réclamant" in result.stdout
    assert "La Médiation de l'Assurance" in result.stdout  # in the answer's text


def test_a_bad_scenario_is_refused_in_one_line(tmp_path):
    path = scenario(tmp_path, actions=[{"day": 1, "action": "sing"}])
    result = simulate(path)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "sing" in result.stderr


def test_an_invalid_action_field_is_named(tmp_path):
    with pytest.raises(ScenarioError, match="decision"):
        load_scenario(
            json.dumps({"intake": {}, "actions": [{"day": 1, "action": "answer", "reasons": "x"}]})
        )


def test_a_life_answered_in_time_then_contested_late_brings_no_false_letter():
    # rules 3 and 9: sent yesterday at 21:30 in Martinique (already today in Paris):
    # dated yesterday; answered in time, contested after the 2 months: no letter saying that
    # no answer went out.
    sent = local_date(datetime.now(UTC), timezone_of("972")) - timedelta(days=1)
    result = simulate(
        ROOT / "examples" / "scenarios" / "contest_after_timely_answer.json", "--json"
    )
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)
    assert output["deadlines"]["final_due"] == add_months(sent, 2).isoformat()
    assert output["status"] == "contested"
    assert [letter["kind"] for letter in output["letters"]] == ["acknowledgement", "answer"]


def test_a_simulation_is_wired_like_production(tmp_path):
    """The entities file, the typology and the templates of the settings apply to a simulated
    life as to a real one: a second entity's complaint registers and its letters are its own."""
    entities, lists = tmp_path / "entites.toml", tmp_path / "typologie.toml"
    entities.write_text(ENTITIES_TOML, encoding="utf-8")
    lists.write_text(
        '[product_lines]\nsante = "Santé collective"\n'
        '[reasons.prestations]\nlabel = "Prestations"\nmediator_domain = "Prestations"\n'
        'sub_reasons = { delai = "délai de règlement" }\n'
        '[root_causes]\nerreur = "Erreur de gestion"\n',
        encoding="utf-8",
    )
    intake = json.loads(scenario(tmp_path).read_text())["intake"] | {"entity": "mutuelle-est"}
    path = scenario(
        tmp_path,
        intake=intake,
        actions=[
            {"day": 1, "action": "qualify", "product_line": "sante", "reason": "prestations"},
            {"day": 4, "action": "answer", "decision": "rejected", "reasons": "Soin exclu."},
        ],
        until_day=10,
    )
    production = tmp_path / "production.db"
    settings = {
        "RECLAMATIONS_ENTITIES_FILE": str(entities),
        "RECLAMATIONS_TYPOLOGY_FILE": str(lists),
        # Where production keeps and sends things: never touched by a simulation.
        "RECLAMATIONS_DATABASE_URL": f"sqlite+aiosqlite:///{production}",
        "RECLAMATIONS_SMTP_HOST": "127.0.0.1",
        "RECLAMATIONS_SMTP_PORT": "9",
    }
    result = simulate(path, "--json", "--letters", env=settings)
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)
    assert output["refused_actions"] == []
    letters = output["letter_texts"]
    assert set(letters) == {"acknowledgement-1", "answer-1"}
    for text in letters.values():
        assert text.startswith("Mutuelle de l'Est\nPôle Écoute Adhérents") and "MUTEX" not in text
    assert "Le Médiateur de la Mutualité Française" in letters["answer-1"]
    assert "Médiation de l'Assurance" not in letters["answer-1"]
    assert not production.exists()
