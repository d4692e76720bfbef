"""Acting on a complaint: an agent's or a back-office system's action, as the principal may
do it (rule 15), its codes those of the insurer's lists (rule 17), sealed when medical
(rule 11)."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from temporalio.service import RPCError

from reclamations.domain.access import Principal, can_read_content, may, may_assign_to
from reclamations.domain.actions import (
    ACTION_LABELS,
    ACTIONS,
    Action,
    Answer,
    Assign,
    MarkMedical,
    Typing,
)
from reclamations.domain.complaint.medical import CONTENT_CHANGED
from reclamations.domain.content import FROM_OUTSIDE
from reclamations.domain.errors import (
    Closed,
    FieldError,
    Forbidden,
    Invalid,
    NotFound,
    Refused,
    describe_errors,
)
from reclamations.security.sealing import seal_content
from reclamations.service.disclosure import MEDICAL_ONLY, Reading
from reclamations.service.medical import MedicalPart
from reclamations.workflows.client import ComplaintHandle, signal_action

# How often a marking as medical reads and seals the complaint again when it changed meanwhile.
MARKING_TRIES = 3


class ActPart(MedicalPart):
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
        if isinstance(action, MarkMedical):
            return await self._mark_medical(principal, reference, handle, action)
        state = await self._execute(reference, handle, action)
        return self._reading(principal, state, await self._keyring_of(reference, state.medical))

    async def _mark_medical(
        self, principal: Principal, reference: str, handle: ComplaintHandle, action: MarkMedical
    ) -> Reading:
        """rule 11: sealed in the workflow first (read again if the complaint changed between
        the sealing and the marking), then everywhere else. Asked again once it is medical (by
        the Médecin Conseil: no one else may then), it finishes what an interrupted sealing
        left, and changes nothing else."""
        medical, _ = await self._routing(reference)
        if medical:
            state = await self._frozen(reference)
        else:
            for attempt in range(1, MARKING_TRIES + 1):
                try:
                    marking = await self._sealed_marking(reference, action)
                    state = await self._execute(reference, handle, marking)
                    break
                except Closed:
                    state = await self._marked_on_record(reference, action)
                    break
                except Refused as refused:
                    if str(refused) != CONTENT_CHANGED or attempt == MARKING_TRIES:
                        raise
        await self.seal_marked(state)
        return self._reading(principal, state, await self._keyring_of(reference, True))

    async def signal(
        self, principal: Principal, reference: str, name: str, fields: dict[str, Any]
    ) -> None:
        """The same action, fire-and-forget (back-office systems): a refusal is recorded on
        the complaint rather than answered."""
        if ACTIONS.get(name) is MarkMedical:
            # Sealed from the complaint as it is, and sealed at rest after: never blind.
            await self.act(principal, reference, name, fields)
            return
        handle, action = await self._prepared(principal, reference, name, fields)
        try:
            await signal_action(handle, action)
        except RPCError as error:
            raise await self._temporal_error(reference, error) from error

    async def _allowed(self, principal: Principal, reference: str, name: str) -> bool:
        """Whether the complaint is medical, once `principal` may do `name` on it."""
        medical, assignee = await self._routing(reference)
        self._check_visible(principal, assignee, reference)
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
        action = action_from(principal, model, fields)
        self._check_codes(action)
        if isinstance(action, Assign) and not may_assign_to(principal, action.assignee):
            raise Forbidden(
                "Un chargé de clientèle ne peut attribuer une réclamation qu'à lui-même."
            )
        if medical:
            keyring = await self._keyring_of(reference, medical, create=True)
            action = seal_content(keyring, reference, action)
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


def action_from(principal: Principal, model: type[Action], fields: dict[str, Any]) -> Action:
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
