"""A PIN never crosses the network in the clear unless the user said so: signing in to a plain
http:// server on another machine is refused on the sign-in screen with the reason, and works
with --insecure. The server is a real `desk-tui serve` listening on this machine's network
address, not on loopback (where plain http stays on the machine and is allowed)."""

from __future__ import annotations

import socket

import pytest

from desk_tui.client.settings import Paths, load_settings
from desk_tui.ui.app import DeskApp
from desk_tui.ui.connection_state import ConnectionState
from desk_tui.ui.screens.login import LoginScreen
from tests.support.served import ServedAPI
from tests.ui.pilot import sign_in, wait_until

pytestmark = [pytest.mark.timeout(400), pytest.mark.xdist_group("plain_http_sign_in")]  # the group: tests/conftest.py


def _network_address() -> str:
    """This machine's address on its network: the one a connection out of it would come from
    (a UDP socket only picks its route; nothing is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("192.0.2.1", 9))
        address = probe.getsockname()[0]
    assert not address.startswith("127."), address
    return address


@pytest.fixture(scope="module")
def lan_url(new_db_url):
    with ServedAPI(new_db_url("sqlite"), demo=True, args=["--host", "0.0.0.0"]) as server:
        yield f"http://{_network_address()}:{server.port}"


async def test_the_pin_is_not_sent_over_plain_http_and_the_sign_in_screen_says_why(lan_url, desk_home):
    app = DeskApp(settings=load_settings(server=lan_url), paths=Paths.from_env())
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.connection_state is ConnectionState.READY, "the connection")
        await wait_until(pilot, lambda: isinstance(app.screen, LoginScreen), "the login screen")
        await pilot.press(*"reception", "enter", *"1111", "enter")
        status = app.screen.query_one("#login-status")
        await wait_until(pilot, lambda: "The PIN was not sent" in str(status.render()), "the refusal")
        assert str(status.render()) == (
            "The PIN was not sent: this server's address starts with http://, so anyone on the network could read "
            "it. Use the server's https:// address, or start desk-tui with --insecure on a network you trust.")
        assert app.signed_in is None and isinstance(app.screen, LoginScreen)


async def test_with_insecure_the_pin_is_sent_anyway(lan_url, desk_home):
    app = DeskApp(settings=load_settings(server=lan_url, insecure=True), paths=Paths.from_env())
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        assert app.staff == "Réka Tóth (reception)"
