"""The demo salon's package catalogue and cards, in every shape and state, for `--demo`.

Written through the same service functions the API uses (with a back-dated clock), so the demo
ledger is exactly what real use would have produced. Ids of templates and cards are fixed; dates
are relative to the day the demo is seeded, so an "active" card is still active on first start.

Templates
  pkg_demo_5x_manicure       5x Manicure               5 sessions: Manicure 1            36 000 HUF, 180 days
  pkg_demo_pamper_360        360-minute Pamper         360 minutes: Manicure 60, Pedicure 60,
                                                       Deep Tissue Massage 120            60 000 HUF, 365 days
  pkg_demo_facials_massages  3 Facials + 2 Massages    [3: Facial] + [2: Deep Tissue, Swedish]  70 000 HUF, 365 days
  pkg_demo_10x_blow_dry      10x Blow-dry (a course)   10 sessions: Blow-dry 1           50 000 HUF, 365 days
  pkg_demo_summer_glow       Summer Glow (inactive)    3 sessions: Express Facial 1      21 000 HUF, 90 days

Cards (Downtown, sold by Réka Tóth unless said otherwise)
  cus_demo0001  crd_demo_0101  5x Manicure #BS-1001, active, 2 of 5 used
                crd_demo_0102  360-minute Pamper, active, Deep Tissue + Manicure = 180 of 360 used
                crd_demo_0103  3 Facials + 2 Massages, active, 1 facial used
  cus_demo0002  crd_demo_0201  10x Blow-dry #BS-1002, nearly used: 9 of 10
                crd_demo_0202  5x Manicure, fully used (5 of 5)
  cus_demo0003  crd_demo_0301  5x Manicure #BS-1003, expired 20 days ago with 2 left (an `expire` entry)
                crd_demo_0302  10x Blow-dry, refunded with 6 left: 30 000 HUF store credit
  cus_demo0004  crd_demo_0401  360-minute Pamper sold at Riverside by Márton Kiss (manager): a wrong
                               redemption undone, +60 minutes goodwill; staff names hidden at Downtown
  cus_demo0005  crd_demo_0501  5x Manicure #BS-1005, 2 of 5 used, expires in 12 days (expiring report)
  cus_demo0006  crd_demo_0601  3 Facials + 2 Massages #BS-1006, transferred from cus_demo0007, 1 massage used;
                               a family card: shared with cus_demo0012, who has had a facial from it
                               (their profile says "Shared by …", the ledger "used by …")
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from desk_tui.contract import cards as wire
from desk_tui.server.auth.principal import Principal
from desk_tui.server.cards import family, lifecycle, service
from desk_tui.server.database import utcnow
from desk_tui.server.packages.models import Package, PackageEntitlement, PackageEntitlementService
from desk_tui.server.reference.calendar import org_zone

#: Hungary's standard VAT rate (27 %, in hundredths of a percent): the demo salon is in Budapest
HU_VAT = 2700

DOWNTOWN, RIVERSIDE = "loc_downtown", "loc_riverside"
#: may use cus_demo0006's crd_demo_0601 (a family card)
FAMILY_MEMBER = "cus_demo0012"

#: id, name, unit type, price, expiry days, description, active, pools [(units, [(service, cost)])]
TEMPLATES = [
    ("pkg_demo_5x_manicure", "5x Manicure", "sessions", 36000, 180, "Five manicures for the price of four and a half.",
     True, [(5, [("svc_manicure", 1)])]),
    ("pkg_demo_pamper_360", "360-minute Pamper", "minutes", 60000, 365,
     "Six hours to spend on any mix of manicures, pedicures and deep tissue massages.",
     True, [(360, [("svc_manicure", 60), ("svc_pedicure", 60), ("svc_deep_tissue", 120)])]),
    ("pkg_demo_facials_massages", "3 Facials + 2 Massages", "sessions", 70000, 365, "A bundle of two courses.",
     True, [(3, [("svc_facial", 1)]), (2, [("svc_deep_tissue", 1), ("svc_swedish", 1)])]),
    ("pkg_demo_10x_blow_dry", "10x Blow-dry", "sessions", 50000, 365, "A blow-dry course.",
     True, [(10, [("svc_blow_dry", 1)])]),
    ("pkg_demo_summer_glow", "Summer Glow", "sessions", 21000, 90, "Last summer's offer; no longer sold.",
     False, [(3, [("svc_express_facial", 1)])]),
]


def _principal(staff_id: str, name: str, role: str, location_id: str, now: datetime) -> Principal:
    return Principal(staff_id=staff_id, staff_name=name, role=role, location_id=location_id,
                     token_hash="demo-seed", expires_at=now)


def seed_packages(s: Session, now: datetime) -> None:
    for pkg_id, name, unit_type, price, days, description, active, pools in TEMPLATES:
        pkg = Package(id=pkg_id, name=name, unit_type=unit_type, price=price, tax_inclusive=True, expiry_days=days,
                      vat_basis_points=HU_VAT,
                      description=description, active=True, created_at=now - timedelta(days=400))
        for position, (units, links) in enumerate(pools):
            ent = PackageEntitlement(id=f"ent_{pkg_id[4:]}_{position}", position=position, units=units)
            ent.services = [PackageEntitlementService(entitlement_id=ent.id, service_id=sid, unit_cost=cost)
                            for sid, cost in links]
            pkg.entitlements.append(ent)
        s.add(pkg)
        s.flush()
        # Inactive templates are sold while active and retired later, like in real life.
        pkg.active = active
    s.flush()


def seed_cards(s: Session) -> None:
    """Seed the catalogue and the cards listed in the module docstring."""
    now = utcnow()
    seed_packages(s, now)
    reception = _principal("stf_reception", "Réka Tóth", "reception", DOWNTOWN, now)
    manager = _principal("stf_manager", "Márton Kiss", "manager", DOWNTOWN, now)
    riverside = _principal("stf_manager", "Márton Kiss", "manager", RIVERSIDE, now)

    zone = org_zone(s)
    today = now.astimezone(zone).date()

    def ago(days: int, hour: int = 10) -> datetime:
        # Days and hours on the salon's clock, like the calendar's demo: counted in UTC, a card
        # seeded between midnight in Budapest and midnight UTC would be a day older than its note.
        day = today - timedelta(days=days)
        return datetime(day.year, day.month, day.day, hour, tzinfo=zone).astimezone(UTC)

    def sell(card_id: str, package_id: str, customer_id: str, days_ago: int, *, number: str | None = None,
             me: Principal = reception, expires_on: date | None = None) -> str:
        data = wire.CardCreate(package_id=package_id, customer_id=customer_id, number=number, expires_on=expires_on,
                               note="Paid at the desk")
        return service.sell(s, data=data, me=me, now=ago(days_ago), card_id=card_id).id

    def use(card_id: str, service_id: str, days_ago: int, me: Principal = reception, quantity: int = 1) -> str:
        return service.redeem(s, card_id=card_id, service_id=service_id, me=me, quantity=quantity,
                              now=ago(days_ago, 15)).id

    # cus_demo0001: three active cards.
    card = sell("crd_demo_0101", "pkg_demo_5x_manicure", "cus_demo0001", 60, number="BS-1001")
    use(card, "svc_manicure", 45)
    use(card, "svc_manicure", 20)
    card = sell("crd_demo_0102", "pkg_demo_pamper_360", "cus_demo0001", 90)
    use(card, "svc_deep_tissue", 70)
    use(card, "svc_manicure", 30)
    card = sell("crd_demo_0103", "pkg_demo_facials_massages", "cus_demo0001", 40)
    use(card, "svc_facial", 10)

    # cus_demo0002: nearly used and fully used.
    card = sell("crd_demo_0201", "pkg_demo_10x_blow_dry", "cus_demo0002", 150, number="BS-1002")
    for week in range(9):
        use(card, "svc_blow_dry", 140 - 14 * week)
    card = sell("crd_demo_0202", "pkg_demo_5x_manicure", "cus_demo0002", 170)
    for n in range(5):
        use(card, "svc_manicure", 160 - 25 * n)

    # cus_demo0003: expired with units left (and its `expire` entry), and a refunded course.
    card = sell("crd_demo_0301", "pkg_demo_5x_manicure", "cus_demo0003", 200, number="BS-1003")
    for n in range(3):
        use(card, "svc_manicure", 190 - 30 * n)
    lifecycle.expire_overdue(s, me=None, now=ago(19, 3))
    card = sell("crd_demo_0302", "pkg_demo_10x_blow_dry", "cus_demo0003", 120)
    for n in range(4):
        use(card, "svc_blow_dry", 110 - 14 * n)
    lifecycle.refund(s, card_id=card, reason="Moving abroad", me=manager, now=ago(10))

    # cus_demo0004: sold at Riverside; a wrong redemption undone; a goodwill adjustment.
    card = sell("crd_demo_0401", "pkg_demo_pamper_360", "cus_demo0004", 80, me=riverside)
    use(card, "svc_pedicure", 60, me=riverside)
    wrong = use(card, "svc_pedicure", 60, me=riverside)
    service.undo(s, card_id=card, transaction_id=wrong, reason="Redeemed twice by mistake", me=riverside,
                 now=ago(59))
    service.adjust(s, card_id=card, entitlement_id=None, units=60, reason="Goodwill: therapist ran late",
                   me=manager, now=ago(30))
    use(card, "svc_manicure", 25)

    # cus_demo0005: expiring soon with units left.
    card = sell("crd_demo_0501", "pkg_demo_5x_manicure", "cus_demo0005", 168, number="BS-1005")
    use(card, "svc_manicure", 100)
    use(card, "svc_manicure", 50)

    # cus_demo0006: received by transfer from cus_demo0007.
    card = sell("crd_demo_0601", "pkg_demo_facials_massages", "cus_demo0007", 100, number="BS-1006")
    lifecycle.update_card(s, card_id=card, data=wire.CardUpdate(customer_id="cus_demo0006", note="A gift"),
                          me=manager, now=ago(50))
    use(card, "svc_swedish", 20)
    # ... and shared with a family member, who has used it once.
    family.add(s, card_id=card, customer_id=FAMILY_MEMBER, me=reception, now=ago(15))
    service.redeem(s, card_id=card, service_id="svc_facial", me=reception, for_customer_id=FAMILY_MEMBER,
                   now=ago(8, 15))
    s.flush()
