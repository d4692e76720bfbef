"""Encrypted payloads, and the codec endpoint that opens them for logged-in operators."""

import asyncio
import base64
import json
import subprocess
import threading
import time
from typing import Any

import pytest
from google.protobuf import json_format
from temporalio.api.common.v1 import Payloads
from temporalio.testing import WorkflowEnvironment

from reclamations.security.codec import BOUND_TO, data_converter
from reclamations.workflows.client import register_search_attributes
from tests.conftest import DEV_SERVER, make_settings
from tests.office import Office, action
from tests.web.conftest import login

NAME = "Anatole Vercingétorix-Brézé"
SECRET = "Mon psychiatre atteste une dépression sévère depuis mars"
UI = "http://localhost:8233"
PLAINTEXTS = (NAME, "Vercingétorix", SECRET, "psychiatre", "impasse du Moulin")


async def medical_complaint(office, reference):
    handle = await office.start(
        reference=reference,
        channel="post",
        medical=True,
        description=f"{SECRET}. Je conteste le refus.",
        complainant={"name": NAME, "postal_address": "3 impasse du Moulin\n57000 Metz"},
    )
    await office.act(handle, action("answer", decision="rejected", reasons=SECRET))
    return handle


async def start_payloads(handle) -> dict[str, Any]:
    """The workflow input as the server stores it, in the codec protocol's JSON."""
    history = await handle.fetch_history()
    started = history.events[0].workflow_execution_started_event_attributes
    return json_format.MessageToDict(Payloads(payloads=started.input.payloads))


def opened_text(body: dict[str, Any]) -> str:
    return "".join(base64.b64decode(p["data"]).decode("utf-8", "replace") for p in body["payloads"])


async def test_the_dev_server_history_holds_no_plaintext(office):
    handle = await medical_complaint(office, "COD-HIST")
    history = (await handle.fetch_history()).to_json()
    address = office.client.service_client.config.target_host
    shown = await asyncio.to_thread(
        subprocess.run,
        [
            str(DEV_SERVER),
            "workflow",
            "show",
            "--workflow-id",
            handle.id,
            "--address",
            address,
            "-o",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert shown.returncode == 0, shown.stderr
    for text in (history, shown.stdout):
        assert base64.b64encode(b"binary/encrypted").decode() in text
        for plain in PLAINTEXTS:
            assert plain not in text


async def test_the_server_database_file_holds_no_plaintext(tmp_path, keyring, sqlite_sessions):
    database = tmp_path / "temporal.db"
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(DEV_SERVER),
        dev_server_database_filename=str(database),
        data_converter=data_converter(keyring),
        dev_server_log_level="error",
    )
    try:
        await register_search_attributes(env.client, "default")
        office = Office(env, make_settings(tmp_path / "office"), sqlite_sessions, keyring)
        async with office.worker():
            await medical_complaint(office, "COD-FILE")
            await office.close()
    finally:
        await env.shutdown()
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("temporal.db*"))
    assert len(stored) > 10_000
    for plain in PLAINTEXTS:
        assert plain.encode() not in stored


async def decode(http, body, origin=UI):
    # Written before it is sent: a test's own JSON encoding would hold the event loop too.
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"Origin": origin, "X-Namespace": "default", "Content-Type": "application/json"}
    return await http.post("/codec/decode", content=content, headers=headers)


async def test_the_codec_endpoint_decodes_for_a_logged_in_operator(http, office):
    handle = await office.start(reference="COD-OPS")
    body = await start_payloads(handle)
    assert unreadable(body)
    # Bound to its complaint; the Web UI does not say which: the payload does.
    [bound_to] = {p["metadata"][BOUND_TO] for p in body["payloads"]}
    assert base64.b64decode(bound_to) == handle.id.encode()
    assert (await decode(http, body)).status_code == 401
    await login(http, "sami")
    response = await decode(http, body)
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == UI
    assert response.headers["access-control-allow-credentials"] == "true"
    assert "Hélène Garnier" in opened_text(response.json())


def unreadable(body) -> bool:
    return "Hélène" not in json.dumps(body) and "Hélène" not in opened_text(body)


