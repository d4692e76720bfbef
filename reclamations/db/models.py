"""Tables of the read model and register (rule 13). The workflow is the source of truth
for a complaint's process; these rows are what lists, the UI and compliance exports read."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


Instant = DateTime(timezone=True)


def aware(moment: datetime) -> datetime:
    """An instant read back from the database, in UTC: SQLite drops the zone."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class ComplaintRow(Base):
    __tablename__ = "complaints"

    reference: Mapped[str] = mapped_column(String(40), primary_key=True)
    workflow_id: Mapped[str] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(20), index=True)
    stage: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(20))
    # rule 19: its entity's code; none for complaints registered before entities.
    entity: Mapped[str | None] = mapped_column(String(40), index=True)
    category: Mapped[str | None] = mapped_column(String(20))
    medical: Mapped[bool] = mapped_column(Boolean)
    calendar: Mapped[str] = mapped_column(String(10))
    # Sealed for medical complaints, like the snapshot's identity (rule 11): longer
    # than a name in clear (SQLite holds it in any declared length; migration 0007).
    complainant_name: Mapped[str] = mapped_column(String(200).with_variant(Text(), "postgresql"))
    subject: Mapped[str] = mapped_column(Text)  # sealed for medical complaints
    assignee: Mapped[str | None] = mapped_column(String(100), index=True)
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    # rule 14: a letter or the record failed for good and waits to be mended.
    incident: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # Its workflow ended outside the application (terminated, failed…): found by reconciliation.
    process_ended: Mapped[str | None] = mapped_column(String(20))
    sent_on: Mapped[date] = mapped_column(Date)
    first_written_on: Mapped[date] = mapped_column(Date)
    received_on: Mapped[date | None] = mapped_column(Date)
    acknowledgement_due_on: Mapped[date | None] = mapped_column(Date)
    quality_target_due_on: Mapped[date | None] = mapped_column(Date)
    final_due_on: Mapped[date | None] = mapped_column(Date)
    next_deadline_kind: Mapped[str | None] = mapped_column(String(20))
    next_deadline_on: Mapped[date | None] = mapped_column(Date)
    acknowledged_at: Mapped[datetime | None] = mapped_column(Instant)
    first_answered_at: Mapped[datetime | None] = mapped_column(Instant)
    answered_at: Mapped[datetime | None] = mapped_column(Instant)
    decision: Mapped[str | None] = mapped_column(String(20))
    closed_at: Mapped[datetime | None] = mapped_column(Instant)
    registered_at: Mapped[datetime] = mapped_column(Instant)
    updated_at: Mapped[datetime] = mapped_column(Instant)
    version: Mapped[int] = mapped_column(Integer)
    snapshot: Mapped[dict[str, object]] = mapped_column(JSON)

    __table_args__ = (
        # The agents' queue: open complaints, nearest deadline first.
        Index("ix_complaints_queue", "next_deadline_on", "reference"),
        Index("ix_complaints_registered_at", "registered_at"),
        Index("ix_complaints_sent_on", "sent_on"),
    )


class EventRow(Base):
    """Append-only: one row per event, keyed by the complaint and the event's number."""

    __tablename__ = "events"

    reference: Mapped[str] = mapped_column(
        String(40), ForeignKey("complaints.reference"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    type: Mapped[str] = mapped_column(String(30))
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(Instant)
    summary: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)  # sealed for medical complaints
    on_behalf_of: Mapped[str | None] = mapped_column(String(100))


class LetterRow(Base):
    """One letter, keyed by (complaint, kind, sequence): a retried send finds it already here."""

    __tablename__ = "letters"

    reference: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    sequence: Mapped[int] = mapped_column(Integer, primary_key=True)
    delivery: Mapped[str] = mapped_column(String(10))
    recipient: Mapped[str] = mapped_column(Text)  # sealed for medical complaints
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)  # sealed for medical complaints
    # The parts the PDF and the HTML email are laid out from (JSON, sealed for medical
    # complaints); none for letters written before layouts were kept.
    layout: Mapped[str | None] = mapped_column(Text)
    location: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10))  # "rendered", then "sent"
    letter_on: Mapped[date] = mapped_column(Date)
    sent_at: Mapped[datetime | None] = mapped_column(Instant)


class ReferenceCounterRow(Base):
    """The last number given to a generated reference, per year (REC-2026-000123)."""

    __tablename__ = "reference_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)


