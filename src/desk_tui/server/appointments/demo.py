"""The demo salon's calendar: yesterday, today and the coming week at both locations.

Written through the same service functions the API uses, so reservations, redemptions and the
activity log are what real use would have produced. Times are local (org time zone) wall-clock
times on days relative to the seed date; the choice of customers and services is a fixed random
sequence, so the calendar looks the same every time it is seeded on a given date.

Package bookings use the demo cards of :mod:`desk_tui.server.cards.demo`, but never the ones the
customer-profile tests and snapshots read (crd_demo_0101, 0102, 0301, 0302, 0401):

  today      09:00  Downtown  Csilla  cus_demo0001  Facial from crd_demo_0103            completed
  today      11:00  Downtown  Anna    cus_demo0005  Manicure from crd_demo_0501 (BS-1005) checked in
  today      14:00  Downtown  Bence   cus_demo0002  Blow-dry from crd_demo_0201, its last  booked
  today      15:00  Riverside Dóra    cus_demo0006  Swedish Massage from crd_demo_0601     cancelled (restored)
  yesterday  16:00  Downtown  Anna    cus_demo0005  Manicure from crd_demo_0501           no-show (counts as used)
  +2 days    10:00  Riverside Emese   cus_demo0006  Deep Tissue from crd_demo_0601         booked
  +4 days    13:00  Downtown  Csilla  cus_demo0001  Facial from crd_demo_0103 + paid Blow-dry  booked

Around them every stylist has a day of paid appointments: earlier days completed (a few
no-shows and cancellations), today completed in the morning, checked in around noon and booked
for the afternoon, the coming days booked with the odd cancellation.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from desk_tui.contract import appointments as wire
from desk_tui.server.appointments import service, transitions
from desk_tui.server.auth.principal import Principal
from desk_tui.server.database import utcnow
from desk_tui.server.reference.calendar import org_zone

DOWNTOWN, RIVERSIDE = "loc_downtown", "loc_riverside"

#: day offset, hh, mm, location, staff, customer, lines [(service, card or None)], outcome
STORY: list[tuple[int, int, int, str, str, str, list[tuple[str, str | None]], str]] = [
    (0, 9, 0, DOWNTOWN, "stf_csilla", "cus_demo0001", [("svc_facial", "crd_demo_0103")], "completed"),
    (0, 11, 0, DOWNTOWN, "stf_anna", "cus_demo0005", [("svc_manicure", "crd_demo_0501")], "checked_in"),
    (0, 14, 0, DOWNTOWN, "stf_bence", "cus_demo0002", [("svc_blow_dry", "crd_demo_0201")], "booked"),
    (0, 15, 0, RIVERSIDE, "stf_dora", "cus_demo0006", [("svc_swedish", "crd_demo_0601")], "cancelled"),
    (-1, 16, 0, DOWNTOWN, "stf_anna", "cus_demo0005", [("svc_manicure", "crd_demo_0501")], "no_show"),
    (2, 10, 0, RIVERSIDE, "stf_emese", "cus_demo0006", [("svc_deep_tissue", "crd_demo_0601")], "booked"),
    (4, 13, 0, DOWNTOWN, "stf_csilla", "cus_demo0001", [("svc_facial", "crd_demo_0103"), ("svc_blow_dry", None)],
     "booked"),
]

#: who works where on the generated days (Emese: Riverside on even days, Downtown on odd ones)
ROTA = {DOWNTOWN: ["stf_anna", "stf_bence", "stf_csilla"], RIVERSIDE: ["stf_dora"]}
SERVICES = {
    DOWNTOWN: [("svc_manicure", 45), ("svc_gel_manicure", 60), ("svc_pedicure", 50), ("svc_deep_tissue", 60),
               ("svc_swedish", 60), ("svc_hot_stone", 90), ("svc_facial", 60), ("svc_haircut", 45),
               ("svc_blow_dry", 30)],
    RIVERSIDE: [("svc_manicure", 45), ("svc_gel_manicure", 60), ("svc_pedicure", 50), ("svc_deep_tissue", 60),
                ("svc_swedish", 60), ("svc_facial", 60), ("svc_express_facial", 30), ("svc_haircut", 45),
                ("svc_blow_dry", 30)],
}
FIRST_DAY, LAST_DAY = -2, 7
CANCEL_REASONS = ["Customer called in sick", "Rescheduled by phone", "Clash with work"]


def _desk(location_id: str, now: datetime) -> Principal:
    return Principal(staff_id="stf_reception", staff_name="Réka Tóth", role="reception", location_id=location_id,
                     token_hash="demo-seed", expires_at=now)


def seed_appointments(s: Session, now: datetime | None = None) -> None:
    now = now or utcnow()
    zone = org_zone(s)
    today = now.astimezone(zone).date()
    rng = random.Random(20261124)
    taken: dict[tuple[str, date], list[tuple[int, int]]] = {}

    def local(day: date, minutes: int) -> datetime:
        return datetime(day.year, day.month, day.day, minutes // 60, minutes % 60, tzinfo=zone)

    def book(offset: int, minutes: int, location_id: str, staff_id: str, customer_id: str,
             lines: list[tuple[str, str | None]], outcome: str, reason: str | None = None) -> None:
        day = today + timedelta(days=offset)
        start = local(day, minutes)
        me = _desk(location_id, now)
        data = wire.AppointmentCreate(
            customer_id=customer_id, staff_id=staff_id, start=start, allow_overlap=True,
            lines=[wire.AppointmentLineCreate(service_id=sid,
                                              source=wire.LineSourceCreate(card_id=card) if card else None)
                   for sid, card in lines])
        appt = service.create(s, data=data, me=me, now=min(start - timedelta(days=3), now))
        taken.setdefault((staff_id, day), []).append(
            (minutes, minutes + int((appt.end_at - appt.start_at).total_seconds() // 60)))
        if outcome in ("checked_in", "completed"):
            transitions.check_in(s, appointment_id=appt.id, me=me, now=min(start - timedelta(minutes=5), now))
        if outcome == "completed":
            transitions.complete(s, appointment_id=appt.id, me=me, now=min(appt.end_at, now))
        elif outcome == "cancelled":
            transitions.cancel(s, appointment_id=appt.id, me=me, reason=reason or CANCEL_REASONS[0],
                               now=min(start - timedelta(days=1), now))
        elif outcome == "no_show":
            transitions.no_show(s, appointment_id=appt.id, me=me, now=min(start + timedelta(minutes=20), now))

    for offset, hh, mm, location_id, staff_id, customer_id, lines, outcome in STORY:
        book(offset, hh * 60 + mm, location_id, staff_id, customer_id, lines, outcome)

    for offset in range(FIRST_DAY, LAST_DAY + 1):
        day = today + timedelta(days=offset)
        if day.weekday() == 6:  # closed on Sundays
            continue
        emese = RIVERSIDE if day.toordinal() % 2 == 0 else DOWNTOWN
        for location_id, staff_ids in ROTA.items():
            for staff_id in [*staff_ids, *(["stf_emese"] if emese == location_id else [])]:
                _fill_day(rng, book, taken.get((staff_id, day), []), offset, location_id, staff_id)


#: the seeder's book(offset, minutes, location_id, staff_id, customer_id, lines, outcome, reason)
Book = Callable[[int, int, str, str, str, list[tuple[str, str | None]], str, str | None], None]


def _fill_day(rng: random.Random, book: Book, busy: list[tuple[int, int]], offset: int, location_id: str,
              staff_id: str) -> None:
    minutes = 9 * 60 + rng.choice([0, 0, 15, 30])
    while True:
        service_id, duration = rng.choice(SERVICES[location_id])
        end = minutes + duration
        if end > 18 * 60:
            return
        if any(minutes < b_end and end > b_start for b_start, b_end in busy):
            minutes = max(b_end for b_start, b_end in busy if minutes < b_end and end > b_start)
            continue
        customer_id = f"cus_demo{rng.randrange(10, 300):04d}"
        book(offset, minutes, location_id, staff_id, customer_id, [(service_id, None)],
             _outcome(rng, offset, end), rng.choice(CANCEL_REASONS))
        # Today and tomorrow are nearly full; further ahead the book thins out, as it does.
        minutes = end + rng.choice([0, 15, 15, 30, 60] if offset in (0, 1) else [90, 150, 240])


def _outcome(rng: random.Random, offset: int, end_minutes: int) -> str:
    roll = rng.random()
    if offset < 0 or (offset == 0 and end_minutes <= 12 * 60):
        return "no_show" if roll < 0.05 else "cancelled" if roll < 0.12 else "completed"
    if offset == 0 and end_minutes <= 14 * 60:
        return "cancelled" if roll < 0.1 else "checked_in"
    return "cancelled" if roll < 0.08 else "booked"
