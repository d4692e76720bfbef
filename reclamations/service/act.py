"""Acting on a complaint: an agent's or a back-office system's action, as the principal may
do it (rule 15), its codes those of the insurer's lists (rule 17), sealed when medical
(rule 11)."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from temporalio.service import RPCError

from reclamations.domain.access import Principal, can_read_content, may, may_assign_to
from reclamations.domain.actions import ACTION_LABELS, ACTIONS, Action, Answer, Assign, Typing
from reclamations.domain.content import FROM_OUTSIDE
from reclamations.domain.errors import FieldError, Forbidden, Invalid, NotFound, describe_errors
from reclamations.security.sealing import seal_content
from reclamations.service.disclosure import MEDICAL_ONLY, Disclosure, Reading
from reclamations.workflows.client import ComplaintHandle, signal_action


class ActPart(Disclosure):
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
        state = await self._execute(reference, handle, action)
        return self._reading(principal, state, await self._keyring_of(reference, state.medical))

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
