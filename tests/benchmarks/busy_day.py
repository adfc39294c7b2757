"""The calendar benchmarks' salon: the demo, plus busy days of 20 staff × 40 appointments at Downtown.

Built through the server's own service layer (the same rules and rows as ``POST /appointments``),
in one write transaction per day, before any server opens the file. Downtown has four bookable
demo stylists; sixteen more are added so the day has exactly 20 staff columns, and every one of
them gets 40 back-to-back 15-minute appointments from 08:00 to 18:00 (all 800 visible, one grid
row each, none hidden behind another). 18:00–20:00 stays free.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from desk_tui.contract.appointments import AppointmentCreate, AppointmentLineCreate
from desk_tui.server.appointments import service
from desk_tui.server.auth.principal import Principal
from desk_tui.server.customers.models import Customer
from desk_tui.server.reference.models import Service, ServiceLocation, Staff, StaffLocation
from desk_tui.server.serve import prepare

LOCATION = "loc_downtown"
TZ = ZoneInfo("Europe/Budapest")
STAFF_COUNT, PER_STAFF = 20, 40
SERVICE_ID = "svc_bench_fringe"
#: the first busy day: a Monday far enough ahead that the demo's own bookings never reach it
FIRST_DAY = date(2031, 3, 3)

FIRST = ["Ági", "Bori", "Dani", "Eszter", "Fanni", "Gergő", "Hajni", "Ildi", "Jázmin", "Kata", "Lili", "Mira",
         "Noémi", "Panni", "Rita", "Zsófi"]


def _principal() -> Principal:
    return Principal(staff_id="stf_manager", staff_name="Márton Kiss", role="manager", location_id=LOCATION,
                     token_hash="benchmark", expires_at=datetime.now(UTC) + timedelta(days=1))


@dataclass(frozen=True)
class BusySalon:
    appointments: int
    first_customer: str
    """Who is booked at 08:00 in the first column (staff are listed by name): proof the day is drawn."""


def build(db_path: str, days: list[date]) -> BusySalon:
    """Create the salon in the SQLite file ``db_path``, with ``days`` fully booked."""
    db = prepare(f"sqlite:///{db_path}", demo=True)
    try:
        with db.transaction() as s:
            for n, first in enumerate(FIRST):
                stylist = Staff(id=f"stf_bench{n:02d}", name=f"{first} Próba", username=None, pin_hash=None,
                                role="reception", bookable=True, active=True)
                stylist.locations = [StaffLocation(location_id=LOCATION)]
                s.add(stylist)
            fringe = Service(id=SERVICE_ID, name="Fringe Trim", category="Hair", duration_min=15, price=3000,
                             active=True)
            fringe.locations = [ServiceLocation(location_id=LOCATION)]
            s.add(fringe)
        with db.read_session() as s:
            here = select(Staff.id).join(StaffLocation).where(Staff.bookable, Staff.active,
                                                               StaffLocation.location_id == LOCATION)
            staff = s.scalars(here.order_by(Staff.name, Staff.id)).all()
            customers = s.execute(select(Customer.id, Customer.name).order_by(Customer.id)).all()
        if len(staff) != STAFF_COUNT:
            raise RuntimeError(f"expected {STAFF_COUNT} bookable staff at {LOCATION}, found {len(staff)}")
        me, made = _principal(), 0
        for day in days:
            with db.transaction() as s:
                for col, staff_id in enumerate(staff):
                    for k in range(PER_STAFF):
                        start = datetime.combine(day, time(8), TZ) + timedelta(minutes=15 * k)
                        # a row of the grid is 20 different customers; the 300 demo customers repeat
                        data = AppointmentCreate(customer_id=customers[(k * STAFF_COUNT + col) % len(customers)].id,
                                                 staff_id=staff_id, start=start,
                                                 lines=[AppointmentLineCreate(service_id=SERVICE_ID)])
                        service.create(s, data=data, me=me)
                        made += 1
        return BusySalon(appointments=made, first_customer=customers[0].name)
    finally:
        db.dispose()
