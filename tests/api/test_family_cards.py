"""Family cards over real HTTP, on both engines: the owner lists family members who may use the
card; booking, quick redeem and the cart draw from it for them, the ledger names who used it, and
refund, transfer, adjustment and expiry stay the owner's."""

from __future__ import annotations

import csv
import io

import httpx
import pytest
from sqlalchemy import text

from tests.api.arrange_appointments import action, at, book, booked, from_card, paid, past_day, some_day
from tests.api.arrange_cards import history, make_package, new_customer, redeem, redeemed, sell, tag
from tests.api.arrange_ledger import around_the_trigger, named, verify
from tests.api.arrange_sales import add, completed, last_line, opened
from tests.api.arrange_sales import redeem as redeem_line
from tests.support.api_client import as_manager, assert_problem, key, login
from tests.support.live_server import LiveServer


def share(c: httpx.Client, card_id: str, customer_id: str) -> httpx.Response:
    return c.post(f"/cards/{card_id}/members", json={"customer_id": customer_id}, headers=key())


def shared(c: httpx.Client, card_id: str, customer_id: str) -> dict:
    r = share(c, card_id, customer_id)
    assert r.status_code == 201, r.text
    return r.json()


def unshare(c: httpx.Client, card_id: str, customer_id: str) -> httpx.Response:
    return c.delete(f"/cards/{card_id}/members/{customer_id}", headers=key())


def summaries(c: httpx.Client, customer_id: str) -> list[str]:
    return [a["summary"] for a in c.get(f"/customers/{customer_id}/activity").json()["items"]]


@pytest.fixture
def family(api):
    """Reception, an owner with a 5-session card, a daughter listed on it and a stranger."""
    with login(api.url, "reception") as c:
        owner, daughter, stranger = (new_customer(c, f"{who} {tag()}") for who in ("Mother", "Daughter", "Neighbour"))
        card = sell(c, make_package(as_manager(c))["id"], owner["id"], expires_on="2999-12-31")
        shared(c, card["id"], daughter["id"])
        yield c, card, owner, daughter, stranger


def test_reception_lists_a_family_member_and_both_activity_logs_say_so(api):
    with login(api.url, "reception") as c:
        owner, daughter = new_customer(c, f"Mother {tag()}"), new_customer(c, f"Daughter {tag()}")
        card = sell(c, make_package(as_manager(c))["id"], owner["id"], number=f"FAM-{tag()}")
        answer = shared(c, card["id"], daughter["id"])
        assert [(m["customer_id"], m["name"]) for m in answer["members"]] == [(daughter["id"], daughter["name"])]
        assert c.get(f"/cards/{card['id']}").json()["members"] == answer["members"]
        assert summaries(c, owner["id"])[0] == (f"Shared {answer['package_name']} (card {card['number']}) with "
                                                f"{daughter['name']} as a family member")
        assert summaries(c, daughter["id"])[0] == (f"May use {owner['name']}'s {answer['package_name']} "
                                                   f"(card {card['number']}) as a family member")
        # The ledger is for balances: sharing writes no entry.
        assert [e["kind"] for e in history(c, card["id"])] == ["issue"]


def test_what_cannot_be_shared_says_why(api, family):
    c, card, owner, daughter, _ = family
    assert "already a family member" in assert_problem(share(c, card["id"], daughter["id"]), 409, "duplicate")["detail"]
    body = assert_problem(share(c, card["id"], owner["id"]), 422, "validation_error")
    assert body["field"] == "customer_id" and "owns this card" in body["detail"]
    assert assert_problem(share(c, card["id"], "cus_nobody"), 422, "validation_error")["field"] == "customer_id"
    assert_problem(share(c, "crd_nobody", daughter["id"]), 404, "not_found")
    with login(api.url, "manager") as m:
        refunded = sell(m, make_package(m)["id"], owner["id"])
        m.post(f"/cards/{refunded['id']}/refund", json={"reason": "moving away"}, headers=key()).raise_for_status()
        assert_problem(share(c, refunded["id"], daughter["id"]), 409, "card_not_active")


