"""Every workflow patch has an end (docs/versioning.md, workflows/patches.py): the registry's
dates are kept, and no patch is asked of Temporal but through the registry."""

import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from reclamations.workflows import patches
from reclamations.workflows.patches import PATCHES, Patch, overdue, patched

ROOT = Path(__file__).parents[2]
# Temporal's own calls, or an import of them, anywhere but in the registry's helper.
DIRECT = re.compile(
    r"workflow\.(patched|deprecate_patch)\b|import[^\n]*\b(patched|deprecate_patch)\b"
)


def test_no_patch_is_past_its_date():
    owed = overdue(PATCHES, date.today())
    assert not owed, "workflow patches past their date (docs/versioning.md):\n" + "\n".join(owed)


def test_temporal_is_asked_for_patches_only_through_the_registry():
    helper = Path(patches.__file__).resolve()
    sources = [*(ROOT / "reclamations").rglob("*.py"), *(ROOT / "tests").rglob("*.py")]
    direct = [
        f"{path.relative_to(ROOT)}: {match[0]}"
        for path in sources
        if path.resolve() not in (helper, Path(__file__).resolve())
        for match in DIRECT.finditer(path.read_text(encoding="utf-8"))
    ]
    assert not direct, "use reclamations.workflows.patches.patched:\n" + "\n".join(direct)


def test_a_patch_not_in_the_registry_is_refused():
    with pytest.raises(LookupError, match=r"not in workflows/patches\.py"):
        patched("some-change-v1")


JANUARY = Patch(
    "some-change-v1",
    introduced=date(2027, 1, 4),
    deprecate_after=date(2027, 7, 4),
    remove_after=date(2028, 1, 4),
)


def test_a_patch_within_its_dates_owes_nothing():
    assert overdue((JANUARY,), date(2027, 7, 4)) == []


def test_a_patch_past_its_deprecation_date_must_be_deprecated():
    [owed] = overdue((JANUARY,), date(2027, 7, 5))
    assert owed.startswith("some-change-v1: deprecate it (past 2027-07-04)")
    deprecated = replace(JANUARY, deprecated=True)
    assert overdue((deprecated,), date(2027, 7, 5)) == []


def test_a_patch_past_its_removal_date_must_go():
    deprecated = replace(JANUARY, deprecated=True)
    for patch in (JANUARY, deprecated):
        [owed] = overdue((patch,), date(2028, 1, 5))
        assert owed.startswith("some-change-v1: remove it (past 2028-01-04)")


def test_a_registry_out_of_order_is_refused():
    backwards = Patch("x", date(2027, 1, 4), date(2028, 1, 4), date(2027, 7, 4))
    assert overdue((backwards,), date(2027, 1, 4)) == [
        "x: its dates must follow introduced ≤ deprecate ≤ remove"
    ]
    assert (
        overdue((JANUARY, JANUARY), date(2027, 1, 4))
        == ["some-change-v1: entered more than once"] * 2
    )
