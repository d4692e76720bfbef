"""Password hashes (scrypt, from the standard library), the password policy, and API bearer
tokens.

The policy follows current advice (NIST SP 800-63B): a minimum length and a refusal of the
passwords attackers try first, no composition rules. "The passwords attackers try first" is
zxcvbn's list of the 30,000 most common passwords and its estimate of how guessable the rest
are (its patterns: repeats, keyboard rows, dates, dictionary words, the user's own name): a
well-kept library of the field rather than a list of our own.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Sequence
from functools import cache

MIN_LENGTH = 12
MAX_LENGTH = 200
GUESSABLE = 3  # zxcvbn scores 0 to 4; below this, found within hours offline

_N, _R, _P = 2**14, 8, 1


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P)
    encode = base64.b64encode
    return f"scrypt${_N}${_R}${_P}${encode(salt).decode()}${encode(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    computed = hashlib.scrypt(
        password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p)
    )
    return hmac.compare_digest(computed, base64.b64decode(digest))


def new_token() -> str:
    return f"rcl_{secrets.token_urlsafe(32)}"


def token_digest(token: str) -> str:
    """Tokens are long and random: a plain SHA-256 is enough to store them safely."""
    return hashlib.sha256(token.encode()).hexdigest()


def password_problem(password: str, user_inputs: Sequence[str] = ()) -> str | None:
    """Why this password is refused, in French, or None when it will do."""
    if len(password) < MIN_LENGTH:
        return f"le mot de passe doit compter au moins {MIN_LENGTH} caractères"
    if len(password) > MAX_LENGTH:
        return f"le mot de passe ne peut dépasser {MAX_LENGTH} caractères"
    # Imported here: its lists take a moment to load, and only a new password needs them.
    from zxcvbn import zxcvbn
    from zxcvbn.matching import RANKED_DICTIONARIES

    if password.lower() in RANKED_DICTIONARIES["passwords"]:
        return "ce mot de passe fait partie des plus courants : choisissez-en un autre"
    if zxcvbn(password, user_inputs=list(user_inputs))["score"] < GUESSABLE:
        return (
            "ce mot de passe est trop facile à deviner (suite, répétition, mot courant ou votre "
            "nom) : une phrase de plusieurs mots convient mieux"
        )
    return None


@cache
def _stand_in_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def verify_nobody(password: str) -> None:
    """The same work as checking a real user's password, for a name that is nobody's: an
    unknown user is refused in the same time as a known one with a wrong password."""
    verify_password(password, _stand_in_hash())
