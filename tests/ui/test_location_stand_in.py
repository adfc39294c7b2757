"""The sign-in's first frame has a look-alike where the location picker goes (a Select is the
costliest widget of that frame, and says only "Connecting…" until the server answers); the real
picker comes with the locations, on this terminal's location, and a sign-in typed before the
answer lands there (docs/performance.md, session 13)."""

from __future__ import annotations

from textual.widgets import Select, Static

from desk_tui.client.settings import Paths, load_settings
from desk_tui.ui.app import DeskApp
from desk_tui.ui.screens.login import LoginScreen
from desk_tui.ui.widgets.location_stand_in import LocationStandIn
from tests.support.proxy import LossyProxy
from tests.ui.pilot import burst, wait_until


async def test_the_picker_comes_with_the_locations_and_a_sign_in_typed_before_lands_at_its_choice(
        ui_server, desk_home, manager_api):
    locations = [loc["id"] for loc in manager_api.get("/locations").json()]
    assert len(locations) > 1
    here = locations[-1]  # not the first: the first is what a picker with no preference opens on
    async with LossyProxy(ui_server.url) as proxy:
        proxy.let_through.clear()  # the server's answers wait on the line
        app = DeskApp(settings=load_settings(server=proxy.url), paths=Paths.from_env())
        async with app.run_test(size=(80, 24)) as pilot:
            login = app.screen
            assert isinstance(login, LoginScreen)
            await pilot.pause()  # the first frame
            stand_in = login.query_one("#location-stand-in", LocationStandIn)
            assert "Connecting…" in str(stand_in.render()) and not login.query("#location")
            assert not stand_in.can_focus  # nothing to choose yet: Tab does not stop there
            # This terminal signed in at `here` before (the session keeps it for the next sign-in).
            app.location_id = here
            burst(pilot, *"reception", "enter", *"1111", "enter")
            status = login.query_one("#login-status", Static)
            await wait_until(pilot, lambda: "as soon as the server answers" in str(status.render()),
                             "the sign-in waiting for the server")

            proxy.let_through.set()
            await wait_until(pilot, lambda: app.signed_in is not None, "signed in once the server answered")
            assert app.location_id == here  # the session is at the location the picker chose
            picker = login.query_one("#location", Select)
            assert picker.value == here and [v for _, v in picker._options if v is not Select.NULL] == locations
            assert not login.query("#location-stand-in")