class UserRow(Base):
    """A person using the web UI, with one of domain.access.USER_ROLES."""

    __tablename__ = "users"

    username: Mapped[str] = mapped_column(String(100), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(Instant)


class ApiTokenRow(Base):
    """A back-office system's bearer token, stored as its SHA-256 only. Its name is the actor
    on the record; its role decides what it may do, like a user's (rule 15)."""

    __tablename__ = "api_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    role: Mapped[str] = mapped_column(String(20), server_default="intake")
    created_at: Mapped[datetime] = mapped_column(Instant)
    expires_at: Mapped[datetime | None] = mapped_column(Instant)
    revoked_at: Mapped[datetime | None] = mapped_column(Instant)
    # The user whose tokens end with them (`complaints users disable`), when a person owns it.
    owner: Mapped[str | None] = mapped_column(String(100), index=True)


class UserSessionRow(Base):
    """A logged-in user's session, kept on the server so that it can be ended (logout, a
    password change, a disabled user). The cookie holds a random token; only its SHA-256 is
    stored here, like an API token's."""

    __tablename__ = "user_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(String(100), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(Instant)
    last_seen_at: Mapped[datetime] = mapped_column(Instant)
    ended_at: Mapped[datetime | None] = mapped_column(Instant)


class AuditRow(Base):
    """Who logged in, failed, was locked out, logged out or was disabled, and from where;
    never a password. Also what login throttling counts."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(Instant, index=True)
    kind: Mapped[str] = mapped_column(String(30))
    username: Mapped[str] = mapped_column(String(100), index=True)
    client: Mapped[str] = mapped_column(String(64), index=True)
    detail: Mapped[str] = mapped_column(String(200), default="")


class FollowLinkRow(Base):
    """A complainant's private link to follow their complaint (issue 26): only the SHA-256
    of its random token is kept, with the day it stops opening. Several may be valid at once
    (the one on the confirmation page, the one sent by email, those asked for again)."""

    __tablename__ = "follow_links"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    reference: Mapped[str] = mapped_column(String(40), index=True)
    created_at: Mapped[datetime] = mapped_column(Instant)
    expires_at: Mapped[datetime] = mapped_column(Instant)


class FollowAddressRow(Base):
    """The email address a new link may be asked for from, as a SHA-256 only: "recevoir un
    nouveau lien" finds the complaint by it, and nobody reads the address back from here."""

    __tablename__ = "follow_addresses"

    reference: Mapped[str] = mapped_column(String(40), primary_key=True)
    address_hash: Mapped[str] = mapped_column(String(64), index=True)


class FollowMailRow(Base):
    """An email with a private link, owed to a complainant: kept until the mail server took
    it, tried again later while it does not (never the token itself: each try makes a new
    link, and a try that fails forgets its own)."""

    __tablename__ = "follow_mails"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    reference: Mapped[str] = mapped_column(String(40), index=True)
    reason: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(Instant)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(Instant, index=True)
    # While one process sends it, no other does.
    lease_until: Mapped[datetime | None] = mapped_column(Instant)
    sent_at: Mapped[datetime | None] = mapped_column(Instant)


class MailMessageRow(Base):
    """Each message the mail intake took (reclamations/mail/): once and only once, by its
    business key, whichever mailbox or protocol brought it (rule 13). What became of it, the
    complaint it made or joined, and its three times (rule 3). Never its content: a medical
    complainant's address or subject has no place here (rule 11)."""

    __tablename__ = "mail_messages"

    # SHA-256 of the normalised Message-ID, or of the message without its trace headers.
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    key_source: Mapped[str] = mapped_column(String(20))
    sha256: Mapped[str] = mapped_column(String(64))  # of the raw message as it came
    size: Mapped[int] = mapped_column(Integer)
    disposition: Mapped[str] = mapped_column(String(20), index=True)
    reason: Mapped[str | None] = mapped_column(String(200))
    # Chosen (or derived) before the complaint is registered: a run after a crash finds it.
    reference: Mapped[str | None] = mapped_column(String(40), index=True)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    medical: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(100))
    date_header: Mapped[datetime | None] = mapped_column(Instant)
    first_received: Mapped[datetime | None] = mapped_column(Instant)
    arrived_at: Mapped[datetime] = mapped_column(Instant)
    sent_at: Mapped[datetime | None] = mapped_column(Instant)
    recorded_at: Mapped[datetime] = mapped_column(Instant)
    # A reply filed on a complaint, not yet opened by an agent: "nouveau message".
    seen_at: Mapped[datetime | None] = mapped_column(Instant)


