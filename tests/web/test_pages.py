"""The agents' UI over HTTP: logging in, who sees and does what, CSRF, forms."""

from datetime import date, timedelta

from sqlalchemy import select

from reclamations.activities.records import RecordActivities
from reclamations.db.models import ComplaintRow, EventRow
from reclamations.db.register import register_lines
from reclamations.domain.actions import Answer
from reclamations.domain.french import long_date
from reclamations.workflows.messages import RecordInput
from tests.activities.conftest import NOW, a_complaint
from tests.office import action
from tests.web.conftest import login

SECRET = "Hémiplégie droite depuis l'accident"


async def test_pages_need_a_login(http):
    response = await http.get("/")
    assert response.status_code == 303 and response.headers["location"] == "/login?next=/"


async def test_a_wrong_password_is_refused_plainly(http):
    page = await http.get("/login")
    token = page.text.split('name="login_token" value="')[1].split('"')[0]
    response = await http.post(
        "/login", data={"username": "camille", "password": "faux", "login_token": token}
    )
    assert response.status_code == 401
    assert "Identifiant ou mot de passe incorrect" in response.text


async def test_the_queue_lists_open_complaints_nearest_deadline_first(http, office):
    late = await office.start(
        reference="Q-LATE",
        sent_on=str(await office.today() - timedelta(days=12)),
    )
    await office.start(reference="Q-NEW")
    await office.act(late, action("qualify"))
    await login(http, "louise")
    page = (await http.get("/")).text
    assert page.index("Q-LATE") < page.index("Q-NEW")
    assert 'class="risk-' in page
    filtered = (await http.get("/", params={"status": "received"})).text
    assert "Q-NEW" in filtered and "Q-LATE" not in filtered


async def test_forms_without_the_session_token_are_refused(http, office):
    await office.start(reference="CSRF-1")
    await login(http, "louise")
    response = await http.post("/complaints/CSRF-1/actions/qualify", data={})
    assert response.status_code == 403
    state = await office.state(office.client.get_workflow_handle("complaint-CSRF-1"))
    assert state.stage == "received"


async def test_actions_are_recorded_with_the_logged_in_agent(http, office):
    handle = await office.start(reference="WHO-1")
    csrf = await login(http, "camille")
    response = await http.post(
        "/complaints/WHO-1/actions/qualify", data={"csrf_token": csrf, "category": "benefits"}
    )
    assert response.status_code == 303
    await office.settled(handle)
    async with office.sessions() as session:
        event = await session.scalar(select(EventRow).where(EventRow.type == "qualified"))
    assert event.actor == "camille"


async def test_a_refused_action_shows_the_reason_and_changes_nothing(http, office):
    handle = await office.start(reference="REF-1")
    csrf = await login(http, "camille")
    response = await http.post("/complaints/REF-1/actions/resume", data={"csrf_token": csrf})
    assert response.status_code == 409
    assert "La réclamation n&#39;est pas suspendue." in response.text
    assert (await office.state(handle)).version == 1


async def test_an_operator_reads_but_cannot_act(http, office):
    await office.start(reference="OPS-1")
    csrf = await login(http, "sami")
    page = (await http.get("/complaints/OPS-1")).text
    assert "Aucune action possible" in page
    response = await http.post("/complaints/OPS-1/actions/qualify", data={"csrf_token": csrf})
    assert response.status_code == 403


async def test_an_agent_sees_only_unassigned_complaints_and_their_own(http, office):
    handle = await office.start(reference="MINE-1")
    await office.act(handle, action("assign", assignee="hugo"))
    await office.start(reference="FREE-1")
    await login(http, "camille")
    queue = (await http.get("/")).text
    assert "FREE-1" in queue and "MINE-1" not in queue
    assert (await http.get("/complaints/MINE-1")).status_code == 403


async def test_an_agent_may_only_assign_to_themselves(http, office):
    await office.start(reference="SELF-1")
    csrf = await login(http, "camille")
    refused = await http.post(
        "/complaints/SELF-1/actions/assign", data={"csrf_token": csrf, "assignee": "hugo"}
    )
    assert refused.status_code == 403
    taken = await http.post(
        "/complaints/SELF-1/actions/assign", data={"csrf_token": csrf, "assignee": "camille"}
    )
    assert taken.status_code == 303


