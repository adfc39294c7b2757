"""`desk-tui admin import-services` and `import-customers`: a previous system's lists moved in,
every line checked first and named when it has a problem, then all or nothing."""

from __future__ import annotations

import uuid

from desk_tui.cli import main
from tests.support.api_client import login


def _admin(url: str, *args: str) -> int:
    return main(["admin", "--db", url, *args])


def test_services_are_imported_all_or_nothing_with_each_bad_line_named(api, tmp_path, capsys):
    tag = uuid.uuid4().hex[:6]
    file = tmp_path / "services.csv"
    good = (f"Name,Category,duration_min,price,locations\n"
            f"Keratin {tag},Hair,90,32000,Downtown\n"
            f'"Lash Tint, Brow {tag}",Lashes,30,7500,riverside; Downtown\n'
            f"Scalp Ritual {tag},Hair,45,12000,\n")
    file.write_text(good + f"Broken Price {tag},Hair,45,abc,\nNowhere {tag},Hair,45,100,Atlantis\n"
                           f"Keratin {tag},Hair,60,1000,\n")
    assert _admin(api.db_url, "import-services", str(file)) == 1
    err = capsys.readouterr().err
    assert f"{file}:5: price: 'abc' is not a whole number." in err
    assert f"{file}:6: locations: no location 'Atlantis'." in err
    assert f"{file}:7: name: Hair › Keratin {tag} is already on file." in err
    assert "Nothing imported: 3 line(s) have a problem" in err

    def imported() -> dict[str, dict]:
        with login(api.url, "manager") as c:
            return {s["name"]: s for s in c.get("/services").json() if tag in s["name"]}

    assert imported() == {}  # the good lines waited for the bad ones

    file.write_text(good)
    assert _admin(api.db_url, "import-services", "--dry-run", str(file)) == 0
    assert "3 services would be imported (dry run: nothing was written)." in capsys.readouterr().out
    assert imported() == {}

    assert _admin(api.db_url, "import-services", str(file)) == 0
    assert "Imported 3 services." in capsys.readouterr().out
    services = imported()
    assert services[f"Keratin {tag}"]["price"] == 32000 and services[f"Keratin {tag}"]["duration_min"] == 90
    assert services[f"Keratin {tag}"]["location_ids"] == ["loc_downtown"]
    assert services[f"Lash Tint, Brow {tag}"]["location_ids"] == ["loc_downtown", "loc_riverside"]
    assert services[f"Scalp Ritual {tag}"]["location_ids"] == ["loc_downtown", "loc_riverside"]  # every location

    # The same file again is refused line by line: nothing is doubled.
    assert _admin(api.db_url, "import-services", str(file)) == 1
    assert err.count("already on file") == 1 and capsys.readouterr().err.count("already on file") == 3
    assert len(imported()) == 3


def test_services_carry_their_vat_rate_and_pricing_from_the_file(api, tmp_path, capsys):
    tag = uuid.uuid4().hex[:6]
    file = tmp_path / "services.csv"
    head = "name,category,duration_min,price,vat_rate,tax_inclusive\n"
    file.write_text(head + f"Bad Rate {tag},Hair,30,1000,120,yes\nFine Rate {tag},Hair,30,1000,5.555,\n"
                           f"Odd Flag {tag},Hair,30,1000,5,perhaps\n")
    assert _admin(api.db_url, "import-services", str(file)) == 1
    err = capsys.readouterr().err
    assert f"{file}:2: vat_rate: A VAT rate is a percentage from 0 to 100." in err
    assert f"{file}:3: vat_rate: A VAT rate has at most two decimals" in err
    assert f"{file}:4: tax_inclusive: 'perhaps' is not yes or no." in err

    file.write_text(head + f"Beard Trim {tag},Hair,30,4000,\"5,5\",no\nScalp Care {tag},Hair,30,4000,,\n")
    assert _admin(api.db_url, "import-services", str(file)) == 0
    with login(api.url, "manager") as c:
        got = {s["name"]: (s["vat_rate"], s["tax_inclusive"]) for s in c.get("/services").json() if tag in s["name"]}
    assert got == {f"Beard Trim {tag}": (5.5, False), f"Scalp Care {tag}": (27, True)}  # blank: the salon's


def test_customers_are_imported_searchable_and_never_twice(api, tmp_path, capsys):
    tag, digits = uuid.uuid4().hex[:6], str(uuid.uuid4().int)[-4:]
    file = tmp_path / "clients.csv"
    good = ("name,phone,email\n"
            f"Ágnes Kovács-{tag},06 30 55{digits[:1]} {digits[1:]},\n"
            f"Bence Tóth-{tag},,bence.{tag}@example.com\n"
            f"Csilla Fehér-{tag},,\n")
    file.write_text("\ufeff" + good + f"Bad Phone-{tag},12ab,\n,06 30 555 0000,\nBence Tóth-{tag},,bence.{tag}@example.com\n")
    assert _admin(api.db_url, "import-customers", str(file)) == 1
    err = capsys.readouterr().err
    assert f"{file}:5: phone: a phone number needs at least 6 digits" in err and f"{file}:6: name:" in err
    assert f"{file}:7: name: Bence Tóth-{tag} is on an earlier line already." in err

    with login(api.url, "reception") as desk:
        def found(q: str) -> list[str]:
            return [c["name"] for c in desk.get("/customers", params={"q": q}).json()["items"]]

        assert found(tag) == []
        file.write_text(good)
        assert _admin(api.db_url, "import-customers", "--dry-run", str(file)) == 0
        assert "3 customers would be imported" in capsys.readouterr().out
        assert found(tag) == []

        assert _admin(api.db_url, "import-customers", str(file)) == 0
        assert "Imported 3 customers." in capsys.readouterr().out
        # Searchable at the desk as if typed in there: accents, hyphenated parts, the phone's end.
        assert found(f"agnes kovacs-{tag}") == [f"Ágnes Kovács-{tag}"]
        assert found(f"+36 30 55{digits}") == [f"Ágnes Kovács-{tag}"]
        assert sorted(found(tag)) == sorted([f"Ágnes Kovács-{tag}", f"Bence Tóth-{tag}", f"Csilla Fehér-{tag}"])

        assert _admin(api.db_url, "import-customers", str(file)) == 1
        err = capsys.readouterr().err
        assert "Ágnes" in err and "Bence" in err and "already on file" in err
        assert len(found(tag)) == 3
