"""`desk-tui admin list-staff` and `reset-pin`: who can sign in, and a forgotten PIN replaced on
an owner's word, signing the staff member out everywhere."""

from __future__ import annotations

import re
import uuid

import httpx

from desk_tui.cli import main
from desk_tui.server import admin
from tests.support.api_client import assert_problem, login


def _admin(url: str, *args: str) -> int:
    return main(["admin", "--db", url, *args])


def _new_staff(db_url: str, pin: str = "4321") -> str:
    username = f"adm{uuid.uuid4().hex[:8]}"
    admin.create_staff(db_url, username=username, name="Admin Test", role="reception", pin=pin,
                       locations=["Downtown", "Riverside"])
    return username


def _row(out: str, username: str) -> list[str]:
    line = next(x for x in out.splitlines() if x.startswith(username + " "))
    return re.split(r"\s{2,}", line.strip())


def test_list_staff_shows_role_status_locations_and_signed_in_terminals(api, capsys):
    username, gone = _new_staff(api.db_url), _new_staff(api.db_url)
    login(api.url, username, "4321"), login(api.url, username, "4321")
    admin.deactivate_staff(api.db_url, username=gone)
    capsys.readouterr()
    assert _admin(api.db_url, "list-staff") == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["USERNAME", "NAME", "ROLE", "STATUS", "SIGNED", "IN", "LOCATIONS"]
    assert _row(out, username) == [username, "Admin Test", "reception", "active", "2", "Downtown, Riverside"]
    assert _row(out, gone) == [gone, "Admin Test", "reception", "deactivated", "0", "Downtown, Riverside"]
    assert _row(out, "owner")[1:4] == ["Olga Nagy", "owner", "active"]
    # Stylists who never sign in are listed too, without a username.
    assert any(line.startswith("— ") for line in out.splitlines())


def test_an_owner_resets_a_forgotten_pin_and_the_old_sessions_end(api, capsys):
    username = _new_staff(api.db_url)
    desk = login(api.url, username, "4321")
    assert desk.get("/me").status_code == 200
    capsys.readouterr()

    assert _admin(api.db_url, "reset-pin", "--username", username, "--owner", "owner", "--owner-pin", "3333") == 0
    out = capsys.readouterr().out
    new_pin = re.search(r"New PIN for \w+: (\d+) ", out)
    assert new_pin is not None and len(new_pin.group(1)) == 6 and "Signed out of 1 session." in out

    assert_problem(desk.get("/me"), 401, "unauthenticated")
    url = f"{api.url}/v1/auth/login"
    assert_problem(httpx.post(url, json={"username": username, "pin": "4321"}), 401, "invalid_credentials")
    assert httpx.post(url, json={"username": username, "pin": new_pin.group(1)}).status_code == 200


def test_only_an_owner_with_the_right_pin_can_reset_a_pin(api, capsys):
    username = _new_staff(api.db_url)
    assert _admin(api.db_url, "reset-pin", "--username", username, "--owner", "manager", "--owner-pin", "2222") == 2
    assert "only an owner can reset a PIN" in capsys.readouterr().err
    assert _admin(api.db_url, "reset-pin", "--username", username, "--owner", "owner", "--owner-pin", "0000") == 2
    assert "do not match" in capsys.readouterr().err
    assert _admin(api.db_url, "reset-pin", "--username", "nobody-here", "--owner", "owner", "--owner-pin", "3333") == 2
    assert "No staff member signs in as nobody-here" in capsys.readouterr().err
    # Nothing changed: the PIN the staff member knows still works.
    assert httpx.post(f"{api.url}/v1/auth/login", json={"username": username, "pin": "4321"}).status_code == 200
