"""Who may call what: every route of ``/openapi.json`` × every kind of caller, one request per cell.

The table below has one row per route. A route without a row fails
:func:`test_every_route_has_a_row`, so a new route cannot be added without deciding who may call
it. Per row: the least role that may call it (``PUBLIC``, ``STAFF``, ``MANAGER``, ``OWNER``) and
whether it names a location-bound object by id (``here=True``: an appointment or a cart, or a
line of one). The callers, and what each must get:

* no token, a made-up token, an expired token, a signed-out token → 401 (unless ``PUBLIC``);
* reception, manager, owner (signed in at Downtown) → 403 below the row's role, otherwise
  *allowed*: a 2xx or a 4xx that is not 401/403 (404 neither, on a ``here`` row: the object is
  Downtown's, so Downtown finds it);
* other location (reception signed in at Riverside) → 403 below the row's role, 404 on a ``here``
  row (another location's object is not found, as its list would not show it), otherwise allowed.

The objects the rows name are made once per engine on a server of the matrix's own (its writes
issue cards, close carts and add services, so they stay out of the shared demo salon).
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from desk_tui.server.auth.models import AuthToken
from desk_tui.server.auth.pins import token_digest
from desk_tui.server.database import utcnow
from desk_tui.server.demo import seed_reference
from tests.support.api_client import PINS
from tests.support.live_server import LiveServer
from tests.support.quick_pins import demo_seeded_quickly

pytestmark = pytest.mark.xdist_group("route_matrix")  # one worker builds its module fixtures: tests/conftest.py

PUBLIC, STAFF, MANAGER, OWNER = "public", "reception", "manager", "owner"
RANK = {STAFF: 0, MANAGER: 1, OWNER: 2}
DOWNTOWN, RIVERSIDE = "loc_downtown", "loc_riverside"
TZ = ZoneInfo("Europe/Budapest")
DAY = date(2009, 3, 14)  # the matrix's bookings are on a day of their own, gone by: one is checked in
CSV = {"Content-Type": "text/csv"}

#: the callers, in the order each row is walked: the ones that must change nothing come first, so
#: a write that leaks through (today's bug) is seen before the allowed callers change the object
ANONYMOUS = ("no token", "bad token", "expired token", "signed-out token")
CALLERS = (*ANONYMOUS, "other location", "reception", "manager", "owner")



def _ahead(days: int) -> str:
    """A day ``days`` from today in the salon's zone (freezes never start in the past)."""
    return (datetime.now(TZ).date() + timedelta(days=days)).isoformat()

@dataclass(frozen=True)
class Row:
    role: str
    here: bool = False
    json: object = None
    params: dict = field(default_factory=dict)
    headers: dict = field(default_factory=dict)
    content: bytes | None = None
    #: placeholder → the fixture's object to put there, when not the object of the same name
    ids: dict = field(default_factory=dict)
    #: the cell signs in anew and uses that token (signing out must not end the callers' tokens)
    fresh_token: bool = False
    #: a never-ending answer (the event stream): only its status is read, then the line is closed
    stream: bool = False


def _at(hour: int) -> str:
    return datetime(DAY.year, DAY.month, DAY.day, hour, tzinfo=TZ).isoformat()