async def test_a_medical_complaint_is_unreadable_but_for_the_medecin_conseil(http, office):
    handle = await office.start(reference="MED-1", medical=True, channel="post", description=SECRET)
    await office.act(handle, action("qualify"))
    await login(http, "louise")
    page = (await http.get("/complaints/MED-1")).text
    assert SECRET not in page and "Hélène Garnier" not in page
    assert "réservés au Médecin Conseil" in page
    assert "Accusé de réception" in page  # its deadlines are visible
    assert (await http.get("/complaints/MED-1/letters/acknowledgement/1")).status_code == 403
    queue = (await http.get("/")).text
    assert "réservée au Médecin Conseil" in queue and "Hélène Garnier" not in queue

    await http.post(
        "/logout", data={"csrf_token": page.split('name="csrf_token" value="')[1].split('"')[0]}
    )
    await login(http, "dr.lemoine")
    page = (await http.get("/complaints/MED-1")).text
    assert "Hémiplégie droite depuis l&#39;accident" in page
    # Its complainant's identity, sealed at rest, opens for the Médecin Conseil (rule 11).
    assert "Hélène Garnier" in page and "helene.garnier@example.fr" in page
    assert "12 rue des Tilleuls" in page
    letter = await http.get("/complaints/MED-1/letters/acknowledgement/1")
    assert letter.status_code == 200 and "Médecin Conseil" in letter.text
    queue = (await http.get("/")).text
    assert "Remboursement d&#39;optique en attente" in queue and "Hélène Garnier" in queue


async def test_an_agent_declares_an_email_complaint_medical_and_reads_it_no_more(http, office):
    handle = await office.start(reference="MED-LATER", description=SECRET)
    csrf = await login(http, "camille")
    page = (await http.get("/complaints/MED-LATER")).text
    form = page.split('class="action-mark_medical"')[1].split("</form>")[0]
    assert "ne seront plus lisibles que par le Médecin Conseil" in form
    assert 'name="confirmation" required' in form
    confirmed = {"csrf_token": csrf, "confirmation": "on"}
    response = await http.post("/complaints/MED-LATER/actions/mark_medical", data=confirmed)
    assert response.status_code == 303
    state = await office.settled(handle)
    assert state.medical and [e.actor for e in state.events][-2:] == ["camille", "système"]
    page = (await http.get("/complaints/MED-LATER")).text
    assert "réservés au Médecin Conseil" in page and SECRET not in page
    assert "Aucune action possible" in page


async def test_the_new_complaint_form_validates_like_the_api(http, office):
    csrf = await login(http, "camille")
    form = {
        "csrf_token": csrf,
        "channel": "post",
        "sent_on": str(await office.today() + timedelta(days=1)),
        "complainant.name": "Jeanne Morel",
        "subject": "Accueil",
        "description": "Trois appels sans réponse.",
    }
    response = await http.post("/complaints/new", data=form)
    assert response.status_code == 422
    assert "la date d&#39;envoi ne peut pas être dans le futur" in response.text
    assert "obligatoire pour une réclamation reçue par courrier" in response.text
    assert 'value="Jeanne Morel"' in response.text  # what was typed is kept
    async with office.sessions() as session:
        assert (await session.scalars(select(ComplaintRow))).all() == []


async def test_session_cookies_are_http_only_and_secure_when_asked(http, app):
    await login(http, "camille")
    app.state.context.settings = app.state.context.settings.model_copy(
        update={"web_secure_cookies": True}
    )
    page = await http.get("/login")
    assert "secure" in page.headers["set-cookie"].lower()
    assert "httponly" in page.headers["set-cookie"].lower()


