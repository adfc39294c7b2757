"""Search as reception types it, over real HTTP: a hyphenated surname as written, a phone number in
any form or by its last digits, a card by the digits at the end of its number, and a warning when
a new customer's phone number is already on file."""

from __future__ import annotations

import secrets

from tests.api.arrange_cards import history, make_package, new_customer, sell, tag
from tests.support.api_client import assert_problem, key, login


def found(c, q: str, path: str = "/customers") -> list[str]:
    r = c.get(path, params={"q": q, "limit": 500})
    assert r.status_code == 200, r.text
    return [x["id"] for x in r.json()["items"]]


def mobile() -> tuple[str, str]:
    """A Hungarian mobile number no demo customer has (the demo uses 20, 30 and 70): its 3 + 4 digits."""
    return f"{secrets.randbelow(900) + 100}", f"{secrets.randbelow(9000) + 1000}"


def test_a_hyphenated_surname_is_found_as_written_and_by_either_part(api):
    first = f"Anna{tag()}"
    with login(api.url, "reception") as c:
        created = c.post("/customers", json={"name": f"{first} Szabó-Kert"}, headers=key()).json()
        for q in ("Szabó-Kert", f"{first} Szabó-Kert", "szabo-kert", "Szabó-K", "Kert", f"{first} kert"):
            assert created["id"] in found(c, q), q
        assert created["id"] not in found(c, "Szabó-Kertész")
        m = login(api.url, "manager")
        card = sell(m, make_package(m)["id"], created["id"])
        assert card["id"] in found(c, "Szabó-Kert", "/cards") and card["id"] in found(c, "Kert", "/cards")


def test_a_phone_number_is_found_with_spaces_in_national_form_and_by_its_last_four_digits(api):
    middle, last = mobile()
    with login(api.url, "reception") as c:
        created = c.post("/customers", json={"name": f"Phone {tag()}", "phone": f"+36 50 {middle} {last}"},
                         headers=key()).json()
        for q in (f"{middle} {last}", f"06 50 {middle} {last}", last, f"+36 50 {middle} {last}", f"36 50 {middle}{last}",
                  f"0036-50/{middle}-{last}", f"50 {middle} {last}", f"{middle}{last}"):
            assert created["id"] in found(c, q), q
        # typed the other way round: stored in national form, found by the international one
        middle2, last2 = mobile()
        national = c.post("/customers", json={"name": f"Phone {tag()}", "phone": f"06 50 {middle2} {last2}"},
                          headers=key()).json()
        for q in (f"+36 50 {middle2} {last2}", f"{middle2} {last2}", last2):
            assert national["id"] in found(c, q), q
        assert created["id"] not in found(c, f"{middle} {int(last) // 10 * 10 + (int(last) + 1) % 10}")


def test_a_card_is_found_by_the_last_digits_of_its_number(api):
    digits = f"{secrets.randbelow(900000) + 100000}"
    with login(api.url, "reception") as c, login(api.url, "manager") as m:
        assert "crd_demo_0501" in found(c, "1005", "/cards")  # BS-1005 of the demo salon
        assert "cus_demo0005" in found(c, "1005")  # F3: its owner
        owner = new_customer(c)
        card = sell(m, make_package(m)["id"], owner["id"], number=f"GX-{digits}")
        for q in (digits[-4:], digits[-5:], digits, f"gx-{digits[:3]}"):
            assert card["id"] in found(c, q, "/cards"), q
            assert owner["id"] in found(c, q), q
        assert card["id"] not in found(c, digits[:4], "/cards")  # the start of the digits is not their end
        # re-issued under a new number: found by the new digits, no longer by the old ones
        new_digits = f"{secrets.randbelow(900000) + 100000}"
        assert c.patch(f"/cards/{card['id']}", json={"number": f"GX-{new_digits}"}, headers=key()).status_code == 200
        assert card["id"] in found(c, new_digits[-4:], "/cards") and owner["id"] in found(c, new_digits[-4:])
        assert card["id"] not in found(c, digits, "/cards") and owner["id"] not in found(c, digits)


