"""The web app on its own: `python -m web` (what `make run` starts on :8000)."""

from __future__ import annotations

import uvicorn

from reclamations.db.engine import create_engine, session_factory
from reclamations.security.files import private_files
from reclamations.settings import Settings
from reclamations.web.app import create_app
from reclamations.wiring import load_keyring


def main() -> None:
    private_files()
    settings = Settings()
    engine = create_engine(settings.resolved_database_url)
    app = create_app(
        settings,
        session_factory(engine),
        load_keyring(settings),
    )
    # The app reads forwarded addresses itself, from RECLAMATIONS_TRUSTED_PROXIES only
    # (web.app): uvicorn's own reading (trusting 127.0.0.1 by default) is off.
    uvicorn.run(
        app,
        host=settings.web_host,
        port=settings.web_port,
        log_level="warning",
        proxy_headers=False,
    )


if __name__ == "__main__":
    main()
