"""`complaints simulate SCENARIO.json`: one complaint's whole life in seconds.

The same workflow and activities as production run on the time-skipping Temporal test server,
with a throw-away database and outboxes, and scripted agent actions on given days. For training,
for checking a policy change, for answering "what would this complainant receive".
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select
from temporalio.runtime import LoggingConfig, Runtime, TelemetryConfig, TelemetryFilter
from temporalio.testing import WorkflowEnvironment

from reclamations.db.engine import create_engine, session_factory
from reclamations.db.migrate import upgrade
from reclamations.db.models import LetterRow
from reclamations.domain.access import Principal, Role
from reclamations.domain.actions import ACTIONS
from reclamations.domain.clock import local_date
from reclamations.domain.complaint import STATUS_LABELS, Complaint
from reclamations.domain.errors import Invalid, Refused, describe_errors
from reclamations.domain.french import long_date
from reclamations.domain.letters import LETTER_LABELS
from reclamations.domain.policy import Policy
from reclamations.domain.relative_days import dated
from reclamations.security.codec import data_converter
from reclamations.security.keyring import Keyring
from reclamations.service import ComplaintService
from reclamations.settings import Settings
from reclamations.wiring import ConfigurationError, complaint_service, complaint_worker
from reclamations.workflows.client import register_search_attributes
from reclamations.workflows.messages import workflow_id

TEST_SERVER = Path(sys.executable).parent / "temporal-test-server"
ACTOR = "agent.simulation"
# Who registers the scenario's complaint and reads its letters back.
READER = Principal("simulation", Role.medical_advisor)


class ScriptedAction(BaseModel):
    """{"day": 5, "action": "suspend", "reason": "medical_expertise"}: the other fields are the
    action's own."""

    model_config = ConfigDict(extra="allow")

    day: float = Field(ge=0)
    action: str

    def fields(self) -> dict[str, Any]:
        extra = dict(self.model_extra or {})
        extra.setdefault("actor", ACTOR)
        return extra


class Scenario(BaseModel):
    model_config = ConfigDict(extra="forbid")

    intake: dict[str, Any]
    actions: list[ScriptedAction] = []
    until_day: float = Field(70, ge=0, le=800)
    policy: Policy | None = None


class TimelineEntry(BaseModel):
    at: datetime
    day: float
    text: str


class SimulationResult(BaseModel):
    reference: str
    complaint: Complaint
    started_at: datetime
    notes: list[TimelineEntry]
    letters: dict[str, str]  # "kind-sequence" -> text
    history_json: str = ""  # the workflow's Temporal history, payloads encrypted

    def as_json(self) -> dict[str, Any]:
        complaint = self.complaint
        plan = complaint.plan
        return {
            "reference": self.reference,
            "deadlines": {
                "acknowledgement_due": _iso(plan.acknowledgement_due),
                "quality_target_due": _iso(complaint.quality_target_due),
                "final_due": _iso(plan.final_due),
            },
            "status": complaint.status.value,
            "promises": [day.isoformat() for day in complaint.promises],
            "letters": [
                {
                    "kind": letter.kind.value,
                    "sequence": letter.sequence,
                    "channel": letter.delivery.value,
                    "sent_at": letter.sent_at.isoformat(),
                }
                for letter in complaint.letters
            ],
            "events": [
                {"at": e.at.isoformat(), "type": e.type.value, "actor": e.actor}
                for e in complaint.events
            ],
            "refused_actions": [n.text for n in self.notes],
        }


def _iso(day: Any) -> str | None:
    return day.isoformat() if day else None


def quiet_runtime() -> Runtime:
    # The test server is older than the SDK expects; its warnings say nothing to a trainee.
    quiet = TelemetryFilter(core_level="ERROR", other_level="ERROR")
    return Runtime(telemetry=TelemetryConfig(logging=LoggingConfig(filter=quiet)))


class ScenarioError(Exception):
    pass


def load_scenario(text: str) -> Scenario:
    try:
        scenario = Scenario.model_validate_json(text)
    except ValidationError as error:
        raise ScenarioError("; ".join(str(e) for e in describe_errors(error))) from None
    for index, step in enumerate(scenario.actions):
        if step.action not in ACTIONS:
            raise ScenarioError(
                f"actions.{index}.action : action inconnue {step.action!r} "
                f"(possibles : {', '.join(ACTIONS)})"
            )
        try:
            ACTIONS[step.action].model_validate(step.fields())
        except ValidationError as error:
            problems = "; ".join(str(e) for e in describe_errors(error))
            raise ScenarioError(f"actions.{index} ({step.action}) : {problems}") from None
    return scenario


