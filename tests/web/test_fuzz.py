"""The HTTP API fuzzed from its own OpenAPI document (schemathesis), against the web app and a
worker running as real processes on the dev server: no 5xx, and every 4xx says why."""

import itertools
import json
from collections import Counter
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from domain.actions import ACTIONS
from tests.conftest import process_env
from tests.processes import complaints, spawn, stop, web_app

EXAMPLES = Path(__file__).parents[2] / "examples"


@pytest.fixture(scope="module")
def fuzzed_api(dev_env, keyring, tmp_path_factory):
    root = tmp_path_factory.mktemp("fuzz")
    from tests.conftest import make_settings

    address = dev_env.client.service_client.config.target_host
    env = process_env(make_settings(root), keyring, address)
    complaints(env, "db", "upgrade")
    made = complaints(env, "tokens", "create", "fuzz", "--role", "supervisor")
    token = made.stdout.strip().splitlines()[-1]
    worker = spawn(env, "-m", "worker")
    try:
        with web_app(env) as url:
            yield url, token
    finally:
        stop(worker)


def says_why(body) -> bool:
    detail = body.get("detail") if isinstance(body, dict) else None
    if isinstance(detail, str):
        return bool(detail.strip())
    return (
        isinstance(detail, list)
        and bool(detail)
        and all(isinstance(d, dict) and d.get("field") and d.get("message") for d in detail)
    )


def test_the_api_never_fails_and_explains_every_refusal(fuzzed_api):
    url, token = fuzzed_api
    auth = {"Authorization": f"Bearer {token}"}
    # Some complaints to act on, beside the references the fuzzer makes up.
    for number in range(3):
        intake = json.loads((EXAMPLES / "email_benefits.json").read_text())
        intake["reference"] = f"FUZZ-{number}"
        httpx.post(f"{url}/api/complaints", json=intake, headers=auth).raise_for_status()
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) == 2 + len(ACTIONS)  # create, read, and each action
    statuses: Counter[int] = Counter()
    created: list[str] = []

    for operation, mode in itertools.product(operations, list(GenerationMode)):

        @given(
            case=operation.as_strategy(generation_mode=mode),
            known=st.sampled_from(["FUZZ-0", "FUZZ-1", "FUZZ-2", None]),
        )
        @settings(
            max_examples=15,
            deadline=None,
            derandomize=True,  # the same cases on every run: a failure reproduces
            suppress_health_check=list(HealthCheck),
        )
        def call(case, known):
            if known and case.path_parameters and "reference" in case.path_parameters:
                case.path_parameters["reference"] = known
            response = case.call(headers=auth, timeout=30)
            statuses[response.status_code] += 1
            if response.status_code == 201:
                created.append(response.json()["reference"])
            assert response.status_code < 500, f"{case.method} {case.path}: {response.text}"
            if response.status_code >= 400:
                assert says_why(response.json()), f"{case.method} {case.path}: {response.text}"

        call()

    # The fuzzing reached every kind of answer, not just refusals.
    assert {200, 201, 404, 409, 422} <= statuses.keys(), statuses
    # And every complaint it registered is alive: its workflow answers (none is stuck on
    # input that passed validation but that the workflow could not handle).
    for reference in created:
        state = httpx.get(f"{url}/api/complaints/{reference}", headers=auth, timeout=30)
        assert state.status_code == 200 and state.json()["status"], state.text
