"""The mail intake on its own: `python -m reclamations.mail` (what `make run` starts): the
SMTP (or LMTP) receiver, and the IMAP mailbox reader when a mailbox is configured."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from reclamations.db.engine import create_engine, session_factory
from reclamations.mail.imap import MailboxReader
from reclamations.mail.intake import MailGateway
from reclamations.mail.receiver import serve
from reclamations.security.files import private_files
from reclamations.settings import Settings
from reclamations.wiring import complaint_service, connect_temporal, load_keyring

log = logging.getLogger("reclamations.mail")


async def main() -> None:
    settings = Settings()
    keyring = load_keyring(settings)
    engine = create_engine(settings.resolved_database_url)
    sessions = session_factory(engine)
    # Each complaint's payloads sealed with its own key, as the web and the starter do (issue 28).
    client = await connect_temporal(settings, keyring, sessions)
    door = complaint_service(client, settings, sessions, keyring)
    gateway = MailGateway(door, settings)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopping.set)
    server = None
    if settings.mail_receiver_port:
        server = await serve(
            gateway,
            settings.mail_receiver_host,
            settings.mail_receiver_port,
            settings.mail_receiver_lmtp,
            settings.mail_max_message_bytes,
        )
        protocol = "LMTP" if settings.mail_receiver_lmtp else "SMTP"
        log.info(
            "Récepteur %s sur %s:%s",
            protocol,
            settings.mail_receiver_host,
            settings.mail_receiver_port,
        )
    reader = MailboxReader(gateway, settings) if settings.mail_imap_host else None
    reading = asyncio.create_task(reader.run()) if reader else None
    if reader:
        log.info("Lecture IMAP de %s (%s)", settings.mail_imap_host, settings.mail_imap_folder)
    try:
        await stopping.wait()
    finally:
        if reading is not None:
            reading.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reading
        if reader is not None:
            await reader.close()
        if server is not None:
            server.close()
            await server.wait_closed()
        await engine.dispose()


if __name__ == "__main__":
    private_files()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    # aiosmtpd says every command it hears at INFO: its warnings only.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    asyncio.run(main())
