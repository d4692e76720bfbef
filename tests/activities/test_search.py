"""The search index on SQLite and PostgreSQL (issue 29): written with the record, nothing
readable stored, a medical complainant's identity found by the Médecin Conseil's search only."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import delete, select, text

from reclamations.activities.records import RecordActivities
from reclamations.activities.search_index import reindex
from reclamations.db import search as db_search
from reclamations.db.models import SearchTokenRow
from reclamations.db.search import LIMIT, NARROW, Scope, erase_tokens, search
from reclamations.domain.actions import Assign
from reclamations.domain.search import MatchKind, parse_query
from reclamations.security.blind_index import BlindIndex
from reclamations.security.keyring import Keyring
from reclamations.workflows.messages import RecordInput
from tests.activities.conftest import NOW, a_complaint

EVERYONE = Scope(medical_identities=False, only_for=None)
DOCTOR = Scope(medical_identities=True, only_for=None)


async def record(sessions, keyring, complaint):
    await RecordActivities(sessions, keyring).record(
        RecordInput(complaint=complaint, events=complaint.events, at=NOW)
    )


async def find(sessions, keyring, words, scope=EVERYONE):
    hits, _ = await search(sessions, BlindIndex(keyring), parse_query(words), scope)
    return {hit.reference: {key.kind for key in hit.matched} for hit in hits}


async def test_a_complaint_is_found_by_name_reference_number_email_and_member(sessions, keyring):
    complaint = a_complaint(
        "REC-2026-000042",
        complainant={
            "name": "Hélène Garnier",
            "email": "helene.garnier@example.fr",
            "member_number": "MB-7781",
        },
    )
    await record(sessions, keyring, complaint)
    await record(sessions, keyring, a_complaint("REC-2026-000043"))  # another Hélène Garnier
    paul = {"name": "Paul Durand", "email": "p@example.fr"}
    await record(sessions, keyring, a_complaint("REC-2026-000044", complainant=paul))
    assert await find(sessions, keyring, "garnier HELENE") == {
        "REC-2026-000042": {MatchKind.name},
        "REC-2026-000043": {MatchKind.name},
    }
    assert await find(sessions, keyring, "Granier") == {
        "REC-2026-000042": {MatchKind.name},
        "REC-2026-000043": {MatchKind.name},
    }
    assert await find(sessions, keyring, "rec-2026-000042") == {
        "REC-2026-000042": {MatchKind.reference}
    }
    assert await find(sessions, keyring, "42") == {"REC-2026-000042": {MatchKind.reference}}
    assert await find(sessions, keyring, "Helene.Garnier@example.fr") == {
        "REC-2026-000042": {MatchKind.email},
        "REC-2026-000043": {MatchKind.email},
    }
    assert await find(sessions, keyring, "mb 7781") == {
        "REC-2026-000042": {MatchKind.member_number}
    }
    assert await find(sessions, keyring, "Durant paul") == {"REC-2026-000044": {MatchKind.name}}
    assert await find(sessions, keyring, "Dupont") == {}


async def test_nothing_readable_is_stored_and_a_retry_writes_nothing_new(sessions, keyring):
    complaint = a_complaint(
        complainant={"name": "Hélène Garnier", "email": "hg@example.fr", "member_number": "MB-7781"}
    )
    await record(sessions, keyring, complaint)
    async with sessions() as session:
        first = (await session.scalars(select(SearchTokenRow.token))).all()
    await record(sessions, keyring, complaint)
    async with sessions() as session:
        again = (await session.scalars(select(SearchTokenRow.token))).all()
        stored = (await session.execute(text("SELECT * FROM search_tokens"))).mappings().all()
    assert sorted(first) == sorted(again) and len(first) > 10
    # A token is a keyed digest, nothing else: hex digits that may spell "7781" by chance
    # (about once in a hundred runs), never a name's letters.
    assert all(re.fullmatch("[0-9a-f]{32}", row["token"]) for row in stored)
    beside = " ".join(str(v) for row in stored for k, v in row.items() if k != "token")
    for clear in ("garnier", "helene", "hélène", "7781", "example"):
        assert clear not in beside.casefold()


async def test_a_medical_identity_is_found_by_the_medecin_conseil_alone(sessions, keyring):
    medical = a_complaint(
        "REC-2026-000050",
        medical=True,
        complainant={
            "name": "Hélène Garnier",
            "email": "helene.garnier@example.fr",
            "postal_address": "12 rue des Tilleuls\n69003 Lyon",
        },
    )
    await record(sessions, keyring, medical)
    assert await find(sessions, keyring, "Hélène Garnier") == {}
    assert await find(sessions, keyring, "helene.garnier@example.fr") == {}
    assert await find(sessions, keyring, "Hélène Garnier", DOCTOR) == {
        "REC-2026-000050": {MatchKind.name}
    }
    # Its reference is not its identity: whoever sees the complaint finds it by reference.
    assert await find(sessions, keyring, "REC-2026-000050") == {
        "REC-2026-000050": {MatchKind.reference}
    }


async def test_an_agent_finds_only_unassigned_complaints_and_their_own(sessions, keyring):
    mine, theirs = a_complaint("REC-2026-000001"), a_complaint("REC-2026-000002")
    mine.apply(Assign(actor="sup", assignee="camille"), NOW)
    theirs.apply(Assign(actor="sup", assignee="hugo"), NOW)
    await record(sessions, keyring, mine)
    await record(sessions, keyring, theirs)
    await record(sessions, keyring, a_complaint("REC-2026-000003"))
    camille = Scope(medical_identities=False, only_for="camille")
    assert set(await find(sessions, keyring, "Garnier", camille)) == {
        "REC-2026-000001",
        "REC-2026-000003",
    }


async def test_a_rotated_keyring_still_finds_older_tokens(sessions, keyring):
    await record(sessions, keyring, a_complaint())
    rotated = Keyring("k2", {"k2": Keyring.generate("k2").keys["k2"], **keyring.keys})
    assert set(await find(sessions, rotated, "Garnier")) == {"REC-2026-000042"}


@pytest.mark.parametrize("narrow", [NARROW, 2])
async def test_many_matches_show_the_newest_and_say_there_are_more(
    sessions, keyring, narrow, monkeypatch
):
    """The newest first, and a word that there are more: beyond LIMIT, or beyond the NARROW
    newest candidates read."""
    monkeypatch.setattr(db_search, "NARROW", narrow)
    for n in range(LIMIT + 3):
        complaint = a_complaint(f"REC-2026-{n:06d}")
        complaint.registered_at = NOW + timedelta(minutes=n)
        await record(sessions, keyring, complaint)
    hits, more = await search(sessions, BlindIndex(keyring), parse_query("Garnier"), EVERYONE)
    shown = min(LIMIT, narrow)
    assert more
    newest = range(LIMIT + 2, LIMIT + 2 - shown, -1)
    assert [hit.reference for hit in hits] == [f"REC-2026-{n:06d}" for n in newest]


async def test_erasing_a_complaint_removes_its_tokens(sessions, keyring):
    await record(sessions, keyring, a_complaint())
    async with sessions.begin() as session:
        await erase_tokens(session, "REC-2026-000042")
    assert await find(sessions, keyring, "Garnier") == {}


async def test_reindexing_finds_complaints_recorded_before_the_index(sessions, keyring):
    medical = a_complaint("REC-2026-000050", medical=True)
    for complaint in (a_complaint(), medical):
        await record(sessions, keyring, complaint)
    async with sessions.begin() as session:
        await session.execute(delete(SearchTokenRow))  # as before the upgrade to 0011
    assert await find(sessions, keyring, "Garnier", DOCTOR) == {}
    assert await reindex(sessions, keyring) == 2
    assert await reindex(sessions, keyring) == 2  # again: the same index
    assert set(await find(sessions, keyring, "Garnier", DOCTOR)) == {
        "REC-2026-000042",
        "REC-2026-000050",
    }
    assert set(await find(sessions, keyring, "Garnier")) == {"REC-2026-000042"}
