"""Sealing, once, what was kept in clear before a medical complainant's identity was sealed at
rest (rule 11): the complaints' rows and snapshots, the letters' recipients and the paper
letters waiting in the outbox. `complaints db seal-identities` runs it after the upgrade to
0007; what is sealed already is left as it is, so running it again changes nothing.

The same for one complaint found medical after it was registered (issue 27): everything its
record kept in clear, content and identity (`seal_record_at_rest`, run by the door's marking,
service/medical.py)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reclamations.activities.letters.delivery import (
    letter_stem,
    posted_path,
    seal_posted,
    write_atomically,
)
from reclamations.db.engine import SessionFactory
from reclamations.db.models import ComplaintRow, EventRow, LetterRow
from reclamations.db.snapshot import complaint_from, snapshot_of
from reclamations.domain.content import is_sealed
from reclamations.domain.letters import Delivery
from reclamations.security.envelopes import is_enveloped
from reclamations.security.keyring import Keyring
from reclamations.security.sealing import seal, seal_identity, seal_unsealed


@dataclass(frozen=True)
class SealedAtRest:
    """How many of each were found in clear and sealed."""

    complaints: int = 0
    letters: int = 0
    files: int = 0


async def seal_identities_at_rest(
    sessions: SessionFactory, keyring: Keyring, outbox: Path
) -> SealedAtRest:
    complaints = letters = files = 0
    async with sessions.begin() as session:
        rows = await session.scalars(select(ComplaintRow).where(ComplaintRow.medical.is_(True)))
        for row in rows:
            recorded = complaint_from(row.snapshot)
            sealed = seal_identity(keyring, row.reference, recorded)
            if sealed is not recorded or not is_sealed(row.complainant_name):
                row.snapshot = snapshot_of(sealed)
                row.complainant_name = sealed.intake.complainant.name
                complaints += 1
        medical = select(ComplaintRow.reference).where(ComplaintRow.medical.is_(True))
        for letter in await session.scalars(
            select(LetterRow).where(LetterRow.reference.in_(medical))
        ):
            if not is_sealed(letter.recipient):
                letter.recipient = seal(keyring, letter.reference, letter.recipient)
                letters += 1
            path = posted_path(outbox, letter.reference, letter_stem(letter.kind, letter.sequence))
            if letter.delivery == Delivery.post and path.is_file():
                content = path.read_bytes()
                if not is_enveloped(content):
                    write_atomically(path, seal_posted(keyring, path, content))
                    files += 1
    return SealedAtRest(complaints=complaints, letters=letters, files=files)


async def seal_record_at_rest(
    session: AsyncSession, keyring: Keyring, reference: str, outbox: Path | None
) -> SealedAtRest:
    """Everything the record of `reference` holds in clear, sealed with `keyring` (its own):
    its row (marked medical, so that every reader from now on treats it as such) and snapshot,
    its events' notes, its letters' texts and recipients, its paper letters in the outbox.
    What is sealed already stays as it is: run again after a failure, it finishes the work."""
    complaints = letters = files = 0
    row = await session.get(ComplaintRow, reference)
    if row is not None:
        recorded = complaint_from(row.snapshot)
        sealed = seal_identity(keyring, reference, seal_unsealed(keyring, reference, recorded))
        row.medical = True
        if sealed is not recorded or not is_sealed(row.subject):
            row.snapshot = snapshot_of(sealed)
            row.complainant_name = sealed.intake.complainant.name
            row.subject = sealed.intake.subject
            complaints = 1
    for event in await session.scalars(select(EventRow).where(EventRow.reference == reference)):
        if event.note is not None and not is_sealed(event.note):
            event.note = seal(keyring, reference, event.note)
    for letter in await session.scalars(select(LetterRow).where(LetterRow.reference == reference)):
        texts = {"recipient": letter.recipient, "body": letter.body, "layout": letter.layout}
        clear = {name: text for name, text in texts.items() if text and not is_sealed(text)}
        for name, text in clear.items():
            setattr(letter, name, seal(keyring, reference, text))
        letters += bool(clear)
        if outbox is None or letter.delivery != Delivery.post:
            continue
        path = posted_path(outbox, reference, letter_stem(letter.kind, letter.sequence))
        if path.is_file() and not is_enveloped(content := path.read_bytes()):
            write_atomically(path, seal_posted(keyring, path, content))
            files += 1
    return SealedAtRest(complaints=complaints, letters=letters, files=files)