# Where production keeps or sends anything: a simulation has its own, thrown away after it
# (each one's default, under the simulation's folder; the outbox is the one it may keep).
# Everything else is production's settings.
THROWN_AWAY = (
    "database_url",
    "smtp_host",
    "files_dir",
    "files_s3_bucket",
    "register_dir",
    "key_file",
    "encryption_keys",
)


def simulation_settings(
    production: Settings, root: Path, outbox: Path | None, policy: Policy | None
) -> Settings:
    """Production's settings (entities, typology, templates, identity, policy, limits), with
    a throw-away database, files and outbox under `root`, and no mail server."""
    kept_apart = {name: Settings.model_fields[name].default for name in THROWN_AWAY}
    return production.model_copy(
        update={
            **kept_apart,
            "data_dir": root,
            "outbox_dir": outbox,
            "task_queue": "simulation",
            "policy": policy or production.policy,
        }
    )


async def simulate(
    scenario: Scenario,
    outbox: Path | None = None,
    keyring: Keyring | None = None,
    production: Settings | None = None,
) -> SimulationResult:
    """`production`: the settings the simulated life is wired with, as the service and the
    worker are (default: the environment's)."""
    keyring = keyring or Keyring.generate("simulation")
    production = production or Settings()
    with tempfile.TemporaryDirectory(prefix="reclamations-simulation-") as folder:
        settings = simulation_settings(production, Path(folder), outbox, scenario.policy)
        engine = create_engine(settings.resolved_database_url)
        await upgrade(engine)
        sessions = session_factory(engine)
        env = await WorkflowEnvironment.start_time_skipping(
            test_server_existing_path=str(TEST_SERVER),
            data_converter=data_converter(keyring),
            runtime=quiet_runtime(),
        )
        try:
            await register_search_attributes(env.client, "default")
            service = complaint_service(
                env.client, settings, sessions, keyring, allocate_reference=_simulation_reference
            )
            async with complaint_worker(env.client, settings, sessions, keyring):
                result = await _run(env, service, scenario)
            async with sessions() as session:
                rows = list(await session.scalars(select(LetterRow).order_by(LetterRow.sent_at)))
            for row in rows:
                letter = await service.letter(READER, row.reference, row.kind, row.sequence)
                result.letters[f"{row.kind}-{row.sequence}"] = letter.body
            return result
        finally:
            await env.shutdown()
            await engine.dispose()


async def _simulation_reference(year: int) -> str:
    return f"SIM-{year}-000001"


async def _run(
    env: WorkflowEnvironment, service: ComplaintService, scenario: Scenario
) -> SimulationResult:
    started_at = await env.get_current_time()
    intake = dated(scenario.intake, started_at)
    try:
        registered = await service.register(READER, intake, now=started_at)
    except Invalid as error:
        raise ScenarioError("; ".join(f"intake.{e}" for e in error.errors)) from None
    reference = registered.reference
    notes: list[TimelineEntry] = []
    elapsed = 0.0
    for step in sorted(scenario.actions, key=lambda s: s.day):
        await _advance(env, service, reference, step.day - elapsed)
        elapsed = step.day
        fields = step.fields()
        # Each scripted actor plays a person allowed to act on this complaint.
        actor = Principal(fields.pop("actor"), Role.medical_advisor)
        try:
            await service.act(actor, reference, step.action, fields)
        except (Refused, Invalid) as refused:
            now = await env.get_current_time()
            notes.append(
                TimelineEntry(at=now, day=step.day, text=f"{step.action} refusé : {refused}")
            )
    await _advance(env, service, reference, scenario.until_day - elapsed)
    complaint = await _settled(service, reference)
    # Temporal's own record of the run, for replay tests: no door reads it.
    history = await env.client.get_workflow_handle(workflow_id(reference)).fetch_history()
    return SimulationResult(
        reference=reference,
        complaint=complaint,
        started_at=started_at,
        notes=notes,
        letters={},
        history_json=history.to_json(),
    )