def _rows() -> dict[str, Row]:
    paid = [{"service_id": "svc_manicure"}]
    return {
        "GET /v1/health": Row(PUBLIC),
        "GET /healthz": Row(PUBLIC),  # for load balancers: no token, never a location
        "GET /v1/locations": Row(PUBLIC),
        # Public; a body without a PIN shows it (422, not 401) without eight slow PIN checks.
        "POST /v1/auth/login": Row(PUBLIC, json={"username": "reception"}),
        "POST /v1/auth/logout": Row(STAFF, fresh_token=True),
        "GET /v1/me": Row(STAFF),
        "GET /v1/events": Row(STAFF, stream=True),
        "POST /v1/staff/{staff_id}/unlock": Row(OWNER),
        "GET /v1/settings": Row(STAFF),
        "GET /v1/staff": Row(STAFF),
        "GET /v1/services": Row(STAFF),
        "POST /v1/services": Row(MANAGER, json={"name": "Matrix Trim", "category": "Hair", "duration_min": 30,
                                                "price": 5000, "location_ids": [DOWNTOWN]}),
        "PATCH /v1/services/{service_id}": Row(MANAGER, json={"price": 5500}),
        "GET /v1/products": Row(STAFF),
        "POST /v1/products": Row(MANAGER, json={"name": "Matrix Comb", "price": 900}),
        "PATCH /v1/products/{product_id}": Row(MANAGER, json={"price": 950}),

        "GET /v1/customers": Row(STAFF, params={"q": "Matrix"}),
        "POST /v1/customers": Row(STAFF, json={"name": "Matrix Walk-in"}),
        "GET /v1/customers/{customer_id}": Row(STAFF),
        "GET /v1/customers/{customer_id}/activity": Row(STAFF),
        "GET /v1/customers/{customer_id}/wallet": Row(STAFF),
        # A customer's next appointments at any location: the calendar's "find next" (customers are shared).
        "GET /v1/customers/{customer_id}/appointments": Row(STAFF, params={"from": DAY.isoformat()}),
        "GET /v1/customers/{customer_id}/memberships": Row(STAFF),
        "POST /v1/customers/{customer_id}/memberships": Row(MANAGER, json={"plan_id": "{plan_id}", "reason": "matrix"},
                                                            ids={"customer_id": "customer_to_enrol"}),

        "GET /v1/packages": Row(STAFF),
        "POST /v1/packages": Row(MANAGER, json={"name": "Matrix 3x Facial", "unit_type": "sessions", "price": 30000,
                                                "entitlements": [{"units": 3,
                                                                  "services": [{"service_id": "svc_facial"}]}]}),
        "GET /v1/packages/{package_id}": Row(STAFF),
        "PATCH /v1/packages/{package_id}": Row(MANAGER, json={"description": "changed by the matrix"}),
        "DELETE /v1/packages/{package_id}": Row(STAFF),  # 405 for everyone signed in

        "GET /v1/cards": Row(STAFF, params={"customer_id": "{customer_id}"}),
        "POST /v1/cards": Row(MANAGER, json={"package_id": "{package_id}", "customer_id": "{customer_id}",
                                             "note": "matrix", "reason": "matrix"}),
        "POST /v1/cards/extend": Row(MANAGER, json={"days": 7, "reason": "matrix", "dry_run": True}),
        "POST /v1/cards/expire": Row(MANAGER),
        "GET /v1/cards/{card_id}": Row(STAFF),
        "PATCH /v1/cards/{card_id}": Row(STAFF, json={"number": "{number}"}),
        "GET /v1/cards/{card_id}/transactions": Row(STAFF),
        "POST /v1/cards/{card_id}/redemptions": Row(STAFF, json={"service_id": "svc_manicure"}),
        "POST /v1/cards/{card_id}/transactions/{transaction_id}/undo": Row(MANAGER, json={"reason": "matrix"}),
        "POST /v1/cards/{card_id}/adjustments": Row(MANAGER, json={"units": 1, "reason": "matrix"}),
        "POST /v1/cards/{card_id}/refund": Row(MANAGER, json={"reason": "matrix"}, ids={"card_id": "card_to_refund"}),
        "POST /v1/cards/{card_id}/members": Row(STAFF, json={"customer_id": "{customer_to_enrol}"}),
        "DELETE /v1/cards/{card_id}/members/{customer_id}": Row(STAFF, ids={"customer_id": "customer_to_enrol"}),
        "POST /v1/imports/cards": Row(OWNER, content=b"package_id,customer_id\n", headers=CSV),

        "GET /v1/membership-plans": Row(STAFF),
        "POST /v1/membership-plans": Row(MANAGER, json={"name": "Matrix Club", "price": 9000}),
        "GET /v1/membership-plans/{plan_id}": Row(STAFF),
        "PATCH /v1/membership-plans/{plan_id}": Row(MANAGER, json={"description": "changed by the matrix"}),
        "DELETE /v1/membership-plans/{plan_id}": Row(STAFF),  # 405
        "GET /v1/memberships/{enrollment_id}": Row(STAFF),
        "POST /v1/memberships/{enrollment_id}/cancel": Row(MANAGER, json={"reason": "matrix"}),
        "POST /v1/memberships/{enrollment_id}/freezes": Row(MANAGER, json={
            "starts_on": _ahead(100), "ends_on": _ahead(110), "reason": "matrix"},
            ids={"enrollment_id": "enrollment_to_freeze"}),
        "POST /v1/memberships/{enrollment_id}/freezes/{freeze_id}/end": Row(
            MANAGER, ids={"enrollment_id": "enrollment_to_freeze"}),

        "GET /v1/reports/liability": Row(MANAGER),
        "GET /v1/reports/expiring": Row(MANAGER),
        "GET /v1/reports/memberships-due": Row(MANAGER),
        "GET /v1/reports/given-without-sale": Row(MANAGER),
        "GET /v1/reports/sales": Row(MANAGER),
        "GET /v1/reports/card-transactions.csv": Row(MANAGER),

        "GET /v1/appointments": Row(STAFF, params={"date": DAY.isoformat()}),
        "POST /v1/appointments": Row(STAFF, json={"customer_id": "{customer_id}", "staff_id": "stf_bence",
                                                  "start": _at(16), "lines": paid}),
        "GET /v1/appointments/{appointment_id}": Row(STAFF, here=True),
        "GET /v1/appointments/{appointment_id}/redeemable": Row(STAFF, here=True),
        "PATCH /v1/appointments/{appointment_id}": Row(STAFF, here=True, json={"note": "matrix"},
                                                       headers={"If-Match": "*"}),
        "DELETE /v1/appointments/{appointment_id}": Row(STAFF),  # 405: never deleted, nothing looked up
        "POST /v1/appointments/{appointment_id}/check-in": Row(STAFF, here=True),
        "POST /v1/appointments/{appointment_id}/cancel": Row(STAFF, here=True, json={"reason": "matrix"},
                                                            ids={"appointment_id": "appointment_to_cancel"}),
        "POST /v1/appointments/{appointment_id}/no-show": Row(STAFF, here=True,
                                                             ids={"appointment_id": "appointment_not_shown"}),
        "POST /v1/appointments/{appointment_id}/complete": Row(STAFF, here=True,
                                                              ids={"appointment_id": "appointment_checked_in"}),

        "GET /v1/sales": Row(STAFF, params={"status": "open"}),
        "POST /v1/sales": Row(STAFF, json={"customer_id": "{customer_id}"}),
        "GET /v1/sales/{sale_id}": Row(STAFF, here=True),
        "PATCH /v1/sales/{sale_id}": Row(STAFF, here=True, json={"customer_id": "{customer_id}"}),
        "DELETE /v1/sales/{sale_id}": Row(STAFF),  # 405
        "POST /v1/sales/{sale_id}/lines": Row(STAFF, here=True, json={"product_id": "prd_gift_box"}),
        "PATCH /v1/sales/{sale_id}/lines/{line_id}": Row(STAFF, here=True, json={"discount_percent": 10},
                                                         ids={"line_id": "product_line"}),
        "DELETE /v1/sales/{sale_id}/lines/{line_id}": Row(STAFF, here=True, ids={"line_id": "line_to_remove"}),
        "GET /v1/sales/{sale_id}/benefits": Row(STAFF, here=True),
        "POST /v1/sales/{sale_id}/apply-discounts": Row(STAFF, here=True),
        "POST /v1/sales/{sale_id}/lines/{line_id}/redeem": Row(STAFF, here=True, json={"card_id": "{card_id}"}),
        "POST /v1/sales/{sale_id}/lines/{line_id}/release": Row(STAFF, here=True),
        "POST /v1/sales/{sale_id}/complete": Row(STAFF, here=True, ids={"sale_id": "sale_to_complete"},
                                                 json={"payments": [{"method": "cash", "amount": 1500}]}),
        "POST /v1/sales/{sale_id}/abandon": Row(STAFF, here=True, ids={"sale_id": "sale_to_abandon"},
                                                json={"reason": "matrix"}),
    }


