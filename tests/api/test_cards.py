"""Cards over real HTTP: selling, quick redeem and its refusals, undo, adjust, edits, refunds,
closures, history, search, the wallet and the activity log."""

from __future__ import annotations

from tests.api.arrange_cards import (
    FACIALS_AND_MASSAGES,
    PAMPER_360,
    activity,
    days,
    history,
    make_package,
    new_customer,
    pool,
    redeem,
    redeemed,
    sell,
    tag,
    today,
)
from tests.support.api_client import assert_problem, key, login


def test_selling_a_card_fills_in_the_defaults(api):
    with login(api.url, "reception") as r, login(api.url, "manager") as m:
        pkg = make_package(m, expiry_days=90, price=36000, name=f"5x Manicure {tag()}")
        customer = new_customer(r)
        card = sell(m, pkg["id"], customer["id"])
        assert card["status"] == "active" and card["number"] is None
        assert card["expires_on"] == days(90) and card["price_paid"] == 36000 and card["refund_value"] == 36000
        assert card["package_name"] == pkg["name"] and card["customer_name"] == customer["name"]
        assert card["issued_by"] == "Márton Kiss" and card["issued_by_id"] == "stf_manager"
        assert card["issued_location_id"] == "loc_downtown" and card["last_used_at"] is None
        assert pool(card) | {"entitlement_id": None} == {
            "entitlement_id": None, "initial": 5, "adjustments": 0, "used": 0, "booked": 0, "remaining": 5,
            "total": 5, "services": [{"service_id": "svc_manicure", "service_name": "Manicure", "unit_cost": 1,
                                      "available": 5}]}
        [issue] = history(r, card["id"])
        assert issue["kind"] == "issue" and issue["units"] == 5 and issue["amount"] == 36000
        assert issue["note"] == "Paid cash" and issue["staff_name"] == "Márton Kiss"
        custom = sell(m, pkg["id"], customer["id"], number=f"N-{tag()}", expires_on=days(400), price_paid=30000)
        assert custom["expires_on"] == days(400) and custom["price_paid"] == 30000
        never = sell(m, make_package(m, expiry_days=None)["id"], customer["id"])
        assert never["expires_on"] is None
        assert activity(r, customer["id"])[-2] == (
            f"Given {pkg['name']} without a sale by Márton Kiss (price on record 36 000 HUF, valid until {days(90)}): "
            "test set-up")


def test_card_numbers_are_optional_unique_and_searchable(api):
    number = f"BS-{tag()}".upper()
    with login(api.url, "reception") as c, login(api.url, "manager") as m:
        pkg = make_package(m)
        owner = new_customer(c, f"Numbered {tag()}")
        card = sell(c, pkg["id"], owner["id"], number=number)
        r = m.post("/cards", json={"package_id": pkg["id"], "customer_id": owner["id"], "number": number.lower(),
                                   "note": "x", "reason": "x"})
        assert_problem(r, 409, "duplicate")
        assert [x["id"] for x in c.get("/cards", params={"q": number.lower()}).json()["items"]] == [card["id"]]
        assert owner["id"] in [x["id"] for x in c.get("/customers", params={"q": number}).json()["items"]]
        other = sell(c, pkg["id"], owner["id"])
        assert_problem(c.patch(f"/cards/{other['id']}", json={"number": number}), 409, "duplicate")
        renamed = c.patch(f"/cards/{card['id']}", json={"number": number + "-B"}, headers=key()).json()
        assert renamed["number"] == number + "-B"
        assert c.patch(f"/cards/{other['id']}", json={"number": number}, headers=key()).json()["number"] == number


