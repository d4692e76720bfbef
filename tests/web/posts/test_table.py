"""Every route of the app that changes something is in the table of tests/web/posts/table.py,
with the roles that may use it: a new form or route fails here until it is added, and the
tests beside this one then check its CSRF token, its roles and what its refusals leave."""

from reclamations.domain.actions import ACTIONS
from tests.web.posts.table import ACTION_ROLES, ROUTES, declared_routes


async def test_the_table_describes_every_route_that_changes_something(app):
    assert declared_routes(app) == {("POST", post.path) for post in ROUTES}
    assert set(ACTION_ROLES) == set(ACTIONS), "the UI's actions route takes every action"
