"""Registering a complaint: an intake from outside, validated, given a reference, sealed when
medical (rule 11), started as its workflow with the files that came with it."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pydantic import ValidationError
from temporalio.service import RPCError, RPCStatusCode

from reclamations.domain.access import Principal, may_register
from reclamations.domain.calendar import timezone_of
from reclamations.domain.clock import local_date
from reclamations.domain.complaint import Complaint
from reclamations.domain.errors import (
    FieldError,
    Forbidden,
    Invalid,
    ServiceError,
    Unavailable,
    describe_errors,
)
from reclamations.domain.files import FileFacts
from reclamations.domain.intake import ComplaintIntake, parse_intake
from reclamations.domain.planning import plan_complaint
from reclamations.security.sealing import seal_content
from reclamations.service.base import UNAVAILABLE
from reclamations.service.files import FilesPart, Upload
from reclamations.workflows.client import start_complaint

logger = logging.getLogger(__name__)
# How long an intake with files waits for a worker to open the complaint it started, to join
# them (milliseconds when one runs): past it, the sender hears it was registered, its files
# to join from its page.
OPENING_PATIENCE = timedelta(seconds=5)


@dataclass(frozen=True)
class Registered:
    """The answer to an intake: the deadlines are those frozen in the running complaint."""

    reference: str
    created: bool
    acknowledgement_due: date | None
    quality_target_due: date | None
    final_due: date | None
    # The complaint's version once registered with its files: what the record will show.
    version: int
    files_pending: int = 0  # files stored but not joined: to join again from the page


class RegisterPart(FilesPart):
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
        # Every problem at once, the entity's, the fields' and the files' (docs/api.md, "The
        # intake contract"): the sender mends them in one go.
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
        plan = plan_complaint(intake, self.policy)
        reference = intake.reference or await self._allocate(today.year)
        # A generated reference that Temporal already knows (a database restored from an
        # older backup, say) is skipped for the next number.
        for _ in range(20):
            keyring = await self._keyring_of(reference, intake.medical, create=True)
            sealed = seal_content(keyring, reference, intake) if intake.medical else intake
            try:
                # Files are stored before the complaint starts (once it has started, nothing
                # may make the mail room register it twice), under a reference still free.
                created = not (checked and await self._taken(reference))
                if created:
                    for upload, facts in checked:
                        await self._store(reference, intake.medical, upload, facts)
                    _, created = await start_complaint(
                        self._client, reference, sealed, plan, self._task_queue, principal.name
                    )
            except RPCError as error:
                raise Unavailable(UNAVAILABLE) from error
            if created:
                # rule 4: the deadlines planned here once and frozen in the workflow with its
                # start, as the workflow opens the complaint: the answer needs no worker.
                opened = Complaint.open(reference, sealed, plan, now, principal.name)
                complaint, pending = await self._join_files(principal, opened, checked)
                return _registered(complaint, created=True, files_pending=pending)
            if intake.reference is not None:
                return _registered(await self._frozen(reference), created=False)
            reference = await self._allocate(today.year)
        raise Unavailable("Aucune référence libre après 20 essais : rien n'a été enregistré.")

    async def _join_files(
        self, principal: Principal, opened: Complaint, checked: Sequence[tuple[Upload, FileFacts]]
    ) -> tuple[Complaint, int]:
        """The files that came with a complaint registered just now, joined by whoever
        registered it: (the complaint as it is then, how many files are not joined)."""
        if not checked:
            return opened, 0
        reference, medical = opened.reference, opened.intake.medical
        try:
            complaint = await self._stored(reference, OPENING_PATIENCE)
        except Unavailable:
            complaint = None
        if complaint is None:
            # No worker has opened it yet: registered all the same (a sender told to try again
            # would register it twice), its files counted as not joined, for the agent to join
            # from its page.
            return opened, len(checked)
        pending = 0
        for upload, facts in checked:
            try:
                complaint = await self._attach(principal, reference, medical, upload, facts)
            except ServiceError as error:
                # Registered all the same: the agent joins the file again from its page.
                logger.warning(
                    "Fichier non joint à %s à l'enregistrement (%s)",
                    reference,
                    type(error).__name__,
                )
                pending += 1
        return complaint, pending

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


def _registered(complaint: Complaint, created: bool, files_pending: int = 0) -> Registered:
    plan = complaint.plan
    return Registered(
        reference=complaint.reference,
        created=created,
        acknowledgement_due=plan.acknowledgement_due,
        quality_target_due=complaint.quality_target_due,
        final_due=plan.final_due,
        version=complaint.version,
        files_pending=files_pending,
    )
