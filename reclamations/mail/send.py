"""`python -m reclamations.mail.send FILE.eml`: hand a message to the local receiver as a mail
server would (what `make run` suggests trying). Sent twice, it makes one complaint."""

from __future__ import annotations

import argparse
import smtplib
from email import message_from_bytes, policy
from email.utils import getaddresses
from pathlib import Path

from reclamations.settings import Settings


def main() -> int:
    settings = Settings()
    parser = argparse.ArgumentParser(description="Envoyer un courriel (.eml) au récepteur local.")
    parser.add_argument("message", type=Path, help="le message, au format .eml")
    parser.add_argument("--host", default=settings.mail_receiver_host)
    parser.add_argument("--port", type=int, default=settings.mail_receiver_port)
    args = parser.parse_args()
    # On the wire, lines end in CRLF (RFC 5321); a file saved on Unix ends them in LF.
    raw = args.message.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    message = message_from_bytes(raw, policy=policy.default)
    sender = next((a for _, a in getaddresses([str(message.get("From", ""))]) if a), "")
    recipients = [a for _, a in getaddresses([str(v) for v in message.get_all("To") or []]) if a]
    with smtplib.SMTP(args.host, args.port, timeout=120) as server:
        server.sendmail(sender, recipients or ["reclamations@localhost"], raw)
    print(f"Remis à {args.host}:{args.port} : {args.message}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
