"""The `desk-tui` command as support runs it: doctor, settings precedence, import hygiene."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys

import pytest

from desk_tui.client.logging_setup import last_error, setup_logging
from desk_tui.client.settings import SettingsError, load_settings
from desk_tui.client.tokens import TokenStore

HEAVY = "{'fastapi', 'sqlalchemy', 'uvicorn', 'alembic'}"


def run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "desk_tui", *args], capture_output=True, text=True, timeout=60,
                          env={**os.environ, **env})


def test_the_client_process_never_imports_the_server_stack(home):
    code = ("import desk_tui.client.api, desk_tui.client.connect, desk_tui.client.doctor, desk_tui.cli, sys; "
            f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_doctor_reports_a_reachable_server(live, home):
    result = run(["doctor", "--server", live.url], COLUMNS="100", LINES="30", NO_COLOR="1")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "desk-tui 0.1.0" in out and live.url in out
    assert re.search(r"reachable, round trip \d+ ms", out)
    assert "Keyring" in out and "keyring.backends.null.Keyring" in out  # the suite's backend, via env
    assert "100×30" in out and "NO_COLOR=1" in out
    assert str(home.cache_dir) in out and str(home.config_file) in out


def test_doctor_says_when_the_server_cannot_be_reached(home):
    result = run(["--server", "http://127.0.0.1:9", "doctor"])
    assert result.returncode == 1
    assert "NOT reachable (offline)" in result.stdout
    assert "Last error" in result.stdout


async def test_doctor_shows_who_is_signed_in_until_when(live, home, make_client):
    # No keyring in the doctor's process either: the opt-in 0600 token file carries the token.
    client = make_client(live.url, tokens=TokenStore(live.url, paths=home, allow_file=True))
    signed = await client.login("manager", "2222")
    result = run(["doctor", "--server", live.url], DESK_TOKEN_FILE="1")
    assert result.returncode == 0, result.stderr
    expires = signed.expires_at.astimezone().strftime("%Y-%m-%d %H:%M")
    assert re.search(rf"Signed in +{signed.staff.name} \(manager, manager\) at .+; token expires {expires}",
                     result.stdout), result.stdout


def test_doctor_shows_the_last_error_from_the_log(live, home, tmp_path):
    log = tmp_path / "support.log"
    written = setup_logging(log)
    try:
        logging.getLogger("desk_tui.test").error("the card reader exploded")
        logging.getLogger("desk_tui.test").info("later, something harmless")
    finally:
        for handler in [h for h in logging.getLogger().handlers if getattr(h, "_desk_tui", False)]:
            logging.getLogger().removeHandler(handler)
            handler.close()
    assert written == log and last_error(log).endswith("ERROR desk_tui.test: the card reader exploded")
    result = run(["doctor", "--server", live.url, "--log", str(log)])
    assert "ERROR desk_tui.test: the card reader exploded" in result.stdout


def test_settings_precedence_and_clear_errors(home, monkeypatch):
    home.config_dir.mkdir(parents=True)
    home.config_file.write_text('server = "http://from-file:1/"\ntimeout = 3\n[keymap]\ngoto_calendar = "f2"\n')
    assert load_settings().server == "http://from-file:1"
    monkeypatch.setenv("DESK_SERVER", "http://from-env:2")
    monkeypatch.setenv("DESK_KEYMAP__GOTO_CARDS", "f5")
    settings = load_settings(server=None, timeout=None)
    assert settings.server == "http://from-env:2" and settings.timeout == 3.0
    assert settings.keymap == {"goto_calendar": "f2", "goto_cards": "f5"}
    assert load_settings(server="http://from-cli:3").server == "http://from-cli:3"
    home.config_file.write_text("server = [")
    with pytest.raises(SettingsError, match=r"config\.toml is not valid TOML"):
        load_settings()
    home.config_file.write_text('timeout = "soon"\n')
    with pytest.raises(SettingsError, match="'timeout'"):
        load_settings()


def test_paths_live_under_desk_home(home):
    for folder in (home.config_dir, home.data_dir, home.cache_dir, home.log_dir, home.state_dir):
        assert str(folder).startswith(os.environ["DESK_HOME"])
