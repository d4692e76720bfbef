"""What keeps abuse out of the public pages (issue 26), with nothing from another site: no
CAPTCHA service is reachable offline, and none is needed.

- A signed form token (`FormSigner`): a random nonce, also set as a cookie (signed double
  submit: another site can neither read the cookie nor forge the signature), and the time the
  form was served, so that a form sent back faster than a person types is refused.
- Rate limits (`RateLimits`): per client address and for the whole site, counted in memory
  before any form is read, so that a flood never reaches the door, Temporal or the queue.
- A honeypot field, which people never see and robots fill in (web.public).

The limits are per web process: behind several processes, each counts its own (the reverse
proxy may limit too; docs/operations.md).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from enum import StrEnum

from reclamations.security.keyring import Keyring


class FormProblem(StrEnum):
    forged = "forged"  # no cookie, another nonce, a bad signature: CSRF or tampering
    too_fast = "too_fast"
    expired = "expired"


FORM_PROBLEM_MESSAGES = {
    FormProblem.forged: (
        "Le formulaire n'a pas pu être vérifié (cookies désactivés, ou page ouverte depuis "
        "un autre site) : rechargez la page et envoyez-le de nouveau."
    ),
    FormProblem.too_fast: (
        "Le formulaire a été envoyé trop vite pour avoir été rempli : relisez-le et "
        "envoyez-le de nouveau."
    ),
    FormProblem.expired: (
        "Le formulaire est resté ouvert trop longtemps : vérifiez-le et envoyez-le de nouveau."
    ),
}


@dataclass(frozen=True)
class FormSigner:
    """Signs and checks the public forms' tokens with a key derived from the keyring (the
    same in every process of an install; a new current key only makes open forms expire)."""

    key: bytes
    min_fill_seconds: float
    max_age_seconds: float = 24 * 3600

    @classmethod
    def from_keyring(cls, keyring: Keyring, min_fill_seconds: float) -> FormSigner:
        secret = keyring.keys[keyring.current_id]
        key = hmac.new(secret, b"reclamations/public-forms", hashlib.sha256).digest()
        return cls(key=key, min_fill_seconds=min_fill_seconds)

    def new_nonce(self) -> str:
        return secrets.token_urlsafe(18)

    def token(self, nonce: str, purpose: str, now: float | None = None) -> str:
        served = int(now if now is not None else time.time())
        return f"{served}.{self._signature(nonce, purpose, served)}"

    def problem(
        self,
        cookie_nonce: str | None,
        token: str | None,
        purpose: str,
        timed: bool,
        now: float | None = None,
    ) -> FormProblem | None:
        """Why this form is refused, if it is. `timed`: the minimum fill time applies (a
        complaint), not to a button on the follow-up page."""
        moment = now if now is not None else time.time()
        served_text, _, signature = (token or "").partition(".")
        if not cookie_nonce or not served_text.isdigit() or len(served_text) > 12:
            return FormProblem.forged
        served = int(served_text)
        expected = self._signature(cookie_nonce, purpose, served)
        if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
            return FormProblem.forged
        if moment - served > self.max_age_seconds or served > moment + 60:
            return FormProblem.expired
        if timed and moment - served < self.min_fill_seconds:
            return FormProblem.too_fast
        return None

    def _signature(self, nonce: str, purpose: str, served: int) -> str:
        message = f"{purpose}\n{nonce}\n{served}".encode()
        return hmac.new(self.key, message, hashlib.sha256).hexdigest()


@dataclass
class Limit:
    count: int
    seconds: float


@dataclass
class RateLimits:
    """Sliding windows of hits, per key; the oldest keys are forgotten beyond `max_keys`, so
    that a flood from many addresses cannot fill the memory."""

    max_keys: int = 10_000
    _hits: OrderedDict[str, deque[float]] = field(default_factory=OrderedDict)

    def take(self, key: str, limit: Limit, now: float | None = None) -> float | None:
        """Count a hit for `key`; None when allowed, else the seconds to wait."""
        moment = now if now is not None else time.monotonic()
        hits = self._hits.get(key)
        if hits is None:
            hits = self._hits[key] = deque()
            while len(self._hits) > self.max_keys:
                self._hits.popitem(last=False)
        else:
            self._hits.move_to_end(key)
        while hits and hits[0] <= moment - limit.seconds:
            hits.popleft()
        if len(hits) >= limit.count:
            return max(1.0, hits[0] + limit.seconds - moment)
        hits.append(moment)
        return None

    def take_all(self, checks: list[tuple[str, Limit]], now: float | None = None) -> float | None:
        """Every check must pass; a refused one counts no hit in the others."""
        moment = now if now is not None else time.monotonic()
        for key, limit in checks:
            hits = self._hits.get(key, deque())
            recent = [hit for hit in hits if hit > moment - limit.seconds]
            if len(recent) >= limit.count:
                return max(1.0, recent[0] + limit.seconds - moment)
        for key, limit in checks:
            self.take(key, limit, moment)
        return None