class ComplaintKeyRow(Base):
    """A complaint's own data key (issue 28), wrapped by the keyring's current key: everything
    personal the complaint leaves anywhere is sealed with it, so destroying it (`wrapped` gone,
    `destroyed_at` set) makes every copy unreadable at once, Temporal's histories included."""

    __tablename__ = "complaint_keys"

    reference: Mapped[str] = mapped_column(String(40), primary_key=True)
    key_id: Mapped[str] = mapped_column(String(32), unique=True)
    # The keyring key that wraps it: a rotation rewraps the row, never the data.
    wrapped_by: Mapped[str | None] = mapped_column(String(32))
    wrapped: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(Instant)
    destroyed_at: Mapped[datetime | None] = mapped_column(Instant)


class ErasureRow(Base):
    """A complaint's erasure (on request or at the end of its retention), a list of steps done
    one by one: one interrupted is found here and finished, never left half-done in silence.
    Holds no personal data: the reference, who asked, why, and the last step done."""

    __tablename__ = "erasures"

    reference: Mapped[str] = mapped_column(String(40), primary_key=True)
    requested_by: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(String(20))  # "request" or "retention"
    requested_at: Mapped[datetime] = mapped_column(Instant)
    steps_done: Mapped[int] = mapped_column(Integer, default=0)
    completed_at: Mapped[datetime | None] = mapped_column(Instant, index=True)


class LegalHoldRow(Base):
    """A legal duty to keep a complaint (litigation, a mediator's referral under way): while one
    is in force, neither a request nor the retention schedule erases it (RGPD art. 17(3)(e))."""

    __tablename__ = "legal_holds"

    reference: Mapped[str] = mapped_column(String(40), primary_key=True)
    reason: Mapped[str] = mapped_column(String(20))
    placed_by: Mapped[str] = mapped_column(String(100))
    placed_at: Mapped[datetime] = mapped_column(Instant)


class SearchTokenRow(Base):
    """The search index (issue 29): one row per keyed hash (HMAC) of a complaint's search key
    (security.blind_index), nothing readable. Keyed by the complaint's reference with no
    foreign key, so that erasing a complaint deletes its tokens with one statement. A token
    of a medical complaint's identity is marked: only the Médecin Conseil's search matches
    it (rule 11)."""

    __tablename__ = "search_tokens"

    reference: Mapped[str] = mapped_column(String(40), primary_key=True)
    token: Mapped[str] = mapped_column(String(32), primary_key=True)
    medical: Mapped[bool] = mapped_column(Boolean)
    # The keyring key the HMAC key was derived from: a rotation leaves older tokens found.
    key_id: Mapped[str] = mapped_column(String(32))
    # The complaint's (it never changes): the newest candidates are read from the index alone.
    registered_at: Mapped[datetime] = mapped_column(Instant)

    __table_args__ = (
        Index("ix_search_tokens_token", "token", "medical", "registered_at", "reference"),
    )


class SavedFilterRow(Base):
    """A queue filter an agent saved under a name (issue 29): the queue's address as its
    query string, so that a saved filter and a shared link are the same thing."""

    __tablename__ = "saved_filters"

    username: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    query: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(Instant)


class CorrectiveActionRow(Base):
    """A corrective action as its workflow last recorded it (issue 29): the columns lists and
    the dashboard read, and its state whole (`snapshot`)."""

    __tablename__ = "corrective_actions"

    ident: Mapped[str] = mapped_column(String(40), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), index=True)
    root_cause: Mapped[str] = mapped_column(String(40), index=True)
    owner: Mapped[str] = mapped_column(String(100))
    due_on: Mapped[date] = mapped_column(Date)
    check_on: Mapped[date] = mapped_column(Date)
    done_on: Mapped[date | None] = mapped_column(Date)
    opened_at: Mapped[datetime] = mapped_column(Instant)
    version: Mapped[int] = mapped_column(Integer)
    snapshot: Mapped[dict[str, object]] = mapped_column(JSON)


class CorrectiveEventRow(Base):
    """Append-only: what happened to a corrective action, and who did it."""

    __tablename__ = "corrective_events"

    ident: Mapped[str] = mapped_column(String(40), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    type: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(Instant)
    summary: Mapped[str] = mapped_column(Text)


class CorrectiveLinkRow(Base):
    """A complaint a corrective action concerns, keyed by the complaint's reference (no
    foreign key: erasing a complaint deletes its links with one statement)."""

    __tablename__ = "corrective_links"

    reference: Mapped[str] = mapped_column(String(40), primary_key=True)
    ident: Mapped[str] = mapped_column(String(40), primary_key=True)
