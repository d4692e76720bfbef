"""Entry points parse and present; the door (reclamations/service) reads and acts. None of them
reads the record's tables or queries the workflow beside it."""

import ast
from pathlib import Path

import pytest

import reclamations

PACKAGE = Path(reclamations.__file__).parent
ENTRY_POINTS = [
    "web/pages/common.py",
    "web/pages/login.py",
    "web/pages/queue.py",
    "web/pages/complaint.py",
    "web/search.py",
    "web/corrective.py",
    "web/api.py",
    "web/dashboard.py",
    "web/erasure.py",
    "web/public/filing.py",
    "web/public/follow.py",
    "web/public/common.py",
    "cli/simulate.py",
    "cli/erasure.py",
    "starter.py",
    "mail/intake.py",
    "mail/receiver.py",
    "mail/imap.py",
    "mail/__main__.py",
]
# What only the door uses: the record's rows and readers, the workflow and its messages.
BEHIND_THE_DOOR = {
    "ComplaintRow",
    "EventRow",
    "queue_page",
    "assignees",
    "register_lines",
    "ComplaintWorkflow",
    "ComplaintHandle",
    "complaint_state",
    "execute_action",
}


@pytest.mark.parametrize("module", ENTRY_POINTS)
def test_an_entry_point_goes_through_the_door(module):
    tree = ast.parse((PACKAGE / module).read_text(encoding="utf-8"))
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert not imported & BEHIND_THE_DOOR
