"""The demo salon's activity log tells its story on the days it happened, so the seed's dispute
("she says she never missed an appointment — the log shows the no-show") works on demo data."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tests.support.api_client import login

TZ = ZoneInfo("Europe/Budapest")
#: the demo customer who missed yesterday's 16:00 manicure (server/appointments/demo.py)
NO_SHOW_CUSTOMER = "cus_demo0005"


def _day(stamp: str):
    return datetime.fromisoformat(stamp).astimezone(TZ).date()


def test_the_demo_log_shows_the_no_show_on_its_day(api):
    with login(api.url, "reception") as c:
        log = c.get(f"/customers/{NO_SHOW_CUSTOMER}/activity", params={"limit": 200}).json()["items"]
        [missed] = [e for e in log if e["kind"] == "appointment_no_show"]
        appt = c.get(f"/appointments/{missed['appointment_id']}").json()
        start = datetime.fromisoformat(appt["start"])
        assert _day(missed["at"]) == start.astimezone(TZ).date(), (missed, appt["start"])
        assert start <= datetime.fromisoformat(missed["at"]) <= start + timedelta(hours=1)
        # Every appointment entry is stamped on or before the day it is about, never after the seed.
        for entry in log:
            if entry["kind"] in ("appointment_checked_in", "appointment_completed", "appointment_no_show"):
                about = c.get(f"/appointments/{entry['appointment_id']}").json()
                assert _day(entry["at"]) == _day(about["start"]), entry
        # The card history behind it reads over weeks, not all at the moment the demo was made.
        assert len({_day(e["at"]) for e in log}) >= 3, [e["at"] for e in log]
