"""The demo accounts' PINs hashed at argon2's lightest cost, for a server that only the UI tests use.

A sign-in verifies the PIN against its stored argon2id hash at the cost that hash was made with:
the product's default costs a few tenths of a second of CPU on purpose, in the test process that
also runs the app, and a Pilot test waits until that process is idle. The UI tests sign in a
couple of hundred times and test screens, not the hash's strength: their server keeps argon2id
hashes of the same PINs, verified by the same code, only cheaper. The product's hashing, at its
own cost, is what the API tests sign in against (tests/api).
"""

from __future__ import annotations

from argon2 import PasswordHasher
from sqlalchemy import select

from desk_tui.server.database import Database
from desk_tui.server.demo import ACCOUNTS
from desk_tui.server.reference.models import Staff

_LIGHTEST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def quick_demo_pins(database: Database) -> None:
    pins = {username: pin for username, pin, _role, _name in ACCOUNTS}
    with database.transaction() as s:
        for staff in s.scalars(select(Staff).where(Staff.username.in_(pins))):
            staff.pin_hash = _LIGHTEST.hash(pins[staff.username])