async def test_the_medecin_conseil_gives_a_missing_address_and_the_letter_leaves(http, office):
    # rule 11: registered without a postal address, the complaint is an incident.
    complainant = {"name": "Paul Bernard", "email": "paul.bernard@example.fr"}
    handle = await office.start(reference="ADDR-1", medical=True, complainant=complainant)
    csrf = await login(http, "dr.lemoine")
    page = (await http.get("/complaints/ADDR-1")).text
    assert "Adresse postale — adresse postale inconnue" in page
    assert 'class="action-correct_address"' in page and 'class="action-retry"' not in page
    response = await http.post(
        "/complaints/ADDR-1/actions/correct_address",
        data={"csrf_token": csrf, "postal_address": "5 impasse des Lilas\n31000 Toulouse"},
    )
    assert response.status_code == 303
    state = await office.settled(handle)
    assert not state.open_incidents
    assert [letter.kind for letter in state.letters] == ["medical_postal_notice"]
    notice = (await http.get("/complaints/ADDR-1/letters/medical_postal_notice/1")).text
    assert "5 impasse des Lilas" in notice


async def test_an_address_given_later_stays_the_medecin_conseils(api, office):
    complainant = {"name": "Paul Bernard", "email": "paul.bernard@example.fr"}
    handle = await office.start(reference="ADDR-2", medical=True, complainant=complainant)
    await office.act(handle, action("correct_address", postal_address="5 impasse des Lilas"))
    state = await office.settled(handle)
    assert state.postal_address.startswith("sealed:")  # never in clear in Temporal's history
    response = await api.get("/api/complaints/ADDR-2")  # a supervisor's token
    assert response.status_code == 200 and "impasse" not in response.text


async def test_an_agent_tells_the_complainant_why_the_answer_is_late(http, office):
    handle = await office.start(reference="INFO-1")
    await office.act(handle, action("qualify"))
    csrf = await login(http, "camille")
    page = (await http.get("/complaints/INFO-1")).text
    assert "réponse d&#39;un tiers attendue" in page  # the common reasons, to choose from
    response = await http.post(
        "/complaints/INFO-1/actions/inform",
        data={"csrf_token": csrf, "reason": "documents_awaited", "details": "relevé bancaire"},
    )
    assert response.status_code == 303
    state = await office.settled(handle)
    assert [letter.kind for letter in state.letters] == ["acknowledgement", "information"]
    assert len(state.promises) == 2 and state.promise > state.promises[0]
    letter = (await http.get("/complaints/INFO-1/letters/information/1")).text
    assert "nous attendons des pièces" in letter and "relevé bancaire" in letter


async def test_a_promise_kept_late_shows_late_on_the_page_and_in_the_queue(http, office):
    """Sent 20 days ago, its acknowledgement (due after 10 jours ouvrables) leaves today: the
    register counts it missed, and the screens say it was late, by how many days, in words."""
    today = await office.today()
    await office.start(reference="AR-TARD", sent_on=str(today - timedelta(days=20)))
    [line] = await register_lines(office.sessions)
    assert line.acknowledged_in_time(today) is False
    assert line.acknowledged_on and line.acknowledgement_due
    days = (line.acknowledged_on - line.acknowledgement_due).days
    said = f"envoyé le {long_date(line.acknowledged_on)}, en retard de {days} jours"
    await login(http, "louise")
    page = (await http.get("/complaints/AR-TARD")).text
    assert f'<span class="late">{said}</span>' in page
    assert '<span class="ok">envoyé' not in page
    queue = (await http.get("/")).text
    assert f'<small class="late">Accusé de réception : {said}</small>' in queue


async def test_a_date_announced_and_passed_before_the_answer_shows_late_in_the_queue(http, office):
    """rule 6: the last date announced (1 December) passed two days before the answer
    left; the queue says so as the register counts it, beside the promises kept."""
    answered = a_complaint("PROMESSE-TARD")
    answered.promises = [date(2026, 12, 1)]
    left = NOW + timedelta(days=6)  # 3 December 2026
    answered.apply(Answer(actor="a", decision="rejected", reasons="Contrat clair."), left)
    answered.letter_sent(answered.pending_letters[-1], "outbox/answer-1.eml", left)
    record = RecordActivities(office.sessions, office.keyring).record
    await record(RecordInput(complaint=answered, events=answered.events, at=left))
    await login(http, "louise")
    queue = (await http.get("/", params={"status": "answered"})).text
    said = (
        "Date de réponse annoncée au réclamant : répondue le 3 décembre 2026, en retard de 2 jours"
    )
    assert f'<small class="late">{said}</small>' in queue
    assert "Engagement qualité (15 jours) : répondue" not in queue  # kept: nothing to say
