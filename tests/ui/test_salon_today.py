"""Which day "today" is, for every screen: the salon's, not the terminal's or the server's."""

from __future__ import annotations

from datetime import UTC, date, datetime

from desk_tui.client.settings import Paths, load_settings
from desk_tui.contract.reference import Settings
from desk_tui.ui.app import DeskApp


def test_today_is_the_day_in_the_salons_time_zone(desk_home):
    late_evening_utc = datetime(2026, 3, 31, 22, 30, tzinfo=UTC)  # already 1 April in Budapest
    app = DeskApp(settings=load_settings(server="http://127.0.0.1:9"), paths=Paths.from_env(),
                  clock=lambda: late_evening_utc)
    assert app.today() == date(2026, 3, 31)  # before the salon's settings are loaded: UTC
    app.org_settings = Settings(currency="HUF", currency_decimals=0, timezone="Europe/Budapest",
                                business_name="Salon")
    assert app.today() == date(2026, 4, 1)
    assert app.salon_zone().key == "Europe/Budapest"
    app.org_settings = Settings(currency="USD", currency_decimals=2, timezone="America/New_York",
                                business_name="Salon")
    assert app.today() == date(2026, 3, 31)
