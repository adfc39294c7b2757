"""The booking API of cards.booking (what appointments call), on both engines, seen over HTTP.

The appointments work owns the HTTP routes; here the functions are called on the live server's
own database inside a write transaction, as a route would, and the result is read back over HTTP.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from desk_tui.server.auth.principal import Principal
from desk_tui.server.cards import booking
from desk_tui.server.database import utcnow
from desk_tui.server.errors import DomainError
from tests.api.arrange_cards import activity, days, history, make_package, pool, sell, tag, today
from tests.support.api_client import assert_problem, key, login

HOT = "svc_hot_stone"  # offered at Downtown only


def _me(location_id: str = "loc_downtown") -> Principal:
    return Principal(staff_id="stf_reception", staff_name="Réka Tóth", role="reception", location_id=location_id,
                     token_hash="test", expires_at=utcnow() + timedelta(hours=1))


def _reserve(api, card_id: str, service_id: str = "svc_manicure", on: date | None = None, **kw):
    with api.database.transaction() as s:
        tx = booking.reserve(s, card_id=card_id, entitlement_id=kw.pop("entitlement_id", None), service_id=service_id,
                             me=kw.pop("me", _me()), appointment_id=kw.pop("appointment_id", f"apt_{tag()}"),
                             appointment_date=on or today() + timedelta(days=3), **kw)
        return tx.id


def _code(fn, *args, **kw) -> str:
    with pytest.raises(DomainError) as err:
        fn(*args, **kw)
    return err.value.code


def test_reserve_release_and_redeem_a_reservation(api):
    with login(api.url, "manager") as m:
        pkg = make_package(m, [{"units": 2, "services": [{"service_id": "svc_manicure"}]}], expiry_days=30,
                           name=f"Duo {tag()}")
        card = sell(m, pkg["id"])
        appointment = f"apt_{tag()}"
        first = _reserve(api, card["id"], appointment_id=appointment, on=today() + timedelta(days=2))
        after = m.get(f"/cards/{card['id']}").json()
        assert (pool(after)["booked"], pool(after)["remaining"], after["status"]) == (1, 1, "active")
        entry = history(m, card["id"])[-1]
        assert (entry["kind"], entry["appointment_id"], entry["units"]) == ("reserve", appointment, 1)
        assert activity(m, card["customer_id"])[0] == (
            f"Booked Manicure on {days(2)} from {pkg['name']} (0 of 2 used, 1 booked)")
        with api.database.read_session() as s:
            assert [t.id for t in booking.open_reservations(s, appointment_id=appointment)] == [first]
            assert booking.counter(s, card_id=card["id"], entitlement_id=pool(card)["entitlement_id"]) == {
                "used": 0, "booked": 1, "total": 2}

        second = _reserve(api, card["id"])
        assert _code(_reserve, api, card["id"]) == "insufficient_units"
        # Booked units are neither refundable nor transferable until the appointments are settled.
        assert_problem(m.post(f"/cards/{card['id']}/refund", json={"reason": "x"}), 409, "invalid_transition")
        other = m.post("/customers", json={"name": f"Other {tag()}"}, headers=key()).json()
        assert_problem(m.patch(f"/cards/{card['id']}", json={"customer_id": other["id"]}), 409, "invalid_transition")

        with api.database.transaction() as s:
            booking.release(s, card_id=card["id"], reservation_id=second, me=_me())
        with api.database.transaction() as s:
            assert _code(booking.release, s, card_id=card["id"], reservation_id=second, me=_me()) == "invalid_transition"
        with api.database.transaction() as s:
            booking.redeem_reservation(s, card_id=card["id"], reservation_id=first, me=_me(), sale_id="sal_x")
        with api.database.transaction() as s:
            assert _code(booking.redeem_reservation, s, card_id=card["id"], reservation_id=first,
                         me=_me()) == "invalid_transition"
            with api.database.read_session() as r:
                assert booking.open_reservations(r, appointment_id=appointment) == []
        after = m.get(f"/cards/{card['id']}").json()
        assert (pool(after)["used"], pool(after)["booked"], pool(after)["remaining"]) == (1, 0, 1)
        assert [t["kind"] for t in history(m, card["id"])] == ["issue", "reserve", "reserve", "release", "redeem"]
        redeem = history(m, card["id"])[-1]
        assert (redeem["ref_id"], redeem["appointment_id"], redeem["sale_id"]) == (first, appointment, "sal_x")


def test_a_fully_booked_card_is_fully_used_only_once_redeemed(api):
    with login(api.url, "manager") as m:
        card = sell(m, make_package(m, [{"units": 1, "services": [{"service_id": "svc_manicure"}]}])["id"])
        reservation = _reserve(api, card["id"])
        assert m.get(f"/cards/{card['id']}").json()["status"] == "active"
        with api.database.transaction() as s:
            booking.redeem_reservation(s, card_id=card["id"], reservation_id=reservation, me=_me())
        assert m.get(f"/cards/{card['id']}").json()["status"] == "fully_used"
        # A no-show redeemed by mistake: the manager undoes the redemption and the card is active again.
        redeem = history(m, card["id"])[-1]
        undone = m.post(f"/cards/{card['id']}/transactions/{redeem['id']}/undo", json={"reason": "Came after all"},
                        headers=key())
        assert undone.status_code == 201 and undone.json()["card"]["status"] == "active"
        assert pool(undone.json()["card"])["booked"] == 0 and pool(undone.json()["card"])["remaining"] == 1
        # The reservation was settled by the redemption: it cannot be undone or released on its own.
        assert_problem(m.post(f"/cards/{card['id']}/transactions/{reservation}/undo", json={"reason": "x"}), 409,
                       "invalid_transition")


def test_undo_of_a_reservation_frees_the_units(api):
    with login(api.url, "manager") as m:
        card = sell(m, make_package(m)["id"])
        reservation = _reserve(api, card["id"])
        r = m.post(f"/cards/{card['id']}/transactions/{reservation}/undo", json={"reason": "Booked by mistake"},
                   headers=key())
        assert r.status_code == 201 and pool(r.json()["card"])["booked"] == 0
        with api.database.transaction() as s:
            assert _code(booking.release, s, card_id=card["id"], reservation_id=reservation, me=_me()) == \
                "invalid_transition"


def test_reservations_follow_the_same_rules_as_quick_redeem(api):
    with login(api.url, "manager") as m:
        pkg = make_package(m, [{"units": 5, "services": [{"service_id": "svc_hot_stone"}]}], expiry_days=10)
        card = sell(m, pkg["id"])
        assert _code(_reserve, api, card["id"], HOT, on=today() + timedelta(days=11)) == "card_expires_before_appointment"
        _reserve(api, card["id"], HOT, on=today() + timedelta(days=10))  # the expiry day itself is fine
        assert _code(_reserve, api, card["id"], HOT, me=_me("loc_riverside")) == "service_not_offered_here"
        _reserve(api, card["id"], HOT, me=_me("loc_riverside"), location_id="loc_downtown")
        assert _code(_reserve, api, card["id"], "svc_manicure") == "service_not_in_package"
        assert _code(_reserve, api, "crd_nope", HOT) == "not_found"
        with api.database.read_session() as s:
            found = booking.covering_cards(s, customer_id=card["customer_id"], service_id="svc_hot_stone",
                                           location_id="loc_downtown", on=today() + timedelta(days=3))
            assert [(x["card_id"], x["remaining"]) for x in found] == [(card["id"], 3)]
            assert found[0]["label"].startswith(pkg["name"])
            assert booking.covering_cards(s, customer_id=card["customer_id"], service_id="svc_hot_stone",
                                          location_id="loc_riverside", on=today()) == []
            assert booking.covering_cards(s, customer_id=card["customer_id"], service_id="svc_hot_stone",
                                          location_id="loc_downtown", on=today() + timedelta(days=30)) == []
        reservation = _reserve(api, card["id"], HOT, on=today() + timedelta(days=1))
        m.patch(f"/cards/{card['id']}", json={"expires_on": days(-1)}, headers=key())
        assert _code(_reserve, api, card["id"], HOT) == "card_expired"
        # Booked while valid: completing it after the card expired still redeems.
        with api.database.transaction() as s:
            booking.redeem_reservation(s, card_id=card["id"], reservation_id=reservation, me=_me())
        assert pool(m.get(f"/cards/{card['id']}").json())["used"] == 1
