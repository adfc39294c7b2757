"""PIN hashing with argon2id. PINs are short, so the hash must be slow; tokens are long, so
a fast SHA-256 of the token is enough to avoid storing it."""

from __future__ import annotations

import hashlib
import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


@cache
def _dummy() -> str:
    """Verified against when the username does not exist, so timing does not reveal usernames.
    Made on first use, not at import: every `serve` worker and `admin` command imports this
    module, and one argon2 hash costs a tenth of a second of their start."""
    return _hasher.hash("not-a-real-pin")


def hash_pin(pin: str) -> str:
    return _hasher.hash(pin)


def verify_pin(pin_hash: str | None, pin: str) -> bool:
    try:
        return _hasher.verify(pin_hash or _dummy(), pin) and pin_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
