"""Every API route and the codec endpoint (the table in tests/web/posts/table.py): the session
cookie a browser sends along is no key to the API, nor is a page of another site to the codec;
each role not allowed is refused and changes nothing; each role allowed is accepted (rule 15,
issue 30). API tokens travel in a header: no CSRF token to check."""

import pytest

from reclamations.domain.access import Role
from tests.web.conftest import login
from tests.web.posts.table import (
    ROUTES,
    USER_OF,
    Post,
    check_roles,
    complaint_for,
    footprint,
    request,
)

CALLS = [post for post in ROUTES if post.door in ("api", "codec")]


def named(post: Post) -> str:
    return post.id


@pytest.mark.parametrize("post", CALLS, ids=named)
async def test_a_session_cookie_is_no_key_to_the_api_nor_a_foreign_page_to_the_codec(
    http, office, post
):
    """Cross-site requests carry the browser's cookie: the API wants its token in a header,
    and the codec endpoint refuses a page of another site than the Temporal Web UI."""
    handle = await complaint_for(office, post)
    username = USER_OF[Role.supervisor]
    await login(http, username)
    call = await request(office, post, handle, username, None)
    headers = {"Origin": "https://site-malveillant.example"} if post.door == "codec" else {}
    before = await footprint(office, handle)
    response = await call(http, headers)
    assert response.status_code == (403 if post.door == "codec" else 401), response.text[:300]
    assert await footprint(office, handle) == before


@pytest.mark.parametrize("post", CALLS, ids=named)
async def test_each_role_is_refused_or_accepted_as_the_table_says(http, office, bearer, post):
    await check_roles(http, office, bearer, post)


LOCAL = [post for post in ROUTES if post.door == "local-codec"]


@pytest.mark.parametrize("post", LOCAL, ids=named)
async def test_the_local_codec_address_opens_nothing_without_its_key(http, office, post):
    """Not even for a logged-in supervisor: only the key `make run` gives its Web UI opens it."""
    handle = await office.start(reference=f"POST-LOCAL-{post.path.rsplit('/', 1)[-1].upper()}")
    await login(http, USER_OF[Role.supervisor])
    before = await footprint(office, handle)
    for key in ("", "une-cle-devinee"):
        path = post.path.replace("{key}", key)
        response = await http.post(path, json={"payloads": []}, headers={"X-Namespace": "default"})
        assert response.status_code in (401, 404), response.text[:300]
    assert await footprint(office, handle) == before
