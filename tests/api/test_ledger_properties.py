"""Property test of the ledger: random sequences of card operations, called on the service layer.

A unit test of the ledger on a fresh SQLite database (the HTTP tests cover the API on both
engines). After every step it re-reads the card's ledger and checks, independently of the
server's own delta columns:

* the ledger only grows (earlier entries are unchanged; seq is 1..n);
* per pool, remaining = initial + adjustments − used − booked, recomputed from the kinds and
  refs alone, equals the server's balance, and remaining, used and booked are never negative;
* every undo matches exactly one earlier redemption or reservation, and no entry is settled
  (undone, released or redeemed) twice;
* whether an operation was accepted matches a simple model of the rules, and a refused
  operation changes nothing;
* what the card row says it owes (``owed_units``, ``owed_value``: the liability report's
  figures, kept by the ledger as it appends) is what those recomputed balances owe.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from desk_tui.contract import cards as wire
from desk_tui.server.auth.principal import Principal
from desk_tui.server.cards import booking, ledger, service
from desk_tui.server.cards.models import Card, CardTransaction
from desk_tui.server.database import Database, utcnow
from desk_tui.server.errors import DomainError
from desk_tui.server.packages.models import Package, PackageEntitlement, PackageEntitlementService
from tests.support.demo_copy import fill_with_demo

#: pool 0: 360 minutes of Manicure 60 / Pedicure 60 / Deep Tissue 120; pool 1: 3 sessions of Facial or Manicure
POOLS = [(360, {"svc_manicure": 60, "svc_pedicure": 60, "svc_deep_tissue": 120}),
         (3, {"svc_facial": 1, "svc_manicure": 1})]
SERVICES = ["svc_manicure", "svc_pedicure", "svc_deep_tissue", "svc_facial"]
ME = Principal(staff_id="stf_manager", staff_name="Márton Kiss", role="manager", location_id="loc_downtown",
               token_hash="test", expires_at=utcnow() + timedelta(days=1))


@pytest.fixture(scope="module")
def db(new_db_url):
    url = new_db_url("sqlite")
    fill_with_demo(url)  # a copy of the demo salon this worker seeded once, not a seeding of its own
    database = Database(url)
    with database.transaction() as s:
        pkg = Package(id="pkg_prop", name="Property pack", unit_type="minutes", price=99999, tax_inclusive=True,
                      expiry_days=None, description="", active=True, created_at=utcnow())
        for position, (units, costs) in enumerate(POOLS):
            ent = PackageEntitlement(id=f"ent_prop_{position}", position=position, units=units)
            ent.services = [PackageEntitlementService(entitlement_id=ent.id, service_id=sid, unit_cost=cost)
                            for sid, cost in costs.items()]
            pkg.entitlements.append(ent)
        s.add(pkg)
    yield database
    database.dispose()


operations = st.one_of(
    st.tuples(st.just("redeem"), st.sampled_from(SERVICES), st.integers(1, 4)),
    st.tuples(st.just("reserve"), st.sampled_from(SERVICES), st.integers(1, 3)),
    st.tuples(st.just("release"), st.integers(0, 30)),
    st.tuples(st.just("redeem_reservation"), st.integers(0, 30)),
    st.tuples(st.just("undo"), st.integers(0, 30)),
    st.tuples(st.just("adjust"), st.integers(0, 1), st.integers(-400, 400).filter(bool)),
)


def _read(db: Database, card_id: str) -> tuple[list[CardTransaction], dict[str, ledger.Pool], str]:
    """The card's ledger, the server's balances and its stored status, in one read."""
    with db.read_session() as s:
        entries = list(s.scalars(select(CardTransaction).where(CardTransaction.card_id == card_id)
                                 .order_by(CardTransaction.seq)))
        card = s.get(Card, card_id)
        return entries, ledger.card_pools(s, card), card.status


def _owed(db: Database, card_id: str, pools: dict[str, dict[str, int]]) -> tuple[tuple[int, int], tuple[int, int]]:
    """What the card row says it owes, and what these balances (read from the ledger's kinds) owe."""
    with db.read_session() as s:
        card = s.get(Card, card_id)
        balances = {ent_id: ledger.Pool(ent_id, p["initial"], p["adjust"], p["used"], p["booked"])
                    for ent_id, p in pools.items()}
        units = sum(max(p.remaining, 0) + p.booked for p in balances.values())
        value = ledger.value_of(card, balances, include_booked=True) if units else 0
        return (card.owed_units, card.owed_value), (units, value)


def _snapshot(entries: list[CardTransaction]) -> list[tuple]:
    return [(t.id, t.seq, t.kind, t.entitlement_id, t.service_id, t.units, t.ref_id, t.initial_delta,
             t.adjust_delta, t.used_delta, t.booked_delta) for t in entries]


def _interpret(entries: list[CardTransaction]) -> dict[str, dict[str, int]]:
    """Balances from kinds and refs alone, ignoring the delta columns the server wrote."""
    by_id = {t.id: t for t in entries}
    seen: dict[str, int] = {t.id: t.seq for t in entries}
    settled: set[str] = set()
    pools: dict[str, dict[str, int]] = {}
    for t in entries:
        if t.entitlement_id is None:
            continue
        p = pools.setdefault(t.entitlement_id, {"initial": 0, "adjust": 0, "used": 0, "booked": 0})
        if t.ref_id is not None:
            target = by_id[t.ref_id]
            assert seen[t.ref_id] < t.seq, "an entry may only settle an earlier one"
            assert t.ref_id not in settled, "an entry is undone, released or redeemed at most once"
            settled.add(t.ref_id)
            assert target.entitlement_id == t.entitlement_id and target.units == t.units
        match t.kind:
            case "issue":
                p["initial"] += t.units
            case "adjust":
                p["adjust"] += t.units
            case "reserve":
                p["booked"] += t.units
            case "release":
                assert by_id[t.ref_id].kind == "reserve"
                p["booked"] -= t.units
            case "redeem":
                p["used"] += t.units
                if t.ref_id is not None:
                    assert by_id[t.ref_id].kind == "reserve"
                    p["booked"] -= t.units
            case "undo":
                assert by_id[t.ref_id].kind in ("redeem", "reserve")
                p["used" if by_id[t.ref_id].kind == "redeem" else "booked"] -= t.units
    return pools


def _expected_ok(op: tuple, balances: dict[str, ledger.Pool], entries: list[CardTransaction], ent_ids: list[str]):
    """What the rules say should happen, and the entry the operation targets (if any)."""
    settled = {t.ref_id for t in entries if t.ref_id}
    open_reservations = [t for t in entries if t.kind == "reserve" and t.id not in settled]
    kind = op[0]
    if kind in ("redeem", "reserve"):
        _, service_id, quantity = op
        fits = [i for i, (_, costs) in enumerate(POOLS)
                if service_id in costs and balances[ent_ids[i]].remaining >= costs[service_id] * quantity]
        return bool(fits), None
    if kind in ("release", "redeem_reservation"):
        if not open_reservations:
            return False, None
        return True, open_reservations[op[1] % len(open_reservations)]
    if kind == "undo":
        targets = [t for t in entries if t.kind in ("redeem", "reserve")]
        if not targets:
            return False, None
        target = targets[op[1] % len(targets)]
        return target.id not in settled, target
    _, index, units = op
    return balances[ent_ids[index]].remaining + units >= 0, None


def _apply(s, op: tuple, card_id: str, target: CardTransaction | None, ent_ids: list[str]) -> None:
    kind = op[0]
    if kind == "redeem":
        service.redeem(s, card_id=card_id, service_id=op[1], quantity=op[2], me=ME)
    elif kind == "reserve":
        booking.reserve(s, card_id=card_id, entitlement_id=None, service_id=op[1], quantity=op[2], me=ME,
                        appointment_id="apt_prop", appointment_date=date.today())
    elif kind == "release":
        booking.release(s, card_id=card_id, reservation_id=target.id if target else "ctx_none", me=ME)
    elif kind == "redeem_reservation":
        booking.redeem_reservation(s, card_id=card_id, reservation_id=target.id if target else "ctx_none", me=ME)
    elif kind == "undo":
        service.undo(s, card_id=card_id, transaction_id=target.id if target else "ctx_none", reason="prop", me=ME)
    else:
        service.adjust(s, card_id=card_id, entitlement_id=ent_ids[op[1]], units=op[2], reason="prop", me=ME)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=st.lists(operations, min_size=1, max_size=20))
