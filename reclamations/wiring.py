"""Building the system's parts from settings. Entry points call these; nothing here runs at
import time."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from temporalio.client import Client
from temporalio.worker import Worker

from reclamations.activities.corrective import CorrectiveActivities
from reclamations.activities.letters.activity import LetterActivities
from reclamations.activities.letters.delivery import EmailSender, EmlOutbox, PostOutbox, SmtpSender
from reclamations.activities.letters.links import LetterLinks
from reclamations.activities.letters.rendering import TEMPLATES, LetterRenderer
from reclamations.activities.monthly_register import MonthlyRegisterActivities
from reclamations.activities.planning import PlanningActivities
from reclamations.activities.reconcile import ReconcileActivities
from reclamations.activities.records import RecordActivities
from reclamations.activities.retention import RetentionActivities
from reclamations.db.engine import SessionFactory
from reclamations.domain.entities import Entities
from reclamations.domain.errors import FieldError, describe_errors
from reclamations.domain.files import FileLimits
from reclamations.domain.letters import identity_gaps
from reclamations.domain.register import Lists
from reclamations.domain.typology import DEFAULT_TYPOLOGY, Typology
from reclamations.security.codec import data_converter
from reclamations.security.complaint_keys import ComplaintKeys
from reclamations.security.keyring import Keyring
from reclamations.service import ComplaintService, ReferenceAllocator
from reclamations.settings import Settings
from reclamations.storage.files import FileStore, FolderStore, S3Store
from reclamations.workflows.complaint import ComplaintWorkflow
from reclamations.workflows.corrective import CorrectiveActionWorkflow
from reclamations.workflows.guard import ForeignMessages
from reclamations.workflows.monthly_register import MonthlyRegisterWorkflow
from reclamations.workflows.reconciliation import ReconcileWorkflow
from reclamations.workflows.retention import RetentionWorkflow
from reclamations.workflows.sandbox import workflow_runner


def load_keyring(settings: Settings) -> Keyring:
    if settings.encryption_keys is not None:
        return Keyring.parse(settings.encryption_keys.get_secret_value())
    return Keyring.load_or_create(settings.resolved_key_file)


async def connect_temporal(
    settings: Settings, keyring: Keyring, sessions: SessionFactory | None = None
) -> Client:
    """With `sessions`, each complaint's payloads are sealed with its own key (issue 28):
    what every process that starts or runs complaints passes. Without, the keyring alone
    (processes that only make Schedules or deploy)."""
    keys = ComplaintKeys(sessions, keyring) if sessions is not None else None
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=data_converter(keyring, keys),
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
        entities(settings),
        settings.letter_templates or TEMPLATES,
        follow_links=settings.letters_follow_link,
    )


def activities(
    settings: Settings, sessions: SessionFactory, keyring: Keyring
) -> list[Callable[..., Any]]:
    keys = ComplaintKeys(sessions, keyring)
    letters = LetterActivities(
        sessions=sessions,
        renderer=letter_renderer(settings),
        email=email_sender(settings),
        post=PostOutbox(settings.resolved_outbox_dir, keyring),
        keyring=keyring,
        mail_from=settings.mail_from,
        message_id_domain=settings.mail_message_id_domain,
        keys=keys,
        links=LetterLinks(
            sessions, keyring, settings.web_public_url, timedelta(days=settings.follow_link_days)
        )
        if settings.letters_follow_link
        else None,
    )
    return [
        PlanningActivities(settings.policy).plan,
        RecordActivities(sessions, keyring, keys).record,
        letters.send_letter,
    ]


def complaint_service(
    client: Client,
    settings: Settings,
    sessions: SessionFactory,
    keyring: Keyring,
    allocate_reference: ReferenceAllocator | None = None,
) -> ComplaintService:
    """The one door, as every entry point builds it (the simulation too, which numbers its
    complaint its own way)."""
    return ComplaintService(
        client,
        sessions,
        keyring,
        settings.task_queue,
        files=file_store(settings),
        typology=typology(settings),
        entities=entities(settings),
        file_limits=FileLimits(
            per_file=settings.max_file_bytes,
            per_complaint=settings.max_complaint_files_bytes,
            files=settings.max_complaint_files,
        ),
        allocate_reference=allocate_reference,
        keys=ComplaintKeys(sessions, keyring),
        outbox=settings.resolved_outbox_dir,
        retention=settings.retention,
        policy=settings.policy,
    )


class ConfigurationError(Exception):
    """A configuration file that cannot serve: one line per bad field."""


M = TypeVar("M", bound=BaseModel)

# "entities.1.identity.rcs": the second entity's RCS, to be named by its code.
ENTITY_FIELD = re.compile(r"^entities\.(\d+)\.?(.*)$")


def _from_toml(
    path: Path, model: type[M], name: Callable[[Any, str], str] = lambda _data, field: field
) -> M:
    """A configuration file, validated: unreadable, or refused with one line per bad field
    (`name` says which thing of the file a field belongs to)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigurationError(f"{path} : illisible ({error})") from None
    try:
        return model.model_validate(data)
    except ValidationError as error:
        lines = [
            f"{path} : {name(data, problem.field)} : {problem.message}"
            for problem in describe_errors(error)
        ]
        raise ConfigurationError("\n".join(lines)) from None