def test_the_members_wallet_lists_the_card_as_shared_and_nobody_elses_does(family):
    c, card, owner, daughter, stranger = family
    mine = c.get(f"/customers/{daughter['id']}/wallet").json()
    assert mine["cards"] == []
    assert [(x["id"], x["customer_id"], x["customer_name"]) for x in mine["shared_cards"]] == [
        (card["id"], owner["id"], owner["name"])]
    owners = c.get(f"/customers/{owner['id']}/wallet").json()
    assert [x["id"] for x in owners["cards"]] == [card["id"]] and owners["shared_cards"] == []
    assert c.get(f"/customers/{stranger['id']}/wallet").json()["shared_cards"] == []


def test_one_request_lists_the_members_own_cards_then_the_active_cards_shared_with_them(api, family):
    c, card, owner, daughter, stranger = family
    package = make_package(as_manager(c))["id"]
    older, newer = (sell(c, package, daughter["id"]) for _ in range(2))
    with login(api.url, "manager") as m:  # a shared card refunded: nothing left to use
        gone = sell(m, package, owner["id"])
        shared(m, gone["id"], daughter["id"])
        m.post(f"/cards/{gone['id']}/refund", json={"reason": "moving away"}, headers=key()).raise_for_status()

    def listed(**params) -> dict:
        r = c.get("/cards", params={"customer_id": daughter["id"], "shared": "true", **params})
        assert r.status_code == 200, r.text
        return r.json()

    every = listed()
    assert [(x["id"], x["customer_name"]) for x in every["items"]] == [
        (newer["id"], daughter["name"]), (older["id"], daughter["name"]), (card["id"], owner["name"])]
    # Paged: the shared cards come after the customer's own, on the last page.
    first = listed(limit=1)
    assert [x["id"] for x in first["items"]] == [newer["id"]] and first["next_cursor"]
    last = listed(limit=1, cursor=first["next_cursor"])
    assert [x["id"] for x in last["items"]] == [older["id"], card["id"]] and last["next_cursor"] is None
    # Without shared, the customer's own alone, as before; and nobody else sees the family's card.
    assert [x["id"] for x in c.get("/cards", params={"customer_id": daughter["id"]}).json()["items"]] == [
        newer["id"], older["id"]]
    assert c.get("/cards", params={"customer_id": stranger["id"], "shared": "true"}).json()["items"] == []
    assert_problem(c.get("/cards", params={"shared": "true"}), 422, "validation_error")


def test_the_demo_salon_has_a_family_card_a_member_has_used(api):
    """A new user finds the feature on the demo: cus_demo0006's card shared with cus_demo0012."""
    with login(api.url, "reception") as c:
        owner = c.get("/customers/cus_demo0006").json()
        listed = c.get("/cards", params={"customer_id": "cus_demo0012", "shared": "true"}).json()["items"]
        assert [(x["id"], x["customer_name"]) for x in listed] == [("crd_demo_0601", owner["name"])]
        card = listed[0]
        assert [m["customer_id"] for m in card["members"]] == ["cus_demo0012"]
        used = [e for e in history(c, card["id"]) if e["used_by_customer_id"] == "cus_demo0012"]
        assert [(e["kind"], e["service_id"]) for e in used] == [("redeem", "svc_facial")]


def test_a_quick_redeem_for_a_member_draws_from_the_owners_card_and_says_who_used_it(family):
    c, card, owner, daughter, _ = family
    change = redeemed(c, card["id"], for_customer_id=daughter["id"])
    assert change["card"]["balances"][0]["used"] == 1
    assert (change["transaction"]["used_by_customer_id"], change["transaction"]["used_by"]) == (
        daughter["id"], daughter["name"])
    assert change["transaction"]["customer_id"] == owner["id"]  # the card stays the owner's
    mine = redeemed(c, card["id"])["transaction"]  # the owner's own use names nobody
    assert (mine["used_by_customer_id"], mine["used_by"]) == (None, None)
    entries = history(c, card["id"])
    assert [(e["kind"], e["used_by"]) for e in entries] == [("issue", None), ("redeem", daughter["name"]),
                                                            ("redeem", None)]
    name = card["package_name"]
    assert f"Redeemed Manicure from {name} for {daughter['name']} (1 of 5 used)" in summaries(c, owner["id"])
    assert summaries(c, daughter["id"])[0] == f"Redeemed Manicure from {owner['name']}'s {name} (1 of 5 used)"


