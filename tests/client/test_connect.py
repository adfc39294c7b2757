"""Choosing the server, and what survives a restart of the embedded demo server."""

from __future__ import annotations

import pytest

from desk_tui.client.connect import connect, open_client
from desk_tui.client.errors import ApiError
from desk_tui.client.settings import load_settings
from desk_tui.contract.reference import Staff
from tests.client.polling import wait_for_exit


def test_a_configured_server_is_used_as_is(home, monkeypatch):
    monkeypatch.setenv("DESK_SERVER", "https://desk.example.com/")
    connection = connect(load_settings(), home)
    assert connection.url == "https://desk.example.com" and not connection.demo and connection.embedded is None
    assert connection.server_id == connection.url


async def test_the_demo_server_keeps_tokens_and_cache_across_its_restarts(home, dict_keyring):
    settings = load_settings()
    first = connect(settings, home)
    try:
        assert first.demo and first.embedded is not None
        client = open_client(first, settings, home)
        signed = await client.login("reception", "1111")
        staff = await client.staff()
        await client.aclose()
    finally:
        first.embedded.release()
    wait_for_exit(first.embedded.pid, what="the demo server to stop")

    second = connect(settings, home)  # a new process, most likely on another port
    try:
        assert second.server_id == first.server_id
        client = open_client(second, settings, home)
        me = await client.resume()
        assert me is not None and me.staff.id == signed.staff.id
        assert client.peek("/staff", list[Staff]) == staff  # drawn from the cache before asking
        await client.aclose()
    finally:
        second.embedded.release()
    wait_for_exit(second.embedded.pid, what="the demo server to stop")


async def test_a_failed_switch_keeps_the_current_staff_signed_in(live, make_client, dict_keyring):
    client = make_client(live.url)
    signed = await client.login("reception", "1111")
    with pytest.raises(ApiError):
        await client.login("manager", "0000")
    assert client.signed_in == signed
    assert (await client.me()).staff.username == "reception"
    await client.login("manager", "2222")
    assert (await client.me()).staff.username == "manager"
    assert client.tokens.last_username == "manager"
