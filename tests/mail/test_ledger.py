"""The mail ledger on real SQLite and PostgreSQL: one row per key, the first reference stands,
replies counted until their agent opens the complaint."""

from __future__ import annotations

from datetime import UTC, datetime

from reclamations.db.models import MailMessageRow
from reclamations.mail import ledger
from reclamations.mail.ledger import Disposition

NOW = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)


def row(key: str, disposition: Disposition = Disposition.complaint, **fields) -> MailMessageRow:
    values = {
        "key": key,
        "key_source": "message-id",
        "sha256": "0" * 64,
        "size": 10,
        "disposition": disposition.value,
        "done": False,
        "medical": False,
        "source": "smtp",
        "arrived_at": NOW,
        "recorded_at": NOW,
        **fields,
    }
    return MailMessageRow(**values)


async def test_a_key_is_claimed_once(sessions):
    first, fresh = await ledger.claim(sessions, row("a" * 64))
    again, fresh_again = await ledger.claim(sessions, row("a" * 64, Disposition.aside))
    assert (fresh, fresh_again) == (True, False)
    assert again.disposition is Disposition.complaint  # what was decided the first time
    assert first == again


async def test_the_first_reference_written_stands(sessions):
    await ledger.claim(sessions, row("b" * 64))
    assert await ledger.set_reference(sessions, "b" * 64, "REC-2026-000001") == "REC-2026-000001"
    assert await ledger.set_reference(sessions, "b" * 64, "REC-2026-000002") == "REC-2026-000001"


async def test_replies_are_new_until_their_complaint_is_opened(sessions):
    for number, key in enumerate(("c" * 64, "d" * 64, "e" * 64)):
        await ledger.claim(
            sessions, row(key, Disposition.correspondence, reference="REC-2026-000009")
        )
        if number < 2:  # the third is not settled yet: not shown
            await ledger.settle(sessions, key, Disposition.correspondence)
    assert await ledger.unread(sessions, ["REC-2026-000009", "REC-2026-000010"]) == {
        "REC-2026-000009": 2
    }
    await ledger.mark_seen(sessions, "REC-2026-000009", NOW)
    assert await ledger.unread(sessions, ["REC-2026-000009"]) == {}