def test_nobody_else_may_use_the_card(family):
    c, card, owner, _, stranger = family
    body = assert_problem(redeem(c, card["id"], for_customer_id=stranger["id"]), 409, "card_not_shared")
    assert body["detail"] == (f"{card['package_name']} is {owner['name']}'s and is not shared with {stranger['name']}: "
                              f"{owner['name']} can have {stranger['name']} added as a family member on the card.")
    assert assert_problem(redeem(c, card["id"], for_customer_id="cus_nobody"), 422,
                          "validation_error")["field"] == "for_customer_id"
    body = assert_problem(book(c, stranger["id"], at(some_day(), 10), from_card(card["id"])), 409, "card_not_shared")
    assert body["field"] == "lines.0.source.card_id", body
    assert body["errors"][0]["message"].startswith(f"{card['package_name']} is {owner['name']}'s and is not shared")
    assert [e["kind"] for e in history(c, card["id"])] == ["issue"]  # nothing was written


def test_booking_for_a_member_reserves_from_the_owners_card_and_completing_redeems_it(family):
    c, card, owner, daughter, _ = family
    appt = booked(c, daughter["id"], at(past_day(), 11), from_card(card["id"]))
    assert appt["lines"][0]["redemption"] == "reserved" and appt["lines"][0]["price"] == 0
    assert c.get(f"/cards/{card['id']}").json()["balances"][0]["booked"] == 1
    cancelled = booked(c, daughter["id"], at(some_day(), 12), from_card(card["id"]))
    action(c, cancelled["id"], "cancel").raise_for_status()
    action(c, appt["id"], "check-in").raise_for_status()
    completed_appt = action(c, appt["id"], "complete")
    assert completed_appt.status_code == 200, completed_appt.text
    entries = history(c, card["id"])
    assert [(e["kind"], e["used_by_customer_id"]) for e in entries] == [
        ("issue", None), ("reserve", daughter["id"]), ("reserve", daughter["id"]), ("release", daughter["id"]),
        ("redeem", daughter["id"])]
    assert any(s.startswith("Booked Manicure on ") and f"from {owner['name']}'s" in s
               for s in summaries(c, daughter["id"]))


def test_the_members_check_in_suggestions_offer_the_shared_card(family):
    c, card, owner, daughter, _ = family
    appt = booked(c, daughter["id"], at(some_day(), 13), paid())
    found = c.get(f"/appointments/{appt['id']}/redeemable").json()
    sources = [s for x in found for s in x["sources"] if s.get("card_id") == card["id"]]
    assert len(sources) == 1 and f"shared by {owner['name']}" in sources[0]["label"], found


def test_a_members_cart_redeems_from_the_owners_card(family):
    c, card, owner, daughter, stranger = family
    sale = add(c, opened(c, customer_id=daughter["id"])["id"], "svc_manicure")
    offers = c.get(f"/sales/{sale['id']}/benefits").json()["cards"]
    assert [(o["card_id"], f"shared by {owner['name']}" in o["label"]) for o in offers] == [(card["id"], True)], offers
    r = redeem_line(c, sale["id"], last_line(sale)["id"], card_id=card["id"])
    assert r.status_code == 200, r.text
    assert r.json()["total"] == 0
    done = completed(c, sale["id"])
    assert done["status"] == "completed"
    last = history(c, card["id"])[-1]
    assert (last["kind"], last["used_by_customer_id"], last["sale_id"]) == ("redeem", daughter["id"], sale["id"])
    theirs = add(c, opened(c, customer_id=stranger["id"])["id"], "svc_manicure")
    body = assert_problem(redeem_line(c, theirs["id"], last_line(theirs)["id"], card_id=card["id"]), 409,
                          "card_not_shared")
    assert body["field"] == "card_id"


