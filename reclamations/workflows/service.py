"""The one door: every entry point registers, reads and acts on complaints through here.

The API, the agents' UI, `starter.py`, `complaints simulate` and the tests' office parse input
and present results; `ComplaintService` does the rest, the same way for all of them:
- it knows the caller, an authenticated `Principal`, and asks `domain.access` what that
  principal may read and do (rule 15); the principal is the actor on the record;
- it validates input from outside (where a value that looks sealed is refused), seals a medical
  complaint's content for that complaint alone, and opens it only for the Médecin Conseil
  (rule 11);
- it talks to the workflow and turns Temporal's answers into `domain.errors` (NotFound,
  Forbidden, Refused, Invalid, Unavailable), whose messages never carry complainant content.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import (
    Client,
    WorkflowQueryFailedError,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.service import RPCError, RPCStatusCode

from reclamations.db.engine import SessionFactory
from reclamations.db.models import ComplaintRow, EventRow, LetterRow
from reclamations.db.queue import QueueFilters, QueuePage, queue_page
from reclamations.db.references import next_reference
from reclamations.db.register import register_lines
from reclamations.domain.access import (
    Principal,
    can_read_content,
    may,
    may_assign_to,
    may_read_complaints,
    may_read_register,
    may_register,
    may_see,
    sees_everything,
)
from reclamations.domain.actions import (
    ACTION_LABELS,
    ACTIONS,
    Action,
    AddDocument,
    Answer,
    Assign,
    Typing,
)
from reclamations.domain.calendar import timezone_of
from reclamations.domain.clock import local_date
from reclamations.domain.complaint import Complaint, Event
from reclamations.domain.content import (
    FROM_OUTSIDE,
    SEALED_FROM_OUTSIDE,
    is_sealed,
    looks_sealed,
    map_content,
)
from reclamations.domain.entities import DEFAULT_ENTITIES, Entities
from reclamations.domain.errors import (
    Closed,
    FieldError,
    Forbidden,
    Invalid,
    NotFound,
    Refused,
    ServiceError,
    Unavailable,
    describe_errors,
)
from reclamations.domain.files import (
    DEFAULT_FILE_LIMITS,
    UNTAKEN_FILE,
    FileFacts,
    FileLimits,
    MediaType,
    dossier_problem,
    file_problem,
    safe_file_name,
    sniff,
)
from reclamations.domain.intake import Complainant, ComplaintIntake, DocumentKind, parse_intake
from reclamations.domain.planning import plan_complaint
from reclamations.domain.policy import Policy
from reclamations.domain.register import RegisterLine
from reclamations.domain.typology import DEFAULT_TYPOLOGY, Typology
from reclamations.security.envelopes import UnreadableFile, is_enveloped, open_file, seal_file
from reclamations.security.keyring import Keyring
from reclamations.security.sealing import (
    UNREADABLE,
    Unreadable,
    open_content,
    open_sealed,
    seal_content,
)
from reclamations.storage.files import FileMissing, FileStore, StoreUnavailable, file_key
from reclamations.workflows.client import (
    ComplaintHandle,
    complaint_state,
    execute_action,
    refusal_reason,
    signal_action,
    start_complaint,
)
from reclamations.workflows.complaint import ComplaintWorkflow
from reclamations.workflows.messages import workflow_id

logger = logging.getLogger(__name__)

WITHHELD = "[réservé au Médecin Conseil]"
MEDICAL_ONLY = "Réclamation médicale : réservée au Médecin Conseil."
UNAVAILABLE = "Temporal est indisponible : rien n'a été enregistré, réessayez."

# Query failures after which the record answers: the workflow is gone, or no worker answers.
ANSWERED_BY_THE_RECORD = (
    RPCStatusCode.NOT_FOUND,
    RPCStatusCode.FAILED_PRECONDITION,
    RPCStatusCode.DEADLINE_EXCEEDED,
)

ReferenceAllocator = Callable[[int], Awaitable[str]]
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Registered:
    """The answer to an intake: the deadlines are those frozen in the running complaint."""

    reference: str
    created: bool
    acknowledgement_due: date | None
    quality_target_due: date | None
    final_due: date | None
    # The complaint's version once registered with its files: what the record will show.
    version: int = 1
    files_pending: int = 0  # files stored but not joined: to join again from the page


@dataclass(frozen=True)
class Reading:
    """A complaint as one principal may see it: its content opened when they may read it,
    withheld otherwise, and the actions they may take on it now."""

    complaint: Complaint
    readable: bool
    actions: list[str]


FIGURES_ONLY_MESSAGE = (
    "Le rôle conformité lit le tableau de bord et le registre, jamais les réclamations elles-mêmes."
)


@dataclass(frozen=True)
class Upload:
    """A file as it arrives: its given name, its content, the kind of document it is."""

    name: str
    content: bytes
    kind: str = "other"


@dataclass(frozen=True)
class DocumentFile:
    name: str
    media_type: MediaType
    content: bytes


@dataclass(frozen=True)
class Dossier:
    """A complaint's page: the reading, its record and its letters."""

    row: ComplaintRow
    reading: Reading
    events: list[Event]
    letters: list[LetterRow]


