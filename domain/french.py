"""French wording for dates, as complainants and agents read them."""

from __future__ import annotations

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
