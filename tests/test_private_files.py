"""Every entry point makes its files private before it creates any (SECURITY.md): the web app
and the worker, started as a shell would start them, make their data folder 0700 and the key
file in it 0600. (The command line: tests/web/test_edges.py.)"""

import os
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.mark.parametrize(
    "command", [["-m", "reclamations.web"], ["-m", "reclamations.worker"]], ids=["web", "worker"]
)
def test_the_web_app_and_the_worker_create_private_files(tmp_path, command):
    data = tmp_path / "data"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("RECLAMATIONS_")}
    environment |= {
        "PYTHONPATH": str(ROOT),
        "RECLAMATIONS_DATA_DIR": str(data),
        "RECLAMATIONS_TEMPORAL_ADDRESS": f"127.0.0.1:{free_port()}",  # nobody: the worker stops
        "RECLAMATIONS_WEB_HOST": "127.0.0.1",
        "RECLAMATIONS_WEB_PORT": str(free_port()),
    }
    process = subprocess.Popen(
        [sys.executable, *command],
        cwd=tmp_path,  # no .env of the project's
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        umask=0o022,  # as a shell leaves it: the entry point itself must tighten it
    )
    try:
        deadline = time.monotonic() + 60
        while not any(data.glob("*")) and process.poll() is None:
            assert time.monotonic() < deadline, "no key file made within a minute"
            time.sleep(0.05)
    finally:
        process.terminate()
        process.wait(timeout=30)
    [key_file] = [p for p in data.rglob("*") if p.is_file()]
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
