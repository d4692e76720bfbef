"""A real IMAP server for the tests: Debian's Dovecot (package dovecot-imapd), started as an
unprivileged process with its own configuration in the test's folder: plain login on
127.0.0.1, one mailbox user in a passwd-file, Maildir storage."""

from __future__ import annotations

import grp
import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

DOVECOT = shutil.which("dovecot") or next(
    (p for p in ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot") if Path(p).exists()), None
)
# As root (CI, this machine), Dovecot runs as the unprivileged user its package made.
UNPRIVILEGED = "dovecot"
USER, PASSWORD = "reclamations", "mot-de-passe-de-test"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class ImapServer:
    host: str
    port: int
    user: str
    password: str
    process: subprocess.Popen[bytes]
    log: Path

    def connect(self) -> imaplib.IMAP4:
        client = imaplib.IMAP4(self.host, self.port)
        client.login(self.user, self.password)
        return client

    def append(self, raw: bytes, folder: str = "INBOX", arrived: float | None = None) -> None:
        client = self.connect()
        try:
            when = imaplib.Time2Internaldate(arrived if arrived is not None else time.time())
            kind, answer = client.append(folder, None, when, raw)
            assert kind == "OK", answer
        finally:
            client.logout()

    def count(self, folder: str = "INBOX", criteria: str = "ALL") -> int:
        client = self.connect()
        try:
            kind, _ = client.select(f'"{folder}"', readonly=True)
            if kind != "OK":
                return 0
            _, found = client.uid("SEARCH", criteria)
            return len(found[0].split())
        finally:
            client.logout()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.log.parent, ignore_errors=True)


CONFIG = """
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
instance_name = reclamations-tests-{port}
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
first_valid_uid = 1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
log_path = {root}/dovecot.log
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  chroot =
}}
service anvil {{
  chroot =
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/mail/%u
}}
mail_location = maildir:~/Maildir
"""


def start_dovecot() -> ImapServer:
    """Dovecot in a folder of its own under the system's temporary folder (which its user may
    reach, unlike the tests' private ones), removed by `stop`."""
    assert DOVECOT is not None
    root = Path(tempfile.mkdtemp(prefix="reclamations-imap-"))
    for folder in ("run", "state", "mail"):
        (root / folder).mkdir(exist_ok=True)
    as_root = os.geteuid() == 0
    account = pwd.getpwnam(UNPRIVILEGED) if as_root else pwd.getpwuid(os.geteuid())
    port = free_port()
    (root / "dovecot.conf").write_text(
        CONFIG.format(
            root=root,
            port=port,
            user=account.pw_name,
            group=grp.getgrgid(account.pw_gid).gr_name,
            uid=account.pw_uid,
            gid=account.pw_gid,
        )
    )
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
    command = [DOVECOT, "-F", "-c", str(root / "dovecot.conf")]
    if as_root:
        shutil.chown(root, account.pw_uid, account.pw_gid)
        for path in root.rglob("*"):
            shutil.chown(path, account.pw_uid, account.pw_gid)
        command = [
            "setpriv",
            f"--reuid={account.pw_uid}",
            f"--regid={account.pw_gid}",
            "--clear-groups",
            *command,
        ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=None)
    server = ImapServer("127.0.0.1", port, USER, PASSWORD, process, root / "dovecot.log")
    deadline = time.monotonic() + 30
    while True:
        try:
            server.connect().logout()
            return server
        except (OSError, imaplib.IMAP4.error):
            if process.poll() is not None or time.monotonic() > deadline:
                log = server.log.read_text() if server.log.exists() else ""
                server.stop()
                raise RuntimeError(f"Dovecot did not start:\n{log}") from None
            time.sleep(0.1)
