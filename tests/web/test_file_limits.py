"""rule 16: a complaint's files stay within their limits (bytes, and how many) when
uploads arrive at once: parallel requests through the real app, a real worker, the dev server
and a real database (SQLite and PostgreSQL). The complaint's workflow takes one file at a
time, so the last ones are refused however the requests interleave."""

import asyncio
from collections import Counter

import httpx
import pytest
from sqlalchemy import select

from reclamations.db.models import ComplaintRow
from reclamations.db.snapshot import complaint_from
from reclamations.domain.access import Role
from reclamations.web.app import create_app
from tests.conftest import open_office
from tests.web.conftest import login
from tests.web.test_files import a_pdf, registered, stored_files, upload


@pytest.fixture
async def office(dev_env, settings, sessions, keyring):
    """The web tests' office, on each database."""
    async with open_office(dev_env, settings, sessions, keyring) as office:
        yield office


async def limited_api(office, tokens, **limits):
    """The app with other limits, as a back-office system whose token is a supervisor's."""
    app = create_app(
        office.settings.model_copy(update=limits), office.sessions, office.keyring, office.client
    )
    api = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://r.test")
    api.headers.update(await tokens(Role.supervisor))
    return api


def accepted_and_refused(answers, why):
    """How many uploads were taken, and how many refused for `why`: by the workflow (409) when
    the request read the complaint before the others joined, or before anything was stored
    (422) when it read it after."""
    codes = Counter(answer.status_code for answer in answers)
    refused = [answer for answer in answers if answer.status_code in (409, 422)]
    assert all(why in answer.text for answer in refused), [a.text for a in refused]
    assert codes.keys() <= {200, 409, 422}, codes
    return codes[200], len(refused)


async def files_on_record(office, reference):
    async with office.sessions() as session:
        row = await session.scalar(select(ComplaintRow).where(ComplaintRow.reference == reference))
    return [d.file for d in complaint_from(row.snapshot).documents if d.file]


async def test_parallel_uploads_stay_within_the_complaints_bytes(office, tokens):
    limits = {"max_file_bytes": 4096, "max_complaint_files_bytes": 6000}
    async with await limited_api(office, tokens, **limits) as api:
        reference = await registered(api, office)
        pdfs = [a_pdf(f"pièce {n}") + b"%" * (2500 - len(a_pdf(f"pièce {n}"))) for n in range(6)]
        answers = await asyncio.gather(*(upload(api, reference, pdf) for pdf in pdfs))
        assert accepted_and_refused(answers, "le dossier dépasserait") == (2, 4)
        state = (await api.get(f"/api/complaints/{reference}")).json()
        assert sum(d["file"]["size"] for d in state["documents"]) == 5000
    await office.settled(office.client.get_workflow_handle(f"complaint-{reference}"))
    assert sum(file.size for file in await files_on_record(office, reference)) == 5000


async def test_parallel_uploads_stay_within_the_complaints_number_of_files(office, tokens):
    async with await limited_api(office, tokens, max_complaint_files=3) as api:
        reference = await registered(api, office)
        answers = await asyncio.gather(
            *(upload(api, reference, a_pdf(f"pièce {n}")) for n in range(8))
        )
        assert accepted_and_refused(answers, "plus de 3 fichiers") == (3, 5)
        assert len((await api.get(f"/api/complaints/{reference}")).json()["documents"]) == 3


async def test_a_page_request_of_more_files_than_a_complaint_holds_is_refused_whole(
    http, api, office, tokens
):
    reference = await registered(api, office)
    http.headers.pop("Authorization")
    csrf = await login(http, "louise")
    files = [
        ("files", (f"p{n}.pdf", b"%PDF-1.4 " + str(n).encode(), "application/pdf"))
        for n in range(110)
    ]
    response = await http.post(
        f"/complaints/{reference}/documents",
        data={"csrf_token": csrf, "kind": "supporting_document"},
        files=files,
    )
    assert response.status_code == 422, response.text
    assert "plus de 100 fichiers" in response.text
    assert stored_files(office) == []
    read = await http.get(f"/api/complaints/{reference}", headers=await tokens(Role.supervisor))
    assert [d for d in read.json()["documents"] if d.get("file")] == []
