"""The web app fuzzed (schemathesis) against a worker and the app running as real processes on
the dev server: the HTTP API from its own OpenAPI document, the agents' HTML forms and the codec
endpoint from documents built here out of the same models. No 5xx, and every 4xx says why."""

import itertools
import json
import types
import typing
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel
from schemathesis import GenerationMode
from schemathesis.generation.meta import TestPhase

from reclamations.domain.actions import ACTIONS
from reclamations.domain.intake import REFERENCE_PATTERN, ComplaintIntake
from reclamations.domain.letters import LetterKind
from reclamations.domain.relative_days import dated
from reclamations.web.forms import DOCUMENT_ROWS
from reclamations.web.pages import MAX_LETTERS, MAX_PAGE
from reclamations.web.sessions import COOKIE
from tests.conftest import process_env
from tests.processes import complaints, spawn, stop, web_app

EXAMPLES = Path(__file__).parents[2] / "examples"
# Complaints to act on, beside the references the fuzzer makes up: some for the API, some for
# the forms, so that neither run finds them all closed by the other.
API_KNOWN = ["FUZZ-0", "FUZZ-1", "FUZZ-2"]
FORMS_KNOWN = ["FORM-0", "FORM-1", "FORM-2"]
PASSWORD = "fuzz-mot-de-passe-long"


class Fuzzed(typing.NamedTuple):
    url: str
    token: str
    cookie: str
    csrf: str
    ui_origin: str  # the Temporal Web UI's, the codec's one allowed origin


@pytest.fixture(scope="module")
def fuzzed(dev_env, keyring, tmp_path_factory) -> typing.Iterator[Fuzzed]:
    root = tmp_path_factory.mktemp("fuzz")
    from tests.conftest import make_settings

    address = dev_env.client.service_client.config.target_host
    configured = make_settings(root)
    env = process_env(configured, keyring, address)
    complaints(env, "db", "upgrade")
    made = complaints(env, "tokens", "create", "fuzz", "--role", "supervisor")
    token = made.stdout.strip().splitlines()[-1]
    add = ["users", "add", "louise", "--role", "supervisor", "--password-stdin"]
    complaints(env, *add, input=PASSWORD)
    worker = spawn(env, "-m", "reclamations.worker")
    try:
        with web_app(env) as url:
            auth = {"Authorization": f"Bearer {token}"}
            for reference in API_KNOWN + FORMS_KNOWN:
                example = json.loads((EXAMPLES / "email_benefits.json").read_text())
                intake = dated(example, datetime.now(UTC))
                intake["reference"] = reference
                httpx.post(f"{url}/api/complaints", json=intake, headers=auth).raise_for_status()
            cookie, csrf = log_in(url)
            yield Fuzzed(url, token, cookie, csrf, configured.temporal_ui_url)
    finally:
        stop(worker)


def log_in(url: str) -> tuple[str, str]:
    """The supervisor's session cookie and the CSRF token its forms carry."""
    with httpx.Client(base_url=url) as browser:
        page = browser.get("/login")
        login_token = page.text.split('name="login_token" value="')[1].split('"')[0]
        done = browser.post(
            "/login",
            data={"username": "louise", "password": PASSWORD, "login_token": login_token},
        )
        assert done.status_code == 303, done.text
        queue = browser.get("/")
        csrf = queue.text.split('name="csrf_token" value="')[1].split('"')[0]
        return f"{COOKIE}={browser.cookies[COOKIE]}", csrf


def says_why(body) -> bool:
    detail = body.get("detail") if isinstance(body, dict) else None
    if isinstance(detail, str):
        return bool(detail.strip())
    return (
        isinstance(detail, list)
        and bool(detail)
        and all(isinstance(d, dict) and d.get("field") and d.get("message") for d in detail)
    )


