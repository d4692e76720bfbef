"""French wording, as complainants and agents read it: dates, elisions, typography."""

from __future__ import annotations

import re
from datetime import date

_MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
_WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


def long_date(day: date, with_weekday: bool = False) -> str:
    """'1er janvier 2027', or 'vendredi 1er janvier 2027' with the weekday."""
    number = "1er" if day.day == 1 else str(day.day)
    text = f"{number} {_MONTHS[day.month - 1]} {day.year}"
    return f"{_WEEKDAYS[day.weekday()]} {text}" if with_weekday else text


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """'1 jour', '3 jours'."""
    word = singular if abs(count) <= 1 else (plural_form or singular + "s")
    return f"{count} {word}"


_ELIDING = tuple("aeiouyhàâäéèêëîïôöûüAEIOUYHÉÈÊÎÔ")
# A no-break space (in Latin-1, so every font prints it) keeps French punctuation with its word.
NO_BREAK = "\u00a0"
_BEFORE_MARK = re.compile(r"[ \t]+([:;!?»])")
_AFTER_GUILLEMET = re.compile(r"«[ \t]+")


def of(noun: str) -> str:
    """'de maintenance informatique', "d'expertise médicale": the elision French asks for."""
    return f"d'{noun}" if noun.startswith(_ELIDING) else f"de {noun}"


def typography(text: str) -> str:
    """No-break spaces before : ; ! ? » and after «, so none is left alone at a line's end."""
    text = _BEFORE_MARK.sub(lambda m: NO_BREAK + m.group(1), text)
    return _AFTER_GUILLEMET.sub("«" + NO_BREAK, text)


def decimal(value: float, places: int = 1) -> str:
    """'12,5': the decimal comma French writes."""
    return f"{value:.{places}f}".replace(".", ",")


def percent(value: float | None) -> str:
    """'25,0 %' (a comma, a space before the sign); '' when there is nothing to count."""
    return "" if value is None else f"{decimal(value)} %"