@dataclass(frozen=True)
class Letter:
    row: LetterRow
    body: str


class ComplaintService:
    def __init__(
        self,
        client: Client,
        sessions: SessionFactory,
        keyring: Keyring,
        policy: Policy,
        task_queue: str,
        allocate_reference: ReferenceAllocator | None = None,
        files: FileStore | None = None,
        file_limits: FileLimits = DEFAULT_FILE_LIMITS,
        typology: Typology = DEFAULT_TYPOLOGY,
        entities: Entities | None = None,
    ) -> None:
        self.typology = typology
        self.entities = entities or DEFAULT_ENTITIES
        self._files = files
        self._file_limits = file_limits
        self._client = client
        self._sessions = sessions
        self._keyring = keyring
        self._policy = policy
        self._task_queue = task_queue
        self._allocate = allocate_reference or (lambda year: next_reference(sessions, year))

    # -- registering ---------------------------------------------------------------------------

    async def register(
        self,
        principal: Principal,
        data: Any,
        now: datetime | None = None,
        uploads: Sequence[Upload] = (),
    ) -> Registered:
        """Validate an intake from outside, give it a reference if it has none, seal a medical
        complaint's content and start its workflow. A reference the sender chose that exists
        already starts nothing new and answers with that complaint's frozen deadlines. The
        `uploads` (the mail room's scan and attachments) join it as documents, by whoever
        registered it: checked before anything starts."""
        if not may_register(principal.role):
            raise Forbidden("Votre rôle ne permet pas d'enregistrer une réclamation.")
        now = now or datetime.now(UTC)
        data, problems = self._with_entity(data)
        calendar = data.get("calendar", "national") if isinstance(data, dict) else "national"
        today = local_date(now, timezone_of(str(calendar)))
        # Every problem at once, the entity's, the fields' and the files' (README, "the intake
        # contract"): the sender mends them in one go.
        intake: ComplaintIntake | None = None
        try:
            intake = parse_intake(data, today=today)
        except ValidationError as error:
            problems += describe_errors(error)
        try:
            checked = self._checked_uploads(uploads, [])
        except Invalid as error:
            problems += error.errors
        if problems or intake is None:
            raise Invalid(problems)
        reference = intake.reference or await self._allocate(today.year)
        # A generated reference that Temporal already knows (a database restored from an
        # older backup, say) is skipped for the next number.
        for _ in range(20):
            sealed = seal_content(self._keyring, reference, intake) if intake.medical else intake
            try:
                # Files are stored before the complaint starts (once it has started, nothing
                # may make the mail room register it twice), under a reference still free.
                created = not (checked and await self._taken(reference))
                if created:
                    for upload, facts in checked:
                        await self._store(reference, intake.medical, upload, facts)
                    _, created = await start_complaint(
                        self._client, reference, sealed, self._task_queue, principal.name
                    )
            except RPCError as error:
                raise Unavailable(UNAVAILABLE) from error
            if created:
                plan = plan_complaint(intake, self._policy)
                complaint = Complaint.open(reference, intake, plan, now)
                version, pending = complaint.version, 0
                for upload, facts in checked:
                    try:
                        state = await self._attach(
                            principal, reference, intake.medical, upload, facts
                        )
                    except ServiceError as error:
                        # Registered all the same: the agent joins the file again from its page.
                        logger.warning(
                            "Fichier non joint à %s à l'enregistrement (%s)",
                            reference,
                            type(error).__name__,
                        )
                        pending += 1
                    else:
                        version = state.version
                registered = _registered(complaint, created=True)
                return dataclasses.replace(registered, version=version, files_pending=pending)
            if intake.reference is not None:
                return _registered(await self._frozen(reference), created=False)
            reference = await self._allocate(today.year)
        raise Unavailable("Aucune référence libre après 20 essais : rien n'a été enregistré.")

    def _with_entity(self, data: Any) -> tuple[Any, list[FieldError]]:
        """rule 19: the intake names its entity, the first one by default, and takes
        that entity's calendar unless it gives one; an unknown entity is a problem beside the
        others."""
        if not isinstance(data, dict):
            return data, []  # refused as a whole by the intake's validation
        given = data.get("entity")
        entity = self.entities.get(given) if given is None or isinstance(given, str) else None
        if entity is None:
            known = ", ".join(e.code for e in self.entities.entities)
            return data, [FieldError("entity", f"entité inconnue (connues : {known})")]
        return {"calendar": entity.calendar, **data, "entity": entity.code}, []

    async def _taken(self, reference: str) -> bool:
        """Whether a complaint of that reference was ever started."""
        try:
            await self._handle(reference).describe()
        except RPCError as error:
            if error.status == RPCStatusCode.NOT_FOUND:
                return False
            raise
        return True

    async def _frozen(self, reference: str) -> Complaint:
        """The running complaint, as its workflow planned it."""
        complaint = await self._stored(reference)
        if complaint is None:
            raise Unavailable(f"La réclamation {reference} existe mais ne répond pas : réessayez.")
        return complaint

    # -- reading -------------------------------------------------------------------------------

    async def read(self, principal: Principal, reference: str) -> Reading:
        complaint = await self._stored(reference)
        if complaint is None:
            raise NotFound(f"Aucune réclamation {reference}.")
        self._check_visible(principal, complaint.assignee)
        return self._reading(principal, complaint)

    async def dossier(self, principal: Principal, reference: str) -> Dossier:
        """A complaint's page, from the record the worker keeps."""
        async with self._sessions() as session:
            row = await session.get(ComplaintRow, reference)
            if row is None:
                raise NotFound(f"Aucune réclamation {reference}.")
            self._check_visible(principal, row.assignee)
            recorded = await _events(session, reference)
            letters = await session.scalars(
                select(LetterRow)
                .where(LetterRow.reference == reference)
                .order_by(LetterRow.sent_at)
            )
            letter_rows = list(letters)
        reading = self._reading(principal, Complaint.model_validate(row.snapshot))
        shown = [self._shown(principal, reading.complaint, event) for event in recorded]
        return Dossier(row=row, reading=reading, events=shown, letters=letter_rows)

    async def figures(
        self,
        principal: Principal,
        sent_from: date | None,
        sent_to: date | None,
        entity: str | None = None,
    ) -> list[RegisterLine]:
        """rules 13, 17 and 19: the register's lines (figures, never content), for
        compliance and supervisors, of one entity when given."""
        if not may_read_register(principal.role):
            raise Forbidden("Le registre est pour la conformité et les superviseurs.")
        return await register_lines(self._sessions, sent_from, sent_to, self.entity_filter(entity))

    def entity_filter(self, code: str | None) -> tuple[str, bool] | None:
        """(code, whether it is the default entity) for a filter; None for all entities."""
        if not code:
            return None
        if self.entities.get(code) is None:
            raise Invalid([FieldError("entity", "entité inconnue")])
        return code, code == self.entities.default.code

    async def queue(self, principal: Principal, filters: QueueFilters, page: int) -> QueuePage:
        """The queue this principal sees, each subject opened or withheld by the same rules."""
        if not may_read_complaints(principal.role):
            raise Forbidden(FIGURES_ONLY_MESSAGE)
        if not sees_everything(principal.role):
            filters = dataclasses.replace(filters, only_for=principal.name)
        if filters.entity:
            _, is_default = self.entity_filter(filters.entity) or ("", False)
            filters = dataclasses.replace(filters, entity_is_default=is_default)
        result = await queue_page(self._sessions, filters, page)
        rows = []
        for row in result.rows:
            if not can_read_content(principal.role, row.medical):
                row = dataclasses.replace(row, complainant_name=None, subject=None)
            elif row.medical:
                row = dataclasses.replace(
                    row,
                    subject=self._open(row.reference, row.subject or ""),
                    complainant_name=self._open(row.reference, row.complainant_name or ""),
                )
            rows.append(row)
        return dataclasses.replace(result, rows=rows)

    async def letter(
        self, principal: Principal, reference: str, kind: str, sequence: int
    ) -> Letter:
        async with self._sessions() as session:
            row = await session.get(ComplaintRow, reference)
            letter = await session.get(LetterRow, (reference, kind, sequence))
        if row is None:
            raise NotFound(f"Aucune réclamation {reference}.")
        self._check_visible(principal, row.assignee)
        if not can_read_content(principal.role, row.medical):
            raise Forbidden("Courrier médical : réservé au Médecin Conseil.")
        if letter is None:
            raise NotFound("Courrier introuvable.")
        body = self._open(reference, letter.body) if row.medical else letter.body
        return Letter(row=letter, body=body)

    # -- acting --------------------------------------------------------------------------------

    async def act(
        self,
        principal: Principal,
        reference: str,
        name: str,
        fields: dict[str, Any],
    ) -> Reading:
        """Carry out an action as a validated update: the new state as the principal may see
        it, or Refused with the complaint's own reason."""
        handle, action = await self._prepared(principal, reference, name, fields)
        return self._reading(principal, await self._execute(reference, handle, action))

    async def _execute(self, reference: str, handle: ComplaintHandle, action: Action) -> Complaint:
        try:
            return await execute_action(handle, action)
        except WorkflowUpdateFailedError as refused:
            raise Refused(refusal_reason(refused)) from None
        except WorkflowUpdateRPCTimeoutOrCancelledError:
            raise Unavailable(
                "Temporal n'a pas répondu à temps : vérifiez la réclamation avant de réessayer."
            ) from None
        except RPCError as error:
            raise await self._temporal_error(reference, error) from error

    async def signal(
        self, principal: Principal, reference: str, name: str, fields: dict[str, Any]
    ) -> None:
        """The same action, fire-and-forget (back-office systems): a refusal is recorded on
        the complaint rather than answered."""
        handle, action = await self._prepared(principal, reference, name, fields)
        try:
            await signal_action(handle, action)
        except RPCError as error:
            raise await self._temporal_error(reference, error) from error

    async def add_file(
        self,
        principal: Principal,
        reference: str,
        upload: Upload,
        on_behalf_of: str | None = None,
    ) -> Reading:
        """rule 16: a file joins the complaint as a document. The same file twice is
        one file and one document: sent again, it changes nothing."""
        return await self.add_files(principal, reference, [upload], on_behalf_of)

    async def add_files(
        self,
        principal: Principal,
        reference: str,
        uploads: Sequence[Upload],
        on_behalf_of: str | None = None,
    ) -> Reading:
        """Files that join the complaint together (a page's choice of files): refused as a
        whole, before any is stored, when they would not fit beside those it holds. The limits
        themselves hold in the workflow, which takes each file in turn (`_attach`): uploads
        arriving at once are refused there, never let through by a reading already stale."""
        medical = await self._allowed(principal, reference, "add_document")
        reading = await self.read(principal, reference)
        files = [d.file for d in reading.complaint.documents if d.file]
        held = {file.sha256 for file in files}
        new = [u for u in uploads if hashlib.sha256(u.content).hexdigest() not in held]
        if not new:
            return reading
        if "add_document" not in reading.actions:
            raise Refused("Cette réclamation ne prend plus de document.")
        state = reading.complaint
        for checked, facts in self._checked_uploads(new, [file.size for file in files]):
            await self._store(reference, medical, checked, facts)
            state = await self._attach(principal, reference, medical, checked, facts, on_behalf_of)
        return self._reading(principal, state)

    def _checked_uploads(
        self, uploads: Sequence[Upload], held: list[int]
    ) -> list[tuple[Upload, FileFacts]]:
        """Each file's type read from its content, its size bounded, its kind known, and all
        of them beside the `held` files' sizes: every refusal at once, before anything is
        stored or started."""
        if uploads and self._files is None:
            raise Unavailable("Aucun stockage de fichiers n'est configuré.")
        checked: list[tuple[Upload, FileFacts]] = []
        problems: list[FieldError] = []
        for number, upload in enumerate(uploads, start=1):
            media, size = sniff(upload.content), len(upload.content)
            problem = file_problem(media, size, self._file_limits)
            if upload.kind not in DocumentKind.__members__:
                problem = "nature de document inconnue"
            if looks_sealed(upload.name):
                # rule 11: a file's given name is text from outside like any other.
                problem = SEALED_FROM_OUTSIDE
            if problem is not None or media is None:
                # Named by its place, never by its name (a medical file's name is content).
                field = "file" if len(uploads) == 1 else f"fichier {number}"
                problems.append(FieldError(field, problem or UNTAKEN_FILE))
                continue
            digest = hashlib.sha256(upload.content).hexdigest()
            checked.append((upload, FileFacts(sha256=digest, media_type=media, size=size)))
        unique = {facts.sha256: facts.size for _, facts in checked}
        together = dossier_problem([*held, *unique.values()], self._file_limits)
        if together and not problems:
            problems.append(FieldError("file" if len(uploads) == 1 else "files", together))
        if problems:
            raise Invalid(problems)
        return checked

    async def _store(self, reference: str, medical: bool, upload: Upload, facts: FileFacts) -> None:
        """The file in the store, encrypted for a medical complaint (rule 16)."""
        assert self._files is not None  # _checked_uploads made sure
        key = file_key(reference, facts.sha256)
        content = seal_file(self._keyring, upload.content, key) if medical else upload.content
        try:
            await self._files.put(key, content)
        except StoreUnavailable as error:
            raise Unavailable(f"Stockage des fichiers indisponible : {error}.") from None

    async def _attach(
        self,
        principal: Principal,
        reference: str,
        medical: bool,
        upload: Upload,
        facts: FileFacts,
        on_behalf_of: str | None = None,
    ) -> Complaint:
        """Add the document of a stored file to the complaint."""
        document = {"name": safe_file_name(upload.name, facts.media_type), "kind": upload.kind}
        fields: dict[str, Any] = {"document": document}
        if on_behalf_of:
            fields["on_behalf_of"] = on_behalf_of
        action = _action_from(principal, AddDocument, fields).model_copy(
            update={"file": facts, "limits": self._file_limits}
        )
        if medical:
            action = seal_content(self._keyring, reference, action)
        return await self._execute(reference, self._handle(reference), action)

    async def document_file(
        self, principal: Principal, reference: str, sha256: str
    ) -> DocumentFile:
        """A document's file, for whoever may read the complaint's content; a medical one
        only as it was stored, encrypted."""
        reading = await self.read(principal, reference)
        if not reading.readable:
            raise Forbidden(MEDICAL_ONLY)
        found = next(
            (d for d in reading.complaint.documents if d.file and d.file.sha256 == sha256), None
        )
        if found is None or found.file is None or self._files is None:
            raise NotFound("Aucun fichier de ce document dans la réclamation.")
        key = file_key(reference, sha256)
        try:
            stored = await self._files.get(key)
            if reading.complaint.medical and not is_enveloped(stored):
                raise UnreadableFile("fichier médical stocké en clair")
            content = open_file(self._keyring, stored, key) if is_enveloped(stored) else stored
        except (FileMissing, UnreadableFile, StoreUnavailable):
            raise Unavailable("Le fichier de ce document est introuvable ou illisible.") from None
        if hashlib.sha256(content).hexdigest() != sha256:
            raise Unavailable("Le fichier de ce document a été altéré : il n'est pas servi.")
        name = safe_file_name(found.name, found.file.media_type)
        return DocumentFile(name=name, media_type=found.file.media_type, content=content)

    async def _allowed(self, principal: Principal, reference: str, name: str) -> bool:
        """Whether the complaint is medical, once `principal` may do `name` on it."""
        medical, assignee = await self._routing(reference)
        self._check_visible(principal, assignee)
        if not may(principal.role, name, medical):
            raise Forbidden(
                MEDICAL_ONLY
                if not can_read_content(principal.role, medical)
                else f"Votre rôle ne permet pas l'action « {ACTION_LABELS[name]} »."
            )
        return medical

    async def _prepared(
        self, principal: Principal, reference: str, name: str, fields: dict[str, Any]
    ) -> tuple[ComplaintHandle, Action]:
        model = ACTIONS.get(name)
        if model is None:
            raise NotFound(f"Action inconnue : {name} (possibles : {', '.join(ACTIONS)}).")
        medical = await self._allowed(principal, reference, name)
        action = _action_from(principal, model, fields)
        self._check_codes(action)
        if isinstance(action, Assign) and not may_assign_to(principal, action.assignee):
            raise Forbidden(
                "Un chargé de clientèle ne peut attribuer une réclamation qu'à lui-même."
            )
        if medical:
            action = seal_content(self._keyring, reference, action)
        return self._handle(reference), action

    def _check_codes(self, action: Action) -> None:
        """rule 17: the typology's codes are those of the insurer's lists."""
        codes: dict[str, str | None] = {}
        if isinstance(action, Typing):
            codes = {"product_line": action.product_line, "reason": action.reason}
            codes["sub_reason"] = action.sub_reason
        if isinstance(action, Answer):
            codes["root_cause"] = action.root_cause
        problems = self.typology.problems(**codes)
        if problems:
            raise Invalid([FieldError(field, why) for field, why in problems])

    def _handle(self, reference: str) -> ComplaintHandle:
        handle: ComplaintHandle = self._client.get_workflow_handle_for(
            ComplaintWorkflow.run, workflow_id(reference)
        )
        return handle

    async def _temporal_error(self, reference: str, error: RPCError) -> Exception:
        if error.status == RPCStatusCode.NOT_FOUND:
            if await self._stored(reference) is not None:
                return Closed("La réclamation est close : plus aucune action.")
            return NotFound(f"Aucune réclamation {reference}.")
        return Unavailable(UNAVAILABLE)

    # -- the complaint, opened or withheld -----------------------------------------------------

    async def _routing(self, reference: str) -> tuple[bool, str | None]:
        """(medical, assignee): from the record, or from the workflow of a complaint so new
        that the record does not have it yet."""
        async with self._sessions() as session:
            row = await session.get(ComplaintRow, reference)
        if row is not None:
            return row.medical, row.assignee
        complaint = await self._stored(reference)
        if complaint is None:
            raise NotFound(f"Aucune réclamation {reference}.")
        return complaint.medical, complaint.assignee

    async def _stored(self, reference: str) -> Complaint | None:
        """The complaint from its workflow (waiting a moment for one registered just now to
        plan its deadlines), or from the record once the workflow is gone or has no worker to
        answer."""
        for _ in range(100):
            try:
                state = await complaint_state(self._client, reference)
            except WorkflowQueryFailedError:
                return await self._recorded(reference)
            except RPCError as error:
                # Gone, or no worker to answer just now: the record says what is known.
                if error.status not in ANSWERED_BY_THE_RECORD:
                    raise Unavailable(UNAVAILABLE) from error
                return await self._recorded(reference)
            if state is not None:
                return state
            await asyncio.sleep(0.05)
        return await self._recorded(reference)

    async def _recorded(self, reference: str) -> Complaint | None:
        async with self._sessions() as session:
            row = await session.get(ComplaintRow, reference)
            if row is None:
                return None
            complaint = Complaint.model_validate(row.snapshot)
            complaint.events = await _events(session, reference)
        return complaint

    def _check_visible(self, principal: Principal, assignee: str | None) -> None:
        if not may_read_complaints(principal.role):
            raise Forbidden(FIGURES_ONLY_MESSAGE)
        if not may_see(principal, assignee):
            raise Forbidden(f"Cette réclamation est attribuée à {assignee}.")

    def _reading(self, principal: Principal, complaint: Complaint) -> Reading:
        readable = can_read_content(principal.role, complaint.medical)
        actions = [
            a for a in complaint.allowed_actions() if may(principal.role, a, complaint.medical)
        ]
        return Reading(
            complaint=self._shown(principal, complaint, complaint),
            readable=readable,
            actions=actions,
        )

    def _shown(self, principal: Principal, complaint: Complaint, model: M) -> M:
        """`model` (the complaint or a part of it) as `principal` may see it: nothing about a
        non-medical complaint is ever opened; a medical one is opened for the Médecin Conseil,
        withheld (with its complainant's identity) for everyone else."""
        if not complaint.medical:
            return model
        if not can_read_content(principal.role, True):
            return _withheld(model)
        opened, unreadable = open_content(self._keyring, complaint.reference, model)
        if unreadable:
            # Recorded without the values (rule 14): the page still shows.
            logger.warning(
                "Contenu scellé illisible dans %s : %s", complaint.reference, ", ".join(unreadable)
            )
        return opened

    def _open(self, reference: str, text: str) -> str:
        if not is_sealed(text):
            return text  # recorded before it was sealed at rest (a complainant's name)
        try:
            return open_sealed(self._keyring, reference, text)
        except Unreadable as error:
            logger.warning("Contenu scellé illisible dans %s (%s)", reference, error)
            return UNREADABLE


