"""The SMTP (or LMTP) receiver: the insurer's mail server hands each message over here, and
hears "taken" only once the complaint exists, is joined or the message is set aside. Until
then it hears "try again later" (4xx): a mail server keeps the message and retries, so
nothing is lost and, by the ledger, nothing is taken twice."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any

from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP, Envelope, Session

from reclamations.domain.errors import ServiceError
from reclamations.mail.intake import MailGateway

logger = logging.getLogger(__name__)

TAKEN = "250 2.0.0 Message pris en charge"
LATER = "451 4.3.0 Enregistrement momentanément impossible : réessayez plus tard"


class Handler:
    def __init__(self, gateway: MailGateway, lmtp: bool = False) -> None:
        self._gateway = gateway
        self._lmtp = lmtp

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        assert raw is not None
        try:
            taken = await self._gateway.take(
                raw,
                datetime.now(UTC),
                "smtp",
                [str(r) for r in envelope.rcpt_tos],
                null_sender=(envelope.mail_from or "").strip() in ("", "<>"),
            )
            status = TAKEN
            logger.info("Courriel reçu par SMTP : %s", taken.disposition.value)
        except ServiceError as error:
            # The door's messages never carry complainant content (reclamations/service).
            logger.warning("Courriel reçu par SMTP non enregistré : %s", error)
            status = LATER
        except Exception:  # rule 14: whatever failed, the sender keeps it and retries
            logger.exception("Courriel reçu par SMTP non enregistré")
            status = LATER
        # LMTP answers once per recipient: the message is one, so is its fate.
        return "\r\n".join([status] * len(envelope.rcpt_tos)) if self._lmtp else status


async def serve(
    gateway: MailGateway, host: str, port: int, lmtp: bool = False, max_bytes: int = 40 << 20
) -> asyncio.Server:
    """The receiver, listening on this event loop (the door's client lives on it)."""
    handler = Handler(gateway, lmtp)
    protocol: Any = LMTP if lmtp else SMTP
    loop = asyncio.get_running_loop()
    return await loop.create_server(
        lambda: protocol(
            handler,
            data_size_limit=max_bytes,
            enable_SMTPUTF8=True,
            decode_data=False,
            hostname="reclamations",
            loop=loop,
        ),
        host=host,
        port=port,
    )