async def test_the_codec_endpoint_checks_the_origin_and_the_role(http, office):
    body = await start_payloads(await office.start(reference="COD-ROLE"))
    await login(http, "camille")  # an agent reads complaints in the UI, not histories
    assert (await decode(http, body)).status_code == 403
    await login(http, "sami")
    assert (await decode(http, body, origin="https://evil.example")).status_code == 403
    preflight = await http.options(
        "/codec/decode",
        headers={"Origin": UI, "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 204
    assert "X-Namespace" in preflight.headers["access-control-allow-headers"]


async def test_medical_payloads_open_for_the_medecin_conseil_only(http, office):
    body = await start_payloads(await medical_complaint(office, "COD-MED"))
    await login(http, "louise")
    refused = (await decode(http, body)).json()
    assert refused == body  # handed back still encrypted
    await login(http, "dr.lemoine")
    opened = opened_text((await decode(http, body)).json())
    assert SECRET in opened and NAME in opened
    assert "sealed:" not in opened


async def test_a_complaint_marked_medical_later_opens_its_earlier_payloads_to_the_doctor_only(
    http, office
):
    """Issue 27: its history from before the marking holds its content unsealed (encrypted
    for the complaint); once it is medical, that history is the Médecin Conseil's alone."""
    handle = await office.start(reference="COD-LATER", description=f"{SECRET}.")
    body = await start_payloads(handle)  # the first run's input, from before the marking
    await login(http, "sami")
    assert SECRET in opened_text((await decode(http, body)).json())
    await office.act(handle, action("mark_medical", actor="camille"))
    for who in ("sami", "louise"):
        await login(http, who)
        assert (await decode(http, body)).json() == body  # handed back still encrypted
    await login(http, "dr.lemoine")
    assert SECRET in opened_text((await decode(http, body)).json())


async def test_a_tampered_payload_does_not_spoil_the_batch(http, office):
    body = await start_payloads(await office.start())
    good = body["payloads"][0]
    tampered = dict(good, data=base64.b64encode(b"\x00" * 40).decode())
    await login(http, "sami")
    response = await decode(http, {"payloads": [tampered, good]})
    assert response.status_code == 200
    first, second = response.json()["payloads"]
    assert first == tampered  # handed back as it came
    assert "Hélène Garnier" in opened_text({"payloads": [second]})


async def test_what_the_web_ui_would_send_is_handed_back_unencrypted(http, office):
    # rule 15: signals, updates and starts from the Web UI do not pass for the
    # application's own; the worker refuses them and says so on the complaint.
    await login(http, "sami")
    plain = {"payloads": [{"metadata": {"encoding": "anNvbi9wbGFpbg=="}, "data": "e30="}]}
    response = await http.post(
        "/codec/encode", json=plain, headers={"Origin": UI, "X-Namespace": "default"}
    )
    assert response.status_code == 200 and response.json() == plain


async def timed_page(http) -> float:
    began = time.perf_counter()
    page = await http.get("/", follow_redirects=True)  # the queue: the database and a template
    assert page.status_code == 200
    return time.perf_counter() - began


async def big_batch(office, reference: str, size: int = 7 * 1024 * 1024) -> bytes:
    """Nearly the endpoint's limit (8 MiB): one complaint's start, over and over."""
    [one] = (await start_payloads(await office.start(reference=reference)))["payloads"]
    return json.dumps({"payloads": [one] * (size // len(json.dumps(one)))}).encode()


async def test_pages_answer_while_an_operator_decodes_a_big_batch(http, office):
    """A batch near the endpoint's limit decodes in the endpoint's own thread: on the event
    loop, every page asked for meanwhile would wait for the whole batch."""
    batch = await big_batch(office, "COD-BIG")
    await login(http, "sami")
    alone = min([await timed_page(http) for _ in range(3)])
    loop_thread = threading.get_ident()
    decoding = asyncio.create_task(decode(http, batch))
    during = []
    while not decoding.done():
        during.append(await timed_page(http))
    response = await decoding
    assert response.status_code == 200
    assert len(response.json()["payloads"]) == len(json.loads(batch)["payloads"])
    ran_in = [t for t in threading.enumerate() if t.name.startswith("codec-")]
    assert ran_in and all(t.ident != loop_thread for t in ran_in)
    # A bound for a busy machine: the decoding thread shares the interpreter with the pages.
    figures = f"page alone: {alone:.3f} s; during the decode: {[round(t, 3) for t in during]}"
    assert max(during, default=0.0) < max(20 * alone, 3.0), figures


async def test_a_flood_of_decodes_waits_for_the_endpoints_own_threads(http, office, app):
    """Every codec thread taken (held here on a gate, so that nothing depends on the machine's
    speed): a new batch waits for one of them, and the pages still answer."""
    batch = await big_batch(office, "COD-FLOOD", size=64 * 1024)
    ctx = app.state.context
    await login(http, "sami")
    gate = threading.Event()
    held = [ctx.codec_threads.submit(gate.wait) for _ in range(ctx.settings.codec_threads)]
    try:
        waiting = asyncio.create_task(decode(http, batch))
        assert (await http.get("/", follow_redirects=True)).status_code == 200
        # A negative, so a fixed pause cannot make it fail: the batch has not been decoded
        # while both threads are held (on the event loop or in a thread of its own, it would).
        await asyncio.sleep(0.5)
        assert not waiting.done()
    finally:
        gate.set()
    assert (await waiting).status_code == 200
    assert all(future.result(timeout=60) for future in held)  # the gate let them go
    codec_threads = [t for t in threading.enumerate() if t.name.startswith(f"codec-{id(ctx):x}")]
    assert len(codec_threads) == ctx.settings.codec_threads == 2


LOCAL_KEY = "cle-locale-de-l-interface-temporal"


@pytest.mark.parametrize("settings", [{"codec_local_key": LOCAL_KEY}], indirect=True)
async def test_the_local_web_ui_decodes_with_its_key_and_no_login(http, office):
    """`make run`'s Web UI sends no cookie to another port: its codec address carries the
    local key, and decodes as an operator would, medical payloads staying encrypted."""
    ordinary = await start_payloads(await office.start(reference="COD-LOCAL"))
    medical = await start_payloads(await medical_complaint(office, "COD-LOCAL-MED"))
    headers = {"Origin": UI, "X-Namespace": "default"}
    local = f"/codec/local/{LOCAL_KEY}/decode?preserveStorageRefs=true"
    opened = await http.post(local, json=ordinary, headers=headers)
    assert opened.status_code == 200 and "Hélène Garnier" in opened_text(opened.json())
    assert (await http.post(local, json=medical, headers=headers)).json() == medical
    preflight = await http.options(
        f"/codec/local/{LOCAL_KEY}/decode",
        headers={"Origin": UI, "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 204
    wrong = await http.post("/codec/local/une-autre-cle/decode", json=ordinary, headers=headers)
    assert wrong.status_code == 401
    elsewhere = await http.post(
        local, json=ordinary, headers=dict(headers, Origin="https://evil.example")
    )
    assert elsewhere.status_code == 403


async def test_without_a_local_key_the_local_address_opens_nothing(http, office):
    body = await start_payloads(await office.start(reference="COD-NOKEY"))
    headers = {"Origin": UI, "X-Namespace": "default"}
    for key in ("", "None", "cle"):
        response = await http.post(f"/codec/local/{key}/decode", json=body, headers=headers)
        assert response.status_code in (401, 404)


@pytest.mark.parametrize(
    "settings", [{"codec_local_key": LOCAL_KEY, "web_host": "0.0.0.0"}], indirect=True
)
async def test_a_local_key_opens_nothing_on_an_app_reachable_from_the_network(http, office):
    # Set by mistake on a server (an .env copied from a workstation): still a login to decode.
    body = await start_payloads(await office.start(reference="COD-LOCAL-NET"))
    headers = {"Origin": UI, "X-Namespace": "default"}
    response = await http.post(f"/codec/local/{LOCAL_KEY}/decode", json=body, headers=headers)
    assert response.status_code == 401
