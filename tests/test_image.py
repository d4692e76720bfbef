"""No secret in the image (SECURITY.md): the build context the Dockerfile's `COPY . .` takes,
computed by docker-py's own builder (the Docker SDK for Python: its `.dockerignore` reading and
its pattern matcher, Docker's semantics), from a copy of the project in which the files a
machine holds beside the code (keys, `.env`, the data folder, the outbox, the demo token) are
planted."""

import io
import shutil
import tarfile
from pathlib import Path

from docker.utils.build import tar

ROOT = Path(__file__).parents[1]
# Heavy folders not worth copying: planted again below, as a machine has them.
NOT_COPIED = shutil.ignore_patterns(
    ".git", ".venv", ".tools", ".data", ".*_cache", "__pycache__", "results"
)
SECRETS = [
    ".env",
    ".env.production",
    "deploy/.env",
    ".data/keys.json",
    ".data/demo_token",
    ".data/reclamations.db",
    ".data/outbox/post/REC-2026-000101/answer-1.pdf",
    ".data/outbox/email/REC-2026-000101/acknowledgement-1.eml",
    ".data/files/REC-2026-000101/0123abcd",
    ".data/registre/registre-2026-11.xlsx",
    "outbox/post/REC-2026-000102/answer-1.pdf",  # RECLAMATIONS_OUTBOX_DIR=outbox
    "keys.json",
    "keys-production.json",
    "demo_token",
    "reclamations.db",
    "server.key",
    "deploy/tls/server.key",
    "deploy/tls/server.pem",
    "deploy/tls/client.p12",
    ".tools/bin/uv",
    ".venv/bin/python",
    ".git/config",
]
# What the image needs: the Dockerfile's first COPY, and the code.
NEEDED = [
    "Dockerfile",
    "pyproject.toml",
    "uv.lock",
    "README.md",
    "reclamations/worker.py",
    "reclamations/domain/files.py",
    "reclamations/web/templates/base.html",
    "reclamations/activities/letters/templates/answer.txt.j2",
    "reclamations/db/migrations/versions/0001_initial.py",
]


def build_context(root: Path) -> set[str]:
    """The files `docker build` would send, as docker-py's `APIClient.build` makes them: the
    `.dockerignore`'s lines less blanks and comments, then its tar of the context."""
    lines = (root / ".dockerignore").read_text().splitlines()
    exclude = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    archive = tar(str(root), exclude=exclude, dockerfile=("Dockerfile", None))
    with tarfile.open(fileobj=io.BytesIO(archive.read())) as context:
        return {member.name for member in context.getmembers() if member.isfile()}


def test_no_secret_reaches_the_image_and_the_code_does(tmp_path):
    copy = tmp_path / "project"
    shutil.copytree(ROOT, copy, ignore=NOT_COPIED)
    for secret in SECRETS:
        (copy / secret).parent.mkdir(parents=True, exist_ok=True)
        (copy / secret).write_text("secret")
    sent = build_context(copy)
    assert sorted(set(SECRETS) & sent) == []
    assert sorted(set(NEEDED) - sent) == []