def test_sale_validation(api):
    with login(api.url, "reception") as c, login(api.url, "manager") as m:
        pkg = make_package(m)
        owner = new_customer(c)
        base = {"package_id": pkg["id"], "customer_id": owner["id"], "note": "x", "reason": "x"}
        for body in ({**base, "package_id": "pkg_nope"}, {**base, "customer_id": "cus_nope"},
                     {k: v for k, v in base.items() if k != "note"}, {**base, "note": ""},
                     {**base, "expires_on": days(-1)}, {**base, "expires_on": "31/12/2030"},
                     {**base, "expires_on": "9999-12-31"}, {**base, "price_paid": -5}, {**base, "number": "x" * 41},
                     {**base, "colour": "red"}):
            assert_problem(m.post("/cards", json=body), 422, "validation_error")
        assert_problem(c.get("/cards/crd_nope"), 404, "not_found")
        assert_problem(c.get("/cards/crd_nope/transactions"), 404, "not_found")
        assert_problem(redeem(c, "crd_nope"), 404, "not_found")


def test_quick_redeem_counts_down_to_fully_used(api):
    with login(api.url, "reception") as c, login(api.url, "manager") as m:
        pkg = make_package(m, name=f"5x Manicure {tag()}")
        card = sell(c, pkg["id"])
        cart = c.post("/sales", json={"customer_id": card["customer_id"]}, headers=key()).json()
        change = redeemed(c, card["id"], note="Walk-in", sale_id=cart["id"])
        tx = change["transaction"]
        assert tx["kind"] == "redeem" and tx["units"] == 1 and tx["service_name"] == "Manicure"
        assert tx["note"] == "Walk-in" and tx["sale_id"] == cart["id"] and tx["staff_name"] == "Réka Tóth"
        assert pool(change["card"])["used"] == 1 and pool(change["card"])["remaining"] == 4
        assert change["card"]["last_used_at"] is not None
        assert activity(c, card["customer_id"])[0] == f"Redeemed Manicure from {pkg['name']} (1 of 5 used)"
        two = redeemed(c, card["id"], quantity=2)
        assert two["transaction"]["units"] == 2 and pool(two["card"])["remaining"] == 2
        assert activity(c, card["customer_id"])[0] == f"Redeemed 2× Manicure from {pkg['name']} (3 of 5 used)"
        assert_problem(redeem(c, card["id"], quantity=3), 409, "insufficient_units")
        done = redeemed(c, card["id"], quantity=2)["card"]
        assert done["status"] == "fully_used" and pool(done)["remaining"] == 0
        body = assert_problem(redeem(c, card["id"]), 409, "insufficient_units")
        assert "fully used" in body["detail"]
        for bad in ({"quantity": 0}, {"quantity": 101}, {"service_id": ""}, {"extra": 1}):
            assert_problem(c.post(f"/cards/{card['id']}/redemptions", json={"service_id": "svc_manicure"} | bad),
                           422, "validation_error")


def test_a_minutes_pool_lets_the_client_pick_any_combination(api):
    with login(api.url, "reception") as c, login(api.url, "manager") as m:
        pkg = make_package(m, PAMPER_360, unit_type="minutes", name=f"Pamper {tag()}")
        card = sell(c, pkg["id"])
        available = {x["service_id"]: x["available"] for x in pool(card)["services"]}
        assert available == {"svc_manicure": 6, "svc_pedicure": 6, "svc_deep_tissue": 3}
        after = redeemed(c, card["id"], "svc_deep_tissue")["card"]
        assert pool(after)["used"] == 120 and pool(after)["remaining"] == 240
        assert {x["service_id"]: x["available"] for x in pool(after)["services"]}["svc_deep_tissue"] == 2
        assert activity(c, card["customer_id"])[0] == (
            f"Redeemed Deep Tissue Massage from {pkg['name']} (120 of 360 minutes used)")
        redeemed(c, card["id"], "svc_manicure", quantity=2)
        redeemed(c, card["id"], "svc_pedicure")
        assert_problem(redeem(c, card["id"], "svc_deep_tissue"), 409, "insufficient_units")
        last = redeemed(c, card["id"], "svc_pedicure")["card"]
        assert last["status"] == "fully_used"