def fuzz(
    schema: Any, known: list[str], call: Callable[[Any, bool], int], examples: int
) -> Counter[int]:
    """Every operation of `schema`, in every generation mode, `examples` cases each, the same
    cases on every run (a failure reproduces), on `known` complaints or made-up references;
    `call` answers with the status it got."""
    operations = [result.ok() for result in schema.get_all_operations()]
    statuses: Counter[int] = Counter()
    # The documented examples first (the cases a reader would try), then generated ones.
    runs = [(GenerationMode.POSITIVE, TestPhase.EXAMPLES)]
    runs += [(mode, TestPhase.FUZZING) for mode in GenerationMode]
    for operation, (mode, phase) in itertools.product(operations, runs):

        @given(
            case=operation.as_strategy(generation_mode=mode, phase=phase),
            reference=st.sampled_from([*known, None]),
        )
        @settings(
            max_examples=examples,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def one(case, reference):
            if reference and case.path_parameters and "reference" in case.path_parameters:
                case.path_parameters["reference"] = reference
            statuses[call(case, reference is not None)] += 1

        one()
    return statuses


def test_the_api_never_fails_and_explains_every_refusal(fuzzed):
    auth = {"Authorization": f"Bearer {fuzzed.token}"}
    schema = schemathesis.openapi.from_url(f"{fuzzed.url}/openapi.json")
    # create, read, add a file, read a file, read a scan's text, search, and each action
    assert len(list(schema.get_all_operations())) == 6 + len(ACTIONS)
    created: list[str] = []

    def call(case, known):
        response = case.call(headers=auth, timeout=30)
        if response.status_code == 201:
            created.append(response.json()["reference"])
        assert response.status_code < 500, f"{case.method} {case.path}: {response.text}"
        if response.status_code >= 400:
            assert says_why(response.json()), f"{case.method} {case.path}: {response.text}"
        return response.status_code

    statuses = fuzz(schema, API_KNOWN, call, examples=15)
    # The fuzzing reached every kind of answer, not just refusals.
    assert {200, 201, 404, 409, 422} <= statuses.keys(), statuses
    # And every complaint it registered is alive: its workflow answers (none is stuck on
    # input that passed validation but that the workflow could not handle).
    for reference in created:
        state = httpx.get(f"{fuzzed.url}/api/complaints/{reference}", headers=auth, timeout=30)
        assert state.status_code == 200 and state.json()["status"], state.text


# -- the HTML forms and the codec, described from the models they are parsed into -----------


def _nested(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    """The model inside an annotation (`X | None`, `list[X]`), and whether it is a list."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _nested(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        found = [_nested(arg) for arg in typing.get_args(annotation)]
        return next((f for f in found if f[0] is not None), (None, False))
    if origin is list:
        inner, _ = _nested(typing.get_args(annotation)[0])
        return inner, True
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, False
    return None, False


def form_names(model: type[BaseModel], prefix: str = "") -> Iterable[str]:
    """The names a form posts for `model`: its fields, dotted into nested models (and each
    nested model's own name too, the clash web.forms must survive); the rows of a list."""
    for name, field in model.model_fields.items():
        inner, many = _nested(field.annotation)
        yield prefix + name
        if inner is not None:
            rows = [f"{name}.{row}." for row in range(DOCUMENT_ROWS)] if many else [f"{name}."]
            for row in rows:
                yield from form_names(inner, prefix + row)


def form_body(names: Iterable[str]) -> dict[str, Any]:
    fields = {name: {"type": "string"} for name in [*names, "csrf_token"]}
    schema = {"type": "object", "properties": fields, "additionalProperties": False}
    media = "application/x-www-form-urlencoded"
    return {"requestBody": {"required": True, "content": {media: {"schema": schema}}}}


def parameter(where: str, name: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"in": where, "name": name, "required": where == "path", "schema": schema}


UPLOAD = {
    "requestBody": {
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "csrf_token": {"type": "string"},
                        "kind": {"type": "string"},
                        "files": {"type": "string", "format": "binary"},
                    },
                }
            }
        }
    }
}
REFERENCE = parameter("path", "reference", {"type": "string", "pattern": REFERENCE_PATTERN})
PAYLOADS = {
    "type": "object",
    "required": ["payloads"],
    "properties": {
        "payloads": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "metadata": {
                        "type": "object",
                        "additionalProperties": {"type": "string", "format": "byte"},
                    },
                    "data": {"type": "string", "format": "byte"},
                },
            },
        }
    },
}


