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


# Empty at 1.0.0: no production run predates the first release (CHANGELOG.md).
PATCHES: tuple[Patch, ...] = ()

# An input a door of an earlier release sends, which the workflow still takes without a patch
# (the input itself says which branch runs, so replay never differs): since 1.1.0 the door
# plans a complaint and sends the plan with the start; a start without one is planned by the
# worker's local activity, as 1.0.0 did. By this day (1.1.0 plus the 18 months of a patch's
# `deprecate_after`) no such start can still be in its first run: that branch and the
# planning activity go (tests/workflows/test_patches.py fails from the day after).
UNPLANNED_STARTS_UNTIL = date(2028, 6, 6)


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