def test_where_a_member_used_the_card_it_says_whose_card_it_was(api, family):
    c, card, owner, daughter, _ = family
    whose = f"from {owner['name']}'s {card['package_name']}"
    # the appointment's package line names the owner; the owner's own appointment does not
    appt = booked(c, daughter["id"], at(some_day(), 10), from_card(card["id"]))
    source = appt["lines"][0]["source"]
    assert (source["owner_id"], source["owner_name"]) == (owner["id"], owner["name"])
    mine = booked(c, owner["id"], at(some_day(), 10), from_card(card["id"]))
    assert (mine["lines"][0]["source"]["owner_id"], mine["lines"][0]["source"]["owner_name"]) == (None, None)
    # the cart's line while held, and the receipt once the sale completes
    sale = add(c, opened(c, customer_id=daughter["id"])["id"], "svc_manicure")
    held = redeem_line(c, sale["id"], last_line(sale)["id"], card_id=card["id"])
    assert held.status_code == 200, held.text
    assert whose in last_line(held.json())["label"], last_line(held.json())["label"]
    done = completed(c, sale["id"])
    assert f"Manicure — {whose}, 1 of 5 used" in last_line(done)["label"]
    assert whose in " ".join(done["receipt_text"].split()), done["receipt_text"]
    # the ledger's CSV names who used it
    with login(api.url, "manager") as m:
        rows = list(csv.DictReader(io.StringIO(m.get("/reports/card-transactions.csv").text)))
    redeemed_row = next(r for r in rows if r["card_id"] == card["id"] and r["kind"] == "redeem")
    assert (redeemed_row["customer_name"], redeemed_row["used_by_customer_id"], redeemed_row["used_by_name"]) == (
        owner["name"], daughter["id"], daughter["name"])
    issued_row = next(r for r in rows if r["card_id"] == card["id"] and r["kind"] == "issue")
    assert (issued_row["used_by_customer_id"], issued_row["used_by_name"]) == ("", "")


def test_a_quick_redeem_on_the_members_sale_is_for_them(family):
    c, card, owner, daughter, stranger = family
    sale = opened(c, customer_id=daughter["id"])
    tx = redeemed(c, card["id"], sale_id=sale["id"])["transaction"]
    assert tx["used_by_customer_id"] == daughter["id"]
    body = assert_problem(redeem(c, card["id"], sale_id=sale["id"], for_customer_id=owner["id"]), 409,
                          "sale_of_another_customer")
    assert daughter["name"] in body["detail"] and owner["name"] in body["detail"]
    theirs = opened(c, customer_id=stranger["id"])
    assert_problem(redeem(c, card["id"], sale_id=theirs["id"]), 409, "sale_of_another_customer")


def test_refund_adjust_expiry_and_transfer_stay_the_owners(api, family):
    _c, card, owner, daughter, stranger = family
    with login(api.url, "manager") as m:
        for path, body in ((f"/cards/{card['id']}/refund", {"reason": "asked"}),
                           (f"/cards/{card['id']}/adjustments", {"units": 1, "reason": "goodwill"})):
            said = assert_problem(m.post(path, json=body | {"for_customer_id": daughter["id"]}, headers=key()), 409,
                                  "card_owner_only")
            assert said["detail"].startswith(f"{card['package_name']} is {owner['name']}'s: {daughter['name']} may use "
                                             "it as a family member, but only")
            assert_problem(m.post(path, json=body | {"for_customer_id": stranger["id"]}, headers=key()), 409,
                           "card_not_shared")
        moved = m.patch(f"/cards/{card['id']}", json={"expires_on": "2999-12-30", "for_customer_id": daughter["id"]},
                        headers=key())
        assert_problem(moved, 409, "card_owner_only")
        assert [e["kind"] for e in history(m, card["id"])] == ["issue"]
        adjusted = m.post(f"/cards/{card['id']}/adjustments",
                          json={"units": 1, "reason": "goodwill", "for_customer_id": owner["id"]}, headers=key())
        assert adjusted.status_code == 201, adjusted.text
        # A transfer empties the list: the new owner shares the card with whom they choose.
        given = m.patch(f"/cards/{card['id']}", json={"customer_id": stranger["id"], "note": "gift"}, headers=key())
        assert given.status_code == 200, given.text
        assert given.json()["members"] == []
        assert summaries(m, daughter["id"])[0].startswith("No longer a family member on")
        assert_problem(redeem(m, card["id"], for_customer_id=daughter["id"]), 409, "card_not_shared")


