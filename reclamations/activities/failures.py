"""Activity failures that never carry complainant content (rule 14).

An exception's own message may quote what it choked on: a database error quotes its statement's
parameters (names, addresses), a template error the text around it. Those messages would end up
in the Temporal history and the worker's log. So every activity failure is replaced by one of
these: a French sentence, the exception's class name, and whether retrying can mend it.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

import aiosmtplib
from jinja2 import TemplateError
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, ProgrammingError
from temporalio.exceptions import ApplicationError

from reclamations.security.sealing import Unreadable

P = ParamSpec("P")
R = TypeVar("R")

# Failures that no retry can mend: bad data, a broken template. They become incidents.
LASTING = "LastingFailure"
# Failures that retrying mends in time: a database or mail server away, a timeout.
PASSING = "PassingFailure"


def contentless(error: BaseException) -> ApplicationError:
    kind = type(error).__name__
    if isinstance(error, aiosmtplib.SMTPResponseException):
        kind += f" {error.code}"  # the code alone: the server's words may quote addresses
    if isinstance(error, ApplicationError):
        return error  # ours, already without content
    if isinstance(error, TemplateError | Unreadable | UnicodeError):
        message = f"Courrier impossible à rédiger ({kind})"
        return ApplicationError(message, type=LASTING, non_retryable=True)
    if _refused_by_database(error):
        message = f"Donnée refusée par la base ({kind})"
        return ApplicationError(message, type=LASTING, non_retryable=True)
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused) and all(
        refused.code >= 500 for refused in error.recipients
    ):
        message = f"Adresse refusée par le serveur de courrier ({kind})"
        return ApplicationError(message, type=LASTING, non_retryable=True)
    return ApplicationError(f"Échec passager, nouvel essai ({kind})", type=PASSING)


def _refused_by_database(error: BaseException) -> bool:
    """A value or statement the database will refuse however often it is sent: SQLSTATE
    classes 22 (data), 23 (integrity) and 42 (statement)."""
    if isinstance(error, DataError | IntegrityError | ProgrammingError):
        return True
    state = str(getattr(error.orig, "sqlstate", "") or "") if isinstance(error, DBAPIError) else ""
    return state[:2] in ("22", "23", "42")


def without_content(activity: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """Wrap an activity so that whatever it raises reaches Temporal as `contentless`."""

    @functools.wraps(activity)
    async def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await activity(*args, **kwargs)
        except Exception as error:
            raise contentless(error) from None

    return run
