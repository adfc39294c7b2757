"""How many SQL statements the desk's busiest requests send, so the count cannot creep back.

The statements are counted where every one passes (SQLAlchemy's ``before_cursor_execute`` on the
real server's engine) while one request is answered over real HTTP. Each limit is the count the
route reaches today: a change that adds a statement to every wallet or till request fails here
and has to say why. SQLite's own ``BEGIN`` statements are counted too, and it has no advisory
lock or notify, so its limits differ a little.
"""

from __future__ import annotations

import pytest

from desk_tui.server.customers import service
from tests.api.arrange_appointments import at, booked, paid, some_day
from tests.api.arrange_cards import make_package, new_customer, redeemed, sell, tag
from tests.api.arrange_sales import add, completed, opened
from tests.support.api_client import login
from tests.support.counted_statements import counted

#: (PostgreSQL, SQLite) limits per request: the targets, first 15/17, 40/42 and 40/43. SQLite counts
#: its own BEGINs (the sign-in check's read and the route's). What is left of a redemption on
#: PostgreSQL: the sign-in check with the key's lookup, the key's claim, the route's savepoint and
#: its release, the card locked with its pools and names, the service with its offer, the sums,
#: the card's row, the entry, the activity line, the live event (one statement) and the answer.
WALLET = (6, 8)
REDEEM = (12, 14)
COMPLETE = (15, 16)
#: a booking (session 12: 12, 14): the sign-in check, the key's claim, the savepoint, the stylist's lock
#: with the services, the clash check, the appointment with its lines and activity line (three on
#: SQLite), the live event, the savepoint's release and the stored answer
BOOK = (9, 13)
ADD_LINE = (11, 13)
#: a name search where every word is common, found in one round of its walk: the sign-in check, the
#: words' counts and distinct terms, and the round, which starts at the furthest of the words' first
#: customers and brings the page's customers (session 11: six; session 12: four, the walk's first
#: round spent on reaching the second word's customers)
SEARCH = (3, 4)


def limit(api, pair: tuple[int, int]) -> int:
    return pair[1] if api.database.is_sqlite else pair[0]


@pytest.fixture
def desk(api):
    """A receptionist with a customer who holds a card, and the same request made once before
    (the first request of a process fills caches that every later one reuses)."""
    with login(api.url, "reception") as c, login(api.url, "manager") as m:
        customer = new_customer(c)
        card = sell(m, make_package(m, entitlements=[{"units": 20, "services": [{"service_id": "svc_manicure"}]}])["id"],
                    customer["id"])
        redeemed(c, card["id"])
        c.get(f"/customers/{customer['id']}/wallet").raise_for_status()
        # The price as it is now: other tests on the shared database may have changed it.
        warm_up = add(c, opened(c, customer_id=customer["id"])["id"], "prd_gift_box")
        completed(c, warm_up["id"], ("cash", warm_up["total"]))
        yield c, customer, card


def test_the_wallet_is_a_handful_of_statements(api, desk):
    c, customer, _ = desk
    with counted(api) as statements:
        r = c.get(f"/customers/{customer['id']}/wallet")
    assert r.status_code == 200, r.text
    assert statements.count <= limit(api, WALLET), statements.explain()


def test_a_redemption_is_a_handful_of_statements(api, desk):
    c, _, card = desk
    with counted(api) as statements:
        change = redeemed(c, card["id"])
    assert change["transaction"]["kind"] == "redeem"
    assert statements.count <= limit(api, REDEEM), statements.explain()


def test_completing_a_one_line_sale_is_a_handful_of_statements(api, desk):
    c, customer, _ = desk
    sale = add(c, opened(c, customer_id=customer["id"])["id"], "prd_gift_box")
    with counted(api) as statements:
        done = completed(c, sale["id"], ("cash", sale["total"]))
    assert done["status"] == "completed"
    assert statements.count <= limit(api, COMPLETE), statements.explain()


def test_a_new_cart_reads_no_lines_or_payments(api, desk):
    """A cart just opened has none: its answer must not ask the database for them (two SELECTs
    that found nothing on every opened cart)."""
    c, customer, _ = desk
    with counted(api) as statements:
        sale = opened(c, customer_id=customer["id"])
    assert sale["lines"] == [] and sale["payments"] == []
    reads = [x for x in statements.seen if x.lstrip().upper().startswith("SELECT")
             and ("FROM sale_lines" in x or "FROM sale_payments" in x)]
    assert not reads, statements.explain()


def test_booking_a_paid_service_is_a_handful_of_statements(api, desk):
    c, customer, _ = desk
    day = some_day()
    booked(c, customer["id"], at(day, 9), paid())  # this route's first request fills its caches
    with counted(api) as statements:
        appt = booked(c, customer["id"], at(day, 11), paid())
    assert appt["status"] == "booked"
    assert statements.count <= limit(api, BOOK), statements.explain()


def test_adding_a_line_is_a_handful_of_statements(api, desk):
    c, customer, _ = desk
    sale = opened(c, customer_id=customer["id"])
    with counted(api) as statements:
        sale = add(c, sale["id"], "prd_gift_box")
    assert len(sale["lines"]) == 1
    assert statements.count <= limit(api, ADD_LINE), statements.explain()
def test_a_name_search_of_common_words_is_a_handful_of_statements(api, monkeypatch):
    """Every word common (RARE lowered so a handful make it so): the walk's one round starts where
    the second word's first customer is, past the customers with only the first word (it took a
    round of its own to find that out)."""
    monkeypatch.setattr(service, "RARE", 0)
    first, second = f"Pa{tag()}", f"Qb{tag()}"
    with login(api.url, "reception") as c:
        for _ in range(3):
            new_customer(c, f"{first} Aaa")
        both = sorted(new_customer(c, f"{first} {second}")["id"] for _ in range(3))
        q = {"q": f"{first.lower()} {second.lower()}", "limit": 2}
        c.get("/customers", params=q).raise_for_status()
        with counted(api) as statements:
            page = c.get("/customers", params=q).json()
    assert [x["id"] for x in page["items"]] == both[:2] and page["next_cursor"], page
    assert statements.count <= limit(api, SEARCH), statements.explain()