def test_a_new_customer_whose_phone_is_on_file_is_created_with_a_warning_naming_the_other(api):
    middle, last = mobile()
    with login(api.url, "reception") as c:
        first = c.post("/customers", json={"name": f"Kiss Éva {tag()}", "phone": f"+36 50 {middle} {last}"},
                       headers=key())
        assert first.status_code == 201 and first.json()["same_phone"] == []
        second = c.post("/customers", json={"name": f"Kiss Péter {tag()}", "phone": f"06-50-{middle}-{last}"},
                        headers=key())
        assert second.status_code == 201, second.text
        assert second.json()["same_phone"] == [{"id": first.json()["id"], "name": first.json()["name"]}]
        # the check before saving: who has this number, however it is typed
        on_file = c.get("/customers", params={"phone": f"06 50 {middle} {last}"}).json()["items"]
        assert sorted(x["id"] for x in on_file) == sorted([first.json()["id"], second.json()["id"]])
        assert c.get("/customers", params={"phone": f"+36 50 {middle} {int(last) - 1}"}).json()["items"] == []
        assert c.post("/customers", json={"name": f"No Phone {tag()}"}, headers=key()).json()["same_phone"] == []


def test_a_card_number_is_changed_with_the_old_one_kept_in_its_history(api):
    old, new = f"BS-{tag()}".upper(), f"BS-{tag()}".upper()
    with login(api.url, "reception") as c, login(api.url, "manager") as m:
        pkg = make_package(m)
        card = sell(m, pkg["id"], number=old)
        taken = sell(m, pkg["id"], number=f"BS-{tag()}".upper())
        assert_problem(c.patch(f"/cards/{card['id']}", json={"number": taken["number"].lower()}), 409, "duplicate")
        r = c.patch(f"/cards/{card['id']}", json={"number": new, "note": "lost card, re-issued"}, headers=key())
        assert r.status_code == 200 and r.json()["number"] == new
        entry = history(c, card["id"])[-1]
        assert (entry["kind"], entry["old_value"], entry["new_value"], entry["note"]) == (
            "renumber", old, new, "lost card, re-issued")
        assert entry["staff_name"] == "Réka Tóth"
        # the old number is free again for another card
        assert m.patch(f"/cards/{taken['id']}", json={"number": old}, headers=key()).json()["number"] == old


def test_a_search_starts_from_the_rarest_word_and_stops_at_a_page(api, monkeypatch):
    """With 'anna' common and the surname rare, the customers looked at are the surname's few, by
    id, whatever word was typed first; with every word common, the words' customers are matched as
    sets and paged. (RARE is lowered so that three customers make a word common.)"""
    from desk_tui.server.customers import service
    from tests.support.counted_statements import counted

    monkeypatch.setattr(service, "RARE", 3)
    common, rare = f"Commona{tag()}", f"Rareb{tag()}"
    with login(api.url, "reception") as c:
        names = [f"{common} {rare}"] + [f"{common} Other{tag()}" for _ in range(3)]
        ids = {name: new_customer(c, name)["id"] for name in names}
        with counted(api) as statements:
            assert found(c, f"{common.lower()} {rare.lower()}") == [ids[names[0]]]
        by_id = [x for x in statements.seen if x.lstrip().startswith("SELECT customers.")]
        # the rare word's customers as a list of ids, not a subquery over every matching term
        assert len(by_id) == 1 and "customers.id IN (" in by_id[0], statements.explain()
        assert "customers.id IN (SELECT" not in by_id[0], statements.explain()
        first = c.get("/customers", params={"q": common, "limit": 3}).json()
        rest = c.get("/customers", params={"q": common, "limit": 3, "cursor": first["next_cursor"]}).json()
        assert sorted(x["id"] for x in first["items"] + rest["items"]) == sorted(ids.values())
        assert len(first["items"]) == 3 and rest["next_cursor"] is None
