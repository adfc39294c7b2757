"""The shell: sign-in, wrong PIN, staff switching, token reuse, global keys, help, palette."""

from __future__ import annotations

import keyring
import pytest

from desk_tui.ui.connection_state import ConnectionState
from desk_tui.ui.navigation import DESTINATIONS
from desk_tui.ui.screens.help import HelpScreen
from desk_tui.ui.screens.login import LoginScreen
from desk_tui.ui.widgets.shell_header import ShellHeader
from tests.support.keyrings import BrokenKeyring, DictKeyring
from tests.ui.pilot import notifications, sign_in, wait_until


@pytest.fixture
def working_keyring():
    previous = keyring.get_keyring()
    backend = DictKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def broken_keyring():
    previous = keyring.get_keyring()
    keyring.set_keyring(BrokenKeyring())
    yield
    keyring.set_keyring(previous)


async def test_sign_in_reaches_the_calendar_with_staff_and_location_in_the_header(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        assert app.current_mode == "calendar"
        assert app.staff == "Réka Tóth (reception)" and app.location == "Downtown"
        await wait_until(pilot, lambda: app.business == "Bella Salon & Spa", "the business name")
        header = app.screen.query_one(ShellHeader)
        assert "Bella Salon & Spa · Downtown" in str(header.render())


async def test_wrong_pin_says_so_and_keeps_the_username(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "reception", "1111")  # prove the happy path first on this server
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, LoginScreen), "switch staff")
        screen = app.screen
        screen.query_one("#username").value = "manager"
        screen.query_one("#pin").value = "9999"
        screen.query_one("#pin").focus()
        await pilot.press("enter")
        status = screen.query_one("#login-status")
        await wait_until(pilot, lambda: "do not match" in str(status.render()), "the wrong-PIN sentence")
        assert screen.query_one("#username").value == "manager"
        assert screen.query_one("#pin").value == ""
        assert app.staff == "Réka Tóth (reception)"  # nobody else got signed in


async def test_switch_staff_attributes_to_the_next_person(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, LoginScreen), "switch staff")
        app.screen.query_one("#username").value = "manager"
        app.screen.query_one("#pin").value = "2222"
        app.screen.query_one("#pin").focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.staff == "Márton Kiss (manager)", "the manager signed in")
        me = await app.client.me()
        assert me.staff.username == "manager"


async def test_escape_cancels_a_staff_switch(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, LoginScreen), "switch staff")
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, LoginScreen), "back to work")
        assert app.staff == "Réka Tóth (reception)"


async def test_a_stored_token_is_reused_on_the_next_start(make_app, working_keyring):
    first = make_app()
    async with first.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
    assert any(working_keyring.store.values())
    second = make_app()
    async with second.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: second.signed_in is not None, "the stored sign-in")
        await wait_until(pilot, lambda: second.current_mode == "calendar", "the calendar without a PIN")
        assert second.staff == "Réka Tóth (reception)"


async def test_sign_out_forgets_the_stored_token(make_app, working_keyring):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await app.run_action("sign_out")
        await wait_until(pilot, lambda: isinstance(app.screen, LoginScreen), "the login screen")
    assert not any(working_keyring.store.values())
    again = make_app()
    async with again.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: again.connection_state is ConnectionState.READY, "the connection")
        await wait_until(pilot, lambda: isinstance(again.screen, LoginScreen), "the login screen")
        await pilot.app.workers.wait_for_complete()
        assert again.signed_in is None


async def test_a_broken_keyring_warns_once_and_still_signs_in(make_app, broken_keyring, desk_home):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        warnings = [n for n in notifications(app) if "keyring" in n.message.lower()]
        assert len(warnings) == 1
        token = app.signed_in.token
    # memory only: the token was written to no file under the app's folders
    for path in desk_home.rglob("*"):
        if path.is_file():
            assert token not in path.read_text(errors="ignore")


async def test_every_global_key_reaches_its_screen(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        for dest in DESTINATIONS:
            await pilot.press(dest.key)
            await wait_until(pilot, lambda: app.current_mode == dest.mode, f"{dest.key} → {dest.mode}")
            assert app.screen.query_one("NavBar").current == dest.mode


async def test_global_keys_do_nothing_before_sign_in(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.connection_state is ConnectionState.READY, "the connection")
        await pilot.press("f5")
        await pilot.app.workers.wait_for_complete()
        assert isinstance(app.screen, LoginScreen)


async def test_f1_lists_the_keys_of_the_current_screen(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await pilot.press("f3")
        await wait_until(pilot, lambda: app.current_mode == "customers", "customers")
        await pilot.press("f1")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen)
                         and app.screen.query_one("#help-keys").row_count > 0, "help")
        table = app.screen.query_one("#help-keys")
        listed = [str(table.get_row_at(i)[1]) for i in range(table.row_count)]
        assert {"New customer", "Switch staff", "Help", "Quit"} <= set(listed)
        # the screen's own keys lead; Tab's "Focus Next", which every screen has, is near the end
        assert listed[0] == "Open", listed
        assert listed.index("Focus Next") > listed.index("Quit"), listed
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, HelpScreen), "help closed")


async def test_palette_offers_every_screen_and_sign_out(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert {f"Go to {d.title}" for d in DESTINATIONS} <= titles
        assert {"Switch staff", "Sign out", "Quit", "Help"} <= titles


async def test_a_keymap_in_the_settings_remaps_a_key(make_app):
    app = make_app(keymap={"app.go.customers": "f9"})
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await pilot.press("f9")
        await wait_until(pilot, lambda: app.current_mode == "customers", "f9 → customers")
