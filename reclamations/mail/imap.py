"""Reading an existing mailbox over IMAP, with imap-tools (a kept client over the standard
library's imaplib: logins, folders, searches, flags, moves and copies in a few calls).

A message is fetched without being marked read, taken through the gateway, and only then
marked as the settings say: flagged and kept (our keyword `$Reclamations`, and \\Seen),
moved to a folder, or copied there. A run stopped in between finds it unmarked and takes it
again: the ledger answers that it was taken, and it is only marked (issue 27, once and only
once). Mail set aside goes to its own folder when messages are moved or copied.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from imaplib import Internaldate2tuple
from time import mktime

from imap_tools import AND, BaseMailBox, MailBox, MailBoxStartTls, MailBoxUnencrypted

from reclamations.domain.errors import ServiceError
from reclamations.mail.intake import MailGateway
from reclamations.mail.ledger import Disposition
from reclamations.service import Taken
from reclamations.settings import Settings

logger = logging.getLogger(__name__)

KEYWORD = "$Reclamations"
INTERNALDATE = re.compile(rb'INTERNALDATE "[^"]+"')


@dataclass(frozen=True)
class Fetched:
    uid: str
    raw: bytes
    arrived_at: datetime


@dataclass(frozen=True)
class Round:
    """What one reading of the mailbox did."""

    taken: int = 0
    again: int = 0
    left: int = 0  # not taken this time (the door unavailable): read again next round


def _arrival(header: bytes) -> datetime | None:
    """The mailbox's arrival time (INTERNALDATE) from a FETCH answer."""
    found = INTERNALDATE.search(header)
    if found is None:
        return None
    moment = Internaldate2tuple(found[0])
    return None if moment is None else datetime.fromtimestamp(mktime(moment), UTC)


def _uidplus(box: BaseMailBox) -> bool:
    """Whether the server, once logged in (many say more then than in their greeting),
    expunges one message by its UID (RFC 4315)."""
    kind, data = box.client.capability()
    said = b" ".join(d for d in data if isinstance(d, bytes)).upper().split()
    return kind == "OK" and b"UIDPLUS" in said


class MailboxReader:
    def __init__(self, gateway: MailGateway, settings: Settings) -> None:
        self._gateway = gateway
        self._settings = settings
        self._box: BaseMailBox | None = None

    def _connect(self) -> BaseMailBox:
        s = self._settings
        assert s.mail_imap_host and s.mail_imap_username and s.mail_imap_password
        box: BaseMailBox
        if s.mail_imap_ssl:
            box = MailBox(s.mail_imap_host, s.mail_imap_port, timeout=60)
        elif s.mail_imap_starttls:
            box = MailBoxStartTls(s.mail_imap_host, s.mail_imap_port, timeout=60)
        else:
            box = MailBoxUnencrypted(s.mail_imap_host, s.mail_imap_port, timeout=60)
        box.login(s.mail_imap_username, s.mail_imap_password.get_secret_value(), s.mail_imap_folder)
        if s.mail_imap_after == "delete" and not _uidplus(box):
            box.logout()
            # A plain EXPUNGE would also remove what another client marked deleted.
            raise ConnectionError(
                "RECLAMATIONS_MAIL_IMAP_AFTER=delete demande un serveur IMAP qui efface un "
                "message par son UID (UIDPLUS) : choisissez move, copy ou flag"
            )
        if s.mail_imap_after in ("move", "copy", "delete"):
            folders = [s.mail_imap_aside_folder]
            if s.mail_imap_after != "delete":
                folders.append(s.mail_imap_done_folder)
            for folder in folders:
                if not box.folder.exists(folder):
                    box.folder.create(folder)
        return box

    def _pending(self) -> list[str]:
        if self._box is None:
            self._box = self._connect()
        return list(self._box.uids(AND(no_keyword=KEYWORD)))

    def _fetch(self, uid: str) -> Fetched | None:
        assert self._box is not None
        kind, data = self._box.client.uid("FETCH", uid, "(BODY.PEEK[] INTERNALDATE)")
        if kind != "OK":
            return None
        for item in data:
            if isinstance(item, tuple) and len(item) == 2:
                header, raw = item
                arrived = _arrival(header) or datetime.now(UTC)
                return Fetched(uid=uid, raw=bytes(raw), arrived_at=arrived)
        return None

    def _mark(self, uid: str, taken: Taken) -> None:
        """Only once the message is taken: marked, moved, copied or deleted as configured."""
        assert self._box is not None
        s = self._settings
        aside = taken.disposition is Disposition.aside
        folder = s.mail_imap_aside_folder if aside else s.mail_imap_done_folder
        if s.mail_imap_after == "delete" and not aside:
            # Kept whole in the files' store (sealed as its complaint is, erased with it): the
            # mailbox keeps no copy an erasure would miss (rule 22). This message alone goes.
            for command in (("STORE", uid, "+FLAGS", r"(\Deleted)"), ("EXPUNGE", uid)):
                kind, answer = self._box.client.uid(*command)
                if kind != "OK":
                    raise ConnectionError(f"IMAP {command[0]} refusé : {answer!r}")
            return
        if s.mail_imap_after in ("move", "delete"):
            # Mail set aside stays where the team reads it, to register by hand what needs it.
            self._box.move(uid, folder)
            return
        if s.mail_imap_after == "copy":
            self._box.copy(uid, folder)
        self._box.flag(uid, [KEYWORD, "\\Seen"], True)

    def _close(self) -> None:
        if self._box is not None:
            box, self._box = self._box, None
            try:
                box.logout()
            except Exception:  # already gone: nothing to close
                logger.debug("IMAP : déconnexion impossible", exc_info=True)

    async def read_once(self) -> Round:
        """Every message not yet taken, in the order the mailbox holds them."""
        taken = again = left = 0
        try:
            for uid in await asyncio.to_thread(self._pending):
                fetched = await asyncio.to_thread(self._fetch, uid)
                if fetched is None:
                    continue  # expunged meanwhile by someone else
                source = f"imap:{self._settings.mail_imap_folder}"
                try:
                    result = await self._gateway.take(fetched.raw, fetched.arrived_at, source)
                except ServiceError as error:
                    # The door's messages never carry complainant content.
                    logger.warning("Courriel IMAP %s non enregistré : %s", uid, error)
                    left += 1
                    continue
                except Exception as error:
                    # rule 14: one message that fails never holds up those after it; it stays
                    # unmarked in the mailbox and is tried again next round.
                    logger.error("Courriel IMAP %s non enregistré (%s)", uid, type(error).__name__)
                    left += 1
                    continue
                await asyncio.to_thread(self._mark, uid, result)
                again += result.again
                taken += not result.again
        except Exception:
            await asyncio.to_thread(self._close)  # connect afresh next round
            raise
        return Round(taken=taken, again=again, left=left)

    async def run(self) -> None:
        """Read the mailbox every few seconds, for ever; a failure waits for the next round
        (rule 14: said in the log, the mail stays in the mailbox)."""
        while True:
            try:
                result = await self.read_once()
                if result.taken or result.left:
                    logger.info(
                        "IMAP : %s pris, %s laissés pour plus tard", result.taken, result.left
                    )
            except Exception as error:
                logger.warning("IMAP indisponible (%s) : nouvel essai au prochain tour", error)
            await asyncio.sleep(self._settings.mail_imap_every_seconds)

    async def close(self) -> None:
        await asyncio.to_thread(self._close)