def test_a_bundle_draws_each_service_from_its_own_pool(api):
    with login(api.url, "reception") as c, login(api.url, "manager") as m:
        pkg = make_package(m, FACIALS_AND_MASSAGES)
        card = sell(c, pkg["id"])
        facials, massages = card["balances"]
        redeemed(c, card["id"], "svc_facial")
        after = redeemed(c, card["id"], "svc_swedish")["card"]
        assert [(b["entitlement_id"], b["used"]) for b in after["balances"]] == [
            (facials["entitlement_id"], 1), (massages["entitlement_id"], 1)]
        assert_problem(redeem(c, card["id"], "svc_manicure"), 409, "service_not_in_package")
        assert_problem(redeem(c, card["id"], "svc_nope"), 409, "service_not_in_package")
        assert_problem(redeem(c, card["id"], "svc_facial", entitlement_id=massages["entitlement_id"]), 409,
                       "service_not_in_package")
        redeemed(c, card["id"], "svc_deep_tissue")
        assert_problem(redeem(c, card["id"], "svc_swedish"), 409, "insufficient_units")
        assert c.get(f"/cards/{card['id']}").json()["status"] == "active"


def test_a_service_is_redeemed_only_where_it_is_offered(api):
    with login(api.url, "manager") as m:
        pkg = make_package(m, [{"units": 4, "services": [{"service_id": "svc_hot_stone"},
                                                         {"service_id": "svc_express_facial"}]}])
        card = sell(m, pkg["id"])
        redeemed(m, card["id"], "svc_hot_stone")
        assert_problem(redeem(m, card["id"], "svc_express_facial"), 409, "service_not_offered_here")
    with login(api.url, "reception", location_id="loc_riverside") as r:
        assert_problem(redeem(r, card["id"], "svc_hot_stone"), 409, "service_not_offered_here")
        redeemed(r, card["id"], "svc_express_facial")
        assert pool(r.get(f"/cards/{card['id']}").json())["used"] == 2


def test_an_expired_card_cannot_be_redeemed_until_extended(api):
    with login(api.url, "reception") as c, login(api.url, "manager") as m:
        card = sell(c, make_package(m)["id"])
        redeemed(c, card["id"])
        assert_problem(c.patch(f"/cards/{card['id']}", json={"expires_on": days(-1)}), 403, "forbidden_role")
        expired = m.patch(f"/cards/{card['id']}", json={"expires_on": days(-1), "note": "Stop it"}, headers=key()).json()
        assert expired["status"] == "expired"
        assert_problem(redeem(c, card["id"]), 409, "card_expired")
        ids = [x["id"] for x in c.get("/cards", params={"status": "expired", "customer_id": card["customer_id"]})
               .json()["items"]]
        assert ids == [card["id"]]
        assert c.get("/cards", params={"status": "active", "customer_id": card["customer_id"]}).json()["items"] == []
        assert c.get(f"/customers/{card['customer_id']}/wallet").json()["cards"] == []
        # Expired on its last day? No: a card is usable through its expiry date (business time zone).
        m.patch(f"/cards/{card['id']}", json={"expires_on": today().isoformat()}, headers=key())
        assert redeemed(c, card["id"])["card"]["status"] == "active"
        extend = [t for t in history(m, card["id"]) if t["kind"] == "extend"]
        assert [(t["old_value"], t["new_value"]) for t in extend] == [
            (card["expires_on"], days(-1)), (days(-1), today().isoformat())]
        assert extend[0]["note"] == "Stop it"


