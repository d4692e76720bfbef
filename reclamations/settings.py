"""Everything the entry points need to know, read from the environment (RECLAMATIONS_*) or a
`.env` file. Nothing here connects to anything: entry points build engines and clients from it."""

from __future__ import annotations

from datetime import date
from importlib.metadata import version
from ipaddress import ip_network
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from reclamations.domain.files import DEFAULT_FILE_LIMITS
from reclamations.domain.letters import DEMO_IDENTITY, INSURANCE_MEDIATOR, InsurerIdentity, Mediator
from reclamations.domain.policy import Policy
from reclamations.domain.retention import RetentionPolicy


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="RECLAMATIONS_",
        env_nested_delimiter="__",
        env_file=".env",
        extra="ignore",
        # RECLAMATIONS_INSURER__RCS=... changes that field of the default identity, the rest
        # stays.
        nested_model_default_partial_update=True,
    )

    data_dir: Path = Path(".data")
    database_url: str = ""
    temporal_address: str = "localhost:7233"
    temporal_namespace: str = "default"
    task_queue: str = "complaints"
    temporal_ui_url: str = "http://localhost:8233"
    # Web pages allowed to call the codec endpoint (besides the Temporal Web UI above).
    codec_allowed_origins: list[str] = []
    # Batches the codec endpoint works on at once, each in a thread of its own (web/codec.py).
    codec_threads: int = Field(2, ge=1, le=16)
    # `make run` only: the local Temporal Web UI cannot send the app's cookie to the codec
    # without a setting in each browser, so its codec address carries this key instead and
    # it decodes as an operator would (SECURITY.md). Never set in production.
    codec_local_key: SecretStr | None = None

    outbox_dir: Path | None = None
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    smtp_timeout_seconds: float = 30.0
    mail_from: str = "MUTEX - Réclamations <reclamations@mutex.example>"
    # Our letters' Message-IDs end with this domain: a reply naming one joins its complaint.
    mail_message_id_domain: str = "reclamations.local"

    # Complaints by email (reclamations/mail/, README "Réclamations par courriel").
    # The SMTP (or LMTP) receiver the insurer's mail server hands messages to; port 0: none.
    mail_receiver_host: str = "127.0.0.1"
    mail_receiver_port: int = Field(2525, ge=0, le=65535)
    mail_receiver_lmtp: bool = False
    # The largest message taken (bytes); a larger one is refused at the door (552).
    mail_max_message_bytes: int = Field(40 * 1024 * 1024, ge=1024)
    # A mailbox read over IMAP, every `mail_imap_every_seconds`; no host: none.
    mail_imap_host: str | None = None
    mail_imap_port: int = 993
    mail_imap_ssl: bool = True
    mail_imap_starttls: bool = False
    mail_imap_username: str | None = None
    mail_imap_password: SecretStr | None = None
    mail_imap_folder: str = "INBOX"
    # What becomes of a message once it is taken: "flag" (marked read and flagged, left
    # there), "move" (to `mail_imap_done_folder`), "copy" (copied there, left marked) or
    # "delete" (gone from the mailbox, kept in the files' store alone: erased with its
    # complaint, rule 22; the others leave a copy in the mailbox that an erasure cannot reach).
    mail_imap_after: str = Field("flag", pattern=r"^(flag|move|copy|delete)$")
    mail_imap_done_folder: str = "Reclamations-traitees"
    # Mail set aside (auto-replies, bounces, loops) goes to this folder with "move", "copy" and
    # "delete".
    mail_imap_aside_folder: str = "Reclamations-de-cote"
    mail_imap_every_seconds: float = Field(30.0, gt=0)
    # rule 3: our own mail servers' domains; their first Received: header is a sending
    # time we trust.
    mail_own_domains: list[str] = []
    # rule 11: messages to these addresses (the Médecin Conseil's mailbox) are medical.
    mail_medical_addresses: list[str] = []
    # The name the mail gateway acts under, on the record (rule 15).
    mail_gateway_name: str = "passerelle courriel"

    # Keys for payload and field encryption: "id:base64key,id2:base64key"; the first one
    # encrypts, all of them decrypt. Or a key file, created on first use by `make run`.
    encryption_keys: SecretStr | None = None
    key_file: Path | None = None

    # The insurer's own letter templates (the same names as activities/letters/templates).
    letter_templates: Path | None = None
    # The one insurer served when no entities file is named (rule 19).
    insurer: InsurerIdentity = DEMO_IDENTITY
    mediator: Mediator = INSURANCE_MEDIATOR
    policy: Policy = Policy()
    # The SDK's workflow sandbox refuses non-deterministic calls (the clock, randomness, I/O)
    # while workflow code runs, at a cost on every activation (a quarter of a worker's time
    # in a deadline storm, bench/README.md). Every test runs the workflows inside it, so such
    # a call never gets past the tests; production workers run without it unless set.
    workflow_sandbox: bool = False
    # Letters and records a worker runs at once. They mostly wait (database, mail server), so
    # many cost little; and a worker with a free slot runs the letter a workflow task orders
    # at once, without a trip through the server's queue (eager activities). A deadline storm
    # kept the SDK's 100 full and most letters went the long way: with 1,000, a storm of
    # 1,000 letters drained 35 % faster, one of 400 twice as fast (bench/README.md).
    worker_activity_slots: int = Field(1000, ge=1, le=10_000)
    # How long a workflow task waits for the worker that holds its complaint in memory (its
    # sticky queue) before it goes through the ordinary queue, history and all, to any worker.
    # The SDK's 10 s: in a deadline storm a worker behind its own tasks had a task of one
    # complaint in three to five sent again that way, work added just when it had none to spare
    # (bench/README.md, "Sticky workflow tasks"). The price: after a worker dies, its
    # complaints' next tasks, an agent's action among them, wait up to this long.
    worker_sticky_seconds: float = Field(30, ge=1, le=300)
    # Worker Versioning (docs/versioning.md): a worker serves one build of the deployment, and
    # the server sends work only to the build made current (`complaints deploy promote`).
    # Off for a Temporal server without worker deployments: every worker then takes any task.
    worker_versioning: bool = True
    # The server writes a version "deployment.build": a dot in the name would split it wrong.
    worker_deployment: str = Field("reclamations", pattern=r"^[^.]+$")
    # Unset: the installed package's version, so that each release is a build of its own.
    worker_build_id: str = ""
    # The worker makes its build current as soon as it polls, whatever build was current: for
    # one machine where the new worker replaces the old (`make run`). Otherwise a worker does
    # so only for a deployment's first build, and an operator promotes each next one.
    worker_promote: bool = False

    web_host: str = "127.0.0.1"
    web_port: int = 8000
    web_public_url: str = "http://localhost:8000"
    # The interactive API pages (/docs) load Swagger UI from its CDN: on for trying the API on
    # a workstation, off in production (docker-compose.yml).
    api_docs: bool = True
    # Behind TLS in production: cookies only over HTTPS.
    web_secure_cookies: bool = False
    # The reverse proxies (addresses or networks, e.g. ["172.30.80.1", "10.0.0.0/8"]) whose
    # X-Forwarded-For names the real client: login throttling and the audit log key on it.
    # From any other peer the header is ignored, so nobody escapes the per-address throttle
    # by writing one. Empty: no proxy, the peer is the client.
    trusted_proxies: list[str] = []
    # A session ends after this long without a request, and this long after logging in.
    session_idle_minutes: int = Field(60, ge=1, le=24 * 60)
    session_lifetime_hours: int = Field(10, ge=1, le=24 * 7)
    # The audit log and ended sessions are kept this long, then forgotten (SECURITY.md).
    audit_retention_days: int = Field(365, ge=30, le=10 * 365)
    # Issue 28: how long a complaint's personal data is kept after its closure, in days
    # (domain/retention.py; the defaults' sources in docs/operations.md), and how long an
    # erasure on request waits after it.
    retention_complaint_days: int = Field(5 * 365 + 1, ge=30, le=30 * 365)
    retention_request_days: int = Field(2 * 365, ge=30, le=30 * 365)
    erasure_minimum_days: int = Field(365, ge=0, le=30 * 365)
    # Mail set aside (auto-replies, bounces, messages to register by hand) is forgotten this
    # long after the intake took it (domain/retention.py).
    retention_aside_mail_days: int = Field(90, ge=7, le=10 * 365)
    # Request bodies are refused beyond these sizes, while they are read (bytes).
    max_body_bytes: int = Field(256 * 1024, ge=1024)
    max_codec_body_bytes: int = Field(8 * 1024 * 1024, ge=1024)
    # The complainant's own pages (issue 26, web.public): abuse limits and private links.
    # Complaints filed online from one address, and from everyone, per hour; pages of the
    # follow-up and new-link requests from one address, per hour.
    public_filings_per_address_hour: int = Field(5, ge=1)
    public_filings_per_hour: int = Field(200, ge=1)
    public_requests_per_address_hour: int = Field(300, ge=1)
    # A complaint's form sent back sooner than this after it was served is a robot's.
    public_min_fill_seconds: float = Field(4.0, ge=0)
    # How long a private link opens the follow-up page; a new one is asked for by email.
    follow_link_days: int = Field(120, ge=1, le=3 * 366)
    # Where the insurer enables it (issue 26, rule 20): every letter of a complaint that is not
    # medical carries its complainant's private link, printed or in the email; the stored
    # letter says where it was, never the link itself.
    letters_follow_link: bool = False
    # The public pages' accessibility statement (/accessibilite, RGAA 4.1): the insurer's last
    # audit of these pages, as the share of the criteria met, its date and who made it. With
    # no audit, the pages are declared "non conforme", as the RGAA asks of an unaudited site.
    accessibility_audit_rate: float | None = Field(None, ge=0, le=100)
    accessibility_audit_on: date | None = None
    accessibility_auditor: str = ""
    # Where the insurer publishes the audit's report (the criteria not met) and its plan.
    accessibility_report_url: str = ""
    # rule 17: the closed lists (products, reasons, root causes) as a TOML file;
    # unset: domain.typology.DEFAULT_TYPOLOGY.
    typology_file: Path | None = None
    # rule 19: the insurers and mutuals served, as a TOML file ([[entities]] with code,
    # identity, mediator, calendar); unset: `insurer` and `mediator` above, alone.
    entities_file: Path | None = None
    # Where the monthly Schedule writes the month's register and statistics.
    register_dir: Path | None = None
    # Documents' files (rule 16): a folder (default: .data/files), or an S3 bucket.
    files_dir: Path | None = None
    files_s3_bucket: str | None = None
    files_s3_endpoint: str | None = None  # MinIO, Ceph...; unset: AWS S3
    files_s3_access_key: str | None = None
    files_s3_secret_key: str | None = None
    max_file_bytes: int = Field(DEFAULT_FILE_LIMITS.per_file, ge=1024)
    max_complaint_files_bytes: int = Field(DEFAULT_FILE_LIMITS.per_complaint, ge=1024)
    max_complaint_files: int = Field(DEFAULT_FILE_LIMITS.files, ge=1, le=10_000)

    @field_validator("trusted_proxies")
    @classmethod
    def _addresses(cls, proxies: list[str]) -> list[str]:
        # uvicorn takes a mistyped address for a host name and trusts nobody: say so at start.
        for proxy in proxies:
            try:
                ip_network(proxy, strict=False)
            except ValueError:
                raise ValueError(f"adresse ou réseau invalide : {proxy!r}") from None
        return proxies

    @field_validator("accessibility_report_url")
    @classmethod
    def _web_address(cls, url: str) -> str:
        # The link is printed on a public page: only a web address, never a script's.
        parts = urlsplit(url)
        if url and (parts.scheme not in ("http", "https") or not parts.netloc):
            raise ValueError(f"adresse web attendue (https://…) : {url!r}")
        return url

    @model_validator(mode="after")
    def _audit_dated(self) -> Settings:
        # A rate with no date would be a statement no one can check; an auditor with no rate,
        # an audit the statement cannot report.
        rate, on = self.accessibility_audit_rate, self.accessibility_audit_on
        if (rate is None) != (on is None) or (self.accessibility_auditor and rate is None):
            raise ValueError(
                "RECLAMATIONS_ACCESSIBILITY_AUDIT_RATE et RECLAMATIONS_ACCESSIBILITY_AUDIT_ON "
                "vont ensemble (le taux de conformité de l'audit et sa date), et "
                "RECLAMATIONS_ACCESSIBILITY_AUDITOR avec eux"
            )
        return self

    @property
    def listens_locally(self) -> bool:
        """Whether the web app and Temporal are reachable from this machine only."""
        local = {"127.0.0.1", "localhost"}
        return {self.web_host, self.temporal_address.rpartition(":")[0]} <= local

    @property
    def resolved_worker_build_id(self) -> str:
        return self.worker_build_id or version("reclamations")

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite+aiosqlite:///{self.data_dir / 'reclamations.db'}"

    @property
    def retention(self) -> RetentionPolicy:
        return RetentionPolicy(
            complaint_days=self.retention_complaint_days,
            request_days=self.retention_request_days,
            erasure_minimum_days=self.erasure_minimum_days,
            aside_mail_days=self.retention_aside_mail_days,
        )

    @property
    def resolved_register_dir(self) -> Path:
        return self.register_dir or self.data_dir / "registre"

    @property
    def resolved_files_dir(self) -> Path:
        return self.files_dir or self.data_dir / "files"

    @property
    def resolved_outbox_dir(self) -> Path:
        return self.outbox_dir or self.data_dir / "outbox"

    @property
    def resolved_key_file(self) -> Path:
        return self.key_file or self.data_dir / "keys.json"
