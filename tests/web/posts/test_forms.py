"""Every form of the UI (the table in tests/web/posts/table.py): without its CSRF token, or
with a wrong one, it is refused and changes nothing; each role not allowed is refused and
changes nothing; each role allowed is accepted (rule 15, issue 30)."""

import pytest

from tests.web.conftest import PASSWORD, login
from tests.web.posts.table import (
    ROUTES,
    USER_OF,
    Post,
    check_roles,
    complaint_for,
    footprint,
    request,
)

FORMS = [post for post in ROUTES if post.door in ("form", "login")]


def named(post: Post) -> str:
    return post.id


@pytest.mark.parametrize("post", FORMS, ids=named)
async def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(http, office, post):
    handle = await complaint_for(office, post)
    for csrf in (None, "jeton-d-un-autre-site"):
        if post.door == "login":
            await http.get("/login")  # the login form's own token, in its cookie
            data = {"username": "louise", "password": PASSWORD}
            if csrf is not None:
                data["login_token"] = csrf
            before = await footprint(office, handle)
            response = await http.post("/login", data=data)
        else:
            username = USER_OF[min(post.roles)]  # one who may, but for the token
            await login(http, username)
            call = await request(office, post, handle, username, csrf)
            before = await footprint(office, handle)
            response = await call(http, {})
        assert response.status_code == 403, (csrf, response.status_code, response.text[:300])
        assert "Formulaire expiré" in response.text
        assert await footprint(office, handle) == before, csrf


@pytest.mark.parametrize("post", [p for p in FORMS if p.door == "form"], ids=named)
async def test_each_role_is_refused_or_accepted_as_the_table_says(http, office, bearer, post):
    await check_roles(http, office, bearer, post)