def test_undo_is_for_managers_once_and_reactivates_a_fully_used_card(api):
    with login(api.url, "reception") as c, login(api.url, "manager") as m:
        pkg = make_package(m, [{"units": 2, "services": [{"service_id": "svc_manicure"}]}], name=f"Duo {tag()}")
        card = sell(c, pkg["id"])
        first = redeemed(c, card["id"])["transaction"]
        done = redeemed(c, card["id"])["card"]
        assert done["status"] == "fully_used"
        url = f"/cards/{card['id']}/transactions/{first['id']}/undo"
        assert_problem(c.post(url, json={"reason": "Oops"}), 403, "forbidden_role")
        assert_problem(m.post(url, json={}), 422, "validation_error")
        assert_problem(m.post(url, json={"reason": ""}), 422, "validation_error")
        r = m.post(url, json={"reason": "Redeemed twice"}, headers=key())
        assert r.status_code == 201, r.text
        undo = r.json()["transaction"]
        assert undo["kind"] == "undo" and undo["ref_id"] == first["id"] and undo["note"] == "Redeemed twice"
        assert r.json()["card"]["status"] == "active" and pool(r.json()["card"])["remaining"] == 1
        assert_problem(m.post(url, json={"reason": "Again"}), 409, "already_undone")
        entries = {t["id"]: t for t in history(m, card["id"])}
        assert entries[first["id"]]["undone_by"] == undo["id"]
        assert [t["kind"] for t in entries.values()] == ["issue", "redeem", "redeem", "undo"]
        issue = next(t for t in entries.values() if t["kind"] == "issue")
        assert_problem(m.post(f"/cards/{card['id']}/transactions/{issue['id']}/undo", json={"reason": "x"}), 409,
                       "invalid_transition")
        assert_problem(m.post(f"/cards/{card['id']}/transactions/ctx_nope/undo", json={"reason": "x"}), 404,
                       "not_found")
        other = sell(c, pkg["id"])
        assert_problem(m.post(f"/cards/{other['id']}/transactions/{first['id']}/undo", json={"reason": "x"}), 404,
                       "not_found")
        assert activity(c, card["customer_id"])[0] == f"Undid redemption of Manicure from {pkg['name']}: Redeemed twice (1 of 2 used)"


def test_adjustments_add_or_take_units_with_a_reason(api):
    with login(api.url, "reception") as c, login(api.url, "manager") as m:
        card = sell(c, make_package(m)["id"])
        url = f"/cards/{card['id']}/adjustments"
        assert_problem(c.post(url, json={"units": 1, "reason": "x"}), 403, "forbidden_role")
        assert_problem(m.post(url, json={"units": 1}), 422, "validation_error")
        assert_problem(m.post(url, json={"units": 0, "reason": "x"}), 422, "validation_error")
        plus = m.post(url, json={"units": 2, "reason": "Goodwill"}, headers=key())
        assert plus.status_code == 201, plus.text
        b = pool(plus.json()["card"])
        assert (b["initial"], b["adjustments"], b["remaining"], b["total"]) == (5, 2, 7, 7)
        assert_problem(m.post(url, json={"units": -8, "reason": "x"}), 409, "insufficient_units")
        zero = m.post(url, json={"entitlement_id": b["entitlement_id"], "units": -7, "reason": "Sold in error"},
                      headers=key()).json()["card"]
        assert zero["status"] == "fully_used"
        assert m.post(url, json={"units": 1, "reason": "Back"}, headers=key()).json()["card"]["status"] == "active"
        assert_problem(m.post(url, json={"entitlement_id": "cen_nope", "units": 1, "reason": "x"}), 422,
                       "validation_error")
        bundle = sell(c, make_package(m, FACIALS_AND_MASSAGES)["id"])
        assert_problem(m.post(f"/cards/{bundle['id']}/adjustments", json={"units": 1, "reason": "x"}), 422,
                       "validation_error")
        assert "Adjusted" in activity(c, card["customer_id"])[0]