async def _advance(
    env: WorkflowEnvironment, service: ComplaintService, reference: str, days: float
) -> None:
    await _settled(service, reference)
    if days > 0:
        await env.sleep(timedelta(days=days))
    await _settled(service, reference)


async def _settled(service: ComplaintService, reference: str) -> Complaint:
    """Wait until the letters the complaint asked for are sent (real time; simulated time is
    frozen meanwhile)."""
    for _ in range(600):
        state = (await service.read(READER, reference)).complaint
        if all(state.letter_waits(order) for order in state.pending_letters):
            return state  # every letter sent, or held by an incident
        await asyncio.sleep(0.02)
    raise ScenarioError("la simulation ne se stabilise pas (courriers en attente)")


def timeline(result: SimulationResult, show_letters: bool) -> str:
    complaint = result.complaint
    zone = complaint.plan.timezone
    start = result.started_at

    def when(at: datetime) -> str:
        day = (at - start).total_seconds() / 86400
        return f"J+{day:>5.1f}  {long_date(local_date(at, zone))}"

    plan = complaint.plan
    lines = [f"Réclamation {result.reference} — {STATUS_LABELS[complaint.status]}", ""]
    if plan.acknowledgement_due and plan.final_due:
        lines += [
            f"  accusé de réception dû le   {long_date(plan.acknowledgement_due)}",
            f"  engagement qualité le       {long_date(complaint.quality_target_due)}"
            if complaint.quality_target_due
            else "",
            f"  délai maximal le            {long_date(plan.final_due)}",
            "",
        ]
    entries = [(e.at, f"{e.summary} ({e.actor})") for e in complaint.events]
    entries += [(n.at, n.text) for n in result.notes]
    for at, text in sorted(entries, key=lambda item: item[0]):
        lines.append(f"{when(at)}  {text}")
    lines += ["", "Courriers reçus par le réclamant :"]
    for letter in complaint.letters:
        how = "courriel" if letter.delivery == "email" else "courrier postal"
        lines.append(f"  {when(letter.sent_at)}  {LETTER_LABELS[letter.kind]} ({how})")
        key = f"{letter.kind.value}-{letter.sequence}"
        if show_letters and key in result.letters:
            lines += ["", *("      " + line for line in result.letters[key].splitlines()), ""]
    return "\n".join(line for line in lines if line is not None)


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "simulate",
        help="simuler toute la vie d'une réclamation en quelques secondes",
        description="Rejoue une réclamation et des actions datées (jour après le début) sur le "
        "serveur de test Temporal, avec le vrai workflow et les vraies activités.",
    )
    parser.add_argument("scenario", type=Path, help="fichier JSON du scénario")
    parser.add_argument("--json", action="store_true", help="sortie JSON")
    parser.add_argument("--letters", action="store_true", help="afficher le texte des courriers")
    parser.add_argument(
        "--outbox",
        type=Path,
        help="garder les courriers dans ce dossier (ceux d'une réclamation médicale chiffrés : "
        "avec --key-file, RECLAMATIONS_KEY_FILE=… complaints letters print les ouvre)",
    )
    parser.add_argument(
        "--history",
        type=Path,
        help="écrire l'historique Temporal de la réclamation (JSON, pour les tests de rejeu)",
    )
    parser.add_argument(
        "--key-file", type=Path, help="clés de chiffrement à utiliser (défaut : une clé jetable)"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        scenario = load_scenario(args.scenario.read_text(encoding="utf-8"))
        keyring = Keyring.loads(args.key_file.read_text()) if args.key_file else None
        result = asyncio.run(simulate(scenario, args.outbox, keyring))
    except OSError as error:
        print(f"complaints simulate: erreur : {args.scenario} : {error.strerror}", file=sys.stderr)
        return 2
    except (ScenarioError, ConfigurationError) as error:
        print(f"complaints simulate: erreur : {error}", file=sys.stderr)
        return 2
    if args.history:
        args.history.write_text(result.history_json + "\n", encoding="utf-8")
    if args.json:
        output = result.as_json()
        if args.letters:
            output["letter_texts"] = result.letters
        print(json.dumps(output, ensure_ascii=False, indent=2))
    else:
        print(timeline(result, args.letters))
    return 0
