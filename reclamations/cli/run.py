"""`complaints run` (what `make run` calls): the whole system on one machine.

Starts the Temporal dev server (with its Web UI; state kept under the data folder so it survives
a restart), migrates the database, starts the worker, says what runs where, and stops
everything cleanly on Ctrl-C.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import secrets
import signal
import sys
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from temporalio.client import Client

from reclamations.cli.database import up_to_date
from reclamations.db.accounts import add_user, create_token, get_user
from reclamations.db.engine import SessionFactory, create_engine, session_factory
from reclamations.domain.access import Role
from reclamations.settings import Settings
from reclamations.wiring import connect_temporal, load_keyring
from reclamations.workflows.monthly_register import schedule_monthly_register
from reclamations.workflows.reconciliation import schedule_reconciliation
from reclamations.workflows.retention import schedule_retention
from reclamations.workflows.search import KEYS, SEARCH_TYPES

BIN = Path(sys.executable).parent

# Demo logins for a local run, one per role; a real install adds its users with
# `complaints users add`.
DEMO_TOKEN_NAME = "demo"
DEMO_TOKEN_FILE = "demo_token"
CODEC_KEY_FILE = "codec_key"
DEMO_USERS = [
    ("agent", "demo-agent-reclamations", "agent", "Camille Martin"),
    ("superviseur", "demo-superviseur-reclamations", "supervisor", "Louise Bernard"),
    ("medecin", "demo-medecin-reclamations", "medical_advisor", "Dr Paul Lemoine"),
    ("exploitation", "demo-exploitation-reclamations", "operator", "Sami Haddad"),
    ("conformite", "demo-conformite-reclamations", "compliance", "Inès Moreau"),
]


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "run",
        help="démarrer tout le système en local (make run)",
        description="Serveur Temporal de développement, base, worker, interface web.",
    )
    parser.set_defaults(handler=run)


def temporal_command(settings: Settings) -> list[str]:
    host, _, port = settings.temporal_address.rpartition(":")
    ui_port = settings.temporal_ui_url.rsplit(":", 1)[-1].strip("/")
    return [
        str(BIN / "temporal"),
        "server",
        "start-dev",
        "--db-filename",
        str(settings.data_dir / "temporal.db"),
        "--ip",
        host or "127.0.0.1",
        "--port",
        port,
        "--ui-port",
        ui_port,
        "--namespace",
        settings.temporal_namespace,
        "--log-level",
        "warn",
        # The Web UI decodes payloads through this app's codec endpoint: with the local key,
        # at once and with no setting in the browser (local_codec_key).
        "--ui-codec-endpoint",
        codec_endpoint(settings),
        *(
            argument
            for key in KEYS
            for argument in ("--search-attribute", f"{key.name}={SEARCH_TYPES[key.name]}")
        ),
    ]


def codec_endpoint(settings: Settings) -> str:
    base = f"{settings.web_public_url.rstrip('/')}/codec"
    key = settings.codec_local_key
    return f"{base}/local/{key.get_secret_value()}" if key else base


def local_codec_key(data_dir: Path) -> str:
    """The key of the local Web UI's codec address, made once beside the keys (0600). The dev
    server's Web UI sends no cookie to another port unless each browser is told to: with the
    key in the address, it decodes from the first page."""
    path = data_dir / CODEC_KEY_FILE
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(32) + "\n")
    return path.read_text().strip()


async def wait_for_temporal(settings: Settings, server: asyncio.subprocess.Process) -> None:
    for _ in range(120):
        if server.returncode is not None:
            raise SystemExit(
                f"Le serveur Temporal s'est arrêté (code {server.returncode}) : voir "
                f"{settings.data_dir / 'logs' / 'temporal.log'} (port déjà pris ?)"
            )
        try:
            await Client.connect(settings.temporal_address, namespace=settings.temporal_namespace)
            return
        except RuntimeError:
            await asyncio.sleep(0.25)
    raise SystemExit(f"Temporal ne répond pas sur {settings.temporal_address}")


async def seed_demo_users(sessions: SessionFactory, data_dir: Path) -> None:
    for username, password, role, name in DEMO_USERS:
        if await get_user(sessions, username) is None:
            await add_user(sessions, username, password, role, name)
    # A token for trying the starter and the API (rule 15: every caller has a name).
    # Only its hash is in the database; the token itself is kept beside the key file.
    path = data_dir / DEMO_TOKEN_FILE
    if not path.exists():
        token = await create_token(sessions, DEMO_TOKEN_NAME, Role.supervisor)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(token + "\n")


async def stop(process: asyncio.subprocess.Process, grace: float = 10.0) -> None:
    if process.returncode is not None:
        return
    process.terminate()
    try:
        await asyncio.wait_for(process.wait(), grace)
    except TimeoutError:
        process.kill()
        await process.wait()


async def supervise(settings: Settings) -> int:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    logs = settings.data_dir / "logs"
    logs.mkdir(exist_ok=True)
    # Creates the key file on first run, before any process needs it.
    keyring = load_keyring(settings)
    settings = with_local_codec_key(settings)
    engine = create_engine(settings.resolved_database_url)
    await up_to_date(engine, keyring)
    await seed_demo_users(session_factory(engine), settings.data_dir)
    await engine.dispose()

    children: list[tuple[str, asyncio.subprocess.Process]] = []
    with (logs / "temporal.log").open("ab") as temporal_log:
        server = await asyncio.create_subprocess_exec(
            *temporal_command(settings),
            stdout=temporal_log,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches us; we stop the children in order
        )
    children.append(("Temporal", server))
    try:
        await wait_for_temporal(settings, server)
        client = await connect_temporal(settings, load_keyring(settings))
        await schedule_reconciliation(client, settings.task_queue)
        await schedule_monthly_register(client, settings.task_queue)
        await schedule_retention(client, settings.task_queue)
        # One machine, one worker: the build started now replaces whatever build ran before
        # (its complaints follow it, docs/versioning.md); nobody is there to promote it.
        worker = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "reclamations.worker",
            start_new_session=True,
            env={**os.environ, "RECLAMATIONS_WORKER_PROMOTE": "true"},
        )
        children.append(("worker", worker))
        web = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "reclamations.web", start_new_session=True
        )
        children.append(("web", web))
        # Complaints by email: the SMTP receiver (and the IMAP reader once a mailbox is set).
        mail = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "reclamations.mail", start_new_session=True
        )
        children.append(("courriel", mail))
        print(banner(settings), flush=True)

        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stopping.set)
        waits = [asyncio.create_task(p.wait()) for _, p in children]
        stop_wait = asyncio.create_task(stopping.wait())
        await asyncio.wait([*waits, stop_wait], return_when=asyncio.FIRST_COMPLETED)
        for name, process in children:
            if process.returncode is not None and not stopping.is_set():
                print(f"\n{name} s'est arrêté (code {process.returncode}) : arrêt du système.")
        for task in [*waits, stop_wait]:
            task.cancel()
        return 0 if stopping.is_set() else 1
    finally:
        print("\nArrêt en cours…", flush=True)
        for _, process in reversed(children):
            with contextlib.suppress(ProcessLookupError):
                await stop(process)
        print("Tout est arrêté.", flush=True)


def with_local_codec_key(settings: Settings) -> Settings:
    """The settings with the local codec key, also given to the web app started next, only
    while nothing is reachable from the network (SECURITY.md)."""
    if settings.codec_local_key is not None or not settings.listens_locally:
        return settings
    key = local_codec_key(settings.data_dir)
    os.environ["RECLAMATIONS_CODEC_LOCAL_KEY"] = key
    return settings.model_copy(update={"codec_local_key": SecretStr(key)})


def hosts(settings: Settings) -> set[str]:
    return {settings.web_host, settings.temporal_address.rpartition(":")[0]}


def listening(settings: Settings) -> str:
    if settings.listens_locally:
        return "Tout écoute sur 127.0.0.1 : joignable depuis ce poste seulement."
    listed = ", ".join(sorted(hosts(settings)))
    return f"Attention : à l'écoute sur {listed}, joignable depuis le réseau (voir SECURITY.md)."


def mail_lines(settings: Settings) -> list[str]:
    """How complaints come in by email (README, "Réclamations par courriel")."""
    lines = []
    if settings.mail_receiver_port:
        protocol = "LMTP" if settings.mail_receiver_lmtp else "SMTP"
        where = f"{settings.mail_receiver_host}:{settings.mail_receiver_port}"
        lines.append(f"  réception {protocol:<13}{where} (une réclamation par courriel envoyé ici)")
    if settings.mail_imap_host:
        mailbox = f"{settings.mail_imap_username}@{settings.mail_imap_host}"
        lines.append(f"  boîte IMAP lue         {mailbox}, dossier {settings.mail_imap_folder}")
    return lines


def banner(settings: Settings) -> str:
    return "\n".join(
        [
            "",
            "Réclamations tourne :",
            f"  Temporal (gRPC)        {settings.temporal_address}",
            f"  Temporal Web UI        {settings.temporal_ui_url}",
            f"  interface des agents   {settings.web_public_url}",
            f"  API (OpenAPI)          {settings.web_public_url}/docs",
            f"  formulaire public      {settings.web_public_url}/reclamation",
            f"  worker                 file de tâches « {settings.task_queue} »",
            f"  base de données        {settings.resolved_database_url}",
            f"  courriers              {settings.resolved_outbox_dir}/ (email/ et post/)",
            *mail_lines(settings),
            "",
            listening(settings),
            "",
            "Connexions de démonstration (identifiant / mot de passe) :",
            *(f"  {u:<13} {p:<19} {r}" for u, p, r, _ in DEMO_USERS),
            "",
            f"Jeton de démonstration (superviseur) : {settings.data_dir / DEMO_TOKEN_FILE}",
            f"Essayer : export RECLAMATIONS_API_TOKEN=$(cat {settings.data_dir / DEMO_TOKEN_FILE})",
            "          .venv/bin/python -m reclamations.starter examples/email_benefits.json",
            *(
                [
                    "Par courriel : tout client de messagerie vers "
                    f"{settings.mail_receiver_host}:{settings.mail_receiver_port}, ou",
                    "          .venv/bin/python -m reclamations.mail.send"
                    " examples/email_complaint.eml",
                ]
                if settings.mail_receiver_port
                else []
            ),
            "Ctrl-C pour tout arrêter.",
            "",
        ]
    )


def run(args: argparse.Namespace) -> int:
    return asyncio.run(supervise(Settings()))
