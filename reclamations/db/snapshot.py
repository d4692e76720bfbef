"""The read model's snapshot of a complaint (`complaints.snapshot`): a contract of its own.

The workflow's state (`domain.complaint.Complaint`) may change with the workflow; the rows
already in the database do not. So the snapshot is versioned: `snapshot_of` writes the current
version from the domain model, `complaint_from` reads any version ever written, each older one
brought forward by its step in `UPGRADES`. The queue and the register read a few of its parts
without reading it whole (`PROMISES`, `promises_of`, `classification_of`, `mediation_of`):
those parts are named here, once, for every version.

Version 1: the complaint's state as its workflow held it, without its events (the events table
holds them), with no `schema_version` (rows written before issue 25). Version 2: the same, with
`schema_version`.

The two other contracts: the API's answers (`web/schemas.py`) and the workflow's own state
(`domain.complaint.Complaint`, its query, updates and continue-as-new input).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from pydantic import TypeAdapter

from reclamations.domain.complaint import AlarmKind, Classification, Complaint, MediationRecord

SCHEMA_VERSION = 2
VERSION_KEY = "schema_version"
PROMISES = "promises"  # the dates announced to the complainant (rule 6)

Stored = Mapping[str, Any]
DATES = TypeAdapter(list[date])


def _from_1(snapshot: dict[str, Any]) -> dict[str, Any]:
    """Version 2 names its version. Rows of version 1 may come from complaints of the rules
    editions 1.0.0 removed: their edition goes, and so do the alarms only those editions
    rang (the quality target's warning), which nothing reads any more."""
    known = {kind.value for kind in AlarmKind}
    rung = [kind for kind in snapshot.get("alarms_rung", []) if kind in known]
    return {**{k: v for k, v in snapshot.items() if k != "rules"}, "alarms_rung": rung}


# Each older version's step to the next one, walked in order up to SCHEMA_VERSION.
UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _from_1}


class UnknownSnapshot(ValueError):
    """A snapshot written by a newer release than this one."""


def snapshot_of(complaint: Complaint) -> dict[str, Any]:
    """The one mapping from the workflow's state to the stored snapshot (current version)."""
    return {VERSION_KEY: SCHEMA_VERSION, **complaint.model_dump(mode="json", exclude={"events"})}


def current(stored: Stored) -> dict[str, Any]:
    """The snapshot in the current version, whichever version wrote it."""
    snapshot = dict(stored)
    version = snapshot.pop(VERSION_KEY, 1)
    if not isinstance(version, int) or version > SCHEMA_VERSION:
        raise UnknownSnapshot(f"instantané de version {version} (connue : {SCHEMA_VERSION})")
    while version < SCHEMA_VERSION:
        snapshot = UPGRADES[version](snapshot)
        version += 1
    return snapshot


def complaint_from(stored: Stored) -> Complaint:
    """The complaint a stored snapshot holds, as the domain model (without its events)."""
    return Complaint.model_validate(current(stored))


def promises_of(stored: Stored) -> list[date]:
    return DATES.validate_python(current(stored).get(PROMISES) or [])


def classification_of(stored: Stored) -> Classification:
    return Classification.model_validate(current(stored).get("classification") or {})


def mediation_of(stored: Stored) -> MediationRecord | None:
    mediated = current(stored).get("mediation")
    return MediationRecord.model_validate(mediated) if mediated else None