def test_transfer_keeps_the_old_owner_traceable(api):
    with login(api.url, "reception") as c, login(api.url, "manager") as m:
        number = f"TR-{tag()}"
        old, new = new_customer(c, f"Giver {tag()}"), new_customer(c, f"Taker {tag()}")
        card = sell(c, make_package(m)["id"], old["id"], number=number)
        redeemed(c, card["id"])
        assert_problem(c.patch(f"/cards/{card['id']}", json={"customer_id": new["id"]}), 403, "forbidden_role")
        assert_problem(m.patch(f"/cards/{card['id']}", json={"customer_id": "cus_nope"}), 422, "validation_error")
        assert_problem(m.patch(f"/cards/{card['id']}", json={"customer_id": None}), 422, "validation_error")
        moved = m.patch(f"/cards/{card['id']}", json={"customer_id": new["id"], "note": "A gift"}, headers=key()).json()
        assert moved["customer_id"] == new["id"] and moved["customer_name"] == new["name"]
        assert pool(moved)["used"] == 1
        entries = history(m, card["id"])
        assert [t["kind"] for t in entries] == ["issue", "redeem", "transfer"]
        assert [t["customer_id"] for t in entries] == [old["id"], old["id"], new["id"]]
        assert (entries[2]["old_value"], entries[2]["new_value"], entries[2]["note"]) == (old["id"], new["id"], "A gift")
        assert (entries[2]["old_owner"], entries[2]["new_owner"]) == (old["name"], new["name"])  # words, not ids
        assert entries[1]["old_owner"] is None and entries[1]["appointment_label"] is None
        assert [x["id"] for x in c.get(f"/customers/{new['id']}/wallet").json()["cards"]] == [card["id"]]
        assert c.get(f"/customers/{old['id']}/wallet").json()["cards"] == []
        found = [x["id"] for x in c.get("/customers", params={"q": number}).json()["items"]]
        assert new["id"] in found and old["id"] not in found
        assert activity(c, old["id"])[0] == f"Gave {card['package_name']} to {new['name']}"
        assert activity(c, new["id"])[0] == f"Received {card['package_name']} from {old['name']}"


def test_refund_to_store_credit(api):
    with login(api.url, "reception") as c, login(api.url, "manager") as m:
        pkg = make_package(m, [{"units": 3, "services": [{"service_id": "svc_manicure"}]}], price=10000)
        customer = new_customer(c)
        card = sell(c, pkg["id"], customer["id"])
        card = redeemed(c, card["id"])["card"]
        assert card["refund_value"] == 6666  # 10 000 × 2 ÷ 3, rounded down
        url = f"/cards/{card['id']}/refund"
        assert_problem(c.post(url, json={"reason": "x"}), 403, "forbidden_role")
        assert_problem(m.post(url, json={}), 422, "validation_error")
        r = m.post(url, json={"reason": "Moving away"}, headers=key())
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "refunded" and r.json()["refund_value"] == 0
        assert c.get(f"/customers/{customer['id']}").json()["store_credit"] == 6666
        assert c.get(f"/customers/{customer['id']}/wallet").json() == {"cards": [], "memberships": [],
                                                                       "store_credit": 6666, "shared_cards": []}
        refund = history(m, card["id"])[-1]
        assert (refund["kind"], refund["units"], refund["amount"], refund["note"]) == ("refund", 2, 6666, "Moving away")
        assert_problem(m.post(url, json={"reason": "again"}), 409, "card_not_active")
        assert_problem(redeem(c, card["id"]), 409, "card_not_active")
        assert_problem(m.post(f"/cards/{card['id']}/adjustments", json={"units": 1, "reason": "x"}), 409,
                       "card_not_active")
        assert_problem(m.patch(f"/cards/{card['id']}", json={"expires_on": days(30)}), 409, "card_not_active")
        assert c.get("/cards", params={"status": "refunded", "customer_id": customer["id"]}).json()["items"][0]["id"] \
            == card["id"]
        assert activity(c, customer["id"])[0].startswith(f"Refunded {pkg['name']}: 6 666 HUF to store credit")
        used_up = sell(c, pkg["id"], customer["id"])
        redeemed(c, used_up["id"], quantity=3)
        assert_problem(m.post(f"/cards/{used_up['id']}/refund", json={"reason": "x"}), 409, "invalid_transition")