def test_random_operations_keep_the_ledger_consistent(db, ops):
    with db.transaction() as s:
        card = service.sell(s, data=wire.CardCreate(package_id="pkg_prop", customer_id="cus_demo0100", note="prop"),
                            me=ME)
        card_id, ent_ids = card.id, [e.id for e in card.entitlements]
    entries, balances, _ = _read(db, card_id)
    for op in ops:
        before = _snapshot(entries)
        ok, target = _expected_ok(op, balances, entries, ent_ids)
        try:
            with db.transaction() as s:
                _apply(s, op, card_id, target, ent_ids)
            accepted = True
        except DomainError:
            accepted = False
        assert accepted == ok, (op, balances)
        entries, balances, status = _read(db, card_id)
        snapshot = _snapshot(entries)
        assert snapshot[:len(before)] == before, "the ledger only grows"
        assert len(snapshot) == len(before) + (1 if accepted else 0)
        assert [t.seq for t in entries] == list(range(1, len(entries) + 1))

        for ent_id, p in _interpret(entries).items():
            pool = balances[ent_id]
            assert (pool.initial, pool.adjustments, pool.used, pool.booked) == (
                p["initial"], p["adjust"], p["used"], p["booked"])
            assert pool.remaining == p["initial"] + p["adjust"] - p["used"] - p["booked"] >= 0
            assert pool.used >= 0 and pool.booked >= 0
        done = all(p.remaining == 0 and p.booked == 0 for p in balances.values())
        assert status == ("fully_used" if done else "active")
        # what the card says it owes (the liability report's figures) is what its ledger owes
        kept, owed = _owed(db, card_id, _interpret(entries))
        assert kept == owed, (op, balances)


@pytest.mark.parametrize("statement", ["UPDATE card_transactions SET units = units + 1",
                                       "DELETE FROM card_transactions"])
def test_the_database_refuses_to_rewrite_the_ledger(db, statement):
    with db.transaction() as s:
        service.sell(s, data=wire.CardCreate(package_id="pkg_prop", customer_id="cus_demo0101", note="x"), me=ME)
    with pytest.raises(DBAPIError, match="append-only"), db.transaction() as s:
        s.execute(text(statement))
