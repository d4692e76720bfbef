"""The workflow patches in force, each with its end (docs/versioning.md).

A change to workflow code that would alter the history of a run already open, where Worker
Versioning does not serve, goes behind a patch: `if patched("some-change-v1"): new else: old`.
The id must first be entered in `PATCHES` with its dates; `patched` refuses any other, so no
patch is used without an end. Its life, as Temporal's own mechanisms have it:
- `workflow.patched`: new runs take the new branch, runs begun before replay the old one;
- once no run begun before the patch is open (`deprecate_after`), the old branch goes and the
  entry says `deprecated=True`: `patched` then asks `workflow.deprecate_patch`, so runs with or
  without the marker both replay;
- once no history from before the patch need ever replay (`remove_after`), the entry and the
  call go.
tests/workflows/test_patches.py fails once a date has passed and the step is not taken.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from temporalio import workflow


@dataclass(frozen=True)
class Patch:
    id: str
    introduced: date  # the day of the release that brought it
    # By then no run begun before `introduced` is open: the old branch goes (deprecate_patch).
    deprecate_after: date
    # By then no history from before `introduced` need replay: the patch goes.
    remove_after: date
    deprecated: bool = False


# The door plans a complaint and sends the plan with the start (1.1.0). A run begun before
# (a start from a door of 1.0.0, or one whose first task a worker of 1.0.0 ran) planned in a
# local activity and replays so. When it is deprecated, the local activity, PlanInput and
# activities/planning.py go, and StartComplaint.plan becomes required.
DOOR_PLANS = "door-plans-v1"

# Empty at 1.0.0 (no production run predates the first release, CHANGELOG.md); since then:
PATCHES: tuple[Patch, ...] = (
    Patch(
        DOOR_PLANS,
        introduced=date(2026, 12, 6),
        deprecate_after=date(2028, 6, 6),
        remove_after=date(2029, 12, 6),
    ),
)


def patched(patch_id: str) -> bool:
    """Whether this run takes the new branch of the patch `patch_id` (always, once deprecated).
    The one place in the code that asks Temporal for a patch."""
    patch = next((p for p in PATCHES if p.id == patch_id), None)
    if patch is None:
        raise LookupError(f"patch {patch_id!r} is not in workflows/patches.py PATCHES")
    if patch.deprecated:
        workflow.deprecate_patch(patch_id)
        return True
    return workflow.patched(patch_id)


def overdue(registry: tuple[Patch, ...], today: date) -> list[str]:
    """What the registry owes by `today`, each as the step to take; empty when nothing."""
    owed: list[str] = []
    ids = [p.id for p in registry]
    for patch in registry:
        if ids.count(patch.id) > 1:
            owed.append(f"{patch.id}: entered more than once")
        if not patch.introduced <= patch.deprecate_after <= patch.remove_after:
            owed.append(f"{patch.id}: its dates must follow introduced ≤ deprecate ≤ remove")
        if today > patch.remove_after:
            owed.append(
                f"{patch.id}: remove it (past {patch.remove_after}): delete its entry and its "
                "patched() call, keeping the new branch; record the histories again"
            )
        elif today > patch.deprecate_after and not patch.deprecated:
            owed.append(
                f"{patch.id}: deprecate it (past {patch.deprecate_after}): delete the old "
                "branch and set deprecated=True (workflow.deprecate_patch)"
            )
    return owed