def test_a_member_with_a_booked_session_stays_until_it_is_settled(family):
    c, card, owner, daughter, stranger = family
    appt = booked(c, daughter["id"], at(some_day(), 15), from_card(card["id"]))
    body = assert_problem(unshare(c, card["id"], daughter["id"]), 409, "invalid_transition")
    assert body["detail"].startswith(f"{daughter['name']} has 1 session booked or held from")
    action(c, appt["id"], "cancel").raise_for_status()
    r = unshare(c, card["id"], daughter["id"])
    assert r.status_code == 200, r.text
    assert r.json()["members"] == []
    assert summaries(c, owner["id"])[0] == f"Stopped sharing {card['package_name']} with {daughter['name']}"
    assert summaries(c, daughter["id"])[0] == f"No longer a family member on {owner['name']}'s {card['package_name']}"
    assert c.get(f"/customers/{daughter['id']}/wallet").json()["shared_cards"] == []
    assert_problem(redeem(c, card["id"], for_customer_id=daughter["id"]), 409, "card_not_shared")
    assert_problem(unshare(c, card["id"], daughter["id"]), 404, "not_found")
    assert_problem(unshare(c, card["id"], stranger["id"]), 404, "not_found")


def test_a_card_is_shared_with_ten_family_members_at_most(api):
    with login(api.url, "reception") as c:
        owner = new_customer(c)
        card = sell(c, make_package(as_manager(c))["id"], owner["id"])
        for _ in range(10):
            shared(c, card["id"], new_customer(c)["id"])
        body = assert_problem(share(c, card["id"], new_customer(c)["id"]), 422, "validation_error")
        assert "at most 10 family members" in body["detail"]
        assert len(c.get(f"/cards/{card['id']}").json()["members"]) == 10


@pytest.fixture(scope="module")
def victim(engine, new_db_url):
    """A salon of this module's own whose ledger a test edits behind the API's back."""
    with LiveServer(new_db_url(engine), demo=True) as server:
        yield server


def test_who_used_the_card_is_in_the_hash_chain(victim, capsys):
    """verify-ledger passes a ledger with family uses, and names an entry whose user was changed by
    SQL either way: set on the owner's own use, or cleared from a member's."""
    with login(victim.url, "reception") as c:
        owner, daughter = new_customer(c), new_customer(c)
        card = sell(c, make_package(as_manager(c))["id"], owner["id"], number=f"FC-{tag()}")
        shared(c, card["id"], daughter["id"])
        by_daughter = redeemed(c, card["id"], for_customer_id=daughter["id"])["transaction"]
        by_owner = redeemed(c, card["id"])["transaction"]
    code, lines = verify(victim.db_url, capsys)
    assert code == 0, lines
    for entry, value, seq in ((by_owner, daughter["id"], 3), (by_daughter, None, 2)):
        with around_the_trigger(victim) as conn:
            conn.execute(text("UPDATE card_transactions SET used_by_customer_id = :who WHERE id = :id"),
                         {"who": value, "id": entry["id"]})
        code, lines = verify(victim.db_url, capsys)
        assert code == 1
        assert named(lines, card) == [f"card {card['number']} ({card['id']}): entry #{seq} ({entry['id']}) is not as "
                                      "it was written: edited, or moved from another place"]
