"""Planning a complaint's deadlines where the door did not: a start from a door of 1.0.0, which
sent no plan, or one whose first task a worker of 1.0.0 ran (workflows/patches.py, DOOR_PLANS).
A local activity: its result is kept in the workflow's history, so later holiday data never
changes a running complaint."""

from __future__ import annotations

from temporalio import activity

from reclamations.activities.failures import without_content
from reclamations.domain.planning import Plan, plan_complaint
from reclamations.domain.policy import Policy
from reclamations.workflows.messages import PLAN_ACTIVITY, PlanInput


class PlanningActivities:
    def __init__(self, policy: Policy) -> None:
        self._policy = policy

    @activity.defn(name=PLAN_ACTIVITY)
    @without_content
    async def plan(self, data: PlanInput) -> Plan:
        return plan_complaint(data.intake, self._policy)
