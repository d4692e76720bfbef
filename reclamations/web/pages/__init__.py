"""The agents' UI: logging in (`login`), the queue (`queue`), a complaint's page and its
actions, new complaints (`complaint`); what they share in `common`, which the other pages of
the agents (dashboard, search, corrective actions, erasure) use too."""

from fastapi import APIRouter

from reclamations.web.pages import complaint, login, queue
from reclamations.web.pages.common import (
    MAX_LETTERS,
    MAX_PAGE,
    Agent,
    LoginRequired,
    checked_form,
    current_agent,
    render,
)

router = APIRouter(include_in_schema=False)
router.include_router(login.router)
router.include_router(queue.router)
router.include_router(complaint.router)

__all__ = [
    "MAX_LETTERS",
    "MAX_PAGE",
    "Agent",
    "LoginRequired",
    "checked_form",
    "current_agent",
    "render",
    "router",
]
