"""The demo accounts' PINs hashed at argon2's lightest cost, for the servers the tests start.

A sign-in verifies the PIN against its stored argon2id hash at the cost that hash was made with:
the product's default costs a few tenths of a second of CPU on purpose. The tests sign in many
hundreds of times (the API tests about 300 times per engine, the UI tests a couple of hundred,
in a process that waits until the app is idle) and test rules and screens, not the hash's
strength: their demo salon keeps argon2id hashes of the same PINs, verified by the same code
(``desk_tui.server.auth.pins.verify_pin``), only cheaper (``demo_copy.fill_with_demo``).

The product's own cost is still what these see: the accounts a test makes with ``admin`` (the
lock-outs and PIN changes of tests/api/test_auth.py, the bursts, the flood and the PIN change of
test_sign_in_limits.py), the made-up usernames (checked against the product's dummy hash), a
server started with ``product_pins=True``, and test_auth.py's check of the parameters themselves.
Only test_sign_in_limits.py's tests that count sign-ins one after another, where no two checks
overlap, make their account cheaply (``staff_made_quickly()``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from unittest import mock

from argon2 import PasswordHasher
from sqlalchemy import select

from desk_tui.server import admin, demo
from desk_tui.server.database import Database
from desk_tui.server.demo import ACCOUNTS
from desk_tui.server.reference.models import Staff

_LIGHTEST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@cache
def quick_hashes() -> tuple[tuple[str, str], ...]:
    """(username, argon2id hash of its PIN at the lightest cost) for each demo account."""
    return tuple((username, _LIGHTEST.hash(pin)) for username, pin, _role, _name in ACCOUNTS)


def quick_demo_pins(database: Database) -> None:
    """For an in-thread server (LiveServer) that seeded the demo itself: under a pinned clock
    nothing is copied."""
    hashes = dict(quick_hashes())
    with database.transaction() as s:
        for staff in s.scalars(select(Staff).where(Staff.username.in_(hashes))):
            staff.pin_hash = hashes[staff.username]


@contextmanager
def demo_seeded_quickly() -> Iterator[None]:
    """``seed_reference`` / ``seed_demo`` called inside hash the accounts' PINs at the lightest cost:
    for a test that seeds a salon of its own instead of copying the demo."""
    with mock.patch.object(demo, "hash_pin", _LIGHTEST.hash):
        yield


@contextmanager
def staff_made_quickly() -> Iterator[None]:
    """``admin.create_staff`` called inside hashes the PIN at the lightest cost: for a test that
    counts its account's sign-ins one after another (what is refused, what is let through), where
    a PIN check's cost changes nothing it asserts."""
    with mock.patch.object(admin, "hash_pin", _LIGHTEST.hash):
        yield
