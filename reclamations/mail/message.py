"""A message as the mail intake reads it: its business key, who sent it, its text, its files,
its three times (rule 3), what it answers, and whether it is mail for no one (an auto-reply,
a bounce, a loop). Pure: the raw bytes in, facts out; no clock, no I/O.

Parsing is the standard library's `email` package with `policy.default` (RFC 5322 headers
decoded, MIME walked); HTML is turned to text by BeautifulSoup with Python's own parser:
a real HTML parser knows where a tag, a comment or a script ends, which no hand-made pattern
does, and the text it gives is only ever read as text (never rendered).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr, parsedate_to_datetime

from bs4 import BeautifulSoup

# Headers that mail systems add on the way (each mailbox its own): left out of the content
# key, so that the same message without a Message-ID delivered to two mailboxes is one.
TRACE_HEADERS = frozenset(
    {
        "received",
        "return-path",
        "delivered-to",
        "x-original-to",
        "x-envelope-to",
        "envelope-to",
        "authentication-results",
        "arc-seal",
        "arc-message-signature",
        "arc-authentication-results",
        "received-spf",
        "x-spam-status",
        "x-spam-score",
        "x-spam-flag",
        "x-spam-level",
        "status",
        "x-status",
        "x-uid",
        "x-keywords",
        "content-length",
        "lines",
    }
)

# rule 3: a sender's Date: is believed within this window around our own receipt: a little
# after (clocks drift), some days before (a message written offline leaves later). Outside it
# the date is absurd or forged and our receipt stands.
CLOCK_SKEW = timedelta(minutes=15)
LONGEST_TRANSIT = timedelta(days=7)

# The references the product gives (REC-2026-000123), and the one our letters put in their
# subject ("… – votre réclamation REF"), which may be one a back-office system chose.
GENERATED_REFERENCE = re.compile(r"\bREC-\d{4}-\d{6}\b")
SUBJECT_REFERENCE = re.compile(r"votre réclamation ([A-Za-z0-9][A-Za-z0-9._-]{2,39})", re.I)
# Our letters' Message-ID: <REFERENCE.KIND.SEQUENCE@domain> (activities/letters).
OUR_MESSAGE_ID = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]{2,39})\.[a-z_]+\.\d+$")

MAX_SUBJECT = 200
MAX_TEXT = 20_000
NO_SUBJECT = "(courriel sans objet)"
NO_TEXT = "(courriel sans texte : voir le message d'origine et ses pièces jointes)"
CUT = "\n[… texte coupé : le message d'origine, gardé en pièce, le donne en entier]"


@dataclass(frozen=True)
class Attachment:
    name: str
    content: bytes


@dataclass(frozen=True)
class Mail:
    raw: bytes
    sha256: str
    key: str  # SHA-256 of the business key
    key_source: str  # "message-id" or "contenu"
    message_id: str | None
    sender_name: str
    sender_email: str | None
    recipients: tuple[str, ...]
    subject: str
    text: str
    attachments: tuple[Attachment, ...]
    date_header: datetime | None
    first_received: datetime | None
    answers: tuple[str, ...]  # the ids it replies to (In-Reply-To, References)
    aside: str | None  # why it is mail for no one, or None
    references_quoted: tuple[str, ...] = field(default=())


def normalised_id(value: str) -> str | None:
    """A Message-ID as a key: without its angle brackets and spaces, its domain in lower case
    (case-insensitive there; the left part is kept as it is)."""
    text = "".join(value.split()).strip("<>")
    if "@" not in text:
        return text or None
    left, _, domain = text.rpartition("@")
    return f"{left}@{domain.lower()}"


def _ids(value: str | None) -> list[str]:
    found = re.findall(r"<([^<>]+)>", value or "")
    return [n for n in (normalised_id(i) for i in found) if n]


def content_key(raw: bytes) -> str:
    """A message without a Message-ID: its bytes, line ends made alike and trace headers left
    out, so that two deliveries of it give one key."""
    text = raw.replace(b"\r\n", b"\n")
    head, _, body = text.partition(b"\n\n")
    kept: list[bytes] = []
    skipping = False
    for line in head.split(b"\n"):
        if line[:1] in (b" ", b"\t"):
            if not skipping:
                kept.append(line)
            continue
        name = line.split(b":", 1)[0].strip().lower().decode("ascii", "replace")
        skipping = name in TRACE_HEADERS
        if not skipping:
            kept.append(line)
    return hashlib.sha256(b"\n".join(kept) + b"\n\n" + body).hexdigest()


def _instant(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if moment is None:
        return None
    # "-0000" (a zone unknown) reads naive: it is UTC all the same.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def first_own_receipt(received: Sequence[str], own_domains: Iterable[str]) -> datetime | None:
    """The time of the first Received: header written by one of our own servers: headers are
    added on top, so the first hop of ours is the lowest one whose "by" names our domain.
    Headers below it were written by others and are not believed (rule 3)."""
    domains = tuple(d.lower().lstrip(".") for d in own_domains if d)
    if not domains:
        return None
    for header in reversed(list(received)):
        by = re.search(r"\bby\s+([^\s;()]+)", header, re.I)
        host = by[1].lower().rstrip(".") if by else ""
        if any(host == d or host.endswith("." + d) for d in domains):
            return _instant(header.rpartition(";")[2].strip())
    return None


def sending_time(
    date_header: datetime | None, first_received: datetime | None, arrived_at: datetime
) -> tuple[datetime, list[str]]:
    """rule 3: the earliest time we can believe the message was sent, and what was set
    aside as absurd. Our own receipt (first own Received:, else arrival) bounds the rest: a
    Date: after it, or long before it, is not believed."""
    notes: list[str] = []
    receipt = arrived_at
    if first_received is not None:
        if first_received <= arrived_at + CLOCK_SKEW:
            receipt = min(first_received, arrived_at)
        else:
            notes.append("réception par nos serveurs postérieure à l'arrivée : ignorée")
    if date_header is None:
        return receipt, notes
    if date_header > receipt + CLOCK_SKEW:
        notes.append("en-tête Date: postérieur à la réception : ignoré")
        return receipt, notes
    if date_header < receipt - LONGEST_TRANSIT:
        notes.append("en-tête Date: trop antérieur à la réception : ignoré")
        return receipt, notes
    # Told in the sender's own offset, even when our receipt is the earlier: rule 3 dates it
    # at the earlier of the sender's day and the team's.
    return min(date_header, receipt).astimezone(date_header.tzinfo), notes


# Elements that begin a line of their own (the rest flows within one).
BLOCKS = [
    "p",
    "div",
    "li",
    "tr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "table",
    "ul",
    "ol",
    "section",
    "article",
    "header",
    "footer",
    "hr",
]


def html_text(html: str) -> str:
    """The text a reader sees in an HTML part: scripts, styles and the head dropped, each
    block on its line, links followed by their address (a reader must see where it went)."""
    soup = BeautifulSoup(html, "html.parser")
    for hidden in soup(["script", "style", "head", "title", "template", "noscript"]):
        hidden.decompose()
    for link in soup.find_all("a"):
        href = link.get("href")
        if isinstance(href, str) and href.strip() and href.strip() != link.get_text().strip():
            link.append(f" <{href.strip()}>")
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for block in soup.find_all(BLOCKS):
        block.insert_before("\n")
        block.insert_after("\n")
    text = soup.get_text()
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


NULL_SENDER = "message d'un système de messagerie (expéditeur vide)"


def aside_reason(
    message: EmailMessage, sender: str | None, own_addresses: Iterable[str], own_id_domain: str
) -> str | None:
    """Why this message is for no one: never a complaint, never answered (RFC 3834 and the
    habits of mail systems)."""
    auto = str(message.get("Auto-Submitted", "")).strip().lower()
    if auto and not auto.startswith("no"):
        return "réponse automatique (Auto-Submitted)"
    precedence = str(message.get("Precedence", "")).strip().lower()
    if precedence == "auto_reply":
        return "réponse automatique (Precedence)"
    if precedence in ("bulk", "junk", "list"):
        return "envoi en nombre ou liste de diffusion (Precedence)"
    if message.get_content_type() == "multipart/report":
        return "avis de remise ou de non-remise (rapport de distribution)"
    if any(message.get(h) is not None for h in ("X-Autoreply", "X-Autorespond")):
        return "réponse automatique (X-Autoreply)"
    if str(message.get("Return-Path", "")).strip() == "<>":
        return NULL_SENDER
    local = (sender or "").partition("@")[0].lower()
    if local in ("mailer-daemon", "postmaster"):
        return "message d'un système de messagerie (MAILER-DAEMON)"
    own = {a.lower() for a in own_addresses}
    if sender and sender.lower() in own:
        return "notre propre envoi revenu (boucle)"
    mine = normalised_id(str(message.get("Message-ID", "")))
    if mine and own_id_domain and mine.endswith("@" + own_id_domain.lower()):
        return "notre propre envoi revenu (boucle)"
    if any(
        own_address in str(loop).lower()
        for loop in message.get_all("X-Loop") or []
        for own_address in own
    ):
        return "boucle de messagerie (X-Loop)"
    return None


def _text_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain", "html"))
    if body is None:
        return ""
    try:
        content = body.get_content()
    except (LookupError, ValueError):
        payload = body.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    if not isinstance(content, str):
        return ""
    return html_text(content) if body.get_content_type() == "text/html" else content.strip()


def _attachments(message: EmailMessage) -> tuple[Attachment, ...]:
    found: list[Attachment] = []
    for number, part in enumerate(message.iter_attachments(), start=1):
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes) or not payload:
            continue
        name = part.get_filename() or f"piece-jointe-{number}"
        found.append(Attachment(name=name, content=payload))
    return tuple(found)


# What a text field refuses (domain.content): a message's text is a reader's, not a terminal's.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")


def plain(text: str) -> str:
    """Line ends made "\n", other control characters (and broken UTF-16 halves) turned to
    spaces: the text reads the same, and the intake takes it. The message kept as evidence
    holds the bytes as they came."""
    return _CONTROLS.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n"))


def _clipped(text: str, limit: int, cut: str) -> str:
    return text if len(text) <= limit else text[: limit - len(cut)] + cut


def read_mail(
    raw: bytes,
    own_domains: Sequence[str] = (),
    own_addresses: Sequence[str] = (),
    own_id_domain: str = "",
) -> Mail:
    """The facts of one raw message (RFC 5322 bytes)."""
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)  # policy.default makes one
    try:
        senders = getaddresses([str(message.get("From", ""))])
    except (TypeError, ValueError, IndexError):
        senders = []
    name, address = senders[0] if senders else parseaddr("")
    sender_email = address if "@" in address else None
    try:
        recipients = tuple(
            a.lower()
            for _, a in getaddresses(
                [
                    str(v)
                    for h in ("To", "Cc", "Delivered-To", "X-Original-To")
                    for v in message.get_all(h) or []
                ]
            )
            if "@" in a
        )
    except (TypeError, ValueError, IndexError):
        recipients = ()
    subject = " ".join(plain(str(message.get("Subject", ""))).split())
    text = plain(_text_of(message)).strip()
    message_id = normalised_id(str(message.get("Message-ID", "")))
    if message_id:
        key = hashlib.sha256(f"message-id:{message_id}".encode()).hexdigest()
        key_source = "message-id"
    else:
        key = hashlib.sha256(f"contenu:{content_key(raw)}".encode()).hexdigest()
        key_source = "contenu"
    answers = tuple(
        dict.fromkeys(
            [*_ids(str(message.get("In-Reply-To", ""))), *_ids(str(message.get("References", "")))]
        )
    )
    quoted = tuple(
        dict.fromkeys(
            [
                *SUBJECT_REFERENCE.findall(subject),
                *GENERATED_REFERENCE.findall(subject),
                *GENERATED_REFERENCE.findall(text),
            ]
        )
    )
    return Mail(
        raw=raw,
        sha256=hashlib.sha256(raw).hexdigest(),
        key=key,
        key_source=key_source,
        message_id=message_id,
        sender_name=" ".join(plain(name).split()) or (sender_email or ""),
        sender_email=sender_email,
        recipients=recipients,
        subject=_clipped(subject, MAX_SUBJECT, "…") or NO_SUBJECT,
        text=_clipped(text, MAX_TEXT, CUT) or NO_TEXT,
        attachments=_attachments(message),
        date_header=_instant(str(message.get("Date", "")) or None),
        first_received=first_own_receipt(
            [str(h) for h in message.get_all("Received") or []], own_domains
        ),
        answers=answers,
        aside=aside_reason(message, sender_email, own_addresses, own_id_domain),
        references_quoted=quoted,
    )


def our_references(mail: Mail, own_id_domain: str) -> list[str]:
    """The complaints a message answers: those named by our letters' Message-IDs it replies
    to first, then those it quotes in its subject or text."""
    named: list[str] = []
    suffix = "@" + own_id_domain.lower()
    for message_id in mail.answers:
        if own_id_domain and message_id.endswith(suffix):
            match = OUR_MESSAGE_ID.match(message_id[: -len(suffix)])
            if match:
                named.append(match[1])
    return list(dict.fromkeys([*named, *mail.references_quoted]))
