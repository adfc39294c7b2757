"""CSV import of cards from a previous system: owner only, dry run first, all or nothing."""

from __future__ import annotations

from desk_tui.server.cards.routes import IMPORT_MAX_BYTES
from tests.api.arrange_cards import FACIALS_AND_MASSAGES, days, history, make_package, new_customer, tag
from tests.support.api_client import assert_problem, key, login

CSV = {"content-type": "text/csv"}


def _post(c, text: str, dry_run: bool):
    return c.post("/imports/cards", params={"dry_run": str(dry_run).lower()}, content=text.encode(),
                  headers=CSV | key())


def test_dry_run_then_import_all_rows(api):
    with login(api.url, "owner") as c:
        five = make_package(c, price=40000, expiry_days=365)
        bundle = make_package(c, FACIALS_AND_MASSAGES, price=60000)
        existing = new_customer(c)
        n1, n2, name = f"OLD-{tag()}", f"OLD-{tag()}", f"Imported Ágota {tag()}"
        text = (
            "\ufeffPackage_ID,customer_id,customer_name,phone,number,issued_on,expires_on,price_paid,remaining,note\n"
            f"{five['id']},{existing['id']},,,{n1},{days(-100)},,35000,3,from the old till\n"
            f"{bundle['id']},,{name},+36 30 111 2222,{n2},,{days(-5)},,1;2,\n"
        )
        preview = _post(c, text, dry_run=True).json()
        assert preview == {"accepted": 2, "rejected": [], "imported": 0, "dry_run": True}
        assert c.get("/cards", params={"q": n1}).json()["items"] == []
        done = _post(c, text, dry_run=False).json()
        assert done == {"accepted": 2, "rejected": [], "imported": 2, "dry_run": False}
        [first] = c.get("/cards", params={"q": n1}).json()["items"]
        assert first["customer_id"] == existing["id"] and first["price_paid"] == 35000
        assert first["issued_at"].startswith(days(-101)) or first["issued_at"].startswith(days(-100))
        assert first["expires_on"] == days(265) and first["status"] == "active"
        assert (first["balances"][0]["used"], first["balances"][0]["remaining"]) == (2, 3)
        kinds = [(t["kind"], t["units"], t["service_id"], t["note"]) for t in history(c, first["id"])]
        assert kinds == [("issue", 5, None, "Imported from the previous system: from the old till"),
                         ("redeem", 2, None, "Used before import")]
        [second] = c.get("/cards", params={"q": n2}).json()["items"]
        assert second["customer_name"] == name and second["status"] == "expired"
        assert [b["remaining"] for b in second["balances"]] == [1, 2]
        assert second["customer_id"] in [x["id"] for x in c.get("/customers", params={"q": "+36 30 111 2222"})
                                         .json()["items"]]
        # Importing the same file again is refused row by row (the numbers exist now) and changes nothing.
        again = _post(c, text, dry_run=False).json()
        assert again["imported"] == 0 and [x["code"] for x in again["rejected"]] == ["duplicate", "duplicate"]


def test_one_bad_row_imports_nothing(api):
    with login(api.url, "owner") as c:
        pkg = make_package(c)
        taken = f"TAKEN-{tag()}"
        c.post("/cards", json={"package_id": pkg["id"], "customer_id": new_customer(c)["id"], "number": taken,
                               "note": "x", "reason": "x"}, headers=key())
        good = f"GOOD-{tag()}"
        text = "\n".join([
            "package_id,customer_name,number,issued_on,expires_on,price_paid,remaining",
            f"{pkg['id']},Good Row {tag()},{good},,,,",
            "pkg_nope,Someone,,,,,",
            f"{pkg['id']},,,,,,",
            f"{pkg['id']},Dup,{taken},,,,",
            f"{pkg['id']},Dup In File,{good},,,,",
            f"{pkg['id']},Bad Date,,31/12/2020,,,",
            f"{pkg['id']},Future,,{days(3)},,,",
            f"{pkg['id']},Too Many,,,,,9",
            f"{pkg['id']},Two Pools,,,,,1;2",
            f"{pkg['id']},Price,,,,-1,",
            f"{pkg['id']},Expiry,,,9999-01-01,,",
            "",
        ])
        result = _post(c, text, dry_run=False).json()
        assert result["accepted"] == 1 and result["imported"] == 0
        assert [(x["row"], x["code"]) for x in result["rejected"]] == [
            (3, "not_found"), (4, "validation_error"), (5, "duplicate"), (6, "duplicate"), (7, "validation_error"),
            (8, "validation_error"), (9, "validation_error"), (10, "validation_error"), (11, "validation_error"),
            (12, "validation_error")]
        assert all(x["detail"] for x in result["rejected"])
        assert c.get("/cards", params={"q": good}).json()["items"] == []


def test_import_is_for_owners_and_refuses_unreadable_files(api):
    with login(api.url, "manager") as m:
        assert_problem(m.post("/imports/cards", content=b"package_id,customer_id\n", headers=CSV), 403,
                       "forbidden_role")
    with login(api.url, "owner") as c:
        for body in (b"", b"name,phone\nA,1\n", b"package_id,customer_id,colour\n", b"\xff\xfe\x00garbage",
                     b"\x10\x11\rZ\xf2\xb7\xae\x8el(\x17\xc3\x95", b"package_id,customer_id\r\x00,\x00\r",
                     b'package_id,customer_id\n"unterminated' + b"x" * 200_000):
            r = c.post("/imports/cards", content=body, headers=CSV)
            assert r.status_code in (200, 422), r.text
            if r.status_code == 200:
                assert r.json()["imported"] == 0
        assert_problem(c.post("/imports/cards", content=b"x" * (IMPORT_MAX_BYTES + 1), headers=CSV), 413, "payload_too_large")
        assert_problem(c.post("/imports/cards", params={"dry_run": "maybe"}, content=b"package_id,customer_id\n",
                              headers=CSV), 422, "validation_error")
        assert c.post("/imports/cards", content=b"package_id,customer_id\n", headers=CSV).json() == {
            "accepted": 0, "rejected": [], "imported": 0, "dry_run": True}