def _withheld(model: M) -> M:
    hidden = map_content(model, lambda _path, _text: WITHHELD)
    if isinstance(hidden, Complaint):
        intake = hidden.intake.model_copy(update={"complainant": Complainant(name=WITHHELD)})
        hidden = hidden.model_copy(update={"intake": intake})
    return hidden


async def _events(session: AsyncSession, reference: str) -> list[Event]:
    """The complaint's events as the record holds them (the snapshot leaves them out)."""
    rows = await session.scalars(
        select(EventRow).where(EventRow.reference == reference).order_by(EventRow.seq)
    )
    return [
        Event(
            seq=row.seq,
            at=row.at,
            type=row.type,
            actor=row.actor,
            summary=row.summary,
            note=row.note,
            on_behalf_of=row.on_behalf_of,
        )
        for row in rows
    ]


def _registered(complaint: Complaint, created: bool) -> Registered:
    plan = complaint.plan
    return Registered(
        reference=complaint.reference,
        created=created,
        acknowledgement_due=plan.acknowledgement_due,
        quality_target_due=complaint.quality_target_due,
        final_due=plan.final_due,
    )


def _action_from(principal: Principal, model: type[Action], fields: dict[str, Any]) -> Action:
    """The action as the principal does it: they are the actor; a name the caller gives
    (`actor` in older clients, or `on_behalf_of`) is kept as whom they acted for."""
    data = dict(fields)
    claimed = data.pop("actor", None)
    if claimed not in (None, "", principal.name) and "on_behalf_of" not in data:
        data["on_behalf_of"] = claimed
    data["actor"] = principal.name
    try:
        return model.model_validate(data, context={FROM_OUTSIDE: True})
    except ValidationError as error:
        raise Invalid(describe_errors(error)) from None