def test_refund_of_a_bundle_shares_the_price_between_its_pools(api):
    with login(api.url, "manager") as m:
        # Facials list at 15 000 and the massages at 16 000 / 14 000: the pools are worth 45 000 and 30 000.
        card = sell(m, make_package(m, FACIALS_AND_MASSAGES, price=60000)["id"])
        assert card["refund_value"] == 60000
        redeemed(m, card["id"], "svc_facial")
        card = redeemed(m, card["id"], "svc_swedish")["card"]
        assert card["refund_value"] == 60000 * 45 // 75 * 2 // 3 + 60000 * 30 // 75 // 2
        expired = m.patch(f"/cards/{card['id']}", json={"expires_on": days(-3)}, headers=key()).json()
        assert expired["status"] == "expired" and expired["refund_value"] == card["refund_value"]
        refunded = m.post(f"/cards/{card['id']}/refund", json={"reason": "Expired: act of grace"}, headers=key())
        assert refunded.status_code == 200 and refunded.json()["status"] == "refunded"


def test_staff_names_from_another_location_are_not_shown(api):
    with login(api.url, "manager", location_id="loc_riverside") as river, login(api.url, "manager") as down:
        card = sell(river, make_package(down)["id"])
        redeemed(river, card["id"])
        redeemed(down, card["id"])
        at_downtown = history(down, card["id"])
        assert [(t["staff_name"], t["location_id"]) for t in at_downtown] == [
            (None, "loc_riverside"), (None, "loc_riverside"), ("Márton Kiss", "loc_downtown")]
        assert all(t["staff_id"] == "stf_manager" for t in at_downtown)
        listed = down.get("/cards", params={"customer_id": card["customer_id"]}).json()["items"][0]
        assert listed["issued_by"] is None and listed["issued_location_id"] == "loc_riverside"
        assert river.get(f"/cards/{card['id']}").json()["issued_by"] == "Márton Kiss"
        assert history(river, card["id"])[2]["staff_name"] is None


def test_cards_list_filters_search_and_pages(api):
    surname = f"Listable{tag()}"
    with login(api.url, "reception") as c, login(api.url, "manager") as m:
        pkg = make_package(m)
        owner = new_customer(c, f"Ilona {surname}")
        cards = [sell(c, pkg["id"], owner["id"]) for _ in range(5)]
        redeemed(c, cards[0]["id"], quantity=5)
        seen, cursor = [], None
        while True:
            page = c.get("/cards", params={"customer_id": owner["id"], "limit": 2} | (
                {"cursor": cursor} if cursor else {})).json()
            seen += [x["id"] for x in page["items"]]
            if not (cursor := page["next_cursor"]):
                break
        assert seen == [x["id"] for x in reversed(cards)]  # newest first
        by_name = [x["id"] for x in c.get("/cards", params={"q": surname.lower()[:-2], "limit": 500}).json()["items"]]
        assert sorted(by_name) == sorted(x["id"] for x in cards)
        assert [x["id"] for x in c.get("/cards", params={"q": f"ilona {surname}"}).json()["items"]] == seen
        assert c.get("/cards", params={"q": f"nobody{tag()}"}).json()["items"] == []
        assert [x["id"] for x in c.get("/cards", params={"customer_id": owner["id"], "status": "fully_used"})
                .json()["items"]] == [cards[0]["id"]]
        assert len(c.get("/cards", params={"customer_id": owner["id"], "status": "active"}).json()["items"]) == 4
        assert len(c.get("/cards", params={"package_id": pkg["id"]}).json()["items"]) == 5
        for params in ({"status": "lost"}, {"limit": 0}, {"cursor": "junk!"}, {"q": "x" * 201}):
            assert_problem(c.get("/cards", params=params), 422, "validation_error")
        assert c.get("/cards", params={"q": "%_\\"}).status_code == 200


