"""The calendar's busiest day: 50 stylists × 1,000 appointments, drawn from one call in a fixed
number of queries (no N+1), on a database of its own so the shared demo stays small."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event

from desk_tui.contract import appointments as wire
from desk_tui.contract import cards as card_wire
from desk_tui.server.appointments import service, views
from desk_tui.server.auth.principal import Principal
from desk_tui.server.cards import service as cards
from desk_tui.server.customers.models import Customer
from desk_tui.server.reference.models import Staff, StaffLocation
from tests.conftest import ENGINES
from tests.support.api_client import login
from tests.support.live_server import LiveServer

DAY = date(2031, 5, 6)
TZ = ZoneInfo("Europe/Budapest")
STAFF, PER_STAFF = 50, 20


@pytest.mark.parametrize("engine_name", ENGINES)
def test_a_thousand_appointments_in_one_call(engine_name, new_db_url):
    with LiveServer(new_db_url(engine_name), demo=True) as server:
        db = server.database
        me = Principal(staff_id="stf_reception", staff_name="Réka Tóth", role="reception",
                       location_id="loc_downtown", token_hash="test", expires_at=datetime.now(TZ))
        with db.transaction() as s:
            customers = [c.id for c in s.query(Customer).order_by(Customer.id).limit(100)]
            card_ids = [cards.sell(s, data=card_wire.CardCreate(package_id="pkg_demo_10x_blow_dry", customer_id=cus,
                                                                 expires_on=date(2999, 12, 31), note="scale test"),
                                   me=me).id for cus in customers[:20]]
            for n in range(STAFF):
                staff = Staff(id=f"stf_scale{n:02d}", name=f"Stylist {n:02d}", username=None, pin_hash=None,
                              role="reception", bookable=True, active=True)
                staff.locations = [StaffLocation(location_id="loc_downtown")]
                s.add(staff)
            s.flush()
            for n in range(STAFF):
                for slot in range(PER_STAFF):
                    k = n * PER_STAFF + slot
                    start = datetime(DAY.year, DAY.month, DAY.day, 8, 0, tzinfo=TZ) + timedelta(minutes=30 * slot)
                    source = wire.LineSourceCreate(card_id=card_ids[k // 10 % 20]) if k % 10 == 0 else None
                    customer = customers[k // 10 % 20] if source else customers[k % 100]
                    service.create(s, me=me, data=wire.AppointmentCreate(
                        customer_id=customer, staff_id=f"stf_scale{n:02d}", start=start,
                        lines=[wire.AppointmentLineCreate(service_id="svc_blow_dry", source=source)]))

        statements = []

        def count(*_args) -> None:
            statements.append(1)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            with db.read_session() as s:
                day = views.day(s, on=DAY, location_id="loc_downtown")
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        assert len(day.items) == STAFF * PER_STAFF
        # appointments + names, lines (batched IN), services, cards, pools, settings: not one per row
        assert len(statements) <= 10, len(statements)

        with login(server.url, "reception") as c:
            body = c.get("/appointments", params={"date": DAY.isoformat()}).json()
            assert len(body["items"]) == STAFF * PER_STAFF and body["next_cursor"] is None
            package = [x for x in body["items"] if x["from_package"]]
            assert len(package) == 100
            assert all(x["lines"][0]["counter"]["booked"] == 5 and x["lines"][0]["price"] == 0 for x in package)
            assert len({x["staff_id"] for x in body["items"]}) == STAFF
            assert c.get("/appointments", params={"date": (DAY + timedelta(days=1)).isoformat()}).json()["items"] == []