ROWS = _rows()


def expected(row: Row, caller: str) -> str:
    """``401``, ``403``, ``404`` (exactly that status) or ``allowed``."""
    if row.role == PUBLIC:
        return "allowed"
    if caller in ANONYMOUS:
        return "401"
    role = STAFF if caller == "other location" else caller
    if RANK[role] < RANK[row.role]:
        return "403"
    if caller == "other location" and row.here:
        return "404"
    return "allowed"


def meets(expectation: str, row: Row, status: int) -> bool:
    if expectation != "allowed":
        return status == int(expectation)
    refused = {401, 403} | ({404} if row.here else set())
    return (200 <= status < 300 or 400 <= status < 500) and status not in refused


# ---------------------------------------------------------------------------------------------- the salon


class Salon:
    """The matrix's own server, its callers' tokens and the objects the rows name."""

    def __init__(self, server: LiveServer, http: httpx.Client) -> None:
        self.server = server
        with server.database.transaction() as s, demo_seeded_quickly():  # who may call what, not the PIN's cost
            seed_reference(s)
        self.url = server.url
        self.http = http
        self.tokens = {username: self._sign_in(username) for username in ("reception", "manager", "owner")}
        self.tokens["other location"] = self._sign_in("reception", RIVERSIDE)
        self.tokens["bad token"] = secrets.token_urlsafe(32)
        self.tokens["expired token"] = self.minted("reception", expires_in=timedelta(hours=-1))
        signed_out = self.minted("reception")
        assert self._call("POST", "/auth/logout", signed_out).status_code == 204
        self.tokens["signed-out token"] = signed_out
        self.ids: dict[str, str | dict[str, str]] = {}
        self._make_objects()

    def _sign_in(self, username: str, location_id: str = DOWNTOWN) -> str:
        r = self.http.post("/v1/auth/login", json={"username": username, "pin": PINS[username],
                                                   "location_id": location_id})
        assert r.status_code == 200, r.text
        return r.json()["token"]

    def minted(self, username: str, location_id: str = DOWNTOWN, *, expires_in=timedelta(hours=12)) -> str:
        """A token written as the server writes one at sign-in (only its SHA-256 is stored), without
        the PIN check's second of CPU: for an expired token, and for cells that sign out."""
        token, now = secrets.token_urlsafe(32), utcnow()
        with self.server.database.transaction() as s:
            s.add(AuthToken(token_hash=token_digest(token), staff_id=f"stf_{username}", location_id=location_id,
                            created_at=min(now, now + expires_in - timedelta(hours=12)),
                            expires_at=now + expires_in))
        return token

    def _call(self, method: str, path: str, token: str | None, *, stream: bool = False, **kw) -> httpx.Response:
        headers = dict(kw.pop("headers", {}))
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        if stream:
            with self.http.stream(method, f"/v1{path}", headers=headers, **kw) as response:
                if response.status_code >= 400:
                    response.read()  # a refusal is a whole problem+json document
                return response
        return self.http.request(method, f"/v1{path}", headers=headers, **kw)

    def _made(self, method: str, path: str, json: object = None, *, as_: str = "manager") -> dict:
        r = self._call(method, path, self.tokens[as_], json=json)
        assert r.status_code in (200, 201), f"{method} {path}: {r.text}"
        return r.json()

    def _make_objects(self) -> None:
        ids = self.ids
        ids["staff_id"] = "stf_reception"
        ids["customer_id"] = self._made("POST", "/customers", {"name": "Matrix Holder"})["id"]
        ids["customer_to_enrol"] = self._made("POST", "/customers", {"name": "Matrix Member"})["id"]
        ids["number"] = f"M-{uuid.uuid4().hex[:6]}"
        ids["package_id"] = self._made("POST", "/packages", {
            "name": "Matrix 9x Manicure", "unit_type": "sessions", "price": 60000,
            "entitlements": [{"units": 9, "services": [{"service_id": "svc_manicure"}]}]})["id"]
        card = {"package_id": ids["package_id"], "customer_id": ids["customer_id"], "note": "matrix", "reason": "matrix"}
        ids["card_id"] = self._made("POST", "/cards", card)["id"]
        ids["transaction_id"] = self._made("POST", f"/cards/{ids['card_id']}/redemptions",
                                           {"service_id": "svc_manicure"})["transaction"]["id"]
        ids["card_to_refund"] = self._made("POST", "/cards", card)["id"]
        ids["plan_id"] = self._made("POST", "/membership-plans", {"name": "Matrix Plan", "price": 5000})["id"]
        ids["enrollment_id"] = self._made("POST", f"/customers/{ids['customer_id']}/memberships",
                                          {"plan_id": ids["plan_id"], "reason": "matrix"}, as_="owner")["id"]
        # Frozen by the matrix's freeze row; the planned freeze is what its end row calls off.
        frozen_plan = self._made("POST", "/membership-plans", {"name": "Matrix Frozen Plan", "price": 5000})["id"]
        ids["enrollment_to_freeze"] = self._made("POST", f"/customers/{ids['customer_id']}/memberships",
                                                 {"plan_id": frozen_plan, "reason": "matrix"}, as_="owner")["id"]
        ids["freeze_id"] = self._made("POST", f"/memberships/{ids['enrollment_to_freeze']}/freezes", {
            "starts_on": _ahead(300), "ends_on": _ahead(310), "reason": "matrix"})["freezes"][0]["id"]
        ids["service_id"] = self._made("POST", "/services", {"name": "Matrix Service", "category": "Hair",
                                                             "duration_min": 30, "price": 4000,
                                                             "location_ids": [DOWNTOWN]})["id"]
        ids["product_id"] = self._made("POST", "/products", {"name": "Matrix Product", "price": 700})["id"]

        def appointment(hour: int, staff_id: str) -> str:
            return self._made("POST", "/appointments", {
                "customer_id": ids["customer_id"], "staff_id": staff_id, "start": _at(hour),
                "lines": [{"service_id": "svc_manicure"}]}, as_="reception")["id"]

        ids["appointment_id"] = appointment(9, "stf_anna")
        ids["appointment_to_cancel"] = appointment(11, "stf_anna")
        ids["appointment_not_shown"] = appointment(13, "stf_anna")
        ids["appointment_checked_in"] = appointment(9, "stf_csilla")
        self._made("POST", f"/appointments/{ids['appointment_checked_in']}/check-in", as_="reception")

        cart = self._made("POST", "/sales", {"customer_id": ids["customer_id"]}, as_="reception")
        ids["sale_id"] = cart["id"]
        for item in ({"service_id": "svc_manicure"}, {"product_id": "prd_hand_cream"},
                     {"product_id": "prd_cuticle_oil"}, {"product_id": "prd_massage_oil"},
                     {"product_id": "prd_serum"}):
            cart = self._made("POST", f"/sales/{cart['id']}/lines", item, as_="reception")
        ids["line_id"], ids["product_line"], *removable = (x["id"] for x in cart["lines"])
        # Each allowed caller removes a line of its own (a second DELETE of one line is a fair 404).
        ids["line_to_remove"] = dict(zip(("reception", "manager", "owner"), removable, strict=True))
        to_complete = self._made("POST", "/sales", {}, as_="reception")
        self._made("POST", f"/sales/{to_complete['id']}/lines", {"product_id": "prd_gift_box"}, as_="reception")
        ids["sale_to_complete"] = to_complete["id"]
        ids["sale_to_abandon"] = self._made("POST", "/sales", {}, as_="reception")["id"]

    @staticmethod
    def _one(value: str | dict[str, str], caller: str) -> str:
        """An object, or the caller's own one (callers that must change nothing name reception's)."""
        return value if isinstance(value, str) else value.get(caller, value["reception"])

    def _fill(self, value: object, ids: dict[str, str]) -> object:
        if isinstance(value, str):
            return value.format(**ids) if "{" in value else value
        if isinstance(value, dict):
            return {k: self._fill(v, ids) for k, v in value.items()}
        if isinstance(value, list):
            return [self._fill(v, ids) for v in value]
        return value

    def call(self, route: str, row: Row, caller: str) -> httpx.Response:
        method, path = route.split(" ", 1)
        ids = self.ids | {name: self._one(self.ids[source], caller) for name, source in row.ids.items()}
        if caller == "no token":
            token = None
        elif row.fresh_token and caller not in ANONYMOUS:
            token = self.minted("reception", RIVERSIDE) if caller == "other location" else self.minted(caller)
        else:
            token = self.tokens[caller]
        kw: dict = {"headers": dict(row.headers), "params": self._fill(row.params, ids), "stream": row.stream}
        if row.content is not None:
            kw["content"] = row.content
        elif row.json is not None:
            kw["json"] = self._fill(row.json, ids)
        return self._call(method, self._fill(path.removeprefix("/v1"), ids), token, **kw)


