"""The insurer's closed lists (rule 17) from a TOML file: taken as written, or refused
with one clear line per bad field. And how settings shape a worker: the sandbox, its activity
slots, what it loads at start."""

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio.worker import UnsandboxedWorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

from reclamations.security.keyring import Keyring
from reclamations.settings import Settings
from reclamations.wiring import ConfigurationError, complaint_worker, typology
from reclamations.workflows.sandbox import workflow_runner
from tests.conftest import make_settings, process_env

LISTS = """
[product_lines]
sante = "Santé collective"

[reasons.prestations]
label = "Prestations"
mediator_domain = "Prestations"
sub_reasons = { delai = "délai de règlement" }

[root_causes]
erreur = "Erreur de gestion"
"""


def test_the_lists_come_from_the_file_the_settings_name(tmp_path):
    path = tmp_path / "typologie.toml"
    path.write_text(LISTS, encoding="utf-8")
    lists = typology(Settings(typology_file=path))
    assert lists.product_lines == {"sante": "Santé collective"}
    assert lists.reasons["prestations"].sub_reasons == {"delai": "délai de règlement"}


def test_a_bad_file_is_refused_field_by_field(tmp_path):
    path = tmp_path / "typologie.toml"
    path.write_text(
        LISTS.replace('mediator_domain = "Prestations"\n', "").replace(
            'erreur = "Erreur de gestion"', ""
        ),
        encoding="utf-8",
    )
    with pytest.raises(ConfigurationError) as refused:
        typology(Settings(typology_file=path))
    lines = str(refused.value).splitlines()
    assert len(lines) == 2
    assert any("reasons.prestations.mediator_domain" in line for line in lines)
    assert any("root_causes" in line for line in lines)


def test_an_unreadable_file_says_so(tmp_path):
    path = tmp_path / "typologie.toml"
    path.write_text("[product_lines\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="illisible"):
        typology(Settings(typology_file=path))


def test_the_entities_come_from_their_file_and_each_code_once(tmp_path):
    from reclamations.wiring import entities
    from tests.entities import ENTITIES_TOML

    path = tmp_path / "entites.toml"
    path.write_text(ENTITIES_TOML, encoding="utf-8")
    served = entities(Settings(entities_file=path))
    assert [e.code for e in served.entities] == ["mutex", "mutuelle-est"]
    assert served.default.code == "mutex"
    path.write_text(ENTITIES_TOML.replace('"mutuelle-est"', '"mutex"'), encoding="utf-8")
    with pytest.raises(ConfigurationError, match="codes en double : mutex"):
        entities(Settings(entities_file=path))


def test_without_a_file_the_settings_insurer_is_the_only_entity():
    from reclamations.wiring import entities

    [only] = entities(Settings()).entities
    assert only.identity.name == "MUTEX" and only.mediator.name == "La Médiation de l'Assurance"


def test_the_settings_insurer_takes_each_field_given_and_keeps_the_others(monkeypatch):
    """RECLAMATIONS_INSURER__RCS=... sets the insurer's own RCS; the rest of the identity stays;
    a legal form the law asks more of is refused without it, naming the setting."""
    from reclamations.wiring import entities

    monkeypatch.setenv("RECLAMATIONS_INSURER__RCS", "RCS Nanterre 123 456 789")
    [only] = entities(Settings(_env_file=None)).entities
    assert only.identity.rcs == "RCS Nanterre 123 456 789" and only.identity.name == "MUTEX"
    monkeypatch.setenv("RECLAMATIONS_INSURER__LEGAL_FORM", "Mutuelle")
    with pytest.raises(ConfigurationError) as refused:
        entities(Settings(_env_file=None))
    assert str(refused.value).startswith("RECLAMATIONS_INSURER__SIREN : il manque le numéro SIREN")


def test_tests_run_the_workflows_in_the_sandbox_and_workers_without_it(tmp_path):
    """A clock or I/O call in workflow code fails the tests (sandboxed); production workers
    spare the sandbox's cost unless RECLAMATIONS_WORKFLOW_SANDBOX says otherwise."""
    tested = make_settings(tmp_path)
    assert isinstance(workflow_runner(tested.workflow_sandbox), SandboxedWorkflowRunner)
    assert (
        process_env(tested, Keyring.generate("t"), "x")["RECLAMATIONS_WORKFLOW_SANDBOX"] == "true"
    )
    produced = Settings(_env_file=None)
    assert isinstance(workflow_runner(produced.workflow_sandbox), UnsandboxedWorkflowRunner)


async def test_a_worker_takes_as_many_letters_at_once_as_its_settings_say(
    tmp_path, temporal_env, keyring, sqlite_sessions
):
    """Enough activity slots that a storm's letters run in the worker whose workflow task
    ordered them (eager activities), not back through the server's queue (bench/README.md)."""
    default = complaint_worker(
        temporal_env.client, make_settings(tmp_path), sqlite_sessions, keyring
    )
    assert default.config()["max_concurrent_activities"] == 1000
    assert (
        default.config()["max_concurrent_activities"]
        == Settings(_env_file=None).worker_activity_slots
    )
    few = make_settings(tmp_path, worker_activity_slots=8)
    worker = complaint_worker(temporal_env.client, few, sqlite_sessions, keyring)
    assert worker.config()["max_concurrent_activities"] == 8


async def test_a_workflow_task_waits_for_its_worker_as_long_as_the_settings_say(
    tmp_path, temporal_env, keyring, sqlite_sessions
):
    """Longer than the SDK's 10 s, so that a storm's tasks stay with the worker that holds
    their complaint instead of going round again with their whole history (bench/README.md)."""
    default = complaint_worker(
        temporal_env.client, make_settings(tmp_path), sqlite_sessions, keyring
    )
    waited = default.config()["sticky_queue_schedule_to_start_timeout"]
    assert waited == timedelta(seconds=30)
    assert waited.total_seconds() == Settings(_env_file=None).worker_sticky_seconds
    short = make_settings(tmp_path, worker_sticky_seconds=5)
    worker = complaint_worker(temporal_env.client, short, sqlite_sessions, keyring)
    assert worker.config()["sticky_queue_schedule_to_start_timeout"] == timedelta(seconds=5)


def test_a_worker_loads_the_spreadsheet_library_only_to_write_a_workbook():
    """openpyxl and numpy are 28 MB a worker needs once a month, for the register."""
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, reclamations.worker;"
            " print(sorted({'openpyxl', 'numpy'} & set(sys.modules)))",
        ],
        cwd=Path(__file__).parents[1],
        capture_output=True,
        text=True,
        check=True,
    )
    assert loaded.stdout.strip() == "[]"
