"""The day's retention run (issue 28), for the daily Schedule: the complaints whose retention
ended are erased through the one door, acting as the retention rule itself (a compliance
principal named on the audit log), and erasures left interrupted are finished. Idempotent on
each complaint: one erased already is not found again; one under way is resumed."""

from __future__ import annotations

import logging

from sqlalchemy import select
from temporalio import activity

from reclamations.db.engine import SessionFactory
from reclamations.db.models import ComplaintRow, ErasureRow, LegalHoldRow
from reclamations.domain.access import Principal, Role
from reclamations.domain.calendar import timezone_of
from reclamations.domain.clock import local_date
from reclamations.domain.errors import ServiceError
from reclamations.domain.retention import CLOSED_STAGES, ErasureReason
from reclamations.service import ComplaintService
from reclamations.workflows.messages import RETENTION_ACTIVITY, RetentionInput, RetentionResult

logger = logging.getLogger(__name__)

RETENTION_RULE = Principal("durée-de-conservation", Role.compliance)
ASIDE_BATCH = 200


class RetentionActivities:
    def __init__(self, sessions: SessionFactory, service: ComplaintService) -> None:
        self._sessions = sessions
        self._service = service

    async def _due(self, day: RetentionInput) -> list[str]:
        """Closed complaints whose retention period ended, under no legal hold and not being
        erased already."""
        policy = self._service.retention
        async with self._sessions() as session:
            rows = await session.execute(
                select(
                    ComplaintRow.reference,
                    ComplaintRow.stage,
                    ComplaintRow.closed_at,
                    ComplaintRow.calendar,
                )
                .where(
                    ComplaintRow.stage.in_(CLOSED_STAGES),
                    ComplaintRow.closed_at.is_not(None),
                    ComplaintRow.reference.not_in(select(ErasureRow.reference)),
                    ComplaintRow.reference.not_in(select(LegalHoldRow.reference)),
                )
                .order_by(ComplaintRow.closed_at)
            )
            # Days of each complaint's own team, as its deadlines were counted.
            return [
                reference
                for reference, stage, closed_at, calendar in rows
                if closed_at
                and local_date(day.now, timezone_of(calendar))
                > policy.kept_until(local_date(closed_at, timezone_of(calendar)), stage)
            ]

    @activity.defn(name=RETENTION_ACTIVITY)
    async def apply(self, day: RetentionInput) -> RetentionResult:
        resumed = await self._service.pending_erasures()
        erased: list[str] = []
        failed: list[str] = []
        for reference in [*resumed, *await self._due(day)]:
            activity.heartbeat(reference)
            try:
                await self._service.erase(
                    RETENTION_RULE, reference, day.now, ErasureReason.retention, "schedule"
                )
            except ServiceError as error:
                # Said on the workflow's result and in the log; tried again tomorrow.
                logger.warning("Conservation : %s", error)
                failed.append(reference)
                continue
            if reference not in resumed:
                erased.append(reference)
        forgotten = 0
        try:
            # By batches, each said to Temporal: a first run may find months of it.
            while batch := await self._service.forget_set_aside(
                RETENTION_RULE, day.now, ASIDE_BATCH
            ):
                forgotten += batch
                activity.heartbeat(f"courrier mis de côté : {forgotten}")
                if batch < ASIDE_BATCH:
                    break
        except ServiceError as error:
            logger.warning("Conservation du courrier mis de côté : %s", error)  # tomorrow
        return RetentionResult(
            erased=erased, resumed=resumed, failed=failed, aside_mail_forgotten=forgotten
        )
