"""The operator's settings: `serve` flags over DESK_SERVER_* over defaults, shown by
--print-settings with the password masked, and reaching a served API's every worker."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.support.api_client import PINS
from tests.support.served import ServedAPI

pytestmark = [pytest.mark.timeout(400), pytest.mark.xdist_group("server_settings")]  # the group: tests/conftest.py


def _print_settings(*flags: str, env: dict[str, str]) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DESK_SERVER_")}
    done = subprocess.run([sys.executable, "-m", "desk_tui", "serve", *flags, "--print-settings"],
                          env={**clean, **env}, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _value(printed: str, name: str) -> str:
    line = next(line for line in printed.splitlines() if line.split()[0] == name)
    return line.split(None, 1)[1]


def test_print_settings_masks_the_password_and_flags_win_over_the_environment():
    printed = _print_settings("--db", "postgresql+psycopg://desk:s3cret-pw@db.example:5432/desk", "--token-ttl", "8h",
                              env={"DESK_SERVER_TOKEN_TTL": "1h", "DESK_SERVER_SALE_HOLD_TIMEOUT": "10m",
                                   "DESK_SERVER_ALLOWED_HOSTS": "desk.example.com, desk"})
    assert "s3cret-pw" not in printed
    assert _value(printed, "DESK_SERVER_DB") == "postgresql+psycopg://desk:***@db.example:5432/desk"
    assert _value(printed, "DESK_SERVER_TOKEN_TTL") == "28800 s"  # the flag, not the variable
    assert _value(printed, "DESK_SERVER_SALE_HOLD_TIMEOUT") == "600 s"
    assert _value(printed, "DESK_SERVER_ALLOWED_HOSTS") == "desk.example.com,desk"
    assert _value(printed, "DESK_SERVER_HOUSEKEEPING_EVERY") == "60 s"
    assert _value(printed, "DESK_SERVER_LOG_FORMAT") == "text"


def test_a_setting_that_cannot_be_used_is_refused_naming_the_flag_and_variable():
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DESK_SERVER_")}
    done = subprocess.run([sys.executable, "-m", "desk_tui", "serve", "--print-settings"],
                          env={**clean, "DESK_SERVER_HOUSEKEEPING_EVERY": "every so often"},
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "--housekeeping-every or DESK_SERVER_HOUSEKEEPING_EVERY" in done.stderr


def _log_entries(server: ServedAPI) -> list[dict]:
    entries = []
    for line in server.log.read_text(errors="replace").splitlines():
        if line.startswith("{"):
            entries.append(json.loads(line))
    return entries


def _wait_for_entry(server: ServedAPI, found, timeout: float = 10.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        match = next((e for e in _log_entries(server) if found(e)), None)
        if match is not None:
            return match
        assert time.monotonic() < deadline, server.log.read_text()[-3000:]
        assert server.proc is not None
        try:  # returns at once if the server exits; otherwise a tick to let it write
            server.proc.wait(0.05)
        except subprocess.TimeoutExpired:
            pass


@pytest.fixture(scope="module")
def configured(engine, new_db_url):
    """The demo salon served with settings from DESK_SERVER_* only (two workers on PostgreSQL)."""
    env = {"DESK_SERVER_TOKEN_TTL": "1h", "DESK_SERVER_LOG_FORMAT": "json", "DESK_SERVER_ACCESS_LOG": "true",
           "DESK_SERVER_LOG_LEVEL": "info", "DESK_SERVER_ALLOWED_HOSTS": "127.0.0.1,desk.test"}
    with ServedAPI(new_db_url(engine), workers=1 if engine == "sqlite" else 2, demo=True, env=env) as server:
        yield server


def test_the_token_lifetime_comes_from_the_environment(configured):
    before = datetime.now(UTC)
    r = httpx.post(f"{configured.url}/v1/auth/login", json={"username": "reception", "pin": PINS["reception"]},
                   timeout=30)
    assert r.status_code == 200, r.text
    expires = datetime.fromisoformat(r.json()["expires_at"])
    assert timedelta(minutes=59) < expires - before < timedelta(minutes=61)


def test_json_access_lines_carry_the_request_id_and_the_forwarded_client(configured):
    for n in range(4):  # each worker answers some of them
        rid = f"probe-{n}-{os.getpid()}"
        r = httpx.get(f"{configured.url}/v1/health", timeout=30,
                      headers={"X-Request-ID": rid, "X-Forwarded-For": "203.0.113.9"})
        assert r.status_code == 200
        assert r.headers["x-request-id"] == rid
        entry = _wait_for_entry(configured, lambda e, rid=rid: e.get("request_id") == rid)
        assert entry["logger"] == "uvicorn.access" and entry["level"] == "info"
        # The proxy on 127.0.0.1 is trusted by default, so the line names the client behind it.
        assert "203.0.113.9" in entry["message"] and "/v1/health" in entry["message"]


def test_a_request_without_an_id_gets_one(configured):
    r = httpx.get(f"{configured.url}/healthz", timeout=30)
    rid = r.headers["x-request-id"]
    assert len(rid) == 32
    _wait_for_entry(configured, lambda e: e.get("request_id") == rid)


def test_a_host_name_not_allowed_is_refused(configured):
    assert httpx.get(f"{configured.url}/healthz", headers={"Host": "desk.test"}, timeout=30).status_code == 200
    refused = httpx.get(f"{configured.url}/healthz", headers={"Host": "evil.example"}, timeout=30)
    assert refused.status_code == 400
