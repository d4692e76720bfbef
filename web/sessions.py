"""Signed session cookies and CSRF tokens for the agents' UI."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass

COOKIE = "reclamations_session"
LOGIN_COOKIE = "reclamations_login"
MAX_AGE = 10 * 3600  # a working day


@dataclass(frozen=True)
class Session:
    username: str
    csrf: str
    expires: int


class SessionSigner:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _mac(self, payload: bytes) -> str:
        return hmac.new(self._secret, payload, hashlib.sha256).hexdigest()

    def issue(self, username: str, now: float | None = None) -> tuple[str, Session]:
        session = Session(
            username=username,
            csrf=secrets.token_urlsafe(24),
            expires=int((now or time.time()) + MAX_AGE),
        )
        payload = base64.urlsafe_b64encode(
            json.dumps({"u": session.username, "c": session.csrf, "e": session.expires}).encode()
        )
        return f"{payload.decode()}.{self._mac(payload)}", session

    def read(self, cookie: str | None, now: float | None = None) -> Session | None:
        if not cookie or "." not in cookie:
            return None
        payload, _, mac = cookie.rpartition(".")
        if not hmac.compare_digest(mac, self._mac(payload.encode())):
            return None
        try:
            data = json.loads(base64.urlsafe_b64decode(payload))
            session = Session(username=data["u"], csrf=data["c"], expires=int(data["e"]))
        except (ValueError, KeyError, TypeError):
            return None
        return session if session.expires > (now or time.time()) else None


def same_token(expected: str | None, given: object) -> bool:
    return bool(expected) and isinstance(given, str) and hmac.compare_digest(expected or "", given)
