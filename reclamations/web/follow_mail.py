"""The email that brings a complainant their private link (issue 26).

It is owed as soon as the complaint is filed (db.follow_links keeps it), tried at once, and
tried again later while the mail server refuses it (`drain`, every half-minute in the web
process): a mail server down for a while delays it, never loses it. Each try makes its own
link and forgets it when the try fails, so no token waits anywhere in clear. The mail goes
through the same sender as the letters (SMTP, or the local .eml outbox), not through Temporal:
the token must never be in a workflow's payloads.
"""

from __future__ import annotations

import logging
from collections.abc import Coroutine
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr
from typing import Any, Protocol

from reclamations.activities.letters.delivery import EmailSender
from reclamations.db.engine import SessionFactory
from reclamations.db.follow_links import (
    MailReason,
    OwedMail,
    claim_mail,
    due_mails,
    forget_link,
    issue_link,
    mail_dropped,
    mail_failed,
    mail_sent,
    owe_mail,
    remember_address,
)
from reclamations.domain.access import complainant_of
from reclamations.domain.clock import local_date
from reclamations.domain.complaint import OPEN_STATUSES, Complaint
from reclamations.domain.entities import Entities, Entity
from reclamations.domain.errors import ServiceError
from reclamations.domain.french import long_date
from reclamations.domain.letters import InsurerIdentity
from reclamations.service import ComplaintService
from reclamations.settings import Settings

logger = logging.getLogger(__name__)


class WebContextLike(Protocol):
    """What `offer_link` needs of web.context.WebContext (which imports this module)."""

    sessions: SessionFactory

    @property
    def follow_mailer(self) -> FollowMailer: ...

    def in_background(self, work: Coroutine[Any, Any, Any]) -> None: ...


NEW_LINK_PATH = "/suivi/nouveau-lien"


async def offer_link(ctx: WebContextLike, reference: str, address: str) -> None:
    """A link owed to `address` for `reference` (kept until a mail server takes it), tried at
    once; the address may ask for a new link from then on."""
    await remember_address(ctx.sessions, reference, address)
    mail_id = await owe_mail(ctx.sessions, reference, MailReason.renewed, datetime.now(UTC))
    ctx.in_background(ctx.follow_mailer.deliver(mail_id))


def follow_url(settings: Settings, token: str) -> str:
    return f"{settings.web_public_url.rstrip('/')}/suivi/{token}"


class FollowMailer:
    def __init__(
        self,
        settings: Settings,
        sessions: SessionFactory,
        service: ComplaintService,
        sender: EmailSender,
    ) -> None:
        self._settings = settings
        self._sessions = sessions
        self._service = service
        self._sender = sender

    @property
    def lifetime(self) -> timedelta:
        return timedelta(days=self._settings.follow_link_days)

    async def drain(self, now: datetime | None = None) -> int:
        """Every mail owed and due, tried once; how many left."""
        moment = now or datetime.now(UTC)
        sent = 0
        for mail_id in await due_mails(self._sessions, moment):
            sent += await self.deliver(mail_id, moment)
        return sent

    async def deliver(self, mail_id: int, now: datetime | None = None) -> bool:
        """One owed mail, if no other process holds it: True once the server took it."""
        moment = now or datetime.now(UTC)
        mail = await claim_mail(self._sessions, mail_id, moment)
        if mail is None:
            return False
        try:
            reading = await self._service.read(complainant_of(mail.reference), mail.reference)
        except ServiceError as error:
            logger.warning(
                "Lien de suivi de %s non envoyé pour l'instant (%s)",
                mail.reference,
                type(error).__name__,
            )
            await mail_failed(self._sessions, mail, moment)
            return False
        complaint = reading.complaint
        address = complaint.intake.complainant.email if reading.readable else None
        if not address:
            # rule 11: nothing about a medical complaint goes by email; and no address, no mail.
            await mail_dropped(self._sessions, mail.id, moment)
            return False
        entity = own_entity(self._service.entities, complaint, "Lien de suivi")
        if entity is None:
            await mail_failed(self._sessions, mail, moment)  # tried again, once it is back
            return False
        token = await issue_link(self._sessions, mail.reference, moment, self.lifetime)
        message = self._message(mail, complaint, entity.identity, address, token, moment)
        try:
            await self._sender.send(message, mail.reference, f"lien-suivi-{mail.id}")
        except Exception as error:  # any failure of the server: try again later
            await forget_link(self._sessions, token)
            later = await mail_failed(self._sessions, mail, moment)
            # Neither the address nor the link: the reference and the kind of failure only.
            logger.warning(
                "Lien de suivi de %s non envoyé (%s) : nouvel essai à %s",
                mail.reference,
                type(error).__name__,
                later.isoformat(timespec="seconds"),
            )
            return False
        await mail_sent(self._sessions, mail.id, moment)
        return True

    def _message(
        self,
        mail: OwedMail,
        complaint: Complaint,
        identity: InsurerIdentity,
        address: str,
        token: str,
        now: datetime,
    ) -> EmailMessage:
        message = EmailMessage()
        _, mailbox = parseaddr(self._settings.mail_from)
        message["From"] = formataddr((identity.name, mailbox), charset="utf-8")
        message["To"] = address
        message["Subject"] = f"Votre réclamation {complaint.reference} : votre lien de suivi"
        message["Date"] = format_datetime(now)
        message["Message-ID"] = f"<suivi.{mail.id}.{mail.attempts}@reclamations.local>"
        message.set_content(
            mail_text(
                complaint,
                identity.name,
                identity.service,
                follow_url(self._settings, token),
                f"{self._settings.web_public_url.rstrip('/')}{NEW_LINK_PATH}",
                (now + self.lifetime).date(),
                first=mail.reason == MailReason.registered,
                today=local_date(now, complaint.plan.timezone),
            )
        )
        return message


