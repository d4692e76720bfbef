"""Finding a complaint from what a caller on the phone says: its reference or its number, the
complainant's name, member number or email (issue 29).

Pure: this module turns a complaint's identity, and a searcher's words, into the same plain
search keys; `security.blind_index` makes each key an HMAC before it is stored or looked up, so
the index holds nothing readable (rule 11), and `db.search` stores and finds them.

A name is forgiven its accents, case and word order (each word is a key of its own) and one
small typo per word: every word of four letters or more is also indexed by each form it takes
with one letter removed, so two words one edit apart (a letter missing, added, changed or two
letters swapped) share a key. Shorter words only match exactly: one edit in three letters is
another name.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from reclamations.domain.intake import REFERENCE_PATTERN


class MatchKind(StrEnum):
    """Why a complaint matched: one per kind of thing searched."""

    reference = "reference"
    name = "name"
    member_number = "member_number"
    email = "email"


# Shown beside each result: "trouvée par : nom".
MATCH_LABELS = {
    MatchKind.reference: "référence",
    MatchKind.name: "nom",
    MatchKind.member_number: "n° d'adhérent",
    MatchKind.email: "courriel",
}

# The kinds that say who the complainant is: for a medical complaint, found by the Médecin
# Conseil alone (rule 11). Its reference is not its identity: anyone who may see the complaint
# finds it by its reference.
IDENTITY_KINDS = frozenset({MatchKind.name, MatchKind.member_number, MatchKind.email})

# Words shorter than this are only matched exactly.
FUZZY_FROM = 4
# A search shorter than this (once normalised) finds nothing: two letters match half the file.
MIN_QUERY = 2
MAX_QUERY = 200
MAX_WORDS = 6

_NOT_WORD = re.compile(r"[^0-9a-z]+")
_DIGITS = re.compile(r"^0*(\d+)$")
_TRAILING_NUMBER = re.compile(r"(\d+)$")
_CONTROL = re.compile("[\x00-\x1f\x7f]")
_REFERENCE = re.compile(REFERENCE_PATTERN)


def fold(text: str) -> str:
    """Casefolded, accents and other marks removed, ligatures opened (œ → oe)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.replace("œ", "oe").replace("æ", "ae").replace("ß", "ss")


def words(text: str) -> list[str]:
    """The words of a name, folded: "Jean-Éric  d'Orléans" → jean, eric, d, orleans."""
    return [w for w in _NOT_WORD.split(fold(text)) if w]


def variants(word: str) -> set[str]:
    """The word and each form of it with one letter removed (none for a short word)."""
    if len(word) < FUZZY_FROM:
        return set()
    return {word} | {word[:i] + word[i + 1 :] for i in range(len(word))}


def compact(text: str) -> str:
    """A member number as typed any way: "MB 0012-34" and "mb001234" are the same."""
    return "".join(w for w in words(text))


def email_key(address: str) -> str:
    return address.strip().casefold()


def reference_number(reference: str) -> str | None:
    """The number a reference ends with, without its leading zeros: REC-2026-000042 → 42."""
    found = _TRAILING_NUMBER.search(reference)
    return str(int(found.group(1))) if found else None


@dataclass(frozen=True)
class Key:
    """One plain search key, before it is made an HMAC. `part` says which word of a search it
    stands for (the index leaves it 0); `exact` whether it is the word itself."""

    kind: MatchKind
    text: str
    exact: bool = True
    part: int = 0

    @property
    def plain(self) -> str:
        # The kind and whether it is fuzzy are part of the key: a member number never matches
        # a name's word, a word's variant never counts as the word.
        return f"{self.kind.value}|{'e' if self.exact else 'v'}|{self.text}"


def index_keys(reference: str, name: str, email: str | None, member_number: str | None) -> set[Key]:
    """Every key a complaint is found by."""
    keys = set()
    number = reference_number(reference)
    if number:
        keys.add(Key(MatchKind.reference, number))
    for word in words(name):
        keys.add(Key(MatchKind.name, word))
        keys |= {Key(MatchKind.name, v, exact=False) for v in variants(word)}
    if email:
        keys.add(Key(MatchKind.email, email_key(email)))
    if member_number and compact(member_number):
        keys.add(Key(MatchKind.member_number, compact(member_number)))
    return keys


@dataclass(frozen=True)
class Query:
    """What a search looks for. `reference` is the text as typed, for an exact reference;
    `alone` the keys that each match on their own (a reference's number, an email, a member
    number); `words` the name's words, each a group of keys of which one must match, every
    group matching (word order free)."""

    text: str
    reference: str | None
    alone: frozenset[Key]
    words: tuple[frozenset[Key], ...]

    @property
    def empty(self) -> bool:
        return not (self.reference or self.alone or self.words)


def parse_query(text: str) -> Query:
    """The keys a searcher's text stands for. One text may be read several ways (digits are a
    reference's number and maybe a member number): each reading is tried."""
    # Whatever was typed or sent: lone surrogates and control characters dropped, never an
    # error (they match nothing anyway).
    text = _CONTROL.sub("", text.encode("utf-8", "ignore").decode("utf-8")).strip()[:MAX_QUERY]
    folded = words(text)
    if len("".join(folded)) < MIN_QUERY:
        return Query(text, None, frozenset(), ())
    alone: set[Key] = set()
    single = " " not in text
    if single:
        digits = _DIGITS.match(text)
        if digits:
            alone.add(Key(MatchKind.reference, str(int(digits.group(1)))))
        if "@" in text:
            alone.add(Key(MatchKind.email, email_key(text)))
    if len(folded) <= 3 and compact(text):
        alone.add(Key(MatchKind.member_number, compact(text)))
    groups: list[frozenset[Key]] = []
    if "@" not in text and any(not w.isdigit() for w in folded):
        for part, word in enumerate(dict.fromkeys(folded[:MAX_WORDS])):
            group = {Key(MatchKind.name, word, part=part)}
            group |= {Key(MatchKind.name, v, exact=False, part=part) for v in variants(word)}
            groups.append(frozenset(group))
    reference = text if single and _REFERENCE.match(text) else None
    return Query(text, reference, frozenset(alone), tuple(groups))