def test_wallet_lists_active_cards_and_store_credit(api):
    with login(api.url, "reception") as c, login(api.url, "manager") as m:
        owner = new_customer(c)
        live = sell(c, make_package(m)["id"], owner["id"])
        used = sell(c, make_package(m, [{"units": 1, "services": [{"service_id": "svc_manicure"}]}])["id"], owner["id"])
        redeemed(c, used["id"])
        wallet = c.get(f"/customers/{owner['id']}/wallet").json()
        assert [x["id"] for x in wallet["cards"]] == [live["id"]]
        assert wallet["memberships"] == [] and wallet["store_credit"] == 0
        assert_problem(c.get("/customers/cus_nope/wallet"), 404, "not_found")


def test_bulk_extension_for_a_closure(api):
    with login(api.url, "reception") as c, login(api.url, "manager") as m:
        pkg = make_package(m, expiry_days=30)
        cards = [sell(c, pkg["id"]) for _ in range(3)]
        m.patch(f"/cards/{cards[2]['id']}", json={"expires_on": days(-1)}, headers=key())  # expired: not in scope
        body = {"days": 14, "package_id": pkg["id"], "reason": "Closed for renovation"}
        assert_problem(c.post("/cards/extend", json=body | {"dry_run": True}), 403, "forbidden_role")
        preview = m.post("/cards/extend", json=body | {"dry_run": True}, headers=key()).json()
        assert preview == {"count": 2, "dry_run": True}
        assert c.get(f"/cards/{cards[0]['id']}").json()["expires_on"] == days(30)
        assert m.post("/cards/extend", json=body, headers=key()).json() == {"count": 2, "dry_run": False}
        assert [c.get(f"/cards/{x['id']}").json()["expires_on"] for x in cards] == [days(44), days(44), days(-1)]
        entry = history(m, cards[0]["id"])[-1]
        assert (entry["kind"], entry["old_value"], entry["new_value"], entry["note"]) == (
            "extend", days(30), days(44), "Closed for renovation")
        scoped = m.post("/cards/extend", json=body | {"location_id": "loc_riverside", "dry_run": True}).json()
        assert scoped["count"] == 0
        for bad in ({**body, "days": 0}, {**body, "days": 4000}, {**body, "package_id": "pkg_nope"},
                    {**body, "location_id": "loc_nope"}, {"days": 3}):
            assert_problem(m.post("/cards/extend", json=bad), 422, "validation_error")


def test_expire_sweep_writes_one_entry_per_expiry(api):
    with login(api.url, "manager") as m:
        card = sell(m, make_package(m)["id"])
        redeemed(m, card["id"])
        m.patch(f"/cards/{card['id']}", json={"expires_on": days(-2)}, headers=key())
        assert m.post("/cards/expire", headers=key()).json()["count"] >= 1
        assert m.post("/cards/expire", headers=key()).json()["count"] == 0
        expire = [t for t in history(m, card["id"]) if t["kind"] == "expire"]
        assert [(t["units"], t["old_value"]) for t in expire] == [(4, days(-2))]
        # Extending brings the units back; the ledger keeps what happened.
        assert m.patch(f"/cards/{card['id']}", json={"expires_on": days(5)}, headers=key()).json()["status"] == "active"
        assert pool(redeemed(m, card["id"])["card"])["remaining"] == 3
    with login(api.url, "reception") as c:
        assert_problem(c.post("/cards/expire"), 403, "forbidden_role")


def test_retried_redemption_with_the_same_key_redeems_once(api):
    with login(api.url, "reception") as c, login(api.url, "manager") as m:
        card = sell(c, make_package(m)["id"])
        headers = {"Idempotency-Key": f"redeem-{tag()}"}
        first = c.post(f"/cards/{card['id']}/redemptions", json={"service_id": "svc_manicure"}, headers=headers)
        again = c.post(f"/cards/{card['id']}/redemptions", json={"service_id": "svc_manicure"}, headers=headers)
        assert first.status_code == again.status_code == 201
        assert again.headers["idempotent-replayed"] == "true" and again.json() == first.json()
        assert pool(c.get(f"/cards/{card['id']}").json())["used"] == 1
        assert [t["kind"] for t in history(c, card["id"])] == ["issue", "redeem"]


