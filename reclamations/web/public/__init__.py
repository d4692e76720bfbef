"""The complainant's own door (issue 26): the online form at /reclamation (`filing`), the
follow-up page at /suivi opened by a private link (`follow`) and the accessibility statement
at /accessibilite (`accessibility`); what they share in `common`.
Public pages, in French, in their own layout, usable without JavaScript and by keyboard (RGAA
4.1, checked with axe-core in the browser tests).
"""

from fastapi import APIRouter

from reclamations.web.public import accessibility, filing, follow
from reclamations.web.public.common import RedactFollowTokens, not_found, render, too_large

router = APIRouter(include_in_schema=False)
router.include_router(filing.router)
router.include_router(follow.router)
router.include_router(accessibility.router)

__all__ = ["RedactFollowTokens", "not_found", "render", "router", "too_large"]
