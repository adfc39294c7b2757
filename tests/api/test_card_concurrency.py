"""Two terminals racing for the last unit: exactly one wins, on SQLite and on PostgreSQL."""

from __future__ import annotations

from tests.api.arrange_cards import history, make_package, pool, redeemed, sell
from tests.api.arrange_races import race
from tests.support.api_client import login

RACERS = 20


def test_twenty_terminals_racing_for_the_last_unit(api):
    with login(api.url, "reception") as c, login(api.url, "manager") as m:
        card = sell(c, make_package(m, [{"units": 3, "services": [{"service_id": "svc_manicure"}]}])["id"])
        redeemed(c, card["id"], quantity=2)
        results = race(api.url, c.headers["Authorization"], f"/cards/{card['id']}/redemptions",
                       [{"service_id": "svc_manicure"}] * RACERS)
        codes = sorted((r.status_code, r.json().get("code")) for r in results)
        assert codes == [(201, None)] + [(409, "insufficient_units")] * (RACERS - 1), codes
        after = c.get(f"/cards/{card['id']}").json()
        assert after["status"] == "fully_used" and pool(after)["used"] == 3 and pool(after)["remaining"] == 0
        assert [t["kind"] for t in history(c, card["id"])] == ["issue", "redeem", "redeem"]


def test_racing_undos_of_one_redemption_apply_once(api):
    with login(api.url, "manager") as m:
        card = sell(m, make_package(m)["id"])
        tx = redeemed(m, card["id"])["transaction"]
        results = race(api.url, m.headers["Authorization"], f"/cards/{card['id']}/transactions/{tx['id']}/undo",
                       [{"reason": f"race {n}"} for n in range(8)])
        codes = sorted((r.status_code, r.json().get("code")) for r in results)
        assert codes == [(201, None)] + [(409, "already_undone")] * 7, codes
        assert pool(m.get(f"/cards/{card['id']}").json())["used"] == 0


def test_mixed_writers_never_overdraw_a_pool(api):
    """Redemptions of different sizes and a negative adjustment at once: the pool never goes below zero."""
    with login(api.url, "manager") as m:
        card = sell(m, make_package(m, [{"units": 10, "services": [{"service_id": "svc_manicure"}]}])["id"])
        bodies = [{"service_id": "svc_manicure", "quantity": q} for q in (1, 2, 3, 4, 1, 2, 3, 4)]
        results = race(api.url, m.headers["Authorization"], f"/cards/{card['id']}/redemptions", bodies)
        won = sum(b["quantity"] for b, r in zip(bodies, results, strict=True) if r.status_code == 201)
        assert all(r.status_code in (201, 409) for r in results)
        assert all(r.json()["code"] == "insufficient_units" for r in results if r.status_code == 409)
        after = pool(m.get(f"/cards/{card['id']}").json())
        assert after["used"] == won <= 10 and after["remaining"] == 10 - won >= 0