def test_nonsense_never_produces_a_500(api):
    with login(api.url, "owner") as c:
        card = sell(c, make_package(c)["id"])
        cid = card["id"]
        responses = [
            c.post("/cards", content=b"{", headers={"content-type": "application/json"}),
            c.post(f"/cards/{cid}/redemptions", json=[1, 2]),
            c.post(f"/cards/{cid}/redemptions", json={"service_id": "svc_manicure", "quantity": "many"}),
            c.post(f"/cards/{cid}/redemptions", json={"service_id": "svc_manicure", "quantity": 10**30}),
            c.patch(f"/cards/{cid}", json={"expires_on": "2024-02-30"}),
            c.patch(f"/cards/{cid}", json={"expires_on": 10**12}),
            c.patch(f"/cards/{cid}", json={"number": 5}),
            c.post(f"/cards/{cid}/adjustments", json={"units": 10**30, "reason": "x"}),
            c.post(f"/cards/{cid}/transactions/{'x' * 500}/undo", json={"reason": "x"}),
            c.post("/cards/extend", json={"days": 10**9, "reason": "x"}),
            c.get("/cards", params={"customer_id": "x" * 41}),
            c.get(f"/cards/{'é' * 300}"),
            # PostgreSQL text cannot hold U+0000: refused up front, wherever it comes in
            c.post(f"/cards/{cid}/redemptions", json={"service_id": "svc_manicure", "note": "a\u0000b"}),
            c.post(f"/cards/{cid}/redemptions", json={"service_id": "svc_\u0000"}),
            c.patch(f"/cards/{cid}", json={"number": "\u0000"}),
            c.post("/packages", json={"name": "\u0000", "entitlements": [{"units": 1, "services": [
                {"service_id": "svc_manicure"}]}]}),
            c.get("/cards", params={"q": "a\u0000"}),
            c.get("/cards", params={"customer_id": "\u0000"}),
            c.get("/cards/crd_%00"),
            c.get("/cards/crd_%00/transactions"),
            c.get("/packages/pkg_%00"),
            c.get("/customers/cus_%00/wallet"),
            c.post("/imports/cards", content=b"package_id,customer_id\n\x00,x\n", headers={"content-type": "text/csv"}),
        ]
        assert all(400 <= r.status_code < 500 for r in responses), [(r.status_code, r.text) for r in responses]


def test_a_cards_history_comes_a_page_at_a_time_oldest_first(api):
    """A card used for years has thousands of entries: its history is paged like every list, by
    its sequence, and an entry undone on a later page still says what undid it."""
    with login(api.url, "reception") as r, login(api.url, "manager") as m:
        card = sell(m, make_package(m)["id"])
        first = redeemed(r, card["id"])["transaction"]
        redeemed(r, card["id"])
        undo = m.post(f"/cards/{card['id']}/transactions/{first['id']}/undo", json={"reason": "twice"}, headers=key())
        assert undo.status_code == 201, undo.text
        pages, cursor = [], None
        while True:
            page = r.get(f"/cards/{card['id']}/transactions", params={"limit": 2, "cursor": cursor})
            assert page.status_code == 200, page.text
            pages.append(page.json()["items"])
            cursor = page.json()["next_cursor"]
            if cursor is None:
                break
        assert [[t["kind"] for t in items] for items in pages] == [["issue", "redeem"], ["redeem", "undo"]]
        assert pages[0][1]["undone_by"] == undo.json()["transaction"]["id"] and pages[1][0]["undone_by"] is None
        assert [t["kind"] for t in history(r, card["id"])] == ["issue", "redeem", "redeem", "undo"]
        assert_problem(r.get(f"/cards/{card['id']}/transactions", params={"cursor": "nonsense"}), 422, "validation_error")