def pages_schema() -> dict[str, Any]:
    """The agents' pages, forms and the codec endpoint as an OpenAPI document."""
    text = {"type": "string"}
    queue = [parameter("query", n, text) for n in ("status", "channel", "category", "assignee")]
    queue += [parameter("query", n, {"type": "boolean"}) for n in ("mine", "incident")]
    queue.append(parameter("query", "page", {"type": "integer", "maximum": MAX_PAGE + 1}))
    letter = [
        REFERENCE,
        parameter("path", "kind", {"type": "string", "enum": [k.value for k in LetterKind]}),
        parameter("path", "sequence", {"type": "integer", "maximum": MAX_LETTERS + 1}),
    ]
    paths: dict[str, Any] = {
        "/": {"get": {"parameters": queue}},
        "/complaints/new": {"post": form_body(form_names(ComplaintIntake))},
        "/complaints/{reference}": {"get": {"parameters": [REFERENCE]}},
        "/complaints/{reference}/letters/{kind}/{sequence}": {"get": {"parameters": letter}},
        "/complaints/{reference}/documents/{sha256}": {
            "get": {
                "parameters": [
                    REFERENCE,
                    parameter("path", "sha256", {"type": "string", "pattern": "^[0-9a-f]{64}$"}),
                    parameter("query", "telecharger", {"type": "boolean"}),
                ]
            }
        },
        "/complaints/{reference}/documents": {"post": {"parameters": [REFERENCE], **UPLOAD}},
        "/codec/decode": {
            "post": {"requestBody": {"content": {"application/json": {"schema": PAYLOADS}}}}
        },
        "/codec/encode": {
            "post": {"requestBody": {"content": {"application/json": {"schema": PAYLOADS}}}}
        },
    }
    for name, model in ACTIONS.items():
        fields = [n for n in form_names(model) if n != "actor"]
        paths[f"/complaints/{{reference}}/actions/{name}"] = {
            "post": {"parameters": [REFERENCE], **form_body(fields)}
        }
    for operation in (op for path in paths.values() for op in path.values()):
        operation["responses"] = {"default": {"description": "une page"}}
    return {"openapi": "3.0.3", "info": {"title": "pages", "version": "1"}, "paths": paths}


def test_the_forms_and_the_codec_never_fail(fuzzed):
    schema = schemathesis.openapi.from_dict(pages_schema())
    schema.config.update(base_url=fuzzed.url)
    origin = fuzzed.ui_origin

    def call(case, known):
        if isinstance(case.body, dict) and known:
            case.body["csrf_token"] = fuzzed.csrf  # most forms get past the CSRF check
        headers = {"Cookie": fuzzed.cookie, "Origin": origin}
        response = case.call(headers=headers, timeout=30, allow_redirects=False)
        where = f"{case.method} {case.formatted_path}"
        assert response.status_code < 500, f"{where}: {response.text[:2000]}"
        if response.status_code >= 400:
            assert response.text.strip(), f"{where}: {response.status_code} says nothing"
        if case.path.startswith("/codec"):
            # Refusals too carry the CORS headers the Web UI needs to show them.
            assert response.headers.get("access-control-allow-origin") == [origin], where
        return response.status_code

    statuses = fuzz(schema, FORMS_KNOWN, call, examples=10)
    print("pages and codec:", dict(statuses))
    # Forms were accepted (303), refused on their fields (422), on the complaint's state
    # (409), on a missing complaint (404), and the codec decoded (200).
    assert {200, 303, 404, 409, 422} <= statuses.keys(), statuses
