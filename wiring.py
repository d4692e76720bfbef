"""Building the system's parts from settings. Entry points call these; nothing here runs at
import time."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from temporalio.client import Client
from temporalio.worker import Worker

from activities.letters.activity import LetterActivities
from activities.letters.delivery import EmailSender, EmlOutbox, PostOutbox, SmtpSender
from activities.letters.rendering import TEMPLATES, LetterRenderer
from activities.monthly_register import MonthlyRegisterActivities
from activities.planning import PlanningActivities
from activities.reconcile import ReconcileActivities
from activities.records import RecordActivities
from db.engine import SessionFactory
from domain.entities import Entities, Entity
from domain.errors import describe_errors
from domain.files import FileLimits
from domain.typology import DEFAULT_TYPOLOGY, Typology
from security.codec import data_converter
from security.keyring import Keyring
from settings import Settings
from storage.files import FileStore, FolderStore, S3Store
from workflows.complaint import ComplaintWorkflow
from workflows.guard import ForeignMessages
from workflows.monthly_register import MonthlyRegisterWorkflow
from workflows.reconciliation import ReconcileWorkflow
from workflows.sandbox import workflow_runner
from workflows.service import ComplaintService


def load_keyring(settings: Settings) -> Keyring:
    if settings.encryption_keys is not None:
        return Keyring.parse(settings.encryption_keys.get_secret_value())
    return Keyring.load_or_create(settings.resolved_key_file)


async def connect_temporal(settings: Settings, keyring: Keyring) -> Client:
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=data_converter(keyring),
    )


def email_sender(settings: Settings) -> EmailSender:
    if settings.smtp_host:
        return SmtpSender(
            host=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username,
            password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
            starttls=settings.smtp_starttls,
            timeout=settings.smtp_timeout_seconds,
        )
    return EmlOutbox(settings.resolved_outbox_dir)


def letter_renderer(settings: Settings) -> LetterRenderer:
    return LetterRenderer(
        settings.insurer,
        settings.mediator,
        settings.letter_templates or TEMPLATES,
        entities=entities(settings),
    )


def activities(
    settings: Settings, sessions: SessionFactory, keyring: Keyring
) -> list[Callable[..., Any]]:
    letters = LetterActivities(
        sessions=sessions,
        renderer=letter_renderer(settings),
        email=email_sender(settings),
        post=PostOutbox(settings.resolved_outbox_dir, keyring),
        keyring=keyring,
        mail_from=settings.mail_from,
    )
    return [
        PlanningActivities(settings.policy).plan,
        RecordActivities(sessions, keyring).record,
        letters.send_letter,
    ]


def complaint_service(
    client: Client, settings: Settings, sessions: SessionFactory, keyring: Keyring
) -> ComplaintService:
    """The one door, as every entry point builds it."""
    return ComplaintService(
        client,
        sessions,
        keyring,
        settings.policy,
        settings.task_queue,
        files=file_store(settings),
        typology=typology(settings),
        entities=entities(settings),
        file_limits=FileLimits(settings.max_file_bytes, settings.max_complaint_files_bytes),
    )


class ConfigurationError(Exception):
    """A configuration file that cannot serve: one line per bad field."""


M = TypeVar("M", bound=BaseModel)


def _from_toml(path: Path, model: type[M]) -> M:
    """A configuration file, validated: unreadable, or refused with one line per bad field."""
    try:
        return model.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigurationError(f"{path} : illisible ({error})") from None
    except ValidationError as error:
        lines = [f"{path} : {problem}" for problem in describe_errors(error)]
        raise ConfigurationError("\n".join(lines)) from None


def typology(settings: Settings) -> Typology:
    """The insurer's closed lists (DESIGN rule 17), from the file the settings name."""
    if settings.typology_file is None:
        return DEFAULT_TYPOLOGY
    return _from_toml(settings.typology_file, Typology)


def entities(settings: Settings) -> Entities:
    """The insurers and mutuals served (DESIGN rule 19), from the file the settings name;
    alone, the insurer of the settings with its mediator."""
    if settings.entities_file is None:
        only = Entity(code="mutex", identity=settings.insurer, mediator=settings.mediator)
        return Entities(entities=[only])
    return _from_toml(settings.entities_file, Entities)


def file_store(settings: Settings) -> FileStore:
    """Documents' files: the S3 bucket when one is named, else the data folder."""
    if settings.files_s3_bucket:
        return S3Store.connect(
            settings.files_s3_bucket,
            settings.files_s3_endpoint,
            settings.files_s3_access_key,
            settings.files_s3_secret_key,
        )
    return FolderStore(settings.resolved_files_dir)


def complaint_worker(
    client: Client,
    settings: Settings,
    sessions: SessionFactory,
    keyring: Keyring,
    with_activities: list[Callable[..., Any]] | None = None,
    **options: Any,
) -> Worker:
    return Worker(
        client,
        task_queue=settings.task_queue,
        workflows=[ComplaintWorkflow, ReconcileWorkflow, MonthlyRegisterWorkflow],
        activities=[
            *(with_activities or activities(settings, sessions, keyring)),
            ReconcileActivities(client, sessions).reconcile,
            MonthlyRegisterActivities(
                sessions, settings.resolved_register_dir, typology(settings)
            ).write_month,
        ],
        workflow_runner=workflow_runner(settings.workflow_sandbox),
        interceptors=[ForeignMessages()],
        max_concurrent_activities=settings.worker_activity_slots,
        **options,
    )