def typology(settings: Settings) -> Typology:
    """The insurer's closed lists (rule 17), from the file the settings name."""
    if settings.typology_file is None:
        return DEFAULT_TYPOLOGY
    return _from_toml(settings.typology_file, Typology)


def _entity_named(data: Any, field: str) -> str:
    """entities.1.identity.rcs -> entité « mutuelle-est », identity.rcs."""
    match = ENTITY_FIELD.match(field)
    listed = data.get("entities") if isinstance(data, dict) else None
    if match is None or not isinstance(listed, list) or int(match[1]) >= len(listed):
        return field
    item = listed[int(match[1])]
    code = item.get("code") if isinstance(item, dict) else None
    entity = f"entité « {code} »" if code else f"entité n° {int(match[1]) + 1}"
    return f"{entity}, {match[2]}" if match[2] else entity


def entities(settings: Settings) -> Entities:
    """The insurers and mutuals served (rule 19), from the file the settings name;
    alone, the insurer of the settings with its mediator. Refused, naming the entity and the
    field, when an identity lacks what the law requires on letters for its legal form
    (Code de commerce R123-237, Code de la mutualité)."""
    if settings.entities_file is None:
        served = Entities.alone(settings.insurer, settings.mediator)

        def named(code: str, gap: FieldError) -> str:
            return f"RECLAMATIONS_INSURER__{gap.field.removeprefix('identity.').upper()}"

    else:
        served = _from_toml(settings.entities_file, Entities, _entity_named)
        path = settings.entities_file

        def named(code: str, gap: FieldError) -> str:
            return f"{path} : entité « {code} », {gap.field}"

    gaps = [
        f"{named(entity.code, gap)} : {gap.message}"
        for entity in served.entities
        for gap in identity_gaps(entity.identity)
    ]
    if gaps:
        raise ConfigurationError("\n".join(gaps))
    return served


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


def worker_tuning(settings: Settings) -> dict[str, Any]:
    """How the settings run a worker: the sandbox, the activity slots, the sticky wait. The
    complaint worker's, and the bench's same-work worker's (bench/same_work.py), which must be
    set up alike for the storm's yardstick to be fair."""
    return {
        "workflow_runner": workflow_runner(settings.workflow_sandbox),
        "max_concurrent_activities": settings.worker_activity_slots,
        "sticky_queue_schedule_to_start_timeout": timedelta(seconds=settings.worker_sticky_seconds),
    }


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
        workflows=[
            ComplaintWorkflow,
            ReconcileWorkflow,
            MonthlyRegisterWorkflow,
            RetentionWorkflow,
            CorrectiveActionWorkflow,
        ],
        activities=[
            *(with_activities or activities(settings, sessions, keyring)),
            ReconcileActivities(client, sessions).reconcile,
            MonthlyRegisterActivities(
                sessions,
                settings.resolved_register_dir,
                Lists(typology(settings), entities(settings)),
            ).write_month,
            RetentionActivities(
                sessions, complaint_service(client, settings, sessions, keyring)
            ).apply,
            # issue 29: each corrective action's record and its effectiveness check.
            CorrectiveActivities(sessions).record,
            CorrectiveActivities(sessions).count,
        ],
        interceptors=[ForeignMessages()],
        **worker_tuning(settings),
        **options,
    )
