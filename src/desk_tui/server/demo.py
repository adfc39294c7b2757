"""The demo salon: what `desk-tui` shows on first start and what tests and benchmarks use.

Seeding is idempotent (it only runs on an empty database) and deterministic (a fixed random
seed), so screenshots and snapshot tests see the same salon every time.
"""

from __future__ import annotations

import random

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk_tui.server.appointments.demo import seed_appointments
from desk_tui.server.auth.pins import hash_pin
from desk_tui.server.cards.demo import HU_VAT, seed_cards
from desk_tui.server.customers.models import Customer
from desk_tui.server.customers.phones import stored_digits
from desk_tui.server.customers.search import normalise
from desk_tui.server.customers.service import index_customer
from desk_tui.server.database import utcnow
from desk_tui.server.events import service as events
from desk_tui.server.memberships.demo import seed_memberships
from desk_tui.server.reference.models import (
    Location,
    OrgSettings,
    Product,
    Service,
    ServiceLocation,
    Staff,
    StaffLocation,
)

DOWNTOWN, RIVERSIDE = "loc_downtown", "loc_riverside"

ACCOUNTS = [  # username, PIN, role, name
    ("reception", "1111", "reception", "Réka Tóth"),
    ("manager", "2222", "manager", "Márton Kiss"),
    ("owner", "3333", "owner", "Olga Nagy"),
]

STYLISTS = [
    ("stf_anna", "Anna Szabó", [DOWNTOWN]),
    ("stf_bence", "Bence Varga", [DOWNTOWN]),
    ("stf_csilla", "Csilla Horváth", [DOWNTOWN]),
    ("stf_dora", "Dóra Molnár", [RIVERSIDE]),
    ("stf_emese", "Emese Farkas", [RIVERSIDE, DOWNTOWN]),
]

#: id, name, category, minutes, price (HUF: 0 decimals), where offered
SERVICES = [
    ("svc_manicure", "Manicure", "Nails", 45, 8000, [DOWNTOWN, RIVERSIDE]),
    ("svc_gel_manicure", "Gel Manicure", "Nails", 60, 11000, [DOWNTOWN, RIVERSIDE]),
    ("svc_pedicure", "Pedicure", "Nails", 50, 9500, [DOWNTOWN, RIVERSIDE]),
    ("svc_deep_tissue", "Deep Tissue Massage", "Massage", 60, 16000, [DOWNTOWN, RIVERSIDE]),
    ("svc_swedish", "Swedish Massage", "Massage", 60, 14000, [DOWNTOWN, RIVERSIDE]),
    ("svc_hot_stone", "Hot Stone Massage", "Massage", 90, 21000, [DOWNTOWN]),
    ("svc_facial", "Facial", "Skin", 60, 15000, [DOWNTOWN, RIVERSIDE]),
    ("svc_express_facial", "Express Facial", "Skin", 30, 8000, [RIVERSIDE]),
    ("svc_haircut", "Haircut", "Hair", 45, 9000, [DOWNTOWN, RIVERSIDE]),
    ("svc_blow_dry", "Blow-dry", "Hair", 30, 6000, [DOWNTOWN, RIVERSIDE]),
]

PRODUCTS = [
    ("prd_cuticle_oil", "Cuticle Oil 15 ml", 3500),
    ("prd_hand_cream", "Hand Cream 75 ml", 4200),
    ("prd_massage_oil", "Massage Oil 100 ml", 6900),
    ("prd_serum", "Hydrating Serum 30 ml", 12900),
    ("prd_gift_box", "Gift Box", 1500),
]

FIRST = ["Anikó", "Beáta", "Cecília", "Dalma", "Edit", "Flóra", "Gabriella", "Hajnalka", "Ildikó", "Judit",
         "Katalin", "Lilla", "Mária", "Nóra", "Orsolya", "Petra", "Rita", "Szilvia", "Tímea", "Veronika",
         "Zsófia", "Ádám", "Balázs", "Dániel", "Gergő", "László", "Péter", "Tamás", "Zoltán", "Eszter"]
LAST = ["Nagy", "Kovács", "Tóth", "Szabó", "Horváth", "Varga", "Kiss", "Molnár", "Németh", "Farkas", "Balogh",
        "Papp", "Takács", "Juhász", "Lakatos", "Mészáros", "Oláh", "Simon", "Rácz", "Fekete"]

CUSTOMER_COUNT = 300


def is_seeded(s: Session) -> bool:
    return s.scalar(select(OrgSettings.id)) is not None


def seed_demo(s: Session) -> bool:
    """Seed the demo salon into an empty database; returns False when it was already there."""
    if is_seeded(s):
        return False
    events.quiet(s)  # nobody is watching a salon that does not exist yet
    rng = random.Random(20261123)
    seed_reference(s)
    _seed_customers(s, rng)
    seed_cards(s)
    seed_memberships(s)
    seed_appointments(s)
    return True


def seed_reference(s: Session) -> None:
    """The salon without customers or history: settings, locations, accounts, stylists, services
    and products (what a test that makes all its own records starts from)."""
    s.add(OrgSettings(id=1, business_name="Bella Salon & Spa", currency="HUF", currency_decimals=0,
                      timezone="Europe/Budapest", phone_region="HU", prices_include_tax=True,
                      vat_basis_points=HU_VAT))
    s.add_all([
        Location(id=DOWNTOWN, name="Downtown", address="Váci utca 12, Budapest"),
        Location(id=RIVERSIDE, name="Riverside", address="Szent István park 3, Budapest"),
    ])
    s.flush()
    for username, pin, role, name in ACCOUNTS:
        staff = Staff(id=f"stf_{username}", name=name, username=username, pin_hash=hash_pin(pin), role=role,
                      bookable=False, active=True)
        staff.locations = [StaffLocation(location_id=DOWNTOWN), StaffLocation(location_id=RIVERSIDE)]
        s.add(staff)
    for staff_id, name, locations in STYLISTS:
        staff = Staff(id=staff_id, name=name, username=None, pin_hash=None, role="reception", bookable=True,
                      active=True)
        staff.locations = [StaffLocation(location_id=x) for x in locations]
        s.add(staff)
    for service_id, name, category, minutes, price, locations in SERVICES:
        svc = Service(id=service_id, name=name, category=category, duration_min=minutes, price=price, active=True,
                      vat_basis_points=HU_VAT, tax_inclusive=True)
        svc.locations = [ServiceLocation(location_id=x) for x in locations]
        s.add(svc)
    s.add_all(Product(id=pid, name=name, price=price, active=True, vat_basis_points=HU_VAT, tax_inclusive=True)
              for pid, name, price in PRODUCTS)
    s.flush()


def _seed_customers(s: Session, rng: random.Random) -> None:
    now = utcnow()
    for n in range(CUSTOMER_COUNT):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        name = f"{first} {last}"
        phone = f"+36 {rng.choice(['20', '30', '70'])} {rng.randint(100, 999)} {rng.randint(1000, 9999)}"
        email = f"{normalise(first)}.{normalise(last)}{n}@example.hu"
        c = Customer(id=f"cus_demo{n:04d}", name=name, sort_name=normalise(name), phone=phone,
                     phone_digits=stored_digits(phone, region="HU"), email=email, store_credit=0, created_at=now)
        s.add(c)
        s.flush()
        index_customer(s, c, region="HU")
