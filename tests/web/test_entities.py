"""rule 19 through the API and the UI: an intake names its entity (the first by
default) and takes its calendar; the queue and the register filter by entity."""

import httpx
import pytest

from reclamations.db.register import register_lines
from reclamations.domain.access import Role
from reclamations.web.app import create_app
from tests.entities import ENTITIES_TOML
from tests.office import intake_data
from tests.web.conftest import login


@pytest.fixture
async def two_entities(app, office, tmp_path):
    """The web app of an install serving two entities (its users those of `app`)."""
    path = tmp_path / "entites.toml"
    path.write_text(ENTITIES_TOML, encoding="utf-8")
    settings = office.settings.model_copy(update={"entities_file": path})
    app = create_app(settings, office.sessions, office.keyring, client=office.client)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://reclamations.test") as c:
        yield c


async def test_an_intake_names_its_entity_and_takes_its_calendar(two_entities, office, tokens):
    api = two_entities
    headers = await tokens(Role.supervisor)
    today = await office.today()
    mutual = await api.post(
        "/api/complaints", json=intake_data(today, entity="mutuelle-est"), headers=headers
    )
    assert mutual.status_code == 201, mutual.text
    default = await api.post("/api/complaints", json=intake_data(today), headers=headers)
    unknown = await api.post(
        "/api/complaints", json=intake_data(today, entity="ailleurs"), headers=headers
    )
    assert unknown.status_code == 422
    assert unknown.json()["detail"] == [
        {"field": "entity", "message": "entité inconnue (connues : mutex, mutuelle-est)"}
    ]
    states = {}
    for created in (mutual, default):
        reference = created.json()["reference"]
        state = await api.get(f"/api/complaints/{reference}", headers=headers)
        states[reference] = state.json()["intake"]
        await office.settled(office.client.get_workflow_handle(f"complaint-{reference}"))
    assert [(s["entity"], s["calendar"]) for s in states.values()] == [
        ("mutuelle-est", "alsace"),
        ("mutex", "national"),
    ]
    by_entity = {line.reference: line.entity for line in await register_lines(office.sessions)}
    assert sorted(str(code) for code in by_entity.values()) == ["mutex", "mutuelle-est"]

    await login(api, "louise")
    queue = await api.get("/", params={"entity": "mutuelle-est"})
    mutual_reference = mutual.json()["reference"]
    assert mutual_reference in queue.text
    assert default.json()["reference"] not in queue.text
    assert 'option value="mutuelle-est" selected' in queue.text  # offered as a filter
    board = await api.get("/conformite", params={"entity": "mutuelle-est"})
    assert board.status_code == 200
    assert '<dd id="complaints">1</dd>' in board.text
    assert (await api.get("/", params={"entity": "ailleurs"})).status_code == 422
    form = await api.get("/complaints/new")
    assert '<select name="entity">' in form.text and "celui de l'entité" in form.text
