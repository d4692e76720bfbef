"""Password hashes (scrypt, from the standard library), the password policy, and API bearer
tokens.

The policy follows current advice (NIST SP 800-63B): a minimum length and a refusal of the
passwords attackers try first, no composition rules. "The passwords attackers try first" is
zxcvbn's list of the 30,000 most common passwords and its estimate of how guessable the rest
are (its patterns: repeats, keyboard rows, dates, dictionary words, the user's own name): a
well-kept library of the field rather than a list of our own. Its lists are English, its
keyboards QWERTY: French users' favourites ("motdepasse", "soleil", "marseille") and AZERTY
walks ("azertyuiop", "wxcvbn") are given to it as words of its own (`user_inputs`), from the
small lists in `security/data/` (their sources are in their headers). zxcvbn still rates a
common word with a year and a sign ("Marseille2013!") as hard to guess; attackers' tools try
exactly that first, so a password whose letters are one or two common passwords is refused
whatever digits and signs surround them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path

MIN_LENGTH = 12
MAX_LENGTH = 200
GUESSABLE = 3  # zxcvbn scores 0 to 4; below this, found within hours offline

_N, _R, _P = 2**14, 8, 1
_DATA = Path(__file__).parent / "data"
SHORTEST_WALK = 4  # a stretch of a keyboard row this long or more counts as a word
SHORTEST_WORD = 4  # the shortest common password looked for inside a longer one


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

    lowered = password.lower()
    french = french_words()
    if lowered in RANKED_DICTIONARIES["passwords"] or lowered in french:
        return "ce mot de passe fait partie des plus courants : choisissez-en un autre"
    guessed = zxcvbn(password, user_inputs=[*user_inputs, *french], max_length=MAX_LENGTH)
    if guessed["score"] < GUESSABLE:
        return (
            "ce mot de passe est trop facile à deviner (suite, répétition, mot courant ou votre "
            "nom) : une phrase de plusieurs mots convient mieux"
        )
    if _common_words(
        password, lambda word: word in french or word in RANKED_DICTIONARIES["passwords"]
    ):
        return (
            "ce mot de passe n'est fait que d'un ou deux mots de passe courants (chiffres et "
            "signes mis à part) : une phrase de plusieurs mots convient mieux"
        )
    return None


def _common_words(password: str, common: Callable[[str], bool]) -> bool:
    """Whether the password's letters, once its digits and signs are set aside, are one
    common password or two side by side ("Jetaime2024!", "Doudou.Loulou1")."""
    letters = "".join(c for c in password.lower() if c.isalpha())
    if len(letters) < SHORTEST_WORD:
        return False
    return common(letters) or any(
        common(letters[:cut]) and common(letters[cut:])
        for cut in range(SHORTEST_WORD, len(letters) - SHORTEST_WORD + 1)
    )


@cache
def french_words() -> dict[str, None]:
    """What zxcvbn's English lists miss, most guessable first (zxcvbn ranks words by their
    place): every stretch of an AZERTY row, then the most common French passwords."""
    rows = _lines("azerty_rows.txt")
    walks = [
        row[start:end]
        for row in rows
        for start in range(len(row))
        for end in range(start + SHORTEST_WALK, len(row) + 1)
    ]
    return dict.fromkeys([*walks, *_lines("french_passwords.txt")])


def _lines(name: str) -> list[str]:
    text = (_DATA / name).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line and not line.startswith("#")]


@cache
def _stand_in_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def verify_nobody(password: str) -> None:
    """The same work as checking a real user's password, for a name that is nobody's: an
    unknown user is refused in the same time as a known one with a wrong password."""
    verify_password(password, _stand_in_hash())
