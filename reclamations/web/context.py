"""What every request handler needs, built once per app."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from temporalio.client import Client

from reclamations.db.engine import SessionFactory
from reclamations.db.logins import SessionPolicy, Throttle
from reclamations.security.complaint_keys import ComplaintKeys
from reclamations.security.keyring import Keyring
from reclamations.service import ComplaintService
from reclamations.settings import Settings
from reclamations.web.follow_mail import FollowMailer
from reclamations.web.guard import FormSigner, RateLimits
from reclamations.wiring import complaint_service, email_sender

TEMPLATES = Path(__file__).parent / "templates"


@dataclass
class WebContext:
    settings: Settings
    sessions: SessionFactory
    keyring: Keyring
    throttle: Throttle = field(default_factory=Throttle)
    templates: Jinja2Templates = field(
        default_factory=lambda: Jinja2Templates(directory=str(TEMPLATES))
    )
    client: Client | None = None
    # The public pages' limits (web.guard), counted in this process.
    rate_limits: RateLimits = field(default_factory=RateLimits)
    _service: ComplaintService | None = field(default=None, init=False)
    _follow_mailer: FollowMailer | None = field(default=None, init=False)
    _background: set[asyncio.Task[Any]] = field(default_factory=set, init=False)
    _codec_threads: ThreadPoolExecutor | None = field(default=None, init=False)
    _complaint_keys: ComplaintKeys | None = field(default=None, init=False)

    @property
    def complaint_keys(self) -> ComplaintKeys:
        """Each complaint's own key (issue 28), for the codec endpoint: one cache per app."""
        if self._complaint_keys is None:
            self._complaint_keys = ComplaintKeys(self.sessions, self.keyring)
        return self._complaint_keys

    @property
    def service(self) -> ComplaintService:
        """The one door every route goes through (built once the client is connected)."""
        if self.client is None:
            raise RuntimeError("the Temporal client is not connected yet")
        if self._service is None:
            self._service = complaint_service(
                self.client, self.settings, self.sessions, self.keyring
            )
        return self._service

    @property
    def form_signer(self) -> FormSigner:
        return FormSigner.from_keyring(self.keyring, self.settings.public_min_fill_seconds)

    @property
    def follow_mailer(self) -> FollowMailer:
        """The emails with private links (web.follow_mail), through the letters' sender."""
        if self._follow_mailer is None:
            self._follow_mailer = FollowMailer(
                self.settings, self.sessions, self.service, email_sender(self.settings)
            )
        return self._follow_mailer

    def in_background(self, work: Coroutine[Any, Any, Any]) -> None:
        """Work the answer does not wait for (an email tried at once; the outbox keeps it
        if the try fails); kept referenced until done."""
        task = asyncio.get_running_loop().create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def settle(self) -> None:
        """Until the work in the background is done (tests, shutting down)."""
        while self._background:
            await asyncio.gather(*self._background, return_exceptions=True)

    @property
    def codec_threads(self) -> ThreadPoolExecutor:
        """The codec endpoint's own threads (settings.codec_threads): batches beyond them wait
        their turn, and the threads the rest of the app runs on stay free."""
        if self._codec_threads is None:
            self._codec_threads = ThreadPoolExecutor(
                self.settings.codec_threads, thread_name_prefix=f"codec-{id(self):x}"
            )
        return self._codec_threads

    @property
    def session_policy(self) -> SessionPolicy:
        return SessionPolicy(
            idle=timedelta(minutes=self.settings.session_idle_minutes),
            lifetime=timedelta(hours=self.settings.session_lifetime_hours),
            kept=timedelta(days=self.settings.audit_retention_days),
        )

    def history_url(self, workflow_id: str) -> str:
        base = self.settings.temporal_ui_url.rstrip("/")
        return f"{base}/namespaces/{self.settings.temporal_namespace}/workflows/{workflow_id}"


def context(request: Request) -> WebContext:
    found: WebContext = request.app.state.context
    return found
