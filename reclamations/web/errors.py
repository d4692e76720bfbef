"""The door's refusals as HTTP answers, in one place for every route: a page or an API route
lets a ServiceError go, and the app's handler (web/app.py) answers with its status, as JSON
problem details under /api, as the error page elsewhere."""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException

from reclamations.domain.errors import (
    Forbidden,
    Invalid,
    NotFound,
    Refused,
    ServiceError,
    Unavailable,
)

STATUS: dict[type[ServiceError], int] = {
    Invalid: 422,
    NotFound: 404,
    Forbidden: 403,
    Refused: 409,
    Unavailable: 503,
}


def http_status(error: ServiceError) -> int:
    return next((code for kind, code in STATUS.items() if isinstance(error, kind)), 500)


def as_http(error: ServiceError, api: bool) -> HTTPException:
    """For the API (`api`), an invalid input names each field it refuses."""
    detail: Any = str(error)
    if api and isinstance(error, Invalid):
        detail = [{"field": e.field, "message": e.message} for e in error.errors]
    return HTTPException(status_code=http_status(error), detail=detail)
