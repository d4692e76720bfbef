"""The queue for daily work (issue 29): every status, sortable columns, saved filters, and
the filters kept in the address."""

from urllib.parse import parse_qsl, urlparse

from reclamations.activities.records import RecordActivities
from reclamations.db.queue import ANY_STATUS, QueueFilters, Sort, SortKey, queue_page
from reclamations.domain.actions import Assign, Withdraw
from reclamations.workflows.messages import RecordInput
from tests.activities.conftest import NOW, a_complaint
from tests.web.conftest import login


async def recorded(sessions, keyring):
    """Q-1 open and unassigned, Q-2 camille's and late, Q-3 withdrawn."""
    record = RecordActivities(sessions, keyring).record
    first, late, withdrawn = (a_complaint(f"Q-{n}", sent_on=f"2026-11-1{n}") for n in (1, 2, 3))
    late.apply(Assign(actor="sup", assignee="camille"), NOW)
    late.overdue = True
    withdrawn.apply(Withdraw(actor="sup", note="retirée par le réclamant"), NOW)
    for complaint in (first, late, withdrawn):
        await record(RecordInput(complaint=complaint, events=complaint.events, at=NOW))


def references(page):
    return [row.reference for row in page.rows]


async def test_every_status_closed_ones_included_and_late_ones(sessions, keyring):
    await recorded(sessions, keyring)
    assert references(await queue_page(sessions, QueueFilters())) == ["Q-1", "Q-2"]
    everything = await queue_page(sessions, QueueFilters(status=ANY_STATUS))
    assert sorted(references(everything)) == ["Q-1", "Q-2", "Q-3"]
    late = await queue_page(sessions, QueueFilters(overdue=True, assignee="camille"))
    assert references(late) == ["Q-2"]


async def test_columns_sort_both_ways(sessions, keyring):
    await recorded(sessions, keyring)
    every = QueueFilters(status=ANY_STATUS)
    by_sending = await queue_page(sessions, every, sort=Sort(SortKey.sent_on))
    assert references(by_sending) == ["Q-1", "Q-2", "Q-3"]
    newest = await queue_page(sessions, every, sort=Sort(SortKey.sent_on, descending=True))
    assert references(newest) == ["Q-3", "Q-2", "Q-1"]
    # Nobody assigned comes last either way.
    assigned = await queue_page(sessions, every, sort=Sort.parse("-assignee"))
    assert references(assigned)[0] == "Q-2"
    assert Sort.parse("nonsense") == Sort() and str(Sort.parse("-status")) == "-status"


async def test_a_filter_is_saved_kept_in_the_address_and_deleted(http, office):
    await recorded(office.sessions, office.keyring)
    csrf = await login(http, "camille")
    page = await http.get("/", params={"status": ANY_STATUS, "tri": "-sent_on"})
    assert page.text.index("Q-3") < page.text.index("Q-2") < page.text.index("Q-1")
    assert 'aria-sort="descending"' in page.text
    saved = await http.post(
        "/filtres",
        data={
            "csrf_token": csrf,
            "name": "Tout, récentes d'abord",
            "query": "status=all&tri=-sent_on&evil=1",
        },
    )
    assert saved.status_code == 303
    assert dict(parse_qsl(urlparse(saved.headers["location"]).query)) == {
        "status": "all",
        "tri": "-sent_on",
    }
    queue = await http.get("/")
    assert (
        "Tout, récentes d&#39;abord" in queue.text and "status=all&amp;tri=-sent_on" in queue.text
    )
    late = await http.get("/", params={"mine": "1", "retard": "1"})
    assert "Q-2" in late.text and "Q-1" not in late.text
    await http.post("/filtres", data={"csrf_token": csrf, "name": "À moi", "query": "mine=1"})
    forget = {"csrf_token": csrf, "name": "Tout, récentes d'abord"}
    await http.post("/filtres/supprimer", data=forget)
    assert "Tout, récentes" not in (await http.get("/")).text
    # A form without its CSRF token saves nothing.
    assert (await http.post("/filtres", data={"name": "x", "query": ""})).status_code == 403
    # Each agent's own: hugo does not see camille's.
    await login(http, "hugo")
    assert "À moi" not in (await http.get("/")).text