@pytest.fixture(scope="module")
def salon(engine, new_db_url):
    """The salon's staff, services and products, and nothing else: the demo's 300 customers and
    their history would take longer to seed than the whole matrix takes to walk."""
    with LiveServer(new_db_url(engine), demo=False) as server, httpx.Client(base_url=server.url, timeout=30) as http:
        yield Salon(server, http)


def test_every_route_has_a_row(salon):
    """A route nobody has decided about fails here: add its row to the table above."""
    paths = salon.http.get("/openapi.json").json()["paths"]
    routes = {f"{method.upper()} {path}" for path, ops in paths.items() for method in ops}
    missing, stale = sorted(routes - ROWS.keys()), sorted(ROWS.keys() - routes)
    assert not missing, f"routes with no row in the matrix (decide who may call them): {missing}"
    assert not stale, f"rows for routes that no longer exist: {stale}"


@pytest.mark.parametrize("route", ROWS)
def test_route_answers_each_caller_as_the_table_says(salon, route):
    row = ROWS[route]
    wrong = []
    for caller in CALLERS:
        r = salon.call(route, row, caller)
        want = expected(row, caller)
        if not meets(want, row, r.status_code):
            wrong.append(f"{caller}: expected {want}, got {r.status_code} {r.text[:200]}")
    assert not wrong, f"{route}\n  " + "\n  ".join(wrong)
