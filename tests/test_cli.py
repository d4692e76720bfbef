"""`complaints deadlines` at its edges: every bad input gets one French line and exit 2."""

import importlib.util
import os
import shlex
import stat
from pathlib import Path

import pytest
from pydantic import SecretStr

from reclamations.cli.main import main
from reclamations.cli.run import (
    CODEC_KEY_FILE,
    banner,
    local_codec_key,
    temporal_command,
    with_local_codec_key,
)
from tests.conftest import make_settings


@pytest.mark.parametrize(
    ("arguments", "says"),
    [
        (["--sent-on", "9999-12-31"], "les années vont de 2000 à 2099"),
        (["--sent-on", "0001-01-01"], "les années vont de 2000 à 2099"),
        (["--sent-on", "2026-11-20", "--suspended", "2026-11-21/P4_0D"], "durée invalide"),
        (["--sent-on", "2026-11-20", "--suspended", "2099-12-01/P999D"], "2000 à 2099"),
        (["--sent-on", "2026-11-20", "--suspended", "2026-11-21/P99999D"], "durée invalide"),
        ([], "arguments obligatoires : --sent-on"),
        (["--sent-on", "2026-11-20", "--calendar", "mars"], "calendrier inconnu"),
        (["--sent-on", "2026-11-20", "--inconnu"], "arguments inconnus : --inconnu"),
    ],
)
def test_bad_arguments_get_one_french_line(capsys, arguments, says):
    with pytest.raises(SystemExit) as exited:
        main(["deadlines", *arguments])
    assert exited.value.code == 2
    error = capsys.readouterr().err
    assert says in error and len(error.strip().splitlines()) == 1
    assert "Traceback" not in error and "required:" not in error and "invalid choice" not in error


def test_the_last_plausible_year_still_computes(capsys):
    assert main(["deadlines", "--sent-on", "2099-12-31", "--suspended", "2099-12-31/P0D"]) == 0
    assert "13 janvier 2100" in capsys.readouterr().out


def test_make_run_starts_the_web_ui_decoding_through_the_local_codec_address(tmp_path):
    """The dev server's Web UI is started with the codec preset, its address carrying the
    local key the web app knows: payloads show decoded with no step in the browser."""
    settings = make_settings(tmp_path)
    key = local_codec_key(tmp_path)
    assert local_codec_key(tmp_path) == key  # made once, kept
    assert stat.S_IMODE((tmp_path / CODEC_KEY_FILE).stat().st_mode) == 0o600
    argv = temporal_command(settings.model_copy(update={"codec_local_key": SecretStr(key)}))
    endpoint = argv[argv.index("--ui-codec-endpoint") + 1]
    assert endpoint == f"http://localhost:8000/codec/local/{key}"
    assert temporal_command(settings)[argv.index("--ui-codec-endpoint") + 1].endswith("/codec")


REACHABLE = [{"web_host": "0.0.0.0"}, {"temporal_address": "10.0.0.5:7233"}]


@pytest.mark.parametrize("reachable", REACHABLE)
def test_make_run_gives_the_local_codec_a_key_only_while_everything_is_local(
    tmp_path, monkeypatch, reachable
):
    monkeypatch.delenv("RECLAMATIONS_CODEC_LOCAL_KEY", raising=False)
    exposed = make_settings(tmp_path, **reachable)
    assert with_local_codec_key(exposed).codec_local_key is None
    assert "RECLAMATIONS_CODEC_LOCAL_KEY" not in os.environ
    local = with_local_codec_key(make_settings(tmp_path))
    assert local.codec_local_key is not None
    assert os.environ["RECLAMATIONS_CODEC_LOCAL_KEY"] == local.codec_local_key.get_secret_value()


def test_the_banner_of_make_run_names_a_starter_that_exists(tmp_path):
    """What `make run` tells a new user to type next must run: the starter is a module of the
        package (`python -m reclamations.starter`), not a file at the project's root; so is the mail
    sender, and the example files they name exist."""
    lines = [line for line in banner(make_settings(tmp_path)).splitlines() if "python" in line]
    assert len(lines) == 2  # the starter, and the message sent to the mail receiver
    for line in lines:
        words = shlex.split(line.split(".venv/bin/python", 1)[1])
        assert words[0] == "-m" and importlib.util.find_spec(words[1]) is not None
        assert all((Path(__file__).parents[1] / word).exists() for word in words[2:])


def test_the_banner_says_where_mail_comes_in(tmp_path):
    """issue 27: `make run` receives complaints by SMTP on 127.0.0.1:2525 and says so."""
    text = banner(make_settings(tmp_path))
    assert "réception SMTP" in text and "127.0.0.1:2525" in text
    assert "boîte IMAP" not in text
    with_mailbox = make_settings(
        tmp_path, mail_imap_host="imap.mutex.example", mail_imap_username="reclamations"
    )
    assert "boîte IMAP lue         reclamations@imap.mutex.example, dossier INBOX" in banner(
        with_mailbox
    )