def own_entity(entities: Entities, complaint: Complaint, what: str) -> Entity | None:
    """rule 19: the complaint's own entity, never another's name or mediator; None, said in
    the log, while the operators have left it out of the configuration."""
    entity = entities.get(complaint.intake.entity)
    if entity is None:
        logger.warning(
            "%s de %s : entité « %s » absente de la configuration",
            what,
            complaint.reference,
            complaint.intake.entity,
        )
    return entity


def what_comes(complaint: Complaint, today: date) -> list[str]:
    """What comes next and by when, as of `today`: the first email may leave late (a mail
    server away a while), and never announces a date already past or a step already taken
    (rule 6), nor anything once the complaint is answered or closed."""
    plan = complaint.plan
    final = plan.final_due
    if complaint.status not in OPEN_STATUSES or final is None or final < today:
        return []
    lines = []
    acknowledgement = plan.acknowledgement_due
    if acknowledgement and acknowledgement >= today and complaint.acknowledged_at is None:
        lines.append(
            "- notre accusé de réception écrit vous parviendra au plus tard le "
            f"{long_date(acknowledgement)}, sauf si nous vous avons répondu avant ;"
        )
    promised = complaint.promise or complaint.quality_target_due
    if promised and promised >= today:
        lines.append(
            f"- nous nous efforçons de vous répondre d'ici le {long_date(promised)} ; si ce "
            "n'est pas possible, nous vous écrirons pour vous dire pourquoi et à quelle date ;"
        )
    lines.append(
        "- notre réponse ne dépassera pas 2 mois après votre première réclamation écrite : "
        f"le {long_date(final)} au plus tard."
    )
    return lines


def mail_text(
    complaint: Complaint,
    insurer: str,
    service: str,
    link: str,
    new_link: str,
    expires_on: date,
    first: bool,
    today: date,
) -> str:
    """The email's text: what was received, what comes next and by when, and the link."""
    name = complaint.intake.complainant.name
    lines = [f"Bonjour {name},", ""]
    plan = complaint.plan
    if first:
        lines += [
            f"Nous avons bien reçu votre réclamation, envoyée le {long_date(plan.sent_on)} "
            f"par notre formulaire en ligne. Sa référence est {complaint.reference} : "
            "rappelez-la dans vos échanges avec nous.",
            "",
        ]
        coming = what_comes(complaint, today)
        if coming:
            lines += ["Ce qui va se passer :", *coming, ""]
    else:
        lines += [
            f"Voici un nouveau lien pour suivre votre réclamation {complaint.reference}, "
            "comme vous l'avez demandé.",
            "",
        ]
    lines += [
        "Pour suivre votre réclamation, lire nos courriers, ajouter un document ou nous "
        "répondre, ouvrez ce lien personnel :",
        link,
        "",
        f"Il est valable jusqu'au {long_date(expires_on)}. Ne le transmettez pas : il donne "
        "accès à votre dossier. Pour en recevoir un nouveau à cette adresse :",
        new_link,
        "",
        "Si vous n'êtes pas à l'origine de cette réclamation, ignorez ce message.",
        "",
        f"{service}",
        f"{insurer}",
    ]
    return "\n".join(lines) + "\n"
