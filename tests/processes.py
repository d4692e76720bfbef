"""Real processes of the system for the tests that need them: workers and the web app."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.office import PATIENCE

ROOT = Path(__file__).parents[1]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def complaints(
    env: dict[str, str], *args: str, check: bool = True, input: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the `complaints` command with these settings (by default, it must succeed)."""
    result = subprocess.run(
        [str(BIN / "complaints"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        input=input,
        timeout=120,
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


def spawn(env: dict[str, str], *command: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, *command], cwd=ROOT, env=env)


def kill(process: subprocess.Popen[bytes]) -> None:
    """kill -9: no goodbye, no clean-up."""
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            kill(process)


@contextmanager
def web_app(env: dict[str, str]) -> Iterator[str]:
    """The web app as `make run` starts it, on a free port; yields its base URL."""
    port = free_port()
    process = spawn({**env, "RECLAMATIONS_WEB_PORT": str(port)}, "-m", "reclamations.web")
    url = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        try:
            httpx.get(f"{url}/openapi.json", timeout=1)
        except httpx.TransportError:
            return False
        return True

    try:
        wait_until(answers, every=0.1, what=f"the web app at {url}")
        yield url
    finally:
        stop(process)


def wait_until(
    condition: Callable[[], object], seconds: float = PATIENCE, every: float = 0.2, what: str = ""
) -> None:
    """`until` (tests/office.py) for code that runs outside an event loop."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(every)
    raise AssertionError(f"timed out after {seconds} s waiting for {what or condition}")
